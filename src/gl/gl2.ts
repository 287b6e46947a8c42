/**
 * The WebGL2 subset the renderer is written against.
 *
 * A browser's real `WebGL2RenderingContext` is assignable to `GL2` (every signature below is one of its overloads),
 * and the Node backend (src/node/egl) implements the same shape over EGL + OpenGL ES 3 through koffi.
 * Keep this list to what src/render really calls: every member here is one more thing the Node shim must
 * implement and test.
 */

export type GLenum = number;
export type GLint = number;
export type GLsizei = number;

export interface GL2Constants {
  readonly NO_ERROR: GLenum;
  readonly INVALID_ENUM: GLenum;
  readonly INVALID_VALUE: GLenum;
  readonly INVALID_OPERATION: GLenum;
  readonly INVALID_FRAMEBUFFER_OPERATION: GLenum;
  readonly OUT_OF_MEMORY: GLenum;
  readonly CONTEXT_LOST_WEBGL: GLenum;

  readonly TEXTURE_2D: GLenum;
  readonly TEXTURE_CUBE_MAP: GLenum;
  readonly TEXTURE_CUBE_MAP_POSITIVE_X: GLenum;
  readonly TEXTURE0: GLenum;
  readonly TEXTURE_MIN_FILTER: GLenum;
  readonly TEXTURE_MAG_FILTER: GLenum;
  readonly TEXTURE_WRAP_S: GLenum;
  readonly TEXTURE_WRAP_T: GLenum;
  readonly LINEAR: GLenum;
  readonly NEAREST: GLenum;
  readonly CLAMP_TO_EDGE: GLenum;

  readonly RGBA: GLenum;
  readonly RGBA8: GLenum;
  readonly RGBA16F: GLenum;
  readonly RGBA32F: GLenum;
  readonly UNSIGNED_BYTE: GLenum;
  readonly FLOAT: GLenum;
  readonly HALF_FLOAT: GLenum;

  readonly FRAMEBUFFER: GLenum;
  readonly READ_FRAMEBUFFER: GLenum;
  readonly DRAW_FRAMEBUFFER: GLenum;
  readonly COLOR_ATTACHMENT0: GLenum;
  readonly FRAMEBUFFER_COMPLETE: GLenum;
  readonly COLOR_BUFFER_BIT: GLenum;

  readonly VERTEX_SHADER: GLenum;
  readonly FRAGMENT_SHADER: GLenum;
  readonly COMPILE_STATUS: GLenum;
  readonly LINK_STATUS: GLenum;

  readonly ARRAY_BUFFER: GLenum;
  readonly STATIC_DRAW: GLenum;
  readonly POINTS: GLenum;
  readonly LINES: GLenum;
  readonly LINE_LOOP: GLenum;
  readonly LINE_STRIP: GLenum;
  readonly TRIANGLES: GLenum;
  readonly TRIANGLE_STRIP: GLenum;
  readonly TRIANGLE_FAN: GLenum;

  readonly BLEND: GLenum;
  readonly DEPTH_TEST: GLenum;
  readonly SCISSOR_TEST: GLenum;
  readonly CULL_FACE: GLenum;
  readonly STENCIL_TEST: GLenum;
  readonly DITHER: GLenum;

  readonly UNPACK_ALIGNMENT: GLenum;
  readonly PACK_ALIGNMENT: GLenum;
  readonly UNPACK_FLIP_Y_WEBGL: GLenum;
  readonly UNPACK_PREMULTIPLY_ALPHA_WEBGL: GLenum;

  readonly MAX_TEXTURE_SIZE: GLenum;
  readonly MAX_TEXTURE_IMAGE_UNITS: GLenum;
  readonly MAX_RENDERBUFFER_SIZE: GLenum;
  readonly MAX_VIEWPORT_DIMS: GLenum;
  readonly VENDOR: GLenum;
  readonly RENDERER: GLenum;
  readonly VERSION: GLenum;
  readonly SHADING_LANGUAGE_VERSION: GLenum;
}

export interface GL2 extends GL2Constants {
  isContextLost(): boolean;
  getError(): GLenum;
  getParameter(pname: GLenum): unknown;
  getExtension(name: string): unknown;
  getSupportedExtensions(): string[] | null;

  enable(cap: GLenum): void;
  disable(cap: GLenum): void;
  viewport(x: GLint, y: GLint, width: GLsizei, height: GLsizei): void;
  clearColor(r: number, g: number, b: number, a: number): void;
  clear(mask: number): void;
  pixelStorei(pname: GLenum, param: GLint | boolean): void;
  finish(): void;
  flush(): void;

  createTexture(): WebGLTexture | null;
  deleteTexture(texture: WebGLTexture | null): void;
  bindTexture(target: GLenum, texture: WebGLTexture | null): void;
  activeTexture(texture: GLenum): void;
  texParameteri(target: GLenum, pname: GLenum, param: GLint): void;
  texImage2D(
    target: GLenum,
    level: GLint,
    internalformat: GLint,
    width: GLsizei,
    height: GLsizei,
    border: GLint,
    format: GLenum,
    type: GLenum,
    pixels: ArrayBufferView | null,
  ): void;
  texSubImage2D(
    target: GLenum,
    level: GLint,
    xoffset: GLint,
    yoffset: GLint,
    width: GLsizei,
    height: GLsizei,
    format: GLenum,
    type: GLenum,
    pixels: ArrayBufferView | null,
  ): void;

  createFramebuffer(): WebGLFramebuffer | null;
  deleteFramebuffer(framebuffer: WebGLFramebuffer | null): void;
  bindFramebuffer(target: GLenum, framebuffer: WebGLFramebuffer | null): void;
  framebufferTexture2D(
    target: GLenum,
    attachment: GLenum,
    textarget: GLenum,
    texture: WebGLTexture | null,
    level: GLint,
  ): void;
  checkFramebufferStatus(target: GLenum): GLenum;
  blitFramebuffer(
    srcX0: GLint,
    srcY0: GLint,
    srcX1: GLint,
    srcY1: GLint,
    dstX0: GLint,
    dstY0: GLint,
    dstX1: GLint,
    dstY1: GLint,
    mask: number,
    filter: GLenum,
  ): void;
  readPixels(
    x: GLint,
    y: GLint,
    width: GLsizei,
    height: GLsizei,
    format: GLenum,
    type: GLenum,
    dstData: ArrayBufferView | null,
  ): void;

  createShader(type: GLenum): WebGLShader | null;
  shaderSource(shader: WebGLShader, source: string): void;
  compileShader(shader: WebGLShader): void;
  getShaderParameter(shader: WebGLShader, pname: GLenum): unknown;
  getShaderInfoLog(shader: WebGLShader): string | null;
  deleteShader(shader: WebGLShader | null): void;

  createProgram(): WebGLProgram | null;
  attachShader(program: WebGLProgram, shader: WebGLShader): void;
  bindAttribLocation(program: WebGLProgram, index: number, name: string): void;
  linkProgram(program: WebGLProgram): void;
  getProgramParameter(program: WebGLProgram, pname: GLenum): unknown;
  getProgramInfoLog(program: WebGLProgram): string | null;
  deleteProgram(program: WebGLProgram | null): void;
  useProgram(program: WebGLProgram | null): void;
  getUniformLocation(program: WebGLProgram, name: string): WebGLUniformLocation | null;
  uniform1i(location: WebGLUniformLocation | null, x: GLint): void;
  uniform1f(location: WebGLUniformLocation | null, x: number): void;
  uniform2f(location: WebGLUniformLocation | null, x: number, y: number): void;
  uniform3f(location: WebGLUniformLocation | null, x: number, y: number, z: number): void;
  uniform4f(location: WebGLUniformLocation | null, x: number, y: number, z: number, w: number): void;

  createBuffer(): WebGLBuffer | null;
  deleteBuffer(buffer: WebGLBuffer | null): void;
  bindBuffer(target: GLenum, buffer: WebGLBuffer | null): void;
  bufferData(target: GLenum, data: BufferSource, usage: GLenum): void;
  createVertexArray(): WebGLVertexArrayObject | null;
  deleteVertexArray(vertexArray: WebGLVertexArrayObject | null): void;
  bindVertexArray(array: WebGLVertexArrayObject | null): void;
  enableVertexAttribArray(index: number): void;
  vertexAttribPointer(
    index: number,
    size: GLint,
    type: GLenum,
    normalized: boolean,
    stride: GLsizei,
    offset: number,
  ): void;
  drawArrays(mode: GLenum, first: GLint, count: GLsizei): void;
}

/** Name of a GL error enum, for messages ("GL_INVALID_OPERATION"). */
export function glErrorName(gl: GL2Constants, code: number): string {
  switch (code) {
    case gl.NO_ERROR:
      return 'GL_NO_ERROR';
    case gl.INVALID_ENUM:
      return 'GL_INVALID_ENUM';
    case gl.INVALID_VALUE:
      return 'GL_INVALID_VALUE';
    case gl.INVALID_OPERATION:
      return 'GL_INVALID_OPERATION';
    case gl.INVALID_FRAMEBUFFER_OPERATION:
      return 'GL_INVALID_FRAMEBUFFER_OPERATION';
    case gl.OUT_OF_MEMORY:
      return 'GL_OUT_OF_MEMORY';
    case gl.CONTEXT_LOST_WEBGL:
      return 'GL_CONTEXT_LOST';
    default:
      return `GL error 0x${code.toString(16)}`;
  }
}
