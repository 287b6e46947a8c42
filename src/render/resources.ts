/**
 * GL object bookkeeping: every texture, framebuffer, program, buffer and vertex array the renderer creates goes
 * through here, so `GLContext.stats()` reports exact live counts and bytes (the leak tests assert on them).
 */
import type { GL2, GLTexture } from '../gl/gl2.ts';

export type TextureFormat = 'rgba8' | 'rgba16f' | 'rgba32f';

export interface ResourceCounts {
  textures: number;
  framebuffers: number;
  programs: number;
  buffers: number;
  vertexArrays: number;
  /** Bytes held by textures (width * height * bytes per pixel). */
  bytes: number;
}

export function emptyCounts(): ResourceCounts {
  return { textures: 0, framebuffers: 0, programs: 0, buffers: 0, vertexArrays: 0, bytes: 0 };
}

export const BYTES_PER_PIXEL: Record<TextureFormat, number> = { rgba8: 4, rgba16f: 8, rgba32f: 16 };

/** A 2D texture we own, with what we need to know about it without asking GL. */
export interface Texture2D {
  readonly handle: GLTexture;
  readonly width: number;
  readonly height: number;
  readonly format: TextureFormat;
  readonly bytes: number;
  /** Context generation the handle belongs to: a handle from an older generation is dead and never deleted. */
  readonly generation: number;
}

export interface FormatInfo {
  internalFormat: number;
  type: number;
  filter: number;
}

/** Counts live objects; one per GLContext generation. */
export class ResourceTracker {
  readonly counts: ResourceCounts = emptyCounts();

  add(kind: Exclude<keyof ResourceCounts, 'bytes'>, bytes = 0): void {
    this.counts[kind] += 1;
    this.counts.bytes += bytes;
  }

  remove(kind: Exclude<keyof ResourceCounts, 'bytes'>, bytes = 0): void {
    this.counts[kind] -= 1;
    this.counts.bytes -= bytes;
  }

  /** After a context loss/reinitialize every handle is gone with the native context. */
  reset(): void {
    Object.assign(this.counts, emptyCounts());
  }
}

export function formatInfo(gl: GL2, format: TextureFormat, floatLinear: boolean): FormatInfo {
  switch (format) {
    case 'rgba8':
      return { internalFormat: gl.RGBA8, type: gl.UNSIGNED_BYTE, filter: gl.LINEAR };
    case 'rgba16f':
      return { internalFormat: gl.RGBA16F, type: gl.HALF_FLOAT, filter: gl.LINEAR };
    case 'rgba32f':
      // RGBA32F is only filterable with OES_texture_float_linear; without it LINEAR makes the texture incomplete.
      return { internalFormat: gl.RGBA32F, type: gl.FLOAT, filter: floatLinear ? gl.LINEAR : gl.NEAREST };
  }
}
