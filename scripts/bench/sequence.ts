/**
 * Bench 7: sequence throughput at 1920x1080 (--sequence-size; trivial shader: the plumbing, not the rasterizer, is measured).
 *
 * 1. PNG sequence, pipelined against unpipelined: renderToFiles() (sharp encodes, atomic writes), once as it is
 *    (FramePipeline: frame k+1 drawn before frame k is read) and once with the pipeline's `synchronous` switch
 *    (sequence-switches.ts: every frame drawn and read with Scene.render(); the rest of the code the same).
 * 2. mp4, ours against ffmpeg alone: renderToFiles() into `out.mp4` with the CLI's default video settings
 *    (libx264, CRF 18, preset medium, yuv420p), against the same frames rendered beforehand and piped from memory
 *    into the same ffmpeg command line by the same VideoWriter (spawn, pipe, close and its ffprobe check
 *    included in both): the encoder alone is the floor for video. The target's arrangement runs each variant in
 *    a process of its own (a bench child that creates its context, compiles and, for the baseline, renders the
 *    held frames before its clock starts), as `isf render -o out.mp4` renders in a child of its own: the only
 *    other work on the machine is then the encoder, and this process, waiting, takes no CPU from it. The same
 *    pairs run in this process too and are reported beside it (this process holds the bench's other contexts,
 *    the held frames and a larger heap while both variants run).
 * 3. The CLI against the library: `isf render trivial.fs -o dir/%04d.png --frames N` (a process of its own, which
 *    renders in its supervised child: spawn, start-up, module loading, context and compile included) against
 *    loadISF() + renderToFiles() in this process on the same frames. Each is timed at N and at a few frames; the
 *    difference over the frames between is the steady-state time per frame, with every constant start-up
 *    subtracted on both sides. Both ratios are reported; the target is on the steady state (docs/benchmarks.md).
 *
 * Variants run interleaved (A B B A ...); each ratio is the median of the ratios of adjacent pairs, so that
 * drift of the machine's load cancels. Absolute times are context only.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ISFDocument } from '../../src/core/index.ts';
import { renderToFiles } from '../../src/node/batch.ts';
import type { NodeContextOptions } from '../../src/node/context.ts';
import { encoderArgs, hasFfmpeg } from '../../src/node/ffmpeg.ts';
import { loadISF } from '../../src/node/load.ts';
import { withoutPipeline } from '../../src/node/sequence-switches.ts';
import type { GLContext } from '../../src/render/context.ts';
import { runChild } from './child.ts';
import { type Mp4VariantArgs, prepareMp4Variant } from './mp4-variant.ts';
import { log, median, quantile, round } from './stats.ts';

interface Size {
  width: number;
  height: number;
}

/** Per-pair ratios of two interleaved variants: their median and quartiles. */
export interface PairedRatio {
  /** Median over adjacent pairs of (first variant's time / second's). */
  ratio: number;
  ratio_quartiles: [number, number];
  pairs: number;
}

/** ours / ffmpeg alone, time ratios of adjacent pairs, and each side's frames per second (medians). */
export type Mp4Pairs = PairedRatio & { ours_fps: number; ffmpeg_alone_fps: number };

export interface SequenceResult {
  shader: string;
  width: number;
  height: number;
  png: PairedRatio & {
    frames: number;
    pipelined_fps: number;
    unpipelined_fps: number;
    /** Unpipelined time / pipelined time (> 1: the pipeline is faster). */
    speedup: number;
  };
  mp4:
    | (Mp4Pairs & {
        frames: number;
        /** The ffmpeg arguments both variants ran (temporary output name elided). */
        ffmpeg_args: string;
        /** The same pairs with both variants in the bench's own process (reported). */
        in_process: Mp4Pairs;
      })
    | { skipped: string };
  cli:
    | {
        frames: number;
        short_frames: number;
        rounds: number;
        /** What ran: dist/cli/main.js (the installed package) or bin/isf.js (the sources through tsx). */
        entry: 'dist' | 'sources';
        /** dist/ was built before the newest file in src/ was changed (it may not be the code measured beside it). */
        dist_stale: boolean;
        /** Whole runs of N frames (ms, medians): the CLI process, spawn to exit; the library call. */
        cli_ms: number;
        in_process_ms: number;
        /** Runs of `short_frames` frames (ms, medians). */
        cli_short_ms: number;
        in_process_short_ms: number;
        /** What the CLI costs before its frames: its short run minus its steady frames (ms). */
        cli_constant_ms: number;
        steady_cli_ms_per_frame: number;
        steady_in_process_ms_per_frame: number;
        /** CLI / library, whole runs of N frames (median of adjacent pairs). */
        whole_run_ratio: number;
        /** CLI / library, steady state: (T(N) - T(short)) / (N - short) on each side. */
        steady_ratio: number;
      }
    | { skipped: string };
}

/** Empties the bench's output folder between runs (the files of 1080p runs add up). */
async function clear(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
}

const ENTRY_DIST = join('dist', 'cli', 'main.js');
const ENTRY_SOURCES = join('bin', 'isf.js');

/** The newest modification time (ms) of any file under `dir`. */
function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) newest = Math.max(newest, statSync(join(e.parentPath, e.name)).mtimeMs);
  }
  return newest;
}

/** Runs `a` and `b` `pairs` times, interleaved a b / b a; returns their times and the per-pair ratios a / b. */
async function paired(
  pairs: number,
  a: () => Promise<number>,
  b: () => Promise<number>,
  between?: () => Promise<void>,
): Promise<{ a: number[]; b: number[]; ratios: number[] }> {
  const ta: number[] = [];
  const tb: number[] = [];
  const ratios: number[] = [];
  for (let p = 0; p < pairs; p++) {
    if (p % 2 === 0) {
      ta.push(await a());
      tb.push(await b());
    } else {
      tb.push(await b());
      ta.push(await a());
    }
    ratios.push(ta[p]! / tb[p]!);
    await between?.();
  }
  return { a: ta, b: tb, ratios };
}

function summary(ratios: number[]): PairedRatio {
  return {
    ratio: round(median(ratios), 4),
    ratio_quartiles: [round(quantile(ratios, 0.25), 4), round(quantile(ratios, 0.75), 4)],
    pairs: ratios.length,
  };
}

const fps = (msPerRun: number[], frames: number) => round((1000 * frames) / median(msPerRun), 1);

async function pngSection(
  context: GLContext,
  doc: ISFDocument,
  dir: string,
  size: Size,
  quick: boolean,
): Promise<SequenceResult['png']> {
  const frames = quick ? 6 : 60;
  const pairs = quick ? 2 : 8;
  const run = async (pipelined: boolean): Promise<number> => {
    const options = { output: join(dir, `png-${pipelined}-%04d.png`), ...size, frames };
    const r = await renderToFiles(context, doc, pipelined ? options : withoutPipeline(options));
    if (r.files.length !== frames)
      throw new Error(`renderToFiles wrote ${r.files.length} of ${frames} files`);
    return r.totalMs;
  };
  if (!quick) {
    await run(true);
    await run(false);
  }
  log(`sequence png ${size.width}x${size.height}: ${pairs} pipelined/unpipelined pairs x ${frames} frames`);
  const t = await paired(
    pairs,
    () => run(false),
    () => run(true),
    () => clear(dir),
  );
  const s = summary(t.ratios);
  return {
    ...s,
    frames,
    pipelined_fps: fps(t.b, frames),
    unpipelined_fps: fps(t.a, frames),
    speedup: s.ratio,
  };
}

function mp4Pairs(t: { a: number[]; b: number[]; ratios: number[] }, frames: number): Mp4Pairs {
  return { ...summary(t.ratios), ours_fps: fps(t.a, frames), ffmpeg_alone_fps: fps(t.b, frames) };
}

async function mp4Section(
  context: GLContext,
  shader: { path: string; doc: ISFDocument },
  dir: string,
  size: Size,
  quick: boolean,
  device: NodeContextOptions['device'] | undefined,
): Promise<SequenceResult['mp4']> {
  if (!hasFfmpeg()) return { skipped: 'ffmpeg is not installed (scripts/setup-debian.sh installs it)' };
  const frames = quick ? 6 : 45;
  const pairs = quick ? 1 : 4;
  const args = (variant: Mp4VariantArgs['variant']): Mp4VariantArgs => ({
    variant,
    shader: shader.path,
    ...size,
    frames,
    output: join(dir, `${variant}.mp4`),
    ...(device === undefined ? {} : { device }),
  });
  const inChild = (variant: Mp4VariantArgs['variant']) => async () =>
    (await runChild<{ ms: number }>('mp4-variant', { ...args(variant) })).ms;
  log(
    `sequence mp4 ${size.width}x${size.height}: ${pairs} ours/ffmpeg-alone pairs x ${frames} frames, each in a process of its own`,
  );
  const processes = await paired(pairs, inChild('ours'), inChild('alone'));

  const ours = await prepareMp4Variant(context, shader.doc, args('ours'));
  const alone = await prepareMp4Variant(context, shader.doc, args('alone'));
  if (!quick) {
    await ours();
    await alone();
  }
  log(
    `sequence mp4 ${size.width}x${size.height}: ${pairs} ours/ffmpeg-alone pairs x ${frames} frames in this process`,
  );
  const inProcess = await paired(pairs, ours, alone);
  return {
    ...mp4Pairs(processes, frames),
    frames,
    ffmpeg_args: encoderArgs('OUT', 'out.mp4', { ...size, fps: 30 }).join(' '),
    in_process: mp4Pairs(inProcess, frames),
  };
}

function timeProcess(args: string[], cwd: string): Promise<number> {
  return new Promise((done, fail) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => {
      err = (err + c.toString()).slice(-4000);
    });
    child.on('error', fail);
    child.on('close', (code, signal) => {
      if (code === 0) done(performance.now() - t0);
      else fail(new Error(`node ${args.join(' ')} failed (${signal ?? `exit ${code}`}): ${err.trim()}`));
    });
  });
}

async function cliSection(
  context: GLContext,
  root: string,
  shaderPath: string,
  dir: string,
  size: Size,
  quick: boolean,
): Promise<SequenceResult['cli']> {
  // Users run the built package (the installed `isf` imports dist/cli/main.js, and its child is dist's JavaScript,
  // with no tsx): that is what is timed when dist/ is there. Without it the sources run through tsx, whose
  // compile-on-load start-up is several times the built one's; `entry` says which ran.
  const dist = existsSync(join(root, ENTRY_DIST));
  const entry = join(root, dist ? ENTRY_DIST : ENTRY_SOURCES);
  const stale = dist && newestSource(join(root, 'src')) > statSync(join(root, ENTRY_DIST)).mtimeMs;
  if (!dist)
    log(
      'sequence cli: dist/ is missing, timing the sources through tsx (npm run build times what users run)',
    );
  else if (stale)
    log('sequence cli: dist/ is older than src/ (npm run build): the CLI timed is not the code in src/');
  const frames = quick ? 8 : 90;
  const short = quick ? 2 : 10;
  const rounds = quick ? 1 : 4;
  const cli = (n: number) => () =>
    timeProcess(
      [
        entry,
        'render',
        shaderPath,
        '-o',
        join(dir, `cli-${n}-%04d.png`),
        '--frames',
        String(n),
        '--size',
        `${size.width}x${size.height}`,
        '-q',
      ],
      root,
    );
  const library = (n: number) => async () => {
    const t0 = performance.now();
    const doc = await loadISF(shaderPath);
    const r = await renderToFiles(context, doc, {
      output: join(dir, `lib-${n}-%04d.png`),
      ...size,
      frames: n,
    });
    if (r.files.length !== n) throw new Error(`renderToFiles wrote ${r.files.length} of ${n} files`);
    return performance.now() - t0;
  };
  if (!quick) {
    await cli(short)();
    await library(short)();
  }
  log(
    `sequence cli (${dist ? 'dist' : 'sources'}): ${rounds} rounds of isf render / renderToFiles x ${frames} and ${short} frames`,
  );
  const t = { cli: [] as number[], lib: [] as number[], cliShort: [] as number[], libShort: [] as number[] };
  const wholeRatios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // a b b a within a round, the order reversed every round.
    const order = r % 2 === 0 ? (['cli', 'lib'] as const) : (['lib', 'cli'] as const);
    for (const side of order) t[side].push(await (side === 'cli' ? cli(frames) : library(frames))());
    for (const side of [...order].reverse()) {
      t[side === 'cli' ? 'cliShort' : 'libShort'].push(
        await (side === 'cli' ? cli(short) : library(short))(),
      );
    }
    wholeRatios.push(t.cli[r]! / t.lib[r]!);
    await clear(dir);
  }
  // Steady state: the constant costs of a run (spawn, start-up, loading, compiling, the first frames' warm-up)
  // are in both the long and the short run, and cancel in their difference.
  const steadyCli = (median(t.cli) - median(t.cliShort)) / (frames - short);
  const steadyLib = (median(t.lib) - median(t.libShort)) / (frames - short);
  return {
    frames,
    short_frames: short,
    rounds,
    entry: dist ? 'dist' : 'sources',
    dist_stale: stale,
    cli_ms: round(median(t.cli), 1),
    in_process_ms: round(median(t.lib), 1),
    cli_short_ms: round(median(t.cliShort), 1),
    in_process_short_ms: round(median(t.libShort), 1),
    cli_constant_ms: round(median(t.cliShort) - short * steadyCli, 1),
    steady_cli_ms_per_frame: round(steadyCli, 2),
    steady_in_process_ms_per_frame: round(steadyLib, 2),
    whole_run_ratio: round(median(wholeRatios), 4),
    steady_ratio: round(steadyCli / steadyLib, 4),
  };
}

export async function benchSequence(
  context: GLContext,
  root: string,
  shader: { name: string; path: string; doc: ISFDocument },
  options: { quick: boolean; size?: Size; device?: NodeContextOptions['device'] },
): Promise<SequenceResult> {
  const size = options.size ?? { width: 1920, height: 1080 };
  const dir = await mkdtemp(join(tmpdir(), 'isf-bench-sequence-'));
  try {
    const png = await pngSection(context, shader.doc, dir, size, options.quick);
    log(`sequence png: pipelined ${png.pipelined_fps} fps, unpipelined ${png.unpipelined_fps} fps`);
    const mp4 = await mp4Section(context, shader, dir, size, options.quick, options.device);
    if (!('skipped' in mp4))
      log(`sequence mp4: ours ${mp4.ours_fps} fps, ffmpeg alone ${mp4.ffmpeg_alone_fps} fps`);
    let cli: SequenceResult['cli'];
    try {
      cli = await cliSection(context, root, shader.path, dir, size, options.quick);
    } catch (e) {
      cli = { skipped: `isf render failed: ${(e as Error).message}` };
    }
    return { shader: shader.name, ...size, png, mp4, cli };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
