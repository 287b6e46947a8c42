/** EGL context lifecycle: several contexts, create/destroy churn, loss, and the GL_UNAVAILABLE paths. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { ISFError } from '../../src/core/errors.ts';
import { createEglContext, displayRefs, listEglDevices } from '../../src/node/egl/index.ts';
import { skipOrFail } from '../helpers.ts';
import { pixel, program, quad, readRGBA8, target } from './egl-helpers.ts';

const FRAG = `#version 300 es
precision highp float;
uniform vec4 COLOR;
out vec4 c;
void main() { c = COLOR; }
`;

function isUnavailable(e: unknown): boolean {
  return e instanceof ISFError && e.code === 'GL_UNAVAILABLE';
}

test('two contexts render different colours independently, interleaved', () => {
  const a = createEglContext();
  const b = createEglContext();
  try {
    const setup = (ctx: typeof a, color: [number, number, number, number]) => {
      ctx.makeCurrent();
      const gl = ctx.gl;
      const p = program(gl, FRAG);
      quad(gl);
      target(gl, 32, 16);
      gl.useProgram(p);
      gl.uniform4f(gl.getUniformLocation(p, 'COLOR'), ...color);
    };
    setup(a, [1, 0, 0, 1]);
    setup(b, [0, 0, 1, 1]);
    for (let i = 0; i < 3; i++) {
      for (const [ctx, expected] of [
        [a, [255, 0, 0, 255]],
        [b, [0, 0, 255, 255]],
      ] as const) {
        ctx.makeCurrent();
        ctx.gl.clearColor(0, 1, 0, 1);
        ctx.gl.clear(ctx.gl.COLOR_BUFFER_BIT);
        ctx.gl.drawArrays(ctx.gl.TRIANGLE_STRIP, 0, 4);
        assert.deepEqual(pixel(readRGBA8(ctx.gl, 32, 16), 32, 31, 15), [...expected]);
      }
    }
    // Without makeCurrent: gl calls make their own context current.
    a.gl.clearColor(1, 1, 1, 1);
    a.gl.clear(a.gl.COLOR_BUFFER_BIT);
    assert.deepEqual(pixel(readRGBA8(b.gl, 32, 16), 32, 0, 0), [0, 0, 255, 255]);
    assert.deepEqual(pixel(readRGBA8(a.gl, 32, 16), 32, 0, 0), [255, 255, 255, 255]);
    const key = Object.keys(displayRefs()).find((k) => k.startsWith('surfaceless'))!;
    const refs = displayRefs()[key]!;
    a.destroy();
    assert.equal(displayRefs()[key], refs - 1, 'the shared display stays for the other context');
    assert.deepEqual(pixel(readRGBA8(b.gl, 32, 16), 32, 0, 0), [0, 0, 255, 255]);
  } finally {
    a.destroy();
    b.destroy();
  }
});

test('200 contexts created and destroyed without crashing or growing RSS', () => {
  // Warm up first so one-time driver loading is not counted as growth.
  for (let i = 0; i < 5; i++) createEglContext({ width: 16, height: 16 }).destroy();
  const before = process.memoryUsage().rss;
  for (let i = 0; i < 200; i++) {
    const ctx = createEglContext({ width: 16, height: 16 });
    const { texture } = target(ctx.gl, 16, 16);
    ctx.gl.clear(ctx.gl.COLOR_BUFFER_BIT);
    ctx.gl.deleteTexture(texture);
    ctx.destroy();
    assert.ok(ctx.isDestroyed);
  }
  const grown = (process.memoryUsage().rss - before) / 1e6;
  assert.ok(grown < 30, `RSS grew by ${grown.toFixed(1)} MB`);
});

test("a thread's last destroy() does not terminate the display under another thread's contexts", async () => {
  // The worker keeps a context while the main thread creates and destroys its own (its last one): EGLDisplay is
  // process-wide, so terminating it here would break the worker's context (EGL_BAD_DISPLAY).
  const eglUrl = new URL('../../src/node/egl/index.ts', import.meta.url).href;
  const code = `
    const { parentPort } = require('node:worker_threads');
    import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(eglUrl)}); }).then(({ createEglContext }) => {
      // Two contexts: switching between them needs eglMakeCurrent, which fails once the display is terminated.
      const a = createEglContext();
      const b = createEglContext();
      parentPort.postMessage('ready');
      parentPort.once('message', () => {
        const out = [];
        for (const ctx of [a, b]) {
          const gl = ctx.gl;
          gl.clearColor(1, 0, 0, 1);
          gl.clear(gl.COLOR_BUFFER_BIT);
          const px = new Uint8Array(4);
          gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
          out.push(...px);
          ctx.destroy();
        }
        parentPort.postMessage(out);
      });
    }).catch((e) => parentPort.postMessage(String(e && e.message)));
  `;
  const worker = new Worker(code, { eval: true });
  try {
    const next = () =>
      new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
    assert.equal(await next(), 'ready');
    const own = createEglContext();
    own.destroy();
    worker.postMessage('go');
    assert.deepEqual(await next(), [255, 0, 0, 255, 255, 0, 0, 255]);
  } finally {
    await worker.terminate();
  }
});

test('after simulateLoss() gl calls are safe no-ops', () => {
  const ctx = createEglContext();
  const gl = ctx.gl;
  const { texture } = target(gl, 8, 8);
  const p = program(gl, FRAG);
  const loc = gl.getUniformLocation(p, 'COLOR');
  assert.equal(gl.isContextLost(), false);
  ctx.simulateLoss();
  assert.equal(gl.isContextLost(), true);
  assert.equal(gl.getError(), gl.CONTEXT_LOST_WEBGL);
  assert.equal(gl.getError(), gl.NO_ERROR, 'CONTEXT_LOST_WEBGL is reported once');
  assert.equal(gl.createTexture(), null);
  assert.equal(gl.createProgram(), null);
  assert.equal(gl.getParameter(gl.RENDERER), null);
  assert.equal(gl.getExtension('EXT_color_buffer_float'), null);
  assert.equal(gl.getSupportedExtensions(), null);
  assert.equal(gl.getShaderInfoLog({} as WebGLShader), null);
  assert.equal(gl.checkFramebufferStatus(gl.FRAMEBUFFER), 0x8cdd);
  const out = new Uint8Array(4).fill(9);
  gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, out);
  assert.deepEqual(Array.from(out), [9, 9, 9, 9]);
  gl.bindTexture(gl.TEXTURE_2D, texture);
  gl.texImage2D(gl.TEXTURE_2D, 0, gl.RGBA8, 8, 8, 0, gl.RGBA, gl.UNSIGNED_BYTE, null);
  gl.useProgram(p);
  gl.uniform4f(loc, 1, 1, 1, 1);
  gl.drawArrays(gl.TRIANGLE_STRIP, 0, 4);
  gl.clear(gl.COLOR_BUFFER_BIT);
  gl.finish();
  gl.deleteTexture(texture);
  gl.deleteProgram(p);
  assert.equal(gl.stats.liveObjects().textures, 0, 'deletes after loss still balance the counts');
  assert.equal(ctx.info().renderer.length > 0, true, 'info() stays readable');
  assert.throws(
    () => ctx.makeCurrent(),
    (e: unknown) => e instanceof ISFError && e.code === 'GL_CONTEXT_LOST',
  );
  ctx.destroy();
  ctx.destroy();
  assert.throws(
    () => ctx.makeCurrent(),
    (e: unknown) => e instanceof ISFError && e.code === 'RESOURCE_DESTROYED',
  );
  gl.clear(gl.COLOR_BUFFER_BIT);
});

test('an explicit EGL device index opens a context on the device platform', (t) => {
  const devices = listEglDevices();
  if (devices.length === 0)
    return skipOrFail(t, 'EGL has no device enumeration (EGL_EXT_device_enumeration) here');
  const ctx = createEglContext({ device: devices[0]!.index });
  try {
    const info = ctx.info();
    assert.equal(info.platform, 'device');
    assert.equal(info.deviceIndex, devices[0]!.index);
    target(ctx.gl, 4, 4);
    ctx.gl.clearColor(1, 0, 1, 1);
    ctx.gl.clear(ctx.gl.COLOR_BUFFER_BIT);
    assert.deepEqual(pixel(readRGBA8(ctx.gl, 4, 4), 4, 3, 3), [255, 0, 255, 255]);
  } finally {
    ctx.destroy();
  }
});

test('a missing libEGL gives GL_UNAVAILABLE listing what was tried and the packages to install', () => {
  assert.throws(
    () => createEglContext({ libEGL: '/nonexistent/libEGL.so.1' }),
    (e: unknown) => {
      assert.ok(isUnavailable(e));
      const m = (e as Error).message;
      assert.match(m, /\/nonexistent\/libEGL\.so\.1/);
      assert.match(m, /Possible solutions/);
      assert.match(m, /apt-get install libegl1 libgles2 libegl-mesa0 libgl1-mesa-dri/);
      assert.doesNotMatch(m, /\n\s+at /, 'no stack in the message');
      return true;
    },
  );
  assert.throws(() => createEglContext({ libGLES: 'libGLESv2-missing.so' }), isUnavailable);
});

test("device: 'gpu' without a GPU device, or a device index that does not exist, gives GL_UNAVAILABLE", () => {
  // On a machine with a hardware EGL device 'gpu' opens it, so only the missing index is tried there.
  if (!listEglDevices().some((d) => !d.software)) {
    assert.throws(() => createEglContext({ device: 'gpu' }), isUnavailable);
  }
  assert.throws(() => createEglContext({ device: 99 }), isUnavailable);
  assert.throws(
    () => createEglContext({ device: 'fast' as 'gpu' }),
    (e: unknown) => e instanceof ISFError && e.code === 'BAD_ARGUMENT',
  );
});
