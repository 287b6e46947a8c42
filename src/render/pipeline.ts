/**
 * FramePipeline: pipelined readback for sequences. Frame k is read into a pixel-pack buffer (PBO) behind a fence
 * right after it is drawn; frame k+1 is drawn before frame k's bytes are copied out, so the rasterizer works on
 * k+1 while the caller reads and encodes k. Two PBOs, used in turn (double-buffered): at most two frames are in
 * flight. The bytes are exactly those of Scene.render() (same draw, same GPU flip; test/render/pipeline.test.ts).
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
import type { DrawnFrame, RenderOptions, Scene } from './scene.ts';

interface Slot {
  buffer: GLBuffer;
  size: number;
  generation: number;
}

interface InFlight {
  slot: Slot;
  fence: GLSync | null;
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
}

export class FramePipeline {
  private readonly slots: Slot[] = [];
  private next = 0;
  private inFlight: InFlight | Frame | undefined;
  private closed = false;
  private readonly synchronous: boolean;

  constructor(
    readonly scene: Scene,
    options: FramePipelineOptions = {},
  ) {
    this.synchronous = options.synchronous === true;
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
    const started =
      this.synchronous || options.readPasses?.length
        ? this.scene.render(options) // unpipelined, or several targets to read: the synchronous path
        : this.scene.draw(options, gpu, (gl, drawn) => this.start(gl, drawn, options.pixels));
    const previous = this.take();
    this.inFlight = started;
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
    if (pending && !(pending instanceof Frame) && pending.fence && current) {
      this.context.use('close a pipeline').deleteSync(pending.fence);
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

  /** Inside Scene.draw: the output is alive. Reads it (flipped if needed) into the next PBO, behind a fence. */
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
    try {
      const slot = this.slot(gl, bytes);
      gl.bindFramebuffer(gl.FRAMEBUFFER, source.framebuffer);
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, slot.buffer);
      gl.readPixels(0, 0, width, height, gl.RGBA, float ? gl.FLOAT : gl.UNSIGNED_BYTE, 0);
      gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
      const fence = gl.fenceSync(gl.SYNC_GPU_COMMANDS_COMPLETE, 0);
      gl.flush(); // start the work now: the caller encodes the previous frame meanwhile
      return {
        slot,
        fence,
        width,
        height,
        float,
        bottomUp: !gpu,
        meta: { ...drawn.timing, renderMs: 0 },
        startedAt: drawn.startedAt,
        own,
      };
    } finally {
      scratch?.release(); // GL orders the read before any later write into it
    }
  }

  private finish(p: InFlight): Frame {
    const context = this.context;
    const gl = context.use('finish a pipelined readback');
    if (p.slot.generation !== context.generation) {
      throw new ISFError(
        'GL_CONTEXT_LOST',
        `${context}: the context was recreated while a frame was being read back`,
      );
    }
    if (p.fence) {
      // Node (EGL): wait for the fence here, so the copy below never stalls inside the driver. WebGL2 allows no
      // client wait (MAX_CLIENT_WAIT_TIMEOUT_WEBGL is 0): getBufferSubData waits itself.
      if (context.info().backend !== 'webgl2') {
        gl.clientWaitSync(p.fence, gl.SYNC_FLUSH_COMMANDS_BIT, 10_000_000_000);
      }
      gl.deleteSync(p.fence);
    }
    const arrays = context.pixelArrays;
    const length = p.width * p.height * 4;
    const pixels = p.float ? undefined : (p.own ?? arrays.bytes(length));
    const floatPixels = p.float ? arrays.floats(length) : undefined;
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, p.slot.buffer);
    gl.getBufferSubData(gl.PIXEL_PACK_BUFFER, 0, (pixels ?? floatPixels)!);
    gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
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
