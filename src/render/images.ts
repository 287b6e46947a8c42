/**
 * Pixel data handed to a scene, and checks on it. Decoding files/buffers is the platform's job (sharp in Node,
 * ImageBitmap in the browser); the renderer only sees raw RGBA.
 */
import { describeValue, ISFError } from '../core/errors.ts';

export interface RawImage {
  width: number;
  height: number;
  /** RGBA, 4 values per pixel, top row first. Uint8 (0..255) or Float32 (0..1, HDR allowed). */
  data: Uint8Array | Uint8ClampedArray | Float32Array;
}

export function isRawImage(v: unknown): v is RawImage {
  if (typeof v !== 'object' || v === null) return false;
  const o = v as Partial<RawImage>;
  return (
    typeof o.width === 'number' &&
    typeof o.height === 'number' &&
    (o.data instanceof Uint8Array || o.data instanceof Uint8ClampedArray || o.data instanceof Float32Array)
  );
}

/** Throws IMAGE_DECODE / LIMIT_EXCEEDED unless `image` is a well-formed RGBA image within `maxSize` per side. */
export function checkRawImage(name: string, image: RawImage, maxSize: number): void {
  const { width, height, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new ISFError(
      'IMAGE_DECODE',
      `Expected a positive integer size for image "${name}" but received ${describeValue(width)} x ${describeValue(height)}`,
    );
  }
  if (width > maxSize || height > maxSize) {
    throw new ISFError(
      'LIMIT_EXCEEDED',
      `Image "${name}" is ${width}x${height}; the largest image this context accepts is ${maxSize}x${maxSize}`,
    );
  }
  if (data.length !== width * height * 4) {
    throw new ISFError(
      'IMAGE_DECODE',
      `Expected ${width * height * 4} RGBA values for the ${width}x${height} image "${name}" but received ${data.length}`,
    );
  }
}

/** A 1x1 transparent black image: what an unset image input samples (deterministic, unlike an unbound unit). */
export const EMPTY_IMAGE: RawImage = { width: 1, height: 1, data: new Uint8Array(4) };
