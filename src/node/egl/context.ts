/**
 * createEglContext: an offscreen OpenGL ES 3 context (EGL, no surface) wrapped as a WebGL2-shaped `NodeGL2`.
 *
 * Default platform: Mesa's surfaceless platform on EGL_DEFAULT_DISPLAY (llvmpipe when there is no GPU). With
 * `device: 'gpu'` or a device index: the EGL device platform (eglQueryDevicesEXT), which is how NVIDIA's EGL
 * renders headless. Rendering always goes to framebuffer objects; the context is made current with no surface.
 */
import { ISFError, invalidParameter } from '../../core/errors.ts';
import { EGL, eglErrorName } from './constants.ts';
import { ContextCore, thread } from './core.ts';
import { acquireDisplay, type DeviceOption, type DisplayHandle, releaseDisplay } from './display.ts';
import { type LibraryOptions, loadNative, type Native } from './native.ts';
import { installDebugChecks, NodeGL2 } from './node-gl2.ts';

export interface EglContextOptions extends LibraryOptions {
  /** 'cpu' or omitted: surfaceless Mesa platform. 'gpu': the first NVIDIA (else non-software) EGL device. A number: that EGL device index. */
  device?: DeviceOption;
  /** Size of the drawing buffer that bindFramebuffer(target, null) binds (default 1x1: real work uses FBOs). */
  width?: number;
  height?: number;
  /** Create an EGL debug context and make every gl call throw ISFError('GL_ERROR') when it raises a GL error. */
  debug?: boolean;
}

export interface EglContextInfo {
  vendor: string;
  renderer: string;
  version: string;
  glslVersion: string;
  maxTextureSize: number;
  maxTextureUnits: number;
  maxViewportDims: [number, number];
  /** Native GLES extension names. */
  extensions: string[];
  platform: 'surfaceless' | 'device';
  /** EGL device index when platform is 'device'. */
  deviceIndex: number | null;
  eglVersion: string;
  floatRenderable: boolean;
}

export class EglContext {
  readonly gl: NodeGL2;
  private readonly core: ContextCore;
  private readonly native: Native;
  private displayHandle: DisplayHandle | null;
  private readonly displayInfo: Pick<DisplayHandle, 'platform' | 'deviceIndex' | 'eglVersion'>;
  private destroyed = false;

  /** @internal Use createEglContext(). */
  constructor(native: Native, core: ContextCore, display: DisplayHandle, gl: NodeGL2) {
    this.native = native;
    this.core = core;
    this.displayHandle = display;
    this.displayInfo = {
      platform: display.platform,
      deviceIndex: display.deviceIndex,
      eglVersion: display.eglVersion,
    };
    this.gl = gl;
  }

  get isDestroyed(): boolean {
    return this.destroyed;
  }

  /** Makes this context current on the calling thread (free when it already is). gl calls also do it on demand. */
  makeCurrent(): void {
    if (thread.current === this.core) return;
    if (this.destroyed) throw new ISFError('RESOURCE_DESTROYED', 'makeCurrent() on a destroyed EGL context');
    if (!this.core.enter()) throw new ISFError('GL_CONTEXT_LOST', 'makeCurrent() on a lost EGL context');
  }

  /** Unbinds this context from the calling thread if it is current. */
  release(): void {
    this.core.leave();
  }

  /** Destroys the native context and drops this context's hold on the EGLDisplay. Idempotent. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.core.kill();
    this.dropDisplay();
  }

  /**
   * Destroys the native context under the JS objects, as a GPU reset would: afterwards gl calls are no-ops,
   * gl.isContextLost() is true and gl.getError() returns CONTEXT_LOST_WEBGL once.
   */
  simulateLoss(): void {
    if (!this.core.alive) return;
    this.core.kill();
    this.dropDisplay();
  }

  info(): EglContextInfo {
    const c = this.gl.caps;
    const d = this.displayInfo;
    return {
      vendor: c.vendor,
      renderer: c.renderer,
      version: c.version,
      glslVersion: c.glslVersion,
      maxTextureSize: c.maxTextureSize,
      maxTextureUnits: c.maxTextureUnits,
      maxViewportDims: [c.maxViewportDims[0], c.maxViewportDims[1]],
      extensions: [...c.extensions],
      platform: d.platform,
      deviceIndex: d.deviceIndex,
      eglVersion: d.eglVersion,
      floatRenderable: c.floatRenderable,
    };
  }

  private dropDisplay(): void {
    if (!this.displayHandle) return;
    releaseDisplay(this.native, this.displayHandle);
    this.displayHandle = null;
  }
}

function checkSize(name: string, v: unknown): number {
  if (v === undefined) return 1;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 16384)
    throw invalidParameter(name, 'an integer between 1 and 16384', v);
  return v;
}

function checkDevice(v: unknown): DeviceOption | undefined {
  if (v === undefined || v === 'cpu' || v === 'gpu') return v;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  throw invalidParameter('device', "'cpu', 'gpu' or a non-negative EGL device index", v);
}

export function createEglContext(options: EglContextOptions = {}): EglContext {
  const device = checkDevice(options.device);
  const width = checkSize('width', options.width);
  const height = checkSize('height', options.height);
  const native = loadNative(options);
  const egl = native.egl;
  const display = acquireDisplay(native, device);
  const where =
    display.platform === 'device' ? `EGL device #${display.deviceIndex}` : 'the surfaceless display';
  let core: ContextCore | null = null;
  try {
    if (egl.eglBindAPI(EGL.OPENGL_ES_API) === 0)
      throw new ISFError(
        'GL_UNAVAILABLE',
        `eglBindAPI(EGL_OPENGL_ES_API) failed with ${eglErrorName(egl.eglGetError())}`,
      );
    // EGL_SURFACE_TYPE 0 matches every config: the default (EGL_WINDOW_BIT) would exclude surfaceless configs.
    const configAttribs = new Int32Array([
      EGL.RENDERABLE_TYPE,
      EGL.OPENGL_ES3_BIT,
      EGL.SURFACE_TYPE,
      0,
      EGL.NONE,
    ]);
    const configs = new BigUint64Array(1);
    const num = new Int32Array(1);
    if (egl.eglChooseConfig(display.display, configAttribs, configs, 1, num) === 0)
      throw new ISFError(
        'GL_UNAVAILABLE',
        `eglChooseConfig on ${where} failed with ${eglErrorName(egl.eglGetError())}`,
      );
    if (num[0] === 0)
      throw new ISFError(
        'GL_UNAVAILABLE',
        `${where} has no EGL config with EGL_OPENGL_ES3_BIT (OpenGL ES 3 unsupported)`,
      );
    const ctxAttribs = options.debug
      ? new Int32Array([EGL.CONTEXT_MAJOR_VERSION, 3, EGL.CONTEXT_OPENGL_DEBUG, 1, EGL.NONE])
      : new Int32Array([EGL.CONTEXT_MAJOR_VERSION, 3, EGL.NONE]);
    let ctx = egl.eglCreateContext(display.display, configs[0]!, null, ctxAttribs);
    // Drivers without EGL 1.5 / KHR_create_context refuse the debug attribute; the JS-side checks still apply.
    if (!ctx && options.debug)
      ctx = egl.eglCreateContext(
        display.display,
        configs[0]!,
        null,
        new Int32Array([EGL.CONTEXT_MAJOR_VERSION, 3, EGL.NONE]),
      );
    if (!ctx)
      throw new ISFError(
        'GL_UNAVAILABLE',
        `eglCreateContext (OpenGL ES 3) on ${where} failed with ${eglErrorName(egl.eglGetError())}`,
      );
    core = new ContextCore(native, display.display, ctx);
    if (egl.eglMakeCurrent(display.display, null, null, ctx) === 0)
      throw new ISFError(
        'GL_UNAVAILABLE',
        `eglMakeCurrent with no surface on ${where} failed with ${eglErrorName(egl.eglGetError())} (EGL_KHR_surfaceless_context needed)`,
      );
    thread.current = core;
    const gl = new NodeGL2(core, { width, height });
    if (options.debug) installDebugChecks(gl);
    return new EglContext(native, core, display, gl);
  } catch (e) {
    core?.kill();
    releaseDisplay(native, display);
    throw e;
  }
}
