/**
 * The browser build and the Node (EGL) backend render the official ISF test shaders to the same pixels:
 * 320x180, three frames at 30 fps, the same test-pattern images and audio on both sides, and a fixed DATE.
 * Mean absolute difference per channel must stay <= 2 (different GL implementations: SwiftShader vs llvmpipe).
 * The browser side loads the library bundle (/isf.js) from `isf serve`, so this also checks that bundle.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { type ServeHandle, serve } from '../../src/cli/serve.ts';
import { createContext } from '../../src/node/index.ts';
import type { GLContext } from '../../src/render/context.ts';
import { needs, skipOrFail } from '../helpers.ts';
import { CHROMIUM_MISSING, launchChromium, preparePage } from './chromium.ts';
import {
  AUDIO,
  compare,
  DATE_MS,
  FRAMES,
  HEIGHT,
  PATTERN,
  type Params,
  renderInPage,
  renderNode,
  TOLERANCE,
  WIDTH,
} from './render-compare.ts';

const CORPUS = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../shared/corpus/isf-tests');
const SHADERS = existsSync(CORPUS)
  ? readdirSync(CORPUS)
      .filter((f) => f.endsWith('.fs'))
      .sort()
  : [];
const skip = CHROMIUM_MISSING || (SHADERS.length === 0 ? `${CORPUS} is missing: parity test skipped` : false);

describe('browser build vs Node backend: official test shaders', needs(skip), () => {
  let server: ServeHandle;
  let browser: Browser;
  let context: GLContext | undefined;
  let glSkip: string | undefined;
  const browserPixels = new Map<string, string>();
  let worst = 0;

  before(async () => {
    try {
      context = createContext().initialize();
    } catch (e) {
      glSkip = `no Node GL context (${(e as Error).message}): parity test skipped`;
      return;
    }
    [server, browser] = await Promise.all([serve({ path: CORPUS, port: 0 }), launchChromium()]);
    const page = await browser.newPage();
    const errors = await preparePage(page);
    // The page itself is not needed, only its origin (for /isf.js, /shader, /file): load a blank one.
    await page.goto(`${server.url}api/shaders`);
    const params: Params = {
      shaders: SHADERS,
      width: WIDTH,
      height: HEIGHT,
      frames: FRAMES,
      dateMs: DATE_MS,
      pattern: PATTERN,
      audio: AUDIO,
    };
    const result = await page.evaluate(renderInPage, params);
    for (const [k, v] of Object.entries(result)) browserPixels.set(k, v);
    assert.deepEqual(errors, []);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    context?.destroy();
  });

  for (const file of SHADERS) {
    it(file, async (t) => {
      if (glSkip) return skipOrFail(t, glSkip);
      const encoded = browserPixels.get(file);
      assert.ok(encoded !== undefined, `no browser result for ${file}`);
      assert.ok(!encoded.startsWith('ERROR'), `browser: ${encoded}`);
      const web = new Uint8Array(Buffer.from(encoded, 'base64'));
      const node = await renderNode(context!, CORPUS, file);
      assert.equal(web.length, node.length);
      assert.ok(
        node.some((v) => v !== 0),
        `${file}: the Node render is all zero: nothing to compare`,
      );
      const { means, max } = compare(web, node);
      const worstMean = Math.max(...means);
      worst = Math.max(worst, worstMean);
      t.diagnostic(`mean |diff| per channel ${means.map((m) => m.toFixed(3)).join(' ')}; max |diff| ${max}`);
      assert.ok(
        worstMean <= TOLERANCE,
        `${file}: mean |diff| per channel ${means.map((m) => m.toFixed(2)).join(', ')} > ${TOLERANCE} (max ${max})`,
      );
    });
  }

  it('reports the worst channel mean', (t) => {
    if (glSkip) return skipOrFail(t, glSkip);
    t.diagnostic(`worst mean |diff| per channel over ${SHADERS.length} shaders: ${worst.toFixed(3)}`);
    assert.ok(worst <= TOLERANCE);
  });
});
