/**
 * `isf serve --image name=path`: the page's image inputs start on the operator's files instead of the test
 * pattern. The server hands out exactly those files, by input name, even from outside the served folder; the
 * page's pickers still change them; a shader without such an input is untouched.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import sharp from 'sharp';
import { serve } from '../../src/cli/serve.ts';
import { assertISFError, needs, runIsf } from '../helpers.ts';
import { CHROMIUM_MISSING } from './chromium.ts';
import { PAGE_DEADLINE_MS, pageState, readCanvasPixel, useServedPage, waitForPixel } from './served-page.ts';

const FILTER =
  '/*{ "INPUTS": [ { "NAME": "inputImage", "TYPE": "image" } ] }*/\nvoid main() { gl_FragColor = IMG_THIS_NORM_PIXEL(inputImage); }\n';
// Left half shows inputImage, right half the second input (not preloaded: test pattern B).
const TWO = `/*{ "INPUTS": [ { "NAME": "inputImage", "TYPE": "image" }, { "NAME": "other", "TYPE": "image" } ] }*/
void main() {
  gl_FragColor = isf_FragNormCoord.x < 0.5 ? IMG_NORM_PIXEL(inputImage, vec2(0.5)) : IMG_NORM_PIXEL(other, vec2(0.5));
}
`;

const BLUE = [0, 0, 255, 255];
let outside: string;
let image: string;
before(async () => {
  outside = await mkdtemp(join(tmpdir(), 'isf-preload-outside-'));
  image = join(outside, 'blue.png');
  await sharp({ create: { width: 4, height: 4, channels: 4, background: { r: 0, g: 0, b: 255, alpha: 1 } } })
    .png()
    .toFile(image);
  await writeFile(join(outside, 'notes.txt'), 'not an image\n');
});
after(() => rm(outside, { recursive: true, force: true }));

describe('isf serve --image (chromium)', needs(CHROMIUM_MISSING), () => {
  const served = useServedPage(
    'isf-serve-preload-',
    async (dir) => {
      await writeFile(join(dir, 'filter.fs'), FILTER);
      await writeFile(join(dir, 'two.fs'), TWO);
    },
    () => ({ images: { inputImage: image } }),
  );
  before(() => served.page.goto(`${served.server.url}?shader=filter.fs&size=16x16&paused=1`));

  it('hands out the preloaded image by input name, and nothing else by path', async () => {
    const list = (await (await fetch(`${served.server.url}api/preload`)).json()) as unknown;
    assert.deepEqual(list, { images: [{ name: 'inputImage', label: 'blue.png' }] });
    const res = await fetch(`${served.server.url}preload?name=inputImage`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'image/png');
    const { width, channels } = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    assert.deepEqual([width, channels], [4, 4]);
    assert.equal((await fetch(`${served.server.url}preload?name=other`)).status, 404);
    assert.equal((await fetch(`${served.server.url}file?path=${encodeURIComponent(image)}`)).status, 403);
  });

  it('the image input starts on the file, not on the test pattern', async () => {
    await waitForPixel(served.page, 2, 2, BLUE);
    await waitForPixel(served.page, 13, 13, BLUE);
    assert.match(
      (await served.page.locator('[data-input="inputImage"] .image-label').textContent()) ?? '',
      /blue\.png/,
    );
    assert.deepEqual((await pageState(served.page)).errors, []);
  });

  it('another shader gets it for its input of that name only; the picker still changes it', async () => {
    await served.page.selectOption('header select', 'two.fs');
    // Until two.fs shows, the whole canvas is filter.fs's blue: wait for its right half to change.
    const right = await waitForOther(13, 8, BLUE);
    assert.equal(right?.[3], 255);
    assert.equal((await pageState(served.page)).shader, 'two.fs');
    await waitForPixel(served.page, 2, 8, BLUE);
    await served.page.click('[data-input="inputImage"] button:text-is("Pattern")');
    const left = await waitForOther(2, 8, BLUE);
    assert.notDeepEqual(left, BLUE, 'the picked test pattern replaced the preloaded image');
    assert.doesNotMatch(
      (await served.page.locator('[data-input="inputImage"] .image-label').textContent()) ?? '',
      /blue\.png/,
    );
  });

  /** Polls the canvas pixel until it is no longer `not` (or the deadline passes); returns what it last read. */
  async function waitForOther(x: number, y: number, not: number[]): Promise<number[] | undefined> {
    const deadline = Date.now() + PAGE_DEADLINE_MS;
    for (;;) {
      const px = await readCanvasPixel(served.page, x, y);
      if (px?.some((v, i) => v !== not[i]) || Date.now() > deadline) return px;
      await sleep(50);
    }
  }
});

describe('isf serve --image: checked before serving', () => {
  it('refuses a missing file, a file that is not an image, a flag without name=', async () => {
    await assert.rejects(
      serve({ path: outside, port: 0, images: { inputImage: join(outside, 'missing.png') } }),
      (e) => assertISFError(e, 'ISF_FILE_NOT_FOUND', /--image inputImage=.*missing\.png: no such file/),
    );
    await assert.rejects(
      serve({ path: outside, port: 0, images: { inputImage: join(outside, 'notes.txt') } }),
      (e) => assertISFError(e, 'BAD_ARGUMENT', /still images only, not \.txt/),
    );
    const r = runIsf(outside, ['serve', outside, '--port', '0', '--image', 'blue.png']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /Expected --image name=value but received "blue\.png"/);
  });
});
