/**
 * isf-renderer for the browser: the same core (parser, GLSL generator) and renderer (Scene, GLContext) as in
 * Node, over a canvas's WebGL2 context. Nothing here imports Node modules; bundle it with
 * `node --import tsx scripts/build-browser.ts` (see docs/browser.md).
 */
import { ISFError } from '../core/errors.ts';
import { frameEncoders } from '../render/frame.ts';
import { encodeFramePNG } from './images.ts';

export * from '../core/index.ts';
export * from '../render/index.ts';
export { type BrowserCanvas, WEBGL_ATTRIBUTES, WebGLBackend, webglBackendFactory } from './backend.ts';
export { type BrowserContextOptions, canvasOf, createBrowserContext } from './context.ts';
export {
  type BrowserPlatformOptions,
  browserPlatform,
  decodeBrowserImage,
  encodeFramePNG,
  type ImageSourceLike,
  loadImageElement,
  rawImageFrom,
} from './images.ts';
export {
  type BrowserLoadOptions,
  type FetchLike,
  fetchIncludeReader,
  isfSourceOf,
  loadISF,
  urlResolver,
} from './load.ts';
export { FramePresenter, presentFrame, renderToCanvas } from './present.ts';

// Frame.toPNG() in the browser: the browser's own PNG encoder (8-bit only).
frameEncoders.png ??= async (frame, options) => {
  if (options.depth === 16) {
    throw new ISFError(
      'GL_UNSUPPORTED',
      'The browser build encodes 8-bit PNG only (depth 16 needs the Node build)',
    );
  }
  return new Uint8Array(await (await encodeFramePNG(frame)).arrayBuffer());
};
