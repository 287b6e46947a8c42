/**
 * Showing frames on the context's own canvas. A scene renders into its own framebuffers and reads the result
 * back into a Frame; to display it we upload those pixels into one texture and blit it to the canvas's default
 * framebuffer, flipped (Frame rows are top first, GL's are bottom first). No 2D canvas, no extra draw program.
 */

import { ISFError } from '../core/errors.ts';
import type { GLContext } from '../render/context.ts';
import type { Frame, FrameData } from '../render/frame.ts';
import type { Texture2D } from '../render/resources.ts';
import type { RenderOptions, Scene } from '../render/scene.ts';
import type { BrowserCanvas } from './backend.ts';
import { canvasOf } from './context.ts';

export class FramePresenter {
  private texture: Texture2D | undefined;
  private framebuffer: WebGLFramebuffer | null = null;

  constructor(
    readonly context: GLContext,
    readonly canvas: BrowserCanvas,
  ) {}

  /** Resizes the canvas to the frame and draws it there. */
  present(frame: FrameData): void {
    const gl = this.context.use('present a frame');
    const { width, height } = frame;
    if (this.canvas.width !== width) this.canvas.width = width;
    if (this.canvas.height !== height) this.canvas.height = height;
    const tex = this.texture;
    if (!tex || tex.generation !== this.context.generation || tex.width !== width || tex.height !== height) {
      this.release();
      this.texture = this.context.createTexture(width, height, 'rgba8', frame.pixels);
      this.framebuffer = gl.createFramebuffer();
      gl.bindFramebuffer(gl.FRAMEBUFFER, this.framebuffer);
      gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, this.texture.handle, 0);
    } else {
      gl.bindTexture(gl.TEXTURE_2D, tex.handle);
      gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, frame.pixels);
      gl.bindTexture(gl.TEXTURE_2D, null);
    }
    gl.bindFramebuffer(gl.READ_FRAMEBUFFER, this.framebuffer);
    gl.bindFramebuffer(gl.DRAW_FRAMEBUFFER, null);
    // Texture row 0 holds the frame's top row; the canvas's row 0 is its bottom: flip while copying.
    gl.blitFramebuffer(0, 0, width, height, 0, height, width, 0, gl.COLOR_BUFFER_BIT, gl.NEAREST);
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

/** Draws a frame on the canvas of a context made by createBrowserContext. */
export function presentFrame(context: GLContext, frame: FrameData): void {
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
  presenter.present(frame);
}

/** scene.render() and show the frame on the scene's canvas; returns the frame (pixels read back, as always). */
export function renderToCanvas(scene: Scene, options: RenderOptions): Frame {
  const frame = scene.render(options);
  presentFrame(scene.context, frame);
  return frame;
}
