/**
 * GLContext: one rendering context with an explicit lifecycle.
 *
 *   uninitialized --initialize()--> ready --cleanup()--> cleaning --> destroyed
 *                                     |  ^                               |
 *                        (native loss) v  | reinitialize()               | initialize() / reinitialize()
 *                                    lost ----------------------------> ready
 *
 * It owns a fixed list of components (buffer pool, program cache, the full-screen quad) and destroys them in
 * reverse creation order (PixiJS's runner phases, dispatched explicitly). Scenes keep CPU-side truth (document,
 * values, images) and rebuild their GL objects lazily when the context's `generation` changes, so they survive
 * reinitialize() and loss. docs/lifecycle.md has the state machine, the ownership table and the mapping to the
 * predecessor's (pyvvisf) API.
 *
 * References (acquireRef/withRef/enqueue) keep cleanup() from destroying the context under work in progress:
 * cleanup() refuses while they are held, waits for them with { waitMs }, or invalidates them with { force }.
 * While a cleanup waits (state 'cleaning') new work is refused with CONTEXT_STATE; work queued before it
 * (enqueue(), e.g. Scene.renderAsync) still runs, since it holds a reference.
 */
import { ISFError } from '../core/errors.ts';
import type { GLBackend, GLBackendFactory } from '../gl/backend.ts';
import { type GL2, glErrorName } from '../gl/gl2.ts';
import { BufferPool, type BufferPoolStats } from './buffer-pool.ts';
import type { ContextState, RenderDevice } from './device.ts';
import { type ContextInfo, DeviceResources } from './device-resources.ts';
import { ProgramCache } from './program-cache.ts';
import { PixelArrays } from './readback.ts';
import { type ResourceCounts, ResourceTracker, type Texture2D, type TextureFormat } from './resources.ts';

export interface GLContextOptions {
  /** Frames a pooled buffer may stay idle before housekeeping frees it (default 60). */
  maxIdleFrames?: number;
  /** Run pool housekeeping every N frames (default 30). */
  housekeepingInterval?: number;
  /** Check glGetError after every render and throw GL_ERROR (default true). Off only for benchmarks. */
  checkErrors?: boolean;
  /** Render size limit in pixels per side; defaults to the GL's MAX_TEXTURE_SIZE. */
  maxSize?: number;
  /**
   * How frames become top row first (GL's rows are bottom-up): 'gpu' (default) draws the last pass upside down,
   * or blits targets that must stay upright, so the readback needs no CPU pass (src/render/readback.ts); 'cpu'
   * reads GL's rows as they are and flips them in JS on first access (the reference the GPU flip is tested
   * against).
   */
  flip?: 'gpu' | 'cpu';
}

export interface ContextStats extends ResourceCounts {
  state: ContextState;
  generation: number;
  refCount: number;
  frames: number;
  pool: BufferPoolStats;
  programs: number;
  /** Operations waiting in or running from the context's queue (enqueue(), Scene.renderAsync()). */
  queued: number;
}

export interface ContextValidation {
  ok: boolean;
  state: ContextState;
  generation: number;
  refCount: number;
  current: boolean;
  lost: boolean;
  glError: string | null;
  problems: string[];
}

export interface CleanupOptions {
  /** Invalidate held references and destroy anyway (always succeeds). */
  force?: boolean;
  /** With references held and no force: wait this long for them to be released before failing (default 0). */
  waitMs?: number;
}

/** A reference handed out by acquireRef(); released once. */
export interface ContextRef {
  readonly context: GLContext;
  /** False once released, or once a forced cleanup (or reinitialize()) invalidated it. */
  readonly valid: boolean;
  /** True when a forced cleanup or reinitialize() took the reference away from its holder. */
  readonly invalidated: boolean;
  /**
   * Gives the reference back. A second release() is REF_UNDERFLOW; releasing a reference that a forced cleanup
   * invalidated is a no-op, so `try { ... } finally { ref.release() }` stays correct.
   */
  release(): void;
  /** Throws CONTEXT_STATE when the reference is no longer valid (released or invalidated). */
  check(operation: string): void;
}

let nextContextId = 1;

export class GLContext implements RenderDevice {
  readonly id = nextContextId++;
  private stateValue: ContextState = 'uninitialized';
  private backend: GLBackend | undefined;
  private generationValue = 0;
  private frameCount = 0;
  private refs = new Set<RefImpl>();
  /** Checks of cleanup() calls waiting for references to be released. */
  private readonly refWaiters = new Set<() => void>();
  /** Tail of the operation queue (enqueue()); never rejects. */
  private queueTail: Promise<unknown> = Promise.resolve();
  private queuedCount = 0;
  /** > 0 while a queued operation holding a valid reference runs: it may use the context while 'cleaning'. */
  private draining = 0;
  private readonly tracker = new ResourceTracker();
  /** Textures, the full-screen quad and the cached facts about the GL. */
  private readonly device: DeviceResources;
  readonly options: Required<Omit<GLContextOptions, 'maxSize'>> & { maxSize: number | undefined };
  readonly pool: BufferPool;
  readonly programs: ProgramCache;
  /** Recycled pixel arrays of released Frames (JS memory: survives reinitialize()). */
  readonly pixelArrays = new PixelArrays();

  constructor(
    private readonly factory: GLBackendFactory,
    options: GLContextOptions = {},
  ) {
    this.options = {
      maxIdleFrames: options.maxIdleFrames ?? 60,
      housekeepingInterval: options.housekeepingInterval ?? 30,
      checkErrors: options.checkErrors ?? true,
      maxSize: options.maxSize,
      flip: options.flip ?? 'gpu',
    };
    if (this.options.flip !== 'gpu' && this.options.flip !== 'cpu') {
      throw new ISFError('BAD_ARGUMENT', `Expected flip 'gpu' or 'cpu' but received ${String(options.flip)}`);
    }
    const context = this;
    this.device = new DeviceResources({
      get state() {
        return context.state;
      },
      get generation() {
        return context.generation;
      },
      get resources() {
        return context.resources;
      },
      get backendKind() {
        return context.backend?.kind ?? 'none';
      },
      maxSize: this.options.maxSize,
      use: (operation) => this.use(operation),
      failure: (operation) => this.failure(operation),
    });
    this.pool = new BufferPool(this);
    this.programs = new ProgramCache(this);
  }

  get state(): ContextState {
    return this.stateValue;
  }
  /** Bumped each time a new native context is created; GL handles from older generations are dead. */
  get generation(): number {
    return this.generationValue;
  }
  get refCount(): number {
    return this.refs.size;
  }
  get frames(): number {
    return this.frameCount;
  }

  toString(): string {
    return `GLContext#${this.id}(${this.stateValue})`;
  }

  /** Creates the native context. Idempotent when ready; recreates it when destroyed or lost. */
  initialize(): this {
    if (this.stateValue === 'ready') return this;
    if (this.stateValue === 'cleaning') {
      throw new ISFError('CONTEXT_STATE', `${this} cannot initialize while a cleanup is in progress`);
    }
    if (this.backend) this.dropBackend();
    const previous = this.stateValue;
    // A failing factory (GL_UNAVAILABLE...) leaves the state as it was: there is still no native context.
    this.backend = this.factory();
    this.generationValue += 1;
    this.tracker.reset();
    this.device.resetCaches();
    this.stateValue = 'ready';
    try {
      this.backend.makeCurrent();
      this.resetState();
    } catch (e) {
      // Created but unusable (lost at once, makeCurrent refused): never report 'ready' over a broken context.
      this.dropBackend();
      this.stateValue = previous === 'uninitialized' ? 'uninitialized' : 'destroyed';
      throw e;
    }
    return this;
  }

  /**
   * Destroys the native context and every GL object of this context. With references held it refuses
   * (CONTEXT_REF_HELD), waits up to `waitMs` for them to be released, or with `force` invalidates them.
   */
  async cleanup(options: CleanupOptions = {}): Promise<void> {
    if (this.stateValue === 'destroyed' || this.stateValue === 'uninitialized') {
      this.stateValue = 'destroyed';
      return;
    }
    if (options.force) {
      // Always succeeds, also while another cleanup() waits (that one then resolves: the work is done).
      this.destroySync();
      return;
    }
    if (this.stateValue === 'cleaning') {
      throw new ISFError('CONTEXT_STATE', `${this}: cleanup() is already in progress`, {
        suggestion: 'await the running cleanup(), or pass { force: true }',
      });
    }
    const waitMs = options.waitMs ?? 0;
    if (typeof waitMs !== 'number' || !Number.isFinite(waitMs) || waitMs < 0) {
      throw new ISFError(
        'BAD_ARGUMENT',
        `Expected a non-negative number of milliseconds for waitMs but received ${String(waitMs)}`,
      );
    }
    if (this.refs.size > 0) {
      const previous = this.stateValue;
      if (waitMs > 0) {
        this.stateValue = 'cleaning';
        await this.waitForRefs(waitMs);
        // A forced cleanup (or destroy()) finished the job while we waited.
        if (this.stateValue !== 'cleaning') return;
      }
      if (this.refs.size > 0) {
        this.stateValue = previous === 'ready' && this.backend?.isLost() ? 'lost' : previous;
        throw new ISFError(
          'CONTEXT_REF_HELD',
          `${this}: cleanup refused: ${this.refs.size} reference(s) still held` +
            (waitMs > 0 ? ` after waiting ${waitMs} ms` : ''),
          {
            suggestion: 'release them (releaseRef/withRef), pass { waitMs }, or pass { force: true }',
            details: { refCount: this.refs.size, waitMs },
          },
        );
      }
    }
    this.destroySync();
  }

  /** Synchronous forced cleanup: invalidates references and destroys the native context. Never throws. */
  destroy(): void {
    if (this.stateValue === 'destroyed' || this.stateValue === 'uninitialized') {
      this.stateValue = 'destroyed';
      return;
    }
    this.destroySync();
  }

  /**
   * Forced cleanup followed by initialize(): held references are invalidated, scenes rebuild their GL objects on
   * their next render (persistent buffers restart transparent). Refused (CONTEXT_STATE) while a cleanup waits.
   */
  reinitialize(): this {
    if (this.stateValue === 'cleaning') {
      throw new ISFError('CONTEXT_STATE', `${this} cannot reinitialize while a cleanup is in progress`, {
        suggestion: 'await the running cleanup(), then initialize()',
      });
    }
    this.destroy();
    this.stateValue = 'uninitialized';
    return this.initialize();
  }

  private destroySync(): void {
    for (const ref of this.refs) ref.invalidate();
    this.refs.clear();
    if (this.backend && !this.backend.isLost() && this.stateValue !== 'lost') {
      // GL objects are deleted while the context still counts as ready, so the normal paths can run.
      this.stateValue = 'ready';
      try {
        this.backend.makeCurrent();
        // Reverse creation order: programs, pool, quad.
        this.programs.destroyAll(false);
        this.pool.destroyAll(false);
        this.device.deleteQuad(this.backend.gl);
      } catch {
        // The native context may have died under us; the handles die with it.
      }
    }
    this.stateValue = 'cleaning';
    this.dropBackend();
    this.stateValue = 'destroyed';
    this.notifyRefWaiters();
  }

  /** Forgets the backend and every handle of its generation without calling GL (it may be gone). */
  private dropBackend(): void {
    this.programs.destroyAll(true);
    this.pool.destroyAll(true);
    this.device.forgetQuad();
    try {
      this.backend?.destroy();
    } catch {
      // destroying an already-dead context is not an error worth surfacing
    }
    this.backend = undefined;
    this.tracker.reset();
  }

  // --- references -------------------------------------------------------------------------------------------

  /**
   * Takes a reference: while any is held, cleanup() refuses (or waits, with { waitMs }). Initializes the context
   * when needed. Refused with CONTEXT_STATE while cleaning or after cleanup, with GL_CONTEXT_LOST while lost.
   */
  acquireRef(): ContextRef {
    if (this.stateValue === 'uninitialized') this.initialize();
    this.assertUsable('acquireRef');
    const ref = new RefImpl(this, (r) => this.refReleased(r));
    this.refs.add(ref);
    return ref;
  }

  /** Releases one reference taken with acquireRef() (the oldest still held). Over-release is REF_UNDERFLOW. */
  releaseRef(ref?: ContextRef): void {
    if (ref) {
      ref.release();
      return;
    }
    const first = this.refs.values().next();
    if (first.done) {
      throw new ISFError('REF_UNDERFLOW', `${this}: releaseRef() called with no reference held`);
    }
    first.value.release();
  }

  /** Runs fn while holding a reference; always releases, even when fn throws or rejects. */
  async withRef<T>(fn: (ctx: GLContext, ref: ContextRef) => T | Promise<T>): Promise<T> {
    const ref = this.acquireRef();
    try {
      return await fn(this, ref);
    } finally {
      if (ref.valid) ref.release(); // invalidated by a forced cleanup, or released by fn: nothing to give back
    }
  }

  /**
   * Runs `fn` after every operation enqueued before it on this context, holding a reference from this call until
   * `fn` has run. Operations never interleave (`fn` is synchronous, as all GL work is), so concurrent callers get
   * exactly what they would get calling one after the other in call order. A cleanup() started meanwhile waits
   * for the queued work (or, with force, invalidates it: it then fails with CONTEXT_STATE, never crashes).
   */
  enqueue<T>(operation: string, fn: () => T): Promise<T> {
    let ref: ContextRef;
    try {
      ref = this.acquireRef();
    } catch (e) {
      return Promise.reject(e);
    }
    this.queuedCount += 1;
    const run = (): T => {
      const holds = ref.valid;
      if (holds) this.draining += 1;
      try {
        if (!holds && this.stateValue !== 'ready') {
          throw new ISFError(
            'CONTEXT_STATE',
            `${this}: ${operation} was cancelled: the context was cleaned up`,
            {
              suggestion: 'call initialize() or reinitialize() and try again',
            },
          );
        }
        return fn();
      } finally {
        if (holds) this.draining -= 1;
        this.queuedCount -= 1;
        ref.release();
      }
    };
    const result = this.queueTail.then(run, run);
    this.queueTail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Resolves when no reference is held, the cleanup was finished by someone else, or after `ms`. */
  private waitForRefs(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.refs.size > 0 && this.stateValue === 'cleaning') return;
        clearTimeout(timer);
        this.refWaiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.refWaiters.delete(check);
        resolve();
      }, ms);
      this.refWaiters.add(check);
      check();
    });
  }

  private refReleased(ref: RefImpl): void {
    this.refs.delete(ref);
    this.notifyRefWaiters();
  }

  private notifyRefWaiters(): void {
    for (const waiter of [...this.refWaiters]) waiter();
  }

  // --- use --------------------------------------------------------------------------------------------------

  /** The GL object, made current, after checking the context can be used. */
  use(operation: string): GL2 {
    if (this.stateValue === 'uninitialized') this.initialize();
    this.assertUsable(operation);
    const backend = this.backend!;
    if (backend.isLost()) {
      this.stateValue = 'lost';
      throw this.lostError(operation);
    }
    backend.makeCurrent();
    return backend.gl;
  }

  /** initialize() if needed and make current; throws a typed error when the context cannot be used. */
  ensureCurrent(): this {
    this.use('ensureCurrent');
    return this;
  }

  private assertUsable(operation: string): void {
    switch (this.stateValue) {
      case 'ready':
        return;
      case 'lost':
        throw this.lostError(operation);
      case 'cleaning':
        // Queued work that held a reference before the cleanup began may finish: that is what cleanup waits for.
        if (this.draining > 0 && this.backend) return;
        throw new ISFError(
          'CONTEXT_STATE',
          `${this}: cannot ${operation} while the context is being cleaned up`,
          {
            suggestion: 'wait for cleanup() to finish, then initialize()',
          },
        );
      case 'destroyed':
        throw new ISFError('CONTEXT_STATE', `${this}: cannot ${operation} after cleanup()`, {
          suggestion: 'call initialize() or reinitialize() first',
        });
      case 'uninitialized':
        throw new ISFError('CONTEXT_STATE', `${this}: cannot ${operation} before initialize()`);
    }
  }

  private lostError(operation: string): ISFError {
    return new ISFError('GL_CONTEXT_LOST', `${this}: the GL context was lost; cannot ${operation}`, {
      suggestion: 'call reinitialize(): scenes rebuild their resources on their next render',
    });
  }

  /**
   * The error for a GL call that returned no object (createTexture() === null...): GL_CONTEXT_LOST when the
   * native context died under us (the usual cause), else GL_ERROR naming the operation.
   */
  failure(operation: string): ISFError {
    if (this.backend?.isLost() || this.backend?.gl.isContextLost()) {
      if (this.stateValue === 'ready') this.stateValue = 'lost';
      return this.lostError(operation);
    }
    return new ISFError('GL_ERROR', `${this}: ${operation} failed: the GL returned no object`);
  }

  /** Emulates native context loss (tests): the native context is destroyed; use() reports GL_CONTEXT_LOST. */
  simulateLoss(): void {
    if (!this.backend?.simulateLoss) {
      throw new ISFError(
        'GL_UNSUPPORTED',
        `${this}: the ${this.backend?.kind ?? 'current'} backend cannot simulate loss`,
      );
    }
    this.backend.simulateLoss();
    this.stateValue = 'lost';
  }

  /** Reports a loss the platform noticed (browser webglcontextlost). */
  markLost(): void {
    if (this.stateValue === 'ready') this.stateValue = 'lost';
  }

  // --- checks and state -------------------------------------------------------------------------------------

  /** Drains glGetError; throws GL_ERROR naming every error seen and the operation. */
  checkErrors(operation: string): void {
    const gl = this.use(operation);
    const errors: string[] = [];
    for (let i = 0; i < 16; i++) {
      const e = gl.getError();
      if (e === gl.NO_ERROR) break;
      if (e === gl.CONTEXT_LOST_WEBGL) {
        this.stateValue = 'lost';
        throw this.lostError(operation);
      }
      errors.push(glErrorName(gl, e));
    }
    if (errors.length > 0) {
      throw new ISFError('GL_ERROR', `${this}: ${errors.join(', ')} during ${operation}`, {
        details: { errors, operation },
      });
    }
  }

  /** A detailed status, not a bare boolean. Never throws. */
  validate(): ContextValidation {
    const problems: string[] = [];
    let glError: string | null = null;
    const lost = this.stateValue === 'lost' || (this.backend?.isLost() ?? false);
    let current = false;
    if (this.stateValue !== 'ready') problems.push(`state is ${this.stateValue}`);
    if (lost) problems.push('native context lost');
    if (this.backend && !lost && this.stateValue === 'ready') {
      try {
        this.backend.makeCurrent();
        current = true;
        const gl = this.backend.gl;
        const e = gl.getError();
        if (e !== gl.NO_ERROR) {
          glError = glErrorName(gl, e);
          problems.push(`pending ${glError}`);
        }
      } catch (err) {
        problems.push(`makeCurrent failed: ${(err as Error).message}`);
      }
    }
    return {
      ok: problems.length === 0,
      state: this.stateValue,
      generation: this.generationValue,
      refCount: this.refs.size,
      current,
      lost,
      glError,
      problems,
    };
  }

  /**
   * Puts the GL state the renderer relies on back to defaults: no blending/depth/stencil/scissor/culling; no
   * framebuffer, program, vertex array or array buffer bound; every texture unit unbound; tight pixel packing.
   * Runs after every initialize(); call it after handing the raw GL to other code.
   */
  resetState(): void {
    const gl = this.use('resetState');
    for (const cap of [gl.BLEND, gl.DEPTH_TEST, gl.SCISSOR_TEST, gl.CULL_FACE, gl.STENCIL_TEST, gl.DITHER]) {
      gl.disable(cap);
    }
    gl.bindFramebuffer(gl.FRAMEBUFFER, null);
    gl.useProgram(null);
    gl.bindVertexArray(null);
    gl.bindBuffer(gl.ARRAY_BUFFER, null);
    const units = Math.min(Number(gl.getParameter(gl.MAX_TEXTURE_IMAGE_UNITS)) || 16, 64);
    for (let unit = units - 1; unit >= 0; unit--) {
      gl.activeTexture(gl.TEXTURE0 + unit);
      gl.bindTexture(gl.TEXTURE_2D, null);
      gl.bindTexture(gl.TEXTURE_CUBE_MAP, null);
    }
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    gl.pixelStorei(gl.PACK_ALIGNMENT, 1);
  }

  info(): ContextInfo {
    return this.device.info();
  }

  /** Largest render/pass size per side: min(MAX_TEXTURE_SIZE, MAX_VIEWPORT_DIMS, options.maxSize). */
  maxRenderSize(): number {
    return this.device.maxRenderSize();
  }

  /** The best float render-target format this GL offers: rgba32f, then rgba16f, else 'none'. */
  floatFormat(): TextureFormat | 'none' {
    return this.device.floatFormat();
  }

  /** The format float images are uploaded in: rgba32f where this GL can filter it, else rgba16f. */
  floatImageFormat(): 'rgba32f' | 'rgba16f' {
    return this.device.floatImageFormat();
  }

  /** Live GL objects and bytes of this generation, pool and queue counters. Cheap: no GL calls. */
  stats(): ContextStats {
    return {
      ...this.tracker.counts,
      state: this.stateValue,
      generation: this.generationValue,
      refCount: this.refs.size,
      frames: this.frameCount,
      pool: this.pool.stats(),
      programs: this.tracker.counts.programs,
      queued: this.queuedCount,
    };
  }

  /** Called by scenes after each rendered frame: advances the frame clock and runs periodic housekeeping. */
  afterFrame(): void {
    this.frameCount += 1;
    if (this.frameCount % this.options.housekeepingInterval === 0 && this.stateValue === 'ready') {
      this.pool.housekeeping();
    }
  }

  // --- GL object helpers (counted) --------------------------------------------------------------------------

  get resources(): ResourceTracker {
    return this.tracker;
  }

  createTexture(
    width: number,
    height: number,
    format: TextureFormat,
    data: ArrayBufferView | null = null,
  ): Texture2D {
    return this.device.createTexture(width, height, format, data);
  }

  /** A cube map from six square faces of one size, in GL order (+X, -X, +Y, -Y, +Z, -Z), each top row first. */
  createCubeTexture(size: number, format: TextureFormat, faces: readonly ArrayBufferView[]): Texture2D {
    return this.device.createCubeTexture(size, format, faces);
  }

  deleteTexture(tex: Texture2D): void {
    this.device.deleteTexture(tex);
  }

  /** Binds the shared full-screen quad (4-vertex triangle strip in clip space, attribute 0 = VERTEXDATA). */
  bindQuad(): void {
    this.device.bindQuad();
  }

  /** Binds a vertex array without attributes: draws of any vertex count read no buffer (VERTEX_SHADER_ART). */
  bindEmptyVertexArray(): void {
    this.device.bindEmptyVertexArray();
  }
}

let nextRefId = 1;

class RefImpl implements ContextRef {
  readonly id = nextRefId++;
  private live = true;
  private invalidatedFlag = false;
  constructor(
    readonly context: GLContext,
    private readonly onRelease: (r: RefImpl) => void,
  ) {}
  get valid(): boolean {
    return this.live;
  }
  get invalidated(): boolean {
    return this.invalidatedFlag;
  }
  toString(): string {
    return `ContextRef#${this.id} of ${this.context}`;
  }
  release(): void {
    if (this.invalidatedFlag) return; // a forced cleanup already took it back: nothing to give back
    if (!this.live) throw new ISFError('REF_UNDERFLOW', `${this}: released twice`);
    this.live = false;
    this.onRelease(this);
  }
  check(operation: string): void {
    if (this.live) return;
    throw new ISFError(
      'CONTEXT_STATE',
      this.invalidatedFlag
        ? `${this}: cannot ${operation}: a forced cleanup invalidated this reference`
        : `${this}: cannot ${operation}: the reference was released`,
      { suggestion: 'acquire a new reference' },
    );
  }
  invalidate(): void {
    this.live = false;
    this.invalidatedFlag = true;
  }
}

/** Create a context over any backend factory (node: createContext() in src/node; browser: src/browser). */
export function createContextWith(factory: GLBackendFactory, options?: GLContextOptions): GLContext {
  return new GLContext(factory, options);
}
