/**
 * BufferPool: createBuffer / housekeeping / purge / cleanup / forceCleanup / stats, how scenes use it, and the
 * 10,000-frame batch that must allocate a bounded number of textures.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createContext } from '../../src/node/context.ts';
import { code, feedbackScene, live, liveCounts, sceneOf, solidDoc } from './fixtures.ts';

const ctx = createContext({ maxIdleFrames: 20, housekeepingInterval: 10 }).initialize();
after(() => ctx.destroy());

/** Advances the context's frame clock as rendered frames do (without housekeeping side effects of a render). */
function advance(frames: number): void {
  for (let i = 0; i < frames; i++) ctx.afterFrame();
}

test('createBuffer: exact size and format, reused after release (hits/misses/inUse/idle/bytes)', () => {
  ctx.pool.purge();
  const before = ctx.pool.stats();
  const a = ctx.pool.createBuffer({ width: 33, height: 17 });
  assert.deepEqual([a.width, a.height, a.format], [33, 17, 'rgba8']);
  assert.equal(a.destroyed, false);
  let s = ctx.pool.stats();
  assert.equal(s.inUse, before.inUse + 1);
  assert.equal(s.misses, before.misses + 1);
  assert.equal(s.bytes, before.bytes + 33 * 17 * 4);
  a.release();
  s = ctx.pool.stats();
  assert.equal(s.idle, before.idle + 1);
  assert.equal(s.inUse, before.inUse);
  const b = ctx.pool.createBuffer({ width: 33, height: 17 });
  assert.equal(b.id, a.id, 'the same buffer comes back');
  assert.equal(ctx.pool.stats().hits, before.hits + 1);
  const other = ctx.pool.createBuffer({ width: 34, height: 17 });
  assert.notEqual(other.id, b.id, 'no rounding: another size is another buffer');
  const f = ctx.pool.createBuffer({ width: 8, height: 8, float: true });
  assert.equal(f.format, ctx.info().floatTargets === 'none' ? 'rgba8' : ctx.info().floatTargets);
  assert.equal(
    ctx.pool.stats().bytes,
    before.bytes + 33 * 17 * 4 + 34 * 17 * 4 + 8 * 8 * (f.format === 'rgba32f' ? 16 : 8),
  );
  b.retain();
  b.release();
  assert.equal(ctx.pool.stats().inUse, before.inUse + 3, 'retained: still checked out after one release');
  for (const x of [b, other, f]) x.release();
  assert.throws(() => b.release(), code('REF_UNDERFLOW'));
  ctx.pool.purge();
});

test('createBuffer refuses sizes that are not integers from 1 to the maximum (SIZE_OUT_OF_RANGE)', () => {
  const max = ctx.maxRenderSize();
  for (const [w, h] of [
    [0, 4],
    [4, -1],
    [1.5, 4],
    [Number.NaN, 4],
    [4, Number.POSITIVE_INFINITY],
    [max + 1, 4],
  ] as const) {
    assert.throws(
      () => ctx.pool.createBuffer({ width: w, height: h }),
      code('SIZE_OUT_OF_RANGE'),
      `${w}x${h}`,
    );
  }
  ctx.pool.createBuffer({ width: 1, height: 1 }).release();
});

test('housekeeping() frees buffers idle for more than maxIdleFrames frames, and only those', () => {
  ctx.pool.purge();
  const freedBefore = ctx.pool.stats().freed;
  const old = ctx.pool.createBuffer({ width: 12, height: 12 });
  const young = ctx.pool.createBuffer({ width: 13, height: 13 });
  const held = ctx.pool.createBuffer({ width: 14, height: 14 });
  old.release();
  advance(15);
  young.release();
  advance(5); // old idle 20 frames: not more than 20 yet
  assert.equal(ctx.pool.housekeeping(), 0);
  advance(1);
  assert.equal(ctx.pool.housekeeping(), 1, 'old has been idle 21 frames');
  assert.equal(old.destroyed, true);
  assert.equal(young.destroyed, false);
  assert.equal(ctx.pool.housekeeping(5), 1, 'an explicit threshold: young idle 6 frames');
  assert.equal(held.destroyed, false, 'checked-out buffers are never housekept');
  assert.equal(ctx.pool.stats().freed, freedBefore + 2);
  held.release();
  ctx.pool.purge();
});

test('render-time housekeeping frees buffers of a size no longer rendered', () => {
  const scene = sceneOf(ctx, solidDoc());
  ctx.pool.purge();
  scene.render({ width: 40, height: 30 });
  assert.equal(ctx.pool.stats().bytes, 40 * 30 * 4);
  for (let i = 0; i < 40; i++) scene.render({ width: 20, height: 10 });
  assert.equal(ctx.pool.stats().bytes, 20 * 10 * 4, 'the 40x30 target was freed after 20+ idle frames');
  assert.equal(live(ctx).textures, 1);
  scene.destroy();
});

test('purge() frees every idle buffer but not checked-out ones', () => {
  ctx.pool.purge();
  const bufs = [4, 5, 6].map((n) => ctx.pool.createBuffer({ width: n, height: n }));
  bufs[0]!.release();
  bufs[1]!.release();
  assert.equal(ctx.pool.purge(), 2);
  assert.equal(ctx.pool.stats().idle, 0);
  assert.equal(ctx.pool.stats().inUse, 1);
  assert.equal(bufs[2]!.destroyed, false);
  bufs[2]!.release();
  ctx.pool.purge();
});

test('cleanup() purges and refuses (CONTEXT_REF_HELD) while buffers are checked out', () => {
  ctx.pool.purge();
  const held = ctx.pool.createBuffer({ width: 9, height: 9 });
  ctx.pool.createBuffer({ width: 10, height: 10 }).release();
  assert.throws(() => ctx.pool.cleanup(), code('CONTEXT_REF_HELD', /1 buffer\(s\) still checked out/));
  assert.equal(ctx.pool.stats().idle, 0, 'idle buffers were freed anyway');
  held.release();
  ctx.pool.cleanup();
  assert.deepEqual([ctx.pool.stats().inUse, ctx.pool.stats().idle, ctx.pool.stats().bytes], [0, 0, 0]);
});

test('forceCleanup() frees checked-out buffers too: holders see destroyed, retain() is RESOURCE_DESTROYED', () => {
  ctx.pool.purge();
  const texturesBefore = live(ctx).textures;
  const bufs = Array.from({ length: 10 }, () => ctx.pool.createBuffer({ width: 32, height: 32 }));
  assert.equal(live(ctx).textures, texturesBefore + 10);
  ctx.pool.forceCleanup();
  assert.equal(live(ctx).textures, texturesBefore);
  assert.equal(live(ctx).framebuffers, live(ctx).textures);
  for (const b of bufs) {
    assert.equal(b.destroyed, true);
    b.release(); // no-op
    assert.throws(() => b.retain(), code('RESOURCE_DESTROYED', /freed by a cleanup/));
  }
  assert.deepEqual([ctx.pool.stats().inUse, ctx.pool.stats().idle], [0, 0]);
  ctx.checkErrors('forceCleanup');
});

test('a scene borrows persistent buffers from the pool; scene.cleanup() returns them; the scene still renders', () => {
  ctx.pool.purge();
  const scene = feedbackScene(ctx);
  const first = scene.render({ width: 16, height: 16, time: 0.25 });
  const s = ctx.pool.stats();
  assert.equal(s.inUse, 1, 'the persistent accumulator stays checked out');
  // The previous accumulator is kept until the frame has succeeded (a failed frame leaves it as it was), so the
  // output cannot reuse it within the frame: one more pooled target than a scene that drops it at once.
  assert.equal(s.idle, 3, 'the temporary, the output and the previous accumulator went back');
  const programs = live(ctx).programs;
  const ownTextures = live(ctx).textures - s.inUse - s.idle;
  assert.equal(
    ownTextures,
    2,
    "the scene's own: the input image and the 1x1 placeholder for unwritten targets",
  );
  scene.cleanup();
  assert.equal(ctx.pool.stats().inUse, 0);
  assert.equal(ctx.pool.stats().idle, 4);
  assert.equal(live(ctx).textures, 4, "the scene's own textures were freed");
  assert.equal(live(ctx).programs, programs, 'the program stays cached for the next use');
  const again = scene.render({ width: 16, height: 16, time: 0.25, frameIndex: 0 });
  assert.deepEqual([...again.pixels], [...first.pixels], 'persistent state restarted transparent');
  scene.destroy();
  assert.equal(ctx.pool.stats().inUse, 0);
});

test('forceCleanup() under a live scene: the next frame is correct (persistent buffers restart)', () => {
  const scene = feedbackScene(ctx);
  const fresh = scene.render({ width: 16, height: 16, time: 1 });
  scene.render({ width: 16, height: 16, time: 1 });
  ctx.pool.forceCleanup();
  const after = scene.render({ width: 16, height: 16, time: 1, frameIndex: 0 });
  assert.deepEqual([...after.pixels], [...fresh.pixels]);
  scene.destroy();
});

test('a 10,000-frame batch at a fixed size allocates a bounded number of textures', () => {
  ctx.pool.purge();
  const scene = feedbackScene(ctx, 8);
  scene.render({ width: 12, height: 10, time: 0 });
  const warm = liveCounts(ctx);
  const texturesSeen = new Set<number>();
  for (let k = 1; k < 10_000; k++) {
    scene.render({ width: 12, height: 10, time: k / 60 });
    if (k % 500 === 0) {
      assert.deepEqual(liveCounts(ctx), warm, `frame ${k}`);
      texturesSeen.add(live(ctx).textures);
    }
  }
  assert.equal(ctx.pool.stats().misses, warm.poolMisses, 'no allocation after the first frame');
  assert.deepEqual([...texturesSeen], [warm.textures]);
  assert.equal(
    warm.textures,
    6,
    '4 pooled targets (the accumulator, its next state, the output: the old accumulator is kept until the frame succeeds; 1 half size), image, placeholder',
  );
  scene.destroy();
  ctx.checkErrors('batch');
});
