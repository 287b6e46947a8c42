/**
 * The `isf serve` page's cube control: one picker per face (+X -X +Y -Y +Z -Z); once all six are picked the cube
 * input renders them, each face along its axis (read back from the page's canvas). Until then it samples
 * transparent black and the label says which faces are missing.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import sharp from 'sharp';
import { type ServeHandle, serve } from '../../src/cli/serve.ts';
import { needs } from '../helpers.ts';
import { CUBE_INPUT_SOURCE, FACE_COLOURS, FACE_SIZE } from '../render/cube-fixtures.ts';
import { CHROMIUM_MISSING, launchChromium, preparePage } from './chromium.ts';

const FACES = ['+X', '-X', '+Y', '-Y', '+Z', '-Z'];

/** Canvas pixel at column x, row y counted from the bottom (GL's own coordinates). */
function glPixel(page: Page, x: number, y: number): Promise<number[]> {
  return page.evaluate(
    ({ x, y }) => {
      const gl = (document.querySelector('canvas.output') as HTMLCanvasElement).getContext('webgl2')!;
      const px = new Uint8Array(4);
      gl.readPixels(x, y, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
      return [...px];
    },
    { x, y },
  );
}

describe('the serve page cube control', needs(CHROMIUM_MISSING), () => {
  let dir: string;
  let server: ServeHandle;
  let browser: Browser;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'isf-cube-page-'));
    await writeFile(join(dir, 'cube.fs'), CUBE_INPUT_SOURCE);
    [server, browser] = await Promise.all([serve({ path: dir, port: 0 }), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('six faces picked through the control give each face along its axis', async () => {
    const page = await browser.newPage();
    const errors = await preparePage(page);
    await page.goto(`${server.url}?shader=cube.fs&size=6x3&paused=1`);
    const control = page.locator('[data-input="env"]');
    await control.locator('.image-label', { hasText: /pick the six faces/ }).waitFor();
    assert.deepEqual(await glPixel(page, 0, 0), [0, 0, 0, 0], 'an unset cube is transparent black');
    for (const [i, face] of FACES.entries()) {
      const rgba = FACE_COLOURS[i]!;
      const png = await sharp(
        Buffer.from(new Uint8Array(FACE_SIZE * FACE_SIZE * 4).map((_, j) => rgba[j % 4]!)),
        {
          raw: { width: FACE_SIZE, height: FACE_SIZE, channels: 4 },
        },
      )
        .png()
        .toBuffer();
      await control
        .locator(`input.cube-face[data-face="${face}"]`)
        .setInputFiles({ name: `face${i}.png`, mimeType: 'image/png', buffer: png });
      if (i === 2)
        await control
          .locator('.image-label', { hasText: /3 of 6 faces; still to pick: -Y \+Z -Z/ })
          .waitFor();
    }
    await control.locator('.image-label', { hasText: /\+X face0\.png.*-Z face5\.png/ }).waitFor();
    await page.waitForFunction(
      () => {
        const gl = (document.querySelector('canvas.output') as HTMLCanvasElement).getContext('webgl2')!;
        const px = new Uint8Array(4);
        gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
        return px[3] === 255;
      },
      undefined,
      { timeout: 10000, polling: 50 },
    );
    for (let k = 0; k < 6; k++) {
      assert.deepEqual(await glPixel(page, k, 0), FACE_COLOURS[k], `textureCube along axis ${k}`);
      assert.deepEqual(await glPixel(page, k, 1), FACE_COLOURS[k], `texture along axis ${k}`);
      assert.deepEqual(await glPixel(page, k, 2), [FACE_SIZE, FACE_SIZE, 0, 255], '_env_imgSize');
    }
    assert.deepEqual(errors, []);
  });
});
