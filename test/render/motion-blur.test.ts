import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameAverager, subFrameTimes } from '../../src/render/motion-blur.ts';

test('subFrameTimes: N = 1 is the frame time itself; N sub-frames spread over the shutter from the frame time', () => {
  assert.deepEqual(subFrameTimes(0.25, 1, 0.5, 30), [0.25]);
  const t = subFrameTimes(1, 4, 0.5, 25);
  assert.equal(t.length, 4);
  assert.equal(t[0], 1);
  for (let j = 0; j < 4; j++) assert.ok(Math.abs(t[j]! - (1 + (0.5 * j) / 100)) < 1e-12);
});

test('FrameAverager: 8-bit sub-frames average to the rounded mean, float ones stay float (above 1.0 too)', () => {
  const bytes = new FrameAverager(3);
  const frame = (v: number[]) => ({
    width: 1,
    height: 1,
    pixels: Uint8Array.from(v),
    floatPixels: undefined,
  });
  assert.equal(bytes.add(frame([0, 255, 10, 255])), undefined);
  assert.equal(bytes.add(frame([255, 255, 11, 255])), undefined);
  const avg = bytes.add(frame([0, 0, 11, 255]))!;
  assert.deepEqual([...avg.pixels], [85, 170, 11, 255]);
  // The next frame starts from zero.
  bytes.add(frame([3, 3, 3, 3]));
  bytes.add(frame([3, 3, 3, 3]));
  assert.deepEqual([...bytes.add(frame([6, 6, 6, 6]))!.pixels], [4, 4, 4, 4]);

  const floats = new FrameAverager(2);
  const f = (v: number[]) => ({
    width: 1,
    height: 1,
    pixels: new Uint8Array(4),
    floatPixels: Float32Array.from(v),
  });
  floats.add(f([0.25, 2, 0, 1]));
  const out = floats.add(f([0.5, 3, 0.001, 1]))!;
  assert.deepEqual([...out.floatPixels!], [0.375, 2.5, Math.fround(Math.fround(0.001) / 2), 1]);
  assert.deepEqual([...out.pixels], [96, 255, 0, 255]);
});
