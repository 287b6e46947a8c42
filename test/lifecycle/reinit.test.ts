/**
 * 500 reinitialize() cycles interleaved with renders: every frame correct, live objects flat, RSS growth under
 * 30 MB. Each cycle destroys the native context under live scenes, which then rebuild on their next render.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createContext } from '../../src/node/context.ts';
import type { Frame } from '../../src/render/frame.ts';
import {
  assertCoords,
  assertSameFrame,
  coordsDoc,
  feedbackScene,
  liveCounts,
  rssMB,
  sceneOf,
} from './fixtures.ts';

const ctx = createContext().initialize();
after(() => ctx.destroy());
const SIZE = { width: 64, height: 64 };

test('500 reinitialize() cycles interleaved with renders: every frame correct, RSS growth under 30 MB', (t) => {
  // Two scenes (each cycle recompiles both): a 3-pass feedback shader with an image and a non-default value,
  // and the exact-coordinates shader.
  const feedback = feedbackScene(ctx, 16).setValue('tint', [0.25, 1, 0.5, 1]);
  const coords = sceneOf(ctx, coordsDoc());
  // References: the first two frames of a fresh feedback stream (frame 1 depends on frame 0 through the
  // persistent accumulator).
  const ref0 = feedback.render({ ...SIZE, time: 0.5, frameIndex: 0 });
  const ref1 = feedback.render({ ...SIZE, time: 0.75, frameIndex: 1 });
  assert.notDeepEqual([...ref0.pixels], [...ref1.pixels], 'frame 1 differs: the accumulator matters');
  assert.ok(
    ref0.pixels.some((v, i) => i % 4 !== 3 && v > 0),
    'the reference is not blank',
  );

  const cycle = (i: number): void => {
    const generation = ctx.generation;
    ctx.reinitialize();
    assert.equal(ctx.generation, generation + 1);
    const check = (frame: Frame, ref: Frame, what: string) =>
      assertSameFrame(frame, ref, `cycle ${i}: ${what}`);
    // After reinitialize the accumulator restarts transparent: the stream starts again like a fresh scene.
    check(feedback.render({ ...SIZE, time: 0.5, frameIndex: 0 }), ref0, 'first frame after reinit');
    check(feedback.render({ ...SIZE, time: 0.75, frameIndex: 1 }), ref1, 'second frame (persistent state)');
    assertCoords(coords.render({ width: 31, height: 17 }), 31, 17);
  };

  for (let i = 0; i < 20; i++) cycle(i); // warm-up: driver caches, JIT, allocator arenas
  const counts = liveCounts(ctx);
  const before = rssMB();
  let peak = before;
  for (let i = 20; i < 500; i++) {
    cycle(i);
    if (i % 50 === 0) {
      peak = Math.max(peak, rssMB());
      const now = liveCounts(ctx);
      // misses grow by one allocation per target per cycle (a new context has an empty pool); all else is flat
      assert.deepEqual({ ...now, poolMisses: 0 }, { ...counts, poolMisses: 0 }, `cycle ${i}: live objects`);
    }
  }
  const grown = rssMB() - before;
  t.diagnostic(
    `RSS ${before.toFixed(1)} MB -> +${grown.toFixed(1)} MB (peak +${(peak - before).toFixed(1)} MB)`,
  );
  assert.ok(
    grown < 30,
    `RSS grew by ${grown.toFixed(1)} MB over 480 cycles (peak +${(peak - before).toFixed(1)} MB)`,
  );
  assert.equal(ctx.generation, 501);
  for (const s of [feedback, coords]) s.destroy();
  ctx.checkErrors('reinit cycles');
});
