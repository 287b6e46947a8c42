/** Shared bits for the EGL backend tests (not a test file itself). */
import assert from 'node:assert/strict';
import type { NodeGL2 } from '../../src/node/egl/index.ts';

export const VERTEX_SHADER = `#version 300 es
in vec2 VERTEXDATA;
void main() {
  gl_Position = vec4(VERTEXDATA, 0.0, 1.0);
}
`;

export function compile(gl: NodeGL2, type: number, source: string): WebGLShader {
  const s = gl.createShader(type)!;
  gl.shaderSource(s, source);
  gl.compileShader(s);
  assert.equal(gl.getShaderParameter(s, gl.COMPILE_STATUS), true, gl.getShaderInfoLog(s) ?? '');
  return s;
}

/** Compiles and links VERTEX_SHADER with `fragment`, VERTEXDATA bound to location 0. */
export function program(gl: NodeGL2, fragment: string): WebGLProgram {
  const vs = compile(gl, gl.VERTEX_SHADER, VERTEX_SHADER);
  const fs = compile(gl, gl.FRAGMENT_SHADER, fragment);
  const p = gl.createProgram()!;
  gl.attachShader(p, vs);
  gl.attachShader(p, fs);
  gl.bindAttribLocation(p, 0, 'VERTEXDATA');
  gl.linkProgram(p);
  assert.equal(gl.getProgramParameter(p, gl.LINK_STATUS), true, gl.getProgramInfoLog(p) ?? '');
  gl.deleteShader(vs);
  gl.deleteShader(fs);
  return p;
}

/** A VAO with a full-screen TRIANGLE_STRIP quad on attribute 0. */
export function quad(gl: NodeGL2): { vao: WebGLVertexArrayObject; buffer: WebGLBuffer } {
  const vao = gl.createVertexArray()!;
  gl.bindVertexArray(vao);
  const buffer = gl.createBuffer()!;
  gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
  gl.bufferData(gl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), gl.STATIC_DRAW);
  gl.enableVertexAttribArray(0);
  gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
  return { vao, buffer };
}

/** A texture of the given format with an FBO around it, bound for drawing with the viewport set. */
export function target(
  gl: NodeGL2,
  width: number,
  height: number,
  internalFormat: number = gl.RGBA8,
  type: number = gl.UNSIGNED_BYTE,
): { texture: WebGLTexture; framebuffer: WebGLFramebuffer } {
  const texture = gl.createTexture()!;
  gl.bindTexture(gl.TEXTURE_2D, texture);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MIN_FILTER, gl.NEAREST);
  gl.texParameteri(gl.TEXTURE_2D, gl.TEXTURE_MAG_FILTER, gl.NEAREST);
  gl.texImage2D(gl.TEXTURE_2D, 0, internalFormat, width, height, 0, gl.RGBA, type, null);
  const framebuffer = gl.createFramebuffer()!;
  gl.bindFramebuffer(gl.FRAMEBUFFER, framebuffer);
  gl.framebufferTexture2D(gl.FRAMEBUFFER, gl.COLOR_ATTACHMENT0, gl.TEXTURE_2D, texture, 0);
  assert.equal(gl.checkFramebufferStatus(gl.FRAMEBUFFER), gl.FRAMEBUFFER_COMPLETE);
  gl.viewport(0, 0, width, height);
  return { texture, framebuffer };
}

export function readRGBA8(gl: NodeGL2, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * 4);
  gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, out);
  assert.equal(gl.getError(), gl.NO_ERROR);
  return out;
}

export function pixel(data: Uint8Array | Float32Array, width: number, x: number, y: number): number[] {
  const i = (y * width + x) * 4;
  return Array.from(data.subarray(i, i + 4));
}
