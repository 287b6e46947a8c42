/**
 * Scene: one ISF document plus its input values, rendered on a GLContext with VVISF's pass semantics
 * (../shared/docs/isf-spec-notes.md §1.5, §2.7; drawn by pass-runner.ts); events are true for exactly one
 * rendered frame.
 *
 * The scene keeps the public API and the state: document, generated GLSL, program, values and the clock
 * (TIME, FRAMEINDEX, events), which only a successful frame moves. Image and cube inputs live in
 * scene-inputs.ts, reading a drawn frame back in readback.ts. GL objects are rebuilt lazily when the
 * context's generation changes (reinitialize() or loss), and persistent buffers then restart transparent.
 * Ownership: the scene owns its pass buffers (from the context's pool) and its input textures; it borrows
 * the context.
 */
import { type AudioSamples, audioImageAt, fftImage, waveformImage } from '../core/audio.ts';
import type { ISFDocument, ISFInput, ISFPass } from '../core/document.ts';
import { type Diagnostic, ISFError } from '../core/errors.ts';
import { type CompiledExpression, compileExpression } from '../core/expr/index.ts';
import { type GeneratedShaders, type GLSLDialect, generateShaders } from '../core/glsl/index.ts';
import { coerceInputValue, defaultInputValue, type InputValue } from '../core/values.ts';
import type { GL2 } from '../gl/gl2.ts';
import type { GLContext } from './context.ts';
import { CUBE_FACES, checkCubeFaces, cubeFaceImport } from './cube.ts';
import type { Frame } from './frame.ts';
import type { FrameSource, RenderOptions } from './frame-source.ts';
import { checkRawImage, isRawImage, type RawImage } from './images.ts';
import { checkRenderSize, planFrame, type SceneLimits } from './pass-plan.ts';
import { PassRunner, type ScreenFrame, type ScreenOutput } from './pass-runner.ts';
import { FramePipeline } from './pipeline.ts';
import type { CompiledProgram } from './program-cache.ts';
import { type DrawnFrame, readFrame } from './readback.ts';
import { SceneInputs } from './scene-inputs.ts';

export type { RenderOptions } from './frame-source.ts';
export type { ScreenFrame, ScreenOutput } from './pass-runner.ts';
export type { DrawnFrame } from './readback.ts';

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

let nextSceneId = 1;

export class Scene implements FrameSource {
  readonly id = nextSceneId++;
  private docValue: ISFDocument | undefined;
  private shaders: GeneratedShaders | undefined;
  private program: CompiledProgram | undefined;
  private sizeExprs = new Map<ISFPass, { w?: CompiledExpression; h?: CompiledExpression }>();
  private values = new Map<string, InputValue>();
  /** Image, audio and cube inputs and their textures. */
  private readonly inputs: SceneInputs;
  /** Pass execution and the persistent targets between frames. */
  private readonly passes: PassRunner;
  private builtGeneration = -1;
  private prevTime: number | undefined;
  private frameCounter = 0;
  private destroyed = false;
  private readonly warningList: Diagnostic[] = [];

  constructor(
    readonly context: GLContext,
    private readonly options: SceneOptions = {},
  ) {
    this.inputs = new SceneInputs(context);
    this.passes = new PassRunner(context, this.inputs, () => this.warnFloatFallback());
  }

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
    this.inputs.clear();
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
      return this.inputs.image(name);
    }
    if (input.type === 'cube') return this.inputs.cubeFace(name); // the +X face
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
    this.inputs.setImage(name, image);
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
    this.inputs.setCube(name, faces);
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
    this.inputs.clearImage(name);
    return this;
  }

  // --- rendering --------------------------------------------------------------------------------------------

  /** Renders one frame and reads it back (top row first; see readback.ts for how). */
  render(options: RenderOptions): Frame {
    const context = this.context;
    const read = { pool: context.pool, arrays: context.pixelArrays, gpu: context.options.flip === 'gpu' };
    return this.draw(options, read.gpu, (gl, drawn) => readFrame(gl, read, drawn, this.docValue!, options));
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

    const result = this.passes.run(
      gl,
      {
        doc,
        shaders: this.shaders!,
        program: this.program!,
        values: this.values,
        plans,
        extras: frame.extras,
        flipLast,
        onScreen,
        time,
        timeDelta,
        frameIndex,
        date: options.date ?? new Date(),
        startedAt: t0,
      },
      take,
    );
    // Only a frame that succeeded moves the clock: a failed one leaves TIME, FRAMEINDEX and events as they were.
    this.afterFrame(time);
    return result;
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

  // --- lifecycle --------------------------------------------------------------------------------------------

  /** After reinitialize()/loss: every handle is dead; recompile and restart persistent buffers. */
  private rebuild(): void {
    const doc = this.docValue!;
    this.passes.forget();
    this.inputs.forget();
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
    this.passes.release();
    this.inputs.release(current);
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

function checkFinite(name: string, v: number): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new ISFError('BAD_ARGUMENT', `Expected a finite number for ${name} but received ${v}`);
  }
}
