/**
 * Seeded mutation fuzzing over the corpus: parseISF returns a document or throws ISFError (nothing else),
 * validateISF never throws and agrees with parseISF, every diagnostic is located, and no call takes 200 ms.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ISFError } from '../../src/core/errors.ts';
import { parseISF, validateISF } from '../../src/core/parse/index.ts';
import { bestOf } from '../helpers.ts';
import { CORPUS_FILES, CORPUS_TESTS } from './parse-helpers.ts';

/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sources = [CORPUS_TESTS, CORPUS_FILES].flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.fs'))
    .sort()
    .map((f) => readFileSync(join(dir, f), 'utf8')),
);

/** Characters that matter to the JSON and blob scanners. */
const INTERESTING = [
  '{',
  '}',
  '[',
  ']',
  '"',
  ',',
  ':',
  '/*',
  '*/',
  '\\',
  '\n',
  '\0',
  '\uFFFD',
  '-',
  '.',
  'e',
  '$',
  ' ',
  '0',
  'true',
  'null',
];

function mutate(src: string, rnd: () => number, other: string): string {
  const int = (n: number): number => Math.floor(rnd() * n);
  // Most ISF structure sits in the first few KB: aim there three times out of four.
  const pos = (): number =>
    src.length === 0 ? 0 : rnd() < 0.75 ? int(Math.min(src.length, 3000)) : int(src.length);
  switch (int(6)) {
    case 0: {
      const p = pos();
      const c = rnd() < 0.5 ? INTERESTING[int(INTERESTING.length)]! : String.fromCharCode(int(0x250));
      return src.slice(0, p) + c + src.slice(p + 1);
    }
    case 1: {
      const p = pos();
      return src.slice(0, p) + src.slice(p + 1 + int(40));
    }
    case 2: {
      const p = pos();
      const len = 1 + int(200);
      return src.slice(0, p + len) + src.slice(p, p + len) + src.slice(p + len);
    }
    case 3: {
      const p = pos();
      const q = int(other.length);
      return src.slice(0, p) + other.slice(q);
    }
    case 4:
      return src.slice(0, pos());
    default: {
      const p = pos();
      return src.slice(0, p) + INTERESTING[int(INTERESTING.length)]!.repeat(1 + int(100)) + src.slice(p);
    }
  }
}

test('3000 seeded mutations of corpus files never crash the parser', () => {
  const rnd = prng(20240607);
  let documents = 0;
  let errors = 0;
  const corpusMs = corpusBaseline();
  const codes = new Set<string>();
  for (let i = 0; i < 3000; i++) {
    let src = sources[Math.floor(rnd() * sources.length)]!;
    const other = sources[Math.floor(rnd() * sources.length)]!;
    const rounds = 1 + Math.floor(rnd() * 3);
    for (let r = 0; r < rounds; r++) src = mutate(src, rnd, other);

    let t = performance.now();
    let parsed = false;
    try {
      const doc = parseISF(src, { path: `fuzz/${i}.fs` });
      assert.ok(doc.passes.length >= 1);
      parsed = true;
      documents++;
    } catch (e) {
      if (!(e instanceof ISFError))
        assert.fail(`case ${i}: parseISF threw ${String(e)}\n${(e as Error).stack}`);
      assert.ok(
        e.line !== undefined && e.line >= 1 && e.column !== undefined && e.column >= 1,
        `case ${i}: unlocated ${e.message}`,
      );
      codes.add(e.code);
      errors++;
    }
    const parseMs = performance.now() - t;
    // One mutated document must cost less than parsing the whole corpus once (timed in this run, see corpusMs).
    // A slow case is timed again, best of three, against a fresh baseline before it fails: a hang repeats, a GC
    // pause or a busy CI core does not.
    if (parseMs >= corpusMs) {
      const best = bestOf(() => tryParse(src));
      assert.ok(best < corpusBaseline(), `case ${i}: parseISF took ${best} ms, more than the whole corpus`);
    }

    t = performance.now();
    const result = validateISF(src, { path: `fuzz/${i}.fs` });
    const validateMs = performance.now() - t;
    if (validateMs >= corpusMs) {
      const best = bestOf(() => validateISF(src));
      assert.ok(
        best < corpusBaseline(),
        `case ${i}: validateISF took ${best} ms, more than the whole corpus`,
      );
    }
    assert.equal(result.ok, parsed, `case ${i}: validateISF and parseISF disagree`);
    for (const d of result.diagnostics) {
      assert.ok(
        d.line !== undefined && d.line >= 1 && d.column !== undefined && d.column >= 1,
        `case ${i}: ${d.message}`,
      );
    }
  }
  // The mutations must exercise both outcomes and several failure kinds, or the fuzzer is not doing its job.
  assert.ok(documents > 100, `${documents} documents`);
  assert.ok(errors > 500, `${errors} errors`);
  assert.ok(codes.size >= 6, [...codes].join(', '));
});

function tryParse(src: string): void {
  try {
    parseISF(src);
  } catch {
    // errors are checked above; only the time matters here
  }
}

/** Parsing every corpus document once, best of three, in ms: the yardstick for one fuzz case. */
function corpusBaseline(): number {
  return bestOf(() => {
    for (const src of sources) tryParse(src);
  });
}
