/**
 * What the `isf serve` browser suites share: a temp folder the suite fills, the server on it, chromium and one
 * prepared page, opened in the suite's before() and closed in its after(); and the reads of the page's canvas and
 * state that they assert with.
 *
 * Every wait is a poll for a condition under one generous deadline (PAGE_DEADLINE_MS, also the page's default
 * timeout): on a loaded machine SwiftShader can take many seconds to compile a shader or draw a frame, and a
 * deadline that is only a ceiling costs nothing when the page is quick. Nothing here asserts how long anything took.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { type ServeHandle, type ServeOptions, serve } from '../../src/cli/serve.ts';
import { launchChromium, preparePage } from './chromium.ts';

/** How long a wait on the page may take before it fails: a ceiling for a loaded machine, not a speed target. */
export const PAGE_DEADLINE_MS = 60_000;

/** How often waitForPixel() reads the canvas again. */
const POLL_MS = 50;

export interface ServedPage {
  /** The served folder: a fresh temp folder, removed in after(). */
  readonly dir: string;
  readonly server: ServeHandle;
  readonly browser: Browser;
  readonly page: Page;
  /** The page's errors and console errors since it opened (preparePage()). */
  readonly errors: string[];
}

/**
 * Registers the before() and after() hooks of the calling suite that open and close a served page: a temp folder
 * named `prefix...` filled by `fill`, `isf serve` on it (with `options()`, read once the folder is filled) and a
 * chromium page prepared by preparePage(), not yet navigated. The fields of the result are set once before() ran.
 */
export function useServedPage(
  prefix: string,
  fill: (dir: string) => Promise<unknown>,
  options: () => Omit<ServeOptions, 'path' | 'port'> = () => ({}),
): ServedPage {
  const served = {} as { -readonly [K in keyof ServedPage]: ServedPage[K] };
  before(async () => {
    served.dir = await mkdtemp(join(tmpdir(), prefix));
    await fill(served.dir);
    [served.server, served.browser] = await Promise.all([
      serve({ ...options(), path: served.dir, port: 0 }),
      launchChromium(),
    ]);
    served.page = await served.browser.newPage();
    served.page.setDefaultTimeout(PAGE_DEADLINE_MS);
    served.errors = await preparePage(served.page);
  });
  after(async () => {
    await served.browser?.close();
    await served.server?.close();
    if (served.dir) await rm(served.dir, { recursive: true, force: true });
  });
  return served;
}

export type RGBA = [number, number, number, number];

/**
 * The pixel of the page's output canvas at (x, y from the top), from the default framebuffer (the shown frame,
 * kept readable by preserveDrawingBuffer) whatever framebuffer the page left bound; undefined while the page has no
 * canvas with a context yet.
 */
export function readCanvasPixel(page: Page, x: number, y: number): Promise<RGBA | undefined> {
  return page.evaluate(
    ({ x, y }) => {
      const c = document.querySelector('canvas.output') as HTMLCanvasElement | null;
      const gl = c?.getContext('webgl2');
      if (!c || !gl) return undefined;
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

/** What the page's `isfPage.state()` reports (the fields the suites read). */
export interface PageState {
  shader: string;
  frames: number;
  contextState: string;
  errors: { code: string; line?: number; message: string }[];
  reloads: number;
}

export function pageState(page: Page): Promise<PageState> {
  return page.evaluate(() => (globalThis as unknown as { isfPage: { state(): PageState } }).isfPage.state());
}

function near(actual: RGBA | undefined, expect: (number | null)[], tol: number): boolean {
  return actual !== undefined && expect.every((v, i) => v === null || Math.abs(actual[i]! - v) <= tol);
}

function pixelText(actual: RGBA | undefined): string {
  return actual ? actual.join(',') : 'not readable (no canvas)';
}

/**
 * Polls the canvas pixel at (x, y from the top) until it matches `expect` (null = any channel) within `tol`, for
 * frames the page draws on its own (a slider moved, a file edited); fails with the last pixel read once
 * PAGE_DEADLINE_MS has passed without a match.
 */
export async function waitForPixel(
  page: Page,
  x: number,
  y: number,
  expect: (number | null)[],
  tol = 3,
): Promise<RGBA> {
  const deadline = performance.now() + PAGE_DEADLINE_MS;
  for (;;) {
    const actual = await readCanvasPixel(page, x, y);
    if (near(actual, expect, tol)) return actual!;
    if (performance.now() > deadline) {
      assert.fail(`pixel (${x}, ${y}) is ${pixelText(actual)}, expected ${expect.join(',')} (±${tol})`);
    }
    await sleep(POLL_MS);
  }
}

/**
 * Waits until the page has drawn a frame of a load newer than `reloads` (page state only: no GL call of the test
 * runs between the page's own; a load that fails never counts, and the failure then shows the page's errors), then
 * checks the canvas pixel (y from the top) against `expect` within `tol`.
 */
export async function expectPixel(
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
        // Only a newer load counts: errors shown before it (a missing include about to be created) are not the
        // answer, and reading the canvas then raced the reload (seen in a fresh clone's CI run).
        return s !== undefined && s.reloads > reloads && s.frames > 0;
      },
      reloads,
      { timeout: PAGE_DEADLINE_MS, polling: 100 },
    );
  } catch {
    assert.fail(`no frame drawn: ${JSON.stringify(await pageState(page))}`);
  }
  // One more animation frame, so that the frame of the newest load is on the canvas.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const actual = await readCanvasPixel(page, x, y);
  const text = await page.locator('.messages').textContent();
  assert.ok(
    near(actual, expect, tol),
    `pixel (${x}, ${y}) is ${pixelText(actual)}, expected ${expect.join(',')} (±${tol}); ${text}`,
  );
}
