/**
 * Process-wide EGLDisplay reference counts, shared by the main thread and every worker.
 *
 * eglTerminate is not reference-counted by EGL and the EGLDisplay is the same object in every thread, so a thread
 * terminating "its" display would kill the contexts of other threads (seen with Mesa: EGL_BAD_DISPLAY in a worker
 * after the main thread destroyed its last context). Node gives each worker its own module state, so the counts
 * live in a small native block instead, found through a per-process environment variable holding its address
 * (`ISF_EGL_DISPLAY_REFS_<pid>`: the pid keeps a child process from trusting an inherited address). Slot 0 is a spin
 * lock that makes "count goes 0 -> 1 and initialize" and "count goes 1 -> 0 and terminate" atomic across threads.
 * If the block cannot be set up (no libc symbols), callers fall back to per-thread counting.
 */
import type { Native } from './native.ts';

const SLOTS = 256;
const LOCK_STALE_MS = 5000;
let block: Int32Array | null | undefined;
const sleeper = new Int32Array(new SharedArrayBuffer(4));

export function sharedRefs(native: Native): Int32Array | null {
  if (block !== undefined) return block;
  try {
    const self = native.koffi.load(null);
    const getenv = self.func('const char *getenv(const char *name)') as (n: string) => string | null;
    const setenv = self.func('int setenv(const char *name, const char *value, int overwrite)') as (
      n: string,
      v: string,
      o: number,
    ) => number;
    const calloc = self.func('void *calloc(size_t n, size_t size)') as (
      n: number,
      s: number,
    ) => bigint | null;
    const free = self.func('void free(void *p)') as (p: bigint) => void;
    const name = `ISF_EGL_DISPLAY_REFS_${process.pid}`;
    let addr = getenv(name);
    if (!addr) {
      const p = calloc(SLOTS, 4);
      if (!p) throw new Error('calloc failed');
      setenv(name, p.toString(), 0); // overwrite=0: if another thread won the race, keep its block
      addr = getenv(name);
      if (addr !== p.toString()) free(p);
    }
    if (!addr || !/^\d+$/.test(addr)) throw new Error('bad address');
    block = new Int32Array(native.koffi.view(BigInt(addr), SLOTS * 4));
  } catch {
    block = null;
  }
  return block;
}

/** Slot for a display key (1..SLOTS-1). Two keys sharing a slot only delay a terminate, never cause an early one. */
export function slotOf(key: string): number {
  let h = 0;
  for (let i = 0; i < key.length; i++) h = (h * 31 + key.charCodeAt(i)) | 0;
  return 1 + (Math.abs(h) % (SLOTS - 1));
}

/** Runs fn holding the process-wide lock. A lock held past LOCK_STALE_MS is taken over (its thread was killed). */
export function withLock<T>(refs: Int32Array, fn: () => T): T {
  const start = Date.now();
  while (Atomics.compareExchange(refs, 0, 0, 1) !== 0) {
    if (Date.now() - start > LOCK_STALE_MS) break;
    Atomics.wait(sleeper, 0, 0, 1);
  }
  try {
    return fn();
  } finally {
    Atomics.store(refs, 0, 0);
  }
}
