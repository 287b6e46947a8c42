/**
 * Render sizes: from 1x1 to 4096x4096 and odd sizes, every pixel checked; 0, negative, NaN, non-integer and
 * larger-than-maximum sizes give SIZE_OUT_OF_RANGE, and the next valid render works.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createContext } from '../../src/node/context.ts';
import { assertCoords, code, coordsDoc, feedbackScene, sceneOf } from './fixtures.ts';

const ctx = createContext().initialize();
after(() => ctx.destroy());
const coords = sceneOf(ctx, coordsDoc());

const SIZES: [number, number][] = [
  [1, 1],
  [100, 100],
  [160, 120],
  [320, 240],
  [512, 384],
  [512, 512],
  [640, 480],
  [720, 540],
  [800, 600],
  [1000, 1000],
  [1024, 768],
  [1280, 720],
  [1280, 960],
  [1920, 1080],
  [1921, 1081],
  [3, 1],
  [1, 7],
  [257, 129],
  [999, 333],
];

test('sizes from 1x1 to 1921x1081 render at the right size with the right pixels', () => {
  for (const [w, h] of SIZES) assertCoords(coords.render({ width: w, height: h }), w, h);
});

test('4096x4096 renders at the right size with the right pixels', () => {
  assertCoords(coords.render({ width: 4096, height: 4096 }), 4096, 4096);
  ctx.pool.purge(); // 64 MB: do not keep it around for the other tests
});

test('a multi-pass persistent shader renders at odd sizes (half-size pass rounds down, stays >= 1)', () => {
  const scene = feedbackScene(ctx, 7);
  for (const [w, h] of [
    [1, 1],
    [3, 5],
    [1921, 1081],
    [64, 48],
  ] as const) {
    const f = scene.render({ width: w, height: h, time: 0.5 });
    assert.deepEqual([f.width, f.height], [w, h]);
    assert.ok(
      f.pixels.some((v, i) => i % 4 === 3 && v > 0),
      `${w}x${h}: not blank`,
    );
  }
  scene.destroy();
});

test('0, negative, NaN, Infinity, non-integer, non-number and too large sizes: SIZE_OUT_OF_RANGE, then a valid render works', () => {
  const max = ctx.maxRenderSize();
  assert.equal(max, ctx.info().maxTextureSize, 'the limit is the GL maximum texture size');
  const bad: [unknown, unknown, RegExp][] = [
    [0, 100, /positive integer render width but received 0/],
    [100, 0, /positive integer render height but received 0/],
    [-100, 100, /received -100/],
    [100, -100, /received -100/],
    [-100, -100, /received -100/],
    [Number.NaN, 100, /received NaN/],
    [100, Number.NaN, /received NaN/],
    [Number.POSITIVE_INFINITY, 100, /received Infinity/],
    [10.5, 100, /received 10.5/],
    ['100', 100, /of type string/],
    [undefined, 100, /of type undefined/],
    [20000, 20000, /larger than this context's maximum of \d+/],
    [max + 1, 1, new RegExp(`width ${max + 1} is larger than this context's maximum of ${max}`)],
    [1, max + 1, /height/],
  ];
  for (const [width, height, message] of bad) {
    assert.throws(
      () => coords.render({ width: width as number, height: height as number }),
      code('SIZE_OUT_OF_RANGE', message),
      `${String(width)}x${String(height)}`,
    );
    assertCoords(coords.render({ width: 5, height: 3 }), 5, 3);
  }
  assert.equal(ctx.stats().pool.inUse, 0, 'refused renders check nothing out');
  ctx.checkErrors('size errors');
});

test('a context maxSize option lowers the limit', () => {
  const small = createContext({ maxSize: 256 });
  try {
    const scene = sceneOf(small, coordsDoc());
    assertCoords(scene.render({ width: 256, height: 10 }), 256, 10);
    assert.throws(
      () => scene.render({ width: 257, height: 10 }),
      code('SIZE_OUT_OF_RANGE', /maximum of 256/),
    );
    assert.throws(() => small.pool.createBuffer({ width: 10, height: 257 }), code('SIZE_OUT_OF_RANGE'));
    assertCoords(scene.render({ width: 10, height: 256 }), 10, 256);
  } finally {
    small.destroy();
  }
});
