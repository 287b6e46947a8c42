/**
 * FramePipeline: pipelined readback for sequences. Frame k+1 is drawn before frame k's bytes are taken, so the
 * rasterizer works on k+1 while the caller reads and encodes k; at most two frames are in flight
 * (double-buffered). The bytes are exactly those of Scene.render() (same draw, same GPU flip;
 * test/render/pipeline.test.ts). How frame k waits for its turn depends on where the rasterizer runs:
 *
 * - a GPU (and WebGL2): frame k is read into a pixel-pack buffer (PBO) behind a fence right after it is drawn,
 *   and copied out of the PBO after frame k+1 is drawn: the GPU does the read while the CPU does other work.
 * - a software rasterizer in this process (Mesa llvmpipe / softpipe): frame k's output target is kept (one more
 *   reference), its draw flushed to the rasterizer's threads, and the frame is read with a plain glReadPixels
 *   at the next submit, before frame k+1 is drawn. There a read waits for every draw queued before it (even one
 *   into another target) and a PBO is ordinary memory read into synchronously: the PBO path cost the same wait,
 *   the same read, a second 8 MB copy out of the buffer and two buffer allocations per sequence, and made a
 *   1080p PNG sequence slower than no pipeline at all (docs/benchmarks.md, section 7). Read first, then drawn:
 *   the rasterizer draws frame k+1 while the caller encodes frame k, and reading frame k+1 later waits for
 *   nothing else.
 *
 * Frames that need more than one target read (readPasses) are read synchronously, as render() does.
 *
 * `synchronous: true` turns the overlap off and nothing else: every frame is rendered and read with
 * Scene.render() and handed back one submit later, as the pipelined path hands it back, so a caller's code runs
 * the same. It is the unpipelined baseline that `npm run bench` (section "sequence") measures the pipeline
 * against; FramePipeline is not part of the package's API.
 */
import { ISFError } from '../core/errors.ts';
import type { GL2, GLBuffer, GLSync } from '../gl/gl2.ts';
import type { RenderTarget } from './buffer-pool.ts';
import type { GLContext } from './context.ts';
import { Frame } from './frame.ts';
import type { FrameSource, RenderOptions } from './frame-source.ts';
import type { DrawnFrame } from './readback.ts';

interface Slot {
  buffer: GLBuffer;
  size: number;
  generation: number;
}

interface InFlight {
  /** Read into a PBO behind a fence (GPU), or the output target kept to be read later (software rasterizer). */
  read: { slot: Slot; fence: GLSync | null } | { target: RenderTarget; generation: number };
  width: number;
  height: number;
  float: boolean;
  bottomUp: boolean;
  meta: Frame['meta'];
  startedAt: number;
  own: Uint8Array | undefined;
}

export interface FramePipelineOptions {
  /** Render and read every frame synchronously (Scene.render): the unpipelined baseline. Default false. */
  synchronous?: boolean;
  /**
   * How frames are read: 'pbo' (pixel-pack buffers behind fences) or 'kept-target' (see above). Default: by
   * rasterizer, 'kept-target' on llvmpipe/softpipe in Node, else 'pbo'. Tests force each on one machine.
   */
  read?: 'pbo' | 'kept-target';
}

/** Rasterizers that run on this process's CPU threads, where a PBO is plain memory read synchronously. */
const SOFTWARE_RASTERIZER = /\b(llvmpipe|softpipe)\b/i;

export class FramePipeline {
  private readonly slots: Slot[] = [];
  private next = 0;
  private inFlight: InFlight | Frame | undefined;
  private closed = false;
  private readonly synchronous: boolean;
  private keepTargets: boolean | undefined;

  constructor(
    readonly scene: FrameSource,
    options: FramePipelineOptions = {},
  ) {
    this.synchronous = options.synchronous === true;
    if (options.read !== undefined) this.keepTargets = options.read === 'kept-target';
  }

  /** True where frames are read from kept targets rather than through PBOs (see the file's comment). */
  private get readsKeptTargets(): boolean {
    if (this.keepTargets === undefined) {
      const info = this.context.info();
      this.keepTargets = info.backend !== 'webgl2' && SOFTWARE_RASTERIZER.test(info.renderer);
    }
    return this.keepTargets;
  }

  private get context(): GLContext {
    return this.scene.context;
  }

  /**
   * Draws a frame and starts reading it back; returns the frame submitted before it, finished (undefined on the
   * first call). Options are render()'s; `pixels` is honoured (the array is filled when the frame is returned).
   */
  submit(options: RenderOptions): Frame | undefined {
    if (this.closed) throw new ISFError('RESOURCE_DESTROYED', 'this FramePipeline was closed');
    const gpu = this.context.options.flip === 'gpu';
    const draw = () =>
      this.synchronous || options.readPasses?.length
        ? this.scene.render(options) // unpipelined, or several targets to read: the synchronous path
        : this.scene.draw(options, gpu, (gl, drawn) => this.start(gl, drawn, options.pixels));
    if (!this.readsKeptTargets) {
      // GPU: the next draw is queued behind the previous frame's read, then that read is waited for.
      const started = draw();
      const previous = this.take();
      this.inFlight = started;
      return previous;
    }
    // Software rasterizer: any read waits for every draw queued before it, so the previous frame is read first
    // (its drawing has had the caller's whole turn to finish) and the next one is drawn after, in the
    // rasterizer's threads, while the caller handles the previous one.
    const previous = this.take();
    try {
      this.inFlight = draw();
    } catch (e) {
      this.inFlight = previous; // still handed over by flush()
      throw e;
    }
    return previous;
  }

  /** The last frame submitted, finished (undefined when none is pending). */
  flush(): Frame | undefined {
    return this.take();
  }

  /** Frees the pixel-pack buffers; a frame still in flight is dropped. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const pending = this.inFlight;
    this.inFlight = undefined;
    const current = this.context.state === 'ready';
    if (pending && !(pending instanceof Frame)) {
      if ('target' in pending.read) pending.read.target.release();
      else if (pending.read.fence && current)
        this.context.use('close a pipeline').deleteSync(pending.read.fence);
    }
    for (const slot of this.slots) {
      if (current && slot.generation === this.context.generation)
        this.context.use('close a pipeline').deleteBuffer(slot.buffer);
    }
    this.slots.length = 0;
  }

  private take(): Frame | undefined {
    const pending = this.inFlight;
    this.inFlight = undefined;
    if (!pending || pending instanceof Frame) return pending;
    return this.finish(pending);
  }

  /**
   * Inside Scene.draw: the output is alive. Starts its read (flipped if needed): into the next PBO behind a
   * fence, or by keeping the target for finish() on a software rasterizer.
   */
  private start(gl: GL2, drawn: DrawnFrame, own: Uint8Array | undefined): InFlight {
    const { width, height } = drawn.output;
    const float = drawn.output.format !== 'rgba8';
    const bytes = width * height * (float ? 16 : 4);
    if (own && !float && own.length !== width * height * 4) {
      throw new ISFError(
        'BAD_ARGUMENT',
        `render({ pixels }) needs a Uint8Array of ${width * height * 4} bytes, got ${own.length}`,
      );
    }
    const gpu = this.context.options.flip === 'gpu';
    let source: RenderTarget = drawn.output;
    let scratch: RenderTarget | undefined;
    if (gpu && !drawn.topDown) {
      // An upright output (a persistent last pass): an inverted blit first, as readFlipped() does.
      scratch = this.context.pool.createBuffer({ width, height, float });
      gl.bindFramebuffer(gl.READ_FRAMEBUFFER, drawn.output.framebuffer);
      gl.bindFramebuffer(gl.DRAW_FRAMEBUFFER, scratch.framebuffer);
      gl.blitFramebuffer(0, 0, width, height, 0, height, width, 0, gl.COLOR_BUFFER_BIT, gl.NEAREST);
      gl.bindFramebuffer(gl.READ_FRAMEBUFFER, null);
      gl.bindFramebuffer(gl.DRAW_FRAMEBUFFER, null);
      source = scratch;
    }
    const common = {
      width,
      height,
      float,
      bottomUp: !gpu,
      meta: { ...drawn.timing, renderMs: 0 },
      startedAt: drawn.startedAt,
      own,
    };
    if (this.readsKeptTargets) {
      // Kept until finish() reads it: the scratch copy, or the output itself (one more reference).
      const target = scratch ?? drawn.output.retain();
      scratch = undefined;
      gl.flush(); // the rasterizer's threads draw it while the caller handles the frame before
      return { ...common, read: { target, generation: this.context.generation } };
    }
    try {
      const slot = this.slot(gl, bytes);
      gl.bindFramebuffer(gl.FRAMEBUFFER, source.framebuffer);
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, slot.buffer);
      gl.readPixels(0, 0, width, height, gl.RGBA, float ? gl.FLOAT : gl.UNSIGNED_BYTE, 0);
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
      const fence = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0);
      gl.flush(); // start the work now: the caller encodes the previous frame meanwhile
      return { ...common, read: { slot, fence } };
    } finally {
      scratch?.release(); // GL orders the read before any later write into it
    }
  }

  private finish(p: InFlight): Frame {
    const context = this.context;
    const gl = context.use('finish a pipelined readback');
    const read = p.read;
    const generation = 'target' in read ? read.generation : read.slot.generation;
    if (generation !== context.generation || ('target' in read && read.target.destroyed)) {
      if ('target' in read) read.target.release();
      throw new ISFError(
        'GL_CONTEXT_LOST',
        `${context}: the context was recreated while a frame was being read back`,
      );
    }
    const arrays = context.pixelArrays;
    const length = p.width * p.height * 4;
    const pixels = p.float ? undefined : (p.own ?? arrays.bytes(length));
    const floatPixels = p.float ? arrays.floats(length) : undefined;
    if ('target' in read) {
      // The draw of the next frame is with the rasterizer: reading this one waits only for its own drawing.
      try {
        // READ_FRAMEBUFFER only: the draw framebuffer stays the next frame's, so nothing waits for its drawing.
        gl.bindFramebuffer(gl.READ_FRAMEBUFFER, read.target.framebuffer);
        gl.readPixels(
          0,
          0,
          p.width,
          p.height,
          gl.RGBA,
          p.float ? gl.FLOAT : gl.UNSIGNED_BYTE,
          (pixels ?? floatPixels)!,
        );
        gl.bindFramebuffer(gl.READ_FRAMEBUFFER, null);
      } finally {
        read.target.release();
      }
    } else {
      if (read.fence) {
        // Node (EGL): wait for the fence here, so the copy below never stalls inside the driver. WebGL2 allows no
        // client wait (MAX_CLIENT_WAIT_TIMEOUT_WEBGL is 0): getBufferSubData waits itself.
        if (context.info().backend !== 'webgl2') {
          gl.clientWaitSync(read.fence, gl.SYNC_FLUSH_COMMANDS_BIT, 10_000_000_000);
        }
        gl.deleteSync(read.fence);
      }
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, read.slot.buffer);
      gl.getBufferSubData(gl.PIXEL_PACK_BUFFER, 0, (pixels ?? floatPixels)!);
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
    }
    if (context.options.checkErrors) context.checkErrors('reading a frame back');
    const meta = { ...p.meta, renderMs: performance.now() - p.startedAt };
    const own = p.own;
    return new Frame(p.width, p.height, pixels, floatPixels, meta, {
      bottomUp: p.bottomUp,
      recycle: (a, f) => arrays.recycle(a === own ? undefined : a, f),
    });
  }

  /** The next PBO in turn, (re)allocated at `bytes`. */
  private slot(gl: GL2, bytes: number): Slot {
    const generation = this.context.generation;
    const index = this.next;
    this.next = (this.next + 1) % 2;
    let slot = this.slots[index];
    if (slot && slot.generation !== generation) slot = undefined; // died with the old context
    if (!slot) {
      const buffer = gl.createBuffer();
      if (!buffer) throw new ISFError('GL_ERROR', `${this.context}: could not create a pixel-pack buffer`);
      slot = { buffer, size: -1, generation };
      this.slots[index] = slot;
    }
    if (slot.size !== bytes) {
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, slot.buffer);
      gl.bufferData(gl.PIXEL_PACK_BUFFER, bytes, gl.STREAM_READ);
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
      slot.size = bytes;
    }
    return slot;
  }
}
