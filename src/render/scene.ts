/**
 * Scene: one ISF document plus its input values, rendered on a GLContext with VVISF's pass semantics
 * (../shared/docs/isf-spec-notes.md §1.5, §2.7):
 * - passes run in order with PASSINDEX = 0, 1, ...; each target is cleared to transparent before drawing;
 * - temporary targets are fresh each frame; persistent ones survive frames, start transparent black and are
 *   stretch-copied when their size changes;
 * - a pass sees this frame's earlier passes; a persistent target read in its own pass gives last frame's pixels;
 * - the last pass renders to the output, and the output also becomes its TARGET when it names one;
 * - events are true for exactly one rendered frame.
 *
 * CPU-side truth (document, generated GLSL, values, images) lives here; GL objects are rebuilt lazily when the
 * context's generation changes (reinitialize() or loss), and persistent buffers then restart transparent.
 * Ownership: the scene owns its pass buffers (from the context's pool) and its input textures; it borrows
 * the context.
 */
import { type AudioSamples, audioImageAt, fftImage, waveformImage } from '../core/audio.ts';
import type { ISFDocument, ISFInput, ISFPass, VertexShaderArt } from '../core/document.ts';
import { type Diagnostic, ISFError } from '../core/errors.ts';
import { type CompiledExpression, compileExpression } from '../core/expr/index.ts';
import { type GeneratedShaders, type GLSLDialect, generateShaders } from '../core/glsl/index.ts';
import { coerceInputValue, defaultInputValue, type InputValue } from '../core/values.ts';
import type { GL2, GLTexture } from '../gl/gl2.ts';
import type { RenderTarget } from './buffer-pool.ts';
import type { GLContext } from './context.ts';
import { CUBE_FACES, checkCubeFaces, cubeFaceImport } from './cube.ts';
import { Frame, flipRows, floatToBytes, type PassImage } from './frame.ts';
import { checkRawImage, EMPTY_IMAGE, isRawImage, type RawImage } from './images.ts';
import { checkRenderSize, type PassPlan, planFrame, type SceneLimits } from './pass-plan.ts';
import { FramePipeline } from './pipeline.ts';
import type { CompiledProgram } from './program-cache.ts';
import { readFlipped, readTarget } from './readback.ts';
import type { Texture2D } from './resources.ts';

/** What a platform provides a scene: decoding of image sources it cannot read itself. */
export interface ScenePlatform {
  /** Decode a file path, encoded buffer, or platform image object into raw RGBA. */
  decodeImage(source: unknown, name: string): Promise<RawImage>;
  /** Load an IMPORTED image of a document. */
  loadImported(doc: ISFDocument, imported: ISFDocument['imported'][number]): Promise<RawImage>;
}

export interface SceneOptions {
  platform?: ScenePlatform;
  limits?: SceneLimits;
  /** GLSL dialect; default es300 (see docs/glsl.md). */
  dialect?: GLSLDialect;
}

export interface RenderOptions {
  width: number;
  height: number;
  /** TIME in seconds (default 0). Host-supplied, so renders are deterministic. */
  time?: number;
  /** TIMEDELTA (default |time - previous time|, 0 on the first frame). */
  timeDelta?: number;
  /** FRAMEINDEX (default: the scene's own counter, 0 on the first frame). */
  frameIndex?: number;
  /** DATE source (default: now). */
  date?: Date;
  /** Names of pass targets to read back into the Frame (frame.pass(name)). */
  readPasses?: string[];
  /**
   * Destination for the RGBA8 readback (width * height * 4 bytes), reused across frames to save an 8 MB
   * allocation per 1080p frame. The returned Frame's pixels are this array: copy it if you keep the frame.
   */
  pixels?: Uint8Array;
}

export interface AsyncRenderOptions extends RenderOptions {
  /** Input values applied (setValues) right before this frame renders, after earlier queued frames. */
  values?: Record<string, unknown>;
}

export interface SequenceOptions {
  fps?: number;
  frames: number;
  /** Start time in seconds (default 0). */
  start?: number;
}

/** TIME/TIMEDELTA/FRAMEINDEX for frame k of a sequence: time = start + k / fps. */
export function sequenceTiming(
  k: number,
  options: SequenceOptions,
): Pick<RenderOptions, 'time' | 'timeDelta' | 'frameIndex'> {
  const fps = options.fps ?? 30;
  return { time: (options.start ?? 0) + k / fps, timeDelta: k === 0 ? 0 : 1 / fps, frameIndex: k };
}

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

interface SamplerBinding {
  texture: GLTexture | null;
  width: number;
  height: number;
  flip: boolean;
}

interface ImageSlot {
  image: RawImage;
  texture: Texture2D | undefined;
}

interface CubeSlot {
  faces: RawImage[];
  texture: Texture2D | undefined;
}

let nextSceneId = 1;

export class Scene {
  readonly id = nextSceneId++;
  private docValue: ISFDocument | undefined;
  private shaders: GeneratedShaders | undefined;
  private program: CompiledProgram | undefined;
  private sizeExprs = new Map<ISFPass, { w?: CompiledExpression; h?: CompiledExpression }>();
  private values = new Map<string, InputValue>();
  private images = new Map<string, ImageSlot>();
  private cubes = new Map<string, CubeSlot>();
  private emptyCube: Texture2D | undefined;
  private persistent = new Map<string, RenderTarget>();
  private emptyTexture: Texture2D | undefined;
  private builtGeneration = -1;
  private prevTime: number | undefined;
  private frameCounter = 0;
  private destroyed = false;
  private readonly warningList: Diagnostic[] = [];

  constructor(
    readonly context: GLContext,
    private readonly options: SceneOptions = {},
  ) {}

  toString(): string {
    return `Scene#${this.id}${this.docValue ? ` (${this.docValue.name})` : ''}`;
  }

  get doc(): ISFDocument | undefined {
    return this.docValue;
  }

  /** Parse-time and render-time warnings (float fallback, renamed identifiers...). */
  get warnings(): readonly Diagnostic[] {
    return [...(this.docValue?.warnings ?? []), ...(this.shaders?.warnings ?? []), ...this.warningList];
  }

  /** Frames rendered since useDoc(). */
  get frameIndex(): number {
    return this.frameCounter;
  }

  /**
   * Loads a document: generates and compiles its program (served from the context's cache when the same
   * source was compiled before), resets values to their defaults and loads IMPORTED images.
   * Throws GLSL_COMPILE with the user's own file and line on compile errors; the scene keeps its previous
   * document in that case.
   */
  async useDoc(doc: ISFDocument): Promise<this> {
    this.useDocSync(doc);
    if (doc.imported.length > 0) {
      const platform = this.requirePlatform('load IMPORTED images');
      for (const imp of doc.imported) {
        if (imp.cube) {
          const faces = await Promise.all(
            imp.cube.paths.map((_, i) => platform.loadImported(doc, cubeFaceImport(imp, i))),
          );
          this.setCubeData(imp.name, faces);
          continue;
        }
        const image = await platform.loadImported(doc, imp);
        this.setImageData(imp.name, image);
      }
    }
    return this;
  }

  /** useDoc() for documents without IMPORTED images (or when the caller sets them with setImage). */
  useDocSync(doc: ISFDocument): this {
    this.assertAlive('useDoc');
    const limits = this.options.limits ?? {};
    if (doc.passes.length > (limits.maxPasses ?? 64)) {
      throw new ISFError(
        'LIMIT_EXCEEDED',
        `${doc.name} has ${doc.passes.length} passes; the limit is ${limits.maxPasses ?? 64}`,
        { file: doc.path },
      );
    }
    const { shaders, program } = this.compile(doc);
    // Success: swap in the new document, drop everything of the old one.
    this.releaseGL();
    this.docValue = doc;
    this.shaders = shaders;
    this.program = program;
    this.builtGeneration = this.context.generation;
    this.sizeExprs.clear();
    for (const pass of [...doc.passes, ...(doc.extraPersistentBuffers ?? [])]) {
      this.sizeExprs.set(pass, {
        w: pass.width !== undefined ? compileExpression(pass.width) : undefined,
        h: pass.height !== undefined ? compileExpression(pass.height) : undefined,
      });
    }
    this.values.clear();
    for (const input of doc.inputs) {
      const v = defaultInputValue(input);
      if (v !== undefined) this.values.set(input.name, v);
    }
    this.images.clear();
    this.cubes.clear();
    this.prevTime = undefined;
    this.frameCounter = 0;
    this.warningList.length = 0;
    return this;
  }

  /**
   * Generates and compiles. Many real shaders were written for desktop GL, which converts int to float
   * implicitly (`x > 1` with a float x); GLSL ES 3.00 refuses that. When an es300 program fails to compile,
   * retry it as es310 with GL_EXT_shader_implicit_conversions (Mesa, NVIDIA offer it; WebGL2 does not) and
   * warn (W_DIALECT) that it will not compile in a browser.
   */
  private compile(doc: ISFDocument): { shaders: GeneratedShaders; program: CompiledProgram } {
    const shaders = generateShaders(
      doc,
      this.options.dialect ? { dialect: this.options.dialect } : undefined,
    );
    // A VERTEX_SHADER_ART body is the vertex shader, in the document's own file.
    const files = { fragment: doc.path, vertex: doc.vertexShaderArt ? doc.path : doc.vertexPath };
    try {
      return { shaders, program: this.context.programs.acquire(shaders, files) };
    } catch (e) {
      const retry = e instanceof ISFError && e.code === 'GLSL_COMPILE' && shaders.dialect === 'es300';
      if (!retry || !(e instanceof ISFError)) throw e;
      const fallback = generateShaders(doc, { dialect: 'es310' });
      let program: CompiledProgram;
      try {
        program = this.context.programs.acquire(fallback, files);
      } catch {
        throw e; // the strict ES 3.00 error is the one that explains the problem
      }
      fallback.warnings.push({
        severity: 'warning',
        code: 'W_DIALECT',
        message: `compiled with implicit int/float conversions (GLSL ES 3.10 + GL_EXT_shader_implicit_conversions); under strict GLSL ES 3.00 (WebGL2) it fails: ${e.message}`,
        file: e.file,
        line: e.line,
      });
      return { shaders: fallback, program };
    }
  }

  private requireDoc(operation: string): ISFDocument {
    this.assertAlive(operation);
    if (!this.docValue) {
      throw new ISFError('NO_DOCUMENT', `${this}: cannot ${operation}: no document loaded`, {
        suggestion: 'call scene.useDoc(doc) first',
      });
    }
    return this.docValue;
  }

  private requirePlatform(operation: string): ScenePlatform {
    if (!this.options.platform) {
      throw new ISFError('GL_UNSUPPORTED', `${this}: cannot ${operation} without a platform (image decoder)`);
    }
    return this.options.platform;
  }

  private input(name: string, operation: string): ISFInput {
    const doc = this.requireDoc(operation);
    const input = doc.inputs.find((i) => i.name === name);
    if (!input) {
      const names = doc.inputs.map((i) => `${i.name} (${i.type})`).join(', ') || 'none';
      throw new ISFError(
        'INPUT_UNKNOWN',
        `${doc.name} has no input named "${name}"; its inputs are: ${names}`,
      );
    }
    return input;
  }

  // --- values -----------------------------------------------------------------------------------------------

  /** Sets a scalar input with type-aware coercion (see coerceInputValue). Events fire for the next frame. */
  setValue(name: string, value: unknown): this {
    const input = this.input(name, 'setValue');
    this.values.set(name, coerceInputValue(input, value));
    return this;
  }

  /** Sets several inputs; validates all first so a bad one leaves every value unchanged. */
  setValues(values: Record<string, unknown>): this {
    const coerced: [string, InputValue][] = [];
    for (const [name, value] of Object.entries(values)) {
      coerced.push([name, coerceInputValue(this.input(name, 'setValues'), value)]);
    }
    for (const [name, v] of coerced) this.values.set(name, v);
    return this;
  }

  getValue(name: string): InputValue | RawImage | undefined {
    const input = this.input(name, 'getValue');
    if (input.type === 'image' || input.type === 'audio' || input.type === 'audioFFT') {
      return this.images.get(name)?.image;
    }
    if (input.type === 'cube') return this.cubes.get(name)?.faces[0]; // the +X face
    return this.values.get(name);
  }

  /** Fires an event input: true for exactly the next rendered frame. */
  fireEvent(name: string): this {
    const input = this.input(name, 'fireEvent');
    if (input.type !== 'event') {
      throw new ISFError('INPUT_VALUE', `Input "${name}" is of type ${input.type}, not event`);
    }
    this.values.set(name, true);
    return this;
  }

  // --- images -----------------------------------------------------------------------------------------------

  /** Sets an image (or audio-as-image) input from raw RGBA pixels. Synchronous. */
  setImageData(name: string, image: RawImage): this {
    const doc = this.requireDoc('setImage');
    const isImport = doc.imported.some((i) => i.name === name);
    if (!isImport) {
      const input = this.input(name, 'setImage');
      if (input.type !== 'image' && input.type !== 'audio' && input.type !== 'audioFFT') {
        throw new ISFError(
          'INPUT_VALUE',
          `Input "${name}" is of type ${input.type}; only image inputs take images${input.type === 'cube' ? ' (a cube takes six faces: setCube / setCubeData)' : ''}`,
        );
      }
    }
    checkRawImage(name, image, this.context.maxRenderSize());
    const old = this.images.get(name);
    if (old?.texture) this.context.deleteTexture(old.texture);
    this.images.set(name, { image, texture: undefined });
    return this;
  }

  /** Sets an image input from raw RGBA, or anything the platform decodes (a path, PNG/JPEG/TIFF/WebP bytes). */
  async setImage(name: string, source: unknown): Promise<this> {
    if (isRawImage(source)) return this.setImageData(name, source);
    this.input(name, 'setImage');
    const image = await this.requirePlatform('decode images').decodeImage(source, name);
    return this.setImageData(name, image);
  }

  /**
   * Sets a cube input (or a cube IMPORTED) from six raw faces in the order +X, -X, +Y, -Y, +Z, -Z, each top row
   * first: square, one size (INPUT_VALUE otherwise). Sampled with texture()/textureCube() on its samplerCube;
   * `_NAME_imgSize` is the face size.
   */
  setCubeData(name: string, faces: readonly RawImage[]): this {
    const doc = this.requireDoc('setCube');
    if (!doc.imported.some((i) => i.name === name && i.cube)) {
      const input = this.input(name, 'setCube');
      if (input.type !== 'cube') {
        throw new ISFError(
          'INPUT_VALUE',
          `Input "${name}" is of type ${input.type}; only cube inputs take six faces`,
        );
      }
    }
    checkCubeFaces(name, faces, this.context.maxRenderSize());
    const old = this.cubes.get(name);
    if (old?.texture) this.context.deleteTexture(old.texture);
    this.cubes.set(name, { faces: [...faces], texture: undefined });
    return this;
  }

  /** setCubeData() from six raw faces or anything the platform decodes (paths, encoded bytes). */
  async setCube(name: string, faces: readonly unknown[]): Promise<this> {
    this.requireDoc('setCube');
    if (!Array.isArray(faces) || faces.length !== 6) return this.setCubeData(name, faces as RawImage[]);
    const decoded = await Promise.all(
      faces.map((f, i) =>
        isRawImage(f) ? f : this.requirePlatform('decode images').decodeImage(f, `${name} ${CUBE_FACES[i]}`),
      ),
    );
    return this.setCubeData(name, decoded);
  }

  /**
   * Sets an audio or audioFFT input from samples: the waveform (values centred on 0.5) or FFT magnitudes
   * become a float image, MAX columns wide (or the native count), one row per channel. Without `time` the
   * samples are one block (the last 1024 / the whole FFT block, peak-normalised); with `time` (seconds) the
   * input shows the window of a whole decoded sound file that ends at that time, as offline renders synced
   * to a song do (core/audio.ts audioImageAt: silence outside the file, FFT on a fixed decibel scale).
   */
  setAudio(name: string, audio: AudioSamples, options: { time?: number } = {}): this {
    const input = this.input(name, 'setAudio');
    if (input.type !== 'audio' && input.type !== 'audioFFT') {
      throw new ISFError(
        'INPUT_VALUE',
        `Input "${name}" is of type ${input.type}; only audio/audioFFT inputs take audio`,
      );
    }
    const image =
      options.time !== undefined
        ? audioImageAt(input.type, audio, options.time, input.max)
        : input.type === 'audio'
          ? waveformImage(audio, input.max)
          : fftImage(audio, input.max);
    return this.setImageData(name, image);
  }

  /** Unsets an image input (it then samples transparent black). */
  clearImage(name: string): this {
    this.input(name, 'clearImage');
    const old = this.images.get(name);
    if (old?.texture) this.context.deleteTexture(old.texture);
    this.images.delete(name);
    return this;
  }

  // --- rendering --------------------------------------------------------------------------------------------

  /** Renders one frame and reads it back (top row first; see readback.ts for how). */
  render(options: RenderOptions): Frame {
    return this.draw(options, this.context.options.flip === 'gpu', (gl, drawn) =>
      this.readBack(gl, drawn, options),
    );
  }

  /**
   * Draws one frame and hands its output, still alive, to `take` (read it back, start an asynchronous readback,
   * show it on a canvas); the frame's buffers go back to the pool when `take` returns. With `topDown` the last
   * pass is drawn upside down where nothing samples it afterwards (not a persistent target), so that GL's
   * bottom-up readback gives the rows top row first; `drawn.topDown` says whether that happened. Given a
   * `screen` instead, the last pass draws into the default framebuffer (upright, GL's row order) unless a
   * persistent target must keep it; `drawn.output` is then undefined.
   * @internal for readback.ts, the browser presenter and the sequence pipeline
   */
  draw<T>(options: RenderOptions, topDown: boolean, take: (gl: GL2, drawn: DrawnFrame) => T): T;
  draw<T>(options: RenderOptions, screen: ScreenOutput, take: (gl: GL2, drawn: ScreenFrame) => T): T;
  draw<T>(options: RenderOptions, mode: boolean | ScreenOutput, take: (gl: GL2, drawn: DrawnFrame) => T): T {
    const topDown = mode === true;
    const screen = typeof mode === 'object' ? mode : undefined;
    const t0 = performance.now();
    const doc = this.requireDoc('render');
    const { width, height } = options;
    const maxSize = this.context.maxRenderSize();
    checkRenderSize(width, height, maxSize);
    const gl = this.context.use('render');
    if (this.builtGeneration !== this.context.generation) this.rebuild();

    const time = options.time ?? 0;
    checkFinite('time', time);
    const timeDelta = options.timeDelta ?? (this.prevTime === undefined ? 0 : Math.abs(time - this.prevTime));
    checkFinite('timeDelta', timeDelta);
    const frameIndex = options.frameIndex ?? this.frameCounter;
    if (!Number.isInteger(frameIndex)) {
      throw new ISFError('BAD_ARGUMENT', `Expected an integer frameIndex but received ${frameIndex}`);
    }
    const frame = planFrame({
      doc,
      width,
      height,
      maxSize,
      limits: this.options.limits ?? {},
      sizes: this.sizeExprs,
      values: this.values,
      floatBytesPerPixel: this.context.pool.formatFor(true) === 'rgba32f' ? 16 : 8,
    });
    const plans = frame.passes;
    const lastPass = plans[plans.length - 1]!.pass;
    // VERTEX_SHADER_ART draws the user's own geometry (no isf_FlipY in its vertex shader): read through the blit.
    const persistentLast = lastPass.target !== undefined && lastPass.persistent === true;
    const flipLast = topDown && !doc.vertexShaderArt && !persistentLast;
    const onScreen = persistentLast ? undefined : screen;

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
      const program = this.program!;
      gl.useProgram(program.program);
      const vsa = doc.vertexShaderArt;
      if (vsa) this.context.bindEmptyVertexArray();
      else this.context.bindQuad();
      this.setFrameUniforms(gl, program, time, timeDelta, frameIndex, options.date ?? new Date());
      /** Clears and draws pass `i` into the bound framebuffer; `flip` draws it upside down (isf_FlipY). */
      const drawPass = (plan: PassPlan, i: number, flip: boolean): void => {
        gl.viewport(0, 0, plan.width, plan.height);
        if (vsa) gl.clearColor(...vsa.background);
        else gl.clearColor(0, 0, 0, 0);
        gl.clear(gl.COLOR_BUFFER_BIT);
        gl.uniform1i(program.location('PASSINDEX'), i);
        gl.uniform2f(program.location('RENDERSIZE'), plan.width, plan.height);
        gl.uniform2f(program.location('isf_FlipY'), flip ? 1 : 0, flip ? plan.height : 0);
        this.bindSamplers(gl, program, temps, staged, written);
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
        if (plan.float && dest.format === 'rgba8') this.warnFloatFallback();
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
        timing: { time, timeDelta, frameIndex },
        startedAt: t0,
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
        this.afterFrame(time);
      } else {
        for (const b of staged.values()) b.release();
      }
    }
  }

  /**
   * render() through the context's queue (GLContext.enqueue): concurrent calls, on this scene or on other scenes
   * of the same context, run one at a time in call order and give the same frames as the same calls made
   * serially. `values` apply just before this frame; values set with setValue() meanwhile apply to every frame
   * still queued. The queued frame holds a context reference, so cleanup({ waitMs }) waits for it.
   */
  renderAsync(options: AsyncRenderOptions): Promise<Frame> {
    return this.context.enqueue('render', () => {
      if (options.values) this.setValues(options.values);
      return this.render(options);
    });
  }

  /**
   * Renders `frames` frames at time start + k/fps, yielding each. Pipelined (FramePipeline): frame k+1 is drawn
   * before frame k is yielded, so the GPU draws it while the caller handles frame k; the frames are those of
   * render(). Values changed while iterating therefore apply from frame k+2; use a FramePipeline directly to
   * change them per frame.
   */
  *renderSequence(
    options: SequenceOptions & Omit<RenderOptions, 'time' | 'timeDelta' | 'frameIndex'>,
  ): Generator<Frame> {
    const pipeline = new FramePipeline(this);
    try {
      for (let k = 0; k < options.frames; k++) {
        const done = pipeline.submit({ ...options, ...sequenceTiming(k, options) });
        if (done) yield done;
      }
      const last = pipeline.flush();
      if (last) yield last;
    } finally {
      pipeline.close();
    }
  }

  private afterFrame(time: number): void {
    const doc = this.docValue;
    if (doc) for (const input of doc.inputs) if (input.type === 'event') this.values.set(input.name, false);
    this.prevTime = time;
    this.frameCounter += 1;
    this.context.afterFrame();
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

  private setFrameUniforms(
    gl: GL2,
    program: CompiledProgram,
    time: number,
    timeDelta: number,
    frameIndex: number,
    date: Date,
  ): void {
    gl.uniform1f(program.location('TIME'), time);
    gl.uniform1f(program.location('TIMEDELTA'), timeDelta);
    gl.uniform1i(program.location('FRAMEINDEX'), frameIndex);
    const seconds = date.getHours() * 3600 + date.getMinutes() * 60 + date.getSeconds();
    gl.uniform4f(program.location('DATE'), date.getFullYear(), date.getMonth() + 1, date.getDate(), seconds);
    const renamed = this.shaders!.renamed;
    for (const input of this.docValue!.inputs) {
      const v = this.values.get(input.name);
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
    program: CompiledProgram,
    temps: Map<string, RenderTarget>,
    staged: Map<string, RenderTarget>,
    written: Set<string>,
  ): void {
    const samplers = this.shaders!.samplers;
    for (let unit = 0; unit < samplers.length; unit++) {
      const s = samplers[unit]!;
      const u = s.uniform; // the declared name (differs from s.name when renamed away from a built-in)
      gl.activeTexture(gl.TEXTURE0 + unit);
      gl.uniform1i(program.location(u), unit);
      if (s.kind === 'cube') {
        const cube = this.cubeTexture(s.name);
        gl.bindTexture(gl.TEXTURE_CUBE_MAP, cube.handle);
        gl.uniform2f(program.location(`_${u}_imgSize`), cube.width, cube.height);
        continue;
      }
      const b = this.samplerBinding(s.name, s.source, temps, staged, written);
      gl.bindTexture(gl.TEXTURE_2D, b.texture);
      gl.uniform4f(program.location(`_${u}_imgRect`), 0, 0, 1, 1);
      gl.uniform2f(program.location(`_${u}_imgSize`), b.width, b.height);
      gl.uniform1i(program.location(`_${u}_flip`), b.flip ? 1 : 0);
    }
    gl.activeTexture(gl.TEXTURE0);
  }

  private samplerBinding(
    name: string,
    source: 'input' | 'imported' | 'target',
    temps: Map<string, RenderTarget>,
    staged: Map<string, RenderTarget>,
    written: Set<string>,
  ): SamplerBinding {
    if (source === 'target') {
      const buffer =
        staged.get(name) ?? this.persistent.get(name) ?? (written.has(name) ? temps.get(name) : undefined);
      if (buffer)
        return { texture: buffer.texture.handle, width: buffer.width, height: buffer.height, flip: false };
      // A temp target read before it is written this frame: VVISF samples an uncleared texture; we give
      // transparent black so the result is deterministic.
      return this.emptyBinding();
    }
    const slot = this.images.get(name);
    if (!slot) return this.emptyBinding();
    if (!slot.texture || slot.texture.generation !== this.context.generation) {
      const { image } = slot;
      const data = image.data instanceof Uint8ClampedArray ? new Uint8Array(image.data.buffer) : image.data;
      slot.texture = this.context.createTexture(
        image.width,
        image.height,
        image.data instanceof Float32Array ? this.floatImageFormat() : 'rgba8',
        data,
      );
    }
    // Images are uploaded top row first, so _flip tells the IMG_* helpers to turn them upright (VVISF protocol).
    return { texture: slot.texture.handle, width: slot.image.width, height: slot.image.height, flip: true };
  }

  private floatImageFormat(): 'rgba16f' | 'rgba32f' {
    return this.context.floatImageFormat();
  }

  /** The cube's texture (uploaded on first use in this context generation), or a 1x1 transparent cube. */
  private cubeTexture(name: string): Texture2D {
    const slot = this.cubes.get(name);
    if (!slot) {
      if (!this.emptyCube || this.emptyCube.generation !== this.context.generation) {
        const face = EMPTY_IMAGE.data as Uint8Array;
        this.emptyCube = this.context.createCubeTexture(1, 'rgba8', [face, face, face, face, face, face]);
      }
      return this.emptyCube;
    }
    if (!slot.texture || slot.texture.generation !== this.context.generation) {
      const float = slot.faces[0]!.data instanceof Float32Array;
      const data = slot.faces.map((f) =>
        f.data instanceof Uint8ClampedArray ? new Uint8Array(f.data.buffer) : f.data,
      );
      slot.texture = this.context.createCubeTexture(
        slot.faces[0]!.width,
        float ? this.floatImageFormat() : 'rgba8',
        data,
      );
    }
    return slot.texture;
  }

  private emptyBinding(): SamplerBinding {
    if (!this.emptyTexture || this.emptyTexture.generation !== this.context.generation) {
      this.emptyTexture = this.context.createTexture(1, 1, 'rgba8', EMPTY_IMAGE.data as Uint8Array);
    }
    return { texture: this.emptyTexture.handle, width: 1, height: 1, flip: false };
  }

  private readBack(gl: GL2, drawn: DrawnFrame, options: RenderOptions): Frame {
    const context = this.context;
    const arrays = context.pixelArrays;
    const gpu = context.options.flip === 'gpu';
    const read = (buffer: RenderTarget, drawnTopDown: boolean, into?: Uint8Array) =>
      drawnTopDown || !gpu
        ? readTarget(gl, buffer, arrays, into)
        : readFlipped(gl, context.pool, buffer, arrays, into);
    const { pixels, floatPixels } = read(drawn.output, drawn.topDown, options.pixels);
    const passes = new Map<string, PassImage>();
    for (const name of options.readPasses ?? []) {
      const buffer = drawn.target(name);
      if (!buffer) {
        const targets = this.docValue!.passes.map((p) => p.target).filter(Boolean);
        throw new ISFError(
          'BAD_ARGUMENT',
          `readPasses: "${name}" is not a pass target of ${this.docValue!.name} (targets: ${targets.join(', ') || 'none'})`,
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

  // --- lifecycle --------------------------------------------------------------------------------------------

  /** After reinitialize()/loss: every handle is dead; recompile and restart persistent buffers. */
  private rebuild(): void {
    const doc = this.docValue!;
    this.persistent.clear(); // their buffers died with the old context (the pool already forgot them)
    this.emptyTexture = undefined;
    this.emptyCube = undefined;
    for (const slot of [...this.images.values(), ...this.cubes.values()]) slot.texture = undefined;
    this.program = this.context.programs.acquire(this.shaders!, {
      fragment: doc.path,
      vertex: doc.vertexShaderArt ? doc.path : doc.vertexPath,
    });
    // (this.shaders already holds the dialect that compiled, fallback included)
    this.builtGeneration = this.context.generation;
  }

  /** Returns buffers to the pool and frees input textures; the scene stays usable (next render rebuilds). */
  cleanup(): void {
    this.releaseGL();
    this.builtGeneration = -1;
  }

  /** cleanup() and make the scene unusable (RESOURCE_DESTROYED afterwards). Idempotent. */
  destroy(): void {
    if (this.destroyed) return;
    this.releaseGL();
    this.docValue = undefined;
    this.destroyed = true;
  }

  private releaseGL(): void {
    const current = this.builtGeneration === this.context.generation && this.context.state === 'ready';
    for (const b of this.persistent.values()) b.release();
    this.persistent.clear();
    for (const slot of [...this.images.values(), ...this.cubes.values()]) {
      if (slot.texture && current) this.context.deleteTexture(slot.texture);
      slot.texture = undefined;
    }
    if (this.emptyTexture && current) this.context.deleteTexture(this.emptyTexture);
    this.emptyTexture = undefined;
    if (this.emptyCube && current) this.context.deleteTexture(this.emptyCube);
    this.emptyCube = undefined;
    if (this.program && current) this.context.programs.release(this.program);
    this.program = undefined;
  }

  private assertAlive(operation: string): void {
    if (this.destroyed) {
      throw new ISFError('RESOURCE_DESTROYED', `Scene#${this.id}: cannot ${operation} after destroy()`);
    }
  }

  private warnFloatFallback(): void {
    if (this.warningList.some((w) => w.code === 'W_FLOAT_FALLBACK')) return;
    this.warn(
      'W_FLOAT_FALLBACK',
      'float render targets are not supported by this GL: FLOAT passes render to RGBA8',
    );
  }

  private warn(code: Diagnostic['code'], message: string): void {
    this.warningList.push({ severity: 'warning', code, message, file: this.docValue?.path });
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

function checkFinite(name: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new ISFError('BAD_ARGUMENT', `Expected a finite number for ${name} but received ${v}`);
  }
}
