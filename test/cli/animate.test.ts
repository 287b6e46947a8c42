/** `isf render --animate / --timeline`: keyframed inputs, the same bytes in-process, on workers and isolated. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { type IsfResult, runIsf } from '../helpers.ts';

const work = mkdtempSync(join(tmpdir(), 'isf-animate-'));
after(() => rmSync(work, { recursive: true, force: true }));

const isf = (...args: string[]): IsfResult => runIsf(work, args);

writeFileSync(
  join(work, 'a.fs'),
  `/*{ "ISFVSN": "2", "INPUTS": [
  { "NAME": "amount", "TYPE": "float", "DEFAULT": 0 },
  { "NAME": "flag", "TYPE": "bool", "DEFAULT": false }
] }*/
void main() { gl_FragColor = vec4(amount, flag ? 1.0 : 0.0, 0.0, 1.0); }`,
);

async function redGreen(file: string): Promise<[number, number]> {
  const { data } = await sharp(join(work, file)).raw().toBuffer({ resolveWithObject: true });
  return [data[0]!, data[1]!];
}

test('--animate keys an input over the sequence; bools hold', async () => {
  const r = isf(
    'render',
    'a.fs',
    '-o',
    'f-%d.png',
    '--size',
    '4x4',
    '--frames',
    '5',
    '--fps',
    '1',
    '--animate',
    'amount=0@0 1@2',
    '--animate',
    'flag=false@0 true@3',
  );
  assert.equal(r.status, 0, r.stderr);
  const frames = await Promise.all([0, 1, 2, 3, 4].map((k) => redGreen(`f-${k}.png`)));
  assert.deepEqual(
    frames.map(([red]) => red),
    [0, 128, 255, 255, 255],
  );
  assert.deepEqual(
    frames.map(([, green]) => green),
    [0, 0, 0, 255, 255],
  );
});

test('a --timeline file, --workers 2 and an isolated render give the same bytes', () => {
  writeFileSync(
    join(work, 't.json'),
    JSON.stringify({
      amount: [
        [0, 0],
        [1, 1, 'ease-in-out'],
      ],
    }),
  );
  const runs = [
    ['--animate', 'amount=0@0 1@1:ease-in-out'],
    ['--timeline', 't.json'],
    ['--timeline', 't.json', '--workers', '2'],
    ['--timeline', 't.json', '--untrusted'],
  ];
  const outputs = runs.map((extra, i) => {
    const r = isf(
      'render',
      'a.fs',
      '-o',
      `r${i}-%d.png`,
      '--size',
      '4x4',
      '--frames',
      '6',
      '--fps',
      '4',
      ...extra,
    );
    assert.equal(r.status, 0, `${extra.join(' ')}: ${r.stderr}`);
    return [0, 1, 2, 3, 4, 5].map((k) => readFileSync(join(work, `r${i}-${k}.png`)));
  });
  for (let i = 1; i < outputs.length; i++) assert.deepEqual(outputs[i], outputs[0], runs[i]!.join(' '));
  assert.notDeepEqual(outputs[0]![1], outputs[0]![3], 'the frames differ as the value moves');
});

test('an unknown input or a bad key is a usage error (exit 2) naming it', () => {
  const r = isf('render', 'a.fs', '-o', 'x.png', '--size', '4x4', '--animate', 'nope=0@0');
  assert.equal(r.status, 2);
  assert.match(r.stderr, /nope/);
  const b = isf('render', 'a.fs', '-o', 'x.png', '--size', '4x4', '--animate', 'amount=0@0 1@1:wobble');
  assert.equal(b.status, 2);
  assert.match(b.stderr, /unknown easing "wobble"/);
  writeFileSync(join(work, 'bad.json'), '{ nope');
  assert.equal(isf('render', 'a.fs', '-o', 'x.png', '--size', '4x4', '--timeline', 'bad.json').status, 2);
});
