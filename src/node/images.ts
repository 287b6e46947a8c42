/**
 * Image decoding and encoding in Node through sharp (libvips): PNG, JPEG, TIFF, WebP, GIF, AVIF in; PNG (8 or
 * 16-bit), JPEG and WebP out. The renderer only ever sees raw RGBA, top row first.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { ISFError } from '../core/errors.ts';
import type { FrameData } from '../render/frame.ts';
import type { RawImage } from '../render/images.ts';

/** Largest image we decode (per side), so a hostile file cannot make libvips allocate gigabytes. */
export const MAX_DECODE_SIDE = 16384;

/** Decodes a file path or encoded bytes (PNG/JPEG/TIFF/WebP...) to RGBA8. */
export async function decodeImage(source: unknown, name = 'image'): Promise<RawImage> {
  let input: Buffer;
  let label: string;
  if (typeof source === 'string') {
    label = source;
    try {
      input = await readFile(source);
    } catch (e) {
      throw new ISFError(
        'IMAGE_DECODE',
        `Cannot read image file ${source} for "${name}": ${(e as Error).message}`,
        {
          file: source,
          cause: e,
        },
      );
    }
  } else if (source instanceof Uint8Array) {
    input = Buffer.from(source.buffer, source.byteOffset, source.byteLength);
    label = `${source.byteLength} bytes`;
  } else {
    throw new ISFError(
      'IMAGE_DECODE',
      `Cannot use ${source === null ? 'null' : typeof source} as image "${name}": expected a file path, encoded image bytes (PNG/JPEG/TIFF/WebP) or { width, height, data } RGBA pixels`,
    );
  }
  try {
    const { data, info } = await sharp(input, { limitInputPixels: MAX_DECODE_SIDE * MAX_DECODE_SIDE })
      .toColourspace('srgb')
      .ensureAlpha()
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    return {
      width: info.width,
      height: info.height,
      data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    };
  } catch (e) {
    throw new ISFError('IMAGE_DECODE', `Cannot decode image "${name}" (${label}): ${(e as Error).message}`, {
      file: typeof source === 'string' ? source : undefined,
      cause: e,
    });
  }
}

export type ImageFormat = 'png' | 'jpeg' | 'webp';

export function imageFormatForPath(path: string): ImageFormat | undefined {
  const ext = path.toLowerCase().split('.').pop();
  if (ext === 'png') return 'png';
  if (ext === 'jpg' || ext === 'jpeg') return 'jpeg';
  if (ext === 'webp') return 'webp';
  return undefined;
}

/** Encodes a frame: PNG 8-bit (default) or 16-bit (from float output, or 8-bit scaled), JPEG, WebP. */
export async function encodeFrame(
  frame: FrameData,
  format: ImageFormat = 'png',
  options: { depth?: 8 | 16; quality?: number } = {},
): Promise<Buffer> {
  const raw = { width: frame.width, height: frame.height, channels: 4 as const };
  if (format === 'png' && options.depth === 16) {
    const src = frame.floatPixels;
    const u16 = new Uint16Array(frame.width * frame.height * 4);
    for (let i = 0; i < u16.length; i++) {
      const v = src ? src[i]! : frame.pixels[i]! / 255;
      u16[i] = v >= 1 ? 65535 : v > 0 ? Math.round(v * 65535) : 0;
    }
    return sharp(u16, { raw }).toColourspace('rgb16').png().toBuffer();
  }
  const image = sharp(frame.pixels, { raw });
  if (format === 'jpeg')
    return image
      .flatten({ background: '#000000' })
      .jpeg({ quality: options.quality ?? 92 })
      .toBuffer();
  if (format === 'webp') return image.webp({ quality: options.quality ?? 92 }).toBuffer();
  return image.png().toBuffer();
}
