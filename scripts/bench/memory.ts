/**
 * Bench 4: resident memory (RSS). Each measurement runs in its own child process (scripts/bench/child.ts, with
 * --expose-gc; garbage is collected before every reading), so one measurement's heap, driver state and freed
 * pages never show up in another's numbers.
 *
 * - contexts: RSS before any context, then after each of 4 contexts (initialized, one 64x36 frame rendered):
 *   the first context carries the driver (Mesa/llvmpipe or the NVIDIA libraries), the next ones their own cost;
 * - frames: one context warmed at 1920x1080, then 8 rendered frames kept alive (pixels read): RSS per frame in
 *   flight, beside the GL-side bytes the context holds for a 1080p output;
 * - long run: RSS after 10 frames and after 1,000 frames at 1920x1080 (trivial shader, default fresh frames).
 */
import { createContext, type NodeContextOptions } from '../../src/node/context.ts';
import { loadISF } from '../../src/node/load.ts';
import type { Frame } from '../../src/render/frame.ts';
import { Scene } from '../../src/render/scene.ts';
import { round } from './stats.ts';

const MB = 1024 * 1024;

function rssMB(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  return round(process.memoryUsage.rss() / MB, 1);
}

interface ChildArgs {
  device?: NodeContextOptions['device'];
  shader: string;
  count?: number;
  frames?: number;
}

export async function memoryContexts(args: ChildArgs) {
  const doc = await loadISF(args.shader);
  const count = args.count ?? 4;
  const baseline = rssMB();
  const after: number[] = [];
  const keep: Scene[] = [];
  for (let i = 0; i < count; i++) {
    const context = createContext(args.device === undefined ? {} : { device: args.device }).initialize();
    const scene = new Scene(context).useDocSync(doc);
    scene.render({ width: 64, height: 36 }).pixels;
    keep.push(scene);
    after.push(rssMB());
  }
  return {
    baseline_mb: baseline,
    after_each_mb: after,
    first_context_mb: round(after[0]! - baseline, 1),
    per_additional_context_mb: round((after[count - 1]! - after[0]!) / (count - 1), 1),
  };
}

export async function memoryFrames(args: ChildArgs) {
  const doc = await loadISF(args.shader);
  const count = args.count ?? 8;
  const context = createContext(args.device === undefined ? {} : { device: args.device }).initialize();
  const scene = new Scene(context).useDocSync(doc);
  const size = { width: 1920, height: 1080 };
  for (let k = 0; k < 3; k++) scene.render({ ...size, time: k / 30 }).pixels;
  const before = rssMB();
  const frames: Frame[] = [];
  for (let k = 0; k < count; k++) {
    const frame = scene.render({ ...size, time: k / 30 });
    frame.pixels;
    frames.push(frame);
  }
  const held = rssMB();
  return {
    frames: frames.length,
    before_mb: before,
    holding_mb: held,
    per_frame_mb: round((held - before) / count, 2),
    pixel_bytes_mb: round((size.width * size.height * 4) / MB, 2),
    gl_bytes_for_1080p_output_mb: round(context.stats().pool.bytes / MB, 2),
  };
}

export async function memoryLongRun(args: ChildArgs) {
  const doc = await loadISF(args.shader);
  const total = args.frames ?? 1000;
  const context = createContext(args.device === undefined ? {} : { device: args.device }).initialize();
  const scene = new Scene(context).useDocSync(doc);
  const size = { width: 1920, height: 1080 };
  let k = 0;
  for (; k < 10; k++) scene.render({ ...size, time: k / 30 }).pixels;
  const after10 = rssMB();
  const t0 = performance.now();
  for (; k < total; k++) scene.render({ ...size, time: k / 30 }).pixels;
  const ms = performance.now() - t0;
  const afterAll = rssMB();
  return {
    frames: total,
    after_10_frames_mb: after10,
    after_all_frames_mb: afterAll,
    growth_mb: round(afterAll - after10, 1),
    peak_rss_mb: round((process.resourceUsage().maxRSS * 1024) / MB, 1),
    ms_per_frame: round(ms / (total - 10), 2),
  };
}
