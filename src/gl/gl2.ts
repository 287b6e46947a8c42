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

/*
 * GL object handles, opaque to the renderer. They are declared here rather than taken from the DOM lib (WebGLTexture
 * and the rest) so that the Node entry's types compile in a project without DOM; WebGL's own handles are assignable
 * to them (the DOM declares them as empty interfaces too).
 */
export type GLTexture = object;
export type GLFramebuffer = object;
export type GLBuffer = object;
export type GLShader = object;
export type GLProgram = object;
export type GLUniformLocation = object;
export type GLVertexArrayObject = object;
export type GLSync = object;
/** Vertex data for bufferData(). */
export type GLBufferSource = ArrayBufferView | ArrayBuffer;

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
  readonly PIXEL_PACK_BUFFER: GLenum;
  readonly STREAM_READ: GLenum;
  readonly SYNC_GPU_COMMANDS_COMPLETE: GLenum;
  readonly SYNC_FLUSH_COMMANDS_BIT: GLenum;
  readonly ALREADY_SIGNALED: GLenum;
  readonly CONDITION_SATISFIED: GLenum;
  readonly TIMEOUT_EXPIRED: GLenum;
  readonly WAIT_FAILED: GLenum;
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

  createTexture(): GLTexture | null;
  deleteTexture(texture: GLTexture | null): void;
  bindTexture(target: GLenum, texture: GLTexture | null): void;
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

  createFramebuffer(): GLFramebuffer | null;
  deleteFramebuffer(framebuffer: GLFramebuffer | null): void;
  bindFramebuffer(target: GLenum, framebuffer: GLFramebuffer | null): void;
  framebufferTexture2D(
    target: GLenum,
    attachment: GLenum,
    textarget: GLenum,
    texture: GLTexture | null,
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
  /** Into the bound PIXEL_PACK_BUFFER at byte `offset` (asynchronous readback). */
  readPixels(
    x: GLint,
    y: GLint,
    width: GLsizei,
    height: GLsizei,
    format: GLenum,
    type: GLenum,
    offset: number,
  ): void;

  createShader(type: GLenum): GLShader | null;
  shaderSource(shader: GLShader, source: string): void;
  compileShader(shader: GLShader): void;
  getShaderParameter(shader: GLShader, pname: GLenum): unknown;
  getShaderInfoLog(shader: GLShader): string | null;
  deleteShader(shader: GLShader | null): void;

  createProgram(): GLProgram | null;
  attachShader(program: GLProgram, shader: GLShader): void;
  bindAttribLocation(program: GLProgram, index: number, name: string): void;
  linkProgram(program: GLProgram): void;
  getProgramParameter(program: GLProgram, pname: GLenum): unknown;
  getProgramInfoLog(program: GLProgram): string | null;
  deleteProgram(program: GLProgram | null): void;
  useProgram(program: GLProgram | null): void;
  getUniformLocation(program: GLProgram, name: string): GLUniformLocation | null;
  uniform1i(location: GLUniformLocation | null, x: GLint): void;
  uniform1f(location: GLUniformLocation | null, x: number): void;
  uniform2f(location: GLUniformLocation | null, x: number, y: number): void;
  uniform3f(location: GLUniformLocation | null, x: number, y: number, z: number): void;
  uniform4f(location: GLUniformLocation | null, x: number, y: number, z: number, w: number): void;

  createBuffer(): GLBuffer | null;
  deleteBuffer(buffer: GLBuffer | null): void;
  bindBuffer(target: GLenum, buffer: GLBuffer | null): void;
  bufferData(target: GLenum, data: GLBufferSource, usage: GLenum): void;
  bufferData(target: GLenum, size: number, usage: GLenum): void;
  /** Copies the bound buffer's bytes from `srcByteOffset` into `dstBuffer` (waits for pending writes to it). */
  getBufferSubData(target: GLenum, srcByteOffset: number, dstBuffer: ArrayBufferView): void;
  fenceSync(condition: GLenum, flags: number): GLSync | null;
  clientWaitSync(sync: GLSync, flags: number, timeout: number): GLenum;
  deleteSync(sync: GLSync | null): void;
  createVertexArray(): GLVertexArrayObject | null;
  deleteVertexArray(vertexArray: GLVertexArrayObject | null): void;
  bindVertexArray(array: GLVertexArrayObject | null): void;
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
