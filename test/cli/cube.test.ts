/**
 * `isf render --cube name=px,nx,py,ny,pz,nz`: six face files feed a cube input (GL order +X -X +Y -Y +Z -Z), on
 * one thread and on worker threads; a shader sampling the cube along each axis shows each face's colour. Bad
 * --cube flags fail with a stable code and a message naming the face or the input.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { runIsf } from '../helpers.ts';
import { CUBE_INPUT_SOURCE, FACE_COLOURS, FACE_FILES, FACE_SIZE, pixelAt } from '../render/cube-fixtures.ts';

const work = mkdtempSync(join(tmpdir(), 'isf-cli-cube-'));
const isf = (...args: string[]) => runIsf(work, args);
writeFileSync(join(work, 'cube.fs'), CUBE_INPUT_SOURCE);

async function face(file: string, w: number, h: number, rgba: number[]): Promise<void> {
  const data = Buffer.from(new Uint8Array(w * h * 4).map((_, j) => rgba[j % 4]!));
  await sharp(data, { raw: { width: w, height: h, channels: 4 } })
    .png()
    .toFile(join(work, file));
}

const ready = Promise.all([
  ...FACE_FILES.map((f, i) => face(f, FACE_SIZE, FACE_SIZE, FACE_COLOURS[i]!)),
  face('big.png', FACE_SIZE * 2, FACE_SIZE * 2, [1, 2, 3, 255]),
  face('wide.png', FACE_SIZE * 2, FACE_SIZE, [1, 2, 3, 255]),
]);
const faces = (...replace: [number, string][]) => {
  const list = [...FACE_FILES];
  for (const [i, f] of replace) list[i] = f;
  return list.join(',');
};

async function assertFaces(file: string): Promise<void> {
  const { data, info } = await sharp(join(work, file)).raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.channels, 4);
  const pixels = new Uint8Array(data.buffer, data.byteOffset, data.length);
  for (let k = 0; k < 6; k++) {
    assert.deepEqual(pixelAt(pixels, k, 0), FACE_COLOURS[k], `textureCube along axis ${k}`);
    assert.deepEqual(pixelAt(pixels, k, 1), FACE_COLOURS[k], `texture along axis ${k}`);
    assert.deepEqual(pixelAt(pixels, k, 2), [FACE_SIZE, FACE_SIZE, 0, 255], '_env_imgSize');
  }
}

test('--cube env=six faces: each axis shows its face, on one thread and on worker threads', async () => {
  await ready;
  const one = isf('render', 'cube.fs', '--cube', `env=${faces()}`, '--size', '6x3', '-o', 'one.png', '-q');
  assert.equal(one.status, 0, one.stderr);
  await assertFaces('one.png');
  // Eight frames: two jobs of four, so both pool threads get one (the faces cross to them in the job).
  const pool = isf(
    'render',
    'cube.fs',
    '--cube',
    `env=${faces()}`,
    '--size',
    '6x3',
    '--frames',
    '8',
    '--workers',
    '2',
    '-o',
    'pool-%d.png',
    '--json',
  );
  assert.equal(pool.status, 0, pool.stderr);
  assert.equal((JSON.parse(pool.stdout) as { workers: number }).workers, 2, 'rendered on two pool threads');
  for (const k of [0, 7]) await assertFaces(`pool-${k}.png`);
});

test('bad --cube flags: a stable code and a message naming what is wrong', async () => {
  await ready;
  const fail = (value: string, code: string, message: RegExp) => {
    const r = isf('render', 'cube.fs', '--cube', value, '--size', '6x3', '-o', 'bad.png', '--json');
    assert.notEqual(r.status, 0, `${value} must fail`);
    const out = JSON.parse(r.stdout) as { ok: boolean; error: { code: string; message: string } };
    assert.equal(out.ok, false);
    assert.equal(out.error.code, code, out.error.message);
    assert.match(out.error.message, message);
  };
  fail(
    `env=${FACE_FILES.slice(0, 5).join(',')}`,
    'BAD_ARGUMENT',
    /six face files .*\+X -X \+Y -Y \+Z -Z.* received 5/,
  );
  fail(`env=${faces()},extra.png`, 'BAD_ARGUMENT', /received 7/);
  fail(`env=${faces([2, ''])}`, 'BAD_ARGUMENT', /received 5/);
  fail(faces(), 'BAD_ARGUMENT', /--cube name=value/);
  fail(`env=${faces([3, 'missing.png'])}`, 'IO_ERROR', /"env -Y".*missing\.png/);
  fail(
    `env=${faces([3, 'big.png'])}`,
    'INPUT_VALUE',
    /one size.*\+X \(px\.png\) is 4x4, -Y \(big\.png\) is 8x8/,
  );
  fail(`env=${faces([4, 'wide.png'])}`, 'INPUT_VALUE', /square.*\+Z \(wide\.png\) is 8x4/);
  fail(`sky=${faces()}`, 'INPUT_UNKNOWN', /no cube input named "sky"; valid: env \(cube\)/);
});
