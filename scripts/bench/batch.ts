/**
 * Bench 3: batch throughput to PNG files (encoded with sharp, written atomically).
 *
 * - in-process: renderToFiles() on one context in this thread (the `isf render` path), with lifecycle checks
 *   (GLContext option checkErrors: glGetError after every frame) on and off, interleaved on/off/off/on...,
 *   on the same context (the option is flipped between runs);
 * - workers: RenderPool with 1 and 2 worker threads (one context each), frames as one-frame jobs, at most two
 *   jobs per worker in flight, PNG encoding and writing in this thread; interleaved 1/2/2/1.
 * Frame rates count whole runs (first frame requested to last file written), after a warm-up run.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ISFDocument } from '../../src/core/index.ts';
import { renderToFiles } from '../../src/node/batch.ts';
import { createContext, type NodeContextOptions } from '../../src/node/context.ts';
import { writeFileAtomic } from '../../src/node/files.ts';
import { encodeFrame } from '../../src/node/images.ts';
import { RenderPool } from '../../src/node/render-pool.ts';
import type { GLContext } from '../../src/render/context.ts';
import { Scene } from '../../src/render/scene.ts';
import { framesFor, interleave, log, median, quantile, round } from './stats.ts';

export interface BatchShader {
  name: string;
  path: string;
  doc: ISFDocument;
}

export interface ThroughputRow {
  shader: string;
  width: number;
  height: number;
  mode: 'in-process' | 'pool';
  workers: number;
  checks: boolean;
  frames: number;
  runs: number;
  /** Median over runs of frames per second. */
  fps: number;
}

export interface LifecycleRow {
  width: number;
  height: number;
  /** Time per frame with checks on / off: median over adjacent on/off run pairs of their ratio. */
  ratio: number;
  on_fps: number;
  off_fps: number;
  pairs: number;
  frames: number;
  /** First and third quartile of the pairs' ratios: the noise the median sits in. */
  ratio_quartiles: [number, number];
}

export interface BatchResult {
  rows: ThroughputRow[];
  /** 2-worker fps / 1-worker fps per shader and size. */
  workers_speedup: { shader: string; width: number; height: number; ratio: number }[];
  lifecycle: LifecycleRow[];
  /** Scene.render alone (no encoding), 320x180, checks on / off: the same comparison with less noise. */
  lifecycle_render_only: { width: number; height: number; ratio: number; on_ms: number; off_ms: number };
  /** What the checks cost per frame, timed directly: GLContext.checkErrors() (a glGetError) in a loop. */
  check_us_per_frame: number;
}

async function inProcessRun(
  context: GLContext,
  shader: BatchShader,
  dir: string,
  size: Size,
  frames: number,
) {
  const out = join(dir, `${shader.name}-${size.width}-%05d.png`);
  const r = await renderToFiles(context, shader.doc, { output: out, ...size, frames });
  if (r.files.length !== frames) throw new Error(`renderToFiles wrote ${r.files.length} of ${frames} files`);
  return r.totalMs / frames;
}

async function poolRun(
  pool: RenderPool,
  workers: number,
  shader: BatchShader,
  dir: string,
  size: Size,
  frames: number,
) {
  const t0 = performance.now();
  const inFlight = new Set<Promise<void>>();
  const limit = 2 * workers;
  let written = 0;
  for (let k = 0; k < frames; k++) {
    const file = join(dir, `${shader.name}-${size.width}-pool-${String(k).padStart(5, '0')}.png`);
    const job = pool
      .render({ path: shader.path, ...size, time: k / 30, timeDelta: k === 0 ? 0 : 1 / 30, frameIndex: k })
      .then((frame) => encodeFrame(frame, 'png'))
      .then((bytes) => writeFileAtomic(file, bytes))
      .then(() => {
        written += 1;
      })
      .finally(() => inFlight.delete(job));
    inFlight.add(job);
    while (inFlight.size >= limit) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  if (written !== frames) throw new Error(`pool run wrote ${written} of ${frames} files`);
  return (performance.now() - t0) / frames;
}

interface Size {
  width: number;
  height: number;
}

export async function benchBatch(
  shaders: { trivial: BatchShader; heavy: BatchShader },
  options: { quick: boolean; device: NodeContextOptions['device'] },
): Promise<BatchResult> {
  const dir = await mkdtemp(join(tmpdir(), 'isf-bench-'));
  const deviceOpt = options.device === undefined ? {} : { device: options.device };
  // One context for both settings, so the flag is the only difference (two contexts differ in where their
  // memory lies, which moves small frames by more than the 1% this measures). Scene.render reads the option
  // every frame.
  const context = createContext({ ...deviceOpt, checkErrors: true }).initialize();
  const options_ = context.options as { checkErrors: boolean };
  const withChecks = (checks: boolean): GLContext => {
    options_.checkErrors = checks;
    return context;
  };
  const rows: ThroughputRow[] = [];
  const lifecycle: LifecycleRow[] = [];
  const pools = new Map<number, RenderPool>();
  try {
    const cases: { shader: BatchShader; size: Size }[] = [
      { shader: shaders.trivial, size: { width: 1920, height: 1080 } },
      { shader: shaders.trivial, size: { width: 320, height: 180 } },
      { shader: shaders.heavy, size: { width: 320, height: 180 } },
    ];
    // Lifecycle checks on / off, in process (trivial shader: per-frame costs matter most there).
    for (const { shader, size } of cases.filter((c) => c.shader === shaders.trivial)) {
      const sample = await inProcessRun(withChecks(true), shader, dir, size, 3);
      await inProcessRun(withChecks(false), shader, dir, size, 3);
      // Many short pairs: a burst from another process spoils one pair, not the median.
      const frames = framesFor(sample, options.quick ? 200 : 400, 5, 200);
      const pairs = options.quick ? 3 : 24;
      log(`batch lifecycle ${size.width}x${size.height}: ${pairs} on/off pairs x ${frames} frames`);
      const t: Record<'on' | 'off', number[]> = { on: [], off: [] };
      const pairRatios: number[] = [];
      for (let p = 0; p < pairs; p++) {
        for (const which of p % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
          t[which].push(await inProcessRun(withChecks(which === 'on'), shader, dir, size, frames));
        }
        pairRatios.push(t.on[p]! / t.off[p]!);
        await rm(dir, { recursive: true, force: true });
      }
      for (const checks of [true, false]) {
        rows.push({
          shader: shader.name,
          ...size,
          mode: 'in-process',
          workers: 0,
          checks,
          frames,
          runs: pairs,
          fps: round(1000 / median(checks ? t.on : t.off), 1),
        });
      }
      lifecycle.push({
        ...size,
        // Adjacent runs share the machine's state of the moment: the median of per-pair ratios cancels drift.
        ratio: round(median(pairRatios), 4),
        ratio_quartiles: [round(quantile(pairRatios, 0.25), 4), round(quantile(pairRatios, 0.75), 4)],
        on_fps: round(1000 / median(t.on), 1),
        off_fps: round(1000 / median(t.off), 1),
        pairs,
        frames,
      });
    }

    // Render only, checks on / off: two scenes, interleaved blocks.
    const small = { width: 320, height: 180 };
    const scene = new Scene(context).useDocSync(shaders.trivial.doc);
    const ro = interleave(
      [
        {
          name: 'on',
          begin: () => withChecks(true),
          frame: (k) => scene.render({ ...small, time: k / 30 }).pixels,
        },
        {
          name: 'off',
          begin: () => withChecks(false),
          frame: (k) => scene.render({ ...small, time: k / 30 }).pixels,
        },
      ],
      { rounds: options.quick ? 4 : 20, framesPerBlock: 100, warmup: 5 },
    );
    withChecks(true);
    scene.destroy();
    const calls = 20_000;
    const c0 = performance.now();
    for (let i = 0; i < calls; i++) context.checkErrors('bench');
    const check_us_per_frame = round(((performance.now() - c0) * 1000) / calls, 3);
    const lifecycle_render_only = {
      ...small,
      ratio: round(median(ro.get('on')!) / median(ro.get('off')!), 4),
      on_ms: round(median(ro.get('on')!), 4),
      off_ms: round(median(ro.get('off')!), 4),
    };

    // Workers: RenderPool with 1 and 2 threads.
    for (const workers of [1, 2]) {
      const pool = new RenderPool({ workers, contextOptions: { ...deviceOpt } });
      pools.set(workers, pool);
      // Start every worker and compile both shaders on each.
      await Promise.all(
        Array.from({ length: 2 * workers }, (_, i) =>
          pool.render({ path: (i % 2 ? shaders.heavy : shaders.trivial).path, width: 64, height: 36 }),
        ),
      );
    }
    const workers_speedup: BatchResult['workers_speedup'] = [];
    for (const { shader, size } of cases) {
      const sample = await poolRun(pools.get(1)!, 1, shader, dir, size, 2);
      await poolRun(pools.get(2)!, 2, shader, dir, size, 2);
      const frames = framesFor(sample, options.quick ? 400 : 1500, 4, 120);
      const runs = options.quick ? 1 : 2;
      log(`batch workers ${shader.name} ${size.width}x${size.height}: 1/2/2/1 x ${frames} frames`);
      const t = new Map<number, number[]>([
        [1, []],
        [2, []],
      ]);
      for (let r = 0; r < runs; r++) {
        for (const w of r % 2 === 0 ? [1, 2] : [2, 1]) {
          t.get(w)!.push(await poolRun(pools.get(w)!, w, shader, dir, size, frames));
        }
        await rm(dir, { recursive: true, force: true });
      }
      for (const w of [1, 2]) {
        rows.push({
          shader: shader.name,
          ...size,
          mode: 'pool',
          workers: w,
          checks: true,
          frames,
          runs,
          fps: round(1000 / median(t.get(w)!), 1),
        });
      }
      workers_speedup.push({
        shader: shader.name,
        ...size,
        ratio: round(median(t.get(1)!) / median(t.get(2)!), 3),
      });
    }
    return { rows, workers_speedup, lifecycle, lifecycle_render_only, check_us_per_frame };
  } finally {
    for (const pool of pools.values()) await pool.close();
    context.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}
