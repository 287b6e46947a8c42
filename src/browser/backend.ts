/**
 * GLBackend over a canvas's WebGL2 context. A WebGL2RenderingContext already is a GL2 (see src/gl/gl2.ts), so
 * this only adds the lifecycle: WebGL contexts are always "current", and loss is reported by the browser.
 */
import { ISFError } from '../core/errors.ts';
import type { GLBackend, GLBackendFactory } from '../gl/backend.ts';
import type { GL2 } from '../gl/gl2.ts';

export type BrowserCanvas = HTMLCanvasElement | OffscreenCanvas;

/**
 * Context attributes the renderer relies on: scenes render into their own framebuffers, so the canvas's own
 * buffer only matters for display. preserveDrawingBuffer keeps the shown frame readable (tests, screenshots);
 * premultipliedAlpha false shows ISF's straight alpha as written.
 */
export const WEBGL_ATTRIBUTES: WebGLContextAttributes = {
  alpha: true,
  antialias: false,
  depth: false,
  stencil: false,
  premultipliedAlpha: false,
  preserveDrawingBuffer: true,
  powerPreference: 'high-performance',
};

export class WebGLBackend implements GLBackend {
  readonly kind = 'webgl2';
  readonly gl: GL2 & WebGL2RenderingContext;

  constructor(
    readonly canvas: BrowserCanvas,
    attributes: WebGLContextAttributes = WEBGL_ATTRIBUTES,
  ) {
    const gl = canvas.getContext('webgl2', attributes) as WebGL2RenderingContext | null;
    if (!gl) {
      throw new ISFError('GL_UNAVAILABLE', 'This browser (or this canvas) gives no WebGL2 context', {
        suggestion:
          'use a browser with WebGL2, enable hardware acceleration, and do not call getContext("2d") on the same canvas',
      });
    }
    this.gl = gl;
    // After a restore the same object is handed out again: drop errors left from before (CONTEXT_LOST_WEBGL...),
    // so the context's first checkErrors() only sees ours.
    for (let i = 0; i < 16 && !gl.isContextLost() && gl.getError() !== gl.NO_ERROR; i++);
  }

  /** A WebGL context is current for its canvas whenever its calls are made. */
  makeCurrent(): void {}

  /**
   * Nothing native to release: a canvas has one WebGL context for life, and the factory hands the same one out
   * again on reinitialize() (after a restore). Objects are deleted by GLContext before this is called.
   */
  destroy(): void {}

  isLost(): boolean {
    return this.gl.isContextLost();
  }

  /** Loses the context for real through WEBGL_lose_context (the browser then fires webglcontextlost). */
  simulateLoss(): void {
    const ext = this.gl.getExtension('WEBGL_lose_context') as WEBGL_lose_context | null;
    if (!ext)
      throw new ISFError('GL_UNSUPPORTED', 'WEBGL_lose_context is not available: cannot simulate loss');
    ext.loseContext();
  }
}

/** A factory for GLContext: each call wraps the canvas's (current, possibly restored) WebGL2 context. */
export function webglBackendFactory(
  canvas: BrowserCanvas,
  attributes?: WebGLContextAttributes,
): GLBackendFactory {
  return () => new WebGLBackend(canvas, attributes);
}
