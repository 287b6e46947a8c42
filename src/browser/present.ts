/**
 * Showing frames on the context's own canvas.
 *
 * The preview path (draw(), renderToCanvas) never reads pixels back and makes no copy: the scene draws the frame's
 * last pass straight into the canvas's default framebuffer (Scene.draw with a screen). Only a persistent last pass
 * (which the next frame samples, so it must live in its own target) is drawn into its target and then copied onto
 * the canvas by a one-texel-per-pixel shader, float targets included (GL clamps and converts to the canvas's 8
 * bits). present(frame) shows a Frame that was read back anyway (Save PNG): its pixels are uploaded into one
 * texture and copied the same way, flipped (Frame rows are top first).
 *
 * Measured under SwiftShader (docs/benchmarks.md, issue 16): copying a 1080p target into the canvas cost 50 to 120
 * ms whether by blitFramebuffer or by a textured draw, against ~15 ms for the trivial frame's own draw; so the last
 * pass goes to the canvas itself. The rare copy is a draw rather than a blit because GLES 3 cannot blit a float
 * target into the canvas's 8-bit buffer, and one copy serves both.
 */

import { ISFError } from '../core/errors.ts';
import type { GeneratedShaders } from '../core/glsl/index.ts';
import type { GL2 } from '../gl/gl2.ts';
import type { GLContext } from '../render/context.ts';
import type { Frame, FrameData } from '../render/frame.ts';
import type { CompiledProgram } from '../render/program-cache.ts';
import type { Texture2D } from '../render/resources.ts';
import type { RenderOptions, Scene, ScreenFrame, ScreenOutput } from '../render/scene.ts';
import type { BrowserCanvas } from './backend.ts';
import { canvasOf } from './context.ts';

/** Copies texel (x, y) of `source` to pixel (x, y), or to row height-1-y when flipped; attribute 0 is the quad. */
const COPY_SHADERS: GeneratedShaders = {
  dialect: 'es300',
  vertex: `#version 300 es
in vec2 VERTEXDATA;
void main() { gl_Position = vec4(VERTEXDATA, 0.0, 1.0); }
`,
  fragment: `#version 300 es
precision highp float;
precision highp sampler2D;
uniform sampler2D source;
uniform bool flipped;
out vec4 color;
void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  if (flipped) p.y = textureSize(source, 0).y - 1 - p.y;
  color = texelFetch(source, p, 0);
}
`,
  fragmentLineMap: [],
  vertexLineMap: [],
  samplers: [],
  renamed: [],
  warnings: [],
};

export class FramePresenter {
  private texture: Texture2D | undefined;
  private copyProgram: CompiledProgram | undefined;
  private readonly screen: ScreenOutput = { resize: (width, height) => this.resizeCanvas(width, height) };

  constructor(
    readonly context: GLContext,
    readonly canvas: BrowserCanvas,
  ) {}

  /**
   * Draws the scene's frame onto the canvas (resized to the frame): no readback, no upload. Returns the frame's
   * size and timing, without pixels (render() when you want those).
   */
  draw(scene: Scene, options: RenderOptions): ShownFrame {
    if (scene.context !== this.context) {
      throw new ISFError('BAD_ARGUMENT', `${scene} renders on ${scene.context}, not on ${this.context}`);
    }
    return scene.draw(options, this.screen, (gl, drawn) => this.show(gl, drawn));
  }

  private show(gl: GL2, drawn: ScreenFrame): ShownFrame {
    const { output } = drawn;
    if (output) {
      // A persistent last pass stays in its target for the next frame: copy it (GL's row order, no flip).
      this.resizeCanvas(output.width, output.height);
      this.copyToCanvas(gl, output.texture, false);
    }
    return {
      width: this.canvas.width,
      height: this.canvas.height,
      meta: { ...drawn.timing, renderMs: performance.now() - drawn.startedAt },
    };
  }

  /** Resizes the canvas to the frame and draws it there. */
  present(frame: FrameData): void {
    const gl = this.context.use('present a frame');
    const { width, height } = frame;
    this.resizeCanvas(width, height);
    const tex = this.texture;
    if (!tex || tex.generation !== this.context.generation || tex.width !== width || tex.height !== height) {
      this.releaseTexture();
      this.texture = this.context.createTexture(width, height, 'rgba8', frame.pixels);
    } else {
      gl.bindTexture(gl.TEXTURE_2D, tex.handle);
      gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, frame.pixels);
      gl.bindTexture(gl.TEXTURE_2D, null);
    }
    // Texture row 0 holds the frame's top row; the canvas's row 0 is its bottom: flip while copying.
    this.copyToCanvas(gl, this.texture!, true);
  }

  private resizeCanvas(width: number, height: number): void {
    if (this.canvas.width !== width) this.canvas.width = width;
    if (this.canvas.height !== height) this.canvas.height = height;
  }

  /** Draws `source` one texel per pixel into the default framebuffer (the canvas, sized to it). */
  private copyToCanvas(gl: GL2, source: Texture2D, flip: boolean): void {
    let program = this.copyProgram;
    if (!program || program.generation !== this.context.generation) {
      if (program) this.context.programs.release(program);
      program = this.context.programs.acquire(COPY_SHADERS);
      this.copyProgram = program;
    }
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    gl.viewport(0, 0, source.width, source.height);
    gl.useProgram(program.program);
    this.context.bindQuad();
    gl.activeTexture(gl.TEXTURE0);
    gl.bindTexture(gl.TEXTURE_2D, source.handle);
    gl.uniform1i(program.location('source'), 0);
    gl.uniform1i(program.location('flipped'), flip ? 1 : 0);
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    gl.bindTexture(gl.TEXTURE_2D, null);
  }

  private releaseTexture(): void {
    if (this.texture) this.context.deleteTexture(this.texture);
    this.texture = undefined;
  }

  /** Frees the texture and the copy program (handles of a lost generation are only forgotten). */
  release(): void {
    this.releaseTexture();
    if (this.copyProgram) this.context.programs.release(this.copyProgram);
    this.copyProgram = undefined;
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
