/**
 * VERTEX_SHADER_ART in the browser build (WebGL2): the points, triangles and 100,000-point documents render the
 * same pixels as the Node backend.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { type ServeHandle, serve } from '../../src/cli/serve.ts';
import { parseISF } from '../../src/core/index.ts';
import { Scene } from '../../src/render/scene.ts';
import { context } from '../helpers.ts';
import { GRID, MANY_POINTS_VSA, POINTS_VSA, TRIANGLES_VSA } from '../render/vsa-fixtures.ts';
import { CHROMIUM_MISSING, launchChromium, preparePage } from './chromium.ts';
import { AUDIO, DATE_MS, PATTERN, renderInPage } from './render-compare.ts';

// `isf serve` lists .fs files: the documents are written under that extension.
const DOCS: Record<string, [string, number, number]> = {
  'points.fs': [POINTS_VSA, 8, 8],
  'triangles.fs': [TRIANGLES_VSA, 16, 16],
  'many.fs': [MANY_POINTS_VSA, GRID.width, GRID.height],
};

describe('VERTEX_SHADER_ART in the browser build', { skip: CHROMIUM_MISSING }, () => {
  let dir: string;
  let server: ServeHandle;
  let browser: Browser;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'isf-vsa-'));
    for (const [f, [src]] of Object.entries(DOCS)) writeFileSync(join(dir, f), src);
    [server, browser] = await Promise.all([serve({ path: dir, port: 0 }), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    context().destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const [file, [source, width, height]] of Object.entries(DOCS)) {
    it(`${file} matches Node`, async () => {
      const page = await browser.newPage();
      const errors = await preparePage(page);
      await page.goto(`${server.url}api/shaders`);
      const result = await page.evaluate(renderInPage, {
        shaders: [file],
        width,
        height,
        frames: 1,
        dateMs: DATE_MS,
        pattern: PATTERN,
        audio: AUDIO,
      });
      assert.deepEqual(errors, []);
      const encoded = result[file]!;
      assert.ok(!encoded.startsWith('ERROR'), encoded);
      const web = new Uint8Array(Buffer.from(encoded, 'base64'));
      const scene = new Scene(context());
      try {
        await scene.useDoc(parseISF(source, { path: file }));
        const node = scene.render({ width, height, time: 0 }).pixels;
        let differing = 0;
        for (let i = 0; i < node.length; i++) if (Math.abs(node[i]! - web[i]!) > 1) differing++;
        assert.equal(differing, 0, `${differing} channel values differ by more than 1`);
      } finally {
        scene.destroy();
      }
    });
  }
});
