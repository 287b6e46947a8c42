/**
 * Showing frames on the context's own canvas.
 *
 * The preview path (draw(), renderToCanvas) never reads pixels back: the scene draws the frame into its own
 * framebuffers and the last pass's target is blitted straight to the canvas's default framebuffer (both are in
 * GL's row order, so no flip). Only float output, which GLES 3 cannot blit into the canvas's RGBA8 buffer, is read
 * back and uploaded. present(frame) shows a Frame that was read back anyway (Save PNG): its pixels are uploaded
 * into one texture and blitted, flipped (Frame rows are top first). No 2D canvas, no extra draw program.
 */

import { ISFError } from '../core/errors.ts';
import type { GL2 } from '../gl/gl2.ts';
import type { GLContext } from '../render/context.ts';
import type { Frame, FrameData } from '../render/frame.ts';
import { floatToBytes } from '../render/frame.ts';
import { readTarget } from '../render/readback.ts';
import type { Texture2D } from '../render/resources.ts';
import type { DrawnFrame, RenderOptions, Scene } from '../render/scene.ts';
import type { BrowserCanvas } from './backend.ts';
import { canvasOf } from './context.ts';

export class FramePresenter {
  private texture: Texture2D | undefined;
  private framebuffer: WebGLFramebuffer | null = null;

  constructor(
    readonly context: GLContext,
    readonly canvas: BrowserCanvas,
  ) {}

  /**
   * Draws the scene's frame and copies it straight onto the canvas (resized to the frame): no readback, no
   * upload. Returns the frame's size and timing, without pixels (render() when you want those).
   */
  draw(scene: Scene, options: RenderOptions): ShownFrame {
    if (scene.context !== this.context) {
      throw new ISFError('BAD_ARGUMENT', `${scene} renders on ${scene.context}, not on ${this.context}`);
    }
    return scene.draw(options, false, (gl, drawn) => this.show(gl, drawn));
  }

  private show(gl: GL2, drawn: DrawnFrame): ShownFrame {
    const { output } = drawn;
    const { width, height } = output;
    const shown: ShownFrame = {
      width,
      height,
      meta: { ...drawn.timing, renderMs: performance.now() - drawn.startedAt },
    };
    if (output.format !== 'rgba8') {
      // A float target cannot be blitted into the canvas's RGBA8 buffer: read it (GL's row order) and upload it.
      const { floatPixels } = readTarget(gl, output, this.context.pixelArrays);
      this.upload(gl, width, height, floatToBytes(floatPixels!));
      this.context.pixelArrays.recycle(undefined, floatPixels);
      this.blitToCanvas(gl, this.framebuffer, width, height, false);
      return shown;
    }
    this.resizeCanvas(width, height);
    this.blitToCanvas(gl, output.framebuffer, width, height, false);
    return shown;
  }

  /** Resizes the canvas to the frame and draws it there. */
  present(frame: FrameData): void {
    const gl = this.context.use('present a frame');
    const { width, height } = frame;
    this.upload(gl, width, height, frame.pixels);
    // Texture row 0 holds the frame's top row; the canvas's row 0 is its bottom: flip while copying.
    this.blitToCanvas(gl, this.framebuffer, width, height, true);
  }

  private resizeCanvas(width: number, height: number): void {
    if (this.canvas.width !== width) this.canvas.width = width;
    if (this.canvas.height !== height) this.canvas.height = height;
  }

  /** Puts RGBA8 rows into the presenter's texture (sized to the frame), and sizes the canvas. */
  private upload(gl: GL2, width: number, height: number, pixels: Uint8Array): void {
    this.resizeCanvas(width, height);
    const tex = this.texture;
    if (!tex || tex.generation !== this.context.generation || tex.width !== width || tex.height !== height) {
      this.release();
      this.texture = this.context.createTexture(width, height, 'rgba8', pixels);
      this.framebuffer = gl.createFramebuffer();
      gl.bindFramebuffer(gl.FRAMEBUFFER, this.framebuffer);
      gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, this.texture.handle, 0);
      gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    } else {
      gl.bindTexture(gl.TEXTURE_2D, tex.handle);
      gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, pixels);
      gl.bindTexture(gl.TEXTURE_2D, null);
    }
  }

  private blitToCanvas(
    gl: GL2,
    source: WebGLFramebuffer | null,
    width: number,
    height: number,
    flip: boolean,
  ): void {
    gl.bindFramebuffer(gl.READ_FRAMEBUFFER, source);
    gl.bindFramebuffer(gl.DRAW_FRAMEBUFFER, null);
    gl.blitFramebuffer(
      0,
      0,
      width,
      height,
      0,
      flip ? height : 0,
      width,
      flip ? 0 : height,
      gl.COLOR_BUFFER_BIT,
      gl.NEAREST,
    );
    gl.bindFramebuffer(gl.READ_FRAMEBUFFER, null);
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
  }

  /** Frees the texture and framebuffer (handles of a lost generation are only forgotten). */
  release(): void {
    const tex = this.texture;
    if (tex && tex.generation === this.context.generation && this.context.state === 'ready') {
      this.context.use('release the presenter').deleteFramebuffer(this.framebuffer);
    }
    if (tex) this.context.deleteTexture(tex);
    this.texture = undefined;
    this.framebuffer = null;
  }
}

const presenters = new WeakMap<GLContext, FramePresenter>();

/** A frame shown on the canvas by the preview path: its size and timing, no pixels. */
export interface ShownFrame {
  readonly width: number;
  readonly height: number;
  readonly meta: Frame['meta'];
}

/** The presenter of a context made by createBrowserContext. */
function presenterOf(context: GLContext): FramePresenter {
  let presenter = presenters.get(context);
  if (!presenter) {
    const canvas = canvasOf(context);
    if (!canvas) {
      throw new ISFError(
        'BAD_ARGUMENT',
        `${context} was not made by createBrowserContext: it has no canvas to draw on`,
      );
    }
    presenter = new FramePresenter(context, canvas);
    presenters.set(context, presenter);
  }
  return presenter;
}

/** Draws a frame (read back before, e.g. by scene.render()) on the canvas of a context made by createBrowserContext. */
export function presentFrame(context: GLContext, frame: FrameData): void {
  presenterOf(context).present(frame);
}

/**
 * Draws a frame of the scene straight onto its context's canvas: no pixels are read back (scene.render() gives
 * them, e.g. for Save PNG). Returns the frame's size and timing.
 */
export function renderToCanvas(scene: Scene, options: RenderOptions): ShownFrame {
  return presenterOf(scene.context).draw(scene, options);
}
