/**
 * Reading render targets back, top row first, without a pass over the pixels on the CPU.
 *
 * GL's row 0 is the bottom row; a Frame's is the top. The scene draws the last pass of a frame upside down
 * (uniform isf_FlipY, see src/core/glsl/generate.ts), so a plain glReadPixels of it is already top row first.
 * Targets that must stay upright because a later pass or frame samples them (a persistent last pass, pass
 * buffers asked for with readPasses) are copied with an inverted blitFramebuffer into a scratch target first:
 * one GPU copy, exact for every format (NEAREST). The context option `flip: 'cpu'` instead reads GL's rows as they
 * are and lets Frame flip them in JS: the reference the GPU flip is tested against.
 */
import { ISFError } from '../core/errors.ts';
import type { GL2 } from '../gl/gl2.ts';
import type { BufferPool, RenderTarget } from './buffer-pool.ts';
import { Frame, flipRows, floatToBytes, type PassImage } from './frame.ts';

/** A frame just drawn, its buffers still alive (Scene.draw). */
export interface DrawnFrame {
  /** The last pass's target. */
  readonly output: RenderTarget;
  /** True when `output` was drawn upside down: its GL row 0 is the frame's top row. */
  readonly topDown: boolean;
  /** A pass target of this frame by name (persistent or temporary), for readPasses. */
  target(name: string): RenderTarget | undefined;
  /** TIME, TIMEDELTA, FRAMEINDEX of the frame. */
  readonly timing: { time: number; timeDelta: number; frameIndex: number };
  /** performance.now() when the frame started: renderMs counts until its pixels are read. */
  readonly startedAt: number;
}

/** What readFrame() reads with: the context's pool and recycled arrays, and its flip option. */
export interface ReadContext {
  pool: BufferPool;
  arrays: PixelArrays;
  /** The context's flip is 'gpu' (rows come top row first) rather than 'cpu' (Frame flips them). */
  gpu: boolean;
}

/**
 * Reads a drawn frame into a Frame: its output, top row first, and the pass targets named in `readPasses`
 * (BAD_ARGUMENT for a name that is not one of `doc`'s targets). `pixels` is the caller's own array for the output.
 */
export function readFrame(
  gl: GL2,
  context: ReadContext,
  drawn: DrawnFrame,
  doc: { name: string; passes: readonly { target?: string }[] },
  options: { readPasses?: string[]; pixels?: Uint8Array },
): Frame {
  const { pool, arrays, gpu } = context;
  const read = (buffer: RenderTarget, drawnTopDown: boolean, into?: Uint8Array) =>
    drawnTopDown || !gpu ? readTarget(gl, buffer, arrays, into) : readFlipped(gl, pool, buffer, arrays, into);
  const { pixels, floatPixels } = read(drawn.output, drawn.topDown, options.pixels);
  const passes = new Map<string, PassImage>();
  for (const name of options.readPasses ?? []) {
    const buffer = drawn.target(name);
    if (!buffer) {
      const targets = doc.passes.map((p) => p.target).filter(Boolean);
      throw new ISFError(
        'BAD_ARGUMENT',
        `readPasses: "${name}" is not a pass target of ${doc.name} (targets: ${targets.join(', ') || 'none'})`,
      );
    }
    const img = read(buffer, buffer === drawn.output && drawn.topDown);
    const upright = <A extends Uint8Array | Float32Array>(a: A) =>
      gpu ? a : flipRows(a, buffer.width, buffer.height);
    const floatPixels = img.floatPixels && upright(img.floatPixels);
    passes.set(name, {
      name,
      width: buffer.width,
      height: buffer.height,
      pixels: img.pixels ? upright(img.pixels) : floatToBytes(floatPixels!),
      floatPixels,
    });
  }
  const own = options.pixels;
  const meta = { ...drawn.timing, renderMs: performance.now() - drawn.startedAt };
  return new Frame(drawn.output.width, drawn.output.height, pixels, floatPixels, meta, {
    passImages: passes,
    bottomUp: !gpu,
    // The caller's own render({ pixels }) array is theirs: only arrays we made are recycled.
    recycle: (p, f) => arrays.recycle(p === own ? undefined : p, f),
  });
}

export interface ReadPixels {
  /** RGBA8 (undefined for float targets: GLES 3 reads those only as float). */
  pixels: Uint8Array | undefined;
  floatPixels: Float32Array | undefined;
}

/** Reads a target in the order its rows are stored (GL's: bottom row first, unless it was drawn upside down). */
export function readTarget(
  gl: GL2,
  buffer: RenderTarget,
  arrays: PixelArrays,
  into?: Uint8Array,
): ReadPixels {
  const { width, height } = buffer;
  gl.bindFramebuffer(gl.FRAMEBUFFER, buffer.framebuffer);
  if (buffer.format === 'rgba8') {
    const size = width * height * 4;
    if (into && into.length !== size) {
      throw new ISFError(
        'BAD_ARGUMENT',
        `render({ pixels }) needs a Uint8Array of ${size} bytes, got ${into.length}`,
      );
    }
    const pixels = into ?? arrays.bytes(size);
    gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
    return { pixels, floatPixels: undefined };
  }
  const floatPixels = arrays.floats(width * height * 4);
  gl.readPixels(0, 0, width, height, gl.RGBA, gl.FLOAT, floatPixels);
  return { pixels: undefined, floatPixels };
}

/**
 * Reads an upright target (GL's row order) top row first: an inverted blit into a scratch target of the same
 * format, then a plain read. The scratch target goes back to the pool at once.
 */
export function readFlipped(
  gl: GL2,
  pool: BufferPool,
  buffer: RenderTarget,
  arrays: PixelArrays,
  into?: Uint8Array,
): ReadPixels {
  const { width, height } = buffer;
  const scratch = pool.createBuffer({ width, height, float: buffer.format !== 'rgba8' });
  try {
    gl.bindFramebuffer(gl.READ_FRAMEBUFFER, buffer.framebuffer);
    gl.bindFramebuffer(gl.DRAW_FRAMEBUFFER, scratch.framebuffer);
    gl.blitFramebuffer(0, 0, width, height, 0, height, width, 0, gl.COLOR_BUFFER_BIT, gl.NEAREST);
    gl.bindFramebuffer(gl.READ_FRAMEBUFFER, null);
    gl.bindFramebuffer(gl.DRAW_FRAMEBUFFER, null);
    return readTarget(gl, scratch, arrays, into);
  } finally {
    scratch.release();
  }
}

/**
 * Pixel arrays for frames, recycled: a 1080p RGBA8 frame is 8 MB, and a fresh array costs far more than the
 * readback itself (the page faults of first touching new memory: 3-4.5 ms per 1080p frame on llvmpipe, more than
 * a GPU frame). Frames hand their arrays back on Frame.release(); arrays of frames never released are simply
 * collected by the garbage collector. Keeps at most `maxIdle` idle arrays of each kind.
 */
export class PixelArrays {
  private readonly idleBytes: Uint8Array[] = [];
  private readonly idleFloats: Float32Array[] = [];

  constructor(readonly maxIdle = 4) {}

  /** An array of `length` bytes, contents undefined (readPixels overwrites every byte). */
  bytes(length: number): Uint8Array {
    return take(this.idleBytes, length) ?? new Uint8Array(length);
  }

  floats(length: number): Float32Array {
    return take(this.idleFloats, length) ?? new Float32Array(length);
  }

  /** Gives arrays back for reuse; the caller must not touch them afterwards. */
  recycle(pixels: Uint8Array | undefined, floatPixels: Float32Array | undefined): void {
    if (pixels) keep(this.idleBytes, pixels, this.maxIdle);
    if (floatPixels) keep(this.idleFloats, floatPixels, this.maxIdle);
  }

  /** Idle arrays held (for tests and stats). */
  get idle(): number {
    return this.idleBytes.length + this.idleFloats.length;
  }

  clear(): void {
    this.idleBytes.length = 0;
    this.idleFloats.length = 0;
  }
}

function take<T extends Uint8Array | Float32Array>(list: T[], length: number): T | undefined {
  for (let i = list.length - 1; i >= 0; i--) {
    const a = list[i]!;
    if (a.length === length) {
      list.splice(i, 1);
      return a;
    }
  }
  return undefined;
}

function keep<T extends Uint8Array | Float32Array>(list: T[], array: T, max: number): void {
  // Only whole arrays (not views into a caller's larger buffer), and never twice.
  if (array.byteOffset !== 0 || array.byteLength !== array.buffer.byteLength || list.includes(array)) return;
  list.push(array);
  if (list.length > max) list.shift();
}
