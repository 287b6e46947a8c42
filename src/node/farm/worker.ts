/**
 * A render-farm worker: takes render-range and validate jobs from a BullMQ queue and runs each in an isolated
 * child process of its own (one per concurrent job; IsolatedRenderer, so the one Supervisor), which renders and
 * writes the frames itself. The worker process runs no GL: a shader that hangs the driver costs its child (killed
 * at the per-frame time limit: RENDER_TIMEOUT), one that crashes it costs its child (GL_DRIVER_CRASH), one that
 * eats memory is killed at the memory limit (LIMIT_EXCEEDED); the event loop keeps renewing the job's lock
 * meanwhile, so the job is not handed to another worker to hang there too, and the worker takes the next job.
 *
 * Limits per job: a job sent with `--untrusted`/`--timeout` renders under UNTRUSTED_LIMITS (memory included)
 * with its own per-frame limit; every job's per-frame limit is at most the worker's ceiling (`timeoutMs`,
 * `isf worker --timeout`).
 *
 * Jobs are idempotent: a frame file depends only on the job's data, and writes are atomic, so a job run twice
 * (its first worker was killed, its lock expired) leaves the same files. A failed attempt leaves its
 * structured error in the job's log, so the client can report the shader error, not just a message.
 */
import { type Job, Worker } from 'bullmq';
import { ISFError } from '../../core/errors.ts';
import { withWriteDelay } from '../faults.ts';
import { checkShaderFile } from '../isolate/check.ts';
import { IsolatedRenderer } from '../isolate/renderer.ts';
import { settledWithin } from '../settled-within.ts';
import {
  DEFAULT_QUEUE,
  encodeJobError,
  RENDER_JOB,
  type RenderRangeJob,
  rangeLabel,
  redisConnection,
  VALIDATE_JOB,
  type ValidateJob,
} from './jobs.ts';

export type FarmDevice = 'auto' | 'cpu' | 'gpu' | number;

export interface FarmWorkerOptions {
  /** redis://host:port of the farm's Redis. */
  redis: string;
  queue?: string;
  /** Jobs at once, each in its own isolated child (default 1). */
  concurrency?: number;
  /** 'auto' (default): the GPU when EGL finds one, else Mesa's CPU renderer. */
  device?: FarmDevice;
  /**
   * The worker's ceiling on any job's time per frame (the first with loading and compiling), in ms; a job may
   * ask for less (`isf render --timeout`), never more. Default 300 000.
   */
  timeoutMs?: number;
  /**
   * How long a job's lock lasts without renewal (default 30 s). The worker's event loop is never blocked by GL
   * (that runs in the child), so the lock renews even while a frame is stuck; a killed worker's job is taken up
   * again after about this long.
   */
  lockDurationMs?: number;
  /** How often stalled jobs (lock expired) are looked for (default 30 s). */
  stalledIntervalMs?: number;
  /** Stalls a job survives before it fails (default 1). */
  maxStalledCount?: number;
  /**
   * Resident memory limit of each child while it renders, in bytes (LIMIT_EXCEEDED past it). Default: 2 GiB
   * (UNTRUSTED_LIMITS.maxMemoryBytes) for untrusted jobs, none for the others.
   */
  maxMemoryBytes?: number;
  /** Slows every frame write by this long. Tests only: lets a test kill a worker in the middle of a job. */
  writeDelayMs?: number;
  onLog?: (message: string) => void;
}

/** The default ceiling per frame of a farm job. */
export const DEFAULT_WORKER_TIMEOUT_MS = 300_000;
/** Default per-file limit of a validate job's compile and draw (as `isf validate --compile`). */
const VALIDATE_TIMEOUT_MS = 10_000;

type Trust = 'trusted' | 'untrusted';

/** A running worker; close() lets active jobs finish, then ends its children and connections. */
export class FarmWorker {
  private readonly free: Record<Trust, IsolatedRenderer[]> = { trusted: [], untrusted: [] };
  private readonly all = new Set<IsolatedRenderer>();
  private closing: Promise<void> | undefined;
  private worker!: Worker;
  private active = 0;
  readonly timeoutMs: number;

  private constructor(
    private readonly options: FarmWorkerOptions,
    /** The device the children use ('cpu', 'gpu' or an EGL device index), after 'auto' was resolved. */
    readonly device: 'cpu' | 'gpu' | number,
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_WORKER_TIMEOUT_MS;
  }

  /** Starts a first child (failing fast when GL is unusable), then takes jobs. */
  static async start(options: FarmWorkerOptions): Promise<FarmWorker> {
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new ISFError(
        'BAD_ARGUMENT',
        `Expected --concurrency as a positive integer but received ${concurrency}`,
      );
    }
    const timeout = options.timeoutMs;
    if (timeout !== undefined && !(typeof timeout === 'number' && timeout > 0)) {
      throw new ISFError(
        'BAD_ARGUMENT',
        `Expected --timeout as a positive number of milliseconds but received ${timeout}`,
      );
    }
    const connection = redisConnection(options.redis);
    const { device, renderer } = await openFirstChild(options.device ?? 'auto');
    const self = new FarmWorker(options, device);
    self.all.add(renderer);
    self.free.trusted.push(renderer);
    const log = options.onLog ?? (() => {});
    self.worker = new Worker(options.queue ?? DEFAULT_QUEUE, (job: Job) => self.process(job), {
      connection,
      concurrency,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      maxStalledCount: options.maxStalledCount ?? 1,
      autorun: true,
    });
    let lastConnectionError = '';
    self.worker.on('error', (e) => {
      // ioredis reconnects by itself; say so once per distinct problem, not on every retry.
      if (e.message !== lastConnectionError) log(`redis: ${e.message} (retrying)`);
      lastConnectionError = e.message;
    });
    self.worker.on('active', (job) => log(`${job.id} started (${describe(job)})`));
    self.worker.on('completed', (job) => log(`${job.id} done`));
    self.worker.on('failed', (job, e) =>
      log(`${job?.id ?? '?'} failed (attempt ${job?.attemptsMade ?? '?'}): ${located(e)}`),
    );
    await self.worker.waitUntilReady();
    lastConnectionError = '';
    return self;
  }

  /** Jobs running now. */
  get activeJobs(): number {
    return this.active;
  }

  /**
   * Stops taking jobs and lets the active ones finish within `graceMs` (default: as long as they take), then
   * ends every child. Resolves even when Redis is gone (BullMQ's close would wait for it forever): past the
   * grace period, or at once when no job is active, it stops waiting. Idempotent.
   */
  close(graceMs = Number.POSITIVE_INFINITY): Promise<void> {
    this.closing ??= (async () => {
      const closed = this.worker.close().catch(() => {});
      const grace = this.active === 0 ? Math.min(graceMs, 2_000) : graceMs;
      await settledWithin(closed, grace);
      await this.endChildren();
    })();
    return this.closing;
  }

  /** Closes without waiting for active jobs: their locks expire and other workers take them up. */
  async kill(): Promise<void> {
    await Promise.all([
      settledWithin(
        this.worker.close(true).catch(() => {}),
        2_000,
      ),
      this.endChildren(),
    ]);
  }

  private async endChildren(): Promise<void> {
    const all = [...this.all];
    this.all.clear();
    await Promise.all(all.map((r) => r.close()));
  }

  private async process(job: Job): Promise<unknown> {
    this.active += 1;
    try {
      if (job.name === RENDER_JOB) return await this.render(job as Job<RenderRangeJob>);
      if (job.name === VALIDATE_JOB) return await this.validateFiles(job as Job<ValidateJob>);
      throw new ISFError(
        'BAD_ARGUMENT',
        `Unknown farm job "${job.name}" (this worker knows render-range, validate)`,
      );
    } catch (e) {
      await job.log(encodeJobError(e)).catch(() => {});
      throw e;
    } finally {
      this.active -= 1;
    }
  }

  /** A free child of this trust (one per concurrent job), lent for `body`. */
  private async withRenderer<T>(trust: Trust, body: (r: IsolatedRenderer) => Promise<T>): Promise<T> {
    const renderer =
      this.free[trust].pop() ??
      new IsolatedRenderer({
        device: this.device,
        timeoutMs: this.timeoutMs,
        ...(trust === 'trusted' ? { limits: 'none' as const } : {}),
        ...(this.options.maxMemoryBytes !== undefined ? { maxMemoryBytes: this.options.maxMemoryBytes } : {}),
      });
    this.all.add(renderer);
    try {
      return await body(renderer);
    } finally {
      if (this.all.has(renderer)) this.free[trust].push(renderer);
    }
  }

  /** The job's per-frame limit, never above the worker's ceiling. */
  private limitOf(requested: number | undefined): number {
    return requested !== undefined && requested > 0 ? Math.min(requested, this.timeoutMs) : this.timeoutMs;
  }

  private async render(job: Job<RenderRangeJob>): Promise<{ frames: number }> {
    const d = job.data;
    let reported = 0;
    const result = await this.withRenderer(d.untrusted ? 'untrusted' : 'trusted', (renderer) =>
      renderer.renderFiles(
        // Every worker renders the text the client loaded, even if the file changed since.
        {
          path: d.path,
          source: d.source,
          ...(d.vertexSource !== undefined ? { vertexSource: d.vertexSource } : {}),
        },
        {
          output: d.output,
          width: d.width,
          height: d.height,
          start: d.start,
          frames: d.frames,
          fps: d.fps,
          range: [d.first, d.end],
          set: d.set,
          ...(d.animate ? { animate: d.animate } : {}),
          ...(d.timeline !== undefined ? { timeline: d.timeline } : {}),
          images: d.images,
          ...(d.cubes ? { cubes: d.cubes } : {}),
          audio: d.audio,
          ...(d.clips ? { clips: d.clips } : {}),
          depth: d.depth,
          supersample: d.supersample,
          onFrame: (done) => {
            // At most a few progress messages a second per job: each is a Redis round trip and a stream entry.
            const now = performance.now();
            if (now - reported < 250) return;
            reported = now;
            job.updateProgress(done).catch(() => {});
          },
        },
        this.options.writeDelayMs
          ? withWriteDelay({ timeoutMs: this.limitOf(d.timeoutMs) }, this.options.writeDelayMs)
          : { timeoutMs: this.limitOf(d.timeoutMs) },
      ),
    );
    return { frames: result.frames };
  }

  private async validateFiles(job: Job<ValidateJob>): Promise<unknown[]> {
    const d = job.data;
    const reports: unknown[] = [];
    for (const file of d.files) {
      if (!d.compile) {
        reports.push({ file, ...(await checkShaderFile(file)) });
      } else {
        // As `isf validate --compile`: isolated with a draw under the untrusted limits, or (--no-isolate)
        // a compile only, still in a child so a driver crash is that file's report.
        const trust: Trust = d.isolate ? 'untrusted' : 'trusted';
        const report = await this.withRenderer(trust, (r) =>
          r.validate(file, {
            draw: d.isolate,
            timeoutMs: this.limitOf(d.isolate ? (d.timeoutMs ?? VALIDATE_TIMEOUT_MS) : undefined),
          }),
        );
        reports.push({ file, ...report });
      }
      await job.updateProgress(reports.length).catch(() => {});
    }
    return reports;
  }
}

/** 'auto': a child on the GPU when EGL finds one, else on the CPU; either way GL is known to work. */
async function openFirstChild(
  device: FarmDevice,
): Promise<{ device: 'cpu' | 'gpu' | number; renderer: IsolatedRenderer }> {
  const tryDevice = async (d: 'cpu' | 'gpu' | number) => {
    const renderer = new IsolatedRenderer({ device: d, limits: 'none' });
    try {
      await renderer.contextStats();
      return renderer;
    } catch (e) {
      await renderer.close();
      throw e;
    }
  };
  if (device !== 'auto') return { device, renderer: await tryDevice(device) };
  try {
    return { device: 'gpu', renderer: await tryDevice('gpu') };
  } catch (e) {
    if (!(e instanceof ISFError)) throw e;
    return { device: 'cpu', renderer: await tryDevice('cpu') };
  }
}

function describe(job: Job): string {
  if (job.name === RENDER_JOB) return rangeLabel(job.data as RenderRangeJob);
  if (job.name === VALIDATE_JOB) return `${(job.data as ValidateJob).files.length} file(s)`;
  return job.name;
}

function located(e: unknown): string {
  if (e instanceof ISFError) return e.located;
  return e instanceof Error ? e.message : String(e);
}
