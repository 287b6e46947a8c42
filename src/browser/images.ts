/**
 * Browser image handling: decoding (ImageBitmap / <img> / Blob / URL) into the RawImage scenes take, IMPORTED
 * images fetched over HTTP, and PNG encoding of frames through a 2D canvas.
 */
import type { ISFDocument, ISFImported } from '../core/document.ts';
import { describeValue, ISFError } from '../core/errors.ts';
import type { FrameData } from '../render/frame.ts';
import { isRawImage, type RawImage } from '../render/images.ts';
import type { ScenePlatform } from '../render/scene.ts';

type Canvas2D = OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;

/** What rawImageFrom() can read: anything drawImage() takes that has a size. */
export type ImageSourceLike =
  | HTMLImageElement
  | ImageBitmap
  | HTMLCanvasElement
  | OffscreenCanvas
  | HTMLVideoElement;

function scratch(width: number, height: number): Canvas2D {
  const canvas =
    typeof OffscreenCanvas !== 'undefined'
      ? new OffscreenCanvas(width, height)
      : Object.assign(document.createElement('canvas'), { width, height });
  const ctx = canvas.getContext('2d', { willReadFrequently: true }) as Canvas2D | null;
  if (!ctx)
    throw new ISFError('GL_UNSUPPORTED', 'This browser gives no 2D canvas context (needed to read images)');
  return ctx;
}

function sizeOf(source: ImageSourceLike): { width: number; height: number } {
  if (typeof HTMLImageElement !== 'undefined' && source instanceof HTMLImageElement) {
    return { width: source.naturalWidth, height: source.naturalHeight };
  }
  if (typeof HTMLVideoElement !== 'undefined' && source instanceof HTMLVideoElement) {
    return { width: source.videoWidth, height: source.videoHeight };
  }
  return { width: source.width, height: source.height };
}

/** Reads the pixels of a decoded image (top row first, straight alpha) synchronously. */
export function rawImageFrom(source: ImageSourceLike, name = 'image'): RawImage {
  const { width, height } = sizeOf(source);
  if (!(width > 0 && height > 0)) {
    throw new ISFError(
      'IMAGE_DECODE',
      `Image "${name}" has no pixels yet (${width}x${height}): is it loaded?`,
    );
  }
  const ctx = scratch(width, height);
  ctx.drawImage(source, 0, 0);
  const data = ctx.getImageData(0, 0, width, height).data;
  return { width, height, data };
}

/** Turns an <img> (waiting for it to decode) or an ImageBitmap/canvas into a RawImage. */
export async function loadImageElement(source: ImageSourceLike, name = 'image'): Promise<RawImage> {
  if (typeof HTMLImageElement !== 'undefined' && source instanceof HTMLImageElement && !source.complete) {
    await source.decode();
  }
  return rawImageFrom(source, name);
}

const BITMAP_OPTIONS: ImageBitmapOptions = { premultiplyAlpha: 'none', colorSpaceConversion: 'none' };

async function bitmapFromBlob(blob: Blob, name: string): Promise<ImageBitmap> {
  try {
    return await createImageBitmap(blob, BITMAP_OPTIONS);
  } catch (e) {
    throw new ISFError(
      'IMAGE_DECODE',
      `Cannot decode image "${name}" (${blob.type || 'unknown type'}, ${blob.size} bytes): ${(e as Error).message}`,
      { suggestion: 'browsers decode PNG, JPEG, WebP, GIF and AVIF (not TIFF)', cause: e },
    );
  }
}

/**
 * Decodes what a page has at hand: RawImage, ImageData, Blob/File, encoded bytes, a URL, or a drawable
 * (<img>, ImageBitmap, canvas, <video>).
 */
export async function decodeBrowserImage(source: unknown, name = 'image'): Promise<RawImage> {
  if (isRawImage(source)) return source;
  if (typeof ImageData !== 'undefined' && source instanceof ImageData) {
    return { width: source.width, height: source.height, data: source.data };
  }
  let blob: Blob | undefined;
  if (source instanceof Blob) blob = source;
  else if (source instanceof ArrayBuffer) blob = new Blob([source]);
  else if (ArrayBuffer.isView(source)) blob = new Blob([source as Uint8Array<ArrayBuffer>]);
  else if (typeof source === 'string' || source instanceof URL) {
    const response = await fetch(source);
    if (!response.ok) {
      throw new ISFError(
        'IMAGE_DECODE',
        `Cannot load image "${name}" from ${source}: HTTP ${response.status}`,
      );
    }
    blob = await response.blob();
  }
  if (blob) {
    const bitmap = await bitmapFromBlob(blob, name);
    try {
      return rawImageFrom(bitmap, name);
    } finally {
      bitmap.close();
    }
  }
  const drawable = [
    globalThis.HTMLImageElement,
    globalThis.ImageBitmap,
    globalThis.HTMLCanvasElement,
    globalThis.OffscreenCanvas,
    globalThis.HTMLVideoElement,
  ].some((c) => typeof c === 'function' && source instanceof c);
  if (drawable) return loadImageElement(source as ImageSourceLike, name);
  throw new ISFError(
    'IMAGE_DECODE',
    `Expected an image (RawImage, ImageData, Blob, bytes, URL, <img>, ImageBitmap or canvas) for "${name}" but received ${describeValue(source)}`,
  );
}

export interface BrowserPlatformOptions {
  /** URL to fetch an IMPORTED image from, given its resolved path (default: the path itself, relative to the page). */
  importedUrl?: (path: string, doc: ISFDocument) => string;
}

/** The browser's ScenePlatform: images decoded by the browser, IMPORTED images fetched. */
export function browserPlatform(options: BrowserPlatformOptions = {}): ScenePlatform {
  return {
    decodeImage: decodeBrowserImage,
    async loadImported(doc: ISFDocument, imported: ISFImported): Promise<RawImage> {
      const path = imported.resolvedPath ?? imported.path;
      const url = options.importedUrl ? options.importedUrl(path, doc) : path;
      try {
        return await decodeBrowserImage(url, imported.name);
      } catch (e) {
        throw new ISFError(
          'ISF_IMPORTED_MISSING',
          `${doc.name}: IMPORTED image "${imported.name}" (${imported.path}) cannot be loaded: ${(e as Error).message}`,
          { file: doc.path, line: imported.line, cause: e },
        );
      }
    },
  };
}

/** Encodes a frame as an 8-bit PNG with the browser's own encoder. */
export async function encodeFramePNG(frame: FrameData): Promise<Blob> {
  const ctx = scratch(frame.width, frame.height);
  const image = new ImageData(new Uint8ClampedArray(frame.pixels), frame.width, frame.height);
  ctx.putImageData(image, 0, 0);
  const canvas = ctx.canvas;
  if ('convertToBlob' in canvas) return canvas.convertToBlob({ type: 'image/png' });
  return new Promise((resolve, reject) =>
    canvas.toBlob(
      (b) => (b ? resolve(b) : reject(new ISFError('IO_ERROR', 'PNG encoding failed'))),
      'image/png',
    ),
  );
}
