/**
 * A render-farm worker: takes render-range and validate jobs from a BullMQ queue and runs each on a GLContext
 * of its own (one per concurrent job), writing frames through the farm storage.
 *
 * Jobs are idempotent: a frame file depends only on the job's data, and writes are atomic, so a job run twice
 * (its first worker was killed, its lock expired) leaves the same files. A failed attempt leaves its
 * structured error in the job's log, so the client can report the shader error, not just a message.
 */
import { type Job, Worker } from 'bullmq';
import { ISFError } from '../../core/errors.ts';
import { parseISF } from '../../core/parse/index.ts';
import type { GLContext } from '../../render/context.ts';
import { renderToFiles } from '../batch.ts';
import { createContext } from '../context.ts';
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
import { type FarmStorage, fileStorage } from './storage.ts';

export type FarmDevice = 'auto' | 'cpu' | 'gpu' | number;

export interface FarmWorkerOptions {
  /** redis://host:port of the farm's Redis. */
  redis: string;
  queue?: string;
  /** Jobs at once, each on its own context (default 1). GL calls block, so more mostly overlaps encoding. */
  concurrency?: number;
  /** 'auto' (default): the GPU when EGL finds one, else Mesa's CPU renderer. */
  device?: FarmDevice;
  storage?: FarmStorage;
  /** Validates one shader file of a validate job (the CLI's validator; it may use `context`); needed for them. */
  validate?: (file: string, job: ValidateJob, context: GLContext) => Promise<unknown>;
  /**
   * How long a job's lock lasts without renewal (default 30 s). It renews between frames, so it must exceed
   * the slowest single frame; a killed worker's job is taken up again after about this long.
   */
  lockDurationMs?: number;
  /** How often stalled jobs (lock expired) are looked for (default 30 s). */
  stalledIntervalMs?: number;
  /** Stalls a job survives before it fails (default 1). */
  maxStalledCount?: number;
  /** Slows every frame write by this long. Tests only: lets a test kill a worker in the middle of a job. */
  writeDelayMs?: number;
  onLog?: (message: string) => void;
}

/** A running worker; close() lets active jobs finish, then releases its contexts and connections. */
export class FarmWorker {
  private readonly free: GLContext[] = [];
  private readonly all: GLContext[] = [];
  private closing: Promise<void> | undefined;
  private worker!: Worker;

  private constructor(
    private readonly options: FarmWorkerOptions,
    /** The device the contexts use ('cpu', 'gpu' or an EGL device index), after 'auto' was resolved. */
    readonly device: 'cpu' | 'gpu' | number,
    first: GLContext,
  ) {
    this.free.push(first);
    this.all.push(first);
  }

  /** Creates the first context (failing fast when GL is unusable), then starts taking jobs. */
  static async start(options: FarmWorkerOptions): Promise<FarmWorker> {
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new ISFError(
        'BAD_ARGUMENT',
        `Expected --concurrency as a positive integer but received ${concurrency}`,
      );
    }
    const connection = redisConnection(options.redis);
    const { device, context } = openFirstContext(options.device ?? 'auto');
    const self = new FarmWorker(options, device, context);
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

  /** Stops taking jobs, waits for the active ones to finish, then releases everything. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.worker.close();
      for (const context of this.all) context.destroy();
      this.all.length = 0;
      this.free.length = 0;
    })();
    return this.closing;
  }

  /** Closes without waiting for active jobs: their locks expire and other workers take them up. */
  async kill(): Promise<void> {
    await this.worker.close(true);
    for (const context of this.all) context.destroy();
  }

  private async process(job: Job): Promise<unknown> {
    const context = this.free.pop() ?? this.newContext();
    try {
      if (job.name === RENDER_JOB) return await this.render(job as Job<RenderRangeJob>, context);
      if (job.name === VALIDATE_JOB) return await this.validateFiles(job as Job<ValidateJob>, context);
      throw new ISFError(
        'BAD_ARGUMENT',
        `Unknown farm job "${job.name}" (this worker knows render-range, validate)`,
      );
    } catch (e) {
      await job.log(encodeJobError(e)).catch(() => {});
      throw e;
    } finally {
      // A lost context is not worth keeping: the next job gets a fresh one.
      if (context.state !== 'ready') this.dropContext(context);
      else this.free.push(context);
    }
  }

  private newContext(): GLContext {
    const context = createContext({ device: this.device }).initialize();
    this.all.push(context);
    return context;
  }

  private dropContext(context: GLContext): void {
    this.all.splice(this.all.indexOf(context), 1);
    context.destroy();
  }

  private async render(job: Job<RenderRangeJob>, context: GLContext): Promise<{ frames: number }> {
    const d = job.data;
    const doc = parseISF(d.source, {
      path: d.path,
      ...(d.vertexSource !== undefined ? { vertexSource: d.vertexSource } : {}),
      ...(d.vertexPath !== undefined ? { vertexPath: d.vertexPath } : {}),
    });
    const storage = this.options.storage ?? fileStorage;
    const delay = this.options.writeDelayMs ?? 0;
    let reported = 0;
    const result = await renderToFiles(context, doc, {
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
      audio: d.audio,
      depth: d.depth,
      supersample: d.supersample,
      writeFile: async (path, bytes) => {
        if (delay > 0) await new Promise((r) => setTimeout(r, delay));
        await storage.write(path, bytes);
      },
      onFrame: (done) => {
        // At most a few progress messages a second per job: each is a Redis round trip and a stream entry.
        const now = performance.now();
        if (now - reported < 250) return;
        reported = now;
        job.updateProgress(done).catch(() => {});
      },
    });
    return { frames: result.frames };
  }

  private async validateFiles(job: Job<ValidateJob>, context: GLContext): Promise<unknown[]> {
    const validate = this.options.validate;
    if (!validate) throw new ISFError('BAD_ARGUMENT', 'This worker was started without a validator');
    const reports: unknown[] = [];
    for (const file of job.data.files) {
      reports.push(await validate(file, job.data, context));
      await job.updateProgress(reports.length).catch(() => {});
    }
    return reports;
  }
}

function openFirstContext(device: FarmDevice): { device: 'cpu' | 'gpu' | number; context: GLContext } {
  if (device !== 'auto') return { device, context: createContext({ device }).initialize() };
  try {
    return { device: 'gpu', context: createContext({ device: 'gpu' }).initialize() };
  } catch (e) {
    if (!(e instanceof ISFError)) throw e;
    return { device: 'cpu', context: createContext({ device: 'cpu' }).initialize() };
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
