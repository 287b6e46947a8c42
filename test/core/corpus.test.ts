/**
 * The shared corpus: every shader loads without error, and the parser agrees with the independently generated
 * index (isf-corpus-index.tsv) on version, input types, passes, flags, imports, vertex shader, kind and categories.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { ISFDocument } from '../../src/core/document.ts';
import { ISFError } from '../../src/core/errors.ts';
import { loadISF } from '../../src/node/load.ts';
import { CORPUS_FILES, CORPUS_INDEX, CORPUS_TESTS } from './parse-helpers.ts';

const shaders = [CORPUS_TESTS, CORPUS_FILES].flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.fs'))
    .sort()
    .map((f) => join(dir, f)),
);

describe('corpus loads', () => {
  test('every .fs loads with loadISF, no error', async () => {
    assert.equal(shaders.length, 252, 'expected 19 isf-tests + 233 isf-files shaders');
    const failures: string[] = [];
    for (const path of shaders) {
      try {
        const doc = await loadISF(path);
        assert.ok(doc.passes.length >= 1);
        assert.ok(doc.warnings.every((w) => w.severity === 'warning'));
      } catch (e) {
        failures.push(e instanceof ISFError ? e.located : `${path}: ${String(e)}`);
      }
    }
    assert.deepEqual(failures, []);
  });

  test('.vs siblings are picked up', async () => {
    const withVs = shaders.filter((p) => existsSync(p.replace(/\.fs$/, '.vs')));
    assert.ok(withVs.length >= 20, `${withVs.length} .vs files`);
    for (const p of withVs) {
      const doc = await loadISF(p);
      assert.equal(doc.vertexPath, p.replace(/\.fs$/, '.vs'));
      assert.ok(
        doc.vertexSource?.includes('isf_vertShaderInit') || doc.vertexSource?.includes('vv_vertShaderInit'),
      );
    }
  });

  test('IMPORTED files resolve next to the shader', async () => {
    const doc = await loadISF(join(CORPUS_TESTS, 'Test-ImportedImage.fs'));
    assert.ok(doc.imported.length >= 1);
    for (const imp of doc.imported) assert.equal(imp.resolvedPath, join(CORPUS_TESTS, imp.path));
  });
});

describe('corpus index agreement', () => {
  const rows = readFileSync(CORPUS_INDEX, 'utf8').trimEnd().split('\n');
  const header = rows[0]!.split('\t');
  const col = (name: string): number => {
    const i = header.indexOf(name);
    assert.ok(i >= 0, `column ${name}`);
    return i;
  };

  test('index rows agree with the parser', async () => {
    // The index describes the whole collection; rows whose file is not in the shared copy are skipped.
    assert.ok(rows.length - 1 >= 200, `${rows.length - 1} index rows`);
    let checked = 0;
    const mismatches: string[] = [];
    for (const row of rows.slice(1)) {
      const cells = row.split('\t');
      const rel = cells[col('path')]!;
      const path = join(CORPUS_FILES, rel.replace(/^ISF\//, ''));
      if (!existsSync(path)) continue;
      checked++;
      const doc: ISFDocument = await loadISF(path);
      const passes = Array.isArray(doc.json.PASSES) ? doc.json.PASSES.length : 0;
      const got: Record<string, string> = {
        isfvsn: doc.isfvsn ?? '',
        input_types: doc.inputs.map((i) => i.type).join(','),
        passes: String(passes),
        persistent: String(doc.passes.some((p) => p.persistent)),
        float: String(doc.passes.some((p) => p.float)),
        imported: String(doc.imported.length),
        vertex_shader: String(doc.vertexSource !== undefined),
        kind: doc.kind,
        categories: doc.categories.join(';'),
      };
      for (const [key, value] of Object.entries(got)) {
        const want = cells[col(key)];
        if (want !== value)
          mismatches.push(`${rel} ${key}: index ${JSON.stringify(want)}, parser ${JSON.stringify(value)}`);
      }
      if (passes === 0) assert.deepEqual(doc.passes, [{ persistent: false, float: false }], rel);
    }
    assert.ok(checked >= 200, `only ${checked} index rows have their file present`);
    assert.deepEqual(mismatches, []);
  });
});
