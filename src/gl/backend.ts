/**
 * What a platform hands the renderer: a GL2 object plus the few native operations around it.
 * Node implements this over EGL (src/node/egl), the browser over a canvas's WebGL2 context (src/browser).
 */
import type { GL2 } from './gl2.ts';

export interface GLBackend {
  readonly gl: GL2;
  /** 'egl-surfaceless', 'egl-device', 'webgl2', ... (for info() and messages). */
  readonly kind: string;
  /** Makes this backend's context current on the calling thread (cheap when it already is). */
  makeCurrent(): void;
  /** Releases the native context. Idempotent. */
  destroy(): void;
  /** True when the native context is gone underneath us (driver reset, simulated loss, browser context loss). */
  isLost(): boolean;
  /** Emulates a lost context (tests, chaos): destroys the native context but keeps this object callable. */
  simulateLoss?(): void;
}

/** Creates a fresh backend; GLContext calls it on initialize() and reinitialize(). */
export type GLBackendFactory = () => GLBackend;
