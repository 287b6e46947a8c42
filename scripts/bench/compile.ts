/**
 * Bench 5: compile time of each official ISF test shader (../shared/corpus/isf-tests), in a child process with
 * the drivers' on-disk shader caches off (MESA_SHADER_CACHE_DISABLE=true, __GL_SHADER_DISK_CACHE=0), so "cold"
 * is cold:
 * - cold_ms: scene.useDoc() of a document never seen: GLSL generation, glCompileShader x2, glLinkProgram;
 * - first_frame_ms: the first 320x180 render after that (llvmpipe compiles the draw's shader variant lazily,
 *   at the first draw; a GPU driver may too);
 * - cached_ms: useDoc() of the same document on a second scene: generation again, then the context's
 *   ProgramCache hands out the linked program (no GL compile); cached_first_frame_ms: that scene's first
 *   render (the driver's variant is compiled already);
 * - generate_ms: generateShaders() alone, for reference.
 * Each file gets a fresh context; a first context compiles and draws an unrelated shader, so no file pays the
 * compiler's start-up.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateShaders } from '../../src/core/glsl/index.ts';
import { createContext, type NodeContextOptions } from '../../src/node/context.ts';
import { loadISF } from '../../src/node/load.ts';
import { nodePlatform } from '../../src/node/platform.ts';
import { Scene } from '../../src/render/scene.ts';
import { round } from './stats.ts';

export interface CompileRow {
  file: string;
  cold_ms: number;
  first_frame_ms: number;
  /** cold_ms + first_frame_ms: what a never-seen shader costs before its first pixels. */
  cold_total_ms: number;
  cached_ms: number;
  cached_first_frame_ms: number;
  generate_ms: number;
  error?: string;
}

export async function compileTimes(args: {
  device?: NodeContextOptions['device'];
  dir: string;
  warmup: string;
  limit?: number;
}): Promise<{ shaders: CompileRow[] }> {
  const contextOptions = args.device === undefined ? {} : { device: args.device };
  const warmContext = createContext(contextOptions).initialize();
  const warm = new Scene(warmContext).useDocSync(await loadISF(args.warmup));
  warm.render({ width: 64, height: 36 }).pixels;
  warm.destroy();
  const files = readdirSync(args.dir)
    .filter((f) => f.endsWith('.fs'))
    .sort()
    .slice(0, args.limit ?? Infinity);
  const rows: CompileRow[] = [];
  for (const file of files) {
    const doc = await loadISF(join(args.dir, file));
    // A fresh context per file: some test files generate the same GLSL (IMG_THIS_PIXEL(i) is
    // IMG_PIXEL(i, gl_FragCoord.xy)), and one context's program cache would serve the second one.
    const context = createContext(contextOptions).initialize();
    const scene = new Scene(context, { platform: nodePlatform });
    const again = new Scene(context, { platform: nodePlatform });
    try {
      let t = performance.now();
      generateShaders(doc);
      const generate = performance.now() - t;
      t = performance.now();
      scene.useDocSync(doc);
      const cold = performance.now() - t;
      t = performance.now();
      scene.render({ width: 320, height: 180 }).pixels;
      const first = performance.now() - t;
      t = performance.now();
      again.useDocSync(doc);
      const cached = performance.now() - t;
      t = performance.now();
      again.render({ width: 320, height: 180 }).pixels;
      const cachedFirst = performance.now() - t;
      rows.push({
        file,
        cold_ms: round(cold, 2),
        first_frame_ms: round(first, 2),
        cold_total_ms: round(cold + first, 2),
        cached_ms: round(cached, 3),
        cached_first_frame_ms: round(cachedFirst, 2),
        generate_ms: round(generate, 3),
      });
    } catch (e) {
      rows.push({
        file,
        cold_ms: Number.NaN,
        first_frame_ms: Number.NaN,
        cold_total_ms: Number.NaN,
        cached_ms: Number.NaN,
        cached_first_frame_ms: Number.NaN,
        generate_ms: Number.NaN,
        error: (e as Error).message,
      });
    } finally {
      scene.destroy();
      again.destroy();
      context.destroy();
    }
  }
  warmContext.destroy();
  return { shaders: rows };
}
