/**
 * The native half of one EGL context, and which context is current on this thread.
 *
 * EGL's current context is per thread, and Node runs each worker's modules separately, so a module variable is
 * exactly "current on this thread". Every NodeGL2 entry point compares `thread.current` with its own core: when
 * equal (the common case) the call goes straight to native code; otherwise `enter()` either makes the context
 * current (one eglMakeCurrent) or reports that it is dead, so a destroyed or lost context never reaches native code.
 */
import { ISFError } from '../../core/errors.ts';
import { eglErrorName } from './constants.ts';
import type { Native } from './native.ts';

export const thread: { current: ContextCore | null } = { current: null };

const EGL_CONTEXT_LOST = 0x300e;
const EGL_BAD_ACCESS = 0x3002;

export class ContextCore {
  /** False once the native context is destroyed (destroy() or a real/simulated loss). */
  alive = true;
  /** Set by NodeGL2 so a loss found during makeCurrent can raise CONTEXT_LOST_WEBGL once. */
  onLost: (() => void) | null = null;

  constructor(
    readonly native: Native,
    readonly display: bigint,
    public context: bigint,
  ) {}

  /** Makes this context current on this thread; false when it is dead (the caller then does nothing). */
  enter(): boolean {
    if (!this.alive) return false;
    if (thread.current === this) return true;
    const egl = this.native.egl;
    if (egl.eglMakeCurrent(this.display, null, null, this.context) === 0) {
      const err = egl.eglGetError();
      if (err === EGL_CONTEXT_LOST) {
        this.kill();
        return false;
      }
      const hint =
        err === EGL_BAD_ACCESS ? ' (the context is current on another thread; EGL allows one)' : '';
      throw new ISFError('GL_UNAVAILABLE', `eglMakeCurrent failed with ${eglErrorName(err)}${hint}`);
    }
    thread.current = this;
    return true;
  }

  /** Unbinds this context from the thread if it is the current one. */
  leave(): void {
    if (thread.current !== this) return;
    this.native.egl.eglMakeCurrent(this.display, null, null, null);
    thread.current = null;
  }

  /** Destroys the native context; afterwards every entry point is a no-op. Idempotent. */
  kill(): void {
    if (!this.alive) return;
    this.leave();
    this.alive = false;
    this.native.egl.eglDestroyContext(this.display, this.context);
    this.context = 0n;
    this.onLost?.();
  }
}
