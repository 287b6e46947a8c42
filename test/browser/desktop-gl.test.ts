/**
 * The corpus shaders written for desktop GL's implicit int → float / uint conversions render in the browser
 * build (WebGL2, which has no GL_EXT_shader_implicit_conversions) now that the generator writes the conversions
 * out, and match the Node backend, which compiles them as plain GLSL ES 3.00 too (no W_DIALECT retry).
 * Random Characters picks its glyphs with the `fract(sin(x) * 43758.5453)` hash, which amplifies the last-bit
 * differences between SwiftShader's and llvmpipe's sin(): its original must render in the browser, and a copy
 * whose hash is linear must match Node.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { type ServeHandle, serve } from '../../src/cli/serve.ts';
import { createContext } from '../../src/node/index.ts';
import type { GLContext } from '../../src/render/context.ts';
import { DESKTOP_GL_SHADERS, FILES_DIR, needs, skipOrFail } from '../helpers.ts';
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

const CORPUS = FILES_DIR;
const SHADERS = DESKTOP_GL_SHADERS.filter((f) => existsSync(resolve(CORPUS, f)));

const SIN_HASH = 'return fract(sin(dot(co.xy ,vec2(12.9898,78.233))) * 43758.5453);';
const ORIGINAL = 'Random Characters (original).fs';

/** A folder with the shaders, Random Characters with a linear hash, and its original under another name. */
function prepareFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'isf-desktop-gl-'));
  for (const f of SHADERS) copyFileSync(join(CORPUS, f), join(dir, f));
  const rc = join(CORPUS, 'Random Characters.fs');
  if (existsSync(rc)) {
    const source = readFileSync(rc, 'utf8');
    if (!source.includes(SIN_HASH)) throw new Error('Random Characters.fs changed: update SIN_HASH');
    writeFileSync(
      join(dir, 'Random Characters.fs'),
      source.replace(SIN_HASH, 'return fract(dot(co, vec2(0.1234, 0.5678)));'),
    );
    copyFileSync(rc, join(dir, ORIGINAL));
  }
  return dir;
}

const skip =
  CHROMIUM_MISSING || (SHADERS.length === 0 ? `${CORPUS} is missing: desktop-GL test skipped` : false);

describe('desktop-GL corpus shaders in the browser build vs Node', needs(skip), () => {
  let server: ServeHandle;
  let browser: Browser;
  let context: GLContext | undefined;
  let glSkip: string | undefined;
  let browserPixels: Record<string, string> = {};
  let dir: string | undefined;

  before(async () => {
    try {
      context = createContext().initialize();
    } catch (e) {
      glSkip = `no Node GL context (${(e as Error).message}): test skipped`;
      return;
    }
    dir = prepareFolder();
    [server, browser] = await Promise.all([serve({ path: dir, port: 0 }), launchChromium()]);
    const page = await browser.newPage();
    const errors = await preparePage(page);
    await page.goto(`${server.url}api/shaders`);
    const params: Params = {
      shaders: existsSync(join(dir, ORIGINAL)) ? [...SHADERS, ORIGINAL] : SHADERS,
      width: WIDTH,
      height: HEIGHT,
      frames: FRAMES,
      dateMs: DATE_MS,
      pattern: PATTERN,
      audio: AUDIO,
    };
    browserPixels = await page.evaluate(renderInPage, params);
    assert.deepEqual(errors, []);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    context?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('renders the original Random Characters in the browser', (t) => {
    if (glSkip) return skipOrFail(t, glSkip);
    const encoded = browserPixels[ORIGINAL];
    if (encoded === undefined) return skipOrFail(t, 'Random Characters.fs is not in the corpus');
    assert.ok(!encoded.startsWith('ERROR'), `browser: ${encoded}`);
    assert.ok(
      Buffer.from(encoded, 'base64').some((v) => v !== 0 && v !== 255),
      'no glyph colours drawn',
    );
  });

  for (const file of SHADERS) {
    it(file, async (t) => {
      if (glSkip) return skipOrFail(t, glSkip);
      const encoded = browserPixels[file];
      assert.ok(encoded !== undefined, `no browser result for ${file}`);
      assert.ok(!encoded.startsWith('ERROR'), `browser: ${encoded}`);
      const web = new Uint8Array(Buffer.from(encoded, 'base64'));
      const codes: string[] = [];
      const node = await renderNode(context!, dir!, file, (scene) => {
        codes.push(...scene.warnings.map((w) => w.code));
      });
      assert.ok(codes.includes('W_IMPLICIT_CONVERSION'), `${file}: ${codes.join(', ')}`);
      assert.ok(!codes.includes('W_DIALECT'), `${file} still needed the ES 3.10 retry in Node`);
      assert.equal(web.length, node.length);
      assert.ok(
        node.some((v) => v !== 0),
        `${file}: the Node render is all zero`,
      );
      const { means, max } = compare(web, node);
      t.diagnostic(`mean |diff| per channel ${means.map((m) => m.toFixed(3)).join(' ')}; max |diff| ${max}`);
      assert.ok(
        Math.max(...means) <= TOLERANCE,
        `${file}: mean |diff| per channel ${means.map((m) => m.toFixed(2)).join(', ')} > ${TOLERANCE} (max ${max})`,
      );
    });
  }
});
