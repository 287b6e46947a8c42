/**
 * The browser build and the Node (EGL) backend render the official ISF test shaders to the same pixels:
 * 320x180, three frames at 30 fps, the same test-pattern images and audio on both sides, and a fixed DATE.
 * Mean absolute difference per channel must stay <= 2 (different GL implementations: SwiftShader vs llvmpipe).
 * The browser side loads the library bundle (/isf.js) from `isf serve`, so this also checks that bundle.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { type ServeHandle, serve } from '../../src/cli/serve.ts';
import { createContext, loadISF, nodePlatform } from '../../src/node/index.ts';
import type { GLContext } from '../../src/render/context.ts';
import { type RenderOptions, Scene, sequenceTiming } from '../../src/render/scene.ts';
import { testPattern } from '../../src/render/test-pattern.ts';
import { CHROMIUM_MISSING, launchChromium, preparePage } from './chromium.ts';

const CORPUS = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../shared/corpus/isf-tests');
const SHADERS = existsSync(CORPUS)
  ? readdirSync(CORPUS)
      .filter((f) => f.endsWith('.fs'))
      .sort()
  : [];
const WIDTH = 320;
const HEIGHT = 180;
const FRAMES = 3;
const DATE_MS = Date.UTC(2024, 4, 17, 12, 30, 15);
const TOLERANCE = 2;
const PATTERN = { width: 160, height: 90 };
const AUDIO = Array.from({ length: 1024 }, (_, i) => Math.sin(i * 0.07) * 0.6 + Math.sin(i * 0.31) * 0.3);

const skip = CHROMIUM_MISSING || (SHADERS.length === 0 ? `${CORPUS} is missing: parity test skipped` : false);

function renderNode(context: GLContext, file: string): Promise<Uint8Array> {
  return (async () => {
    const doc = await loadISF(join(CORPUS, file));
    const scene = new Scene(context, { platform: nodePlatform });
    try {
      await scene.useDoc(doc);
      let k = 0;
      for (const input of doc.inputs) {
        if (input.type === 'image')
          scene.setImageData(input.name, testPattern(PATTERN.width, PATTERN.height, k++ ? 1 : 0));
        if (input.type === 'audio' || input.type === 'audioFFT') {
          scene.setAudio(input.name, { channels: [Float32Array.from(AUDIO)] });
        }
      }
      let pixels: Uint8Array = new Uint8Array();
      for (let i = 0; i < FRAMES; i++) {
        const timing: RenderOptions = {
          width: WIDTH,
          height: HEIGHT,
          ...sequenceTiming(i, { frames: FRAMES, fps: 30 }),
        };
        pixels = scene.render({ ...timing, date: new Date(DATE_MS) }).pixels;
      }
      return pixels;
    } finally {
      scene.destroy();
    }
  })();
}

interface Params {
  shaders: string[];
  width: number;
  height: number;
  frames: number;
  dateMs: number;
  pattern: { width: number; height: number };
  audio: number[];
}

/** Runs in the page: the same steps with the browser bundle; pixels come back base64-encoded. */
async function renderInPage(p: Params): Promise<Record<string, string>> {
  const bundle = '/isf.js';
  // biome-ignore lint/suspicious/noExplicitAny: the bundle is loaded at run time, untyped
  const isf: any = await import(bundle);
  const canvas = document.createElement('canvas');
  const context = isf.createBrowserContext(canvas);
  const platform = isf.browserPlatform({
    importedUrl: (path: string) => `/file?path=${encodeURIComponent(path)}`,
  });
  const out: Record<string, string> = {};
  for (const path of p.shaders) {
    try {
      const { source } = await (await fetch(`/shader?path=${encodeURIComponent(path)}`)).json();
      const doc = isf.parseISF(source, { path });
      const scene = new isf.Scene(context, { platform });
      await scene.useDoc(doc);
      let k = 0;
      for (const input of doc.inputs) {
        if (input.type === 'image') {
          scene.setImageData(input.name, isf.testPattern(p.pattern.width, p.pattern.height, k++ ? 1 : 0));
        }
        if (input.type === 'audio' || input.type === 'audioFFT') {
          scene.setAudio(input.name, { channels: [Float32Array.from(p.audio)] });
        }
      }
      let pixels = new Uint8Array();
      for (let i = 0; i < p.frames; i++) {
        const timing = isf.sequenceTiming(i, { frames: p.frames, fps: 30 });
        pixels = scene.render({
          width: p.width,
          height: p.height,
          ...timing,
          date: new Date(p.dateMs),
        }).pixels;
      }
      scene.destroy();
      let binary = '';
      for (let i = 0; i < pixels.length; i += 0x8000) {
        binary += String.fromCharCode(...pixels.subarray(i, i + 0x8000));
      }
      out[path] = btoa(binary);
    } catch (e) {
      out[path] = `ERROR ${(e as Error).message}`;
    }
  }
  context.destroy();
  return out;
}

/** Per-channel mean absolute difference, and the largest single difference. */
function compare(a: Uint8Array, b: Uint8Array): { means: number[]; max: number } {
  const sums = [0, 0, 0, 0];
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    sums[i % 4]! += d;
    if (d > max) max = d;
  }
  return { means: sums.map((s) => s / (a.length / 4)), max };
}

describe('browser build vs Node backend: official test shaders', { skip }, () => {
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
      if (glSkip) return t.skip(glSkip);
      const encoded = browserPixels.get(file);
      assert.ok(encoded !== undefined, `no browser result for ${file}`);
      assert.ok(!encoded.startsWith('ERROR'), `browser: ${encoded}`);
      const web = new Uint8Array(Buffer.from(encoded, 'base64'));
      const node = await renderNode(context!, file);
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
    if (glSkip) return t.skip(glSkip);
    t.diagnostic(`worst mean |diff| per channel over ${SHADERS.length} shaders: ${worst.toFixed(3)}`);
    assert.ok(worst <= TOLERANCE);
  });
});
