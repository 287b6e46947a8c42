/**
 * RenderPool: render jobs on worker threads (or child processes), each with its own GLContext, for real
 * parallelism (GL calls are synchronous, so one slot renders one frame at a time).
 *
 *   const pool = new RenderPool({ workers: 2 });
 *   const frame = await pool.render({ path: 'shader.fs', width: 640, height: 360, time: 1.5 });
 *   await pool.close();
 *
 * Results are byte-identical to rendering the same job in this thread: a job carries everything it depends on
 * and starts a fresh frame stream (see render-job.ts; shaders with persistent buffers put their sequence in one
 * job's `frames`). A worker that dies (process.exit, uncaught exception, a crash of a process slot) is replaced
 * and its job retried once on the new worker; a second death rejects the job with WORKER_FAILED (or
 * GL_DRIVER_CRASH for a process slot killed by a native fault). Nothing is lost or left pending: every render()
 * settles, and close() rejects what is still queued and ends the workers. The slots are run by the one
 * Supervisor (supervisor.ts).
 *
 * Threads or processes: a thread cannot be stopped while it is blocked in a GL call, and a driver crash in a
 * thread ends the whole process. So the thread pool (the default, the fastest: frames cross by transfer) has no
 * time or memory limit; `slots: 'process'` runs each worker in a child process that can be killed, which allows
 * `jobTimeoutMs` and `memoryLimitBytes` and survives driver crashes, at the cost of copying frames over IPC.
 */
import { availableParallelism } from 'node:os';
import { ISFError } from '../core/errors.ts';
import { Frame } from '../render/frame.ts';
import type { RawImage } from '../render/images.ts';
import type { NodeContextOptions } from './context.ts';
import { type LibraryOptions, loadNative } from './egl/native.ts';
import { entryFile } from './entry-files.ts';
import { faultOf, type PoolFault } from './faults.ts';
import {
  checkJob,
  type RenderJob,
  type RenderJobFrame,
  type WireFrame,
  type WorkerRequest,
} from './render-job.ts';
import { Supervisor } from './supervisor.ts';

export type { RenderJob, RenderJobFrame } from './render-job.ts';

export interface RenderPoolOptions {
  /** Workers (default: available cores, at most 4). */
  workers?: number;
  /**
   * 'thread' (default): worker threads, no time or memory limit (a thread in a GL call cannot be stopped, and a
   * driver crash takes this process). 'process': child processes, killable at a limit, surviving driver crashes.
   */
  slots?: 'thread' | 'process';
  /** Options for each worker's context (device, limits...). */
  contextOptions?: NodeContextOptions;
  /**
   * Time limit per attempt (`slots: 'process'` only); past it the job fails with RENDER_TIMEOUT and its worker
   * is killed and replaced at once: nothing more is sent to it. Default none.
   */
  jobTimeoutMs?: number;
  /** Resident memory limit of each worker while it renders (`slots: 'process'`, Linux); LIMIT_EXCEEDED past it. */
  memoryLimitBytes?: number;
  /** Compiled scenes each worker keeps, by document (default 8). */
  maxScenesPerWorker?: number;
}

export interface RenderPoolCallOptions {
  /** Time limit of this job per attempt, in ms (default: jobTimeoutMs); `slots: 'process'` only. */
  timeoutMs?: number;
}

export interface RenderPoolStats {
  /** Live workers (started or starting). */
  workers: number;
  /** Workers rendering a job now. */
  busy: number;
  /** Jobs waiting for a worker. */
  queued: number;
  completed: number;
  /** Jobs rejected (render errors, worker deaths after the retry, timeouts). */
  failed: number;
  /** Jobs re-sent after their worker died. */
  retried: number;
  /** Workers started to replace dead ones (crashes, timeouts, start-up failures). */
  restarts: number;
  /** Process ids of the live workers (`slots: 'process'`; empty for threads). */
  pids: number[];
  /** Distinct workers (replacements counted apart) that completed at least one job since the pool started. */
  workersUsed: number;
}

/** Attempts per job: the first, and one retry on a fresh worker. */
const MAX_ATTEMPTS = 2;
/** Consecutive start-up failures after which the queued jobs fail with the start-up error. */
const MAX_START_FAILURES = 3;

const ENTRY = entryFile(import.meta.url, './render-worker');

export class RenderPool {
  private readonly supervisor: Supervisor;
  private started = false;
  /** Thread ids / pids of the workers that completed a job (for stats().workersUsed). */
  private readonly usedWorkers = new Set<number>();

  constructor(private readonly options: RenderPoolOptions = {}) {
    const workers = options.workers ?? Math.min(4, availableParallelism());
    if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
      throw new ISFError(
        'BAD_ARGUMENT',
        `Expected an integer from 1 to 64 for workers but received ${workers}`,
      );
    }
    const kind = options.slots ?? 'thread';
    if (kind !== 'thread' && kind !== 'process') {
      throw new ISFError('BAD_ARGUMENT', `Expected slots 'thread' or 'process' but received ${String(kind)}`);
    }
    const timeout = options.jobTimeoutMs;
    if (timeout !== undefined && !(typeof timeout === 'number' && timeout > 0)) {
      throw new ISFError(
        'BAD_ARGUMENT',
        `Expected a positive number for jobTimeoutMs but received ${timeout}`,
      );
    }
    if (kind === 'thread' && (timeout !== undefined || options.memoryLimitBytes !== undefined)) {
      throw new ISFError(
        'BAD_ARGUMENT',
        "RenderPool: jobTimeoutMs and memoryLimitBytes need slots: 'process' (a worker thread blocked in a GL call cannot be stopped)",
      );
    }
    this.supervisor = new Supervisor({
      name: 'RenderPool worker',
      slot: {
        kind,
        entry: ENTRY,
        init: {
          contextOptions: options.contextOptions,
          maxScenes: options.maxScenesPerWorker,
          parentPid: process.pid,
        },
        closeMessage: { type: 'close' } satisfies WorkerRequest,
      },
      slots: workers,
      attempts: MAX_ATTEMPTS,
      maxStartFailures: MAX_START_FAILURES,
      // A loaded machine can take many seconds to start a worker; a start-up is not what a job's limit is for.
      startTimeoutMs: 120_000,
      ...(timeout !== undefined ? { timeoutMs: timeout } : {}),
      ...(options.memoryLimitBytes !== undefined ? { memoryLimitBytes: options.memoryLimitBytes } : {}),
    });
  }

  /**
   * Renders one frame, or every frame of `job.frames` in order (then resolves with all of them). `timeoutMs`
   * replaces `jobTimeoutMs` for this job (process slots only), as IsolatedRenderer.render's does: a trusted job
   * may get more time than the pool's untrusted ones.
   */
  render(job: RenderJob & { frames: RenderJobFrame[] }, options?: RenderPoolCallOptions): Promise<Frame[]>;
  render(job: RenderJob, options?: RenderPoolCallOptions): Promise<Frame>;
  async render(job: RenderJob, options: RenderPoolCallOptions = {}): Promise<Frame | Frame[]> {
    if (this.supervisor.closed)
      throw new ISFError('RESOURCE_DESTROYED', 'RenderPool: render() after close()');
    checkJob(job);
    if (options.timeoutMs !== undefined && this.options.slots !== 'process') {
      throw new ISFError(
        'BAD_ARGUMENT',
        "RenderPool: a time limit needs slots: 'process' (a worker thread blocked in a GL call cannot be stopped)",
      );
    }
    const fault = faultOf<PoolFault>(job);
    const shared = this.options.slots === 'process' ? job : shareImages(job);
    this.start();
    const done = await this.supervisor.submit({
      label: job.path ?? 'a shader given as source',
      operation: 'Rendering',
      ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
      message: (id, attempt): WorkerRequest => ({
        type: 'job',
        id,
        attempt,
        job: shared,
        ...(fault ? { fault } : {}),
      }),
    });
    const { frames: wire, worker } = done as unknown as { frames: WireFrame[]; worker: number };
    this.usedWorkers.add(worker);
    const frames = wire.map(toFrame);
    return job.frames !== undefined ? frames : frames[0]!;
  }

  /**
   * Starts every worker and resolves once each is ready (a worker that failed to start is reported by the next
   * render, as without this). Optional: render() starts them anyway; waiting first spreads the jobs submitted
   * next over all the workers instead of the first one up.
   */
  async ready(): Promise<void> {
    if (this.supervisor.closed) throw new ISFError('RESOURCE_DESTROYED', 'RenderPool: ready() after close()');
    this.start();
    await this.supervisor.whenStarted();
  }

  stats(): RenderPoolStats {
    const s = this.supervisor.stats();
    return {
      workers: s.slots,
      busy: s.busy,
      queued: s.queued,
      completed: s.completed,
      failed: s.failed,
      retried: s.retried,
      restarts: s.restarts,
      pids: s.pids,
      workersUsed: this.usedWorkers.size,
    };
  }

  /** Rejects queued and running jobs (WORKER_FAILED) and ends every worker. Idempotent. */
  close(): Promise<void> {
    return this.supervisor.close(
      () => new ISFError('WORKER_FAILED', 'RenderPool closed before the job finished'),
    );
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    if ((this.options.slots ?? 'thread') === 'thread') pinNativeLibraries(this.options.contextOptions);
  }
}

/**
 * Loads libEGL/libGLESv2 in this thread too, for the life of the process. A worker's koffi unloads the libraries
 * when the worker ends; if no other thread holds them they are unmapped, and Mesa's thread-exit destructors
 * (registered by the worker's thread) then jump into unmapped code: a segfault in __nptl_deallocate_tsd, seen in
 * about one close() in five before this. Failure here is not fatal: the workers report their own load errors.
 */
function pinNativeLibraries(options: NodeContextOptions = {}): void {
  try {
    const libs: LibraryOptions = {};
    if (options.libEGL !== undefined) libs.libEGL = options.libEGL;
    if (options.libGLES !== undefined) libs.libGLES = options.libGLES;
    loadNative(libs);
  } catch {
    // reported by each worker's init-error instead
  }
}

function toFrame(w: WireFrame): Frame {
  return new Frame(w.width, w.height, w.pixels, w.floatPixels, w.meta);
}

/**
 * Image pixels go to the worker in SharedArrayBuffers: one copy here, none per attempt, and still there for a
 * retry when the first worker dies (a transferred buffer would have died with it). The caller's arrays stay usable.
 */
function shareImages(job: RenderJob): RenderJob {
  if (!job.images && !job.cubes) return job;
  const images: Record<string, RawImage> = {};
  for (const [name, image] of Object.entries(job.images ?? {})) images[name] = shareImage(image);
  const cubes: Record<string, RawImage[]> = {};
  for (const [name, faces] of Object.entries(job.cubes ?? {})) cubes[name] = faces.map(shareImage);
  return { ...job, ...(job.images ? { images } : {}), ...(job.cubes ? { cubes } : {}) };
}

function shareImage(image: RawImage): RawImage {
  const data = image.data;
  if (data.buffer instanceof SharedArrayBuffer) return image;
  const shared = new SharedArrayBuffer(data.byteLength);
  const copy =
    data instanceof Float32Array
      ? new Float32Array(shared)
      : data instanceof Uint8ClampedArray
        ? new Uint8ClampedArray(shared)
        : new Uint8Array(shared);
  copy.set(data);
  return { width: image.width, height: image.height, data: copy };
}
