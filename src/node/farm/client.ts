/**
 * The farm's client side: splits a render into frame-range jobs (or a validation into batches of files), puts
 * them on the BullMQ queue with retries and exponential backoff, follows their progress as one total, and
 * waits for every job to complete or fail for good.
 *
 * A render gives the same files as a single-machine renderToFiles: frame k is named and timed as in the whole
 * sequence, shaders with persistent buffers render in one sequential job, and a video is encoded here, in
 * frame order, from PNG frames the workers leave in a temporary folder on the shared storage: 8-bit, or 16-bit
 * with depth 16 (the RGBA16 values a local render pipes to ffmpeg, losslessly), so the video is the same file.
 */
import { randomBytes } from 'node:crypto';
import { createConnection } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import type { ISFDocument } from '../../core/document.ts';
import { ISFError } from '../../core/errors.ts';
import { parseInputValueText } from '../../core/values.ts';
import { audioTrackFor, type BatchOptions, checkSequence, frameFileName, isPattern } from '../batch.ts';
import { type AudioTrack, requireFfmpeg, VideoWriter } from '../ffmpeg.ts';
import { decodeImage, decodeImage16 } from '../images.ts';
import { loadISF } from '../load.ts';
import {
  DEFAULT_QUEUE,
  decodeJobError,
  needsSequentialRender,
  planRanges,
  RENDER_JOB,
  type RenderRangeJob,
  rangeLabel,
  redisConnection,
  VALIDATE_JOB,
  type ValidateJob,
} from './jobs.ts';
import { type FarmStorage, fileStorage } from './storage.ts';

export interface FarmClientOptions {
  /** redis://host:port of the farm's Redis. */
  redis: string;
  queue?: string;
  /** Attempts per job (default 3), the retries waiting backoffMs, then twice that, ... (default 1000). */
  attempts?: number;
  backoffMs?: number;
  /** How long to wait for Redis before giving up (default 5 s). */
  connectTimeoutMs?: number;
  storage?: FarmStorage;
  /** Stops waiting: jobs not started yet are taken off the queue; started ones finish on their workers. */
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  onNotice?: (message: string) => void;
}

export interface FarmRenderOptions
  extends FarmClientOptions,
    Omit<BatchOptions, 'range' | 'writeFile' | 'inFlight' | 'signal' | 'onFrame' | 'onNotice'> {
  /** The .fs file; workers read what the client loaded, images and audio from the shared storage. */
  shader: string;
  /** Frames per job (default 10). */
  chunk?: number;
  /** Render under UNTRUSTED_LIMITS on the workers (`--untrusted`/`--timeout`). */
  untrusted?: boolean;
  /** Per-frame time limit each worker enforces (capped by the worker's own `--timeout`). */
  timeoutMs?: number;
}

export interface FarmRenderResult {
  files: string[];
  frames: number;
  width: number;
  height: number;
  jobs: number;
  /** Times a job was taken up again because its worker stopped renewing its lock (killed, hung). */
  stalled: number;
  interrupted: boolean;
  totalMs: number;
}

/** A job that failed its last attempt (or, with `cancelled`, was taken off the queue before it ran). */
export interface FarmFailure {
  /** The BullMQ job id. */
  id: string;
  label: string;
  attempts: number;
  error: Error;
}

interface JobSpec<T> {
  id: string;
  name: string;
  data: T;
  /** Units of progress (frames or files) the job stands for. */
  size: number;
  label: string;
}

interface JobsOutcome {
  values: Map<string, unknown>;
  failures: FarmFailure[];
  stalled: number;
  interrupted: boolean;
}

/** Renders a shader on the farm; throws the first failed job's error (a shader error keeps its code and line). */
export async function farmRender(options: FarmRenderOptions): Promise<FarmRenderResult> {
  const t0 = performance.now();
  const { frames, fps, supersample, video, stream } = checkSequence(options);
  if (stream) {
    throw new ISFError(
      'BAD_ARGUMENT',
      '-o - streams the frames of a local render; the farm writes files: render it without --redis, or give a pattern or a video',
    );
  }
  const output = resolve(options.output);
  if ((options.motionBlur ?? 1) > 1) {
    throw new ISFError('BAD_ARGUMENT', '--motion-blur is not available on the farm yet; render it locally');
  }
  if (video) requireFfmpeg();
  const doc = await loadISF(options.shader);
  checkInputs(doc, options);
  // Checked before anything is queued: a missing sound fails now, not after the whole render.
  const track = video ? await audioTrackFor(options, frames, fps) : undefined;
  const storage = options.storage ?? fileStorage;
  const runId = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  // A video's frames go to a hidden folder beside it on the shared storage, then are encoded here in order.
  const framesDir = video ? join(dirname(output), `.isf-farm-${runId}`) : undefined;
  const target = framesDir ? join(framesDir, 'frame-%06d.png') : output;
  const pattern = video || isPattern(output);
  const sequential = needsSequentialRender(doc);
  if (sequential && pattern && frames > 1) {
    options.onNotice?.(
      `${doc.name} has persistent buffers (each frame depends on the last): rendering its ${frames} frames as one sequential job`,
    );
  }
  const base: Omit<RenderRangeJob, 'first' | 'end'> = {
    path: doc.path ?? resolve(options.shader),
    source: doc.fragmentSource,
    ...(doc.vertexSource !== undefined ? { vertexSource: doc.vertexSource } : {}),
    ...(doc.vertexPath !== undefined ? { vertexPath: doc.vertexPath } : {}),
    set: options.set ?? {},
    ...(options.animate && options.animate.length > 0 ? { animate: options.animate } : {}),
    ...(options.timeline !== undefined ? { timeline: options.timeline } : {}),
    images: absolutePaths(options.images),
    ...(options.cubes && Object.keys(options.cubes).length > 0
      ? {
          cubes: Object.fromEntries(
            Object.entries(options.cubes).map(([k, faces]) => [k, faces.map((f) => resolve(f))]),
          ),
        }
      : {}),
    audio: absolutePaths(options.audio),
    ...(options.clips
      ? { clips: Object.fromEntries(Object.entries(options.clips).map(([p, info]) => [resolve(p), info])) }
      : {}),
    width: options.width,
    height: options.height,
    fps,
    start: options.start ?? 0,
    frames,
    output: target,
    // A video's intermediate PNGs carry its depth: 16-bit frames are the RGBA16 a local render sends ffmpeg.
    depth: options.depth ?? 8,
    supersample,
    ...(options.untrusted ? { untrusted: true } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  };
  const specs = planRanges(frames, { chunk: options.chunk, sequential, pattern }).map(
    ([first, end]): JobSpec<RenderRangeJob> => ({
      id: `${runId}-${first}`,
      name: RENDER_JOB,
      data: { ...base, first, end },
      size: end - first,
      label: `${doc.name} ${rangeLabel({ first, end })}`,
    }),
  );
  try {
    const outcome = await runJobs(options, specs, true);
    throwFailures(outcome.failures, options.onNotice);
    const result: FarmRenderResult = {
      files: [],
      frames: 0,
      width: options.width,
      height: options.height,
      jobs: specs.length,
      stalled: outcome.stalled,
      interrupted: outcome.interrupted,
      totalMs: 0,
    };
    if (!outcome.interrupted) {
      const expected = pattern
        ? Array.from({ length: frames }, (_, k) => frameFileName(target, k))
        : [target];
      // Workers killed mid-write leave temporary files; the frames themselves were rewritten by the retry.
      await storage.sweep(expected);
      const missing: string[] = [];
      for (const file of expected) if (!(await storage.exists(file))) missing.push(file);
      if (missing.length > 0) {
        throw new ISFError(
          'IO_ERROR',
          `The farm reported every job done but ${missing.length} frame file(s) are missing, first ${missing[0]}: is the output folder shared by every worker at the same path?`,
          { file: missing[0] },
        );
      }
      if (video) {
        await encodeVideo(storage, expected, output, { ...options, fps, audio: track });
        result.files = [output];
      } else {
        result.files = expected;
      }
      result.frames = frames;
    }
    result.totalMs = performance.now() - t0;
    return result;
  } finally {
    if (framesDir) await storage.remove(framesDir);
  }
}

/** Validates shader files on the farm, `batch` files per job; a job that fails for good reports its files via `lost`. */
export async function farmValidate<R>(
  options: FarmClientOptions & {
    files: string[];
    compile?: boolean;
    /** With compile: isolated child process per worker, under timeoutMs per file (defaults true, 10 000). */
    isolate?: boolean;
    timeoutMs?: number;
    batch?: number;
    lost: (file: string, error: Error) => R;
  },
): Promise<{ reports: R[]; interrupted: boolean }> {
  const runId = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const batch = options.batch ?? 20;
  const files = options.files.map((f) => resolve(f));
  const specs: JobSpec<ValidateJob>[] = [];
  for (let i = 0; i < files.length; i += batch) {
    const slice = files.slice(i, i + batch);
    specs.push({
      id: `${runId}-${i}`,
      name: VALIDATE_JOB,
      data: {
        files: slice,
        compile: !!options.compile,
        isolate: options.isolate ?? true,
        timeoutMs: options.timeoutMs ?? 10_000,
      },
      size: slice.length,
      label: `validate ${slice.length} file(s) from ${slice[0]}`,
    });
  }
  // A failed validate job is the farm's trouble, not the shaders': the other batches still run.
  const outcome = await runJobs(options, specs, false);
  const failed = new Map(outcome.failures.map((f) => [f.id, f]));
  const reports: R[] = [];
  for (const spec of specs) {
    const value = outcome.values.get(spec.id);
    if (Array.isArray(value)) {
      reports.push(...(value as R[]));
      continue;
    }
    if (outcome.interrupted) continue;
    const failure = failed.get(spec.id);
    const error = failure?.error ?? new Error('the job did not finish');
    for (const file of spec.data.files) reports.push(options.lost(file, error));
  }
  return { reports, interrupted: outcome.interrupted };
}

function absolutePaths(record: Record<string, string> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(record ?? {}).map(([k, v]) => [k, resolve(v)]));
}

/** The checks applyInputs makes, made before queuing, so a typo fails at once rather than on every worker. */
function checkInputs(
  doc: ISFDocument,
  options: Pick<BatchOptions, 'set' | 'images' | 'cubes' | 'audio'>,
): void {
  const names = (kinds: string[]) =>
    doc.inputs
      .filter((i) => kinds.length === 0 || kinds.includes(i.type))
      .map((i) => `${i.name} (${i.type})`)
      .join(', ') || 'none';
  for (const [name, text] of Object.entries(options.set ?? {})) {
    const input = doc.inputs.find((i) => i.name === name);
    if (!input) {
      throw new ISFError('INPUT_UNKNOWN', `${doc.name} has no input named "${name}"; valid: ${names([])}`);
    }
    parseInputValueText(input, text);
  }
  const check = (record: Record<string, unknown> | undefined, kinds: string[], what: string) => {
    for (const name of Object.keys(record ?? {})) {
      if (!doc.inputs.some((i) => i.name === name && kinds.includes(i.type))) {
        throw new ISFError(
          'INPUT_UNKNOWN',
          `${doc.name} has no ${what} input named "${name}"; valid: ${names(kinds)}`,
        );
      }
    }
  };
  check(options.images, ['image'], 'image');
  check(options.audio, ['audio', 'audioFFT'], 'audio');
  check(options.cubes, ['cube'], 'cube');
}

function throwFailures(failures: FarmFailure[], onNotice?: (m: string) => void): void {
  if (failures.length === 0) return;
  for (const f of failures) {
    const where = f.error instanceof ISFError ? f.error.located : f.error.message;
    onNotice?.(`farm job ${f.label} failed after ${f.attempts} attempt(s): ${where}`);
  }
  throw failures[0]!.error;
}

async function encodeVideo(
  storage: FarmStorage,
  frames: string[],
  output: string,
  options: Pick<
    FarmRenderOptions,
    'width' | 'height' | 'codec' | 'crf' | 'pixFmt' | 'alpha' | 'depth' | 'onNotice'
  > & {
    fps: number;
    audio: AudioTrack | undefined;
  },
): Promise<void> {
  const deep = options.depth === 16;
  const writer = await VideoWriter.open(output, {
    width: options.width,
    height: options.height,
    fps: options.fps,
    codec: options.codec,
    crf: options.crf,
    pixFmt: options.pixFmt,
    audio: options.audio,
    alpha: options.alpha,
    depth: deep ? 16 : 8,
    onNotice: options.onNotice,
  });
  try {
    for (const file of frames) {
      // The values a single-machine render sends ffmpeg: RGBA8 of the shader's 8-bit output, or with depth 16
      // the RGBA16 (from float output) that the worker wrote losslessly into a 16-bit PNG.
      const bytes = await storage.read(file);
      await writer.write(
        deep
          ? (await decodeImage16(bytes, file)).data
          : ((await decodeImage(bytes, file)).data as Uint8Array),
      );
    }
    await writer.close();
  } catch (e) {
    await writer.abort();
    throw e;
  }
}

/** Adds the jobs, follows them to the end (completed, failed for good, or cancelled) and gathers the outcome. */
async function runJobs<T>(
  options: FarmClientOptions,
  specs: JobSpec<T>[],
  cancelOnFailure: boolean,
): Promise<JobsOutcome> {
  const attempts = options.attempts ?? 3;
  const backoffMs = options.backoffMs ?? 1000;
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new ISFError(
      'BAD_ARGUMENT',
      `Expected a positive integer number of attempts but received ${attempts}`,
    );
  }
  const connection = redisConnection(options.redis);
  const name = options.queue ?? DEFAULT_QUEUE;
  // A TCP check first: BullMQ cannot be closed cleanly while its first connection is still being retried.
  await reachable(connection, options.connectTimeoutMs ?? 5000).catch((e: Error) => {
    throw unreachable(options.redis, e);
  });
  const queue = new Queue(name, { connection });
  let lastError: Error | undefined;
  queue.on('error', (e) => {
    lastError = e;
  });
  let events: QueueEvents | undefined;
  try {
    await withTimeout(queue.waitUntilReady(), options.connectTimeoutMs ?? 5000, () =>
      unreachable(options.redis, lastError),
    );
    // Read the event stream from a minute back (stream ids are Redis-clock milliseconds), not from "now" at
    // its first read, so no event of our jobs slips past before it listens; older events name other jobs.
    events = new QueueEvents(name, { connection, lastEventId: `${Date.now() - 60_000}-0` });
    events.on('error', (e) => {
      lastError = e;
    });
    await withTimeout(events.waitUntilReady(), options.connectTimeoutMs ?? 5000, () =>
      unreachable(options.redis, lastError),
    );
    return await follow(queue, events, specs, options, { attempts, backoffMs, cancelOnFailure });
  } finally {
    await events?.close().catch(() => {});
    await queue.close().catch(() => {});
  }
}

async function follow<T>(
  queue: Queue,
  events: QueueEvents,
  specs: JobSpec<T>[],
  options: FarmClientOptions,
  settings: { attempts: number; backoffMs: number; cancelOnFailure: boolean },
): Promise<JobsOutcome> {
  const { attempts, backoffMs } = settings;
  const byId = new Map(specs.map((s) => [s.id, s]));
  const progress = new Map<string, number>();
  const total = specs.reduce((n, s) => n + s.size, 0);
  const outcome: JobsOutcome = { values: new Map(), failures: [], stalled: 0, interrupted: false };
  const unsettled = new Set(byId.keys());
  let wake: () => void = () => {};
  const report = () => {
    let done = 0;
    for (const n of progress.values()) done += n;
    options.onProgress?.(done, total);
  };
  const settle = (id: string) => {
    if (!unsettled.delete(id)) return false;
    wake();
    return true;
  };
  const complete = (id: string, value: unknown) => {
    if (!unsettled.has(id)) return;
    outcome.values.set(id, value);
    progress.set(id, byId.get(id)!.size);
    settle(id);
    report();
  };
  const fail = async (id: string, reason: string) => {
    if (!unsettled.has(id)) return;
    const spec = byId.get(id)!;
    let error: Error = new ISFError('WORKER_FAILED', `Farm job ${spec.label} failed: ${reason}`);
    let made = attempts;
    try {
      const { logs } = await queue.getJobLogs(id);
      for (const line of logs) error = decodeJobError(line) ?? error;
      made = (await queue.getJob(id))?.attemptsMade ?? attempts;
    } catch {
      // The reason alone still says what happened.
    }
    if (!unsettled.has(id)) return;
    outcome.failures.push({ id, label: spec.label, attempts: made, error });
    settle(id);
    // A render job that failed for good usually means a broken shader: stop handing out the rest.
    if (settings.cancelOnFailure) void cancelWaiting();
  };
  const cancelWaiting = async () => {
    for (const id of [...unsettled]) {
      const removed = await queue.remove(id).catch(() => 0);
      if (removed === 1) settle(id);
    }
  };
  events.on('progress', ({ jobId, data }) => {
    if (!byId.has(jobId) || typeof data !== 'number') return;
    progress.set(jobId, Math.max(progress.get(jobId) ?? 0, data));
    report();
  });
  events.on('completed', ({ jobId, returnvalue }) => {
    if (byId.has(jobId)) complete(jobId, parseReturn(returnvalue));
  });
  events.on('failed', ({ jobId, failedReason }) => {
    if (byId.has(jobId)) void fail(jobId, failedReason);
  });
  events.on('stalled', ({ jobId }) => {
    if (byId.has(jobId)) outcome.stalled += 1;
  });
  const onAbort = () => {
    outcome.interrupted = true;
    void cancelWaiting().finally(() => {
      // Started jobs finish on their workers (their files are the same either way); stop waiting for them.
      for (const id of [...unsettled]) settle(id);
    });
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await queue.addBulk(
      specs.map((s) => ({
        name: s.name,
        data: s.data,
        opts: {
          jobId: s.id,
          attempts,
          backoff: { type: 'exponential', delay: backoffMs },
          // Kept a while for inspection (bull-board, redis-cli), then Redis forgets them.
          removeOnComplete: { age: 3600 },
          removeOnFail: { age: 7 * 24 * 3600 },
        },
      })),
    );
    report();
    if (options.signal?.aborted) onAbort();
    while (unsettled.size > 0) {
      // Events settle jobs; a slow poll settles what no event will (a job removed behind our back).
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((r) => {
        wake = r;
        timer = setTimeout(r, 5000);
      });
      clearTimeout(timer);
      if (unsettled.size === 0 || outcome.interrupted) continue;
      await poll(queue, unsettled, complete, fail);
    }
    return outcome;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

async function poll(
  queue: Queue,
  unsettled: Set<string>,
  complete: (id: string, value: unknown) => void,
  fail: (id: string, reason: string) => Promise<void>,
): Promise<void> {
  for (const id of [...unsettled]) {
    const state = await queue.getJobState(id);
    if (state === 'completed') complete(id, (await queue.getJob(id))?.returnvalue);
    else if (state === 'failed') await fail(id, (await queue.getJob(id))?.failedReason ?? 'failed');
    else if (state === 'unknown') await fail(id, 'the job is no longer in the queue (removed?)');
  }
}

function parseReturn(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function reachable(connection: { host?: string; port?: number }, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: connection.host, port: connection.port ?? 6379 });
    socket.setTimeout(timeoutMs, () => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    });
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', (e) => {
      socket.destroy();
      reject(e);
    });
  });
}

function unreachable(url: string, cause: Error | undefined): ISFError {
  return new ISFError(
    'IO_ERROR',
    `Cannot reach Redis at ${url}${cause ? `: ${cause.message}` : ''}; is redis-server running there?`,
    { suggestion: 'start one with: redis-server --port 6379 (apt-get install redis-server)' },
  );
}

async function withTimeout<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(error()), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
