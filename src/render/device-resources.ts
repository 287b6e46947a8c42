/**
 * DeviceResources: the GL objects and capabilities of one context that everything draws with: textures (2D and
 * cube, counted), the shared full-screen quad and the empty vertex array, and the cached facts about the GL
 * (info, size limits, float formats). GLContext owns one and forwards its public methods to it; its lifecycle
 * (initialize, cleanup, loss) decides when the caches are dropped and the quad deleted or forgotten.
 */
import { ISFError } from '../core/errors.ts';
import type { GL2, GLBuffer, GLVertexArrayObject } from '../gl/gl2.ts';
import type { DeviceCore } from './device.ts';
import { BYTES_PER_PIXEL, formatInfo, type Texture2D, type TextureFormat } from './resources.ts';

export interface ContextInfo {
  backend: string;
  vendor: string;
  renderer: string;
  version: string;
  glslVersion: string;
  maxTextureSize: number;
  maxTextureUnits: number;
  maxViewportDims: [number, number];
  floatTargets: TextureFormat | 'none';
  extensions: string[];
}

/** What DeviceResources needs from its context beyond the device core. */
export interface DeviceHost extends DeviceCore {
  /** The backend's kind ('egl', 'webgl2', ...); only read while the context is usable. */
  readonly backendKind: string;
  /** The render size limit the context was created with (options.maxSize). */
  readonly maxSize: number | undefined;
}

export class DeviceResources {
  private infoCache: ContextInfo | undefined;
  private floatFormatCache: TextureFormat | 'none' | undefined;
  private floatLinear = false;
  private quadVao: GLVertexArrayObject | null = null;
  /** A vertex array with no attributes, for VERTEX_SHADER_ART draws (vertices come from gl_VertexID). */
  private emptyVao: GLVertexArrayObject | null = null;
  private quadVbo: GLBuffer | null = null;

  constructor(private readonly host: DeviceHost) {}

  /** A new native context: what was learnt about the old one may not hold. */
  resetCaches(): void {
    this.infoCache = undefined;
    this.floatFormatCache = undefined;
  }

  info(): ContextInfo {
    if (this.infoCache) return this.infoCache;
    const gl = this.host.use('info');
    const dims = gl.getParameter(gl.MAX_VIEWPORT_DIMS) as ArrayLike<number>;
    this.infoCache = {
      backend: this.host.backendKind,
      vendor: String(gl.getParameter(gl.VENDOR)),
      renderer: String(gl.getParameter(gl.RENDERER)),
      version: String(gl.getParameter(gl.VERSION)),
      glslVersion: String(gl.getParameter(gl.SHADING_LANGUAGE_VERSION)),
      maxTextureSize: Number(gl.getParameter(gl.MAX_TEXTURE_SIZE)),
      maxTextureUnits: Number(gl.getParameter(gl.MAX_TEXTURE_IMAGE_UNITS)),
      maxViewportDims: [Number(dims[0]), Number(dims[1])],
      floatTargets: this.floatFormat(),
      extensions: gl.getSupportedExtensions() ?? [],
    };
    return this.infoCache;
  }

  /** Largest render/pass size per side: min(MAX_TEXTURE_SIZE, MAX_VIEWPORT_DIMS, options.maxSize). */
  maxRenderSize(): number {
    const i = this.info();
    return Math.min(
      i.maxTextureSize,
      i.maxViewportDims[0],
      i.maxViewportDims[1],
      this.host.maxSize ?? Infinity,
    );
  }

  /** The best float render-target format this GL offers: rgba32f, then rgba16f, else 'none'. */
  floatFormat(): TextureFormat | 'none' {
    if (this.floatFormatCache !== undefined) return this.floatFormatCache;
    const gl = this.host.use('floatFormat');
    this.floatLinear = !!gl.getExtension('OES_texture_float_linear');
    if (gl.getExtension('EXT_color_buffer_float')) this.floatFormatCache = 'rgba32f';
    else if (gl.getExtension('EXT_color_buffer_half_float')) this.floatFormatCache = 'rgba16f';
    else this.floatFormatCache = 'none';
    return this.floatFormatCache;
  }

  /**
   * The format float images (audio, float image inputs, float cube faces) are uploaded in: full float (rgba32f)
   * where this GL can filter it (OES_texture_float_linear; sampling an RGBA32F texture LINEAR without it gives an
   * incomplete texture), else half float (always filterable in WebGL2 / GLES 3).
   */
  floatImageFormat(): 'rgba32f' | 'rgba16f' {
    this.floatFormat();
    return this.floatLinear ? 'rgba32f' : 'rgba16f';
  }

  createTexture(
    width: number,
    height: number,
    format: TextureFormat,
    data: ArrayBufferView | null = null,
  ): Texture2D {
    const gl = this.host.use('createTexture');
    if (format !== 'rgba8') this.floatFormat();
    const f = formatInfo(gl, format, this.floatLinear);
    const handle = gl.createTexture();
    if (!handle) throw this.host.failure(`createTexture (${width}x${height} ${format})`);
    gl.bindTexture(gl.TEXTURE_2D, handle);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, f.filter);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, f.filter);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    // Float uploads (audio, float images) always come as FLOAT; RGBA16F accepts FLOAT data in WebGL2/GLES3.
    const type = data instanceof Float32Array ? gl.FLOAT : f.type;
    gl.texImage2D(gl.TEXTURE_2D, 0, f.internalFormat, width, height, 0, gl.RGBA, type, data);
    gl.bindTexture(gl.TEXTURE_2D, null);
    const bytes = width * height * BYTES_PER_PIXEL[format];
    this.host.resources.add('textures', bytes);
    return { handle, width, height, format, bytes, generation: this.host.generation };
  }

  /**
   * A cube map from six square faces of one size, in GL order (+X, -X, +Y, -Y, +Z, -Z), each top row first
   * (VVISF uploads its six IMPORTED images the same way): LINEAR, CLAMP_TO_EDGE. Deleted with deleteTexture().
   */
  createCubeTexture(size: number, format: TextureFormat, faces: readonly ArrayBufferView[]): Texture2D {
    const gl = this.host.use('createCubeTexture');
    if (faces.length !== 6)
      throw new ISFError('BAD_ARGUMENT', `a cube map needs 6 faces, got ${faces.length}`);
    if (format !== 'rgba8') this.floatFormat();
    const f = formatInfo(gl, format, this.floatLinear);
    const handle = gl.createTexture();
    if (!handle) throw this.host.failure(`createCubeTexture (6x${size}x${size} ${format})`);
    gl.bindTexture(gl.TEXTURE_CUBE_MAP, handle);
    gl.texParameteri(gl.TEXTURE_CUBE_MAP, gl.TEXTURE_MIN_FILTER, f.filter);
    gl.texParameteri(gl.TEXTURE_CUBE_MAP, gl.TEXTURE_MAG_FILTER, f.filter);
    gl.texParameteri(gl.TEXTURE_CUBE_MAP, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_CUBE_MAP, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    faces.forEach((data, i) => {
      const type = data instanceof Float32Array ? gl.FLOAT : f.type;
      gl.texImage2D(
        gl.TEXTURE_CUBE_MAP_POSITIVE_X + i,
        0,
        f.internalFormat,
        size,
        size,
        0,
        gl.RGBA,
        type,
        data,
      );
    });
    gl.bindTexture(gl.TEXTURE_CUBE_MAP, null);
    const bytes = 6 * size * size * BYTES_PER_PIXEL[format];
    this.host.resources.add('textures', bytes);
    return { handle, width: size, height: size, format, bytes, generation: this.host.generation };
  }

  deleteTexture(tex: Texture2D): void {
    // A handle from an older generation died with its native context: only forget it.
    if (tex.generation !== this.host.generation || this.host.state !== 'ready') return;
    const gl = this.host.use('deleteTexture');
    gl.deleteTexture(tex.handle);
    this.host.resources.remove('textures', tex.bytes);
  }

  /** Binds the shared full-screen quad (4-vertex triangle strip in clip space, attribute 0 = VERTEXDATA). */
  bindQuad(): void {
    const gl = this.host.use('bindQuad');
    if (!this.quadVao) {
      const vao = gl.createVertexArray();
      const vbo = gl.createBuffer();
      if (!vao || !vbo) {
        gl.deleteVertexArray(vao);
        gl.deleteBuffer(vbo);
        throw this.host.failure('creating the full-screen quad');
      }
      this.quadVao = vao;
      this.quadVbo = vbo;
      this.host.resources.add('vertexArrays');
      this.host.resources.add('buffers');
      gl.bindVertexArray(this.quadVao);
      gl.bindBuffer(gl.ARRAY_BUFFER, this.quadVbo);
      gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW);
      gl.enableVertexAttribArray(0);
      gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
      gl.bindBuffer(gl.ARRAY_BUFFER, null);
      return;
    }
    gl.bindVertexArray(this.quadVao);
  }

  /** Binds a vertex array without attributes: draws of any vertex count read no buffer (VERTEX_SHADER_ART). */
  bindEmptyVertexArray(): void {
    const gl = this.host.use('bindEmptyVertexArray');
    if (!this.emptyVao) {
      const vao = gl.createVertexArray();
      if (!vao) throw this.host.failure('creating an empty vertex array');
      this.emptyVao = vao;
      this.host.resources.add('vertexArrays');
    }
    gl.bindVertexArray(this.emptyVao);
  }

  /** Deletes the quad and the empty vertex array on `gl` (context teardown, the context still current). */
  deleteQuad(gl: GL2): void {
    if (this.emptyVao) {
      gl.deleteVertexArray(this.emptyVao);
      this.host.resources.remove('vertexArrays');
      this.emptyVao = null;
    }
    if (!this.quadVao) return;
    gl.deleteVertexArray(this.quadVao);
    gl.deleteBuffer(this.quadVbo);
    this.host.resources.remove('vertexArrays');
    this.host.resources.remove('buffers');
    this.quadVao = null;
    this.quadVbo = null;
  }

  /** Forgets the quad's handles without GL calls (the native context is gone). */
  forgetQuad(): void {
    this.quadVao = null;
    this.quadVbo = null;
    this.emptyVao = null;
  }
}
