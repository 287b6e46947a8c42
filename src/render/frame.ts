/**
 * Frame: the pixels of one render, read back eagerly (so a Frame stays valid whatever happens to the context).
 * Pixels are RGBA8, top row first. Float output keeps its float readback too.
 *
 * A Frame stays valid for as long as it is held. release() is optional: it hands the pixel arrays back to the
 * renderer, which reuses them for a later frame (a fresh 8 MB array per 1080p frame costs more than the render
 * of a simple shader); the Frame is unusable afterwards (RESOURCE_DESTROYED).
 */
import { ISFError } from '../core/errors.ts';

/** Encoders are registered by the platform (src/node registers sharp; the browser a canvas encoder). */
export interface FrameEncoders {
  png?: (frame: FrameData, options: { depth: 8 | 16 }) => Promise<Uint8Array>;
}
export const frameEncoders: FrameEncoders = {};

export interface FrameData {
  readonly width: number;
  readonly height: number;
  /** RGBA8, top row first. */
  readonly pixels: Uint8Array;
  /** RGBA float, top row first; only for float output (last pass FLOAT). */
  readonly floatPixels: Float32Array | undefined;
}

export interface PassImage {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
  readonly floatPixels: Float32Array | undefined;
}

export interface FrameExtras {
  /** Pass buffers read back with readPasses. */
  passImages?: Map<string, PassImage>;
  /** The pixels are in GL's row order (row 0 at the bottom): flipped in place on first access. */
  bottomUp?: boolean;
  /** Called once by release() with the arrays to reuse. */
  recycle?: (pixels: Uint8Array | undefined, floatPixels: Float32Array | undefined) => void;
}

export class Frame implements FrameData {
  private rows: Uint8Array | undefined;
  private floatRows: Float32Array | undefined;
  private bottomUp: boolean;
  private readonly passImages: Map<string, PassImage>;
  private recycle: FrameExtras['recycle'];
  private released = false;

  /**
   * `pixels`/`floatPixels` are top row first, unless `bottomUp` says they are in GL's order (row 0 at the
   * bottom): then they are flipped in place the first time someone reads them, so a render loop that never
   * looks at the pixels (or hands them to an encoder that flips for free) does not pay for the flip.
   */
  constructor(
    readonly width: number,
    readonly height: number,
    pixels: Uint8Array | undefined,
    floatPixels: Float32Array | undefined,
    /** Times and indices this frame was rendered with. */
    readonly meta: { time: number; timeDelta: number; frameIndex: number; renderMs: number },
    extras: FrameExtras = {},
  ) {
    if (!pixels && !floatPixels) throw new ISFError('BAD_ARGUMENT', 'a Frame needs pixels or floatPixels');
    this.rows = pixels;
    this.floatRows = floatPixels;
    this.bottomUp = extras.bottomUp ?? false;
    this.passImages = extras.passImages ?? new Map();
    this.recycle = extras.recycle;
  }

  /**
   * Hands the pixel arrays back for reuse by later renders (when the renderer made them: not a caller's own
   * `render({ pixels })` array). Neither the Frame nor arrays taken from it may be used afterwards. Idempotent.
   */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.recycle?.(this.rows, this.floatRows);
    this.recycle = undefined;
    this.rows = undefined;
    this.floatRows = undefined;
  }

  get isReleased(): boolean {
    return this.released;
  }

  private assertNotReleased(): void {
    if (this.released) {
      throw new ISFError(
        'RESOURCE_DESTROYED',
        'this Frame was released: its pixels went back to the renderer',
      );
    }
  }

  private upright(): void {
    this.assertNotReleased();
    if (!this.bottomUp) return;
    if (this.rows) flipRows(this.rows, this.width, this.height);
    if (this.floatRows) flipRows(this.floatRows, this.width, this.height);
    this.bottomUp = false;
  }

  /** RGBA8, top row first (8-bit view of float output converted as GL would: round(clamp(v) * 255)). */
  get pixels(): Uint8Array {
    this.upright();
    this.rows ??= floatToBytes(this.floatRows!);
    return this.rows;
  }

  /** RGBA float, top row first; only for float output (last pass FLOAT). */
  get floatPixels(): Float32Array | undefined {
    this.upright();
    return this.floatRows;
  }

  get isFloat(): boolean {
    this.assertNotReleased();
    return this.floatRows !== undefined;
  }

  /** RGBA at (x, y), y = 0 being the top row. */
  pixel(x: number, y: number): [number, number, number, number] {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height) {
      throw new ISFError(
        'BAD_ARGUMENT',
        `pixel(${x}, ${y}) is outside the ${this.width}x${this.height} frame`,
      );
    }
    const i = (y * this.width + x) * 4;
    const p = this.pixels;
    return [p[i]!, p[i + 1]!, p[i + 2]!, p[i + 3]!];
  }

  /** Float RGBA, top row first: the real float output, or the 8-bit pixels scaled to 0..1. */
  readFloat(): Float32Array {
    if (this.floatPixels) return this.floatPixels;
    const out = new Float32Array(this.pixels.length);
    for (let i = 0; i < out.length; i++) out[i] = this.pixels[i]! / 255;
    return out;
  }

  /** A pass buffer read back with render({ readPasses: [name] }). */
  pass(name: string): PassImage {
    const p = this.passImages.get(name);
    if (!p) {
      const known = [...this.passImages.keys()];
      throw new ISFError(
        'BAD_ARGUMENT',
        `pass buffer "${name}" was not read back with this frame` +
          (known.length
            ? ` (read back: ${known.join(', ')})`
            : '; ask for it with render({ readPasses: ["name"] })'),
      );
    }
    return p;
  }

  /** PNG bytes: 8-bit, or 16-bit from float output with { depth: 16 }. */
  async toPNG(options: { depth?: 8 | 16 } = {}): Promise<Uint8Array> {
    if (!frameEncoders.png) {
      throw new ISFError(
        'GL_UNSUPPORTED',
        'no PNG encoder registered: import isf-renderer from its Node entry',
      );
    }
    return frameEncoders.png(this, { depth: options.depth ?? 8 });
  }
}

/** Flips rows in place of an RGBA buffer (GL's row 0 is the bottom; ours is the top). */
export function flipRows<T extends Uint8Array | Float32Array>(data: T, width: number, height: number): T {
  const stride = width * 4;
  const tmp = data.slice(0, stride) as T;
  for (let top = 0, bottom = height - 1; top < bottom; top++, bottom--) {
    const a = top * stride;
    const b = bottom * stride;
    tmp.set(data.subarray(a, a + stride));
    data.copyWithin(a, b, b + stride);
    data.set(tmp, b);
  }
  return data;
}

/** Float RGBA to RGBA8 the way GL converts: round(clamp(v, 0, 1) * 255). */
export function floatToBytes(src: Float32Array): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    out[i] = v >= 1 ? 255 : v > 0 ? Math.round(v * 255) : 0;
  }
  return out;
}
