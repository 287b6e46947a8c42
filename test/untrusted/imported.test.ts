/**
 * IMPORTED paths cannot read outside the document's folder unless the caller opts in: `..`, absolute paths
 * and symlinks out are refused with ISF_IMPORTED_PATH naming the refused path, through every entry point
 * (parseISF with a path, loadISF, the isolated renderer with a file or with text plus a path).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import type { ISFError } from '../../src/core/errors.ts';
import { parseISF } from '../../src/core/parse/index.ts';
import { IsolatedRenderer } from '../../src/node/isolate/index.ts';
import { loadISF } from '../../src/node/load.ts';
import { expectISFError, pixelOf } from '../helpers.ts';

let root: string;
let shaders: string;
const renderer = new IsolatedRenderer({ timeoutMs: 10_000 });

const importing = (path: string): string =>
  `/*{ "ISFVSN": "2", "IMPORTED": { "pic": { "PATH": ${JSON.stringify(path)} } } }*/
void main() { gl_FragColor = IMG_NORM_PIXEL(pic, vec2(0.5)); }
`;

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'isf-imported-'));
  shaders = join(root, 'shaders');
  mkdirSync(join(shaders, 'sub'), { recursive: true });
  const png = (rgb: [number, number, number]) =>
    sharp({
      create: { width: 2, height: 2, channels: 4, background: { r: rgb[0], g: rgb[1], b: rgb[2], alpha: 1 } },
    })
      .png()
      .toBuffer();
  writeFileSync(join(root, 'secret.png'), await png([255, 0, 0]));
  writeFileSync(join(shaders, 'sub', 'inside.png'), await png([0, 255, 0]));
  symlinkSync(join(root, 'secret.png'), join(shaders, 'link.png'));
  symlinkSync(root, join(shaders, 'up')); // a linked folder: up/secret.png looks inside, is not
});
after(async () => {
  await renderer.close();
  rmSync(root, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const p = join(shaders, name);
  writeFileSync(p, text);
  return p;
}

async function refused(p: Promise<unknown> | (() => unknown), written: string): Promise<ISFError> {
  const error = await expectISFError(p, 'ISF_IMPORTED_PATH');
  assert.ok(error.message.includes(written), `"${error.message}" does not name ${written}`);
  assert.match(error.message, /refused/);
  return error;
}

describe('paths written to leave the folder: refused at parse time', () => {
  for (const written of ['../../etc/passwd', '/etc/passwd', '../secret.png', 'sub/../../secret.png']) {
    test(written, async () => {
      const file = write('escape.fs', importing(written));
      await refused(() => parseISF(importing(written), { path: file }), written);
      await refused(loadISF(file), written);
      await refused(renderer.render({ path: file, width: 4, height: 4 }), written);
      await refused(
        renderer.render({ source: importing(written), path: file, width: 4, height: 4 }),
        written,
      );
    });
  }
});

describe('symlinks out of the folder: refused once resolved', () => {
  for (const written of ['link.png', 'up/secret.png']) {
    test(written, async () => {
      const file = write('linked.fs', importing(written));
      await refused(loadISF(file), written);
      await refused(renderer.render({ path: file, width: 4, height: 4 }), written);
      // Text with a path never goes through loadISF: the child checks the real path when it reads the file.
      const e = await refused(
        renderer.render({ source: importing(written), path: file, width: 4, height: 4 }),
        written,
      );
      assert.equal(e.details.refused, written);
      assert.match(e.message, /secret\.png, outside the shader's folder/);
    });
  }
});

describe('what is allowed', () => {
  test('a file inside the folder (subfolders included) renders', async () => {
    const file = write('inside.fs', importing('sub/inside.png'));
    const frame = await renderer.render({ path: file, width: 4, height: 4 });
    assert.deepEqual(pixelOf(frame, 1, 1), [0, 255, 0, 255]);
  });

  test('the caller may opt in to paths outside the folder', async () => {
    const file = write('outside.fs', importing('link.png'));
    const open = new IsolatedRenderer({ allowImportOutsideFolder: true });
    try {
      const frame = await open.render({ path: file, width: 4, height: 4 });
      assert.deepEqual(pixelOf(frame, 1, 1), [255, 0, 0, 255]);
      const up = await open.render({ source: importing('../secret.png'), path: file, width: 4, height: 4 });
      assert.deepEqual(pixelOf(up, 1, 1), [255, 0, 0, 255]);
    } finally {
      await open.close();
    }
    await loadISF(file, { allowImportOutsideFolder: true });
  });
});
