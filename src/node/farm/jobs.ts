/**
 * What travels through the render farm's queue: job names and data, how a render is split into frame-range
 * jobs, and how a Redis URL becomes BullMQ connection options.
 *
 * A job carries everything its result depends on (shader text, values, sizes, timing, output pattern), with
 * paths on the shared storage, so any worker renders the same bytes as any other and as a single machine.
 */
import type { RedisOptions } from 'bullmq';
import type { ISFDocument } from '../../core/document.ts';
import { type Diagnostic, ISFError, type ISFErrorCode } from '../../core/errors.ts';
import type { VideoInfo } from '../ffmpeg.ts';
import type { SampleDepth } from '../images.ts';

/** Default queue name; `--queue` picks another (one farm per name on one Redis). */
export const DEFAULT_QUEUE = 'isf';
/** Job names inside the queue: a worker dispatches on them. */
export const RENDER_JOB = 'render-range';
export const VALIDATE_JOB = 'validate';
/** Frames per render job unless told otherwise: small enough to spread, large enough to amortize a compile. */
export const DEFAULT_CHUNK = 10;

/** Renders frames [first, end) of a `frames`-frame sequence into `output` (an image pattern or one image file). */
export interface RenderRangeJob {
  /** Absolute path of the .fs on the shared storage (names it in messages; resolves IMPORTED images). */
  path: string;
  /** The fragment text the client loaded: every worker renders this exact document, even if the file changes. */
  source: string;
  vertexSource?: string;
  vertexPath?: string;
  /** Input values in their text forms (as --set). */
  set: Record<string, string>;
  /** Keyframed inputs (as --animate texts and --timeline JSON): evaluated per frame by the worker. */
  animate?: string[];
  timeline?: unknown;
  /** Image / audio inputs: name -> absolute path on the shared storage. */
  images: Record<string, string>;
  /** Cube inputs: name -> six absolute face paths (+X, -X, +Y, -Y, +Z, -Z) on the shared storage. */
  cubes?: Record<string, string[]>;
  audio: Record<string, string>;
  /** What the client's ffprobe said about clip inputs (absolute path -> info), so workers do not probe them. */
  clips?: Record<string, VideoInfo>;
  width: number;
  height: number;
  fps: number;
  /** TIME of frame 0. */
  start: number;
  /** Frames of the whole sequence (a transition's progress and frame k's timing depend on it). */
  frames: number;
  first: number;
  end: number;
  /** Absolute output: a pattern (%05d) receiving frames first..end-1, or one file receiving frame frames-1. */
  output: string;
  /** Bits per value of the frames written (images.ts SampleDepth): 16-bit PNG/TIFF, half or full-float EXR. */
  depth: SampleDepth;
  supersample: number;
  /** Render under UNTRUSTED_LIMITS (memory included), as `isf render --untrusted/--timeout`. */
  untrusted?: boolean;
  /** Per-frame time limit asked for (`--timeout`); the worker applies at most its own ceiling. */
  timeoutMs?: number;
}

/** Validates some shader files (absolute paths on the shared storage). */
export interface ValidateJob {
  files: string[];
  /** Also compile (and, isolated, draw one frame): as `isf validate --compile`. */
  compile: boolean;
  /** With compile: in a child process under a time limit per file (default), or on the worker's own context. */
  isolate: boolean;
  timeoutMs: number;
}

/** Frame ranges [first, end) for a render of `frames` frames. */
export function planRanges(
  frames: number,
  options: { chunk?: number; sequential: boolean; pattern: boolean },
): [number, number][] {
  // Only the last frame is written to a single image file; persistent state needs every earlier frame.
  if (!options.pattern) return [[options.sequential ? 0 : frames - 1, frames]];
  if (options.sequential) return [[0, frames]];
  const chunk = options.chunk ?? DEFAULT_CHUNK;
  if (!Number.isInteger(chunk) || chunk < 1) {
    throw new ISFError('BAD_ARGUMENT', `Expected a positive integer frames per job but received ${chunk}`);
  }
  const out: [number, number][] = [];
  for (let a = 0; a < frames; a += chunk) out.push([a, Math.min(frames, a + chunk)]);
  return out;
}

/**
 * True when frame k depends on earlier frames, so the sequence must render in order on one context:
 * persistent pass targets (v2 PERSISTENT, v1 PERSISTENT_BUFFERS), read back as last frame's pixels.
 * TIME, TIMEDELTA and FRAMEINDEX are host-supplied from k and never force this.
 */
export function needsSequentialRender(doc: ISFDocument): boolean {
  return doc.passes.some((p) => p.persistent) || (doc.extraPersistentBuffers?.length ?? 0) > 0;
}

/** BullMQ/ioredis connection options from redis://[user:password@]host[:port][/db] (rediss:// for TLS). */
export function redisConnection(url: string): RedisOptions {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw badRedisUrl(url);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw badRedisUrl(url);
  const db = u.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d+$/.test(db)) throw badRedisUrl(url);
  const options: RedisOptions = {
    host: u.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    // Workers block on Redis; BullMQ requires ioredis not to give up on commands while reconnecting.
    maxRetriesPerRequest: null,
  };
  if (u.username) options.username = decodeURIComponent(u.username);
  if (u.password) options.password = decodeURIComponent(u.password);
  if (db !== '') options.db = Number(db);
  if (u.protocol === 'rediss:') options.tls = {};
  return options;
}

function badRedisUrl(url: string): ISFError {
  return new ISFError(
    'BAD_ARGUMENT',
    `Expected --redis as redis://host:port (or rediss://, optionally user:password@ and /db) but received "${url}"`,
  );
}

/** A short label for messages: "frames 10-19". */
export function rangeLabel(job: Pick<RenderRangeJob, 'first' | 'end'>): string {
  return job.end - job.first === 1 ? `frame ${job.first}` : `frames ${job.first}-${job.end - 1}`;
}

/** Prefix of the job-log line where a worker leaves the structured error of a failed attempt. */
export const ERROR_LOG_PREFIX = 'isf-error ';

/** An error as a job-log line: ISFErrors keep their code, location and diagnostics across machines. */
export function encodeJobError(e: unknown): string {
  if (e instanceof ISFError) {
    const { details: _details, ...rest } = e.toJSON();
    return ERROR_LOG_PREFIX + JSON.stringify(rest);
  }
  return ERROR_LOG_PREFIX + JSON.stringify({ message: e instanceof Error ? e.message : String(e) });
}

/** The error encodeJobError wrote, or undefined when `line` is not one. */
export function decodeJobError(line: string): Error | undefined {
  if (!line.startsWith(ERROR_LOG_PREFIX)) return undefined;
  let w: Record<string, unknown>;
  try {
    w = JSON.parse(line.slice(ERROR_LOG_PREFIX.length)) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const message = typeof w.message === 'string' ? w.message : 'unknown error';
  if (typeof w.code !== 'string') return new Error(message);
  return new ISFError(w.code as ISFErrorCode, message, {
    file: w.file as string | undefined,
    line: w.line as number | undefined,
    column: w.column as number | undefined,
    suggestion: w.suggestion as string | undefined,
    diagnostics: Array.isArray(w.diagnostics) ? (w.diagnostics as Diagnostic[]) : [],
  });
}
