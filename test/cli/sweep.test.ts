/** `isf render --sweep`: every combination into a labelled contact sheet, or one file per cell; typed errors. */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { parseISF } from '../../src/core/parse/index.ts';
import { MAX_SWEEP_CELLS, parseSweepSpec, sweepCells } from '../../src/core/sweep.ts';
import { assertISFError, type IsfResult, runIsf } from '../helpers.ts';

const work = mkdtempSync(join(tmpdir(), 'isf-sweep-'));
after(() => rmSync(work, { recursive: true, force: true }));

const isf = (...args: string[]): IsfResult => runIsf(work, args);

const SOURCE = `/*{ "ISFVSN": "2", "INPUTS": [
  { "NAME": "amount", "TYPE": "float", "DEFAULT": 0.5 },
  { "NAME": "mode", "TYPE": "long", "VALUES": [0, 1, 2], "LABELS": ["Low", "Mid", "High"], "DEFAULT": 0 },
  { "NAME": "center", "TYPE": "point2D", "DEFAULT": [0, 0] },
  { "NAME": "blue", "TYPE": "float", "DEFAULT": 0 }
] }*/
void main() { gl_FragColor = vec4(amount, float(mode) / 2.0, blue, 1.0); }`;
writeFileSync(join(work, 'a.fs'), SOURCE);
const doc = parseISF(SOURCE, { path: join(work, 'a.fs') });

interface Cell {
  index: number;
  values: Record<string, unknown>;
  label: string;
  file: string;
  row: number;
  column: number;
  x: number;
  y: number;
  width: number;
  height: number;
}

test('a 2 x 3 sweep gives a 6-cell sheet whose cells differ as the values do, and the JSON says where each is', async () => {
  const r = isf(
    'render',
    'a.fs',
    '--sweep',
    'amount=0:1:2',
    '--sweep',
    'mode=Low,Mid,High',
    '--set',
    'blue=0.25',
    '--size',
    '24x16',
    '-o',
    'sheet.png',
    '--json',
  );
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    ok: boolean;
    sheet: { width: number; height: number; rows: number; columns: number };
    cells: Cell[];
  };
  assert.equal(out.ok, true);
  assert.equal(out.cells.length, 6);
  assert.equal(out.sheet.rows, 2);
  assert.equal(out.sheet.columns, 3);
  assert.deepEqual(
    out.cells.map((c) => [c.index, c.values.amount, c.values.mode, c.row, c.column]),
    [
      [0, 0, 0, 0, 0],
      [1, 0, 1, 0, 1],
      [2, 0, 2, 0, 2],
      [3, 1, 0, 1, 0],
      [4, 1, 1, 1, 1],
      [5, 1, 2, 1, 2],
    ],
  );
  assert.equal(out.cells[4]!.label, 'amount=1  mode=Mid');
  const { data, info } = await sharp(join(work, 'sheet.png')).raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.width, out.sheet.width);
  assert.equal(info.height, out.sheet.height);
  const centres = out.cells.map((c) => {
    const x = c.x + Math.floor(c.width / 2);
    const y = c.y + Math.floor(c.height / 2);
    const i = (y * info.width + x) * info.channels;
    return [data[i]!, data[i + 1]!, data[i + 2]!];
  });
  assert.deepEqual(centres, [
    [0, 0, 64],
    [0, 128, 64],
    [0, 255, 64],
    [255, 0, 64],
    [255, 128, 64],
    [255, 255, 64],
  ]);
  // Each label strip has text in it (light pixels on the dark background), under its cell.
  for (const c of out.cells) {
    let light = 0;
    for (let y = c.y + c.height; y < c.y + c.height + 14; y++) {
      for (let x = c.x; x < c.x + c.width; x++)
        if (data[(y * info.width + x) * info.channels]! > 128) light++;
    }
    assert.ok(light > 5, `label of cell ${c.index} has text`);
  }
});

test('an output pattern writes one file per combination, each with its values', async () => {
  const r = isf(
    'render',
    'a.fs',
    '--sweep',
    'amount=0,0.5,1',
    '--size',
    '4x4',
    '-o',
    'cells/%02d.png',
    '--json',
  );
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { cells: Cell[]; sheet?: unknown };
  assert.equal(out.sheet, undefined);
  assert.deepEqual(readdirSync(join(work, 'cells')).sort(), ['00.png', '01.png', '02.png']);
  assert.deepEqual(
    out.cells.map((c) => c.file),
    ['cells/00.png', 'cells/01.png', 'cells/02.png'],
  );
  const reds = await Promise.all(
    out.cells.map(async (c) => (await sharp(join(work, c.file)).raw().toBuffer())[0]),
  );
  assert.deepEqual(reds, [0, 128, 255]);
});

test('sweep errors are typed with their exit status: unknown input, too many cells, --set and --sweep, a deep sheet, a video', () => {
  const cases: [string[], string, RegExp][] = [
    [['--sweep', 'nope=0:1:3'], 'INPUT_UNKNOWN', /no such input.*amount, mode/],
    [
      ['--sweep', 'mode=0:2:3', '--sweep', 'amount=0:1:100'],
      'BAD_ARGUMENT',
      new RegExp(`300 combinations.*${MAX_SWEEP_CELLS}`),
    ],
    [['--sweep', 'amount=0:1:2', '--set', 'amount=1'], 'BAD_ARGUMENT', /both --set and --sweep/],
    [
      ['--sweep', 'amount=0:1:2', '--depth', '16'],
      'BAD_ARGUMENT',
      /contact sheet \(bad\.png\) is 8-bit: --depth 16 needs one file per cell/,
    ],
  ];
  for (const [args, code, message] of cases) {
    const r = isf('render', 'a.fs', ...args, '--size', '4x4', '-o', 'bad.png', '--json');
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    const { error } = JSON.parse(r.stdout) as { error: { code: string; message: string } };
    assert.equal(error.code, code, args.join(' '));
    assert.match(error.message, message);
  }
  const video = isf('render', 'a.fs', '--sweep', 'amount=0:1:2', '--size', '4x4', '-o', 'x.mp4');
  assert.equal(video.status, 2);
  assert.match(video.stderr, /A sweep writes images/);
  assert.equal(existsSync(join(work, 'bad.png')), false);
});

test('bad ranges and lists are BAD_ARGUMENT naming the sweep', () => {
  const cases: [string, RegExp][] = [
    ['amount=0:1', /FROM:TO:COUNT/],
    ['amount=0:1:0', /COUNT "0"/],
    ['amount=0:1:2.5', /COUNT "2.5"/],
    ['amount=0:x:3', /"amount=0:x:3".*amount/],
    ['amount=0,,1', /empty value/],
    ['mode=Low,Nope', /mode=Low,Nope/],
    ['amount', /name=FROM:TO:COUNT/],
  ];
  for (const [spec, message] of cases) {
    assert.throws(
      () => parseSweepSpec(doc, spec),
      (e: unknown) => assertISFError(e, 'BAD_ARGUMENT', message),
      spec,
    );
  }
  assert.throws(
    () => sweepCells([parseSweepSpec(doc, 'amount=0:1:2'), parseSweepSpec(doc, 'amount=0,1')]),
    (e: unknown) => assertISFError(e, 'BAD_ARGUMENT', /swept twice/),
  );
});

test('ranges are inclusive and exact at both ends; longs round; points interpolate; lists keep their labels', () => {
  assert.deepEqual(
    parseSweepSpec(doc, 'amount=0:1:5').values.map((v) => v.value),
    [0, 0.25, 0.5, 0.75, 1],
  );
  assert.deepEqual(
    parseSweepSpec(doc, 'amount=0.1:0.3:3').values.map((v) => v.value),
    [0.1, 0.1 + (0.3 - 0.1) * 0.5, 0.3],
  );
  assert.deepEqual(
    parseSweepSpec(doc, 'mode=0:2:4').values.map((v) => v.value),
    [0, 1, 1, 2],
  );
  assert.deepEqual(
    parseSweepSpec(doc, 'center=0,0:1,0.5:3').values.map((v) => v.value),
    [
      [0, 0],
      [0.5, 0.25],
      [1, 0.5],
    ],
  );
  assert.deepEqual(
    parseSweepSpec(doc, 'center=0.1,0.1|0.9,0.9').values.map((v) => v.value),
    [
      [0.1, 0.1],
      [0.9, 0.9],
    ],
  );
  const modes = parseSweepSpec(doc, 'mode=High,Low');
  assert.deepEqual(
    modes.values.map((v) => [v.value, v.label]),
    [
      [2, 'High'],
      [0, 'Low'],
    ],
  );
  const cells = sweepCells([parseSweepSpec(doc, 'amount=0:1:2'), modes]);
  assert.deepEqual(
    cells.map((c) => [c.values.amount!.value, c.values.mode!.value]),
    [
      [0, 2],
      [0, 0],
      [1, 2],
      [1, 0],
    ],
  );
});
