/**
 * Concurrency: many concurrent renderAsync() calls on one scene and across scenes give the same frames as the
 * same calls made serially; cleanup() with queued renders; 8 contexts at once, fully independent.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createContext } from '../../src/node/context.ts';
import type { GLContext } from '../../src/render/context.ts';
import type { Frame } from '../../src/render/frame.ts';
import type { AsyncRenderOptions } from '../../src/render/scene.ts';
import {
  animatedDoc,
  assertCoords,
  assertSameFrame,
  code,
  coordsDoc,
  feedbackScene,
  live,
  sceneOf,
  solidDoc,
} from './fixtures.ts';

const ctx = createContext().initialize();
const serialCtx = createContext().initialize();
after(() => {
  ctx.destroy();
  serialCtx.destroy();
});

/** The k-th call of a stream: time, and values that change every frame. */
function call(k: number): AsyncRenderOptions {
  return { width: 32, height: 24, time: k / 10, values: { tint: [1, (k % 5) / 5, (k % 3) / 3, 1] } };
}

test('60 concurrent renderAsync() calls on one scene give the serial frames (persistent state in call order)', async () => {
  const scene = feedbackScene(ctx, 16);
  const frames = await Promise.all(Array.from({ length: 60 }, (_, k) => scene.renderAsync(call(k))));
  const serial = feedbackScene(serialCtx, 16);
  for (let k = 0; k < 60; k++) {
    const c = call(k);
    serial.setValues(c.values!);
    assertSameFrame(frames[k]!, serial.render(c), `frame ${k}`);
  }
  assert.equal(ctx.stats().queued, 0);
  assert.equal(ctx.refCount, 0, 'every queued render released its reference');
  scene.destroy();
  serial.destroy();
});

test('concurrent renderAsync() across 4 scenes of one context, interleaved, give the serial frames', async () => {
  const scenes = [
    feedbackScene(ctx, 8),
    feedbackScene(ctx, 12),
    sceneOf(ctx, animatedDoc()),
    sceneOf(ctx, coordsDoc()),
  ];
  const opts = (s: number, k: number): AsyncRenderOptions =>
    s < 2
      ? call(k + s)
      : { width: 20 + s, height: 10, time: k / 7, ...(s === 2 ? { values: { intensity: k / 20 } } : {}) };
  const pending: Promise<Frame>[][] = scenes.map(() => []);
  for (let k = 0; k < 20; k++)
    for (let s = 0; s < scenes.length; s++) pending[s]!.push(scenes[s]!.renderAsync(opts(s, k)));
  const results = await Promise.all(pending.map((p) => Promise.all(p)));
  const serial = [
    feedbackScene(serialCtx, 8),
    feedbackScene(serialCtx, 12),
    sceneOf(serialCtx, animatedDoc()),
    sceneOf(serialCtx, coordsDoc()),
  ];
  for (let s = 0; s < scenes.length; s++) {
    for (let k = 0; k < 20; k++) {
      const o = opts(s, k);
      if (o.values) serial[s]!.setValues(o.values);
      assertSameFrame(results[s]![k]!, serial[s]!.render(o), `scene ${s} frame ${k}`);
    }
  }
  for (const s of [...scenes, ...serial]) s.destroy();
});

test("five concurrent render loops on one scene (the predecessor's five threads): no errors, serial frames", async () => {
  const scene = sceneOf(ctx, animatedDoc());
  const loop = async (t: number): Promise<Frame[]> => {
    const out: Frame[] = [];
    for (let i = 0; i < 10; i++) {
      out.push(
        await scene.renderAsync({ width: 32, height: 32, time: t + i / 10, values: { intensity: t / 5 } }),
      );
      await new Promise((r) => setImmediate(r));
    }
    return out;
  };
  const results = await Promise.all([0, 1, 2, 3, 4].map(loop));
  const serial = sceneOf(serialCtx, animatedDoc());
  for (let t = 0; t < 5; t++) {
    serial.setValue('intensity', t / 5);
    for (let i = 0; i < 10; i++) {
      assertSameFrame(
        results[t]![i]!,
        serial.render({ width: 32, height: 32, time: t + i / 10 }),
        `loop ${t} frame ${i}`,
      );
    }
  }
  scene.destroy();
  serial.destroy();
});

test('cleanup() while renders are queued: refused, or with waitMs it waits for them; force cancels them typed', async () => {
  const c = createContext().initialize();
  try {
    const scene = sceneOf(c, coordsDoc());
    let queued = Array.from({ length: 5 }, (_, k) => scene.renderAsync({ width: 8 + k, height: 4 }));
    assert.equal(c.stats().queued, 5);
    await assert.rejects(c.cleanup(), code('CONTEXT_REF_HELD', /5 reference/));
    const cleaning = c.cleanup({ waitMs: 5000 });
    const frames = await Promise.all(queued); // queued work may finish while the cleanup waits
    for (const [k, f] of frames.entries()) assertCoords(f, 8 + k, 4);
    await cleaning;
    assert.equal(c.state, 'destroyed');
    await assert.rejects(scene.renderAsync({ width: 4, height: 4 }), code('CONTEXT_STATE'));

    c.initialize();
    queued = Array.from({ length: 5 }, () => scene.renderAsync({ width: 4, height: 4 }));
    await c.cleanup({ force: true });
    const settled = await Promise.allSettled(queued);
    for (const s of settled) {
      assert.equal(s.status, 'rejected');
      code('CONTEXT_STATE', /cancelled: the context was cleaned up/)((s as PromiseRejectedResult).reason);
    }
    c.initialize();
    assertCoords(await scene.renderAsync({ width: 5, height: 5 }), 5, 5);
    // reinitialize() while renders are queued: they run on the new context
    queued = Array.from({ length: 3 }, (_, k) => scene.renderAsync({ width: 3 + k, height: 3 }));
    c.reinitialize();
    for (const [k, f] of (await Promise.all(queued)).entries()) assertCoords(f, 3 + k, 3);
  } finally {
    c.destroy();
  }
});

test('8 contexts at once: interleaved renders are independent; destroying one leaves the others working', async () => {
  const contexts: GLContext[] = Array.from({ length: 8 }, () => createContext().initialize());
  try {
    const scenes = contexts.map((c, i) =>
      sceneOf(c, solidDoc()).setValue('color', [i / 7, 1 - i / 7, (i % 2) * 1, 1]),
    );
    const expected = (i: number) => [
      Math.round((i / 7) * 255),
      Math.round((1 - i / 7) * 255),
      (i % 2) * 255,
      255,
    ];
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 8; i++)
        assert.deepEqual(scenes[i]!.render({ width: 4, height: 4 }).pixel(3, 3), expected(i));
    }
    const async = await Promise.all(scenes.map((s) => s.renderAsync({ width: 5, height: 5 })));
    for (const [i, f] of async.entries()) assert.deepEqual(f.pixel(0, 0), expected(i));
    const ids = new Set(contexts.map((c) => c.id));
    assert.equal(ids.size, 8);
    for (const c of contexts) assert.equal(live(c).programs, 1, 'each context compiled its own program');
    contexts[3]!.destroy();
    contexts[5]!.simulateLoss();
    assert.throws(() => scenes[3]!.render({ width: 4, height: 4 }), code('CONTEXT_STATE'));
    assert.throws(() => scenes[5]!.render({ width: 4, height: 4 }), code('GL_CONTEXT_LOST'));
    for (const i of [0, 1, 2, 4, 6, 7])
      assert.deepEqual(scenes[i]!.render({ width: 4, height: 4 }).pixel(1, 1), expected(i));
    contexts[3]!.initialize();
    contexts[5]!.reinitialize();
    for (let i = 0; i < 8; i++)
      assert.deepEqual(scenes[i]!.render({ width: 4, height: 4 }).pixel(2, 2), expected(i));
    for (const c of contexts) c.checkErrors('8 contexts');
  } finally {
    for (const c of contexts) c.destroy();
  }
});
