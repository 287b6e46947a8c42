/**
 * Resource limits for shaders the caller did not write, and the cheap checks that apply them before any work
 * reaches a GL context (or even the isolated child): a hostile document must cost a typed error, not memory.
 *
 * The limits already exist piecemeal (parser maxBytes/maxJsonDepth, Scene limits, the context's maxSize,
 * checkRawImage); this module gathers them into one preset and maps it onto each place that enforces it.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { ParseOptions } from '../../core/document.ts';
import { ISFError } from '../../core/errors.ts';
import { checkRawImage, type RawImage } from '../../render/images.ts';
import { checkRenderSize, type SceneLimits } from '../../render/pass-plan.ts';

export interface UntrustedLimits {
  /** Largest render width/height (the context's maxSize). */
  maxRenderSize: number;
  /** Largest pass size per side from WIDTH/HEIGHT expressions. */
  maxPassSize: number;
  /** Refuse (SIZE_OUT_OF_RANGE) rather than clamp pass sizes above maxPassSize. */
  strictPassSizes: boolean;
  /** Total bytes of all pass targets of one frame (LIMIT_EXCEEDED above it). */
  maxFrameBytes: number;
  /** Most passes a document may have (LIMIT_EXCEEDED above it). */
  maxPasses: number;
  /** Largest input image (job images and IMPORTED files) per side (LIMIT_EXCEEDED above it). */
  maxImageSide: number;
  /** Largest document (.fs) in bytes (ISF_TOO_LARGE above it, checked before reading it). */
  maxDocumentBytes: number;
  /** Deepest JSON nesting of the ISF header (ISF_JSON_TOO_DEEP beyond it). */
  maxJsonDepth: number;
  /**
   * Resident memory of the isolated child while it compiles or renders, in bytes (Linux: polled from /proc
   * every 100 ms; LIMIT_EXCEEDED and the child killed above it). Huge local arrays and macro bombs grow the
   * driver's memory, not the targets counted by maxFrameBytes.
   */
  maxMemoryBytes: number;
}

/**
 * The preset for untrusted shaders. Real ISF files are far inside it (the largest of the 250-file corpus is
 * 24 KB with JSON 4 levels deep); a frame stays under 1 GiB of targets, which also bounds what one job can
 * make a GPU or llvmpipe allocate.
 */
export const UNTRUSTED_LIMITS: Readonly<UntrustedLimits> = Object.freeze({
  maxRenderSize: 8192,
  maxPassSize: 8192,
  strictPassSizes: true,
  maxFrameBytes: 1024 * 1024 * 1024,
  maxPasses: 32,
  maxImageSide: 8192,
  maxDocumentBytes: 1024 * 1024,
  maxJsonDepth: 32,
  maxMemoryBytes: 2 * 1024 * 1024 * 1024,
});

/** UNTRUSTED_LIMITS with the caller's overrides, each checked to be a sensible number. */
export function resolveLimits(overrides: Partial<UntrustedLimits> = {}): UntrustedLimits {
  const limits = { ...UNTRUSTED_LIMITS, ...overrides };
  for (const [key, value] of Object.entries(limits)) {
    if (key === 'strictPassSizes') {
      if (typeof value !== 'boolean') {
        throw new ISFError('BAD_ARGUMENT', `Expected a boolean for limits.${key} but received ${value}`);
      }
    } else if (typeof value !== 'number' || !(value >= 1) || !Number.isFinite(value)) {
      throw new ISFError(
        'BAD_ARGUMENT',
        `Expected a positive number for limits.${key} but received ${value}`,
      );
    }
  }
  return limits;
}

export function sceneLimitsOf(limits: UntrustedLimits): SceneLimits {
  return {
    maxPassSize: limits.maxPassSize,
    strictPassSizes: limits.strictPassSizes,
    maxFrameBytes: limits.maxFrameBytes,
    maxPasses: limits.maxPasses,
  };
}

export function parseLimitsOf(limits: UntrustedLimits): Pick<ParseOptions, 'maxBytes' | 'maxJsonDepth'> {
  return { maxBytes: limits.maxDocumentBytes, maxJsonDepth: limits.maxJsonDepth };
}

function tooLarge(bytes: number, max: number, file?: string): ISFError {
  return new ISFError('ISF_TOO_LARGE', `Document is ${bytes} bytes, larger than the limit of ${max} bytes`, {
    file,
    line: 1,
    column: 1,
  });
}

/** ISF_TOO_LARGE when a source text is over the document limit (measured in UTF-8 bytes, as the parser does). */
export function checkSourceSize(source: string, limits: UntrustedLimits, file?: string): void {
  // A string of n UTF-16 units is at least n bytes, so the exact count is only needed near the limit.
  if (source.length > limits.maxDocumentBytes || Buffer.byteLength(source) > limits.maxDocumentBytes) {
    throw tooLarge(Buffer.byteLength(source), limits.maxDocumentBytes, file);
  }
}

/** ISF_TOO_LARGE from the file's size alone (nothing is read); a missing file is left to the loader. */
export async function checkFileSize(path: string, limits: UntrustedLimits): Promise<void> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    return; // the child reports ISF_FILE_NOT_FOUND with its usual message
  }
  if (size > limits.maxDocumentBytes) throw tooLarge(size, limits.maxDocumentBytes, resolve(path));
}

/** Render size and input images against the limits (SIZE_OUT_OF_RANGE, LIMIT_EXCEEDED, IMAGE_DECODE). */
export function checkJobSizes(
  job: { width: unknown; height: unknown; images?: Record<string, RawImage> },
  limits: UntrustedLimits,
): void {
  checkRenderSize(job.width, job.height, limits.maxRenderSize);
  for (const [name, image] of Object.entries(job.images ?? {})) {
    checkRawImage(name, image, limits.maxImageSide);
  }
}
