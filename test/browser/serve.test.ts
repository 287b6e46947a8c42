/**
 * `isf serve` in a real browser (Debian's chromium through playwright-core, WebGL2 on SwiftShader): the page
 * renders, its controls drive the shader, edits on disk reload it, errors show with the user's line numbers,
 * context loss is survived, shaders can be switched and frames saved. Pixels are read from the page's canvas.
 */
import assert from 'node:assert/strict';
import { readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { needs } from '../helpers.ts';
import { CHROMIUM_MISSING } from './chromium.ts';
import { type PageState, pageState, useServedPage, waitForPixel } from './served-page.ts';

// Line 9 is the one the error tests break; keep the layout.
const shaderA = (
  blue: string,
  line9 = `  gl_FragColor = vec4(level, isf_FragNormCoord.x, ${blue}, 1.0);`,
): string =>
  [
    '/*{',
    '  "DESCRIPTION": "red = level, green = x",',
    '  "INPUTS": [',
    '    { "NAME": "level", "TYPE": "float", "DEFAULT": 0.25, "MIN": 0.0, "MAX": 1.0 }',
    '  ]',
    '}*/',
    '',
    'void main() {',
    line9,
    '}',
    '',
  ].join('\n');

// A filter: shows its image input, which the page fills with its test pattern (yellow square top-left).
const SHADER_B =
  '/*{ "INPUTS": [ { "NAME": "inputImage", "TYPE": "image" } ] }*/\nvoid main() { gl_FragColor = IMG_THIS_NORM_PIXEL(inputImage); }\n';

describe('isf serve page (chromium)', needs(CHROMIUM_MISSING), () => {
  const outside = join(tmpdir(), 'isf-serve-outside.fs');
  const served = useServedPage('isf-serve-', async (dir) => {
    await writeFile(join(dir, 'a.fs'), shaderA('0.0'));
    await writeFile(join(dir, 'b.fs'), SHADER_B);
    await writeFile(outside, SHADER_B);
    await symlink(outside, join(dir, 'link.fs'));
  });
  before(() => served.page.goto(`${served.server.url}?shader=a.fs&size=64x36&paused=1`));
  after(() => rm(outside, { force: true }));

  it('serves the shader list and refuses paths outside the folder', async () => {
    const list = (await (await fetch(`${served.server.url}api/shaders`)).json()) as {
      shaders: { path: string }[];
    };
    assert.deepEqual(
      list.shaders.map((s) => s.path),
      ['a.fs', 'b.fs', 'link.fs'],
    );
    const a = (await (await fetch(`${served.server.url}shader?path=a.fs`)).json()) as { source: string };
    assert.equal(a.source, shaderA('0.0'));
    for (const bad of ['../etc/passwd', '/etc/passwd', 'link.fs', '..%2F..%2Fetc%2Fpasswd']) {
      const res = await fetch(
        `${served.server.url}shader?path=${bad.includes('%') ? bad : encodeURIComponent(bad)}`,
      );
      assert.equal(res.status, 403, `${bad} should be refused, got ${res.status}`);
    }
    assert.equal(
      (await fetch(`${served.server.url}file?path=${encodeURIComponent('/etc/passwd')}`)).status,
      403,
    );
    assert.equal((await fetch(`${served.server.url}shader?path=missing.fs`)).status, 404);
  });

  it('renders the shader with the expected pixels', async () => {
    // red = level 0.25 -> 64; green = normalized x at pixel centre (2.5 / 64) -> 10; right edge -> 253
    await waitForPixel(served.page, 2, 18, [64, 10, 0, 255]);
    await waitForPixel(served.page, 63, 18, [64, 253, 0, 255]);
    const s = await pageState(served.page);
    assert.equal(s.shader, 'a.fs');
    assert.deepEqual(s.errors, []);
    assert.equal(await served.page.locator('[data-input="level"] input[type=range]').count(), 1);
    assert.deepEqual(served.errors, []);
  });

  it('moving the slider changes the pixels', async () => {
    await served.page.locator('[data-input="level"] input[type=range]').evaluate((el: HTMLInputElement) => {
      el.value = '0.75';
      el.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await waitForPixel(served.page, 2, 18, [191, 10, 0, 255]);
  });

  it('reloads the shader when the file changes on disk, keeping input values', async () => {
    const before = (await pageState(served.page)).reloads;
    await writeFile(join(served.dir, 'a.fs'), shaderA('1.0'));
    await waitForPixel(served.page, 2, 18, [191, 10, 255, 255]);
    assert.equal((await pageState(served.page)).reloads, before + 1);
  });

  it('shows a GLSL error with the line of the .fs and keeps the last good frame', async () => {
    await writeFile(join(served.dir, 'a.fs'), shaderA('1.0', '  gl_FragColor = vec4(level, 0.0 0.0, 1.0);'));
    const error = served.page.locator('.messages .error').first();
    await error.waitFor();
    assert.equal(await error.getAttribute('data-line'), '9', (await error.textContent()) ?? undefined);
    assert.match((await error.textContent()) ?? '', /a\.fs:9/);
    const s = await pageState(served.page);
    assert.equal(s.errors[0]?.code, 'GLSL_COMPILE');
    const frames = s.frames;
    await served.page.waitForTimeout(200);
    assert.equal((await pageState(served.page)).frames, frames, 'no new frames while the shader is broken');
    await waitForPixel(served.page, 2, 18, [191, 10, 255, 255]);
  });

  it('shows a JSON error with its line, then recovers when fixed', async () => {
    // A missing colon: not JSON for any host (a trailing comma is accepted now, with W_JSON_LENIENT).
    const broken = shaderA('1.0').replace('"MAX": 1.0 }', '"MAX" 1.0 }');
    await writeFile(join(served.dir, 'a.fs'), broken);
    const error = served.page.locator('.messages .error[data-code="ISF_JSON_SYNTAX"]').first();
    await error.waitFor();
    assert.equal(await error.getAttribute('data-line'), '4', (await error.textContent()) ?? undefined);
    await writeFile(join(served.dir, 'a.fs'), shaderA('0.5'));
    await waitForPixel(served.page, 2, 18, [191, 10, 128, 255]);
    assert.equal(await served.page.locator('.messages .error').count(), 0);
  });

  it('switches to another shader of the folder', async () => {
    await served.page.selectOption('header select', 'b.fs');
    await waitForPixel(served.page, 2, 2, [255, 255, 0, 255]);
    assert.equal((await pageState(served.page)).shader, 'b.fs');
    assert.deepEqual(
      await served.page
        .locator('[data-input]')
        .evaluateAll((els) => els.map((e) => e.getAttribute('data-input'))),
      ['inputImage'],
    );
  });

  it('takes an image input from a picked file', async () => {
    const png = await sharp({
      create: { width: 8, height: 8, channels: 4, background: { r: 0, g: 255, b: 0, alpha: 1 } },
    })
      .png()
      .toBuffer();
    await served.page
      .locator('[data-input="inputImage"] input[type=file]')
      .setInputFiles({ name: 'green.png', mimeType: 'image/png', buffer: png });
    await waitForPixel(served.page, 2, 2, [0, 255, 0, 255]);
    assert.match(
      (await served.page.locator('[data-input="inputImage"] .image-label').textContent()) ?? '',
      /green\.png/,
    );
    await served.page.click('[data-input="inputImage"] button:text-is("Pattern")');
    await waitForPixel(served.page, 2, 2, [255, 255, 0, 255]);
  });

  it('survives WebGL context loss and restore (WEBGL_lose_context)', async () => {
    const generation = await served.page.evaluate(() => {
      const c = document.querySelector('canvas.output') as HTMLCanvasElement;
      const ext = c.getContext('webgl2')!.getExtension('WEBGL_lose_context')!;
      (globalThis as unknown as { loseExt: WEBGL_lose_context }).loseExt = ext;
      ext.loseContext();
      return (globalThis as unknown as { isfPage: { context: { generation: number } } }).isfPage.context
        .generation;
    });
    await served.page.waitForFunction(
      () =>
        (globalThis as unknown as { isfPage: { state(): PageState } }).isfPage.state().contextState ===
        'lost',
    );
    const frames = (await pageState(served.page)).frames;
    await served.page.evaluate(() =>
      (globalThis as unknown as { loseExt: WEBGL_lose_context }).loseExt.restoreContext(),
    );
    await served.page.waitForFunction((frames) => {
      const s = (globalThis as unknown as { isfPage: { state(): PageState } }).isfPage.state();
      return s.contextState === 'ready' && s.frames > frames;
    }, frames);
    const after = await served.page.evaluate(
      () =>
        (globalThis as unknown as { isfPage: { context: { generation: number } } }).isfPage.context
          .generation,
    );
    assert.equal(after, generation + 1);
    await waitForPixel(served.page, 2, 2, [255, 255, 0, 255]);
    await waitForPixel(served.page, 40, 18, [192, 0, 0, 255]);
    assert.equal(await served.page.locator('.messages .error').count(), 0);
  });

  it('saves the current frame as PNG', async () => {
    const [download] = await Promise.all([
      served.page.waitForEvent('download'),
      served.page.click('button.save'),
    ]);
    assert.match(download.suggestedFilename(), /^b-.*\.png$/);
    const bytes = await readFile((await download.path())!);
    assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    assert.deepEqual(served.errors, []);
  });

  it('switching to a shader with errors shows its errors, not the previous shader’s controls', async () => {
    await writeFile(join(served.dir, 'a.fs'), shaderA('1.0', '  gl_FragColor = vec4(level, 0.0 0.0, 1.0);'));
    await served.page.selectOption('header select', 'a.fs');
    await served.page.waitForFunction(() => document.querySelectorAll('.messages .error').length > 0);
    assert.equal(await served.page.locator('[data-input]').count(), 0, 'no controls left from b.fs');
    assert.match((await served.page.locator('aside.inputs').textContent()) ?? '', /has errors/);
    await writeFile(join(served.dir, 'a.fs'), shaderA('0.5'));
    await served.page.waitForFunction(() => document.querySelectorAll('[data-input]').length > 0);
    assert.equal(await served.page.locator('.messages .error').count(), 0);
  });

  it('a point3D input (Vuo, ossia score) gets one number field per component that drives the vec3', async () => {
    await writeFile(
      join(served.dir, 'p3.fs'),
      '/*{ "ISFVSN": "2", "INPUTS": [ { "NAME": "p", "TYPE": "point3D", "DEFAULT": [0.25, 0.5, 0.75] } ] }*/\nvoid main() { gl_FragColor = vec4(p, 1.0); }\n',
    );
    await served.page.goto(`${served.server.url}?shader=p3.fs&size=64x36&paused=1`);
    await waitForPixel(served.page, 2, 2, [64, 128, 191, 255]);
    const fields = served.page.locator('[data-input="p"] input[type=number]');
    assert.deepEqual(await fields.evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value)), [
      '0.25',
      '0.5',
      '0.75',
    ]);
    await fields.nth(0).evaluate((el: HTMLInputElement) => {
      el.value = '1';
      el.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await fields.nth(2).evaluate((el: HTMLInputElement) => {
      el.value = '0';
      el.dispatchEvent(new Event('change', { bubbles: true }));
    });
    await waitForPixel(served.page, 2, 2, [255, 128, 0, 255]);
    assert.equal(await served.page.locator('.messages .error').count(), 0);
  });
});
