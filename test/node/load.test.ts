import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ISFError } from '../../src/core/errors.ts';
import { loadISF, validateFile } from '../../src/node/load.ts';

let root: string;
const fs = (rel: string, text: string | Uint8Array): string => {
  const p = join(root, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
};
const doc = (json: unknown): string =>
  `/*${JSON.stringify(json, null, 2)}*/\nvoid main(){ gl_FragColor = vec4(1.0); }\n`;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'isf-load-'));
});
after(() => {
  rmSync(root, { recursive: true, force: true });
});

async function rejects(p: Promise<unknown>, code: string): Promise<ISFError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ISFError, String(e));
    assert.equal(e.code, code, e.located);
    return e;
  }
  assert.fail(`expected ${code}`);
}

describe('loadISF', () => {
  test('a missing file is ISF_FILE_NOT_FOUND naming the path', async () => {
    const e = await rejects(loadISF(join(root, 'nope.fs')), 'ISF_FILE_NOT_FOUND');
    assert.match(e.message, /nope\.fs/);
    await rejects(loadISF(root), 'ISF_FILE_NOT_FOUND');
  });

  test('path, name and a .vs sibling (preferred over .vert)', async () => {
    const p = fs('a/Glow.fs', doc({ ISFVSN: '2' }));
    fs('a/Glow.vert', 'void main(){ isf_vertShaderInit(); } // vert');
    let d = await loadISF(p);
    assert.equal(d.path, p);
    assert.equal(d.name, 'Glow');
    assert.equal(d.vertexPath, join(root, 'a/Glow.vert'));
    assert.match(d.vertexSource!, /\/\/ vert/);
    fs('a/Glow.vs', 'void main(){ isf_vertShaderInit(); } // vs');
    d = await loadISF(p);
    assert.equal(d.vertexPath, join(root, 'a/Glow.vs'));
    assert.match(d.vertexSource!, /\/\/ vs/);
    d = await loadISF(p, { vertexSource: 'given' });
    assert.equal(d.vertexSource, 'given');
    assert.equal(d.vertexPath, undefined);
  });

  test('parse errors carry the file and line', async () => {
    const p = fs('bad.fs', '/*{\n  "INPUTS": [,]\n}*/\n');
    const e = await rejects(loadISF(p), 'ISF_JSON_SYNTAX');
    assert.equal(e.file, p);
    assert.equal(e.line, 2);
  });

  test('a file over maxBytes is refused before it is read', async () => {
    const p = fs('big.fs', `${doc({})}${'/'.repeat(5000)}`);
    const e = await rejects(loadISF(p, { maxBytes: 1000 }), 'ISF_TOO_LARGE');
    assert.equal(e.file, p);
  });

  test('binary content is ISF_NOT_TEXT', async () => {
    const bytes = new Uint8Array(300).map((_, i) => (i * 151 + 7) % 256);
    await rejects(loadISF(fs('bin.fs', bytes)), 'ISF_NOT_TEXT');
  });

  test('IMPORTED files must exist: ISF_IMPORTED_MISSING names the file and the .fs line', async () => {
    const p = fs('imp/Missing.fs', doc({ IMPORTED: { tex: { PATH: 'textures/none.png' } } }));
    const e = await rejects(loadISF(p), 'ISF_IMPORTED_MISSING');
    assert.match(e.message, /textures\/none\.png/);
    assert.equal(e.file, p);
    assert.equal(e.line, 4);
    fs('imp/textures/none.png', 'png');
    const d = await loadISF(p);
    assert.equal(d.imported[0]!.resolvedPath, join(root, 'imp/textures/none.png'));
  });

  test('cube faces are checked one by one', async () => {
    const faces = ['a.png', 'b.png', 'c.png', 'd.png', 'e.png', 'f.png'];
    const p = fs('cube/Sky.fs', doc({ IMPORTED: { sky: { TYPE: 'cube', PATH: faces } } }));
    for (const f of faces.slice(0, 5)) fs(`cube/${f}`, 'x');
    const e = await rejects(loadISF(p), 'ISF_IMPORTED_MISSING');
    assert.match(e.message, /f\.png/);
    fs('cube/f.png', 'x');
    assert.equal((await loadISF(p)).imported[0]!.cube?.resolvedPaths?.length, 6);
  });

  test('a symlink leaving the folder is ISF_IMPORTED_PATH unless allowed', async () => {
    const secret = fs('outside/secret.png', 'secret');
    const p = fs('sym/Leak.fs', doc({ IMPORTED: { s: { PATH: 'link.png' } } }));
    symlinkSync(secret, join(root, 'sym/link.png'));
    const e = await rejects(loadISF(p), 'ISF_IMPORTED_PATH');
    assert.match(e.message, /link\.png/);
    assert.equal(e.line, 4);
    const d = await loadISF(p, { allowImportOutsideFolder: true });
    assert.equal(d.imported[0]!.path, 'link.png');
    // A link that stays inside the folder is fine.
    fs('sym/real.png', 'ok');
    symlinkSync(join(root, 'sym/real.png'), join(root, 'sym/inner.png'));
    const q = fs('sym/Inner.fs', doc({ IMPORTED: { s: { PATH: 'inner.png' } } }));
    assert.equal((await loadISF(q)).imported.length, 1);
  });

  test('../ escapes are refused at parse time, with the path in the message', async () => {
    const p = fs('esc/Up.fs', doc({ IMPORTED: { s: { PATH: '../outside/secret.png' } } }));
    const e = await rejects(loadISF(p), 'ISF_IMPORTED_PATH');
    assert.match(e.message, /\.\.\/outside\/secret\.png/);
    assert.equal(e.line, 4);
  });
});

describe('validateFile', () => {
  test('a missing file is a diagnostic, not a throw', async () => {
    const r = await validateFile(join(root, 'missing.fs'));
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.diagnostics.map((d) => d.code),
      ['ISF_FILE_NOT_FOUND'],
    );
  });
  test('every problem, including import checks, comes back', async () => {
    const p = fs(
      'v/Two.fs',
      doc({ INPUTS: [{ NAME: 'a', TYPE: 'nope' }], IMPORTED: { t: { PATH: 'gone.png' } } }),
    );
    let r = await validateFile(p);
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity === 'error').map((d) => d.code),
      ['ISF_INPUT_TYPE'],
    );
    const q = fs('v/One.fs', doc({ FOO: 1, IMPORTED: { t: { PATH: 'gone.png' } } }));
    r = await validateFile(q);
    assert.equal(r.ok, false);
    assert.equal(r.document, undefined);
    assert.deepEqual(
      r.diagnostics.map((d) => [d.code, d.line]),
      [
        ['W_UNKNOWN_KEY', 2],
        ['ISF_IMPORTED_MISSING', 5],
      ],
    );
  });
  test('a good file returns its document', async () => {
    const r = await validateFile(
      fs('v/Good.fs', doc({ ISFVSN: '2', INPUTS: [{ NAME: 'inputImage', TYPE: 'image' }] })),
    );
    assert.equal(r.ok, true);
    assert.equal(r.document?.kind, 'filter');
  });
});
