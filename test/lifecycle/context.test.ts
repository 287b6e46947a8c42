/**
 * GLContext: the state machine, references and cleanup({ force, waitMs }), validate(), ensureCurrent(),
 * checkErrors(), resetState(), info() and stats().
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createContext } from '../../src/node/context.ts';
import type { GLContext } from '../../src/render/context.ts';
import { assertCoords, backendOf, code, coordsDoc, live, sceneOf, solidDoc } from './fixtures.ts';

const CURRENT_PROGRAM = 0x8b8d;
const FRAMEBUFFER_BINDING = 0x8ca6;
const TEXTURE_BINDING_2D = 0x8069;
const ARRAY_BUFFER_BINDING = 0x8894;

function withContext(fn: (ctx: GLContext) => Promise<void> | void): () => Promise<void> {
  return async () => {
    const ctx = createContext();
    try {
      await fn(ctx);
    } finally {
      ctx.destroy();
    }
  };
}

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

test(
  'state machine: uninitialized -> ready -> destroyed -> ready -> lost -> ready, generations counted',
  withContext((ctx) => {
    assert.equal(ctx.state, 'uninitialized');
    assert.equal(ctx.generation, 0);
    assert.equal(ctx.validate().ok, false);
    ctx.initialize();
    assert.equal(ctx.state, 'ready');
    assert.equal(ctx.generation, 1);
    ctx.initialize();
    assert.equal(ctx.generation, 1, 'initialize() is idempotent when ready');
    ctx.destroy();
    assert.equal(ctx.state, 'destroyed');
    ctx.destroy();
    assert.equal(ctx.state, 'destroyed', 'destroy() is idempotent');
    ctx.initialize();
    assert.equal(ctx.state, 'ready');
    assert.equal(ctx.generation, 2, 'a new native context is a new generation');
    ctx.simulateLoss();
    assert.equal(ctx.state, 'lost');
    ctx.reinitialize();
    assert.equal(ctx.state, 'ready');
    assert.equal(ctx.generation, 3);
    ctx.reinitialize();
    assert.equal(ctx.generation, 4, 'reinitialize() from ready recreates too');
    const scene = sceneOf(ctx, coordsDoc());
    assertCoords(scene.render({ width: 8, height: 4 }), 8, 4);
  }),
);

test(
  'cleanup() of a never-initialized context just marks it destroyed; the first use initializes',
  withContext(async (ctx) => {
    await ctx.cleanup();
    assert.equal(ctx.state, 'destroyed');
    const lazy = createContext();
    try {
      const scene = sceneOf(lazy, coordsDoc()); // compiling initializes it
      assert.equal(lazy.state, 'ready');
      assertCoords(scene.render({ width: 3, height: 3 }), 3, 3);
    } finally {
      lazy.destroy();
    }
  }),
);

test(
  'rendering, references and GL access after cleanup are typed errors, and initialize() brings it back',
  withContext(async (ctx) => {
    const scene = sceneOf(ctx, coordsDoc());
    await ctx.cleanup();
    assert.throws(() => scene.render({ width: 4, height: 4 }), code('CONTEXT_STATE', /after cleanup\(\)/));
    await assert.rejects(scene.renderAsync({ width: 4, height: 4 }), code('CONTEXT_STATE'));
    assert.throws(() => ctx.acquireRef(), code('CONTEXT_STATE'));
    assert.throws(() => ctx.checkErrors('a check'), code('CONTEXT_STATE'));
    assert.throws(() => ctx.ensureCurrent(), code('CONTEXT_STATE'));
    assert.throws(() => ctx.pool.createBuffer({ width: 4, height: 4 }), code('CONTEXT_STATE'));
    ctx.initialize();
    assertCoords(scene.render({ width: 4, height: 4 }), 4, 4);
  }),
);

test(
  'references: acquire/release balance, releaseRef() without argument, over-release is REF_UNDERFLOW',
  withContext(async (ctx) => {
    const a = ctx.acquireRef();
    assert.equal(ctx.state, 'ready', 'acquireRef() initializes');
    const b = ctx.acquireRef();
    assert.equal(ctx.refCount, 2);
    assert.equal(ctx.stats().refCount, 2);
    a.release();
    assert.equal(a.valid, false);
    assert.throws(() => a.release(), code('REF_UNDERFLOW', /released twice/));
    assert.throws(() => a.check('render'), code('CONTEXT_STATE', /released/));
    ctx.releaseRef(); // the oldest still held: b
    assert.equal(b.valid, false);
    assert.equal(ctx.refCount, 0);
    assert.throws(() => ctx.releaseRef(), code('REF_UNDERFLOW', /no reference held/));
    assert.equal(ctx.validate().ok, true);
    // withRef: holds during fn, releases on success and on failure
    const seen = await ctx.withRef((c) => c.refCount);
    assert.equal(seen, 1);
    await assert.rejects(
      ctx.withRef(() => {
        throw new Error('boom');
      }),
      /boom/,
    );
    await assert.rejects(
      ctx.withRef(async () => {
        await delay(1);
        throw new Error('late boom');
      }),
      /late boom/,
    );
    assert.equal(ctx.refCount, 0, 'withRef always releases');
    for (let i = 0; i < 1000; i++) ctx.acquireRef().release();
    assert.equal(ctx.refCount, 0);
  }),
);

test(
  'cleanup() with a reference held refuses with CONTEXT_REF_HELD and leaves the context working',
  withContext(async (ctx) => {
    const scene = sceneOf(ctx, coordsDoc());
    const ref = ctx.acquireRef();
    await assert.rejects(ctx.cleanup(), code('CONTEXT_REF_HELD', /1 reference\(s\) still held/));
    assert.equal(ctx.state, 'ready');
    assertCoords(scene.render({ width: 5, height: 5 }), 5, 5);
    ref.release();
    await ctx.cleanup();
    assert.equal(ctx.state, 'destroyed');
  }),
);

test(
  'cleanup({ waitMs }) waits for the release; meanwhile new work is refused with CONTEXT_STATE',
  withContext(async (ctx) => {
    const scene = sceneOf(ctx, coordsDoc());
    const ref = ctx.acquireRef();
    const cleaning = ctx.cleanup({ waitMs: 5000 });
    assert.equal(ctx.state, 'cleaning');
    assert.throws(() => scene.render({ width: 4, height: 4 }), code('CONTEXT_STATE', /being cleaned up/));
    assert.throws(() => ctx.acquireRef(), code('CONTEXT_STATE'));
    assert.throws(() => ctx.reinitialize(), code('CONTEXT_STATE'));
    assert.throws(() => ctx.initialize(), code('CONTEXT_STATE'));
    await assert.rejects(ctx.cleanup(), code('CONTEXT_STATE', /already in progress/));
    let released = false;
    setTimeout(() => {
      released = true;
      ref.release();
    }, 50);
    await cleaning; // a timeout would reject with CONTEXT_REF_HELD instead
    assert.equal(released, true, 'resolved after the release');
    assert.equal(ctx.state, 'destroyed');
    ctx.initialize();
    assertCoords(scene.render({ width: 4, height: 4 }), 4, 4);
  }),
);

test(
  'cleanup({ waitMs }) times out with CONTEXT_REF_HELD and the context goes back to ready',
  withContext(async (ctx) => {
    const scene = sceneOf(ctx, coordsDoc());
    const ref = ctx.acquireRef();
    let waited = false;
    const timer = setTimeout(() => {
      waited = true;
    }, 30);
    await assert.rejects(ctx.cleanup({ waitMs: 60 }), code('CONTEXT_REF_HELD', /after waiting 60 ms/));
    clearTimeout(timer);
    assert.equal(waited, true, 'it waited (a 30 ms timer set before it fired first)');
    assert.equal(ctx.state, 'ready');
    assert.equal(ref.valid, true);
    assertCoords(scene.render({ width: 6, height: 2 }), 6, 2);
    await assert.rejects(ctx.cleanup({ waitMs: -1 }), code('BAD_ARGUMENT', /waitMs/));
    ref.release();
  }),
);

test(
  'cleanup({ force: true }) always succeeds and invalidates holders; their release() is a no-op',
  withContext(async (ctx) => {
    const scene = sceneOf(ctx, coordsDoc());
    const refs = [ctx.acquireRef(), ctx.acquireRef(), ctx.acquireRef()];
    await ctx.cleanup({ force: true });
    assert.equal(ctx.state, 'destroyed');
    assert.equal(ctx.refCount, 0);
    for (const r of refs) {
      assert.equal(r.valid, false);
      assert.equal(r.invalidated, true);
      assert.throws(() => r.check('render'), code('CONTEXT_STATE', /forced cleanup invalidated/));
      r.release(); // holders' finally blocks stay correct
    }
    assert.throws(() => scene.render({ width: 4, height: 4 }), code('CONTEXT_STATE'));
    // force while a non-forced cleanup waits: both settle, the waiting one without error
    ctx.initialize();
    const held = ctx.acquireRef();
    const waiting = ctx.cleanup({ waitMs: 10_000 });
    await ctx.cleanup({ force: true });
    await waiting;
    assert.equal(held.invalidated, true);
    assert.equal(ctx.state, 'destroyed');
    ctx.reinitialize();
    assertCoords(scene.render({ width: 4, height: 4 }), 4, 4);
  }),
);

test(
  'reinitialize() invalidates references like a forced cleanup; withRef survives it',
  withContext(async (ctx) => {
    const scene = sceneOf(ctx, solidDoc());
    const result = await ctx.withRef(async (c, ref) => {
      c.reinitialize();
      assert.equal(ref.invalidated, true);
      return scene.render({ width: 2, height: 2 }).pixel(0, 0);
    });
    assert.deepEqual(result, [255, 0, 0, 255]);
    assert.equal(ctx.refCount, 0);
  }),
);

test(
  'validate() gives a detailed status, never throws',
  withContext(async (ctx) => {
    let v = ctx.validate();
    assert.deepEqual(
      { ok: v.ok, state: v.state, current: v.current, lost: v.lost },
      { ok: false, state: 'uninitialized', current: false, lost: false },
    );
    assert.match(v.problems.join(), /state is uninitialized/);
    ctx.initialize();
    v = ctx.validate();
    assert.equal(v.ok, true, v.problems.join());
    assert.equal(v.current, true);
    assert.equal(v.generation, 1);
    assert.equal(v.glError, null);
    const gl = ctx.use('test');
    gl.bindTexture(0x1234, null); // GL_INVALID_ENUM
    v = ctx.validate();
    assert.equal(v.ok, false);
    assert.equal(v.glError, 'GL_INVALID_ENUM');
    assert.match(v.problems.join(), /pending GL_INVALID_ENUM/);
    ctx.acquireRef();
    assert.equal(ctx.validate().refCount, 1);
    ctx.simulateLoss();
    v = ctx.validate();
    assert.equal(v.lost, true);
    assert.equal(v.ok, false);
    await ctx.cleanup({ force: true });
    v = ctx.validate();
    assert.equal(v.state, 'destroyed');
    assert.equal(v.ok, false);
  }),
);

test(
  'checkErrors(operation) throws GL_ERROR naming the GL error and the operation, and drains it',
  withContext((ctx) => {
    ctx.initialize();
    ctx.checkErrors('a clean check');
    const gl = ctx.use('test');
    gl.bindTexture(0x1234, null); // GL_INVALID_ENUM
    gl.activeTexture(0); // GL_INVALID_ENUM too (not TEXTUREi)
    assert.throws(
      () => ctx.checkErrors('uploading the test image'),
      code('GL_ERROR', /GL_INVALID_ENUM.* during uploading the test image/),
    );
    ctx.checkErrors('after draining'); // no throw: the errors were consumed
    // a render after a stray GL error reports it, then the next render works
    const scene = sceneOf(ctx, coordsDoc());
    gl.bindTexture(0x1234, null);
    assert.throws(() => scene.render({ width: 4, height: 4 }), code('GL_ERROR', /rendering Coords/));
    assertCoords(scene.render({ width: 4, height: 4 }), 4, 4);
  }),
);

test(
  'resetState() disables capabilities and unbinds framebuffer, program, buffers and every texture unit',
  withContext((ctx) => {
    const scene = sceneOf(ctx, coordsDoc());
    scene.render({ width: 4, height: 4 });
    const gl = ctx.use('test');
    const tex = gl.createTexture();
    const fbo = gl.createFramebuffer();
    const buf = gl.createBuffer();
    gl.enable(gl.BLEND);
    gl.enable(gl.SCISSOR_TEST);
    gl.enable(gl.DEPTH_TEST);
    gl.bindFramebuffer(gl.FRAMEBUFFER, fbo);
    gl.bindBuffer(gl.ARRAY_BUFFER, buf);
    gl.activeTexture(gl.TEXTURE0 + 7);
    gl.bindTexture(gl.TEXTURE_2D, tex);
    assert.equal(gl.getParameter(gl.BLEND), true);
    assert.equal(gl.getParameter(TEXTURE_BINDING_2D), tex);
    ctx.resetState();
    for (const cap of [gl.BLEND, gl.SCISSOR_TEST, gl.DEPTH_TEST, gl.STENCIL_TEST, gl.CULL_FACE]) {
      assert.equal(gl.getParameter(cap), false, `capability 0x${cap.toString(16)} disabled`);
    }
    assert.equal(gl.getParameter(FRAMEBUFFER_BINDING), null);
    assert.equal(gl.getParameter(CURRENT_PROGRAM), null);
    assert.equal(gl.getParameter(ARRAY_BUFFER_BINDING), null);
    gl.activeTexture(gl.TEXTURE0 + 7);
    assert.equal(gl.getParameter(TEXTURE_BINDING_2D), null, 'unit 7 unbound');
    assert.equal(gl.getParameter(gl.UNPACK_ALIGNMENT), 1);
    gl.deleteTexture(tex);
    gl.deleteFramebuffer(fbo);
    gl.deleteBuffer(buf);
    assertCoords(scene.render({ width: 9, height: 3 }), 9, 3);
    ctx.checkErrors('resetState test');
  }),
);

test(
  'info() reports vendor, renderer, version and limits; ensureCurrent() initializes',
  withContext((ctx) => {
    ctx.ensureCurrent();
    assert.equal(ctx.state, 'ready');
    const info = ctx.info();
    for (const key of ['backend', 'vendor', 'renderer', 'version', 'glslVersion'] as const) {
      assert.ok(typeof info[key] === 'string' && info[key].length > 0, `${key}: ${info[key]}`);
    }
    assert.match(info.version, /OpenGL ES 3/);
    assert.ok(info.maxTextureSize >= 4096);
    assert.ok(info.maxTextureUnits >= 16);
    assert.equal(info.maxViewportDims.length, 2);
    assert.ok(['rgba32f', 'rgba16f', 'none'].includes(info.floatTargets));
    assert.equal(ctx.maxRenderSize(), Math.min(info.maxTextureSize, ...info.maxViewportDims));
  }),
);

test(
  'stats() counts live textures, framebuffers, programs and bytes; destroy() brings them to zero',
  withContext(async (ctx) => {
    ctx.initialize();
    const zero = ctx.stats();
    assert.deepEqual(
      [zero.textures, zero.framebuffers, zero.programs, zero.bytes, zero.pool.inUse],
      [0, 0, 0, 0, 0],
    );
    const scene = sceneOf(ctx, coordsDoc());
    scene.render({ width: 10, height: 10 });
    let s = ctx.stats();
    live(ctx); // the tracker's counts below agree with the backend's
    assert.equal(s.programs, 1);
    assert.equal(s.textures, 1, 'one pooled output texture');
    assert.equal(s.framebuffers, 1);
    assert.equal(s.bytes, 10 * 10 * 4);
    assert.equal(s.pool.idle, 1);
    assert.equal(s.frames, 1);
    ctx.pool.purge();
    s = ctx.stats();
    assert.deepEqual([s.textures, s.framebuffers, s.bytes], [0, 0, 0]);
    assert.deepEqual([live(ctx).textures, live(ctx).framebuffers], [0, 0]);
    scene.destroy();
    const backend = backendOf(ctx);
    await ctx.cleanup();
    assert.deepEqual(
      backend.stats.liveObjects(),
      { textures: 0, framebuffers: 0, programs: 0, shaders: 0, buffers: 0, vertexArrays: 0 },
      'cleanup() deleted every GL object before releasing the context',
    );
    s = ctx.stats();
    assert.deepEqual(
      [s.textures, s.framebuffers, s.programs, s.buffers, s.vertexArrays, s.bytes],
      [0, 0, 0, 0, 0, 0],
    );
    assert.equal(s.state, 'destroyed');
  }),
);

test('a failing backend factory leaves the context uninitialized with the typed error', async () => {
  const ctx = createContext({ libEGL: '/nonexistent/libEGL.so.1' });
  assert.throws(() => ctx.initialize(), code('GL_UNAVAILABLE'));
  assert.equal(ctx.state, 'uninitialized');
  assert.throws(() => ctx.acquireRef(), code('GL_UNAVAILABLE'));
  await ctx.cleanup();
  assert.equal(ctx.state, 'destroyed');
});
