/**
 * `#include "file"` relative to the including file: nested includes render, each include is a located
 * W_GLSL_DIALECT departure (ISF_STRICT under strict); a cycle, a missing file and a path outside the shader's folder
 * are refused at the including line; a compile error inside an included file names that file and line.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, test } from 'node:test';
import { ISFError } from '../../src/core/errors.ts';
import { loadISF, validateFile } from '../../src/node/load.ts';
import { nodePlatform } from '../../src/node/platform.ts';
import { Scene } from '../../src/render/scene.ts';
import { context } from '../helpers.ts';

const ROOT = mkdtempSync(join(tmpdir(), 'isf-include-'));
after(() => context().destroy());

function tree(name: string, files: Record<string, string>): string {
  const dir = join(ROOT, name);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

const HEADER = '/*{ "ISFVSN": "2" }*/';

async function rejectsWith(p: Promise<unknown>, code: string, check: (e: ISFError) => void): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ISFError, String(e));
    assert.equal(e.code, code, e.message);
    check(e);
    return true;
  });
}

test('nested includes, relative to each including file, render', async () => {
  const dir = tree('nested', {
    'main.fs': `${HEADER}\n#include "lib/colour.glsl"\nvoid main() {\n  gl_FragColor = vec4(colour(), 1.0);\n}\n`,
    'lib/colour.glsl': '#include "half.glsl"\nvec3 colour() { return vec3(HALF, 0.0, 1.0); }\n',
    'lib/half.glsl': 'const float HALF = 0.5;\n',
  });
  const doc = await loadISF(join(dir, 'main.fs'));
  const w = doc.warnings.filter((d) => d.code === 'W_GLSL_DIALECT');
  assert.deepEqual(
    w.map((d) => [d.file, d.line, d.column]),
    [
      [join(dir, 'main.fs'), 2, 1],
      [join(dir, 'lib/colour.glsl'), 1, 1],
    ],
  );
  assert.deepEqual(w[0]!.refusedBy, ['VVISF', 'ISF editor']);
  const scene = new Scene(context(), { platform: nodePlatform });
  await scene.useDoc(doc);
  assert.deepEqual(scene.render({ width: 8, height: 8 }).pixel(4, 4), [128, 0, 255, 255]);
  scene.destroy();

  await rejectsWith(loadISF(join(dir, 'main.fs'), { strict: true }), 'ISF_STRICT', (e) => {
    assert.equal(e.line, 2);
    assert.equal(e.file, join(dir, 'main.fs'));
    assert.match(e.message, /#include "lib\/colour.glsl"/);
  });
});

test('a cyclic include is refused at the line that closes the cycle', async () => {
  const dir = tree('cycle', {
    'main.fs': `${HEADER}\n#include "a.glsl"\nvoid main() { gl_FragColor = vec4(1.0); }\n`,
    'a.glsl': '// a\n#include "b.glsl"\n',
    'b.glsl': '#include "a.glsl"\n',
  });
  await rejectsWith(loadISF(join(dir, 'main.fs')), 'ISF_INCLUDE', (e) => {
    assert.equal(e.file, join(dir, 'b.glsl'));
    assert.equal(e.line, 1);
    assert.match(e.message, /Cyclic #include "a.glsl": a.glsl → b.glsl → a.glsl/);
  });
  const v = await validateFile(join(dir, 'main.fs'));
  assert.equal(v.ok, false);
  assert.ok(v.diagnostics.some((d) => d.code === 'ISF_INCLUDE'));
});

test('a missing include is an error at the including line', async () => {
  const dir = tree('missing', {
    'main.fs': `${HEADER}\n\nvoid helper();\n#include "nowhere.glsl"\nvoid main() { gl_FragColor = vec4(1.0); }\n`,
  });
  await rejectsWith(loadISF(join(dir, 'main.fs')), 'ISF_INCLUDE', (e) => {
    assert.equal(e.file, join(dir, 'main.fs'));
    assert.equal(e.line, 4);
    assert.match(e.message, /#include "nowhere.glsl": file .*nowhere\.glsl not found/);
  });
});

test('an include outside the shader folder is refused unless the caller trusts the tree', async () => {
  const dir = tree('outside', {
    'shaders/main.fs': `${HEADER}\n#include "../common.glsl"\nvoid main() { gl_FragColor = vec4(ONE); }\n`,
    'common.glsl': 'const float ONE = 1.0;\n',
  });
  const fs = join(dir, 'shaders/main.fs');
  await rejectsWith(loadISF(fs), 'ISF_IMPORTED_PATH', (e) => {
    assert.equal(e.line, 2);
    assert.match(e.message, /#include "..\/common.glsl"/);
  });
  // A trusted local render may climb into the user's own tree (the CLI passes the working directory).
  const doc = await loadISF(fs, { importRoot: dir });
  assert.ok(doc.warnings.some((d) => d.code === 'W_IMPORT_OUTSIDE_FOLDER' && d.line === 2));
});

test('a compile error inside an included file names that file and line', async () => {
  const dir = tree('compile-error', {
    'main.fs': `${HEADER}\n#include "broken.glsl"\nvoid main() {\n  gl_FragColor = vec4(f());\n}\n`,
    'broken.glsl': '// helpers\nfloat f() {\n  return undefinedThing;\n}\n',
  });
  const doc = await loadISF(join(dir, 'main.fs'));
  const scene = new Scene(context(), { platform: nodePlatform });
  try {
    await rejectsWith(scene.useDoc(doc), 'GLSL_COMPILE', (e) => {
      const located = e.diagnostics.find((d) => d.line !== undefined);
      assert.ok(located, JSON.stringify(e.diagnostics));
      assert.equal(located.file, join(dir, 'broken.glsl'));
      assert.equal(located.line, 3);
      assert.match(located.message, /undefinedThing/);
    });
  } finally {
    scene.destroy();
  }
});
