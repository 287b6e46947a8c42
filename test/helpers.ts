/**
 * Shared test helpers: where ../shared is, one GL context per test file, images made in code.
 */

import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ISFDocument } from '../src/core/document.ts';
import { ISFError } from '../src/core/errors.ts';
import { createContext } from '../src/node/context.ts';
import { loadISF } from '../src/node/load.ts';
import { nodePlatform } from '../src/node/platform.ts';
import type { GLContext } from '../src/render/context.ts';
import type { RawImage } from '../src/render/images.ts';
import { Scene } from '../src/render/scene.ts';

export const REPO = fileURLToPath(new URL('..', import.meta.url));
export const SHARED = join(REPO, '..', 'shared');
export const TESTS_DIR = join(SHARED, 'corpus', 'isf-tests');
export const FILES_DIR = join(SHARED, 'corpus', 'isf-files');

export function testShader(name: string): string {
  return join(TESTS_DIR, `${name}.fs`);
}

let shared: GLContext | undefined;
/** One context per test file (process): created on first use. */
export function context(): GLContext {
  shared ??= createContext().initialize();
  return shared;
}

export async function sceneFor(
  path: string,
  ctx: GLContext = context(),
): Promise<{ scene: Scene; doc: ISFDocument }> {
  const doc = await loadISF(path);
  const scene = new Scene(ctx, { platform: nodePlatform });
  await scene.useDoc(doc);
  return { scene, doc };
}

/** A w x h image where every pixel is `rgba` (0..255). */
export function solid(width: number, height: number, rgba: [number, number, number, number]): RawImage {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set(rgba, i);
  return { width, height, data };
}

/** A w x h image with distinct pixels: r = x ramp, g = y ramp (top row first), b = (x*7+y*13)&255, a = 255. */
export function ramp(width: number, height: number): RawImage {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = Math.round((x / Math.max(1, width - 1)) * 255);
      data[i + 1] = Math.round((y / Math.max(1, height - 1)) * 255);
      data[i + 2] = (x * 7 + y * 13) & 255;
      data[i + 3] = 255;
    }
  }
  return { width, height, data };
}

export function pixelOf(
  img: { width: number; data?: ArrayLike<number>; pixels?: ArrayLike<number> },
  x: number,
  y: number,
): number[] {
  const d = (img.pixels ?? img.data)!;
  const i = (y * img.width + x) * 4;
  return [d[i]!, d[i + 1]!, d[i + 2]!, d[i + 3]!];
}

export function assertISFError(e: unknown, code: string, message?: RegExp): true {
  if (!(e instanceof ISFError))
    throw new Error(`expected ISFError ${code}, got ${e instanceof Error ? e.stack : e}`);
  if (e.code !== code) throw new Error(`expected code ${code}, got ${e.code}: ${e.message}`);
  if (message && !message.test(e.message))
    throw new Error(`message "${e.message}" does not match ${message}`);
  return true;
}

/** Mean absolute difference per channel value between two RGBA buffers of equal size. */
export function meanDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 255;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

const toolChecks = new Map<string, boolean>();

/**
 * For `test(..., { skip: needsTool('ffmpeg') })`: false when the command runs (`<tool> -version`), else the
 * reason to skip; under ISF_TEST_STRICT=1 a missing tool fails instead of skipping.
 */
export function needsTool(tool: string): string | false {
  let ok = toolChecks.get(tool);
  if (ok === undefined) {
    ok = spawnSync(tool, ['-version'], { stdio: 'ignore' }).status === 0;
    toolChecks.set(tool, ok);
  }
  if (ok) return false;
  if (process.env.ISF_TEST_STRICT === '1') {
    throw new Error(`${tool} is not installed and ISF_TEST_STRICT=1 (apt-get install ${tool})`);
  }
  return `${tool} is not installed`;
}
