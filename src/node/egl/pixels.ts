/**
 * Client-side pixel layout helpers for NodeGL2.
 *
 * Native glTexImage2D/glReadPixels read or write as many bytes as the format, size and pixel-store state imply, with
 * no idea how long the caller's array is. WebGL checks that and raises INVALID_OPERATION; we must too, or a short
 * array becomes a native buffer overrun. The WebGL-only UNPACK_FLIP_Y / UNPACK_PREMULTIPLY_ALPHA are applied here on
 * a copy of the caller's data, because GLES has no such pixel-store parameters.
 */
import { ISFError } from '../../core/errors.ts';
import { GLC, GLX } from './constants.ts';

/** Bytes per pixel for a format/type pair, or 0 when the pair is unknown. */
export function bytesPerPixel(format: number, type: number): number {
  switch (type) {
    case GLX.UNSIGNED_SHORT_4_4_4_4:
    case GLX.UNSIGNED_SHORT_5_5_5_1:
    case GLX.UNSIGNED_SHORT_5_6_5:
      return 2;
    case GLX.UNSIGNED_INT_2_10_10_10_REV:
    case GLX.UNSIGNED_INT_10F_11F_11F_REV:
    case GLX.UNSIGNED_INT_5_9_9_9_REV:
    case GLX.UNSIGNED_INT_24_8:
      return 4;
    case GLX.FLOAT_32_UNSIGNED_INT_24_8_REV:
      return 8;
  }
  let size: number;
  switch (type) {
    case GLC.UNSIGNED_BYTE:
    case GLX.BYTE:
      size = 1;
      break;
    case GLX.SHORT:
    case GLX.UNSIGNED_SHORT:
    case GLC.HALF_FLOAT:
      size = 2;
      break;
    case GLX.INT:
    case GLX.UNSIGNED_INT:
    case GLC.FLOAT:
      size = 4;
      break;
    default:
      return 0;
  }
  switch (format) {
    case GLC.RGBA:
    case GLX.RGBA_INTEGER:
      return 4 * size;
    case GLX.RGB:
    case GLX.RGB_INTEGER:
      return 3 * size;
    case GLX.RG:
    case GLX.RG_INTEGER:
    case GLX.LUMINANCE_ALPHA:
      return 2 * size;
    case GLX.RED:
    case GLX.RED_INTEGER:
    case GLX.ALPHA:
    case GLX.LUMINANCE:
    case GLX.DEPTH_COMPONENT:
      return size;
    default:
      return 0;
  }
}

/** Pixel-store state that changes the client-memory layout (the GL defaults are alignment 4, the rest 0). */
export interface PixelLayout {
  alignment: number;
  rowLength: number;
  skipRows: number;
  skipPixels: number;
}

export function rowStride(layout: PixelLayout, width: number, bpp: number): number {
  const rowBytes = (layout.rowLength > 0 ? layout.rowLength : width) * bpp;
  const a = layout.alignment;
  return Math.ceil(rowBytes / a) * a;
}

/** Bytes native code will touch for a width x height image with this layout (0 for an empty image). */
export function requiredBytes(layout: PixelLayout, width: number, height: number, bpp: number): number {
  if (width <= 0 || height <= 0) return 0;
  const stride = rowStride(layout, width, bpp);
  return (layout.skipRows + height - 1) * stride + (layout.skipPixels + width) * bpp;
}

/**
 * A copy of `src` with the image rows flipped vertically and/or colour channels multiplied by alpha, keeping the
 * exact byte layout (stride, skips) so it can be uploaded with the same pixel-store state.
 */
export function transformUpload(
  src: ArrayBufferView,
  layout: PixelLayout,
  width: number,
  height: number,
  format: number,
  type: number,
  flipY: boolean,
  premultiply: boolean,
): Uint8Array {
  const bpp = bytesPerPixel(format, type);
  const stride = rowStride(layout, width, bpp);
  const input = new Uint8Array(src.buffer, src.byteOffset, src.byteLength);
  const out = new Uint8Array(input); // copy: the caller's array is never modified
  const rowBytes = width * bpp;
  const rowStart = (r: number) => (layout.skipRows + r) * stride + layout.skipPixels * bpp;
  if (flipY) {
    for (let r = 0; r < height; r++) {
      const from = rowStart(height - 1 - r);
      out.set(input.subarray(from, from + rowBytes), rowStart(r));
    }
  }
  if (premultiply) premultiplyRows(out, rowStart, width, height, format, type);
  return out;
}

function premultiplyRows(
  buf: Uint8Array,
  rowStart: (r: number) => number,
  width: number,
  height: number,
  format: number,
  type: number,
): void {
  let channels: number;
  if (format === GLC.RGBA) channels = 4;
  else if (format === GLX.LUMINANCE_ALPHA) channels = 2;
  else return; // no alpha channel: premultiplying is the identity
  if (type === GLC.UNSIGNED_BYTE) {
    for (let r = 0; r < height; r++) {
      const s = rowStart(r);
      for (let i = s, end = s + width * channels; i < end; i += channels) {
        const a = buf[i + channels - 1]!;
        if (a === 255) continue;
        for (let c = 0; c < channels - 1; c++) buf[i + c] = Math.round((buf[i + c]! * a) / 255);
      }
    }
    return;
  }
  if (type === GLC.FLOAT) {
    const f = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength >> 2);
    for (let r = 0; r < height; r++) {
      const s = rowStart(r) >> 2;
      for (let i = s, end = s + width * channels; i < end; i += channels) {
        const a = f[i + channels - 1]!;
        for (let c = 0; c < channels - 1; c++) f[i + c] = f[i + c]! * a;
      }
    }
    return;
  }
  throw new ISFError(
    'GL_UNSUPPORTED',
    `UNPACK_PREMULTIPLY_ALPHA_WEBGL is only implemented for UNSIGNED_BYTE and FLOAT pixel data, but the upload uses type 0x${type.toString(16)}`,
    { suggestion: 'Premultiply the data yourself and upload with UNPACK_PREMULTIPLY_ALPHA_WEBGL false' },
  );
}
