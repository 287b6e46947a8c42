/** Rendering through the Node EGL backend (surfaceless Mesa / llvmpipe here, any GLES 3 driver elsewhere). */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ISFError } from '../../src/core/errors.ts';
import { createEglContext, type EglContext, type NodeGL2 } from '../../src/node/egl/index.ts';
import { skipOrFail } from '../helpers.ts';
import { pixel, program, quad, readRGBA8, target } from './egl-helpers.ts';

describe('EGL context', () => {
  let ctx: EglContext;
  let gl: NodeGL2;
  before(() => {
    ctx = createEglContext();
    gl = ctx.gl;
  });
  after(() => ctx.destroy());

  test('info() reports a GLES 3 context', () => {
    const info = ctx.info();
    for (const k of ['vendor', 'renderer', 'version', 'glslVersion'] as const) {
      assert.equal(typeof info[k], 'string');
      assert.ok(info[k].length > 0, `${k} is empty`);
    }
    assert.match(info.version, /OpenGL ES 3\.\d/);
    assert.ok(info.maxTextureSize >= 2048);
    assert.ok(info.maxTextureUnits >= 16);
    assert.equal(info.maxViewportDims.length, 2);
    assert.ok(info.maxViewportDims[0] >= 2048 && info.maxViewportDims[1] >= 2048);
    assert.ok(info.extensions.length > 0 && info.extensions.every((e) => e.startsWith('GL_')));
    assert.equal(info.platform, 'surfaceless');
    assert.equal(typeof info.floatRenderable, 'boolean');
  });

  test('getParameter returns WebGL-typed values', () => {
    assert.equal(gl.getParameter(gl.RENDERER), ctx.info().renderer);
    assert.equal(typeof gl.getParameter(gl.SHADING_LANGUAGE_VERSION), 'string');
    assert.equal(gl.getParameter(gl.MAX_TEXTURE_SIZE), ctx.info().maxTextureSize);
    assert.equal(typeof gl.getParameter(gl.MAX_RENDERBUFFER_SIZE), 'number');
    const dims = gl.getParameter(gl.MAX_VIEWPORT_DIMS);
    assert.ok(dims instanceof Int32Array && dims.length === 2);
    assert.equal(gl.getParameter(gl.BLEND), false);
    gl.enable(gl.BLEND);
    assert.equal(gl.getParameter(gl.BLEND), true);
    gl.disable(gl.BLEND);
    assert.equal(gl.getError(), gl.NO_ERROR);
  });

  test('extensions use WebGL names', () => {
    const names = gl.getSupportedExtensions();
    assert.ok(Array.isArray(names));
    assert.ok(names.every((n) => !n.startsWith('GL_')));
    const ext = gl.getExtension('EXT_color_buffer_float');
    assert.equal(ext !== null, ctx.info().floatRenderable);
    assert.equal(
      gl.getExtension('ext_COLOR_buffer_float'),
      ext,
      'names are case-insensitive, objects cached',
    );
    assert.equal(gl.getExtension('WEBGL_no_such_thing'), null);
  });

  test('clearing a 64x48 RGBA8 FBO texture reads back that colour', () => {
    const { texture, framebuffer } = target(gl, 64, 48);
    gl.clearColor(0.2, 0.4, 0.6, 0.8);
    gl.clear(gl.COLOR_BUFFER_BIT);
    const px = readRGBA8(gl, 64, 48);
    assert.deepEqual(pixel(px, 64, 0, 0), [51, 102, 153, 204]);
    assert.deepEqual(pixel(px, 64, 63, 47), [51, 102, 153, 204]);
    gl.deleteFramebuffer(framebuffer);
    gl.deleteTexture(texture);
  });

  test('a full-screen TRIANGLE_STRIP quad shades by gl_FragCoord', () => {
    const p = program(
      gl,
      `#version 300 es
precision highp float;
uniform vec2 SIZE;
uniform vec4 TINT;
out vec4 color;
void main() {
  color = vec4(floor(gl_FragCoord.xy) / (SIZE - 1.0), TINT.b, 1.0);
}
`,
    );
    const { vao, buffer } = quad(gl);
    const { texture, framebuffer } = target(gl, 64, 48);
    gl.useProgram(p);
    const size = gl.getUniformLocation(p, 'SIZE');
    const tint = gl.getUniformLocation(p, 'TINT');
    assert.notEqual(size, null);
    assert.equal(gl.getUniformLocation(p, 'NOT_THERE'), null);
    gl.uniform2f(size, 64, 48);
    gl.uniform4f(tint, 0, 0, 0.5, 0);
    gl.uniform1f(null, 3); // WebGL: a null location is a silent no-op
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    assert.equal(gl.getError(), gl.NO_ERROR);
    const px = readRGBA8(gl, 64, 48);
    assert.deepEqual(pixel(px, 64, 0, 0), [0, 0, 128, 255]);
    assert.deepEqual(pixel(px, 64, 63, 0), [255, 0, 128, 255]);
    assert.deepEqual(pixel(px, 64, 0, 47), [0, 255, 128, 255]);
    const [r, g] = pixel(px, 64, 21, 30);
    assert.ok(Math.abs(r! - (21 / 63) * 255) <= 1 && Math.abs(g! - (30 / 47) * 255) <= 1, `${r},${g}`);
    gl.deleteProgram(p);
    gl.deleteVertexArray(vao);
    gl.deleteBuffer(buffer);
    gl.deleteFramebuffer(framebuffer);
    gl.deleteTexture(texture);
  });

  test('a compile error gives COMPILE_STATUS false and a log naming the line', () => {
    const s = gl.createShader(gl.FRAGMENT_SHADER)!;
    gl.shaderSource(
      s,
      '#version 300 es\nprecision highp float;\nout vec4 c;\nvoid main() { c = vec4(nope); }\n',
    );
    gl.compileShader(s);
    assert.equal(gl.getShaderParameter(s, gl.COMPILE_STATUS), false);
    const log = gl.getShaderInfoLog(s);
    assert.equal(typeof log, 'string');
    assert.match(log!, /0[:(]4\b/, log!);
    assert.match(log!, /nope/);
    gl.deleteShader(s);
  });

  test('RGBA32F render target renders and reads back floats', (t) => {
    if (!ctx.info().floatRenderable) return skipOrFail(t, 'no float render targets on this driver');
    const p = program(
      gl,
      '#version 300 es\nprecision highp float;\nout vec4 c;\nvoid main() { c = vec4(-0.25, 1.5, 1e5, 0.125); }\n',
    );
    const { vao, buffer } = quad(gl);
    const { texture, framebuffer } = target(gl, 16, 8, gl.RGBA32F, gl.FLOAT);
    gl.useProgram(p);
    gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
    const out = new Float32Array(16 * 8 * 4);
    gl.readPixels(0, 0, 16, 8, gl.RGBA, gl.FLOAT, out);
    assert.equal(gl.getError(), gl.NO_ERROR);
    assert.deepEqual(pixel(out, 16, 15, 7), [-0.25, 1.5, 1e5, 0.125]);
    gl.deleteProgram(p);
    gl.deleteVertexArray(vao);
    gl.deleteBuffer(buffer);
    gl.deleteFramebuffer(framebuffer);
    gl.deleteTexture(texture);
  });

  test('texImage2D(null) is zero-filled and uploads honour FLIP_Y / PREMULTIPLY_ALPHA', () => {
    const { texture, framebuffer } = target(gl, 3, 2);
    assert.deepEqual(Array.from(readRGBA8(gl, 3, 2)), new Array(24).fill(0));
    // FLIP_Y reverses the rows: source row 0 lands at y = 1 (the last row) and source row 1 at y = 0.
    const rows = new Uint8Array([
      ...[255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255],
      ...[200, 100, 50, 128, 10, 20, 30, 0, 255, 255, 255, 255],
    ]);
    gl.bindTexture(gl.TEXTURE_2D, texture);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, true);
    gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, true);
    gl.texSubImage2D(gl.TEXTURE_2D, 0, 0, 0, 3, 2, gl.RGBA, gl.UNSIGNED_BYTE, rows);
    gl.pixelStorei(gl.UNPACK_FLIP_Y_WEBGL, false);
    gl.pixelStorei(gl.UNPACK_PREMULTIPLY_ALPHA_WEBGL, false);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 4);
    assert.equal(gl.getError(), gl.NO_ERROR);
    const px = readRGBA8(gl, 3, 2);
    assert.deepEqual(pixel(px, 3, 0, 0), [100, 50, 25, 128], 'second source row is now y=0, premultiplied');
    assert.deepEqual(pixel(px, 3, 1, 0), [0, 0, 0, 0]);
    assert.deepEqual(pixel(px, 3, 0, 1), [255, 0, 0, 255]);
    assert.equal(rows[0], 255, 'the caller array is not modified');
    assert.equal(rows[12], 200);
    gl.deleteFramebuffer(framebuffer);
    gl.deleteTexture(texture);
  });

  test('arrays too short for the pixels give INVALID_OPERATION instead of reaching native code', () => {
    const { texture, framebuffer } = target(gl, 8, 8);
    gl.readPixels(0, 0, 8, 8, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(8 * 8 * 4 - 1));
    assert.equal(gl.getError(), gl.INVALID_OPERATION);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, 8, 8, 0, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(10));
    assert.equal(gl.getError(), gl.INVALID_OPERATION);
    // A subarray with an offset: the byteOffset is honoured and the length is the view's, not the buffer's.
    const big = new Uint8Array(16 + 8 * 8 * 4);
    big.fill(7, 16);
    gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, 8, 8, 0, gl.RGBA, gl.UNSIGNED_BYTE, big.subarray(16));
    assert.equal(gl.getError(), gl.NO_ERROR);
    assert.deepEqual(pixel(readRGBA8(gl, 8, 8), 8, 7, 7), [7, 7, 7, 7]);
    gl.deleteFramebuffer(framebuffer);
    gl.deleteTexture(texture);
  });

  test('bindFramebuffer(null) binds a drawing buffer of the context size', () => {
    const c = createEglContext({ width: 5, height: 3 });
    try {
      const g = c.gl;
      assert.equal(g.drawingBufferWidth, 5);
      g.bindFramebuffer(g.FRAMEBUFFER, null);
      assert.equal(g.checkFramebufferStatus(g.FRAMEBUFFER), g.FRAMEBUFFER_COMPLETE);
      assert.deepEqual(Array.from(g.getParameter(0x0ba2)), [0, 0, 5, 3]);
      g.clearColor(0, 1, 0, 1);
      g.clear(g.COLOR_BUFFER_BIT);
      assert.deepEqual(pixel(readRGBA8(g, 5, 3), 5, 4, 2), [0, 255, 0, 255]);
      assert.equal(g.getParameter(0x8ca6), null, 'FRAMEBUFFER_BINDING is null for the drawing buffer');
    } finally {
      c.destroy();
    }
  });

  test('liveObjects counts create/delete; foreign and deleted objects are INVALID_OPERATION', () => {
    const before = gl.stats.liveObjects();
    const t = gl.createTexture();
    const f = gl.createFramebuffer();
    const b = gl.createBuffer();
    const v = gl.createVertexArray();
    const s = gl.createShader(gl.VERTEX_SHADER);
    const p = gl.createProgram();
    const during = gl.stats.liveObjects();
    for (const k of Object.keys(before) as (keyof typeof before)[]) assert.equal(during[k], before[k] + 1, k);
    gl.deleteTexture(t);
    gl.deleteTexture(t); // twice: no-op, counted once
    gl.deleteFramebuffer(f);
    gl.deleteBuffer(b);
    gl.deleteVertexArray(v);
    gl.deleteShader(s);
    gl.deleteProgram(p);
    assert.deepEqual(gl.stats.liveObjects(), before);
    assert.equal(gl.getError(), gl.NO_ERROR);
    gl.bindTexture(gl.TEXTURE_2D, t);
    assert.equal(gl.getError(), gl.INVALID_OPERATION);
    gl.bindTexture(gl.TEXTURE_2D, {} as WebGLTexture);
    assert.equal(gl.getError(), gl.INVALID_OPERATION);
  });

  test('debug contexts throw GL_ERROR naming the call', () => {
    const c = createEglContext({ debug: true });
    try {
      assert.throws(
        () => c.gl.enable(0x1234),
        (e: unknown) => e instanceof ISFError && e.code === 'GL_ERROR' && /gl\.enable\(\)/.test(e.message),
      );
      c.gl.enable(c.gl.BLEND); // valid calls pass
    } finally {
      c.destroy();
    }
  });
});
