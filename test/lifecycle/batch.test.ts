/**
 * A 5,000-frame batch: every 250th frame matches fresh scenes' render of it (the animated shader byte for byte, the
 * feedback shader within its rounding, see FEEDBACK_TOLERANCE), the last frame is byte-identical to a fresh scene
 * that replays all 5,000 frames, the live GL objects (counted by the backend) and pool stay flat after warm-up, and
 * RSS grows by less than 30 MB.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createContext } from '../../src/node/context.ts';
import type { Frame } from '../../src/render/frame.ts';
import type { RawImage } from '../../src/render/images.ts';
import { ramp } from '../helpers.ts';
import { animatedDoc, assertSameFrame, feedbackScene, liveCounts, rssMB, sceneOf } from './fixtures.ts';

const ctx = createContext().initialize();
// Fresh scenes for the pixel checks live on their own context, so they do not touch the counts under test.
const refCtx = createContext().initialize();
after(() => {
  ctx.destroy();
  refCtx.destroy();
});

/** The image the feedback scene shows at frame k: replaced every 100 frames, as a real batch would. */
function imageAt(k: number): RawImage {
  const n = Math.floor(k / 100);
  const image = ramp(24, 24);
  image.data[n % image.data.length] = (n * 100) & 255;
  return image;
}
const tintAt = (k: number): [number, number, number, number] => [1, (k % 10) / 10, 0.5, 1];
const intensityAt = (k: number) => (k % 7) / 7;

/** Frames the feedback accumulator needs to forget its past: each frame halves the old content. */
const FEEDBACK_MEMORY = 40;

/**
 * Largest channel difference allowed between the long run and a FEEDBACK_MEMORY-frame replay. The accumulator is
 * 8-bit and never forgets its history entirely: acc' = round(acc / 2 + img / 2) in LSBs, and the store rounds
 * exact halves to even (Mesa llvmpipe: (x + 0.5) / 255 for x = 0..15 reads back 0 2 2 4 4 6 ...; GLES 3.0 leaves
 * the tie to the implementation). Where the sampled image is an exact odd value i (the 24x24 ramp magnified to
 * 64x48 samples to exactly 1, 5, 9... LSBs along the top rows once lookups are highp), acc = i - 1 and acc = i + 1
 * are both fixed points (i -/+ 0.5 round to the even neighbour), so which one a pixel holds depends on where its
 * history began, forever. Measured on llvmpipe: at every checked frame from 750 to 4999, 15 or 16 acc bytes (red
 * channel, top-left 3 rows) are 2 apart and the output at most 2 (2-6 bytes); a 320-frame replay still leaves
 * them at frame 1000; a replay from frame 0 is byte-identical. With lowp samplers (before the prelude declared
 * highp) the sampled values fell just below the odd LSBs and the gap was 1. Byte equality is checked on the last
 * frame against a full replay instead.
 */
const FEEDBACK_TOLERANCE = 2;

test('a 5,000-frame batch: the pixels stay right, context stats() flat after warm-up, RSS growth under 30 MB', (t) => {
  const feedback = feedbackScene(ctx, 24);
  const animated = sceneOf(ctx, animatedDoc());
  const render = (k: number) => {
    const time = k / 30;
    if (k % 100 === 0) feedback.setImageData('inputImage', imageAt(k));
    feedback.setValue('tint', tintAt(k));
    animated.setValue('intensity', intensityAt(k));
    const a = feedback.render({ width: 64, height: 48, time });
    const b = animated.render({ width: 64, height: 48, time });
    return { a, b };
  };
  /**
   * Frame k as fresh scenes render it, knowing nothing of the 5,000-frame history: the animated shader at frame k
   * alone; the feedback shader from FEEDBACK_MEMORY frames earlier (older frames have faded out of it).
   */
  const reference = (k: number) => {
    const fresh = sceneOf(refCtx, animatedDoc()).setValue('intensity', intensityAt(k));
    const b = fresh.render({ width: 64, height: 48, time: k / 30 });
    fresh.destroy();
    const replay = feedbackScene(refCtx, 24);
    let a = b;
    for (let j = k - FEEDBACK_MEMORY + 1; j <= k; j++) {
      if (j === k - FEEDBACK_MEMORY + 1 || j % 100 === 0) replay.setImageData('inputImage', imageAt(j));
      replay.setValue('tint', tintAt(j));
      a = replay.render({ width: 64, height: 48, time: j / 30 });
    }
    replay.destroy();
    return { a, b };
  };
  const check = (k: number, got: { a: Frame; b: Frame }) => {
    const want = reference(k);
    assertSameFrame(got.b, want.b, `animated frame ${k}`);
    assert.equal(got.a.pixels.length, want.a.pixels.length);
    let max = 0;
    for (let i = 0; i < want.a.pixels.length; i++)
      max = Math.max(max, Math.abs(got.a.pixels[i]! - want.a.pixels[i]!));
    assert.ok(
      max <= FEEDBACK_TOLERANCE,
      `feedback frame ${k}: a channel differs by ${max} from a ${FEEDBACK_MEMORY}-frame replay`,
    );
  };
  /** The feedback shader's frame k from a fresh scene that renders every frame from 0: the same bytes. */
  const fullReplay = (k: number): Frame => {
    const replay = feedbackScene(refCtx, 24);
    let a: Frame | undefined;
    for (let j = 0; j <= k; j++) {
      if (j % 100 === 0) replay.setImageData('inputImage', imageAt(j));
      replay.setValue('tint', tintAt(j));
      a?.release();
      a = replay.render({ width: 64, height: 48, time: j / 30 });
    }
    replay.destroy();
    return a!;
  };
  for (let k = 0; k < 200; k++) render(k);
  const flat = liveCounts(ctx);
  const before = rssMB();
  let peak = before;
  let last: Frame | undefined;
  for (let k = 200; k < 5000; k++) {
    const got = render(k);
    if (k % 250 === 0 || k === 4999) {
      // an image replaced mid-interval is uploaded at its first use: compare right after a render
      assert.deepEqual(liveCounts(ctx), flat, `frame ${k}`);
      check(k, got);
      peak = Math.max(peak, rssMB());
    }
    if (k === 4999) last = got.a;
  }
  assert.deepEqual(liveCounts(ctx), flat, 'after 5,000 frames');
  assert.equal(ctx.stats().frames, 10_000, 'two scenes x 5,000 frames');
  const grown = rssMB() - before;
  t.diagnostic(
    `RSS ${before.toFixed(1)} MB -> +${grown.toFixed(1)} MB (peak +${(peak - before).toFixed(1)} MB)`,
  );
  assert.ok(grown < 30, `RSS grew by ${grown.toFixed(1)} MB (peak +${(peak - before).toFixed(1)} MB)`);
  // After the RSS figure, which the replay's own scene and frames would inflate.
  assertSameFrame(last!, fullReplay(4999), 'feedback frame 4999 against a full replay from frame 0');
  feedback.destroy();
  animated.destroy();
  ctx.checkErrors('batch');
});
