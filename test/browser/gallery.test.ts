/**
 * `isf serve <folder>` starts on its gallery (Debian's chromium through playwright-core): every shader listed
 * with an <img> thumbnail that loads, made by the same thumbnail code as `isf thumbnails` into a folder outside
 * the served one and served through the server's one path check; each card links to the shader's live page.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { needs } from '../helpers.ts';
import { CHROMIUM_MISSING } from './chromium.ts';
import { useServedPage } from './served-page.ts';

const solid = (rgb: string) =>
  `/*{ "DESCRIPTION": "solid ${rgb}", "INPUTS": [] }*/\nvoid main() { gl_FragColor = vec4(${rgb}, 1.0); }\n`;

describe('isf serve gallery (chromium)', needs(CHROMIUM_MISSING), () => {
  let cache: string;
  before(async () => {
    cache = await mkdtemp(join(tmpdir(), 'isf-gallery-cache-'));
  });
  const served = useServedPage(
    'isf-gallery-',
    async (dir) => {
      await writeFile(join(dir, 'green.fs'), solid('0.0, 1.0, 0.0'));
      await writeFile(join(dir, 'red.fs'), solid('1.0, 0.0, 0.0'));
      await writeFile(
        join(dir, 'broken.fs'),
        '/*{ "INPUTS": [] }*/\nvoid main() {\n  gl_FragColor = vec4(1.0)\n}\n',
      );
    },
    () => ({ thumbnails: cache }),
  );
  // After the server's close (hooks run in order): it writes thumbnails there.
  after(() => rm(cache, { recursive: true, force: true }));

  it('the start page lists the shaders with thumbnails that load, linking to their live pages', async () => {
    await served.page.goto(served.server.url, { timeout: 120_000 });
    const cards = await served.page.$$eval('article.card', (els) =>
      els.map((el) => {
        const img = el.querySelector('img');
        return {
          path: el.getAttribute('data-path'),
          href: el.querySelector('a')?.getAttribute('href') ?? null,
          src: img?.getAttribute('src') ?? null,
          error: el.querySelector('.error')?.textContent ?? null,
        };
      }),
    );
    assert.deepEqual(
      cards.map((c) => c.path),
      ['broken.fs', 'green.fs', 'red.fs'],
    );
    assert.deepEqual(
      cards.map((c) => c.href),
      ['/?shader=broken.fs', '/?shader=green.fs', '/?shader=red.fs'],
    );
    assert.equal(cards[0]!.src, null);
    assert.match(cards[0]!.error ?? '', /GLSL_COMPILE line 4/);
    assert.deepEqual(
      cards.slice(1).map((c) => c.src),
      ['/thumbnail?path=green.fs.png', '/thumbnail?path=red.fs.png'],
    );
    // Every <img> loaded (lazy images are scrolled into view first).
    await served.page.$$eval('img', (imgs) => {
      for (const img of imgs) img.loading = 'eager';
    });
    await served.page.waitForFunction(() =>
      Array.from(document.images).every((img) => img.complete && img.naturalWidth > 0),
    );
    const sizes = await served.page.$$eval('img', (imgs) =>
      imgs.map((img) => [img.naturalWidth, img.naturalHeight]),
    );
    assert.deepEqual(sizes, [
      [320, 180],
      [320, 180],
    ]);
    // The thumbnails hold the shaders' pixels.
    for (const [file, rgb] of [
      ['green.fs.png', [0, 255, 0]],
      ['red.fs.png', [255, 0, 0]],
    ] as const) {
      const res = await fetch(`${served.server.url}thumbnail?path=${file}`);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'image/png');
      const { data } = await sharp(Buffer.from(await res.arrayBuffer()))
        .raw()
        .toBuffer({ resolveWithObject: true });
      assert.deepEqual([...data.subarray(0, 3)], rgb, file);
    }
    assert.deepEqual(served.errors, []);
  });

  it('a card opens the live page of its shader', async () => {
    await served.page.click('article[data-path="red.fs"] a');
    await served.page.waitForFunction(
      () =>
        (globalThis as unknown as { isfPage?: { state(): { shader: string } } }).isfPage?.state().shader ===
        'red.fs',
    );
  });

  it('thumbnails go through the path check: nothing outside the thumbnails folder, only images', async () => {
    for (const bad of ['../red.fs', '/etc/passwd', 'manifest.json', '.hidden.png', '..%2Fred.fs.png']) {
      const res = await fetch(
        `${served.server.url}thumbnail?path=${bad.includes('%') ? bad : encodeURIComponent(bad)}`,
      );
      assert.ok([403, 404].includes(res.status), `${bad}: ${res.status}`);
    }
    assert.equal((await fetch(`${served.server.url}thumbnail?path=missing.png`)).status, 404);
  });
});
