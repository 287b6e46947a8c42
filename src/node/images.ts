/**
 * Image decoding and encoding in Node through sharp (libvips): PNG, JPEG, TIFF, WebP, GIF, AVIF in; PNG and
 * TIFF (8 or 16-bit), JPEG and WebP out, and OpenEXR (half or full float) through ffmpeg (exr.ts). The renderer
 * only ever sees raw RGBA, top row first.
 */
import type Sharp from 'sharp';
import { ISFError } from '../core/errors.ts';
import type { FrameData } from '../render/frame.ts';
import type { RawImage } from '../render/images.ts';
import { readRegularFile } from './confine.ts';
import { encodeExr } from './exr.ts';

/** Largest image we decode (per side), so a hostile file cannot make libvips allocate gigabytes. */
export const MAX_DECODE_SIDE = 16384;
/** Largest encoded image file read (a 16384x16384 RGBA PNG without compression is 1 GiB; real ones are far less). */
export const MAX_IMAGE_FILE_BYTES = 256 * 1024 * 1024;

export interface DecodeOptions {
  /** Largest width or height (default MAX_DECODE_SIDE); checked from the header, before decoding. */
  maxSide?: number;
}

/** sharp, loaded on first use: libvips takes longer to load than a short command (`isf validate`) runs. */
export async function loadSharp(): Promise<typeof Sharp> {
  return (await import('sharp')).default;
}

/**
 * LIMIT_EXCEEDED from the image's header alone (sharp's metadata() reads no pixels), so a decompression bomb (a
 * small file that claims 30000x30000) is refused before libvips allocates anything.
 */
export async function checkImageHeader(
  input: Buffer | string,
  name: string,
  label: string,
  maxSide: number = MAX_DECODE_SIDE,
): Promise<{ width: number; height: number }> {
  const sharp = await loadSharp();
  let meta: { width?: number | undefined; height?: number | undefined };
  try {
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (e) {
    throw new ISFError('IMAGE_DECODE', `Cannot decode image "${name}" (${label}): ${(e as Error).message}`, {
      file: typeof input === 'string' ? input : undefined,
      cause: e,
    });
  }
  const { width = 0, height = 0 } = meta;
  if (width > maxSide || height > maxSide) {
    throw new ISFError(
      'LIMIT_EXCEEDED',
      `Image "${name}" (${label}) is ${width}x${height}; the largest image allowed is ${maxSide}x${maxSide}`,
      {
        file: typeof input === 'string' ? input : undefined,
        details: { width, height, maxImageSide: maxSide },
      },
    );
  }
  return { width, height };
}

/** Decodes a file path or encoded bytes (PNG/JPEG/TIFF/WebP...) to RGBA8. */
export async function decodeImage(
  source: unknown,
  name = 'image',
  options: DecodeOptions = {},
): Promise<RawImage> {
  let input: Buffer;
  let label: string;
  if (typeof source === 'string') {
    label = source;
    // A regular file within the limit, checked before reading: a FIFO or /dev/zero is an error, not a hang.
    input = await readRegularFile(source, {
      maxBytes: MAX_IMAGE_FILE_BYTES,
      what: `image file for "${name}"`,
    });
  } else if (source instanceof Uint8Array) {
    input = Buffer.from(source.buffer, source.byteOffset, source.byteLength);
    label = `${source.byteLength} bytes`;
  } else {
    throw new ISFError(
      'IMAGE_DECODE',
      `Cannot use ${source === null ? 'null' : typeof source} as image "${name}": expected a file path, encoded image bytes (PNG/JPEG/TIFF/WebP) or { width, height, data } RGBA pixels`,
    );
  }
  const maxSide = options.maxSide ?? MAX_DECODE_SIDE;
  await checkImageHeader(input, name, label, maxSide);
  const sharp = await loadSharp();
  try {
    const { data, info } = await sharp(input, { limitInputPixels: maxSide * maxSide })
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

/**
 * Decodes a 16-bit (or 8-bit) PNG/TIFF to RGBA16, values as stored: what a 16-bit frame written by encodeFrame
 * gives back exactly (the farm encodes its depth-16 videos from them). toColourspace('rgb16') keeps sharp from
 * reducing the values to 8 bits on the way out.
 */
export async function decodeImage16(
  bytes: Uint8Array,
  name = 'image',
): Promise<{ width: number; height: number; data: Uint16Array }> {
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  await checkImageHeader(input, name, `${bytes.byteLength} bytes`);
  const sharp = await loadSharp();
  try {
    const { data, info } = await sharp(input, { limitInputPixels: MAX_DECODE_SIDE * MAX_DECODE_SIDE })
      .toColourspace('rgb16')
      .ensureAlpha()
      .raw({ depth: 'ushort' })
      .toBuffer({ resolveWithObject: true });
    // A copy: the Buffer may sit at an odd offset in Node's pool, which a Uint16Array cannot view.
    const values = new Uint16Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length));
    return { width: info.width, height: info.height, data: values };
  } catch (e) {
    throw new ISFError('IMAGE_DECODE', `Cannot decode image "${name}": ${(e as Error).message}`, {
      cause: e,
    });
  }
}

export type ImageFormat = 'png' | 'jpeg' | 'webp' | 'tiff' | 'exr';

/**
 * Bits per value of written frames: 8; 16 for 16-bit PNG/TIFF and video (and half-float EXR, EXR's default);
 * 32 for full-float EXR only.
 */
export type SampleDepth = 8 | 16 | 32;

export function imageFormatForPath(path: string): ImageFormat | undefined {
  const ext = path.toLowerCase().split('.').pop();
  if (ext === 'png') return 'png';
  if (ext === 'jpg' || ext === 'jpeg') return 'jpeg';
  if (ext === 'webp') return 'webp';
  if (ext === 'tif' || ext === 'tiff') return 'tiff';
  if (ext === 'exr') return 'exr';
  return undefined;
}

/** A frame as RGBA16 (0..65535): from its float pixels when it has them (clamped to 0..1), else 8-bit scaled. */
export function toRGBA16(frame: FrameData): Uint16Array {
  const src = frame.floatPixels;
  const u16 = new Uint16Array(frame.width * frame.height * 4);
  for (let i = 0; i < u16.length; i++) {
    const v = src ? src[i]! : frame.pixels[i]! / 255;
    u16[i] = v >= 1 ? 65535 : v > 0 ? Math.round(v * 65535) : 0;
  }
  return u16;
}

/** RGBA float of a frame: its float output as rendered (values above 1 kept), else its 8-bit pixels / 255. */
function toRGBAFloat(frame: FrameData): Float32Array {
  if (frame.floatPixels) return frame.floatPixels;
  const out = new Float32Array(frame.pixels.length);
  for (let i = 0; i < out.length; i++) out[i] = frame.pixels[i]! / 255;
  return out;
}

/** The formats that store 8 bits per value whatever is asked for. */
const EIGHT_BIT_FORMATS: readonly ImageFormat[] = ['jpeg', 'webp'];

/**
 * Throws BAD_ARGUMENT when `format` cannot keep `depth` bits per value: JPEG and WebP are 8-bit (sharp writes
 * them from the 8-bit pixels), so depth 16 would be lost without a word. `output` names the file in the message.
 */
export function checkImageDepth(format: ImageFormat, depth: SampleDepth, output?: string): void {
  if (depth !== 16 || !EIGHT_BIT_FORMATS.includes(format)) return;
  const name = format === 'jpeg' ? 'JPEG' : 'WebP';
  throw new ISFError(
    'BAD_ARGUMENT',
    `--depth 16 cannot be kept in ${output ?? `a ${name} image`}: ${name} stores 8 bits per value`,
    {
      suggestion:
        'write .png or .tif (16-bit) or .exr (float) frames, or drop --depth 16 for 8-bit JPEG/WebP',
    },
  );
}

/**
 * Encodes a frame: PNG or TIFF 8-bit (default) or 16-bit with depth 16 (from float output, or 8-bit scaled),
 * JPEG or WebP (8-bit only: depth 16 is BAD_ARGUMENT, see checkImageDepth), or EXR (half float; full float
 * with depth 32) from the float output as rendered. TIFF is lossless (deflate with a horizontal predictor).
 */
export async function encodeFrame(
  frame: FrameData,
  format: ImageFormat = 'png',
  options: { depth?: SampleDepth; quality?: number } = {},
): Promise<Buffer> {
  if (format === 'exr') {
    return encodeExr(toRGBAFloat(frame), frame.width, frame.height, { full: options.depth === 32 });
  }
  if (options.depth === 32) {
    throw new ISFError(
      'BAD_ARGUMENT',
      `Depth 32 (full float) is for .exr output only; ${format.toUpperCase()} keeps at most 16 bits per value`,
    );
  }
  if (options.depth !== undefined) checkImageDepth(format, options.depth);
  const sharp = await loadSharp();
  const raw = { width: frame.width, height: frame.height, channels: 4 as const };
  const tiff = { compression: 'deflate' as const, predictor: 'horizontal' as const };
  if ((format === 'png' || format === 'tiff') && options.depth === 16) {
    const image = sharp(toRGBA16(frame), { raw }).toColourspace('rgb16');
    return format === 'png' ? image.png().toBuffer() : image.tiff(tiff).toBuffer();
  }
  const image = sharp(frame.pixels, { raw });
  if (format === 'tiff') return image.tiff(tiff).toBuffer();
  if (format === 'jpeg')
    return image
      .flatten({ background: '#000000' })
      .jpeg({ quality: options.quality ?? 92 })
      .toBuffer();
  if (format === 'webp') return image.webp({ quality: options.quality ?? 92 }).toBuffer();
  return image.png().toBuffer();
}
