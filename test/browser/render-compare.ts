/**
 * Rendering one shader the same way in Node (EGL backend) and in the browser bundle (through `isf serve`), for
 * the parity tests: 320x180, three frames at 30 fps, the same test-pattern images and audio on both sides, a
 * fixed DATE. The browser side loads the library bundle (/isf.js), so this also checks that bundle.
 */
import { join } from 'node:path';
import { loadISF, nodePlatform } from '../../src/node/index.ts';
import type { GLContext } from '../../src/render/context.ts';
import { type RenderOptions, Scene, sequenceTiming } from '../../src/render/scene.ts';
import { testPattern } from '../../src/render/test-pattern.ts';

export const WIDTH = 320;
export const HEIGHT = 180;
export const FRAMES = 3;
export const DATE_MS = Date.UTC(2024, 4, 17, 12, 30, 15);
export const TOLERANCE = 2;
export const PATTERN = { width: 160, height: 90 };
export const AUDIO = Array.from(
  { length: 1024 },
  (_, i) => Math.sin(i * 0.07) * 0.6 + Math.sin(i * 0.31) * 0.3,
);

/** Renders `file` of `dir` in Node; `onScene` sees the scene after its last frame (for its warnings). */
export function renderNode(
  context: GLContext,
  dir: string,
  file: string,
  onScene?: (scene: Scene) => void,
): Promise<Uint8Array> {
  return (async () => {
    const doc = await loadISF(join(dir, file));
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
      onScene?.(scene);
      return pixels;
    } finally {
      scene.destroy();
    }
  })();
}

export interface Params {
  shaders: string[];
  width: number;
  height: number;
  frames: number;
  dateMs: number;
  pattern: { width: number; height: number };
  audio: number[];
}

/** Runs in the page: the same steps with the browser bundle; pixels come back base64-encoded. */
export async function renderInPage(p: Params): Promise<Record<string, string>> {
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
export function compare(a: Uint8Array, b: Uint8Array): { means: number[]; max: number } {
  const sums = [0, 0, 0, 0];
  let max = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    sums[i % 4]! += d;
    if (d > max) max = d;
  }
  return { means: sums.map((s) => s / (a.length / 4)), max };
}
