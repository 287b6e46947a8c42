/**
 * Every shader of ../shared/corpus parses, compiles and renders a 320x180 frame, and where the reference
 * implementation (VVISF-GL on Mesa llvmpipe) left an image, ours matches it under reference/PROTOCOL.md.
 * Files above the tolerance are listed here with the reason, not hidden; the per-file figures are printed.
 * Every compared render is also held to the committed baseline (conformance-baseline.json): its mean, max and
 * share of bad pixels may not increase, and it may not leave the compared set. `npm run conformance:baseline`
 * regenerates the file on purpose (after an improvement, or to take in newly compared files).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { type ConformanceEntry, runConformance } from '../../src/node/conformance.ts';
import { context, SHARED } from '../helpers.ts';
import { BASELINE_FILE, type Baseline, baselineOf, compareBaseline } from './conformance-baseline.ts';

after(() => context().destroy());

/** Shaders the reference implementation cannot compile either (its manifest says compile-error). */
const EXPECTED_COMPILE_ERRORS = new Map([
  ['Line Group.fs', 'returns an int from a float function; VVISF (GL 4) rejects it too'],
]);

/** Mean absolute difference allowed per channel value (0..255) for ordinary files. */
const TOLERANCE = 1;

/** Known differences above the tolerance: file@frames -> [bound, reason]. */
const KNOWN_DIFFERENCES = new Map<string, [number, string]>([
  [
    'Noise Pixellate.fs@1',
    [
      50,
      'hash noise (fract(sin(x) * 43758.5)) amplifies 1-ulp differences in the interpolated isf_FragNormCoord',
    ],
  ],
  [
    'Time Glitch RGB.fs@1',
    [
      4,
      'hash noise (fract(sin(x) * 43758.5)) of isf_FragNormCoord: the last pass is drawn upside down (the GPU flip), ' +
        'which interpolates the coordinate with rounding ~1e-7 apart; 1% of bytes differ from a CPU flip',
    ],
  ],
  [
    'MultiFrame 3x3.fs@10',
    [
      20,
      'eight chained $WIDTH/3 persistent buffers: VVISF blurs each copy (fractional pass size 106.67); ours copy exactly',
    ],
  ],
  [
    'Auto Levels.fs@1',
    [
      4,
      'IMG_THIS_PIXEL on a WIDTH/HEIGHT-sized buffer: VVISF rounds texture coordinates per vertex (docs/glsl.md)',
    ],
  ],
  ['Auto Levels.fs@10', [10, 'same as Auto Levels.fs@1, accumulated over 10 frames of a persistent buffer']],
  [
    'v002-CRT-Mask.fs@1',
    [8, 'LINEAR sampling of a 12x12 IMPORTED mask between texel centres; the picture is the same'],
  ],
]);

test('corpus conformance against VVISF-GL reference images', async (t) => {
  const entries: ConformanceEntry[] = await runConformance(context(), SHARED);

  const errors = entries.filter((e) => e.error);
  for (const e of errors) {
    assert.ok(
      EXPECTED_COMPILE_ERRORS.has(e.file) && e.compile === 'error',
      `${e.corpus}/${e.file}: unexpected ${e.error!.code}: ${e.error!.message}`,
    );
  }
  for (const file of EXPECTED_COMPILE_ERRORS.keys()) {
    assert.ok(
      errors.some((e) => e.file === file),
      `${file} was expected to fail to compile, as in VVISF`,
    );
  }

  const compared = entries.filter((e) => e.reference === 'compared' && e.diff);
  const baseline = JSON.parse(readFileSync(BASELINE_FILE, 'utf8')) as Baseline;
  const { regressions, improved, added } = compareBaseline(baseline, baselineOf(entries));
  if (improved.length > 0 || added.length > 0) {
    t.diagnostic(
      `better than the baseline: ${improved.join(', ') || 'none'}; compared but not in it: ${added.join(', ') || 'none'} (npm run conformance:baseline takes them in)`,
    );
  }
  assert.deepEqual(regressions, [], 'renders worse than the committed baseline, or no longer compared');
  const exact = compared.filter((e) => e.diff!.max === 0).length;
  t.diagnostic(`${compared.length} compared with VVISF: ${exact} pixel-exact`);
  const over: string[] = [];
  for (const e of compared) {
    const key = `${e.file}@${e.frames}`;
    const known = KNOWN_DIFFERENCES.get(key);
    if (e.diff!.mean > TOLERANCE) t.diagnostic(`${key}: mean ${e.diff!.mean.toFixed(3)} max ${e.diff!.max}`);
    if (known) {
      assert.ok(
        e.diff!.mean <= known[0],
        `${key}: mean ${e.diff!.mean.toFixed(3)} above its known bound ${known[0]}`,
      );
    } else if (e.diff!.mean > TOLERANCE) {
      over.push(`${key} mean ${e.diff!.mean.toFixed(3)}`);
    }
  }
  assert.deepEqual(over, [], 'files above the tolerance that are not explained');
});

test('the baseline comparison fails on any increase and on a render leaving the compared set', () => {
  const was = {
    'a.fs@1': { mean: 0.5, max: 3, badPixels: 0.01 },
    'b.fs@1': { mean: 0, max: 0, badPixels: 0 },
  };
  assert.deepEqual(compareBaseline(was, structuredClone(was)), { regressions: [], improved: [], added: [] });
  const worse = { ...structuredClone(was), 'b.fs@1': { mean: 0, max: 1, badPixels: 0 } };
  assert.deepEqual(compareBaseline(was, worse).regressions, ['b.fs@1: max 0 -> 1']);
  const gone = { 'a.fs@1': was['a.fs@1'] };
  assert.match(compareBaseline(was, gone).regressions.join(), /b\.fs@1: no longer compared/);
  const better = {
    'a.fs@1': { mean: 0.25, max: 3, badPixels: 0.01 },
    'b.fs@1': was['b.fs@1'],
    'c.fs@1': was['b.fs@1'],
  };
  assert.deepEqual(compareBaseline(was, better), {
    regressions: [],
    improved: ['a.fs@1'],
    added: ['c.fs@1'],
  });
});
