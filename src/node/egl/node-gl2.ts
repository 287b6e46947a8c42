/**
 * NodeGL2: the `GL2` interface (WebGL2 semantics) over an EGL + OpenGL ES 3 context through koffi.
 *
 * Every entry point starts with one comparison (`thread.current !== this.core`): when this context is current the
 * call goes straight to native code; otherwise the core makes it current, or, when the context is destroyed or
 * lost, the call returns WebGL's "lost" value without touching native code. Contexts are therefore made current
 * automatically; EglContext.makeCurrent() exists to do it up front.
 *
 * WebGL behaviours reproduced in JS (GLES lacks them):
 * - objects are wrapper instances; using one from another context or after deletion is INVALID_OPERATION;
 * - array sizes are checked before texImage2D/texSubImage2D/readPixels (native code would overrun them);
 * - UNPACK_FLIP_Y_WEBGL and UNPACK_PREMULTIPLY_ALPHA_WEBGL are applied on a CPU copy of the upload
 *   (premultiply supports UNSIGNED_BYTE and FLOAT data, and throws GL_UNSUPPORTED for other types);
 * - texImage2D with null pixels gives a zero-filled texture, as WebGL guarantees;
 * - `bindFramebuffer(target, null)` binds a drawing buffer of the context's width x height (RGBA8), standing in
 *   for the canvas: the EGL context has no surface, so GL's framebuffer 0 is incomplete.
 */
import { ISFError } from '../../core/errors.ts';
import type {
  GL2,
  GLBuffer,
  GLBufferSource,
  GLFramebuffer,
  GLProgram,
  GLShader,
  GLSync,
  GLTexture,
  GLUniformLocation,
  GLVertexArrayObject,
} from '../../gl/gl2.ts';
import { GLC, GLX } from './constants.ts';
import { type ContextCore, thread } from './core.ts';
import type { GlesFuncs } from './native.ts';
import { bytesPerPixel, type PixelLayout, requiredBytes, rowStride, transformUpload } from './pixels.ts';

abstract class NodeGLObject {
  deleted = false;
  constructor(
    readonly owner: NodeGL2,
    readonly id: number,
  ) {}
}
export class NodeWebGLTexture extends NodeGLObject {}
export class NodeWebGLFramebuffer extends NodeGLObject {}
export class NodeWebGLBuffer extends NodeGLObject {
  /** Bytes allocated by bufferData (checked before native reads and writes into it). */
  size = 0;
}
export class NodeWebGLVertexArray extends NodeGLObject {}
export class NodeWebGLShader extends NodeGLObject {}
export class NodeWebGLProgram extends NodeGLObject {}
/** A fence (GLsync is a pointer, not a name). */
export class NodeGLSync {
  deleted = false;
  constructor(
    readonly owner: NodeGL2,
    readonly handle: bigint,
  ) {}
}
export class NodeWebGLUniformLocation {
  constructor(
    readonly program: NodeWebGLProgram,
    readonly location: number,
  ) {}
}

export interface LiveObjects {
  textures: number;
  framebuffers: number;
  programs: number;
  shaders: number;
  buffers: number;
  vertexArrays: number;
}

/** What a context reports about itself, read once at creation (so it stays readable after loss). */
export interface GLCaps {
  vendor: string;
  renderer: string;
  version: string;
  glslVersion: string;
  esMajor: number;
  esMinor: number;
  maxTextureSize: number;
  maxTextureUnits: number;
  maxRenderbufferSize: number;
  maxViewportDims: [number, number];
  /** Native GLES extension names (GL_EXT_...). */
  extensions: string[];
  floatRenderable: boolean;
}

/** WebGL extension name -> [native extension that provides it, constants the extension object carries]. */
const WEBGL_EXTENSIONS: Record<string, [string, Record<string, number>]> = {
  EXT_color_buffer_float: ['GL_EXT_color_buffer_float', {}],
  EXT_color_buffer_half_float: [
    'GL_EXT_color_buffer_half_float',
    {
      RGBA16F_EXT: 0x881a,
      RGB16F_EXT: 0x881b,
      FRAMEBUFFER_ATTACHMENT_COMPONENT_TYPE_EXT: 0x8211,
      UNSIGNED_NORMALIZED_EXT: 0x8c17,
    },
  ],
  OES_texture_float_linear: ['GL_OES_texture_float_linear', {}],
  EXT_float_blend: ['GL_EXT_float_blend', {}],
  EXT_texture_filter_anisotropic: [
    'GL_EXT_texture_filter_anisotropic',
    { TEXTURE_MAX_ANISOTROPY_EXT: 0x84fe, MAX_TEXTURE_MAX_ANISOTROPY_EXT: 0x84ff },
  ],
  KHR_parallel_shader_compile: ['GL_KHR_parallel_shader_compile', { COMPLETION_STATUS_KHR: 0x91b1 }],
  EXT_texture_norm16: [
    'GL_EXT_texture_norm16',
    {
      R16_EXT: 0x822a,
      RG16_EXT: 0x822c,
      RGB16_EXT: 0x8054,
      RGBA16_EXT: 0x805b,
      R16_SNORM_EXT: 0x8f98,
      RG16_SNORM_EXT: 0x8f99,
      RGB16_SNORM_EXT: 0x8f9a,
      RGBA16_SNORM_EXT: 0x8f9b,
    },
  ],
};

const ZERO_CHUNK_BYTES = 4 << 20;
let zeroChunk: Uint8Array | null = null;

export interface NodeGL2Options {
  width: number;
  height: number;
}

export class NodeGL2 implements GL2 {
  readonly NO_ERROR = GLC.NO_ERROR;
  readonly INVALID_ENUM = GLC.INVALID_ENUM;
  readonly INVALID_VALUE = GLC.INVALID_VALUE;
  readonly INVALID_OPERATION = GLC.INVALID_OPERATION;
  readonly INVALID_FRAMEBUFFER_OPERATION = GLC.INVALID_FRAMEBUFFER_OPERATION;
  readonly OUT_OF_MEMORY = GLC.OUT_OF_MEMORY;
  readonly CONTEXT_LOST_WEBGL = GLC.CONTEXT_LOST_WEBGL;
  readonly TEXTURE_2D = GLC.TEXTURE_2D;
  readonly TEXTURE_CUBE_MAP = GLC.TEXTURE_CUBE_MAP;
  readonly TEXTURE_CUBE_MAP_POSITIVE_X = GLC.TEXTURE_CUBE_MAP_POSITIVE_X;
  readonly TEXTURE0 = GLC.TEXTURE0;
  readonly TEXTURE_MIN_FILTER = GLC.TEXTURE_MIN_FILTER;
  readonly TEXTURE_MAG_FILTER = GLC.TEXTURE_MAG_FILTER;
  readonly TEXTURE_WRAP_S = GLC.TEXTURE_WRAP_S;
  readonly TEXTURE_WRAP_T = GLC.TEXTURE_WRAP_T;
  readonly LINEAR = GLC.LINEAR;
  readonly NEAREST = GLC.NEAREST;
  readonly CLAMP_TO_EDGE = GLC.CLAMP_TO_EDGE;
  readonly RGBA = GLC.RGBA;
  readonly RGBA8 = GLC.RGBA8;
  readonly RGBA16F = GLC.RGBA16F;
  readonly RGBA32F = GLC.RGBA32F;
  readonly UNSIGNED_BYTE = GLC.UNSIGNED_BYTE;
  readonly FLOAT = GLC.FLOAT;
  readonly HALF_FLOAT = GLC.HALF_FLOAT;
  readonly FRAMEBUFFER = GLC.FRAMEBUFFER;
  readonly READ_FRAMEBUFFER = GLC.READ_FRAMEBUFFER;
  readonly DRAW_FRAMEBUFFER = GLC.DRAW_FRAMEBUFFER;
  readonly COLOR_ATTACHMENT0 = GLC.COLOR_ATTACHMENT0;
  readonly FRAMEBUFFER_COMPLETE = GLC.FRAMEBUFFER_COMPLETE;
  readonly COLOR_BUFFER_BIT = GLC.COLOR_BUFFER_BIT;
  readonly VERTEX_SHADER = GLC.VERTEX_SHADER;
  readonly FRAGMENT_SHADER = GLC.FRAGMENT_SHADER;
  readonly COMPILE_STATUS = GLC.COMPILE_STATUS;
  readonly LINK_STATUS = GLC.LINK_STATUS;
  readonly ARRAY_BUFFER = GLC.ARRAY_BUFFER;
  readonly STATIC_DRAW = GLC.STATIC_DRAW;
  readonly POINTS = GLC.POINTS;
  readonly LINES = GLC.LINES;
  readonly LINE_LOOP = GLC.LINE_LOOP;
  readonly LINE_STRIP = GLC.LINE_STRIP;
  readonly TRIANGLES = GLC.TRIANGLES;
  readonly PIXEL_PACK_BUFFER = GLC.PIXEL_PACK_BUFFER;
  readonly STREAM_READ = GLC.STREAM_READ;
  readonly SYNC_GPU_COMMANDS_COMPLETE = GLC.SYNC_GPU_COMMANDS_COMPLETE;
  readonly SYNC_FLUSH_COMMANDS_BIT = GLC.SYNC_FLUSH_COMMANDS_BIT;
  readonly ALREADY_SIGNALED = GLC.ALREADY_SIGNALED;
  readonly CONDITION_SATISFIED = GLC.CONDITION_SATISFIED;
  readonly TIMEOUT_EXPIRED = GLC.TIMEOUT_EXPIRED;
  readonly WAIT_FAILED = GLC.WAIT_FAILED;
  readonly TRIANGLE_STRIP = GLC.TRIANGLE_STRIP;
  readonly TRIANGLE_FAN = GLC.TRIANGLE_FAN;
  readonly BLEND = GLC.BLEND;
  readonly DEPTH_TEST = GLC.DEPTH_TEST;
  readonly SCISSOR_TEST = GLC.SCISSOR_TEST;
  readonly CULL_FACE = GLC.CULL_FACE;
  readonly STENCIL_TEST = GLC.STENCIL_TEST;
  readonly DITHER = GLC.DITHER;
  readonly UNPACK_ALIGNMENT = GLC.UNPACK_ALIGNMENT;
  readonly PACK_ALIGNMENT = GLC.PACK_ALIGNMENT;
  readonly UNPACK_FLIP_Y_WEBGL = GLC.UNPACK_FLIP_Y_WEBGL;
  readonly UNPACK_PREMULTIPLY_ALPHA_WEBGL = GLC.UNPACK_PREMULTIPLY_ALPHA_WEBGL;
  readonly MAX_TEXTURE_SIZE = GLC.MAX_TEXTURE_SIZE;
  readonly MAX_TEXTURE_IMAGE_UNITS = GLC.MAX_TEXTURE_IMAGE_UNITS;
  readonly MAX_RENDERBUFFER_SIZE = GLC.MAX_RENDERBUFFER_SIZE;
  readonly MAX_VIEWPORT_DIMS = GLC.MAX_VIEWPORT_DIMS;
  readonly VENDOR = GLC.VENDOR;
  readonly RENDERER = GLC.RENDERER;
  readonly VERSION = GLC.VERSION;
  readonly SHADING_LANGUAGE_VERSION = GLC.SHADING_LANGUAGE_VERSION;

  /** Size of the stand-in drawing buffer bound by bindFramebuffer(target, null). */
  readonly drawingBufferWidth: number;
  readonly drawingBufferHeight: number;
  readonly caps: GLCaps;
  /** Live wrapper counts, maintained by create and delete calls (also after loss), for leak tests. */
  readonly stats: { liveObjects(): LiveObjects };

  /** @internal */
  readonly core: ContextCore;
  private readonly g: GlesFuncs;
  // Reused out-parameters: no allocation per glGen*/glGet* call.
  private readonly u32 = new Uint32Array(1);
  private readonly i32 = new Int32Array(4);
  private readonly f32 = new Float32Array(4);
  private synthError = 0;
  private lostErrorPending = false;
  private readonly unpack: PixelLayout = { alignment: 4, rowLength: 0, skipRows: 0, skipPixels: 0 };
  private readonly pack: PixelLayout = { alignment: 4, rowLength: 0, skipRows: 0, skipPixels: 0 };
  /** The buffer bound to PIXEL_PACK_BUFFER: readPixels then writes into it at an offset. */
  private packBuffer: NodeWebGLBuffer | undefined;
  private flipY = false;
  private premultiplyAlpha = false;
  private currentProgram: NodeWebGLProgram | null = null;
  private readonly textures = new Map<number, NodeWebGLTexture>();
  private readonly framebuffers = new Map<number, NodeWebGLFramebuffer>();
  private readonly buffers = new Map<number, NodeWebGLBuffer>();
  private readonly vertexArrays = new Map<number, NodeWebGLVertexArray>();
  private readonly shaders = new Map<number, NodeWebGLShader>();
  private readonly programs = new Map<number, NodeWebGLProgram>();
  private readonly extensionObjects = new Map<string, object>();
  private readonly supportedExtensions: string[];
  private readonly defaultFramebuffer: number;

  /** @internal Use createEglContext(). The core must be current. */
  constructor(core: ContextCore, options: NodeGL2Options) {
    this.core = core;
    this.g = core.native.gles;
    core.onLost = () => {
      this.lostErrorPending = true;
    };
    this.drawingBufferWidth = options.width;
    this.drawingBufferHeight = options.height;
    this.caps = this.readCaps();
    this.supportedExtensions = Object.keys(WEBGL_EXTENSIONS).filter((name) => this.providesExtension(name));
    this.stats = {
      liveObjects: () => ({
        textures: this.textures.size,
        framebuffers: this.framebuffers.size,
        programs: this.programs.size,
        shaders: this.shaders.size,
        buffers: this.buffers.size,
        vertexArrays: this.vertexArrays.size,
      }),
    };
    this.defaultFramebuffer = this.createDrawingBuffer(options.width, options.height);
  }

  private readCaps(): GLCaps {
    const g = this.g;
    const str = (e: number) => g.glGetString(e) ?? '';
    const int = (e: number) => {
      this.i32[0] = 0;
      g.glGetIntegerv(e, this.i32);
      return this.i32[0]!;
    };
    const version = str(GLC.VERSION);
    const m = /OpenGL ES (\d+)\.(\d+)/.exec(version);
    const esMajor = m ? Number(m[1]) : 3;
    const esMinor = m ? Number(m[2]) : 0;
    const extensions = str(GLX.EXTENSIONS).split(/\s+/).filter(Boolean);
    g.glGetIntegerv(GLC.MAX_VIEWPORT_DIMS, this.i32);
    const maxViewportDims: [number, number] = [this.i32[0]!, this.i32[1]!];
    return {
      vendor: str(GLC.VENDOR),
      renderer: str(GLC.RENDERER),
      version,
      glslVersion: str(GLC.SHADING_LANGUAGE_VERSION),
      esMajor,
      esMinor,
      maxTextureSize: int(GLC.MAX_TEXTURE_SIZE),
      maxTextureUnits: int(GLC.MAX_TEXTURE_IMAGE_UNITS),
      maxRenderbufferSize: int(GLC.MAX_RENDERBUFFER_SIZE),
      maxViewportDims,
      extensions,
      // GLES 3.2 made RGBA16F/RGBA32F colour-renderable in core; before that it takes EXT_color_buffer_float.
      floatRenderable:
        esMajor > 3 || (esMajor === 3 && esMinor >= 2) || extensions.includes('GL_EXT_color_buffer_float'),
    };
  }

  private providesExtension(name: string): boolean {
    const entry = WEBGL_EXTENSIONS[name];
    if (!entry) return false;
    if (this.caps.extensions.includes(entry[0])) return true;
    if (name === 'EXT_color_buffer_float' || name === 'EXT_color_buffer_half_float')
      return this.caps.floatRenderable;
    return false;
  }

  private createDrawingBuffer(width: number, height: number): number {
    const g = this.g;
    g.glGenFramebuffers(1, this.u32);
    const fbo = this.u32[0]!;
    g.glGenRenderbuffers(1, this.u32);
    const rb = this.u32[0]!;
    g.glBindRenderbuffer(GLX.RENDERBUFFER, rb);
    g.glRenderbufferStorage(GLX.RENDERBUFFER, GLC.RGBA8, width, height);
    g.glBindFramebuffer(GLC.FRAMEBUFFER, fbo);
    g.glFramebufferRenderbuffer(GLC.FRAMEBUFFER, GLC.COLOR_ATTACHMENT0, GLX.RENDERBUFFER, rb);
    g.glBindRenderbuffer(GLX.RENDERBUFFER, 0);
    const status = g.glCheckFramebufferStatus(GLC.FRAMEBUFFER);
    if (status !== GLC.FRAMEBUFFER_COMPLETE) {
      throw new ISFError(
        'GL_UNAVAILABLE',
        `The ${width}x${height} RGBA8 drawing buffer is incomplete (status 0x${status.toString(16)})`,
      );
    }
    g.glViewport(0, 0, width, height);
    g.glScissor(0, 0, width, height);
    g.glClearColor(0, 0, 0, 0);
    g.glClear(GLC.COLOR_BUFFER_BIT);
    return fbo;
  }

  // --- helpers ---

  /** Records a WebGL-side error (the first one wins until getError reads it, like WebGL's error flags). */
  private fail(code: number): void {
    if (this.synthError === 0) this.synthError = code;
  }

  /** The GL name of a wrapper, 0 for null, -1 (with INVALID_OPERATION recorded) for a foreign or deleted one. */
  private nameOf(obj: unknown): number {
    if (obj === null || obj === undefined) return 0;
    const o = obj as NodeGLObject;
    if (o.owner !== this || o.deleted) {
      this.fail(GLC.INVALID_OPERATION);
      return -1;
    }
    return o.id;
  }

  private deleteObject<T extends NodeGLObject>(
    obj: unknown,
    map: Map<number, T>,
    del: ((n: number, ids: Uint32Array) => void) | ((id: number) => void),
    single: boolean,
  ): void {
    if (obj === null || obj === undefined) return;
    const o = obj as T;
    if (o.owner !== this) {
      if (this.core.alive) this.fail(GLC.INVALID_OPERATION);
      return;
    }
    if (o.deleted) return;
    o.deleted = true;
    map.delete(o.id);
    if (thread.current !== this.core && !this.core.enter()) return;
    if (single) (del as (id: number) => void)(o.id);
    else {
      this.u32[0] = o.id;
      (del as (n: number, ids: Uint32Array) => void)(1, this.u32);
    }
  }

  private genName(gen: (n: number, out: Uint32Array) => void): number {
    this.u32[0] = 0;
    gen(1, this.u32);
    return this.u32[0]!;
  }

  // --- state ---

  isContextLost(): boolean {
    return !this.core.alive;
  }

  getError(): number {
    if (this.lostErrorPending) {
      this.lostErrorPending = false;
      return GLC.CONTEXT_LOST_WEBGL;
    }
    if (this.synthError !== 0) {
      const e = this.synthError;
      this.synthError = 0;
      return e;
    }
    if (thread.current !== this.core && !this.core.enter()) return GLC.NO_ERROR;
    return this.g.glGetError();
  }

  // biome-ignore lint/suspicious/noExplicitAny: the WebGL2RenderingContext signature (value type depends on the enum)
  getParameter(pname: number): any {
    if (thread.current !== this.core && !this.core.enter()) return null;
    const g = this.g;
    switch (pname) {
      case GLC.VENDOR:
        return this.caps.vendor;
      case GLC.RENDERER:
        return this.caps.renderer;
      case GLC.VERSION:
        return this.caps.version;
      case GLC.SHADING_LANGUAGE_VERSION:
        return this.caps.glslVersion;
      case GLC.MAX_VIEWPORT_DIMS:
        return Int32Array.from(this.caps.maxViewportDims);
      case GLX.VIEWPORT:
      case GLX.SCISSOR_BOX:
        g.glGetIntegerv(pname, this.i32);
        return Int32Array.from(this.i32);
      case GLX.COLOR_CLEAR_VALUE:
        g.glGetFloatv(pname, this.f32);
        return Float32Array.from(this.f32);
      case GLX.MAX_TEXTURE_MAX_ANISOTROPY_EXT:
        g.glGetFloatv(pname, this.f32);
        return this.f32[0];
      case GLC.BLEND:
      case GLC.DEPTH_TEST:
      case GLC.SCISSOR_TEST:
      case GLC.CULL_FACE:
      case GLC.STENCIL_TEST:
      case GLC.DITHER:
        return g.glIsEnabled(pname) !== 0;
      case GLC.UNPACK_FLIP_Y_WEBGL:
        return this.flipY;
      case GLC.UNPACK_PREMULTIPLY_ALPHA_WEBGL:
        return this.premultiplyAlpha;
      case GLX.UNPACK_COLORSPACE_CONVERSION_WEBGL:
        return 0x9244; // BROWSER_DEFAULT_WEBGL; only meaningful for DOM image sources, which Node never has
      case GLX.CURRENT_PROGRAM:
        return this.currentProgram;
      case GLX.FRAMEBUFFER_BINDING:
      case GLX.READ_FRAMEBUFFER_BINDING:
        return this.framebuffers.get(this.getInt(pname)) ?? null;
      case GLX.ARRAY_BUFFER_BINDING:
        return this.buffers.get(this.getInt(pname)) ?? null;
      case GLX.VERTEX_ARRAY_BINDING:
        return this.vertexArrays.get(this.getInt(pname)) ?? null;
      case GLX.TEXTURE_BINDING_2D:
        return this.textures.get(this.getInt(pname)) ?? null;
      default:
        return this.getInt(pname);
    }
  }

  private getInt(pname: number): number {
    this.i32[0] = 0;
    this.g.glGetIntegerv(pname, this.i32);
    return this.i32[0]!;
  }

  // biome-ignore lint/suspicious/noExplicitAny: the WebGL2RenderingContext signature (value type depends on the enum)
  getExtension(name: string): any {
    if (!this.core.alive) return null;
    const canonical = this.supportedExtensions.find((n) => n.toLowerCase() === String(name).toLowerCase());
    if (!canonical) return null;
    let ext = this.extensionObjects.get(canonical);
    if (!ext) {
      ext = Object.freeze({ ...WEBGL_EXTENSIONS[canonical]![1] });
      this.extensionObjects.set(canonical, ext);
    }
    return ext;
  }

  getSupportedExtensions(): string[] | null {
    return this.core.alive ? [...this.supportedExtensions] : null;
  }

  enable(cap: number): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    this.g.glEnable(cap);
  }

  disable(cap: number): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    this.g.glDisable(cap);
  }

  viewport(x: number, y: number, width: number, height: number): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    this.g.glViewport(x, y, width, height);
  }

  clearColor(r: number, g: number, b: number, a: number): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    this.g.glClearColor(r, g, b, a);
  }

  clear(mask: number): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    this.g.glClear(mask);
  }

  pixelStorei(pname: number, param: number | boolean): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    const v = Number(param);
    switch (pname) {
      case GLC.UNPACK_FLIP_Y_WEBGL:
        this.flipY = v !== 0;
        return;
      case GLC.UNPACK_PREMULTIPLY_ALPHA_WEBGL:
        this.premultiplyAlpha = v !== 0;
        return;
      case GLX.UNPACK_COLORSPACE_CONVERSION_WEBGL:
        return;
      case GLC.UNPACK_ALIGNMENT:
      case GLC.PACK_ALIGNMENT:
        if (v !== 1 && v !== 2 && v !== 4 && v !== 8) {
          this.fail(GLC.INVALID_VALUE);
          return;
        }
        (pname === GLC.UNPACK_ALIGNMENT ? this.unpack : this.pack).alignment = v;
        break;
      case GLX.UNPACK_ROW_LENGTH:
      case GLX.UNPACK_SKIP_ROWS:
      case GLX.UNPACK_SKIP_PIXELS:
      case GLX.PACK_ROW_LENGTH:
      case GLX.PACK_SKIP_ROWS:
      case GLX.PACK_SKIP_PIXELS: {
        if (!(v >= 0)) {
          this.fail(GLC.INVALID_VALUE);
          return;
        }
        const layout = pname <= GLX.UNPACK_SKIP_PIXELS ? this.unpack : this.pack;
        const key = pname === GLX.UNPACK_ROW_LENGTH || pname === GLX.PACK_ROW_LENGTH ? 'rowLength' : null;
        if (key) layout.rowLength = v;
        else if (pname === GLX.UNPACK_SKIP_ROWS || pname === GLX.PACK_SKIP_ROWS) layout.skipRows = v;
        else layout.skipPixels = v;
        break;
      }
    }
    this.g.glPixelStorei(pname, v);
  }

  finish(): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    this.g.glFinish();
  }

  flush(): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    this.g.glFlush();
  }

  // --- textures ---

  createTexture(): GLTexture | null {
    if (thread.current !== this.core && !this.core.enter()) return null;
    const t = new NodeWebGLTexture(this, this.genName(this.g.glGenTextures));
    this.textures.set(t.id, t);
    return t;
  }

  deleteTexture(texture: GLTexture | null): void {
    this.deleteObject(texture, this.textures, this.g.glDeleteTextures, false);
  }

  bindTexture(target: number, texture: GLTexture | null): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    const id = this.nameOf(texture);
    if (id >= 0) this.g.glBindTexture(target, id);
  }

  activeTexture(texture: number): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    this.g.glActiveTexture(texture);
  }

  texParameteri(target: number, pname: number, param: number): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    this.g.glTexParameteri(target, pname, param);
  }

  /** Checks the caller's array against what native code will read; returns the data to upload or undefined. */
  private uploadData(
    pixels: ArrayBufferView,
    width: number,
    height: number,
    format: number,
    type: number,
  ): ArrayBufferView | undefined {
    const bpp = bytesPerPixel(format, type);
    if (bpp === 0) {
      this.fail(GLC.INVALID_ENUM);
      return undefined;
    }
    const need = requiredBytes(this.unpack, width, height, bpp);
    if (pixels.byteLength < need) {
      this.fail(GLC.INVALID_OPERATION);
      return undefined;
    }
    if ((this.flipY || this.premultiplyAlpha) && need > 0) {
      return transformUpload(
        pixels,
        this.unpack,
        width,
        height,
        format,
        type,
        this.flipY,
        this.premultiplyAlpha,
      );
    }
    return pixels;
  }

  texImage2D(
    target: number,
    level: number,
    internalformat: number,
    width: number,
    height: number,
    border: number,
    format: number,
    type: number,
    pixels: ArrayBufferView | null,
  ): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    if (pixels === null || pixels === undefined) {
      this.g.glTexImage2D(target, level, internalformat, width, height, border, format, type, null);
      this.zeroFill(target, level, width, height, format, type);
      return;
    }
    const data = this.uploadData(pixels, width, height, format, type);
    if (data) this.g.glTexImage2D(target, level, internalformat, width, height, border, format, type, data);
  }

  /**
   * WebGL guarantees texImage2D(null) gives zeros; GLES leaves the contents undefined. Upload zeros in bands from
   * one shared zero chunk (no per-call allocation of a full image).
   */
  private zeroFill(
    target: number,
    level: number,
    width: number,
    height: number,
    format: number,
    type: number,
  ): void {
    const bpp = bytesPerPixel(format, type);
    if (bpp === 0 || width <= 0 || height <= 0) return;
    const g = this.g;
    const u = this.unpack;
    const custom = u.rowLength !== 0 || u.skipRows !== 0 || u.skipPixels !== 0;
    if (custom) {
      g.glPixelStorei(GLX.UNPACK_ROW_LENGTH, 0);
      g.glPixelStorei(GLX.UNPACK_SKIP_ROWS, 0);
      g.glPixelStorei(GLX.UNPACK_SKIP_PIXELS, 0);
    }
    const stride = rowStride(
      { alignment: u.alignment, rowLength: 0, skipRows: 0, skipPixels: 0 },
      width,
      bpp,
    );
    const band = Math.max(1, Math.min(height, Math.floor(ZERO_CHUNK_BYTES / stride)));
    const bytes = band * stride;
    if (!zeroChunk || zeroChunk.byteLength < bytes) zeroChunk = new Uint8Array(Math.max(bytes, 64 << 10));
    for (let y = 0; y < height; y += band) {
      g.glTexSubImage2D(target, level, 0, y, width, Math.min(band, height - y), format, type, zeroChunk);
    }
    if (custom) {
      g.glPixelStorei(GLX.UNPACK_ROW_LENGTH, u.rowLength);
      g.glPixelStorei(GLX.UNPACK_SKIP_ROWS, u.skipRows);
      g.glPixelStorei(GLX.UNPACK_SKIP_PIXELS, u.skipPixels);
    }
  }

  texSubImage2D(
    target: number,
    level: number,
    xoffset: number,
    yoffset: number,
    width: number,
    height: number,
    format: number,
    type: number,
    pixels: ArrayBufferView | null,
  ): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    if (pixels === null || pixels === undefined) {
      this.fail(GLC.INVALID_VALUE);
      return;
    }
    const data = this.uploadData(pixels, width, height, format, type);
    if (data) this.g.glTexSubImage2D(target, level, xoffset, yoffset, width, height, format, type, data);
  }

  // --- framebuffers ---

  createFramebuffer(): GLFramebuffer | null {
    if (thread.current !== this.core && !this.core.enter()) return null;
    const f = new NodeWebGLFramebuffer(this, this.genName(this.g.glGenFramebuffers));
    this.framebuffers.set(f.id, f);
    return f;
  }

  deleteFramebuffer(framebuffer: GLFramebuffer | null): void {
    const wasBound =
      framebuffer !== null &&
      (framebuffer as NodeGLObject).owner === this &&
      !(framebuffer as NodeGLObject).deleted &&
      this.core.alive;
    this.deleteObject(framebuffer, this.framebuffers, this.g.glDeleteFramebuffers, false);
    // GL falls back to framebuffer 0 (incomplete here); WebGL falls back to the drawing buffer.
    if (wasBound && this.core.alive) this.rebindDefaultIfZero();
  }

  private rebindDefaultIfZero(): void {
    if (this.getInt(GLX.FRAMEBUFFER_BINDING) === 0)
      this.g.glBindFramebuffer(GLC.DRAW_FRAMEBUFFER, this.defaultFramebuffer);
    if (this.getInt(GLX.READ_FRAMEBUFFER_BINDING) === 0)
      this.g.glBindFramebuffer(GLC.READ_FRAMEBUFFER, this.defaultFramebuffer);
  }

  bindFramebuffer(target: number, framebuffer: GLFramebuffer | null): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    const id =
      framebuffer === null || framebuffer === undefined ? this.defaultFramebuffer : this.nameOf(framebuffer);
    if (id >= 0) this.g.glBindFramebuffer(target, id);
  }

  framebufferTexture2D(
    target: number,
    attachment: number,
    textarget: number,
    texture: GLTexture | null,
    level: number,
  ): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    const id = this.nameOf(texture);
    if (id >= 0) this.g.glFramebufferTexture2D(target, attachment, textarget, id, level);
  }

  checkFramebufferStatus(target: number): number {
    if (thread.current !== this.core && !this.core.enter()) return GLX.FRAMEBUFFER_UNSUPPORTED;
    return this.g.glCheckFramebufferStatus(target);
  }

  blitFramebuffer(
    srcX0: number,
    srcY0: number,
    srcX1: number,
    srcY1: number,
    dstX0: number,
    dstY0: number,
    dstX1: number,
    dstY1: number,
    mask: number,
    filter: number,
  ): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    this.g.glBlitFramebuffer(srcX0, srcY0, srcX1, srcY1, dstX0, dstY0, dstX1, dstY1, mask, filter);
  }

  readPixels(
    x: number,
    y: number,
    width: number,
    height: number,
    format: number,
    type: number,
    dstData: ArrayBufferView | number | null,
  ): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    // With a PIXEL_PACK_BUFFER bound GLES reads the last argument as an offset into it; without one, as a client
    // pointer. WebGL2 refuses the mismatches (INVALID_OPERATION): so must we, or a number becomes a wild pointer.
    if (typeof dstData === 'number') {
      const bpp = bytesPerPixel(format, type);
      if (!this.packBuffer || !(dstData >= 0)) this.fail(GLC.INVALID_OPERATION);
      else if (bpp === 0) this.fail(GLC.INVALID_ENUM);
      else if (dstData + requiredBytes(this.pack, width, height, bpp) > this.packBuffer.size)
        this.fail(GLC.INVALID_OPERATION);
      else this.g.glReadPixelsToBuffer(x, y, width, height, format, type, dstData);
      return;
    }
    if (this.packBuffer) {
      this.fail(GLC.INVALID_OPERATION);
      return;
    }
    if (dstData === null || dstData === undefined) {
      this.fail(GLC.INVALID_VALUE);
      return;
    }
    const bpp = bytesPerPixel(format, type);
    if (bpp === 0) {
      this.fail(GLC.INVALID_ENUM);
      return;
    }
    if (dstData.byteLength < requiredBytes(this.pack, width, height, bpp)) {
      this.fail(GLC.INVALID_OPERATION);
      return;
    }
    this.g.glReadPixels(x, y, width, height, format, type, dstData);
  }

  // --- shaders and programs ---

  createShader(type: number): GLShader | null {
    if (thread.current !== this.core && !this.core.enter()) return null;
    const id = this.g.glCreateShader(type);
    if (id === 0) return null;
    const s = new NodeWebGLShader(this, id);
    this.shaders.set(id, s);
    return s;
  }

  shaderSource(shader: GLShader, source: string): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    const id = this.nameOf(shader);
    if (id > 0) this.g.glShaderSource(id, 1, [String(source)], null);
  }

  compileShader(shader: GLShader): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    const id = this.nameOf(shader);
    if (id > 0) this.g.glCompileShader(id);
  }

  // biome-ignore lint/suspicious/noExplicitAny: the WebGL2RenderingContext signature (value type depends on the enum)
  getShaderParameter(shader: GLShader, pname: number): any {
    if (thread.current !== this.core && !this.core.enter()) return null;
    const id = this.nameOf(shader);
    if (id <= 0) return null;
    this.i32[0] = 0;
    this.g.glGetShaderiv(id, pname, this.i32);
    const v = this.i32[0]!;
    return pname === GLC.COMPILE_STATUS || pname === GLX.DELETE_STATUS ? v !== 0 : v;
  }

  getShaderInfoLog(shader: GLShader): string | null {
    if (thread.current !== this.core && !this.core.enter()) return null;
    const id = this.nameOf(shader);
    if (id <= 0) return null;
    return this.readLog(id, this.g.glGetShaderiv, this.g.glGetShaderInfoLog);
  }

  private readLog(
    id: number,
    getiv: (id: number, pname: number, out: Int32Array) => void,
    getLog: (id: number, size: number, length: Int32Array, log: Uint8Array) => void,
  ): string {
    this.i32[0] = 0;
    getiv(id, GLX.INFO_LOG_LENGTH, this.i32);
    const size = this.i32[0]!;
    if (size <= 1) return '';
    const buf = new Uint8Array(size);
    this.i32[0] = 0;
    getLog(id, size, this.i32, buf);
    return Buffer.from(buf.buffer, 0, Math.min(this.i32[0]!, size)).toString('utf8');
  }

  deleteShader(shader: GLShader | null): void {
    this.deleteObject(shader, this.shaders, this.g.glDeleteShader, true);
  }

  createProgram(): GLProgram | null {
    if (thread.current !== this.core && !this.core.enter()) return null;
    const id = this.g.glCreateProgram();
    if (id === 0) return null;
    const p = new NodeWebGLProgram(this, id);
    this.programs.set(id, p);
    return p;
  }

  attachShader(program: GLProgram, shader: GLShader): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    const p = this.nameOf(program);
    const s = this.nameOf(shader);
    if (p > 0 && s > 0) this.g.glAttachShader(p, s);
  }

  bindAttribLocation(program: GLProgram, index: number, name: string): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    const p = this.nameOf(program);
    if (p > 0) this.g.glBindAttribLocation(p, index, String(name));
  }

  linkProgram(program: GLProgram): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    const p = this.nameOf(program);
    if (p > 0) this.g.glLinkProgram(p);
  }

  // biome-ignore lint/suspicious/noExplicitAny: the WebGL2RenderingContext signature (value type depends on the enum)
  getProgramParameter(program: GLProgram, pname: number): any {
    if (thread.current !== this.core && !this.core.enter()) return null;
    const id = this.nameOf(program);
    if (id <= 0) return null;
    this.i32[0] = 0;
    this.g.glGetProgramiv(id, pname, this.i32);
    const v = this.i32[0]!;
    return pname === GLC.LINK_STATUS || pname === GLX.DELETE_STATUS || pname === GLX.VALIDATE_STATUS
      ? v !== 0
      : v;
  }

  getProgramInfoLog(program: GLProgram): string | null {
    if (thread.current !== this.core && !this.core.enter()) return null;
    const id = this.nameOf(program);
    if (id <= 0) return null;
    return this.readLog(id, this.g.glGetProgramiv, this.g.glGetProgramInfoLog);
  }

  deleteProgram(program: GLProgram | null): void {
    this.deleteObject(program, this.programs, this.g.glDeleteProgram, true);
  }

  useProgram(program: GLProgram | null): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    const id = this.nameOf(program);
    if (id < 0) return;
    this.g.glUseProgram(id);
    this.currentProgram = program as NodeWebGLProgram | null;
  }

  getUniformLocation(program: GLProgram, name: string): GLUniformLocation | null {
    if (thread.current !== this.core && !this.core.enter()) return null;
    const id = this.nameOf(program);
    if (id <= 0) return null;
    const loc = this.g.glGetUniformLocation(id, String(name));
    return loc < 0 ? null : new NodeWebGLUniformLocation(program as NodeWebGLProgram, loc);
  }

  /** The native location, or -1 when the call must be skipped (null, or not of the program in use). */
  private loc(location: GLUniformLocation | null): number {
    if (location === null || location === undefined) return -1;
    const l = location as NodeWebGLUniformLocation;
    if (l.program !== this.currentProgram) {
      this.fail(GLC.INVALID_OPERATION);
      return -1;
    }
    return l.location;
  }

  uniform1i(location: GLUniformLocation | null, x: number): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    const l = this.loc(location);
    if (l >= 0) this.g.glUniform1i(l, x);
  }

  uniform1f(location: GLUniformLocation | null, x: number): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    const l = this.loc(location);
    if (l >= 0) this.g.glUniform1f(l, x);
  }

  uniform2f(location: GLUniformLocation | null, x: number, y: number): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    const l = this.loc(location);
    if (l >= 0) this.g.glUniform2f(l, x, y);
  }

  uniform3f(location: GLUniformLocation | null, x: number, y: number, z: number): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    const l = this.loc(location);
    if (l >= 0) this.g.glUniform3f(l, x, y, z);
  }

  uniform4f(location: GLUniformLocation | null, x: number, y: number, z: number, w: number): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    const l = this.loc(location);
    if (l >= 0) this.g.glUniform4f(l, x, y, z, w);
  }

  // --- buffers and vertex arrays ---

  createBuffer(): GLBuffer | null {
    if (thread.current !== this.core && !this.core.enter()) return null;
    const b = new NodeWebGLBuffer(this, this.genName(this.g.glGenBuffers));
    this.buffers.set(b.id, b);
    return b;
  }

  deleteBuffer(buffer: GLBuffer | null): void {
    if (buffer && buffer === this.packBuffer) this.packBuffer = undefined; // GL unbinds a deleted buffer
    this.deleteObject(buffer, this.buffers, this.g.glDeleteBuffers, false);
  }

  bindBuffer(target: number, buffer: GLBuffer | null): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    const id = this.nameOf(buffer);
    if (id < 0) return;
    this.g.glBindBuffer(target, id);
    if (target === GLC.PIXEL_PACK_BUFFER) this.packBuffer = (buffer as NodeWebGLBuffer | null) ?? undefined;
  }

  bufferData(target: number, data: GLBufferSource | number, usage: number): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    const bound = target === GLC.PIXEL_PACK_BUFFER ? this.packBuffer : undefined;
    if (bound) bound.size = typeof data === 'number' ? data : data.byteLength;
    if (typeof data === 'number') {
      if (!(data >= 0)) this.fail(GLC.INVALID_VALUE);
      else this.g.glBufferData(target, data, null, usage);
    } else if (ArrayBuffer.isView(data)) {
      this.g.glBufferData(target, data.byteLength, data, usage);
    } else if (data instanceof ArrayBuffer) {
      this.g.glBufferData(target, data.byteLength, new Uint8Array(data), usage);
    } else {
      this.fail(GLC.INVALID_VALUE);
    }
  }

  getBufferSubData(target: number, srcByteOffset: number, dstBuffer: ArrayBufferView): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    const length = dstBuffer.byteLength;
    const bound = target === GLC.PIXEL_PACK_BUFFER ? this.packBuffer : undefined;
    if (!bound || !(srcByteOffset >= 0) || srcByteOffset + length > bound.size) {
      this.fail(bound ? GLC.INVALID_VALUE : GLC.INVALID_OPERATION);
      return;
    }
    if (length === 0) return;
    const MAP_READ_BIT = 0x1;
    const p = this.g.glMapBufferRange(target, srcByteOffset, length, MAP_READ_BIT);
    if (!p) return; // the GL error (INVALID_OPERATION, OUT_OF_MEMORY) is left for getError()
    try {
      const view = this.core.native.koffi.view(p, length) as ArrayBuffer;
      new Uint8Array(dstBuffer.buffer, dstBuffer.byteOffset, length).set(new Uint8Array(view));
    } finally {
      this.g.glUnmapBuffer(target);
    }
  }

  fenceSync(condition: number, flags: number): GLSync | null {
    if (thread.current !== this.core && !this.core.enter()) return null;
    const p = this.g.glFenceSync(condition, flags);
    return p ? (new NodeGLSync(this, p) as unknown as GLSync) : null;
  }

  clientWaitSync(sync: GLSync, flags: number, timeout: number): number {
    if (thread.current !== this.core && !this.core.enter()) return GLC.WAIT_FAILED;
    const s = sync as unknown as NodeGLSync;
    if (!(s instanceof NodeGLSync) || s.owner !== this || s.deleted) {
      this.fail(GLC.INVALID_OPERATION);
      return GLC.WAIT_FAILED;
    }
    return this.g.glClientWaitSync(s.handle, flags, timeout);
  }

  deleteSync(sync: GLSync | null): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    const s = sync as unknown as NodeGLSync | null;
    if (!s || s.deleted) return;
    if (!(s instanceof NodeGLSync) || s.owner !== this) {
      this.fail(GLC.INVALID_OPERATION);
      return;
    }
    s.deleted = true;
    this.g.glDeleteSync(s.handle);
  }

  createVertexArray(): GLVertexArrayObject | null {
    if (thread.current !== this.core && !this.core.enter()) return null;
    const v = new NodeWebGLVertexArray(this, this.genName(this.g.glGenVertexArrays));
    this.vertexArrays.set(v.id, v);
    return v;
  }

  deleteVertexArray(vertexArray: GLVertexArrayObject | null): void {
    this.deleteObject(vertexArray, this.vertexArrays, this.g.glDeleteVertexArrays, false);
  }

  bindVertexArray(array: GLVertexArrayObject | null): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    const id = this.nameOf(array);
    if (id >= 0) this.g.glBindVertexArray(id);
  }

  enableVertexAttribArray(index: number): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    this.g.glEnableVertexAttribArray(index);
  }

  vertexAttribPointer(
    index: number,
    size: number,
    type: number,
    normalized: boolean,
    stride: number,
    offset: number,
  ): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    this.g.glVertexAttribPointer(index, size, type, !!normalized, stride, offset);
  }

  drawArrays(mode: number, first: number, count: number): void {
    if (thread.current !== this.core && !this.core.enter()) return;
    this.g.glDrawArrays(mode, first, count);
  }
}

// Not wrapped: reading errors itself, and the private helpers (they run inside the public calls).
const UNCHECKED = new Set([
  'constructor',
  'getError',
  'isContextLost',
  'getExtension',
  'getSupportedExtensions',
  'readCaps',
  'providesExtension',
  'createDrawingBuffer',
  'fail',
  'nameOf',
  'deleteObject',
  'genName',
  'getInt',
  'uploadData',
  'zeroFill',
  'rebindDefaultIfZero',
  'readLog',
  'loc',
]);

/**
 * Debug mode: after every GL2 method, read glGetError and throw ISFError('GL_ERROR') naming the call. Installed as
 * own properties so the normal path pays nothing when debug is off.
 */
export function installDebugChecks(gl: NodeGL2): void {
  const proto = NodeGL2.prototype as unknown as Record<string, unknown>;
  for (const name of Object.getOwnPropertyNames(NodeGL2.prototype)) {
    const fn = proto[name];
    if (typeof fn !== 'function' || UNCHECKED.has(name)) continue;
    Object.defineProperty(gl, name, {
      configurable: true,
      value(this: NodeGL2, ...args: unknown[]) {
        const result = (fn as (...a: unknown[]) => unknown).apply(this, args);
        if (this.core.alive) {
          const err = this.getError();
          if (err !== GLC.NO_ERROR) {
            throw new ISFError('GL_ERROR', `gl.${name}() raised GL error 0x${err.toString(16)}`, {
              details: { call: name, error: err },
            });
          }
        }
        return result;
      },
    });
  }
}
