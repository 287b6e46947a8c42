/**
 * The one supervisor of work that may crash or hang the GL driver: jobs on N slots (worker threads or child
 * processes), a time limit and a memory limit per job, a dead slot replaced, a job retried once when its slot
 * died (when asked), and a typed failure for everything else. RenderPool, IsolatedRenderer (and through it the
 * CLI and the farm worker) are policies over this class.
 *
 * Why processes for limits: a GL call cannot be interrupted, and a worker thread blocked in one cannot be
 * terminated (../shared/docs/perf-notes.md); a driver crash in a thread takes the whole process with it. So a
 * time or memory limit needs a process slot, which is SIGKILLed at the limit. Thread slots have neither (the
 * constructor refuses them), and their crashes are the process's.
 *
 * A slot that ran past a limit is dead at once: it leaves the set of slots before it is killed, so nothing is
 * dispatched to it, and its replacement starts while it dies. The job's promise settles only once the old
 * process is gone, so when a caller hears of a timeout nothing of that job is still running.
 *
 * Slot entries speak a small protocol (SlotMessage): `ready` once started, `init-error` when they cannot
 * start, `progress` (restarts the job's time limit: the limit is per frame), then one `done` or `failed` per
 * job id. The supervisor sends what the caller's JobSpec.message() builds.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { Worker } from 'node:worker_threads';
import { ISFError } from '../core/errors.ts';
import { type EntryFile, startWorker } from './entry-files.ts';
import { type IsolatedOperation, RenderTimeout } from './isolate/errors.ts';
import { deserializeError, type WireError } from './render-job.ts';
import { settledWithin } from './settled-within.ts';

export type SlotKind = 'thread' | 'process';

/** The child's file descriptor that is this process's stdout, with SlotSpec.passStdout (0-2 stdio, 3 IPC). */
export const PASSED_STDOUT_FD = 4;

/** What a slot entry sends. `done` may carry anything else the caller reads from it. */
export type SlotMessage =
  | { type: 'ready'; [key: string]: unknown }
  | { type: 'init-error'; error: WireError }
  | { type: 'progress'; id: number; name?: string; kind?: string; [key: string]: unknown }
  | { type: 'done'; id: number; [key: string]: unknown }
  | { type: 'failed'; id: number; error: WireError };

export type ProgressMessage = Extract<SlotMessage, { type: 'progress' }>;
export type DoneMessage = Extract<SlotMessage, { type: 'done' }>;

export interface SlotSpec {
  kind: SlotKind;
  /** The entry module, next to its caller (entry-files.ts: .ts through tsx in the sources, .js when built). */
  entry: EntryFile;
  /** Threads: workerData. Processes: argv[2], as JSON. */
  init: unknown;
  /** Processes: where the child's stdout goes (default 'ignore': a chatty driver must not corrupt `--json`). */
  stdout?: 'ignore' | 'inherit';
  /**
   * Processes: this process's stdout also becomes the child's fd PASSED_STDOUT_FD (4), for a child that writes a
   * stream there itself (`isf render -o -`): the bytes never cross a pipe through this process, and the child's
   * own fd 1 (`stdout`, ignored by default) stays where a driver's or a library's stray output goes.
   */
  passStdout?: boolean;
  /** Threads: the message that asks the entry to free its context and end. Processes: disconnect() does. */
  closeMessage?: unknown;
}

export interface SupervisorOptions {
  /** Names the supervisor in messages ("RenderPool", "the isolated worker"). */
  name: string;
  slot: SlotSpec;
  /** Slots running jobs at once (default 1). */
  slots?: number;
  /** Runs per job when its slot dies under it (default 1; 2 retries once on a fresh slot). Never for limits. */
  attempts?: number;
  /** Default time limit per job, restarted by each progress message; process slots only. */
  timeoutMs?: number;
  /** Resident memory limit per slot while it runs a job (Linux, /proc); process slots only. */
  memoryLimitBytes?: number;
  /** How long a slot may take to send `ready` (default 30 s). */
  startTimeoutMs?: number;
  /** Start-up failures in a row after which the queued jobs fail with the start-up error (default 1). */
  maxStartFailures?: number;
  /** Keep one more slot started, so the job after a death does not wait for a start-up. */
  spare?: boolean;
}

export interface JobSpec {
  /** The request for the slot, built for each attempt. */
  message: (id: number, attempt: number) => unknown;
  /** The shader (path or name), for messages; a progress message with `name` replaces it. */
  label: string;
  operation: IsolatedOperation;
  /** Time limit of this job (default: the supervisor's). */
  timeoutMs?: number;
  onProgress?: (m: ProgressMessage) => void;
  /** Aborting sends `abortMessage` (the entry stops after its current frame), then kills the slot past `abortGraceMs`. */
  signal?: AbortSignal;
  abortMessage?: (id: number) => unknown;
  /** Default 500 ms. */
  abortGraceMs?: number;
  /** Extra details for every error of this job. */
  details?: Record<string, unknown>;
}

export interface SupervisorStats {
  /** Live slots (started or starting), the spare not counted. */
  slots: number;
  busy: number;
  queued: number;
  /** Pid of each live process slot. */
  pids: number[];
  /** Start-up time of the last slot that became ready, fork to `ready`, in ms. */
  startupMs: number | undefined;
  started: number;
  /** Slots started to replace dead ones (after a crash, a limit or a kill). */
  restarts: number;
  completed: number;
  failed: number;
  retried: number;
  timeouts: number;
  crashes: number;
  memoryKills: number;
}

/** A signal a process dies of when native code (the driver) faults. */
const CRASH_SIGNALS = new Set(['SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGFPE', 'SIGABRT', 'SIGTRAP', 'SIGSYS']);
const MAX_TIMER_MS = 2 ** 31 - 1;
// SIGKILL always ends a process, but tearing down a large one (many driver threads, gigabytes) takes a while on a
// loaded machine: wait for it rather than report a job over while its process still exists.
const KILL_WAIT_MS = 30_000;
const END_GRACE_MS = 2_000;
const MEMORY_POLL_MS = 100;

interface Task {
  id: number;
  spec: JobSpec;
  label: string;
  kind: string | undefined;
  attempts: number;
  timeoutMs: number | undefined;
  frames: number;
  callerStack: string;
  resolve: (m: DoneMessage) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout | undefined;
  abortTimer: NodeJS.Timeout | undefined;
  onAbort: (() => void) | undefined;
}

interface Slot {
  readonly kind: SlotKind;
  worker: Worker | undefined;
  proc: ChildProcess | undefined;
  pid: number | undefined;
  spawnedAt: number;
  ready: boolean;
  task: Task | undefined;
  initError: Error | undefined;
  /** Being stopped by us (a limit, close): its exit is no surprise. */
  stopping: boolean;
  exited: Promise<void>;
  /** Resolves once the slot sent `ready` or exited. */
  started: Promise<void>;
  startTimer: NodeJS.Timeout | undefined;
  memoryTimer: NodeJS.Timeout | undefined;
}

let nextTaskId = 1;

export class Supervisor {
  private readonly size: number;
  private readonly attempts: number;
  private readonly startTimeoutMs: number;
  private readonly maxStartFailures: number;
  private readonly slots = new Set<Slot>();
  private spareSlot: Slot | undefined;
  private readonly queue: Task[] = [];
  private closing: Promise<void> | undefined;
  private startFailures = 0;
  private lastStartupMs: number | undefined;
  private readonly counters = {
    started: 0,
    restarts: 0,
    completed: 0,
    failed: 0,
    retried: 0,
    timeouts: 0,
    crashes: 0,
    memoryKills: 0,
  };

  constructor(private readonly options: SupervisorOptions) {
    this.size = options.slots ?? 1;
    this.attempts = options.attempts ?? 1;
    this.startTimeoutMs = options.startTimeoutMs ?? 30_000;
    this.maxStartFailures = options.maxStartFailures ?? 1;
    if (options.slot.kind === 'thread') {
      for (const key of ['timeoutMs', 'memoryLimitBytes'] as const) {
        if (options[key] !== undefined) {
          throw new ISFError(
            'BAD_ARGUMENT',
            `${options.name}: ${key} needs process slots: a thread blocked in a GL call cannot be stopped`,
          );
        }
      }
    }
    if (options.timeoutMs !== undefined) checkPositive('timeoutMs', options.timeoutMs);
    if (options.memoryLimitBytes !== undefined) checkPositive('memoryLimitBytes', options.memoryLimitBytes);
  }

  get closed(): boolean {
    return this.closing !== undefined;
  }

  /** Starts the slots now instead of on the first job. */
  warmUp(): void {
    this.fill();
    this.updateRefs();
  }

  /**
   * Starts the slots (as warmUp) and resolves once each has sent `ready` or exited (a failed start is reported by
   * the job that meets it, as without this), within the start time limit. Jobs submitted afterwards are shared out
   * over all the slots at once, instead of going to whichever started first.
   */
  async whenStarted(): Promise<void> {
    this.warmUp();
    const starting = [...this.slots];
    // A start waited for keeps the process alive, as a queued job does (warmUp leaves idle slots unreferenced).
    for (const slot of starting) this.refSlot(slot, true);
    try {
      await Promise.all(starting.map((slot) => settledWithin(slot.started, this.startTimeoutMs)));
    } finally {
      this.updateRefs();
    }
  }

  /** Runs a job; resolves with the slot's `done` message, rejects with a typed error. */
  submit(spec: JobSpec): Promise<DoneMessage> {
    const callerStack = new Error().stack?.split('\n').slice(2).join('\n') ?? '';
    return new Promise<DoneMessage>((resolve, reject) => {
      if (this.closing) {
        throw new ISFError('RESOURCE_DESTROYED', `${this.options.name}: cannot run a job after close()`);
      }
      const timeoutMs = spec.timeoutMs ?? this.options.timeoutMs;
      if (spec.timeoutMs !== undefined) {
        checkPositive('timeoutMs', spec.timeoutMs);
        if (this.options.slot.kind === 'thread') {
          throw new ISFError('BAD_ARGUMENT', `${this.options.name}: a time limit needs process slots`);
        }
      }
      const task: Task = {
        id: nextTaskId++,
        spec,
        label: spec.label,
        kind: undefined,
        attempts: 0,
        timeoutMs,
        frames: 0,
        callerStack,
        resolve,
        reject,
        timer: undefined,
        abortTimer: undefined,
        onAbort: undefined,
      };
      if (spec.signal) {
        task.onAbort = () => this.abort(task);
        if (spec.signal.aborted) queueMicrotask(task.onAbort);
        else spec.signal.addEventListener('abort', task.onAbort, { once: true });
      }
      this.queue.push(task);
      this.pump();
    });
  }

  stats(): SupervisorStats {
    let busy = 0;
    const pids: number[] = [];
    for (const s of this.slots) {
      if (s.task) busy += 1;
      if (s.pid !== undefined) pids.push(s.pid);
    }
    return {
      slots: this.slots.size,
      busy,
      queued: this.queue.length,
      pids,
      startupMs: this.lastStartupMs,
      ...this.counters,
    };
  }

  /** Rejects what is queued or running with `error()` and ends every slot (idle ones cleanly). Idempotent. */
  close(error: () => Error): Promise<void> {
    this.closing ??= (async () => {
      const pending = [...this.queue.splice(0), ...[...this.slots].flatMap((s) => (s.task ? [s.task] : []))];
      for (const task of pending) this.settle(task, error());
      const slots = [...this.slots, ...(this.spareSlot ? [this.spareSlot] : [])];
      this.slots.clear();
      this.spareSlot = undefined;
      await Promise.all(slots.map((s) => this.end(s)));
    })();
    return this.closing;
  }

  // --- dispatch ---------------------------------------------------------------------------------------------

  private pump(): void {
    if (this.closing) return;
    if (this.queue.length > 0) this.fill();
    for (const slot of this.slots) {
      if (!slot.ready || slot.task) continue;
      const task = this.queue.shift();
      if (!task) break;
      this.dispatch(slot, task);
    }
    this.updateRefs();
  }

  private dispatch(slot: Slot, task: Task): void {
    task.attempts += 1;
    slot.task = task;
    let message: unknown;
    try {
      message = task.spec.message(task.id, task.attempts);
      if (slot.worker) slot.worker.postMessage(message);
      else slot.proc!.send(message as object);
    } catch (e) {
      // Not cloneable (a function among the values...): this job can never run; the slot is untouched.
      slot.task = undefined;
      this.settle(
        task,
        new ISFError(
          'BAD_ARGUMENT',
          `The job for ${task.label} cannot be sent to ${this.options.name}: ${(e as Error).message}`,
        ),
      );
      return;
    }
    this.arm(slot, task);
    if (this.options.memoryLimitBytes !== undefined) this.watchMemory(slot, task);
    if (task.spec.signal?.aborted) this.abort(task);
  }

  private arm(slot: Slot, task: Task): void {
    clearTimeout(task.timer);
    const ms = task.timeoutMs;
    // setTimeout fires at once for delays past 2^31-1 ms (24.8 days): treat those as no limit.
    if (ms !== undefined && ms <= MAX_TIMER_MS) {
      task.timer = setTimeout(() => {
        this.counters.timeouts += 1;
        this.fail(
          slot,
          task,
          new RenderTimeout(task.label, ms, task.spec.operation, {
            pid: slot.pid,
            frame: task.frames,
            ...this.detailsOf(task),
          }),
        );
      }, ms);
    }
  }

  /** Polls the slot's resident memory while it runs `task`; past the limit the slot dies and the job fails. */
  private watchMemory(slot: Slot, task: Task): void {
    const limit = this.options.memoryLimitBytes!;
    const pid = slot.pid;
    if (pid === undefined || process.platform !== 'linux') return;
    const check = async (): Promise<void> => {
      const rss = await residentBytes(pid);
      if (slot.task !== task) return;
      if (rss !== undefined && rss > limit) {
        this.counters.memoryKills += 1;
        this.fail(
          slot,
          task,
          new ISFError(
            'LIMIT_EXCEEDED',
            `${task.spec.operation} ${task.label} used ${mib(rss)} of memory, over the limit of ${mib(limit)} (maxMemoryBytes); the worker was stopped`,
            {
              suggestion:
                'the shader may declare huge arrays or expand into a huge program; raise maxMemoryBytes only for shaders you trust',
              details: { limit: 'maxMemoryBytes', maxMemoryBytes: limit, rss, ...this.detailsOf(task) },
            },
          ),
        );
        return;
      }
      slot.memoryTimer = setTimeout(() => void check(), MEMORY_POLL_MS);
    };
    slot.memoryTimer = setTimeout(() => void check(), MEMORY_POLL_MS);
  }

  private abort(task: Task): void {
    const slot = this.slotOf(task);
    if (!slot) {
      // Still queued: it never starts.
      const k = this.queue.indexOf(task);
      if (k >= 0) {
        this.queue.splice(k, 1);
        this.settle(task, interrupted(task));
      }
      return;
    }
    const message = task.spec.abortMessage?.(task.id);
    if (message !== undefined) {
      try {
        if (slot.worker) slot.worker.postMessage(message);
        else slot.proc?.send(message as object);
      } catch {
        // the slot is going away: its exit settles the job
      }
    }
    clearTimeout(task.abortTimer);
    // A frame stuck in the driver hears nothing: past the grace period its slot is killed.
    task.abortTimer = setTimeout(() => {
      if (slot.task === task) this.fail(slot, task, interrupted(task));
    }, task.spec.abortGraceMs ?? 500);
  }

  private slotOf(task: Task): Slot | undefined {
    for (const s of this.slots) if (s.task === task) return s;
    return undefined;
  }

  /** The slot is dead at once (out of the set), killed, replaced; `task` rejects once the slot is gone. */
  private fail(slot: Slot, task: Task, error: Error): void {
    if (slot.task !== task) return;
    slot.task = undefined;
    clearTimeout(task.timer);
    const stopped = this.stop(slot);
    this.replace(slot);
    void stopped.then(() => {
      this.settle(task, error);
      this.pump();
    });
  }

  private settle(task: Task, outcome: Error | DoneMessage): void {
    clearTimeout(task.timer);
    clearTimeout(task.abortTimer);
    if (task.onAbort) task.spec.signal?.removeEventListener('abort', task.onAbort);
    if (outcome instanceof Error) {
      this.counters.failed += 1;
      // Keep the caller's stack: the slot's says nothing about where the job came from.
      outcome.stack = `${outcome.name}: ${outcome.message}\n${task.callerStack}`;
      task.reject(outcome);
    } else {
      this.counters.completed += 1;
      task.resolve(outcome);
    }
  }

  private detailsOf(task: Task): Record<string, unknown> {
    return { ...task.spec.details, ...(task.kind ? { kind: task.kind } : {}) };
  }

  // --- slots ------------------------------------------------------------------------------------------------

  /** Starts slots up to the configured number (and the spare). */
  private fill(): void {
    if (this.closing) return;
    while (this.slots.size < this.size) {
      const slot = this.spareSlot ?? this.spawn();
      this.spareSlot = undefined;
      this.slots.add(slot);
    }
    if (this.options.spare && !this.spareSlot) this.spareSlot = this.spawn();
  }

  /** A dead slot's place: the spare, else a fresh slot; only while there is work or the pool is warm. */
  private replace(dead: Slot): void {
    this.slots.delete(dead);
    if (this.closing) return;
    this.counters.restarts += 1;
    this.fill();
  }

  private spawn(): Slot {
    const spec = this.options.slot;
    let markExited!: () => void;
    let markStarted!: () => void;
    const slot: Slot = {
      kind: spec.kind,
      worker: undefined,
      proc: undefined,
      pid: undefined,
      spawnedAt: performance.now(),
      ready: false,
      task: undefined,
      initError: undefined,
      stopping: false,
      exited: new Promise<void>((resolve) => {
        markExited = resolve;
      }),
      started: new Promise<void>((resolve) => {
        markStarted = resolve;
      }),
      startTimer: undefined,
      memoryTimer: undefined,
    };
    this.counters.started += 1;
    let gone = false;
    const exited = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (gone) return;
      gone = true;
      clearTimeout(slot.startTimer);
      clearTimeout(slot.memoryTimer);
      markExited();
      markStarted();
      this.onExit(slot, code, signal);
    };
    if (spec.kind === 'thread') {
      const worker = startWorker(spec.entry, { workerData: spec.init });
      slot.worker = worker;
      worker.on('message', (m: SlotMessage) => {
        if (m.type === 'ready') markStarted();
        this.onMessage(slot, m);
      });
      worker.on('error', (e) => {
        slot.initError ??= e;
      });
      worker.on('exit', (code) => exited(code, null));
    } else {
      const proc = fork(spec.entry.path, [JSON.stringify(spec.init)], {
        execArgv: spec.entry.execArgv,
        serialization: 'advanced',
        stdio: ['ignore', spec.stdout ?? 'ignore', 'inherit', 'ipc', ...(spec.passStdout ? [1] : [])],
      });
      slot.proc = proc;
      slot.pid = proc.pid;
      proc.on('message', (m: SlotMessage) => {
        if (m.type === 'ready') markStarted();
        this.onMessage(slot, m);
      });
      proc.on('error', (e) => {
        slot.initError ??= e;
        if (proc.pid === undefined) exited(null, null); // never spawned: no 'exit' will follow
      });
      proc.on('exit', exited);
    }
    if (this.startTimeoutMs <= MAX_TIMER_MS) {
      slot.startTimer = setTimeout(() => {
        slot.initError ??= new ISFError(
          'WORKER_FAILED',
          `${this.options.name} did not start within ${this.startTimeoutMs} ms`,
          { details: { startup: true } },
        );
        this.kill(slot);
      }, this.startTimeoutMs);
    }
    // Unreferenced until it has work (updateRefs): an idle supervisor must not keep the caller's process alive.
    this.refSlot(slot, false);
    return slot;
  }

  private onMessage(slot: Slot, m: SlotMessage): void {
    if (m.type === 'ready') {
      clearTimeout(slot.startTimer);
      slot.ready = true;
      this.startFailures = 0;
      this.lastStartupMs = Math.round(performance.now() - slot.spawnedAt);
      this.pump();
      return;
    }
    if (m.type === 'init-error') {
      slot.initError = deserializeError(m.error);
      return; // it exits next; onExit decides
    }
    const task = slot.task;
    if (!task || task.id !== m.id || slot.stopping) return; // settled already (a limit), or a dying slot's last words
    if (m.type === 'progress') {
      if (m.name !== undefined) task.label = m.name;
      if (m.kind !== undefined) task.kind = m.kind;
      if (m.name === undefined && m.done === undefined && m.notice === undefined) task.frames += 1;
      this.arm(slot, task);
      task.spec.onProgress?.(m);
      return;
    }
    slot.task = undefined;
    clearTimeout(slot.memoryTimer);
    this.settle(task, m.type === 'done' ? m : deserializeError(m.error));
    this.pump();
  }

  private onExit(slot: Slot, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.spareSlot === slot) {
      this.spareSlot = undefined; // replaced when it would have been used
      return;
    }
    const wasLive = this.slots.delete(slot);
    if (slot.stopping || this.closing || !wasLive) return;
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    if (!slot.ready) {
      this.startFailures += 1;
      if (this.startFailures >= this.maxStartFailures) {
        // It never started: every queued job would meet the same fate. Fail them; the next job tries again.
        this.startFailures = 0;
        const base =
          slot.initError instanceof ISFError
            ? slot.initError
            : new ISFError(
                'WORKER_FAILED',
                `${this.options.name} failed to start (${how}${slot.initError ? `: ${slot.initError.message}` : ''})`,
                {
                  cause: slot.initError,
                  details: { startup: true },
                  suggestion: 'check that a GL context can be created (isf info) on this machine',
                },
              );
        for (const task of this.queue.splice(0)) this.settle(task, copyError(base));
        this.updateRefs();
        return;
      }
      this.counters.restarts += 1;
      this.pump();
      return;
    }
    const task = slot.task;
    slot.task = undefined;
    if (task) {
      this.counters.crashes += 1;
      if (task.attempts < this.attempts) {
        this.counters.retried += 1;
        this.queue.unshift(task);
      } else {
        this.settle(task, this.deathError(task, code, signal, slot.initError));
      }
      this.counters.restarts += 1;
      this.fill();
    }
    this.pump();
  }

  /** GL_DRIVER_CRASH when native code killed the slot, WORKER_FAILED for any other death. */
  private deathError(task: Task, code: number | null, signal: NodeJS.Signals | null, why?: Error): ISFError {
    const tries = task.attempts > 1 ? ` on all ${task.attempts} attempts` : '';
    const details = {
      shader: task.label,
      exitCode: code,
      signal,
      attempts: task.attempts,
      ...this.detailsOf(task),
    };
    if (signal && CRASH_SIGNALS.has(signal)) {
      return new ISFError(
        'GL_DRIVER_CRASH',
        `${task.spec.operation} ${task.label}: the GL driver crashed compiling or drawing this shader (${signal})${tries}; a fresh worker takes the next job`,
        {
          suggestion:
            'the driver cannot handle this shader (often a very long unrolled loop or a huge expression); simplify it, or try another GL driver or device',
          details,
        },
      );
    }
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    return new ISFError(
      'WORKER_FAILED',
      `${task.spec.operation} ${task.label}: ${this.options.name} died (${how}${why ? `: ${why.message}` : ''})${tries}`,
      { cause: why, details },
    );
  }

  private kill(slot: Slot): void {
    if (slot.worker) void slot.worker.terminate();
    else if (slot.proc && slot.proc.exitCode === null && slot.proc.signalCode === null)
      slot.proc.kill('SIGKILL');
  }

  /** Kill (a slot blocked in a GL call hears nothing else) and wait until it is gone. */
  private async stop(slot: Slot): Promise<void> {
    slot.stopping = true;
    clearTimeout(slot.memoryTimer);
    this.kill(slot);
    await settledWithin(slot.exited, KILL_WAIT_MS);
  }

  /**
   * Idle: let it free its context and exit by itself; busy, or not ending within a grace period: killed.
   * A thread still starting is let finish starting first (within the start time limit): terminate() while it is
   * inside koffi, loading libEGL/libGLESv2 and declaring their functions, makes koffi throw into an environment
   * that is being torn down, and Node aborts the whole process (FATAL ERROR: Error::ThrowAsJavaScriptException
   * napi_throw). A process is SIGKILLed at any point safely.
   */
  private async end(slot: Slot): Promise<void> {
    slot.stopping = true;
    clearTimeout(slot.startTimer);
    clearTimeout(slot.memoryTimer);
    const busy = slot.task !== undefined;
    slot.task = undefined;
    if (slot.worker && !slot.ready && !busy) {
      this.refSlot(slot, true);
      await settledWithin(slot.started, this.startTimeoutMs); // `ready` sets slot.ready (onMessage)
    }
    if (!busy && slot.ready) {
      this.refSlot(slot, true);
      try {
        if (slot.worker) slot.worker.postMessage(this.options.slot.closeMessage ?? { type: 'close' });
        else if (slot.proc?.connected) slot.proc.disconnect();
        if (await settledWithin(slot.exited, END_GRACE_MS)) return;
      } catch {
        // gone already, or going: kill below
      }
    }
    await this.stop(slot);
  }

  /** A busy supervisor keeps the process alive; an idle one (or its warm slots) must not. */
  private updateRefs(): void {
    const waiting = this.queue.length > 0;
    for (const slot of this.slots) this.refSlot(slot, slot.task !== undefined || waiting);
    if (this.spareSlot) this.refSlot(this.spareSlot, false);
  }

  private refSlot(slot: Slot, on: boolean): void {
    if (slot.worker) {
      if (on) slot.worker.ref();
      else slot.worker.unref();
    } else if (slot.proc) {
      if (on) {
        slot.proc.ref();
        slot.proc.channel?.ref();
      } else {
        slot.proc.unref();
        slot.proc.channel?.unref();
      }
    }
  }
}

function interrupted(task: Task): ISFError {
  return new ISFError('WORKER_FAILED', `${task.spec.operation} ${task.label} was interrupted`, {
    details: { interrupted: true, shader: task.label },
  });
}

function copyError(e: Error): Error {
  if (!(e instanceof ISFError)) return new Error(e.message, { cause: e });
  return new ISFError(e.code, e.message, {
    cause: e.cause,
    file: e.file,
    line: e.line,
    column: e.column,
    suggestion: e.suggestion,
    diagnostics: e.diagnostics,
    details: e.details,
  });
}

function checkPositive(name: string, n: number): void {
  if (typeof n !== 'number' || Number.isNaN(n) || n <= 0) {
    throw new ISFError('BAD_ARGUMENT', `Expected a positive number for ${name} but received ${n}`);
  }
}

function mib(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MiB`;
}

/** Resident set size of a process (VmRSS), or undefined when it is gone or /proc is not there. */
export async function residentBytes(pid: number): Promise<number | undefined> {
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
