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
 * for the next job. A child that dies by itself (a driver crash) fails its job with WORKER_FAILED and is
 * replaced the same way. Jobs run one at a time, in call order; the time limit counts from the moment a job
 * reaches a ready child and restarts after every finished frame, so it is a limit per frame (the first frame
 * includes loading and compiling), never time spent waiting in the queue or for a child to start.
 *
 * Limits (UNTRUSTED_LIMITS unless overridden) are checked here first where that needs no parsing (render
 * size, input images, document size), and in the child before any GL work (pass sizes, frame bytes, passes,
 * JSON depth, IMPORTED paths and image sizes).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { ISFError } from '../../core/errors.ts';
import type { ContextStats } from '../../render/context.ts';
import { Frame } from '../../render/frame.ts';
import type { BatchOptions } from '../batch.ts';
import { entryFile } from '../entry-files.ts';
import {
  checkJob,
  deserializeError,
  type RenderJob,
  type RenderJobFrame,
  type WireFrame,
} from '../render-job.ts';
import { type IsolatedOperation, RenderTimeout } from './errors.ts';
import {
  checkFileSize,
  checkJobSizes,
  checkSourceSize,
  resolveLimits,
  type UntrustedLimits,
} from './limits.ts';
import type {
  ChildFault,
  ChildInit,
  ChildMessage,
  ChildRequest,
  ChildResult,
  CompileResult,
  FilesResult,
  ShaderRef,
  ShaderReport,
} from './protocol.ts';

export interface IsolatedRendererOptions {
  /** Overrides of UNTRUSTED_LIMITS. */
  limits?: Partial<UntrustedLimits>;
  /** Default time limit per frame (and per compile), in ms. Default 30 000; Infinity for none. */
  timeoutMs?: number;
  /** How long a child may take to start and create its context (default 30 000 ms). */
  startTimeoutMs?: number;
  /** GL device of the child: 'cpu' (Mesa llvmpipe, default), 'gpu' or an EGL device index. */
  device?: 'cpu' | 'gpu' | number;
  /** Let IMPORTED paths leave the document's folder (default false: refused with ISF_IMPORTED_PATH). */
  allowImportOutsideFolder?: boolean;
  /**
   * Keep a second child started, so that the job after a timeout or a crash does not wait for a start-up
   * (about 0.3-0.6 s). Costs one more idle process and GL context. Default false.
   */
  spare?: boolean;
}

export interface IsolatedCallOptions {
  /** Time limit for this call, per frame, in ms (default: the renderer's). */
  timeoutMs?: number;
  /** @internal Tests only: make the child crash, hang or lose its context at the start of this job. */
  __fault?: ChildFault;
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
  queued: number;
}

type Progress = Extract<ChildMessage, { type: 'progress' }>;

interface Task {
  id: number;
  request: ChildRequest;
  operation: IsolatedOperation;
  label: string;
  kind: string | undefined;
  timeoutMs: number;
  frames: number;
  callerStack: string;
  abortRequested: boolean;
  resolve: (r: ChildResult) => void;
  reject: (e: Error) => void;
  onProgress: ((m: Progress) => void) | undefined;
  timer: NodeJS.Timeout | undefined;
}

interface Child {
  proc: ChildProcess;
  pid: number | undefined;
  forkedAt: number;
  ready: boolean;
  startupMs: number | undefined;
  initError: Error | undefined;
  /** We are killing it (timeout, close): its exit is no surprise. */
  stopping: boolean;
  exited: Promise<void>;
  startTimer: NodeJS.Timeout | undefined;
}

const ENTRY = entryFile(import.meta.url, './child');
const DEFAULT_TIMEOUT_MS = 30_000;
const KILL_WAIT_MS = 5_000;
const MAX_TIMER_MS = 2 ** 31 - 1;
const NOT_THE_FILES_FAULT = new Set(['RESOURCE_DESTROYED', 'BAD_ARGUMENT', 'GL_UNAVAILABLE']);

let nextTaskId = 1;

export class IsolatedRenderer {
  readonly limits: UntrustedLimits;
  private readonly timeoutMs: number;
  private readonly startTimeoutMs: number;
  private child: Child | undefined;
  private spareChild: Child | undefined;
  private current: Task | undefined;
  private readonly queue: Task[] = [];
  private closing: Promise<void> | undefined;
  private lastStartupMs: number | undefined;
  private readonly counters = { started: 0, completed: 0, failed: 0, timeouts: 0, crashes: 0 };

  constructor(private readonly options: IsolatedRendererOptions = {}) {
    this.limits = resolveLimits(options.limits);
    this.timeoutMs = checkTimeout('timeoutMs', options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    this.startTimeoutMs = checkTimeout('startTimeoutMs', options.startTimeoutMs ?? 30_000);
  }

  /** Starts the child now instead of on the first job (its start-up then overlaps the caller's own work). */
  warmUp(): void {
    this.assertOpen('warmUp');
    if (!this.child) this.startChild();
    this.updateRefs();
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
    checkJobSizes(job, this.limits);
    await this.precheck(job);
    const r = await this.submit({ type: 'render', job }, 'Rendering', labelOf(job), options);
    const frames = (r as Extract<ChildResult, { type: 'render' }>).value.map(toFrame);
    return job.frames !== undefined ? frames : frames[0]!;
  }

  /**
   * Validates one file as `isf validate --compile` does: parse, compile, and (unless `draw: false`) draw one
   * 8x8 frame. Never rejects for a bad shader: a timeout or a crash is reported as the file's error.
   */
  async validate(
    file: string,
    options: IsolatedCallOptions & { draw?: boolean } = {},
  ): Promise<ShaderReport> {
    try {
      const r = await this.submit(
        { type: 'validate', file, draw: options.draw ?? true },
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

  /** renderToFiles in the child: frames written by the child, the time limit applying to each frame. */
  async renderFiles(
    shader: string,
    options: Omit<BatchOptions, 'scene'>,
    call: IsolatedCallOptions = {},
  ): Promise<FilesResult> {
    const { signal, onFrame, onNotice, ...rest } = options;
    await this.precheck({ path: shader });
    let task: Task | undefined;
    const onAbort = (): void => {
      if (task) this.abort(task);
    };
    signal?.addEventListener('abort', onAbort);
    try {
      const r = await this.submit(
        { type: 'files', shader, options: rest },
        'Rendering',
        shader,
        call,
        (m) => {
          if (m.done !== undefined) onFrame?.(m.done, m.total ?? m.done, undefined);
          if (m.notice !== undefined) onNotice?.(m.notice);
        },
        (t) => {
          task = t;
          if (signal?.aborted) t.abortRequested = true;
        },
      );
      return (r as Extract<ChildResult, { type: 'files' }>).value;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** The child's GL context statistics (textures, framebuffers, bytes...): what its jobs left allocated. */
  async contextStats(): Promise<ContextStats> {
    const r = await this.submit({ type: 'stats' }, 'Rendering', 'stats', {});
    return (r as Extract<ChildResult, { type: 'stats' }>).value;
  }

  stats(): IsolatedRendererStats {
    return {
      pid: this.child?.pid,
      startupMs: this.child?.startupMs ?? this.lastStartupMs,
      ...this.counters,
      queued: this.queue.length,
    };
  }

  /** Rejects what is still queued or running (RESOURCE_DESTROYED) and ends the child. Idempotent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
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
      checkSourceSize(ref.source, this.limits, ref.path);
    } else if (typeof ref.path === 'string') {
      await checkFileSize(ref.path, this.limits);
    } else {
      throw new ISFError('BAD_ARGUMENT', 'A shader needs `path` (an ISF file) or `source` (its text)');
    }
  }

  private submit(
    request: DistributiveOmit<Exclude<ChildRequest, { type: 'abort' }>, 'id'>,
    operation: IsolatedOperation,
    label: string,
    options: IsolatedCallOptions,
    onProgress?: (m: Progress) => void,
    onQueued?: (task: Task) => void,
  ): Promise<ChildResult> {
    const callerStack = new Error().stack?.split('\n').slice(3).join('\n') ?? '';
    return new Promise<ChildResult>((resolve, reject) => {
      this.assertOpen(operation.toLowerCase());
      const timeoutMs = checkTimeout('timeoutMs', options.timeoutMs ?? this.timeoutMs);
      const id = nextTaskId++;
      const full = { ...request, id, ...(options.__fault ? { fault: options.__fault } : {}) } as ChildRequest;
      const task: Task = {
        id,
        request: full,
        operation,
        label,
        kind: undefined,
        timeoutMs,
        frames: 0,
        callerStack,
        abortRequested: false,
        resolve,
        reject,
        onProgress,
        timer: undefined,
      };
      onQueued?.(task);
      this.queue.push(task);
      this.pump();
    });
  }

  private pump(): void {
    if (this.closing || this.current) {
      this.updateRefs();
      return;
    }
    if (this.queue.length === 0) {
      this.updateRefs();
      return;
    }
    const child = this.child ?? this.startChild();
    if (!child.ready) {
      this.updateRefs(); // the 'ready' message pumps again
      return;
    }
    const task = this.queue.shift()!;
    this.current = task;
    this.arm(task);
    try {
      child.proc.send(task.request);
      if (task.abortRequested) child.proc.send({ type: 'abort', id: task.id });
    } catch (e) {
      // Not serializable (a function among the values...): this job can never run; the child is untouched.
      this.current = undefined;
      this.settle(
        task,
        new ISFError(
          'BAD_ARGUMENT',
          `The job for ${task.label} cannot be sent to the isolated worker: ${(e as Error).message}`,
        ),
      );
      this.pump();
      return;
    }
    this.updateRefs();
  }

  private arm(task: Task): void {
    clearTimeout(task.timer);
    // setTimeout fires at once for delays past 2^31-1 ms (24.8 days): treat those as no limit.
    if (task.timeoutMs <= MAX_TIMER_MS) task.timer = setTimeout(() => this.timeOut(task), task.timeoutMs);
  }

  private abort(task: Task): void {
    task.abortRequested = true;
    if (this.current === task) this.child?.proc.send({ type: 'abort', id: task.id });
  }

  private timeOut(task: Task): void {
    if (this.current !== task) return;
    this.current = undefined;
    const child = this.child;
    this.counters.timeouts += 1;
    const error = new RenderTimeout(task.label, task.timeoutMs, task.operation, {
      pid: child?.pid,
      frame: task.frames,
      ...(task.kind ? { kind: task.kind } : {}),
    });
    const stopped = child ? this.stop(child) : Promise.resolve();
    // The replacement starts while the old child dies, so the next job waits as little as possible.
    if (!this.closing) this.startChild();
    // Reject only once the process is gone: when the caller hears of the timeout, nothing is left running.
    void stopped.then(() => {
      this.settle(task, error);
      this.pump();
    });
  }

  private settle(task: Task, outcome: Error | ChildResult): void {
    clearTimeout(task.timer);
    if (outcome instanceof Error) {
      this.counters.failed += 1;
      outcome.stack = `${outcome.name}: ${outcome.message}\n${task.callerStack}`;
      task.reject(outcome);
    } else {
      this.counters.completed += 1;
      task.resolve(outcome);
    }
  }

  // --- the child --------------------------------------------------------------------------------------------

  /** Makes the spare (when there is one) the current child, else starts one; then starts a new spare. */
  private startChild(): Child {
    const child = this.spareChild ?? this.spawn();
    this.spareChild = undefined;
    this.child = child;
    if (this.options.spare && !this.closing) this.spareChild = this.spawn();
    this.updateRefs();
    return child;
  }

  private spawn(): Child {
    const init: ChildInit = {
      limits: this.limits,
      parentPid: process.pid,
      ...(this.options.device !== undefined ? { device: this.options.device } : {}),
      ...(this.options.allowImportOutsideFolder ? { allowImportOutsideFolder: true } : {}),
    };
    const proc = fork(ENTRY.path, [JSON.stringify(init)], {
      execArgv: ENTRY.execArgv,
      serialization: 'advanced',
      // stdout stays closed: a chatty driver must not corrupt the caller's output (`isf ... --json`).
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    let markExited!: () => void;
    const child: Child = {
      proc,
      pid: proc.pid,
      forkedAt: performance.now(),
      ready: false,
      startupMs: undefined,
      initError: undefined,
      stopping: false,
      exited: new Promise<void>((resolve) => {
        markExited = resolve;
      }),
      startTimer: undefined,
    };
    this.counters.started += 1;
    if (this.startTimeoutMs <= MAX_TIMER_MS) {
      child.startTimer = setTimeout(() => {
        child.initError ??= new ISFError(
          'WORKER_FAILED',
          `The isolated worker did not start within ${this.startTimeoutMs} ms`,
          { details: { startup: true } },
        );
        proc.kill('SIGKILL');
      }, this.startTimeoutMs);
    }
    // Unreferenced until it has work (updateRefs): an idle renderer must not keep the caller's process alive.
    proc.unref();
    proc.channel?.unref();
    proc.on('message', (m: ChildMessage) => this.onMessage(child, m));
    let gone = false;
    const exited = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (gone) return;
      gone = true;
      clearTimeout(child.startTimer);
      markExited();
      this.onExit(child, code, signal);
    };
    proc.on('error', (e) => {
      child.initError ??= e;
      if (proc.pid === undefined) exited(null, null); // never spawned: no 'exit' will follow
    });
    proc.on('exit', exited);
    return child;
  }

  private onMessage(child: Child, m: ChildMessage): void {
    if (m.type === 'ready') {
      clearTimeout(child.startTimer);
      child.ready = true;
      child.startupMs = Math.round(performance.now() - child.forkedAt);
      this.lastStartupMs = child.startupMs;
      if (child === this.child) this.pump();
      return;
    }
    if (child !== this.child) return; // a stopped child's last words, or the spare's
    switch (m.type) {
      case 'init-error':
        child.initError = deserializeError(m.error);
        return; // it exits next
      case 'progress': {
        const task = this.current;
        if (!task || task.id !== m.id) return;
        if (m.name !== undefined) task.label = m.name;
        if (m.kind !== undefined) task.kind = m.kind;
        if (m.name === undefined && m.done === undefined && m.notice === undefined) task.frames += 1;
        this.arm(task);
        task.onProgress?.(m);
        return;
      }
      case 'done':
      case 'failed': {
        const task = this.current;
        if (!task || task.id !== m.id) return;
        this.current = undefined;
        this.settle(task, m.type === 'done' ? m.result : deserializeError(m.error));
        this.pump();
        return;
      }
    }
  }

  private onExit(child: Child, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.spareChild === child) {
      this.spareChild = undefined; // a spare that died is replaced when it would have been used
      return;
    }
    if (this.child === child) this.child = undefined;
    if (child.stopping) return;
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    if (!child.ready) {
      // It never started: every queued job would meet the same fate. Fail them; the next call tries again.
      const error =
        child.initError instanceof ISFError
          ? child.initError
          : new ISFError(
              'WORKER_FAILED',
              `The isolated worker failed to start (${how}${child.initError ? `: ${child.initError.message}` : ''})`,
              { cause: child.initError, details: { startup: true } },
            );
      for (const task of this.queue.splice(0)) this.settle(task, error);
      this.updateRefs();
      return;
    }
    const task = this.current;
    this.current = undefined;
    if (task) {
      this.counters.crashes += 1;
      this.settle(
        task,
        new ISFError(
          'WORKER_FAILED',
          `${task.operation} ${task.label} crashed the isolated worker (${how}); a fresh worker takes the next job`,
          {
            details: {
              shader: task.label,
              exitCode: code,
              signal,
              ...(task.kind ? { kind: task.kind } : {}),
            },
          },
        ),
      );
      if (!this.closing) this.startChild();
    }
    this.pump();
  }

  /** SIGKILL (a child blocked in a GL call hears nothing else) and wait until it is gone. */
  private async stop(child: Child): Promise<void> {
    child.stopping = true;
    if (this.child === child) this.child = undefined;
    if (child.proc.exitCode === null && child.proc.signalCode === null) child.proc.kill('SIGKILL');
    await waitFor(child.exited, KILL_WAIT_MS);
  }

  private async shutdown(): Promise<void> {
    const error = new ISFError('RESOURCE_DESTROYED', 'IsolatedRenderer closed before the job finished');
    const pending = [...this.queue.splice(0), ...(this.current ? [this.current] : [])];
    this.current = undefined;
    for (const task of pending) this.settle(task, error);
    const child = this.child;
    this.child = undefined;
    const spare = this.spareChild;
    this.spareChild = undefined;
    await Promise.all([
      spare ? this.stop(spare) : undefined,
      child ? this.end(child, pending.length === 0) : undefined,
    ]);
  }

  private async end(child: Child, idle: boolean): Promise<void> {
    child.stopping = true;
    if (idle && child.ready && child.proc.connected) {
      // Idle: let it destroy its context and exit by itself; a child that does not is killed.
      child.proc.disconnect();
      if (await waitFor(child.exited, 2_000)) return;
    }
    await this.stop(child);
  }

  /** A busy renderer keeps the process alive; an idle one (or its warm child) must not. */
  private updateRefs(): void {
    const child = this.child;
    if (!child) return;
    const busy = this.current !== undefined || this.queue.length > 0;
    if (busy) {
      child.proc.ref();
      child.proc.channel?.ref();
    } else {
      child.proc.unref();
      child.proc.channel?.unref();
    }
  }

  private assertOpen(operation: string): void {
    if (this.closing) {
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

/** True when `p` settled within `ms`. */
async function waitFor(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  const ok = await Promise.race([p.then(() => true as const), timeout]);
  clearTimeout(timer);
  return ok;
}
