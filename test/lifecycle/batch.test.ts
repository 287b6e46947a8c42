/**
 * A 5,000-frame batch: the context's stats() stay flat after warm-up and RSS grows by less than 30 MB.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createContext } from '../../src/node/context.ts';
import { ramp } from '../helpers.ts';
import { animatedDoc, feedbackScene, liveCounts, rssMB, sceneOf } from './fixtures.ts';

const ctx = createContext().initialize();
after(() => ctx.destroy());

test('a 5,000-frame batch: context stats() flat after warm-up, RSS growth under 30 MB', (t) => {
  const feedback = feedbackScene(ctx, 24);
  const animated = sceneOf(ctx, animatedDoc());
  const frame = (k: number) => {
    const time = k / 30;
    // values and images change as a real batch would; the image is replaced every 100 frames
    if (k % 100 === 0) {
      const image = ramp(24, 24);
      image.data[(k / 100) % image.data.length] = k & 255;
      feedback.setImageData('inputImage', image);
    }
    feedback.setValue('tint', [1, (k % 10) / 10, 0.5, 1]);
    animated.setValue('intensity', (k % 7) / 7);
    const a = feedback.render({ width: 64, height: 48, time });
    const b = animated.render({ width: 64, height: 48, time });
    assert.equal(a.width * a.height + b.width * b.height, 2 * 64 * 48);
  };
  for (let k = 0; k < 200; k++) frame(k);
  const flat = liveCounts(ctx);
  const before = rssMB();
  let peak = before;
  for (let k = 200; k < 5000; k++) {
    frame(k);
    if (k % 250 === 0) {
      // an image replaced mid-interval is uploaded at its first use: compare right after a render
      assert.deepEqual(liveCounts(ctx), flat, `frame ${k}`);
      peak = Math.max(peak, rssMB());
    }
  }
  assert.deepEqual(liveCounts(ctx), flat, 'after 5,000 frames');
  assert.equal(ctx.stats().frames, 10_000, 'two scenes x 5,000 frames');
  const grown = rssMB() - before;
  t.diagnostic(
    `RSS ${before.toFixed(1)} MB -> +${grown.toFixed(1)} MB (peak +${(peak - before).toFixed(1)} MB)`,
  );
  assert.ok(grown < 30, `RSS grew by ${grown.toFixed(1)} MB (peak +${(peak - before).toFixed(1)} MB)`);
  feedback.destroy();
  animated.destroy();
  ctx.checkErrors('batch');
});
