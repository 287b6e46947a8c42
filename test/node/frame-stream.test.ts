import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ISFError } from '../../src/core/errors.ts';
import { checkStreamFormat, streamFrameBytes, y4mFrame, y4mHeader } from '../../src/node/frame-stream.ts';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

test('y4m header: integer rates exactly, NTSC rates as n/1001, others in thousandths', () => {
  assert.equal(text(y4mHeader(64, 48, 30)), 'YUV4MPEG2 W64 H48 F30:1 Ip A1:1 C420jpeg XCOLORRANGE=LIMITED\n');
  assert.match(text(y4mHeader(8, 8, 30000 / 1001)), / F30000:1001 /);
  assert.match(text(y4mHeader(8, 8, 12.5)), / F12500:1000 /);
});

test('y4m frame: FRAME tag, Y then Cb then Cr planes, odd sizes round the chroma planes up, BT.601 limited range', () => {
  // 3x1: white, black, red. Chroma blocks: (white, black) and (red) alone.
  const pixels = Uint8Array.from([255, 255, 255, 255, 0, 0, 0, 255, 255, 0, 0, 0]);
  const out = y4mFrame({ width: 3, height: 1, pixels, floatPixels: undefined });
  assert.equal(out.length, 6 + 3 + 2 * 2);
  assert.equal(streamFrameBytes({ format: 'y4m', width: 3, height: 1, fps: 30 }), out.length);
  assert.equal(text(out.subarray(0, 6)), 'FRAME\n');
  assert.deepEqual([...out.subarray(6, 9)], [235, 16, 81]); // Y of white, black, red (alpha ignored)
  assert.deepEqual([...out.subarray(9, 11)], [128, 90]); // Cb: grey block, red
  assert.deepEqual([...out.subarray(11, 13)], [128, 240]); // Cr: grey block, red
});

test('stream formats: a missing or unknown one names them all; y4m and mjpeg refuse --depth 16', () => {
  for (const bad of [undefined, 'gif']) {
    assert.throws(
      () => checkStreamFormat(bad, 8),
      (e: unknown) =>
        e instanceof ISFError && e.code === 'BAD_ARGUMENT' && /rgba\|y4m\|png\|mjpeg/.test(e.message),
    );
  }
  assert.equal(checkStreamFormat('png', 16), 'png');
  assert.throws(() => checkStreamFormat('y4m', 16), /8-bit/);
  assert.equal(streamFrameBytes({ format: 'rgba', width: 4, height: 2, fps: 30, depth: 16 }), 64);
  assert.equal(streamFrameBytes({ format: 'png', width: 4, height: 2, fps: 30 }), undefined);
});

test('y4m 4:4:4: C444 header, one Cb and one Cr per pixel (no averaging), the same Y', () => {
  assert.equal(
    text(y4mHeader(64, 48, 30, '444')),
    'YUV4MPEG2 W64 H48 F30:1 Ip A1:1 C444 XCOLORRANGE=LIMITED\n',
  );
  const pixels = Uint8Array.from([255, 255, 255, 255, 0, 0, 0, 255, 255, 0, 0, 0]);
  const out = y4mFrame({ width: 3, height: 1, pixels, floatPixels: undefined }, '444');
  assert.equal(out.length, 6 + 3 * 3);
  assert.equal(streamFrameBytes({ format: 'y4m444', width: 3, height: 1, fps: 30 }), out.length);
  assert.deepEqual([...out.subarray(6, 9)], [235, 16, 81]); // Y of white, black, red
  assert.deepEqual([...out.subarray(9, 12)], [128, 128, 90]); // Cb of each pixel
  assert.deepEqual([...out.subarray(12, 15)], [128, 128, 240]); // Cr of each pixel
  assert.throws(() => checkStreamFormat('y4m444', 16), /8-bit/);
});
