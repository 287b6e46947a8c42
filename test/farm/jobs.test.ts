/**
 * The farm's pieces that need no Redis: how a render is split, which shaders must stay sequential, frame
 * ranges rendering exactly as the whole sequence, errors crossing machines, the storage's sweep.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { ISFError } from '../../src/core/errors.ts';
import { parseISF } from '../../src/core/parse/index.ts';
import { renderToFiles } from '../../src/node/batch.ts';
import {
  decodeJobError,
  encodeJobError,
  needsSequentialRender,
  planRanges,
  redisConnection,
} from '../../src/node/farm/jobs.ts';
import { fileStorage } from '../../src/node/farm/storage.ts';
import { assertISFError, context, skipOrFail, solid } from '../helpers.ts';

const work = mkdtempSync(join(tmpdir(), 'isf-farm-unit-'));

// Every host-supplied per-frame value shows in the pixels: a range that timed its first frame like frame 0
// (TIMEDELTA 0) or restarted FRAMEINDEX would differ.
const TIMED = `/*{ "ISFVSN": "2", "INPUTS": [] }*/
void main() {
  gl_FragColor = vec4(fract(isf_FragNormCoord.x + TIME), float(FRAMEINDEX) / 255.0, TIMEDELTA * 10.0, 1.0);
}
`;

test('planRanges: chunks for patterns, one job for sequential shaders, the last frame for one file', () => {
  assert.deepEqual(planRanges(25, { chunk: 10, sequential: false, pattern: true }), [
    [0, 10],
    [10, 20],
    [20, 25],
  ]);
  assert.deepEqual(planRanges(25, { chunk: 10, sequential: true, pattern: true }), [[0, 25]]);
  assert.deepEqual(planRanges(25, { sequential: false, pattern: false }), [[24, 25]]);
  assert.deepEqual(planRanges(25, { sequential: true, pattern: false }), [[0, 25]]);
  assert.throws(() => planRanges(5, { chunk: 0, sequential: false, pattern: true }), /positive integer/);
});

test('needsSequentialRender: persistent passes and v1 persistent buffers, not TIME-only shaders', () => {
  assert.equal(needsSequentialRender(parseISF(TIMED)), false);
  const persistent = `/*{ "ISFVSN": "2", "PASSES": [ { "TARGET": "acc", "PERSISTENT": true }, {} ] }*/
void main() { gl_FragColor = IMG_THIS_PIXEL(acc) * 0.5 + 0.1; }
`;
  assert.equal(needsSequentialRender(parseISF(persistent)), true);
  const v1 = `/*{ "PERSISTENT_BUFFERS": ["old"], "PASSES": [ {} ] }*/
void main() { gl_FragColor = vec4(1.0); }
`;
  assert.equal(needsSequentialRender(parseISF(v1)), true);
});

test('redisConnection: host, port, credentials and db from the URL; other schemes refused', () => {
  assert.deepEqual(redisConnection('redis://u:p%40ss@farm.local:6390/2'), {
    host: 'farm.local',
    port: 6390,
    maxRetriesPerRequest: null,
    username: 'u',
    password: 'p@ss',
    db: 2,
  });
  assert.equal(redisConnection('redis://127.0.0.1').port, 6379);
  assert.deepEqual(redisConnection('rediss://h:1').tls, {});
  assert.throws(
    () => redisConnection('http://h:6379'),
    (e) => assertISFError(e, 'BAD_ARGUMENT', /redis:\/\//),
  );
  assert.throws(
    () => redisConnection('not a url'),
    (e) => assertISFError(e, 'BAD_ARGUMENT'),
  );
});

test('renderToFiles range: frames [3, 7) equal the same frames of the whole sequence, byte for byte', async () => {
  const doc = parseISF(TIMED, { path: join(work, 'timed.fs') });
  const base = { width: 16, height: 8, frames: 10, fps: 10, start: 0.25 };
  const whole = await renderToFiles(context(), doc, { ...base, output: join(work, 'whole', 'f-%02d.png') });
  assert.equal(whole.files.length, 10);
  const seen: number[] = [];
  const part = await renderToFiles(context(), doc, {
    ...base,
    output: join(work, 'part', 'f-%02d.png'),
    range: [3, 7],
    onFrame: (done, total) => seen.push(done, total),
  });
  assert.deepEqual(readdirSync(join(work, 'part')).sort(), ['f-03.png', 'f-04.png', 'f-05.png', 'f-06.png']);
  assert.equal(part.frames, 4);
  assert.deepEqual(seen.slice(-2), [4, 4]);
  for (const k of [3, 4, 5, 6]) {
    const name = `f-0${k}.png`;
    assert.ok(
      readFileSync(join(work, 'part', name)).equals(readFileSync(join(work, 'whole', name))),
      `${name} differs between the range and the whole sequence`,
    );
  }
  // A frame rendered in sequence at k > 0 has TIMEDELTA 1/fps: the range's first frame must too.
  const alone = await renderToFiles(context(), doc, {
    ...base,
    output: join(work, 'alone', 'f-%02d.png'),
    range: [5, 6],
  });
  assert.equal(alone.files.length, 1);
  assert.ok(
    readFileSync(join(work, 'alone', 'f-05.png')).equals(readFileSync(join(work, 'whole', 'f-05.png'))),
  );
});

test('renderToFiles range: an image-sequence input feeds frame k to render k in a range too', async (t) => {
  if (spawnSync('ffmpeg', ['-version']).status !== 0) return skipOrFail(t, 'ffmpeg is not installed');
  for (let k = 0; k < 6; k++) {
    const png = await sharp(Buffer.from(solid(8, 8, [k * 40, 255 - k * 40, 7, 255]).data), {
      raw: { width: 8, height: 8, channels: 4 },
    })
      .png()
      .toBuffer();
    writeFileSync(join(work, `in-${k}.png`), png);
  }
  const doc = parseISF(
    `/*{ "ISFVSN": "2", "INPUTS": [ { "NAME": "inputImage", "TYPE": "image" } ] }*/
void main() { gl_FragColor = IMG_THIS_PIXEL(inputImage); }
`,
    { path: join(work, 'pass.fs') },
  );
  const base = { width: 8, height: 8, frames: 6, images: { inputImage: join(work, 'in-%d.png') } };
  await renderToFiles(context(), doc, { ...base, output: join(work, 'seq-whole', 'f-%d.png') });
  await renderToFiles(context(), doc, { ...base, output: join(work, 'seq-part', 'f-%d.png'), range: [3, 5] });
  assert.deepEqual(readdirSync(join(work, 'seq-part')).sort(), ['f-3.png', 'f-4.png']);
  for (const name of ['f-3.png', 'f-4.png']) {
    assert.ok(readFileSync(join(work, 'seq-part', name)).equals(readFileSync(join(work, 'seq-whole', name))));
  }
});

test('renderToFiles range: out-of-bounds ranges and video outputs are refused', async () => {
  const doc = parseISF(TIMED);
  const base = { width: 4, height: 4, frames: 5, output: join(work, 'bad', 'f-%d.png') };
  for (const range of [
    [3, 3],
    [-1, 2],
    [0, 6],
    [1.5, 3],
  ] as [number, number][]) {
    await assert.rejects(renderToFiles(context(), doc, { ...base, range }), (e) =>
      assertISFError(e, 'BAD_ARGUMENT', /frame range/),
    );
  }
  await assert.rejects(
    renderToFiles(context(), doc, { ...base, output: join(work, 'bad.mp4'), range: [0, 2] }),
    (e) => assertISFError(e, 'BAD_ARGUMENT', /video/),
  );
  assert.equal(existsSync(join(work, 'bad')), false);
});

test('job errors cross machines with their code, location and diagnostics', () => {
  const error = new ISFError('GLSL_COMPILE', 'failed to compile', {
    file: '/farm/broken.fs',
    line: 7,
    column: 3,
    diagnostics: [{ severity: 'error', code: 'GLSL_COMPILE', message: 'undeclared x', line: 7 }],
    details: { log: 'driver log' },
  });
  const back = decodeJobError(encodeJobError(error));
  assert.ok(back instanceof ISFError);
  assert.equal(back.code, 'GLSL_COMPILE');
  assert.equal(back.located, '/farm/broken.fs:7:3: failed to compile');
  assert.equal(back.diagnostics[0]?.message, 'undeclared x');
  const plain = decodeJobError(encodeJobError(new TypeError('boom')));
  assert.ok(plain && !(plain instanceof ISFError));
  assert.equal(plain.message, 'boom');
  assert.equal(decodeJobError('some other log line'), undefined);
});

test('fileStorage: atomic write, read, exists; sweep removes only temporaries of the named files', async () => {
  const dir = join(work, 'store');
  const a = join(dir, 'f-1.png');
  await fileStorage.write(a, new Uint8Array([1, 2, 3]));
  assert.deepEqual([...(await fileStorage.read(a))], [1, 2, 3]);
  assert.equal(await fileStorage.exists(a), true);
  assert.equal(await fileStorage.exists(join(dir, 'nope.png')), false);
  await assert.rejects(fileStorage.read(join(dir, 'nope.png')), (e) => assertISFError(e, 'IO_ERROR'));
  writeFileSync(join(dir, '.f-1.png.1234.0123abcd.tmp'), 'partial');
  writeFileSync(join(dir, '.f-2.png.1234.0123abcd.tmp'), 'someone else');
  writeFileSync(join(dir, '.f-1.png.notes'), 'not a temporary');
  await fileStorage.sweep([a]);
  assert.deepEqual(readdirSync(dir).sort(), ['.f-1.png.notes', '.f-2.png.1234.0123abcd.tmp', 'f-1.png']);
  await fileStorage.remove(dir);
  assert.equal(existsSync(dir), false);
});
