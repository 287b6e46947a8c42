/**
 * RenderPool: render jobs on worker threads, each with its own GLContext, for real parallelism (GL calls are
 * synchronous, so one thread renders one frame at a time).
 *
 *   const pool = new RenderPool({ workers: 2 });
 *   const frame = await pool.render({ path: 'shader.fs', width: 640, height: 360, time: 1.5 });
 *   await pool.close();
 *
 * Results are byte-identical to rendering the same job in this thread: a job carries everything it depends on
 * and starts a fresh frame stream (see render-job.ts; shaders with persistent buffers put their sequence in one
 * job's `frames`). A worker that dies (native crash, process.exit, uncaught exception) is replaced and its job
 * retried once on the new worker; a second death rejects the job with WORKER_FAILED. Nothing is lost or left
 * pending: every render() settles, and close() rejects what is still queued and terminates the workers.
 */
import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { ISFError } from '../core/errors.ts';
import { Frame } from '../render/frame.ts';
import type { RawImage } from '../render/images.ts';
import type { NodeContextOptions } from './context.ts';
import { type LibraryOptions, loadNative } from './egl/native.ts';
import { entryFile, startWorker } from './entry-files.ts';
import {
  checkJob,
  deserializeError,
  type RenderJob,
  type RenderJobFrame,
  type WireFrame,
  type WorkerRequest,
  type WorkerResponse,
} from './render-job.ts';

export type { RenderJob, RenderJobFrame } from './render-job.ts';

export interface RenderPoolOptions {
  /** Worker threads (default: available cores, at most 4). */
  workers?: number;
  /** Options for each worker's context (device, limits...). */
  contextOptions?: NodeContextOptions;
  /** Time limit per attempt; past it the job fails with RENDER_TIMEOUT and its worker is replaced. Default none. */
  jobTimeoutMs?: number;
  /** Compiled scenes each worker keeps, by document (default 8). */
  maxScenesPerWorker?: number;
}

export interface RenderPoolStats {
  /** Live worker threads (started or starting). */
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
  /** Workers started to replace dead ones. */
  restarts: number;
}

/** Attempts per job: the first, and one retry on a fresh worker. */
const MAX_ATTEMPTS = 2;
/** Consecutive start-up failures after which the pool stops starting workers and fails its jobs. */
const MAX_START_FAILURES = 3;

const ENTRY = entryFile(import.meta.url, './render-worker');

interface Task {
  id: number;
  job: RenderJob;
  attempts: number;
  callerStack: string;
  resolve: (frames: Frame[]) => void;
  reject: (e: Error) => void;
  timer?: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  task: Task | undefined;
  lastError: Error | undefined;
  /** Start-up failures in a row of this slot's line of workers. */
  startFailures: number;
}

let nextTaskId = 1;

export class RenderPool {
  private readonly size: number;
  private readonly slots = new Set<Slot>();
  private readonly queue: Task[] = [];
  private started = false;
  private closed = false;
  private broken: Error | undefined;
  private readonly counters = { completed: 0, failed: 0, retried: 0, restarts: 0 };

  constructor(private readonly options: RenderPoolOptions = {}) {
    const workers = options.workers ?? Math.min(4, availableParallelism());
    if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
      throw new ISFError(
        'BAD_ARGUMENT',
        `Expected an integer from 1 to 64 for workers but received ${workers}`,
      );
    }
    const timeout = options.jobTimeoutMs;
    if (timeout !== undefined && !(typeof timeout === 'number' && timeout > 0)) {
      throw new ISFError(
        'BAD_ARGUMENT',
        `Expected a positive number for jobTimeoutMs but received ${timeout}`,
      );
    }
    this.size = workers;
  }

  /** Renders one frame, or every frame of `job.frames` in order (then resolves with all of them). */
  render(job: RenderJob & { frames: RenderJobFrame[] }): Promise<Frame[]>;
  render(job: RenderJob): Promise<Frame>;
  render(job: RenderJob): Promise<Frame | Frame[]> {
    const callerStack = new Error().stack?.split('\n').slice(2).join('\n') ?? '';
    try {
      if (this.closed) throw new ISFError('RESOURCE_DESTROYED', 'RenderPool: render() after close()');
      if (this.broken) throw this.brokenError();
      checkJob(job);
    } catch (e) {
      return Promise.reject(e);
    }
    const many = job.frames !== undefined;
    return new Promise<Frame[]>((resolve, reject) => {
      this.queue.push({
        id: nextTaskId++,
        job: shareImages(job),
        attempts: 0,
        callerStack,
        resolve,
        reject,
      });
      this.start();
      this.dispatch();
    }).then((frames) => (many ? frames : frames[0]!));
  }

  stats(): RenderPoolStats {
    let busy = 0;
    for (const s of this.slots) if (s.task) busy += 1;
    return { workers: this.slots.size, busy, queued: this.queue.length, ...this.counters };
  }

  /** Rejects queued and running jobs (WORKER_FAILED) and terminates every worker. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const pending = [...this.queue.splice(0), ...[...this.slots].flatMap((s) => (s.task ? [s.task] : []))];
    for (const task of pending) {
      this.settle(task, new ISFError('WORKER_FAILED', `RenderPool closed before job ${task.id} finished`));
    }
    const workers = [...this.slots].map((s) => s.worker);
    this.slots.clear();
    await Promise.all(workers.map((w) => stopWorker(w)));
  }

  // --- workers ----------------------------------------------------------------------------------------------

  private start(): void {
    if (this.started) return;
    this.started = true;
    pinNativeLibraries(this.options.contextOptions);
    for (let i = 0; i < this.size; i++) this.spawn(0);
  }

  private spawn(startFailures: number): void {
    const worker = startWorker(ENTRY, {
      workerData: {
        contextOptions: this.options.contextOptions,
        maxScenes: this.options.maxScenesPerWorker,
      },
    });
    const slot: Slot = { worker, ready: false, task: undefined, lastError: undefined, startFailures };
    this.slots.add(slot);
    worker.on('message', (m: WorkerResponse) => this.onMessage(slot, m));
    worker.on('error', (e) => {
      slot.lastError = e;
    });
    worker.on('exit', (code) => this.onExit(slot, code));
  }

  private onMessage(slot: Slot, m: WorkerResponse): void {
    switch (m.type) {
      case 'ready':
        slot.ready = true;
        slot.startFailures = 0;
        this.dispatch();
        return;
      case 'init-error':
        slot.lastError = deserializeError(m.error);
        return; // the worker exits next; onExit decides
      case 'done':
      case 'failed': {
        const task = slot.task;
        if (!task || task.id !== m.id) return; // settled already (timeout)
        slot.task = undefined;
        if (m.type === 'done') {
          this.counters.completed += 1;
          clearTimeout(task.timer);
          task.resolve(m.frames.map(toFrame));
        } else {
          this.settle(task, deserializeError(m.error));
        }
        this.dispatch();
        return;
      }
    }
  }

  private onExit(slot: Slot, code: number): void {
    if (!this.slots.delete(slot) || this.closed) return;
    const task = slot.task;
    slot.task = undefined;
    const why = slot.lastError ? `: ${slot.lastError.message}` : '';
    if (task) {
      clearTimeout(task.timer);
      if (task.attempts < MAX_ATTEMPTS) {
        this.counters.retried += 1;
        this.queue.unshift(task);
      } else {
        this.settle(
          task,
          new ISFError(
            'WORKER_FAILED',
            `RenderPool: the worker rendering job ${task.id} died (exit code ${code}${why}) on all ${MAX_ATTEMPTS} attempts`,
            { cause: slot.lastError, details: { exitCode: code, attempts: task.attempts } },
          ),
        );
      }
    }
    const startFailures = slot.ready ? 0 : slot.startFailures + 1;
    if (startFailures >= MAX_START_FAILURES) {
      this.broken = new ISFError(
        'WORKER_FAILED',
        `RenderPool: workers fail to start (${startFailures} times in a row${why})`,
        {
          cause: slot.lastError,
          suggestion: 'check that a GL context can be created (isf info) in this process',
        },
      );
      if (this.slots.size === 0) for (const t of this.queue.splice(0)) this.settle(t, this.brokenError());
      return;
    }
    this.counters.restarts += 1;
    this.spawn(startFailures);
    this.dispatch();
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (!slot.ready || slot.task) continue;
      const task = this.queue.shift();
      if (!task) break;
      task.attempts += 1;
      slot.task = task;
      const timeout = this.options.jobTimeoutMs;
      if (timeout !== undefined) task.timer = setTimeout(() => this.timeOut(slot, task, timeout), timeout);
      const request: WorkerRequest = { type: 'job', id: task.id, attempt: task.attempts, job: task.job };
      try {
        slot.worker.postMessage(request);
      } catch (e) {
        // Not cloneable (a function among the values...): this job can never run.
        slot.task = undefined;
        this.settle(
          task,
          new ISFError(
            'BAD_ARGUMENT',
            `RenderPool: job ${task.id} cannot be sent to a worker: ${(e as Error).message}`,
          ),
        );
      }
    }
    // Idle workers must not keep the process alive; busy or starting ones must (an awaited job is pending).
    for (const slot of this.slots) {
      if (slot.ready && !slot.task && this.queue.length === 0) slot.worker.unref();
      else slot.worker.ref();
    }
  }

  /** A fresh error per job (each gets its caller's stack) about the workers that fail to start. */
  private brokenError(): ISFError {
    const b = this.broken!;
    return new ISFError('WORKER_FAILED', b.message, {
      cause: b.cause,
      suggestion: (b as ISFError).suggestion,
    });
  }

  private timeOut(slot: Slot, task: Task, ms: number): void {
    if (slot.task !== task) return;
    slot.task = undefined;
    this.settle(
      task,
      new ISFError('RENDER_TIMEOUT', `RenderPool: job ${task.id} ran past ${ms} ms; its worker was replaced`),
    );
    slot.ready = true; // it started fine: its replacement is a restart, not a start-up failure
    void slot.worker.terminate();
  }

  private settle(task: Task, error: Error): void {
    clearTimeout(task.timer);
    this.counters.failed += 1;
    // Keep the caller's stack: the worker's says nothing about where the job came from.
    error.stack = `${error.name}: ${error.message}\n${task.callerStack}`;
    task.reject(error);
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

/** Asks a worker to free its context and end; terminates it if it does not within `graceMs` (a hung job). */
function stopWorker(worker: Worker, graceMs = 2000): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => void worker.terminate(), graceMs);
    worker.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    worker.ref();
    try {
      worker.postMessage({ type: 'close' } satisfies WorkerRequest);
    } catch {
      void worker.terminate();
    }
  });
}

function toFrame(w: WireFrame): Frame {
  return new Frame(w.width, w.height, w.pixels, w.floatPixels, w.meta);
}

/**
 * Image pixels go to the worker in SharedArrayBuffers: one copy here, none per attempt, and still there for a
 * retry when the first worker dies (a transferred buffer would have died with it). The caller's arrays stay usable.
 */
function shareImages(job: RenderJob): RenderJob {
  if (!job.images) return job;
  const images: Record<string, RawImage> = {};
  for (const [name, image] of Object.entries(job.images)) {
    const data = image.data;
    if (data.buffer instanceof SharedArrayBuffer) {
      images[name] = image;
      continue;
    }
    const shared = new SharedArrayBuffer(data.byteLength);
    const copy =
      data instanceof Float32Array
        ? new Float32Array(shared)
        : data instanceof Uint8ClampedArray
          ? new Uint8ClampedArray(shared)
          : new Uint8Array(shared);
    copy.set(data);
    images[name] = { width: image.width, height: image.height, data: copy };
  }
  return { ...job, images };
}
