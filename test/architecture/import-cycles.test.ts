import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { findCycles, importGraph } from './import-graph.ts';

describe('import graph of src/', () => {
  const graph = importGraph('src');

  test('has no import cycles (type-only and dynamic imports included)', () => {
    const cycles = findCycles(graph.edges).map((c) => c.join(' -> '));
    assert.deepEqual(cycles, [], `import cycles in src/:\n${cycles.join('\n')}`);
  });

  test('every relative import names a file, and the walker sees the modules it should', () => {
    assert.deepEqual(graph.unresolved, []);
    // Known edges: if the regular expression stopped seeing imports, the cycle check would pass vacuously.
    assert.ok(graph.edges.get('render/scene.ts')?.includes('render/pipeline.ts'));
    assert.ok(graph.edges.get('cli/validate.ts')?.includes('cli/farm.ts'), 'dynamic import seen');
    assert.ok(graph.edges.get('render/pipeline.ts')?.includes('render/frame-source.ts'), 'type import seen');
    assert.ok(graph.edges.size > 100, `${graph.edges.size} files`);
  });
});

describe('the cycle walker', () => {
  test('finds a cycle made of type-only, multi-line, re-export and dynamic imports, and names it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'isf-cycles-'));
    try {
      mkdirSync(join(dir, 'sub'));
      writeFileSync(join(dir, 'a.ts'), "import type {\n  B,\n} from './sub/b.ts';\nexport const a = 1;\n");
      writeFileSync(join(dir, 'sub', 'b.ts'), "export * from '../c.ts';\nexport type B = number;\n");
      writeFileSync(join(dir, 'c.ts'), "export const c = () => import('./a.ts');\n");
      writeFileSync(join(dir, 'd.ts'), "import './a.ts';\nimport { x } from './e.ts';\n");
      writeFileSync(join(dir, 'e.ts'), "export const x = 1; import './e.ts';\n");
      const { edges, unresolved } = importGraph(dir);
      assert.deepEqual(unresolved, []);
      assert.deepEqual(findCycles(edges), [
        ['a.ts', 'sub/b.ts', 'c.ts', 'a.ts'],
        ['e.ts', 'e.ts'],
      ]);
      writeFileSync(join(dir, 'c.ts'), 'export const c = 2;\n');
      assert.deepEqual(findCycles(importGraph(dir).edges), [['e.ts', 'e.ts']]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
