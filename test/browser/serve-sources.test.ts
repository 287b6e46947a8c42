/**
 * `isf serve` with the sources Node's loadISF accepts beyond plain .fs: `#include "file"` fetched by the page
 * through the server's one file check (nested, relative to the including file, reloaded when an included file
 * changes, ISF_INCLUDE at the including line when one is missing), the browser API's loadISF doing the same, and
 * Shadertoy / GLSL Sandbox sources (a mainImage .glsl, a multi-pass API .json) converted on the fly in the page.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type ServeHandle, serve } from '../../src/cli/serve.ts';
import { needs } from '../helpers.ts';
import { CHROMIUM_MISSING, launchChromium, preparePage } from './chromium.ts';

const INC = `/*{ "ISFVSN": "2" }*/
#include "lib/colour.glsl"
void main() { gl_FragColor = colour(); }
`;
const COLOUR = '#include "inner.glsl"\nvec4 colour() { return innerColour(); }\n';
const inner = (red: number) => `vec4 innerColour() { return vec4(${red.toFixed(1)}, 0.4, 0.6, 1.0); }\n`;
// Line 4 includes the missing file.
const MISS = `/*{ "ISFVSN": "2" }*/

vec4 other() { return vec4(1.0); }
#include "lib/later.glsl"
void main() { gl_FragColor = later(); }
`;
const TOY = `// A Shadertoy shader: red = x, green = y, blue = iResolution.z / 2
void mainImage(out vec4 c, in vec2 p) {
  c = vec4(p.x / iResolution.x, p.y / iResolution.y, iResolution.z * 0.5, 1.0);
}
void mainVR(out vec4 c, in vec2 p, in vec3 ro, in vec3 rd) { c = vec4(0.0); }
`;
const MULTI = JSON.stringify({
  Shader: {
    info: { id: 'tst', name: 'Two passes', username: 'tester' },
    renderpass: [
      {
        name: 'Buffer A',
        type: 'buffer',
        code: 'void mainImage(out vec4 c, in vec2 p) { c = vec4(0.2, 0.6, 1.0, 1.0); }',
        inputs: [],
        outputs: [{ id: '257', channel: 0 }],
      },
      {
        name: 'Image',
        type: 'image',
        code: 'void mainImage(out vec4 c, in vec2 p) { c = texture(iChannel0, p / iResolution.xy).bgra; }',
        inputs: [{ channel: 0, ctype: 'buffer', id: '257' }],
        outputs: [{ id: '37', channel: 0 }],
      },
    ],
  },
});

type RGBA = [number, number, number, number];

function readCanvasPixel(page: Page, x: number, y: number): Promise<RGBA> {
  return page.evaluate(
    ({ x, y }) => {
      const c = document.querySelector('canvas.output') as HTMLCanvasElement;
      const gl = c.getContext('webgl2')!;
      const px = new Uint8Array(4);
      const bound = gl.getParameter(gl.READ_FRAMEBUFFER_BINDING);
      gl.bindFramebuffer(gl.READ_FRAMEBUFFER, null);
      gl.readPixels(x, c.height - 1 - y, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
      gl.bindFramebuffer(gl.READ_FRAMEBUFFER, bound);
      return [...px] as RGBA;
    },
    { x, y },
  );
}

interface PageState {
  frames: number;
  reloads: number;
  errors: { code: string; message: string }[];
}

function state(page: Page): Promise<PageState> {
  return page.evaluate(() => (globalThis as unknown as { isfPage: { state(): PageState } }).isfPage.state());
}

/**
 * Waits until the page has drawn a frame of a load newer than `reloads` (page state only: no GL call of the test
 * runs between the page's own), then checks the canvas pixel (y from the top) against `expect` within `tol`.
 */
async function expectPixel(
  page: Page,
  reloads: number,
  x: number,
  y: number,
  expect: number[],
  tol = 3,
): Promise<void> {
  try {
    await page.waitForFunction(
      (reloads) => {
        const s = (globalThis as unknown as { isfPage?: { state(): PageState } }).isfPage?.state();
        return s !== undefined && (s.errors.length > 0 || (s.reloads > reloads && s.frames > 0));
      },
      reloads,
      { timeout: 20000, polling: 100 },
    );
  } catch {
    assert.fail(`no frame drawn: ${JSON.stringify(await state(page))}`);
  }
  // One more animation frame, so that the frame of the newest load is on the canvas.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const actual = await readCanvasPixel(page, x, y);
  const text = await page.locator('.messages').textContent();
  assert.ok(
    actual.every((v, i) => Math.abs(v - expect[i]!) <= tol),
    `pixel (${x}, ${y}) is ${actual.join(',')}, expected ${expect.join(',')} (±${tol}); ${text}`,
  );
}

async function writeFolder(dir: string): Promise<void> {
  await mkdir(join(dir, 'lib'));
  await Promise.all([
    writeFile(join(dir, 'inc.fs'), INC),
    writeFile(join(dir, 'lib', 'colour.glsl'), COLOUR),
    writeFile(join(dir, 'lib', 'inner.glsl'), inner(0.2)),
    writeFile(join(dir, 'miss.fs'), MISS),
    writeFile(join(dir, 'toy.glsl'), TOY),
    writeFile(join(dir, 'multi.json'), MULTI),
    writeFile(join(dir, 'notes.json'), '{ "not": "a shader" }'),
  ]);
}

describe('isf serve: includes and converted sources (chromium)', needs(CHROMIUM_MISSING), () => {
  let dir: string;
  let server: ServeHandle;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'isf-serve-src-'));
    await writeFolder(dir);
    [server, browser] = await Promise.all([serve({ path: dir, port: 0 }), launchChromium()]);
    page = await browser.newPage();
    errors = await preparePage(page);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists Shadertoy sources but not include libraries or other JSON', async () => {
    const list = (await (await fetch(`${server.url}api/shaders`)).json()) as { shaders: { path: string }[] };
    assert.deepEqual(
      list.shaders.map((s) => s.path),
      ['inc.fs', 'miss.fs', 'multi.json', 'toy.glsl'],
    );
  });

  it('a shader with a nested #include renders the included colour', async () => {
    await page.goto(`${server.url}?shader=inc.fs&size=16x8&paused=1`);
    await expectPixel(page, 0, 3, 3, [51, 102, 153, 255]);
    const codes = await page
      .locator('.messages .warning')
      .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-code')}:${e.textContent}`));
    assert.equal(codes.length, 2, codes.join('\n'));
    assert.match(codes[0]!, /^W_GLSL_DIALECT:.*inc\.fs:2.*lib\/colour\.glsl/);
    assert.match(codes[1]!, /^W_GLSL_DIALECT:.*lib\/colour\.glsl:1.*lib\/inner\.glsl/);
    assert.deepEqual(errors, []);
  });

  it('an edit to an included file reloads the shader', async () => {
    const { reloads } = await state(page);
    await writeFile(join(dir, 'lib', 'inner.glsl'), inner(0.8));
    await expectPixel(page, reloads, 3, 3, [204, 102, 153, 255]);
  });

  it("the browser API's loadISF resolves the same includes", async () => {
    const pixel = await page.evaluate(async () => {
      const bundle = '/isf.js';
      // biome-ignore lint/suspicious/noExplicitAny: the bundle is loaded at run time, untyped
      const isf: any = await import(bundle);
      const urlOf = (p: string) => `/file?path=${encodeURIComponent(p)}`;
      const doc = await isf.loadISF('inc.fs', { urlOf });
      const context = isf.createBrowserContext(document.createElement('canvas'));
      const scene = new isf.Scene(context, { platform: isf.browserPlatform({ importedUrl: urlOf }) });
      await scene.useDoc(doc);
      const frame = scene.render({ width: 2, height: 2 });
      const out = [...frame.pixels.subarray(0, 4)];
      scene.destroy();
      context.destroy();
      return out;
    });
    assert.deepEqual(pixel, [204, 102, 153, 255]);
  });

  it('a Shadertoy .glsl is converted in the page and shows the converter warnings', async () => {
    await page.goto(`${server.url}?shader=toy.glsl&size=64x36&paused=1`);
    // red = x (2.5 / 64), green = y from the bottom (17.5 / 36), blue = iResolution.z / 2
    await expectPixel(page, 0, 2, 18, [10, 124, 128, 255]);
    await expectPixel(page, 0, 63, 0, [253, 251, 128, 255]);
    const warning = page.locator('.messages .warning[data-code="W_CONVERT"]');
    assert.match((await warning.first().textContent()) ?? '', /mainVR/);
    assert.equal(await page.locator('.messages .error').count(), 0);
  });

  it('a multi-pass Shadertoy API .json renders its image pass reading buffer A', async () => {
    await page.goto(`${server.url}?shader=multi.json&size=16x8&paused=1`);
    await expectPixel(page, 0, 5, 5, [255, 153, 51, 255]);
    assert.equal(await page.locator('.messages .error').count(), 0);
  });

  it('a missing include shows ISF_INCLUDE at the including line; creating the file loads it', async () => {
    await page.goto(`${server.url}?shader=miss.fs&size=16x8&paused=1`);
    const error = page.locator('.messages .error[data-code="ISF_INCLUDE"]').first();
    await error.waitFor({ timeout: 10000 });
    assert.equal(await error.getAttribute('data-line'), '4');
    assert.match(
      (await error.textContent()) ?? '',
      /miss\.fs:4:1: #include "lib\/later\.glsl": file lib\/later\.glsl not found/,
    );
    const { reloads } = await state(page);
    await writeFile(join(dir, 'lib', 'later.glsl'), 'vec4 later() { return vec4(0.0, 1.0, 0.0, 1.0); }\n');
    await expectPixel(page, reloads, 3, 3, [0, 255, 0, 255]);
    assert.equal(await page.locator('.messages .error').count(), 0);
  });
});

describe('isf serve one shader: its includes are served, nothing else', () => {
  let dir: string;
  let server: ServeHandle;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'isf-serve-one-'));
    await writeFolder(dir);
    server = await serve({ path: join(dir, 'inc.fs'), port: 0 });
  });
  after(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves the nested include and refuses a file the shader does not name', async () => {
    const get = (p: string) => fetch(`${server.url}file?path=${encodeURIComponent(p)}`);
    const nested = await get('lib/inner.glsl');
    assert.equal(nested.status, 200);
    assert.equal(await nested.text(), inner(0.2));
    assert.equal((await get('toy.glsl')).status, 403);
    assert.equal((await get('../inc.fs')).status, 403);
  });
});
