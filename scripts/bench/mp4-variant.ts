/**
 * One variant of bench 7's mp4 comparison (scripts/bench/sequence.ts), runnable in the bench's process or as the
 * bench child task `mp4-variant` (a process of its own). Kept apart from sequence.ts, which imports child.ts: the
 * child's entry module importing it back would never finish loading.
 */
import type { ISFDocument } from '../../src/core/index.ts';
import { renderToFiles } from '../../src/node/batch.ts';
import { createContext, type NodeContextOptions } from '../../src/node/context.ts';
import { VideoWriter } from '../../src/node/ffmpeg.ts';
import { loadISF } from '../../src/node/load.ts';
import type { GLContext } from '../../src/render/context.ts';
import { Scene, sequenceTiming } from '../../src/render/scene.ts';

/** What one mp4 variant needs to run anywhere (this process or a bench child). */
export interface Mp4VariantArgs {
  width: number;
  height: number;
  variant: 'ours' | 'alone';
  shader: string;
  frames: number;
  output: string;
  device?: NodeContextOptions['device'];
}

/**
 * Prepares one mp4 variant on `context` and returns the timed part: `ours` renders and encodes through
 * renderToFiles(); `alone` pipes frames rendered here beforehand (the frames renderToFiles renders, TIME k/30)
 * into the same encoder. The program is compiled before the clock starts on both sides.
 */
export async function prepareMp4Variant(
  context: GLContext,
  doc: ISFDocument,
  args: Mp4VariantArgs,
): Promise<() => Promise<number>> {
  const { width, height, frames, output } = args;
  const scene = new Scene(context).useDocSync(doc);
  const held: Uint8Array[] = [];
  try {
    const count = args.variant === 'alone' ? frames : 1;
    for (let k = 0; k < count; k++) {
      held.push(scene.render({ width, height, ...sequenceTiming(k, { frames, fps: 30 }) }).pixels);
    }
  } finally {
    scene.destroy();
  }
  if (args.variant === 'ours') {
    return async () => {
      const r = await renderToFiles(context, doc, { output, width, height, frames });
      if (r.frames !== frames) throw new Error(`renderToFiles encoded ${r.frames} of ${frames} frames`);
      return r.totalMs;
    };
  }
  return async () => {
    const t0 = performance.now();
    const writer = await VideoWriter.open(output, { width, height, fps: 30 });
    for (const pixels of held) await writer.write(pixels);
    await writer.close();
    return performance.now() - t0;
  };
}

/**
 * Bench child task `mp4-variant`: one variant, timed in a process of its own. The same run goes once untimed
 * first: a process's first video is 0.4-0.9 s slower than its next ones (measured 4 runs per process: 3.5 s
 * then 2.7 s for the baseline, 3.2 s then 2.8 s for ours; ffmpeg's -version and -encoders probes, read once per
 * process, are part of it and a 3-frame warm-up removed only part), and that once-per-process cost would be
 * added to both sides and pull their ratio towards 1.
 */
export async function mp4Variant(args: Mp4VariantArgs): Promise<{ ms: number }> {
  const context = createContext(args.device === undefined ? {} : { device: args.device }).initialize();
  try {
    const doc = await loadISF(args.shader);
    const run = await prepareMp4Variant(context, doc, args);
    await run();
    return { ms: await run() };
  } finally {
    context.destroy();
  }
}
