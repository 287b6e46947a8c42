/**
 * PassRunner: draws one frame's passes with VVISF's semantics (../shared/docs/isf-spec-notes.md §1.5, §2.7) and
 * owns the persistent targets between frames:
 * - passes run in order with PASSINDEX = 0, 1, ...; each target is cleared to transparent before drawing;
 * - temporary targets are fresh each frame; persistent ones survive frames, start transparent black and are
 *   stretch-copied when their size changes;
 * - a pass sees this frame's earlier passes; a persistent target read in its own pass gives last frame's pixels;
 * - the last pass renders to the output, and the output also becomes its TARGET when it names one.
 * A frame's persistent targets replace the previous ones only when the whole frame succeeded, so a failed frame
 * leaves them as they were. The Scene plans the frame and keeps the clock; this module only draws.
 */
import type { ISFDocument, VertexShaderArt } from '../core/document.ts';
import type { GeneratedShaders } from '../core/glsl/index.ts';
import type { InputValue } from '../core/values.ts';
import type { GL2 } from '../gl/gl2.ts';
import type { RenderTarget } from './buffer-pool.ts';
import type { GLContext } from './context.ts';
import type { PassPlan } from './pass-plan.ts';
import type { CompiledProgram } from './program-cache.ts';
import type { DrawnFrame } from './readback.ts';
import type { SamplerBinding, SceneInputs } from './scene-inputs.ts';

/**
 * The context's default framebuffer (a canvas) as the place for a frame's last pass (Scene.draw with a screen):
 * the preview then costs one draw, no copy.
 */
export interface ScreenOutput {
  /** Makes the default framebuffer width x height (resizes the canvas); called before the last pass draws there. */
  resize(width: number, height: number): void;
}

/**
 * A frame drawn with a screen (Scene.draw): `output` is undefined when the last pass went straight to the default
 * framebuffer, and is its pooled target when it could not (a persistent last pass, sampled by the next frame).
 */
export interface ScreenFrame extends Omit<DrawnFrame, 'output'> {
  readonly output: RenderTarget | undefined;
}

/** Everything one frame's draw needs, planned and checked by the Scene. */
export interface PassFrame {
  doc: ISFDocument;
  shaders: GeneratedShaders;
  program: CompiledProgram;
  values: ReadonlyMap<string, InputValue>;
  /** The passes in order, and the extra persistent buffers (Shadertoy conversions) to keep alive. */
  plans: PassPlan[];
  extras: PassPlan[];
  /** Draw the last pass upside down (see Scene.draw's `topDown`). */
  flipLast: boolean;
  /** Draw the last pass into the default framebuffer (not given when a persistent target must keep it). */
  onScreen: ScreenOutput | undefined;
  time: number;
  timeDelta: number;
  frameIndex: number;
  date: Date;
  startedAt: number;
}

export class PassRunner {
  /** Persistent targets as of the last successful frame. */
  private persistent = new Map<string, RenderTarget>();

  constructor(
    private readonly context: GLContext,
    private readonly inputs: SceneInputs,
    /** Called when a FLOAT pass got an RGBA8 target (the GL has no float targets). */
    private readonly onFloatFallback: () => void,
  ) {}

  /**
   * Draws the frame's passes and hands the output, still alive, to `take`; then checks the GL, gives this frame's
   * buffers back to the pool and, only when everything succeeded, keeps its persistent targets.
   */
  run<T>(gl: GL2, frame: PassFrame, take: (gl: GL2, drawn: DrawnFrame) => T): T {
    const { doc, plans, program, time, flipLast, onScreen } = frame;
    const temps = new Map<string, RenderTarget>();
    const written = new Set<string>();
    // This frame's persistent targets: they replace this.persistent only when the frame succeeds, so a failed
    // render leaves the scene as it was before it (clock, FRAMEINDEX, events, persistent buffers) and a retry
    // renders the same frame.
    const staged = new Map<string, RenderTarget>();
    let output: RenderTarget | undefined;
    let pending: RenderTarget | undefined; // checked out but not yet owned by a target/output
    let rendered = false;
    try {
      this.preparePersistent(gl, [...plans, ...frame.extras]);
      gl.useProgram(program.program);
      const vsa = doc.vertexShaderArt;
      if (vsa) this.context.bindEmptyVertexArray();
      else this.context.bindQuad();
      this.setFrameUniforms(gl, frame);
      // A target comes from the pool (or is the canvas) holding an older frame: clear it unless the draw writes
      // every pixel anyway (the bytes are the same either way; the clear is a full-target fill in software GL).
      const clearFirst = vsa !== undefined || frame.shaders.writesEveryPixel !== true;
      /** Clears if needed and draws pass `i` into the bound framebuffer; `flip` draws it upside down (isf_FlipY). */
      const drawPass = (plan: PassPlan, i: number, flip: boolean): void => {
        gl.viewport(0, 0, plan.width, plan.height);
        if (clearFirst) {
          if (vsa) gl.clearColor(...vsa.background);
          else gl.clearColor(0, 0, 0, 0);
          gl.clear(gl.COLOR_BUFFER_BIT);
        }
        gl.uniform1i(program.location('PASSINDEX'), i);
        gl.uniform2f(program.location('RENDERSIZE'), plan.width, plan.height);
        gl.uniform2f(program.location('isf_FlipY'), flip ? 1 : 0, flip ? plan.height : 0);
        this.bindSamplers(gl, frame, temps, staged, written);
        if (vsa) drawVertexShaderArt(gl, program, vsa, time, plan);
        else gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
      };
      for (let i = 0; i < plans.length; i++) {
        const plan = plans[i]!;
        const last = i === plans.length - 1;
        if (last && onScreen) {
          // Straight into the canvas: nothing samples this pass afterwards (not persistent), so no target.
          onScreen.resize(plan.width, plan.height);
          gl.bindFramebuffer(gl.FRAMEBUFFER, null);
          drawPass(plan, i, false);
          continue;
        }
        const dest = this.context.pool.createBuffer({
          width: plan.width,
          height: plan.height,
          float: plan.float,
        });
        if (plan.float && dest.format === 'rgba8') this.onFloatFallback();
        pending = dest;
        gl.bindFramebuffer(gl.FRAMEBUFFER, dest.framebuffer);
        drawPass(plan, i, last && flipLast);
        const target = plan.pass.target;
        if (target) {
          written.add(target);
          if (plan.pass.persistent) {
            staged.get(target)?.release();
            staged.set(target, last ? dest.retain() : dest);
          } else {
            temps.get(target)?.release();
            temps.set(target, last ? dest.retain() : dest);
          }
        } else if (!last) {
          dest.release(); // an untargeted non-last pass renders into a throwaway texture, as VVISF does
        }
        if (last) output = dest;
        pending = undefined;
      }
      const result = take(gl, {
        // Undefined only when the last pass went to the screen: the ScreenFrame overload's take expects that.
        output: output as RenderTarget,
        topDown: flipLast,
        target: (name) => staged.get(name) ?? this.persistent.get(name) ?? temps.get(name),
        timing: { time, timeDelta: frame.timeDelta, frameIndex: frame.frameIndex },
        startedAt: frame.startedAt,
      });
      // A context lost during the frame turns every later call into a no-op: the pixels are not this frame's.
      if (gl.isContextLost()) throw this.context.failure(`rendering ${doc.name}`);
      if (this.context.options.checkErrors) this.context.checkErrors(`rendering ${doc.name}`);
      rendered = true;
      return result;
    } finally {
      pending?.release();
      output?.release();
      for (const b of temps.values()) b.release();
      gl.bindFramebuffer(gl.FRAMEBUFFER, null);
      if (rendered) {
        for (const [name, b] of staged) {
          this.persistent.get(name)?.release();
          this.persistent.set(name, b);
        }
      } else {
        for (const b of staged.values()) b.release();
      }
    }
  }

  /** After reinitialize()/loss: the persistent buffers died with the old context (the pool already forgot them). */
  forget(): void {
    this.persistent.clear();
  }

  /** Gives the persistent targets back to the pool (they restart transparent). */
  release(): void {
    for (const b of this.persistent.values()) b.release();
    this.persistent.clear();
  }

  /** Creates missing persistent buffers (cleared) and stretch-copies resized ones, as VVISF does. */
  private preparePersistent(gl: GL2, plans: PassPlan[]): void {
    for (const plan of plans) {
      const name = plan.pass.target;
      if (!name || !plan.pass.persistent) continue;
      const old = this.persistent.get(name);
      if (old && !old.destroyed && old.width === plan.width && old.height === plan.height) continue;
      const fresh = this.context.pool.createBuffer({
        width: plan.width,
        height: plan.height,
        float: plan.float,
      });
      gl.bindFramebuffer(gl.FRAMEBUFFER, fresh.framebuffer);
      gl.viewport(0, 0, plan.width, plan.height);
      gl.clearColor(0, 0, 0, 0);
      gl.clear(gl.COLOR_BUFFER_BIT);
      if (old && !old.destroyed) {
        gl.bindFramebuffer(gl.READ_FRAMEBUFFER, old.framebuffer);
        gl.bindFramebuffer(gl.DRAW_FRAMEBUFFER, fresh.framebuffer);
        const filter = old.format === 'rgba32f' ? gl.NEAREST : gl.LINEAR;
        gl.blitFramebuffer(
          0,
          0,
          old.width,
          old.height,
          0,
          0,
          plan.width,
          plan.height,
          gl.COLOR_BUFFER_BIT,
          filter,
        );
        gl.bindFramebuffer(gl.READ_FRAMEBUFFER, null);
        gl.bindFramebuffer(gl.DRAW_FRAMEBUFFER, null);
      }
      old?.release();
      this.persistent.set(name, fresh);
    }
  }

  private setFrameUniforms(gl: GL2, frame: PassFrame): void {
    const { program, date } = frame;
    gl.uniform1f(program.location('TIME'), frame.time);
    gl.uniform1f(program.location('TIMEDELTA'), frame.timeDelta);
    gl.uniform1i(program.location('FRAMEINDEX'), frame.frameIndex);
    const seconds = date.getHours() * 3600 + date.getMinutes() * 60 + date.getSeconds();
    gl.uniform4f(program.location('DATE'), date.getFullYear(), date.getMonth() + 1, date.getDate(), seconds);
    const renamed = frame.shaders.renamed;
    for (const input of frame.doc.inputs) {
      const v = frame.values.get(input.name);
      // Inputs named like an ES 3.00 built-in (e.g. "inverse") are declared under their new name.
      const uniform = renamed.find((r) => r.from === input.name)?.to ?? input.name;
      const loc = program.location(uniform);
      switch (input.type) {
        case 'event':
        case 'bool':
          gl.uniform1i(loc, v ? 1 : 0);
          break;
        case 'long':
          gl.uniform1i(loc, v as number);
          break;
        case 'float':
          gl.uniform1f(loc, v as number);
          break;
        case 'point2D': {
          const p = v as [number, number];
          gl.uniform2f(loc, p[0], p[1]);
          break;
        }
        case 'point3D': {
          const p = v as [number, number, number];
          gl.uniform3f(loc, p[0], p[1], p[2]);
          break;
        }
        case 'point4D': {
          const p = v as [number, number, number, number];
          gl.uniform4f(loc, p[0], p[1], p[2], p[3]);
          break;
        }
        case 'color': {
          const c = v as [number, number, number, number];
          gl.uniform4f(loc, c[0], c[1], c[2], c[3]);
          break;
        }
        default:
          break;
      }
    }
  }

  /** Binds every sampler the shader declares to its own texture unit, with its rect/size/flip uniforms. */
  private bindSamplers(
    gl: GL2,
    frame: PassFrame,
    temps: Map<string, RenderTarget>,
    staged: Map<string, RenderTarget>,
    written: Set<string>,
  ): void {
    const { program } = frame;
    const samplers = frame.shaders.samplers;
    for (let unit = 0; unit < samplers.length; unit++) {
      const s = samplers[unit]!;
      const u = s.uniform; // the declared name (differs from s.name when renamed away from a built-in)
      gl.activeTexture(gl.TEXTURE0 + unit);
      gl.uniform1i(program.location(u), unit);
      if (s.kind === 'cube') {
        const cube = this.inputs.cube(s.name);
        gl.bindTexture(gl.TEXTURE_CUBE_MAP, cube.handle);
        gl.uniform2f(program.location(`_${u}_imgSize`), cube.width, cube.height);
        continue;
      }
      const b =
        s.source === 'target'
          ? this.targetBinding(s.name, temps, staged, written)
          : this.inputs.binding(s.name);
      gl.bindTexture(gl.TEXTURE_2D, b.texture);
      gl.uniform4f(program.location(`_${u}_imgRect`), 0, 0, 1, 1);
      gl.uniform2f(program.location(`_${u}_imgSize`), b.width, b.height);
      gl.uniform1i(program.location(`_${u}_flip`), b.flip ? 1 : 0);
    }
    gl.activeTexture(gl.TEXTURE0);
  }

  private targetBinding(
    name: string,
    temps: Map<string, RenderTarget>,
    staged: Map<string, RenderTarget>,
    written: Set<string>,
  ): SamplerBinding {
    const buffer =
      staged.get(name) ?? this.persistent.get(name) ?? (written.has(name) ? temps.get(name) : undefined);
    if (buffer)
      return { texture: buffer.texture.handle, width: buffer.width, height: buffer.height, flip: false };
    // A temp target read before it is written this frame: VVISF samples an uncleared texture; we give
    // transparent black so the result is deterministic.
    return this.inputs.empty();
  }
}

/** One VERTEX_SHADER_ART draw: its uniforms (vertexshaderart.com names), then pointCount vertices. */
function drawVertexShaderArt(
  gl: GL2,
  program: CompiledProgram,
  vsa: VertexShaderArt,
  time: number,
  size: { width: number; height: number },
): void {
  gl.uniform1f(program.location('vertexCount'), vsa.pointCount);
  gl.uniform1f(program.location('time'), time);
  gl.uniform2f(program.location('resolution'), size.width, size.height);
  gl.uniform4f(program.location('background'), ...vsa.background);
  const mode = {
    POINTS: gl.POINTS,
    LINES: gl.LINES,
    LINE_LOOP: gl.LINE_LOOP,
    LINE_STRIP: gl.LINE_STRIP,
    TRIANGLES: gl.TRIANGLES,
    TRIANGLE_STRIP: gl.TRIANGLE_STRIP,
    TRIANGLE_FAN: gl.TRIANGLE_FAN,
  }[vsa.primitive];
  gl.drawArrays(mode, 0, vsa.pointCount);
}
