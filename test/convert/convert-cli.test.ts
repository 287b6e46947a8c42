/** `isf convert` and on-the-fly conversion in `isf render`, through the real command. */
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { parseISF } from '../../src/core/parse/index.ts';
import { type IsfResult, needs, runIsf, SHARED } from '../helpers.ts';

const work = mkdtempSync(join(tmpdir(), 'isf-convert-cli-'));
after(() => rmSync(work, { recursive: true, force: true }));

const isf = (...args: string[]): IsfResult => runIsf(work, args);

const GREEN =
  'void mainImage(out vec4 c, in vec2 p) { c = vec4(0.0, p.x / iResolution.x > 0.5 ? 1.0 : 0.0, 0.0, 1.0); }\n';

test('isf convert writes an .fs that validates and renders; isf render takes the .glsl directly', async () => {
  writeFileSync(join(work, 'green.glsl'), GREEN);
  const c = isf('convert', 'green.glsl', '-o', 'green.fs', '--json');
  assert.equal(c.status, 0, c.stderr);
  const summary = JSON.parse(c.stdout);
  assert.equal(summary.shaders[0].from, 'shadertoy');
  parseISF(readFileSync(join(work, 'green.fs'), 'utf8'), { path: join(work, 'green.fs') });
  assert.equal(isf('validate', 'green.fs', '--compile').status, 0);

  for (const [src, out] of [
    ['green.fs', 'a.png'],
    ['green.glsl', 'b.png'],
  ]) {
    const r = isf('render', src!, '-o', out!, '--size', '8x2');
    assert.equal(r.status, 0, r.stderr);
    const { data } = await sharp(join(work, out!)).raw().toBuffer({ resolveWithObject: true });
    assert.equal(data[1], 0, `${src}: left half dark`);
    assert.equal(data[7 * 4 + 1], 255, `${src}: right half green`);
  }
});

test('a multi-shader API JSON converts to a folder, one .fs each', () => {
  const shader = (name: string) => ({
    info: { id: name, name, username: 'tester' },
    renderpass: [
      { type: 'image', name: 'Image', code: GREEN, inputs: [], outputs: [{ id: '4dfGRr', channel: 0 }] },
    ],
  });
  writeFileSync(
    join(work, 'all.json'),
    JSON.stringify({ userName: 'tester', shaders: [shader('One'), shader('Two')] }),
  );
  const r = isf('convert', 'all.json', '-o', 'all');
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(readdirSync(join(work, 'all')).sort(), ['One.fs', 'Two.fs']);
  assert.match(
    readFileSync(join(work, 'all', 'One.fs'), 'utf8'),
    /"CREDIT": "\\"One\\" by tester \(Shadertoy One\)"/,
  );
});

test(
  'a corpus pass folder converts and renders',
  needs(!existsSync(join(SHARED, 'corpus', 'shadertoy')) && 'the Shadertoy corpus is missing'),
  () => {
    const r = isf(
      'convert',
      join(SHARED, 'corpus', 'shadertoy', 'multi', 'trettel-two-buffers'),
      '-o',
      'two.fs',
    );
    assert.equal(r.status, 0, r.stderr);
    const doc = parseISF(readFileSync(join(work, 'two.fs'), 'utf8'), { path: join(work, 'two.fs') });
    assert.deepEqual(
      doc.passes.map((p) => p.target ?? null),
      ['bufferA', 'bufferB', null],
    );
    const v = isf('render', 'two.fs', '-o', 'two-%d.png', '--frames', '3', '--size', '16x16');
    assert.equal(v.status, 0, v.stderr);
  },
);

test('what is not a shader it can convert is exit 3 with CONVERT_SOURCE; a bad --from is exit 2', () => {
  mkdirSync(join(work, 'empty-dir'), { recursive: true });
  writeFileSync(join(work, 'plain.glsl'), 'float f() { return 1.0; }\n');
  const r = isf('convert', 'plain.glsl', '-o', 'plain.fs', '--json');
  assert.equal(r.status, 3);
  assert.equal(JSON.parse(r.stdout).error.code, 'CONVERT_SOURCE');
  assert.equal(existsSync(join(work, 'plain.fs')), false, 'nothing written');
  const d = isf('convert', 'empty-dir', '-o', 'x.fs');
  assert.equal(d.status, 3);
  assert.match(d.stderr, /no image\.glsl/);
  assert.equal(isf('convert', 'plain.glsl', '-o', 'p.fs', '--from', 'unity').status, 2);
});
