/**
 * @internal Fault injection for tests: make a slot crash, hang or lose its context the way a bad driver or
 * shader would. Not part of the package's API (not exported from any index): a test marks the job object (for
 * RenderPool) or the call-options object (for IsolatedRenderer) it passes, and the supervisor's caller adds the
 * fault to its internal request. Nothing reaches the environment or the public types.
 */

/** RenderPool slots: die by process.exit, by an uncaught exception, or block forever in the slot. */
export type PoolFault = 'exit' | 'throw' | 'hang' | 'exit-once' | 'throw-once' | 'segv' | 'segv-once';
/** Isolated children: die by SIGSEGV, block forever, or lose the GL context. */
export type ChildFault = 'crash' | 'hang' | 'lose-context';

const marks = new WeakMap<object, string>();

/** Marks `target` (a job or call-options object) with a fault; returns it for inline use. */
export function withFault<T extends object>(target: T, fault: PoolFault | ChildFault): T {
  marks.set(target, fault);
  return target;
}

export function faultOf<F extends string>(target: object | undefined): F | undefined {
  return target === undefined ? undefined : (marks.get(target) as F | undefined);
}

const writeDelays = new WeakMap<object, number>();

/** Slows every frame write of an isolated renderFiles() call by `ms` (a test kills a farm worker mid-job). */
export function withWriteDelay<T extends object>(target: T, ms: number): T {
  writeDelays.set(target, ms);
  return target;
}

export function writeDelayOf(target: object | undefined): number | undefined {
  return target === undefined ? undefined : writeDelays.get(target);
}
