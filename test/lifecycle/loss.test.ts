/**
 * Context loss: destroying the native context under a live scene gives GL_CONTEXT_LOST (never a crash), and
 * reinitialize() recovers with correct frames.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { GLBackend } from '../../src/gl/backend.ts';
import { eglBackend } from '../../src/node/context.ts';
import { createContextWith, type GLContext } from '../../src/render/context.ts';
import { assertCoords, assertSameFrame, code, coordsDoc, feedbackScene, sceneOf } from './fixtures.ts';

/** A context whose native backends the test can reach, to destroy them behind the context's back. */
function instrumented(): { ctx: GLContext; backends: GLBackend[] } {
  const backends: GLBackend[] = [];
  const ctx = createContextWith(() => {
    const b = eglBackend();
    backends.push(b);
    return b;
  });
  return { ctx, backends };
}

test('destroying the native context under a live scene: GL_CONTEXT_LOST, then reinitialize() recovers', () => {
  const { ctx, backends } = instrumented();
  try {
    const scene = feedbackScene(ctx, 8);
    const ref = scene.render({ width: 24, height: 16, time: 0.5, frameIndex: 0 });
    scene.render({ width: 24, height: 16, time: 0.75 });
    backends[0]!.destroy(); // the native context dies; the GLContext was not told
    assert.throws(
      () => scene.render({ width: 24, height: 16 }),
      code('GL_CONTEXT_LOST', /call reinitialize\(\)|lost/),
    );
    assert.equal(ctx.state, 'lost');
    assert.throws(() => scene.render({ width: 24, height: 16 }), code('GL_CONTEXT_LOST'), 'stays lost');
    assert.throws(() => ctx.acquireRef(), code('GL_CONTEXT_LOST'));
    assert.throws(() => ctx.checkErrors('after loss'), code('GL_CONTEXT_LOST'));
    const v = ctx.validate();
    assert.equal(v.ok, false);
    assert.equal(v.lost, true);
    ctx.reinitialize();
    assert.equal(backends.length, 2);
    assertSameFrame(
      scene.render({ width: 24, height: 16, time: 0.5, frameIndex: 0 }),
      ref,
      'first frame after recovery',
    );
    const s = ctx.stats();
    assert.equal(s.generation, 2);
    assert.equal(s.pool.inUse, 1, 'only the new accumulator is checked out: the lost buffers were forgotten');
    ctx.checkErrors('after recovery');
    scene.destroy();
  } finally {
    ctx.destroy();
  }
});

test('simulateLoss(): the same; cleanup() of a lost context skips GL deletes and initialize() recovers', async () => {
  const { ctx } = instrumented();
  try {
    const scene = sceneOf(ctx, coordsDoc());
    assertCoords(scene.render({ width: 9, height: 9 }), 9, 9);
    ctx.simulateLoss();
    assert.throws(() => scene.render({ width: 9, height: 9 }), code('GL_CONTEXT_LOST'));
    await assert.rejects(scene.renderAsync({ width: 9, height: 9 }), code('GL_CONTEXT_LOST'));
    await ctx.cleanup();
    assert.equal(ctx.state, 'destroyed');
    assert.equal(ctx.stats().textures, 0);
    ctx.initialize();
    assertCoords(scene.render({ width: 9, height: 9 }), 9, 9);
  } finally {
    ctx.destroy();
  }
});

test('loss with renders queued: they reject GL_CONTEXT_LOST; reinitialize() and the next ones work', async () => {
  const { ctx, backends } = instrumented();
  try {
    const scene = sceneOf(ctx, coordsDoc());
    scene.render({ width: 4, height: 4 });
    const queued = Array.from({ length: 4 }, () => scene.renderAsync({ width: 6, height: 6 }));
    backends[0]!.destroy();
    for (const r of await Promise.allSettled(queued)) {
      assert.equal(r.status, 'rejected');
      code('GL_CONTEXT_LOST')((r as PromiseRejectedResult).reason);
    }
    assert.equal(ctx.refCount, 0);
    ctx.reinitialize();
    assertCoords(await scene.renderAsync({ width: 6, height: 6 }), 6, 6);
  } finally {
    ctx.destroy();
  }
});

test('loss during compile and buffer allocation gives GL_CONTEXT_LOST, not a compile or GL error', () => {
  const { ctx, backends } = instrumented();
  try {
    ctx.initialize();
    backends[0]!.destroy();
    assert.throws(() => sceneOf(ctx, coordsDoc()), code('GL_CONTEXT_LOST'));
    assert.throws(() => ctx.pool.createBuffer({ width: 4, height: 4 }), code('GL_CONTEXT_LOST'));
    ctx.reinitialize();
    assertCoords(sceneOf(ctx, coordsDoc()).render({ width: 4, height: 4 }), 4, 4);
  } finally {
    ctx.destroy();
  }
});
