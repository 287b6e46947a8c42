/**
 * createBrowserContext: a GLContext over a canvas's WebGL2 context, wired to the browser's loss events.
 *
 * On loss the browser fires webglcontextlost: we call preventDefault() (without it the browser never restores)
 * and mark the context lost, so renders fail with GL_CONTEXT_LOST instead of drawing into nothing. On
 * webglcontextrestored we reinitialize(): the factory wraps the restored context, the generation goes up, and
 * every scene rebuilds its programs, buffers and textures on its next render from its CPU-side state.
 */
import { createContextWith, type GLContext, type GLContextOptions } from '../render/context.ts';
import { type BrowserCanvas, WEBGL_ATTRIBUTES, webglBackendFactory } from './backend.ts';

export interface BrowserContextOptions extends GLContextOptions {
  /** WebGL context attributes (defaults: WEBGL_ATTRIBUTES). */
  attributes?: WebGLContextAttributes;
  /** Called after the context was marked lost. */
  onLost?: (context: GLContext) => void;
  /** Called after the context was rebuilt on a restored WebGL context. */
  onRestored?: (context: GLContext) => void;
}

const canvases = new WeakMap<GLContext, BrowserCanvas>();

export function createBrowserContext(canvas: BrowserCanvas, options: BrowserContextOptions = {}): GLContext {
  const { attributes, onLost, onRestored, ...contextOptions } = options;
  const context = createContextWith(
    webglBackendFactory(canvas, { ...WEBGL_ATTRIBUTES, ...attributes }),
    contextOptions,
  );
  canvases.set(context, canvas);
  const lost = (event: Event): void => {
    event.preventDefault();
    if (context.state === 'destroyed') return;
    context.markLost();
    onLost?.(context);
  };
  const restored = (): void => {
    // A context destroyed by its owner stays destroyed; only a lost one comes back.
    if (context.state !== 'lost') return;
    context.reinitialize();
    onRestored?.(context);
  };
  // HTMLCanvasElement fires the webgl-prefixed events; OffscreenCanvas fires contextlost/contextrestored.
  const target = canvas as EventTarget;
  target.addEventListener('webglcontextlost', lost);
  target.addEventListener('webglcontextrestored', restored);
  if (typeof OffscreenCanvas !== 'undefined' && canvas instanceof OffscreenCanvas) {
    target.addEventListener('contextlost', lost);
    target.addEventListener('contextrestored', restored);
  }
  return context;
}

/** The canvas a context from createBrowserContext draws on. */
export function canvasOf(context: GLContext): BrowserCanvas | undefined {
  return canvases.get(context);
}
