/**
 * The browser preview draws straight to the canvas (renderToCanvas / FramePresenter.draw): the orientation markers
 * of ../shared/reference/inputs/input-a.png (yellow square top-left, white square bottom-right) show where they
 * belong, and no readPixels call is made per frame (counted through a wrapper on the page's WebGL2 context).
 * The same for a FLOAT last pass (drawn into the 8-bit canvas) and for persistent last passes, 8-bit and FLOAT
 * (kept in their target for the next frame, then copied onto the canvas by a shader), also across a real context
 * loss and restore midway (WEBGL_lose_context: the scene and the presenter's copy program are rebuilt).
 * Save-PNG-style render() still reads back, top row first.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { type ServeHandle, serve } from '../../src/cli/serve.ts';
import { decodeImage } from '../../src/node/images.ts';
import { needs, SHARED } from '../helpers.ts';
import { CHROMIUM_MISSING, launchChromium, preparePage } from './chromium.ts';

const INPUT_A = `${SHARED}/reference/inputs/input-a.png`;
const skip =
  CHROMIUM_MISSING || (existsSync(INPUT_A) ? false : `${INPUT_A} is missing: preview test skipped`);

interface PageResult {
  readPixelsDuringPreview: number;
  framesShown: number;
  canvas: string;
  width: number;
  height: number;
  savedTopLeft: number[];
  readPixelsForSave: number;
  /** How many times the context was rebuilt during the preview (its generation's increase). */
  rebuilds: number;
}

/** The pass setups under test: the last pass straight to the canvas, or kept in a target and copied there. */
const VARIANTS: Record<string, string> = {
  'one pass': '',
  'FLOAT last pass': ', "PASSES": [ { "FLOAT": true } ]',
  'persistent last pass': ', "PASSES": [ { "TARGET": "kept", "PERSISTENT": true } ]',
  'persistent FLOAT last pass': ', "PASSES": [ { "TARGET": "kept", "PERSISTENT": true, "FLOAT": true } ]',
};

/** Runs in the page. */
async function preview({
  png,
  passes,
  loseMidway,
}: {
  png: string;
  passes: string;
  loseMidway: boolean;
}): Promise<PageResult> {
  const bundle = '/isf.js';
  // biome-ignore lint/suspicious/noExplicitAny: the bundle is loaded at run time, untyped
  const isf: any = await import(bundle);
  const canvas = document.createElement('canvas');
  document.body.append(canvas);
  const context = isf.createBrowserContext(canvas).initialize(); // its attributes: antialias off
  const gl = canvas.getContext('webgl2') as WebGL2RenderingContext;
  const original = gl.readPixels;
  let reads = 0;
  gl.readPixels = function (this: WebGL2RenderingContext, ...args: unknown[]) {
    reads += 1;
    return (original as (...a: unknown[]) => void).apply(this, args);
  } as typeof gl.readPixels;
  const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
  const image = await isf.decodeBrowserImage(new Blob([bytes], { type: 'image/png' }));
  const scene = new isf.Scene(context);
  scene.useDocSync(
    isf.parseISF(
      `/*{ "INPUTS": [ { "NAME": "inputImage", "TYPE": "image" } ]${passes} }*/\nvoid main() { gl_FragColor = IMG_THIS_PIXEL(inputImage); }\n`,
    ),
  );
  scene.setImageData('inputImage', image);
  let shown = { width: 0, height: 0 };
  let framesShown = 0;
  const generation0 = context.generation;
  for (let k = 0; k < 10; k++) {
    if (loseMidway && k === 5) {
      // Lost and restored for real: the scene and the presenter's copy program are rebuilt on the next frame.
      const ext = gl.getExtension('WEBGL_lose_context')!;
      const event = (name: string) =>
        new Promise((resolve, reject) => {
          canvas.addEventListener(name, resolve, { once: true });
          setTimeout(() => reject(new Error(`no ${name} event within 10 s`)), 10_000);
        });
      const lost = event('webglcontextlost');
      ext.loseContext();
      await lost;
      // Chromium ignores a restoreContext() made in the task that delivered the loss: restore from a later one.
      await new Promise((resolve) => setTimeout(resolve, 0));
      const restored = event('webglcontextrestored');
      ext.restoreContext();
      await restored;
    }
    shown = isf.renderToCanvas(scene, { width: image.width, height: image.height, time: k / 30 });
    framesShown += 1;
  }
  const readPixelsDuringPreview = reads;
  // What the canvas shows, read with the unwrapped function (GL rows: bottom first).
  const px = new Uint8Array(image.width * image.height * 4);
  (original as (...a: unknown[]) => void).call(
    gl,
    0,
    0,
    image.width,
    image.height,
    gl.RGBA,
    gl.UNSIGNED_BYTE,
    px,
  );
  let binary = '';
  for (let i = 0; i < px.length; i += 0x8000) binary += String.fromCharCode(...px.subarray(i, i + 0x8000));
  reads = 0;
  const saved = scene.render({ width: image.width, height: image.height, time: 0 });
  const result = {
    readPixelsDuringPreview,
    framesShown,
    canvas: btoa(binary),
    width: shown.width,
    height: shown.height,
    savedTopLeft: [...saved.pixels.subarray(0, 4)],
    readPixelsForSave: reads,
    rebuilds: context.generation - generation0,
  };
  scene.destroy();
  context.destroy();
  return result;
}

describe('browser preview: straight to the canvas, no readback', needs(skip), () => {
  let server: ServeHandle;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  before(async () => {
    [server, browser] = await Promise.all([
      serve({ path: `${SHARED}/corpus/isf-tests`, port: 0 }),
      launchChromium(),
    ]);
    page = await browser.newPage();
    errors = await preparePage(page);
    await page.goto(`${server.url}api/shaders`);
  });

  after(async () => {
    await browser?.close();
    await server?.close();
  });

  const cases = [
    ...Object.entries(VARIANTS).map(([variant, passes]) => ({ variant, passes, loseMidway: false })),
    {
      variant: 'persistent FLOAT last pass, context lost and restored after 5 frames',
      passes: VARIANTS['persistent FLOAT last pass']!,
      loseMidway: true,
    },
  ];
  for (const { variant, passes, loseMidway } of cases) {
    it(`${variant}: shows input-a upright (markers in their corners) with no readPixels per frame`, async () => {
      const png = readFileSync(INPUT_A).toString('base64');
      const r = await page.evaluate(preview, { png, passes, loseMidway });
      assert.deepEqual(errors, []);
      assert.equal(r.framesShown, 10);
      assert.equal(r.rebuilds, loseMidway ? 1 : 0, 'context rebuilds during the preview');
      assert.equal(r.readPixelsDuringPreview, 0, 'the preview read pixels back');
      const input = await decodeImage(INPUT_A);
      const { width: W, height: H } = input;
      assert.deepEqual([r.width, r.height], [W, H]);
      const canvas = Buffer.from(r.canvas, 'base64');
      // Canvas row y (from the top) is GL row H - 1 - y.
      const at = (x: number, y: number) => [
        ...canvas.subarray(((H - 1 - y) * W + x) * 4, ((H - 1 - y) * W + x) * 4 + 4),
      ];
      assert.deepEqual(at(5, 5), [255, 255, 0, 255], 'yellow marker at the top-left');
      assert.deepEqual(at(W - 6, H - 6), [255, 255, 255, 255], 'white marker at the bottom-right');
      let differ = 0;
      for (let y = 0; y < H; y++)
        for (let x = 0; x < W; x++) {
          const i = (y * W + x) * 4;
          if (at(x, y).some((v, c) => Math.abs(v - input.data[i + c]!) > 1)) differ += 1;
        }
      assert.equal(differ, 0, 'the canvas shows the input, pixel for pixel');
      assert.deepEqual(
        r.savedTopLeft,
        [255, 255, 0, 255],
        'render() (Save PNG) still reads back, top row first',
      );
      assert.ok(r.readPixelsForSave >= 1);
    });
  }
});
