/**
 * `#include "file"` relative to the including file: nested includes render, each include is a located
 * W_GLSL_DIALECT departure (ISF_STRICT under strict); a cycle, a missing file and a path outside the shader's folder
 * are refused at the including line; a compile error inside an included file names that file and line; an include
 * in a branch the preprocessor skips is not read, one whose condition cannot be decided is.
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
    'shaders/main.fs': `${HEADER}\n  #include "../common.glsl"\nvoid main() { gl_FragColor = vec4(ONE); }\n`,
    'common.glsl': 'const float ONE = 1.0;\n',
  });
  const fs = join(dir, 'shaders/main.fs');
  await rejectsWith(loadISF(fs), 'ISF_IMPORTED_PATH', (e) => {
    assert.equal(e.line, 2);
    assert.equal(e.column, 3, 'at the #');
    assert.match(e.message, /#include "..\/common.glsl"/);
  });
  // A trusted local render may climb into the user's own tree (the CLI passes the working directory).
  const doc = await loadISF(fs, { importRoot: dir });
  const warning = doc.warnings.find((d) => d.code === 'W_IMPORT_OUTSIDE_FOLDER');
  assert.ok(warning, 'warned');
  assert.deepEqual([warning.line, warning.column], [2, 3]);
  assert.match(
    warning.message,
    /#include "..\/common.glsl" resolves to .*common\.glsl, outside the shader's folder/,
  );
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

async function centre(doc: Awaited<ReturnType<typeof loadISF>>): Promise<number[]> {
  const scene = new Scene(context(), { platform: nodePlatform });
  try {
    await scene.useDoc(doc);
    return scene.render({ width: 8, height: 8 }).pixel(4, 4);
  } finally {
    scene.destroy();
  }
}

test('an #include in a branch the preprocessor skips is not read (#if 0, #ifdef of nothing, #else, a comment)', async () => {
  const dir = tree('inactive', {
    'main.fs': [
      HEADER,
      '#if 0',
      '#include "missing-if0.glsl"',
      '#endif',
      '#ifdef NOT_DEFINED',
      '#include "missing-ifdef.glsl"',
      '#else',
      '#include "half.glsl"',
      '#endif',
      '#if defined(GL_ES) && 0',
      '#include "missing-and.glsl"',
      '#elif 1',
      '  #include "blue.glsl"',
      '#endif',
      '/* an example in a comment:',
      '#include "missing-comment.glsl"',
      '*/',
      'void main() {',
      '  gl_FragColor = vec4(HALF, 0.0, BLUE, 1.0);',
      '}',
      '',
    ].join('\n'),
    'half.glsl': 'const float HALF = 0.5;\n',
    'blue.glsl': 'const float BLUE = 1.0;\n',
  });
  const doc = await loadISF(join(dir, 'main.fs'));
  // Only the two includes that are compiled are departures; the skipped ones read nothing and say nothing.
  assert.deepEqual(
    doc.warnings.filter((d) => d.code === 'W_GLSL_DIALECT').map((d) => d.line),
    [8, 13],
  );
  assert.deepEqual(await centre(doc), [128, 0, 255, 255]);
});

test('macros defined by an earlier include decide later #if branches; undecidable ones still read the file', async () => {
  const dir = tree('macro-branches', {
    'main.fs': [
      HEADER,
      '#include "config.glsl"',
      '#if USE_RED',
      '#include "red.glsl"',
      '#else',
      '#include "missing-else.glsl"',
      '#endif',
      '#ifndef CONFIG_LOADED',
      '#include "missing-ifndef.glsl"',
      '#endif',
      'void main() { gl_FragColor = vec4(RED, 0.0, 0.0, 1.0); }',
      '',
    ].join('\n'),
    'config.glsl': '#define USE_RED 1\n#define CONFIG_LOADED\n',
    'red.glsl': 'const float RED = 1.0;\n',
  });
  assert.deepEqual(await centre(await loadISF(join(dir, 'main.fs'))), [255, 0, 0, 255]);

  // `#if __VERSION__ >= 300` depends on the dialect the file is compiled as, and an extension macro on the
  // driver: neither is known when the file is read, so the include is read as before (and a missing one is an error).
  for (const condition of ['#if __VERSION__ >= 300', '#ifdef GL_EXT_frag_depth']) {
    const undecided = tree(`undecided-${condition.length}`, {
      'main.fs': `${HEADER}\n${condition}\n#include "missing.glsl"\n#endif\nvoid main() { gl_FragColor = vec4(1.0); }\n`,
    });
    await rejectsWith(loadISF(join(undecided, 'main.fs')), 'ISF_INCLUDE', (e) => {
      assert.equal(e.line, 3);
    });
  }
});
