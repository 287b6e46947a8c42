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
import { type ServeHandle, serve } from '../../src/cli/serve.ts';
import { needs } from '../helpers.ts';
import { CHROMIUM_MISSING } from './chromium.ts';
import { expectPixel, pageState, useServedPage } from './served-page.ts';

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
  const served = useServedPage('isf-serve-src-', writeFolder);

  it('lists Shadertoy sources but not include libraries or other JSON', async () => {
    const list = (await (await fetch(`${served.server.url}api/shaders`)).json()) as {
      shaders: { path: string }[];
    };
    assert.deepEqual(
      list.shaders.map((s) => s.path),
      ['inc.fs', 'miss.fs', 'multi.json', 'toy.glsl'],
    );
  });

  it('a shader with a nested #include renders the included colour', async () => {
    await served.page.goto(`${served.server.url}?shader=inc.fs&size=16x8&paused=1`);
    await expectPixel(served.page, 0, 3, 3, [51, 102, 153, 255]);
    const codes = await served.page
      .locator('.messages .warning')
      .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-code')}:${e.textContent}`));
    assert.equal(codes.length, 2, codes.join('\n'));
    assert.match(codes[0]!, /^W_GLSL_DIALECT:.*inc\.fs:2.*lib\/colour\.glsl/);
    assert.match(codes[1]!, /^W_GLSL_DIALECT:.*lib\/colour\.glsl:1.*lib\/inner\.glsl/);
    assert.deepEqual(served.errors, []);
  });

  it('an edit to an included file reloads the shader', async () => {
    const { reloads } = await pageState(served.page);
    await writeFile(join(served.dir, 'lib', 'inner.glsl'), inner(0.8));
    await expectPixel(served.page, reloads, 3, 3, [204, 102, 153, 255]);
  });

  it("the browser API's loadISF resolves the same includes", async () => {
    const pixel = await served.page.evaluate(async () => {
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
    await served.page.goto(`${served.server.url}?shader=toy.glsl&size=64x36&paused=1`);
    // red = x (2.5 / 64), green = y from the bottom (17.5 / 36), blue = iResolution.z / 2
    await expectPixel(served.page, 0, 2, 18, [10, 124, 128, 255]);
    await expectPixel(served.page, 0, 63, 0, [253, 251, 128, 255]);
    const warning = served.page.locator('.messages .warning[data-code="W_CONVERT"]');
    assert.match((await warning.first().textContent()) ?? '', /mainVR/);
    assert.equal(await served.page.locator('.messages .error').count(), 0);
  });

  it('a multi-pass Shadertoy API .json renders its image pass reading buffer A', async () => {
    await served.page.goto(`${served.server.url}?shader=multi.json&size=16x8&paused=1`);
    await expectPixel(served.page, 0, 5, 5, [255, 153, 51, 255]);
    assert.equal(await served.page.locator('.messages .error').count(), 0);
  });

  it('a missing include shows ISF_INCLUDE at the including line; creating the file loads it', async () => {
    await served.page.goto(`${served.server.url}?shader=miss.fs&size=16x8&paused=1`);
    const error = served.page.locator('.messages .error[data-code="ISF_INCLUDE"]').first();
    await error.waitFor();
    assert.equal(await error.getAttribute('data-line'), '4');
    assert.match(
      (await error.textContent()) ?? '',
      /miss\.fs:4:1: #include "lib\/later\.glsl": file lib\/later\.glsl not found/,
    );
    const { reloads } = await pageState(served.page);
    await writeFile(
      join(served.dir, 'lib', 'later.glsl'),
      'vec4 later() { return vec4(0.0, 1.0, 0.0, 1.0); }\n',
    );
    await expectPixel(served.page, reloads, 3, 3, [0, 255, 0, 255]);
    assert.equal(await served.page.locator('.messages .error').count(), 0);
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
