/**
 * Cube maps in the browser build: a cube IMPORTED with six PATHs (VVISF's form), served by `isf serve`, sampled
 * along each axis through textureCube() and texture(), gives each face's colour in WebGL2, as in Node.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { type ServeHandle, serve } from '../../src/cli/serve.ts';
import { FACE_COLOURS, FACE_SIZE, pixelAt, writeCubeFolder } from '../render/cube-fixtures.ts';
import { CHROMIUM_MISSING, launchChromium, preparePage } from './chromium.ts';
import { AUDIO, DATE_MS, PATTERN, renderInPage } from './render-compare.ts';

describe('cube maps in the browser build', { skip: CHROMIUM_MISSING }, () => {
  let dir: string;
  let server: ServeHandle;
  let browser: Browser;

  before(async () => {
    dir = await writeCubeFolder();
    [server, browser] = await Promise.all([serve({ path: dir, port: 0 }), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('six faces of distinct colours give each face along its axis', async () => {
    const page = await browser.newPage();
    const errors = await preparePage(page);
    await page.goto(`${server.url}api/shaders`);
    const result = await page.evaluate(renderInPage, {
      shaders: ['cube.fs'],
      width: 6,
      height: 3,
      frames: 1,
      dateMs: DATE_MS,
      pattern: PATTERN,
      audio: AUDIO,
    });
    assert.deepEqual(errors, []);
    const encoded = result['cube.fs']!;
    assert.ok(!encoded.startsWith('ERROR'), encoded);
    const pixels = new Uint8Array(Buffer.from(encoded, 'base64'));
    for (let k = 0; k < 6; k++) {
      assert.deepEqual(pixelAt(pixels, k, 0), FACE_COLOURS[k], `textureCube along axis ${k}`);
      assert.deepEqual(pixelAt(pixels, k, 1), FACE_COLOURS[k], `texture along axis ${k}`);
      assert.deepEqual(pixelAt(pixels, k, 2), [FACE_SIZE, FACE_SIZE, 0, 255], '_NAME_imgSize');
    }
  });
});
