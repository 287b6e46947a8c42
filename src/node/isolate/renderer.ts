/**
 * IsolatedRenderer: compiles and renders shaders you did not write in a child process that can be killed.
 *
 *   const renderer = new IsolatedRenderer();            // UNTRUSTED_LIMITS, 30 s per frame
 *   const frame = await renderer.render({ path: 'download.fs', width: 640, height: 360 }, { timeoutMs: 2000 });
 *   await renderer.close();
 *
 * A GL call cannot be interrupted, and a worker thread blocked in one cannot be terminated
 * (../shared/docs/perf-notes.md), so the only reliable stop is SIGKILL of a process. The child is long-lived
 * (its context and program cache stay warm between jobs); at a job's time limit it is killed, the job rejects
 * with RenderTimeout (RENDER_TIMEOUT) naming the shader and the limit, and a fresh child is started at once
 * for the next job. Past the memory limit (resident size of the child, limits.maxMemoryBytes) the same
 * happens with LIMIT_EXCEEDED. A child that a native fault kills (the driver crashed) fails its job with
 * GL_DRIVER_CRASH, any other death with WORKER_FAILED, and is replaced the same way. Jobs run one at a time,
 * in call order; the time limit counts from the moment a job reaches a ready child and restarts after every
 * finished frame, so it is a limit per frame (the first frame includes loading and compiling), never time
 * spent waiting in the queue or for a child to start. The child is run by the one Supervisor (supervisor.ts).
 *
 * `limits: 'none'` keeps only the isolation (a driver crash or Ctrl-C costs the child, not the caller) for
 * shaders you trust: no untrusted limits, no memory limit; `isf render` and `isf validate --compile` use it.
 *
 * Limits (UNTRUSTED_LIMITS unless overridden) are checked here first where that needs no parsing (render
 * size, input images, document size), and in the child before any GL work (pass sizes, frame bytes, passes,
 * JSON depth, IMPORTED paths and image sizes).
 */
import { dirname } from 'node:path';
import { ISFError } from '../../core/errors.ts';
import type { ContextStats } from '../../render/context.ts';
import { Frame } from '../../render/frame.ts';
import type { BatchOptions } from '../batch.ts';
import { entryFile } from '../entry-files.ts';
import { type ChildFault, faultOf, writeDelayOf } from '../faults.ts';
import { removeTemporaryFilesOf } from '../files.ts';
import { STREAM_OUTPUT } from '../frame-stream.ts';
import { checkJob, type RenderJob, type RenderJobFrame, type WireFrame } from '../render-job.ts';
import { type JobSpec, PASSED_STDOUT_FD, Supervisor } from '../supervisor.ts';
import type { IsolatedOperation } from './errors.ts';
import {
  checkFileSize,
  checkJobSizes,
  checkSourceSize,
  resolveLimits,
  type UntrustedLimits,
} from './limits.ts';
import type {
  ChildInit,
  ChildRequest,
  ChildResult,
  CompileResult,
  FilesResult,
  ShaderRef,
  ShaderReport,
} from './protocol.ts';

export interface IsolatedRendererOptions {
  /**
   * Overrides of UNTRUSTED_LIMITS (maxMemoryBytes among them: 2 GiB). 'none': only the isolation, for shaders
   * you trust (no document, pass, image or memory limits beyond the context's own).
   */
  limits?: Partial<UntrustedLimits> | 'none';
  /** Default time limit per frame (and per compile), in ms. Default 30 000; Infinity for none. */
  timeoutMs?: number;
  /** How long a child may take to start and create its context (default 30 000 ms). */
  startTimeoutMs?: number;
  /** GL device of the child: 'cpu' (Mesa llvmpipe, default), 'gpu' or an EGL device index. */
  device?: 'cpu' | 'gpu' | number;
  /** Let IMPORTED paths leave the document's folder (default false: refused with ISF_IMPORTED_PATH). */
  allowImportOutsideFolder?: boolean;
  /**
   * Resident memory limit of the child while it compiles or renders, in bytes (default: limits.maxMemoryBytes,
   * 2 GiB; none with `limits: 'none'` unless given here). Past it: LIMIT_EXCEEDED, the child killed.
   */
  maxMemoryBytes?: number;
  /** With `limits: 'none'`: the trusted tree IMPORTED paths may climb into (ParseOptions.importRoot). */
  importRoot?: string;
  /**
   * Give the child this process's stdout, so that renderFiles() with output '-' (a stream of frames, BatchOptions
   * `format`) is written there by the child itself: frames never cross the IPC channel, and nothing else the
   * child prints reaches stdout. This process must not write to stdout meanwhile. Default false.
   */
  shareStdout?: boolean;
  /**
   * Keep a second child started, so that the job after a timeout or a crash does not wait for a start-up
   * (about 0.3-0.6 s). Costs one more idle process and GL context. Default false.
   */
  spare?: boolean;
}

export interface IsolatedCallOptions {
  /** Time limit for this call, per frame, in ms (default: the renderer's). */
  timeoutMs?: number;
}

export interface IsolatedRendererStats {
  /** Pid of the current child, if one is running or starting. */
  pid: number | undefined;
  /** Start-up time of the current (else the last) child: fork to context ready, in ms. */
  startupMs: number | undefined;
  /** Children started (the first included). */
  started: number;
  completed: number;
  failed: number;
  timeouts: number;
  crashes: number;
  /** Children stopped at the memory limit. */
  memoryKills: number;
  queued: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const NOT_THE_FILES_FAULT = new Set(['RESOURCE_DESTROYED', 'BAD_ARGUMENT', 'GL_UNAVAILABLE']);
/** How long an aborted renderFiles() may take to finish its frame before its child is killed. */
const ABORT_GRACE_MS = 500;

type Request = DistributiveOmit<Exclude<ChildRequest, { type: 'abort' }>, 'id'>;

export class IsolatedRenderer {
  /** The limits applied, or undefined with `limits: 'none'`. */
  readonly limits: UntrustedLimits | undefined;
  private readonly timeoutMs: number;
  private readonly supervisor: Supervisor;

  constructor(options: IsolatedRendererOptions = {}) {
    this.limits = options.limits === 'none' ? undefined : resolveLimits(options.limits);
    this.timeoutMs = checkTimeout('timeoutMs', options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    const startTimeoutMs = checkTimeout('startTimeoutMs', options.startTimeoutMs ?? 30_000);
    const memory = options.maxMemoryBytes ?? this.limits?.maxMemoryBytes;
    const init: ChildInit = {
      ...(this.limits ? { limits: this.limits } : {}),
      parentPid: process.pid,
      ...(options.device !== undefined ? { device: options.device } : {}),
      ...(options.allowImportOutsideFolder ? { allowImportOutsideFolder: true } : {}),
      ...(options.importRoot !== undefined && !this.limits ? { importRoot: options.importRoot } : {}),
      ...(options.shareStdout ? { stdoutFd: PASSED_STDOUT_FD } : {}),
    };
    this.supervisor = new Supervisor({
      name: 'the isolated worker',
      slot: { kind: 'process', entry: CHILD_ENTRY, init, passStdout: options.shareStdout === true },
      slots: 1,
      timeoutMs: this.timeoutMs,
      startTimeoutMs,
      ...(memory !== undefined ? { memoryLimitBytes: memory } : {}),
      ...(options.spare ? { spare: true } : {}),
    });
  }

  /** Starts the child now instead of on the first job (its start-up then overlaps the caller's own work). */
  warmUp(): void {
    this.assertOpen('warmUp');
    this.supervisor.warmUp();
  }

  /** Parses and compiles a document (by path, or `{ source }`), loading its IMPORTED images. */
  async compile(doc: string | ShaderRef, options: IsolatedCallOptions = {}): Promise<CompileResult> {
    const ref: ShaderRef = typeof doc === 'string' ? { path: doc } : doc;
    await this.precheck(ref);
    const r = await this.submit({ type: 'compile', doc: ref }, 'Compiling', labelOf(ref), options);
    return (r as Extract<ChildResult, { type: 'compile' }>).value;
  }

  /** Renders one frame, or every frame of `job.frames` in order (a fresh frame stream per job). */
  render(job: RenderJob & { frames: RenderJobFrame[] }, options?: IsolatedCallOptions): Promise<Frame[]>;
  render(job: RenderJob, options?: IsolatedCallOptions): Promise<Frame>;
  async render(job: RenderJob, options: IsolatedCallOptions = {}): Promise<Frame | Frame[]> {
    checkJob(job);
    if (this.limits) checkJobSizes(job, this.limits);
    await this.precheck(job);
    const r = await this.submit({ type: 'render', job }, 'Rendering', labelOf(job), options);
    const frames = (r as Extract<ChildResult, { type: 'render' }>).value.map(toFrame);
    return job.frames !== undefined ? frames : frames[0]!;
  }

  /**
   * Validates one file as `isf validate --compile` does: parse, compile, and (unless `draw: false`) draw one
   * 8x8 frame (`info: true` adds the document's metadata to the report). Never rejects for a bad shader: a timeout, a memory limit or a crash is reported as the file's
   * error.
   */
  async validate(
    file: string,
    options: IsolatedCallOptions & { draw?: boolean; info?: boolean } = {},
  ): Promise<ShaderReport> {
    try {
      const r = await this.submit(
        { type: 'validate', file, draw: options.draw ?? true, ...(options.info ? { info: true } : {}) },
        'Validating',
        file,
        options,
      );
      return (r as Extract<ChildResult, { type: 'validate' }>).value;
    } catch (e) {
      // A child that cannot start (no GL...) is the machine's problem, not this file's.
      if (!(e instanceof ISFError) || NOT_THE_FILES_FAULT.has(e.code) || e.details.startup === true) throw e;
      const kind = typeof e.details.kind === 'string' ? e.details.kind : null;
      return { ok: false, kind, errors: [{ ...e.toDiagnostic(), file }], warnings: [] };
    }
  }

  /**
   * renderToFiles in the child: frames rendered, encoded and written by the child (nothing crosses the pipe
   * but progress), the time limit applying to each frame. Aborting `signal` stops after the current frame; a
   * frame that does not finish within half a second (stuck in the driver) has its child killed, its temporary
   * files removed, and the result reports the files written before.
   */
  async renderFiles(
    shader: string | ShaderRef,
    options: Omit<BatchOptions, 'scene'>,
    call: IsolatedCallOptions = {},
  ): Promise<FilesResult> {
    const { signal, onFrame, onNotice, writeFile: _writeFile, outputFd: _outputFd, ...rest } = options;
    const ref: ShaderRef = typeof shader === 'string' ? { path: shader } : shader;
    await this.precheck(ref);
    const writeDelayMs = writeDelayOf(call);
    const t0 = performance.now();
    const written: string[] = [];
    let done = 0;
    let pid: number | undefined;
    try {
      const request = {
        type: 'files' as const,
        doc: ref,
        options: rest,
        ...(writeDelayMs ? { writeDelayMs } : {}),
      };
      const r = await this.submit(request, 'Rendering', labelOf(ref), call, {
        onProgress: (m) => {
          pid ??= this.stats().pid;
          if (typeof m.done === 'number') {
            done = m.done;
            if (typeof m.file === 'string') written.push(m.file);
            onFrame?.(m.done, typeof m.total === 'number' ? m.total : m.done, m.file as string | undefined);
          }
          if (typeof m.notice === 'string') onNotice?.(m.notice);
        },
        ...(signal ? { signal } : {}),
        abortMessage: (id) => ({ type: 'abort', id }) satisfies ChildRequest,
        abortGraceMs: ABORT_GRACE_MS,
      });
      return (r as Extract<ChildResult, { type: 'files' }>).value;
    } catch (e) {
      if (!(e instanceof ISFError && e.details.interrupted === true)) throw e;
      // Killed mid-frame after an abort: what it wrote is complete (atomic writes); its half files are removed.
      if (pid !== undefined && options.output !== STREAM_OUTPUT) {
        await removeTemporaryFilesOf(pid, dirname(options.output));
      }
      const ms = performance.now() - t0;
      return {
        files: [...new Set(written)],
        frames: done,
        width: options.width,
        height: options.height,
        interrupted: true,
        totalMs: ms,
        renderMs: ms,
      };
    }
  }

  /** The child's GL context statistics (textures, framebuffers, bytes...): what its jobs left allocated. */
  async contextStats(): Promise<ContextStats> {
    const r = await this.submit({ type: 'stats' }, 'Rendering', 'stats', {});
    return (r as Extract<ChildResult, { type: 'stats' }>).value;
  }

  stats(): IsolatedRendererStats {
    const s = this.supervisor.stats();
    return {
      pid: s.pids[0],
      startupMs: s.startupMs,
      started: s.started,
      completed: s.completed,
      failed: s.failed,
      timeouts: s.timeouts,
      crashes: s.crashes,
      memoryKills: s.memoryKills,
      queued: s.queued,
    };
  }

  /** Rejects what is still queued or running (RESOURCE_DESTROYED) and ends the child. Idempotent. */
  close(): Promise<void> {
    return this.supervisor.close(
      () => new ISFError('RESOURCE_DESTROYED', 'IsolatedRenderer closed before the job finished'),
    );
  }

  // --- jobs -------------------------------------------------------------------------------------------------

  /** Parent-side checks that need no parsing: a 50 MB document is refused without reading or sending it. */
  private async precheck(ref: ShaderRef): Promise<void> {
    this.assertOpen('render');
    if (ref.source !== undefined) {
      if (typeof ref.source !== 'string') {
        throw new ISFError(
          'BAD_ARGUMENT',
          `Expected source to be a string but received ${typeof ref.source}`,
        );
      }
      if (this.limits) checkSourceSize(ref.source, this.limits, ref.path);
    } else if (typeof ref.path === 'string') {
      if (this.limits) await checkFileSize(ref.path, this.limits);
    } else {
      throw new ISFError('BAD_ARGUMENT', 'A shader needs `path` (an ISF file) or `source` (its text)');
    }
  }

  private async submit(
    request: Request,
    operation: IsolatedOperation,
    label: string,
    options: IsolatedCallOptions,
    extra: Pick<JobSpec, 'onProgress' | 'signal' | 'abortMessage' | 'abortGraceMs'> = {},
  ): Promise<ChildResult> {
    this.assertOpen(operation.toLowerCase());
    const timeoutMs = checkTimeout('timeoutMs', options.timeoutMs ?? this.timeoutMs);
    const fault = faultOf<ChildFault>(options);
    const done = await this.supervisor.submit({
      message: (id) => ({ ...request, id, ...(fault ? { fault } : {}) }) as ChildRequest,
      label,
      operation,
      timeoutMs,
      ...extra,
    });
    return (done as unknown as { result: ChildResult }).result;
  }

  private assertOpen(operation: string): void {
    if (this.supervisor.closed) {
      throw new ISFError('RESOURCE_DESTROYED', `IsolatedRenderer: cannot ${operation} after close()`);
    }
  }
}

/** One job on a fresh IsolatedRenderer (pays a child's start-up; keep a renderer for more than one job). */
export async function renderIsolated(
  job: RenderJob,
  options: IsolatedRendererOptions & IsolatedCallOptions = {},
): Promise<Frame> {
  const renderer = new IsolatedRenderer(options);
  try {
    return await renderer.render(job, options);
  } finally {
    await renderer.close();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

const CHILD_ENTRY = entryFile(import.meta.url, './child');

function labelOf(ref: ShaderRef): string {
  return ref.path ?? 'an untitled shader (source text)';
}

function toFrame(w: WireFrame): Frame {
  return new Frame(w.width, w.height, w.pixels, w.floatPixels, w.meta);
}

function checkTimeout(name: string, ms: number): number {
  if (typeof ms !== 'number' || Number.isNaN(ms) || ms <= 0) {
    throw new ISFError(
      'BAD_ARGUMENT',
      `Expected a positive number of milliseconds for ${name} but received ${ms}`,
    );
  }
  return ms;
}
