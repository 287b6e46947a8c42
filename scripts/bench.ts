/**
 * npm run bench [-- --json] [--quick] [--device cpu|gpu|N]
 *   [--only overhead,browser,batch,memory,compile,startup,sequence,farm]
 *   [--shared DIR (default ../shared)] [--size WxH (section 1's size, default 1920x1080)]
 *   [--sequence-size WxH (section 7's size, default 1920x1080)]
 *
 * Speed figures as ratios measured in one run (the machine is shared and noisy; absolute times are context):
 *   1. overhead: Scene.render + readback against a raw GLES loop, same binding, shader and size (target <= 1.05);
 *   2. browser: against npm interactive-shader-format in headless Chromium, in page and end to end into Node
 *      (target: >= 5x the frames per second end to end);
 *   3. batch: PNG throughput at 1920x1080 and 320x180, 1 vs 2 workers, lifecycle checks on vs off (target < 1%);
 *   4. memory: RSS per context, per 1080p frame in flight, after 1,000 frames (child processes);
 *   5. compile: each official test shader, cold and from the program cache;
 *   6. startup: the built CLI (`isf --version`, `isf validate`) against `node -e 0`, and an isolated child's
 *      fork-to-ready time (targets: 1.5x, 2.5x);
 *   7. sequence: 1080p sequences: pipelined PNG against unpipelined (target: faster), mp4 against ffmpeg encoding
 *      the same frames alone (target <= 1.10x, each variant in a process of its own), `isf render` against renderToFiles in process (target: steady
 *      state within 5%).
 * Prints markdown tables (docs/benchmarks.md pastes them); progress goes to stderr. With --json the last line
 * printed is one JSON object with every figure, headed by overhead_ratio, speedup_vs_interactive_shader_format
 * and lifecycle_overhead_ratio. See docs/benchmarks.md for the method.
 */
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createContext } from '../src/node/context.ts';
import type { DeviceOption } from '../src/node/egl/index.ts';
import { loadISF } from '../src/node/load.ts';
import { type BatchResult, benchBatch } from './bench/batch.ts';
import type { BrowserResult } from './bench/browser.ts';
import { runChild } from './bench/child.ts';
import type { CompileRow } from './bench/compile.ts';
import { benchOverhead, type OverheadResult } from './bench/overhead.ts';
import { benchSequence, type SequenceResult } from './bench/sequence.ts';
import { benchStartup, type StartupResult } from './bench/startup.ts';
import { log, median, round, table } from './bench/stats.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const CHROMIUM = '/usr/bin/chromium';
const SECTIONS = [
  'overhead',
  'browser',
  'batch',
  'memory',
  'compile',
  'startup',
  'sequence',
  'farm',
] as const;
type Section = (typeof SECTIONS)[number];

function parseArgs(argv: string[]) {
  const value = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const deviceArg = value('device') ?? 'cpu';
  if (!/^(cpu|gpu|\d+)$/.test(deviceArg))
    throw new Error(`--device takes cpu, gpu or an index, not ${deviceArg}`);
  const device: DeviceOption = deviceArg === 'cpu' || deviceArg === 'gpu' ? deviceArg : Number(deviceArg);
  const only = (value('only') ?? SECTIONS.join(',')).split(',').filter(Boolean);
  for (const s of only) {
    if (!(SECTIONS as readonly string[]).includes(s)) throw new Error(`--only: unknown section ${s}`);
  }
  // The shared corpus (bench shaders, official tests); a GPU machine gets a copy (scripts/gpu-bench.sh).
  const shared = resolve(value('shared') ?? join(ROOT, '..', 'shared'));
  const sizeOf = (flag: string) => {
    const m = /^(\d+)x(\d+)$/.exec(value(flag) ?? '1920x1080');
    if (!m) throw new Error(`--${flag} takes WIDTHxHEIGHT, not ${value(flag)}`);
    return { width: Number(m[1]), height: Number(m[2]) };
  };
  return {
    shared,
    overheadSize: sizeOf('size'),
    sequenceSize: sizeOf('sequence-size'),
    json: argv.includes('--json'),
    quick: argv.includes('--quick'),
    device,
    deviceArg,
    only: new Set(only as Section[]),
  };
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    return line?.split(':')[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Set when a section was given up while still running (its handles would keep the process alive). */
let abandoned = false;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const started = new Date().toISOString();
  const loadStart = loadavg()[0]!;
  const context = createContext({ device: args.device }).initialize();
  const info = context.info();
  const machine = {
    nproc: availableParallelism(),
    cpu: cpuModel(),
    gl_renderer: info.renderer,
    gl_version: info.version,
    mesa: /Mesa ([\w.-]+)/.exec(info.version)?.[1] ?? null,
    backend: info.backend,
    node: process.version,
    load_average_start: round(loadStart, 2),
    load_average_end: 0,
  };
  log(`${machine.cpu} x${machine.nproc} | ${info.renderer} | ${info.version} | load ${loadStart.toFixed(2)}`);

  const trivialPath = join(args.shared, 'corpus', 'bench', 'trivial.fs');
  const heavyPath = join(args.shared, 'corpus', 'bench', 'heavy-fbm.fs');
  const testsDir = join(args.shared, 'corpus', 'isf-tests');
  const trivial = await loadISF(trivialPath);
  const heavy = await loadISF(heavyPath);
  const out: Record<string, unknown> = {};
  const md: string[] = [];
  const hd = { width: 1920, height: 1080 };

  // 1. overhead
  let overhead: OverheadResult[] | undefined;
  if (args.only.has('overhead')) {
    const cpuFlip = createContext({ device: args.device, flip: 'cpu' }).initialize();
    overhead = [
      benchOverhead(context, cpuFlip, 'trivial', trivial, args.overheadSize, args),
      benchOverhead(context, cpuFlip, 'heavy-fbm', heavy, args.overheadSize, args),
    ];
    cpuFlip.destroy();
    context.use('bench');
    md.push(
      '### 1. Overhead against a raw GLES loop (ms per frame, medians)',
      '',
      table(
        [
          'shader',
          'size',
          'frames',
          'raw loop',
          'library, reused buffer',
          'ratio',
          'library, default render() (released)',
          'ratio',
          'library, fresh frames held',
          'ratio',
          'library, CPU flip (before)',
          'ratio',
          'same pixels',
        ],
        overhead.map((o) => [
          o.shader,
          `${o.width}x${o.height}`,
          o.framesPerVariant,
          o.raw_ms,
          o.library_reused_ms,
          o.ratio.toFixed(3),
          o.library_ms,
          o.ratio_fresh_frames.toFixed(3),
          o.library_held_ms,
          o.ratio_held_frames.toFixed(3),
          o.library_cpu_flip_ms,
          o.ratio_cpu_flip.toFixed(3),
          o.pixels_match ? 'yes' : 'NO',
        ]),
      ),
      '',
    );
    out.overhead = overhead;
  }

  // 2. browser
  let browser: BrowserResult | { skipped: string } | undefined;
  if (args.only.has('browser')) {
    const heavySize = args.quick ? { width: 480, height: 270 } : { width: 960, height: 540 };
    // Loaded only when Chromium is there: the GPU machine has neither Chromium nor playwright-core.
    if (!existsSync(CHROMIUM)) browser = { skipped: `${CHROMIUM} is not installed on this machine` };
    else {
      const { benchBrowser } = await import('./bench/browser.ts');
      browser = await benchBrowser(
        context,
        [
          { name: 'trivial', source: readFileSync(trivialPath, 'utf8'), doc: trivial, ...hd },
          { name: 'heavy-fbm', source: readFileSync(heavyPath, 'utf8'), doc: heavy, ...heavySize },
        ],
        args,
      );
    }
    md.push('### 2. Against interactive-shader-format in headless Chromium (ms per frame, medians)', '');
    if ('skipped' in browser) md.push(`Skipped: ${browser.skipped}`, '');
    else {
      md.push(
        `Chromium ${browser.chromium}, WebGL renderer "${browser.webgl_renderer}", interactive-shader-format ${browser.isf_js_version}; transfer to Node: ${browser.transfer}.`,
        '',
        table(
          [
            'shader',
            'size',
            'frames',
            'in page: ours',
            'theirs',
            'ours / theirs fps',
            'end to end: ours (Node, EGL)',
            'theirs (page → Node)',
            'ours / theirs fps',
            'ours in page, checks off',
            'preview frames',
            'preview, no readback: ours',
            'theirs',
            'ours / theirs fps',
            'bare WebGL2 (ceiling)',
            'bare / theirs fps',
          ],
          browser.shaders.map((s) => [
            s.shader,
            `${s.width}x${s.height}`,
            s.frames,
            s.in_page.ours_ms,
            s.in_page.theirs_ms,
            s.in_page.ratio.toFixed(2),
            s.end_to_end.ours_ms,
            s.end_to_end.theirs_ms,
            s.end_to_end.ratio.toFixed(2),
            s.in_page_ours_no_checks_ms,
            s.preview.frames,
            s.preview.ours_ms,
            s.preview.theirs_ms,
            s.preview.ratio.toFixed(2),
            s.preview.bare_ms,
            s.preview.bare_ratio.toFixed(2),
          ]),
        ),
        '',
      );
    }
    out.browser = browser;
  }
  // 3. batch
  let batch: BatchResult | undefined;
  if (args.only.has('batch')) {
    batch = await benchBatch(
      {
        trivial: { name: 'trivial', path: trivialPath, doc: trivial },
        heavy: { name: 'heavy-fbm', path: heavyPath, doc: heavy },
      },
      args,
    );
    md.push(
      '### 3. Batch throughput to PNG files (frames per second, medians of runs)',
      '',
      table(
        ['shader', 'size', 'mode', 'workers', 'lifecycle checks', 'frames per run', 'runs', 'fps'],
        batch.rows.map((r) => [
          r.shader,
          `${r.width}x${r.height}`,
          r.mode,
          r.mode === 'pool' ? r.workers : 'main thread',
          r.checks ? 'on' : 'off',
          r.frames,
          r.runs,
          r.fps,
        ]),
      ),
      '',
      table(
        ['comparison', 'size', 'ratio'],
        [
          ...batch.lifecycle.map((l) => [
            `lifecycle checks on / off (time per frame, batch; median of ${l.pairs} pairs, quartiles ${l.ratio_quartiles[0].toFixed(3)}-${l.ratio_quartiles[1].toFixed(3)})`,
            `${l.width}x${l.height}`,
            l.ratio.toFixed(4),
          ]),
          [
            'lifecycle checks on / off (time per frame, Scene.render only)',
            `${batch.lifecycle_render_only.width}x${batch.lifecycle_render_only.height}`,
            batch.lifecycle_render_only.ratio.toFixed(4),
          ],
          [
            'lifecycle checks: cost per frame (checkErrors() timed in a loop), microseconds',
            'any',
            String(batch.check_us_per_frame),
          ],
          ...batch.workers_speedup.map((w) => [
            `2 workers / 1 worker fps (${w.shader})`,
            `${w.width}x${w.height}`,
            w.ratio.toFixed(3),
          ]),
        ],
      ),
      '',
    );
    out.batch = batch;
  }
  // 4. memory
  if (args.only.has('memory')) {
    const device = args.device;
    log('memory: contexts');
    const contexts = await runChild<Record<string, number>>('memory-contexts', {
      device,
      shader: trivialPath,
      count: 4,
    });
    log('memory: frames in flight');
    const frames = await runChild<Record<string, number>>('memory-frames', {
      device,
      shader: trivialPath,
      count: 8,
    });
    const longFrames = args.quick ? 100 : 1000;
    log(`memory: ${longFrames} frames`);
    const long = await runChild<Record<string, number>>('memory-long', {
      device,
      shader: trivialPath,
      frames: longFrames,
    });
    md.push(
      '### 4. Memory (RSS, MiB; each row measured in a fresh child process)',
      '',
      table(
        ['what', 'MiB'],
        [
          ['process before any context (runtime, modules, one parsed document)', contexts.baseline_mb!],
          ['first context (loads the GL driver), one small frame rendered', contexts.first_context_mb!],
          ['each further context', contexts.per_additional_context_mb!],
          ['per 1920x1080 frame held in flight (RGBA8 pixels: 7.91 MiB)', frames.per_frame_mb!],
          ['GL-side pool bytes of a context rendering 1920x1080', frames.gl_bytes_for_1080p_output_mb!],
          [`after 10 frames at 1920x1080`, long.after_10_frames_mb!],
          [`after ${long.frames} frames at 1920x1080`, long.after_all_frames_mb!],
          [`growth from frame 10 to frame ${long.frames}`, long.growth_mb!],
          ['peak RSS of that run', long.peak_rss_mb!],
        ],
      ),
      '',
    );
    out.memory = { contexts, frames, long_run: long };
  }
  // 5. compile
  if (args.only.has('compile')) {
    log('compile: official test shaders, cold (driver disk caches off) and cached');
    const compile = await runChild<{ shaders: CompileRow[] }>(
      'compile',
      { device: args.device, dir: testsDir, warmup: trivialPath, limit: args.quick ? 4 : undefined },
      // Mesa's and NVIDIA's on-disk shader caches off: cold means cold.
      { MESA_SHADER_CACHE_DISABLE: 'true', __GL_SHADER_DISK_CACHE: '0' },
    );
    const ok = compile.shaders.filter((s) => !s.error);
    const summary = {
      shaders: compile.shaders.length,
      errors: compile.shaders.length - ok.length,
      median_cold_ms: round(median(ok.map((s) => s.cold_ms)), 2),
      median_first_frame_ms: round(median(ok.map((s) => s.first_frame_ms)), 2),
      median_cold_total_ms: round(median(ok.map((s) => s.cold_total_ms)), 2),
      max_cold_total_ms: round(Math.max(...ok.map((s) => s.cold_total_ms)), 2),
      median_cached_ms: round(median(ok.map((s) => s.cached_ms)), 3),
      median_cached_first_frame_ms: round(median(ok.map((s) => s.cached_first_frame_ms)), 2),
    };
    md.push(
      '### 5. Compile time of the official test shaders (ms)',
      '',
      table(
        [
          'shader',
          'cold: useDoc (generate, compile, link)',
          'cold: first frame 320x180',
          'cold total',
          'cached: useDoc (program cache)',
          'cached: first frame',
          'generate only',
        ],
        [
          ...compile.shaders.map((s) =>
            s.error
              ? [s.file, `error: ${s.error}`, '', '', '', '', '']
              : [
                  s.file,
                  s.cold_ms,
                  s.first_frame_ms,
                  s.cold_total_ms,
                  s.cached_ms,
                  s.cached_first_frame_ms,
                  s.generate_ms,
                ],
          ),
          [
            '**median**',
            summary.median_cold_ms,
            summary.median_first_frame_ms,
            summary.median_cold_total_ms,
            summary.median_cached_ms,
            summary.median_cached_first_frame_ms,
            round(median(ok.map((s) => s.generate_ms)), 3),
          ],
        ],
      ),
      '',
    );
    out.compile = { ...summary, rows: compile.shaders };
  }
  // 6. start-up of the built package
  let startup: StartupResult | undefined;
  if (args.only.has('startup')) {
    try {
      startup = benchStartup(ROOT, trivialPath, args);
      out.startup = startup;
      md.push(
        '### 6. Start-up of the built package (ms, medians; ratios against `node -e 0` in the same run)',
        '',
        table(
          ['what', 'ms', 'ratio', 'target'],
          [
            ['`node -e 0`', startup.node_ms, '1', ''],
            ['`isf --version` (dist)', startup.version_ms, startup.startup_ratio_version, '<= 1.5'],
            [
              '`isf validate trivial.fs` (dist)',
              startup.validate_ms,
              startup.startup_ratio_validate,
              '<= 2.5',
            ],
            [
              '`isf --version` from the sources (tsx)',
              startup.version_from_sources_ms,
              round(startup.version_from_sources_ms / startup.node_ms, 2),
              '',
            ],
            [
              'IsolatedRenderer child, fork to ready (dist)',
              startup.isolated_child_ready_ms,
              '',
              'well under 340-560',
            ],
            ['same, from the sources (tsx)', startup.isolated_child_ready_from_sources_ms, '', ''],
          ],
        ),
        '',
      );
    } catch (e) {
      out.startup = { skipped: (e as Error).message };
      md.push('### 6. Start-up', '', `Skipped: ${(e as Error).message}`, '');
    }
  }
  // 7. sequence throughput
  let sequence: SequenceResult | undefined;
  if (args.only.has('sequence')) {
    sequence = await benchSequence(
      context,
      ROOT,
      { name: 'trivial', path: trivialPath, doc: trivial },
      {
        quick: args.quick,
        size: args.sequenceSize,
        device: args.device,
      },
    );
    out.sequence = sequence;
    const { png, mp4, cli } = sequence;
    const q = (r: { ratio_quartiles: [number, number]; pairs: number }) =>
      `median of ${r.pairs} adjacent pairs, quartiles ${r.ratio_quartiles[0].toFixed(3)}-${r.ratio_quartiles[1].toFixed(3)}`;
    const rows: (string | number)[][] = [
      [
        `PNG, ${png.frames} frames: pipelined / unpipelined fps`,
        `${png.pipelined_fps} / ${png.unpipelined_fps}`,
        `speedup ${png.speedup.toFixed(3)} (${q(png)})`,
        '> 1',
      ],
    ];
    if ('skipped' in mp4)
      rows.push(['mp4 (libx264, CLI defaults)', `skipped: ${mp4.skipped}`, '', '<= 1.10']);
    else {
      rows.push(
        [
          `mp4 (libx264 CRF 18 medium), ${mp4.frames} frames, each variant in a process of its own: ours / ffmpeg alone fps`,
          `${mp4.ours_fps} / ${mp4.ffmpeg_alone_fps}`,
          `time ratio ${mp4.ratio.toFixed(3)} (${q(mp4)})`,
          '<= 1.10',
        ],
        [
          'same, both variants in the bench process',
          `${mp4.in_process.ours_fps} / ${mp4.in_process.ffmpeg_alone_fps}`,
          `time ratio ${mp4.in_process.ratio.toFixed(3)} (${q(mp4.in_process)})`,
          'reported',
        ],
      );
    }
    if ('skipped' in cli)
      rows.push(['isf render vs renderToFiles', `skipped: ${cli.skipped}`, '', '<= 1.05']);
    else {
      rows.push(
        [
          `isf render (${cli.entry}${cli.dist_stale ? ', older than src/' : ''}) / renderToFiles, ${cli.frames} PNG frames, whole runs (ms)`,
          `${cli.cli_ms} / ${cli.in_process_ms}`,
          `ratio ${cli.whole_run_ratio.toFixed(3)} (median of ${cli.rounds} pairs; the CLI's start-up ~${Math.round(cli.cli_constant_ms)} ms included)`,
          'reported',
        ],
        [
          `same, steady state: (T(${cli.frames}) - T(${cli.short_frames})) / ${cli.frames - cli.short_frames} (ms per frame)`,
          `${cli.steady_cli_ms_per_frame} / ${cli.steady_in_process_ms_per_frame}`,
          `ratio ${cli.steady_ratio.toFixed(3)}`,
          '<= 1.05',
        ],
      );
    }
    md.push(
      `### 7. Sequence throughput (${sequence.shader}, ${sequence.width}x${sequence.height})`,
      '',
      table(['what', 'value', 'ratio', 'target'], rows),
      '',
    );
  }
  // Render farm (scripts/bench-farm.ts, when that part of the project is present).
  if (args.only.has('farm')) {
    const farmScript = join(ROOT, 'scripts', 'bench-farm.ts');
    if (!existsSync(farmScript)) out.farm = { skipped: 'scripts/bench-farm.ts is not present' };
    else {
      try {
        log('farm: scripts/bench-farm.ts');
        const mod = (await import(pathToFileURL(farmScript).href)) as {
          benchFarm: (o?: unknown) => Promise<{ workers: number; fps: number }[]>;
        };
        let timer: NodeJS.Timeout | undefined;
        const limit = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('no result within 240 s')), 240_000);
        });
        const rows = await Promise.race([
          mod.benchFarm({ quick: args.quick, device: args.device }),
          limit,
        ]).finally(() => clearTimeout(timer));
        out.farm = rows;
        md.push(
          '### Render farm (BullMQ, scripts/bench-farm.ts)',
          '',
          table(
            ['workers', 'fps'],
            rows.map((r) => [r.workers, r.fps]),
          ),
          '',
        );
      } catch (e) {
        out.farm = { skipped: `bench-farm failed: ${(e as Error).message}` };
        abandoned = true; // its workers may still run: exit once the figures are out
      }
    }
    if (out.farm && 'skipped' in (out.farm as object)) {
      md.push('### Render farm', '', `Skipped: ${(out.farm as { skipped: string }).skipped}`, '');
    }
  }
  context.destroy();

  machine.load_average_end = round(loadavg()[0]!, 2);
  const maxOf = (xs: number[]) => (xs.length ? Math.max(...xs) : null);
  const minOf = (xs: number[]) => (xs.length ? Math.min(...xs) : null);
  const shaders = browser && !('skipped' in browser) ? browser.shaders : [];
  const overhead_ratio = maxOf((overhead ?? []).map((o) => o.ratio));
  const speedup = minOf(shaders.map((s) => s.end_to_end.ratio));
  const inPage = minOf(shaders.map((s) => s.in_page.ratio));
  const byName = (n: string) => shaders.find((s) => s.shader === n);
  const preview = byName('trivial')?.preview.ratio ?? null;
  const previewHeavy = byName('heavy-fbm')?.preview.ratio ?? null;
  const previewCeiling = byName('trivial')?.preview.bare_ratio ?? null;
  const speedupTrivial = byName('trivial')?.end_to_end.ratio ?? null;
  const freshFrames = maxOf((overhead ?? []).map((o) => o.ratio_fresh_frames));
  const small = batch?.lifecycle.find((l) => l.width === 320);
  const lifecycleBatch = small?.ratio ?? null;
  // The headline: the only difference the option makes is one checkErrors() per frame, so its cost timed
  // directly, over the batch's frame time with checks off, is the on/off ratio without the noise of differencing
  // two whole batches (their pairs scatter by +-5-10% here, far more than the 1% to resolve). Both are reported.
  const lifecycle =
    batch && small ? round(1 + batch.check_us_per_frame / 1000 / (1000 / small.off_fps), 6) : null;
  const pngSpeedup = sequence?.png.speedup ?? null;
  const mp4Ratio = sequence && !('skipped' in sequence.mp4) ? sequence.mp4.ratio : null;
  const mp4InProcess = sequence && !('skipped' in sequence.mp4) ? sequence.mp4.in_process.ratio : null;
  const cliSteady = sequence && !('skipped' in sequence.cli) ? sequence.cli.steady_ratio : null;
  const cliWhole = sequence && !('skipped' in sequence.cli) ? sequence.cli.whole_run_ratio : null;
  const headline = {
    overhead_ratio,
    speedup_vs_interactive_shader_format: speedup,
    lifecycle_overhead_ratio: lifecycle,
    in_page_ratio_vs_interactive_shader_format: inPage,
    lifecycle_overhead_ratio_batch: lifecycleBatch,
    startup_ratio_version: startup?.startup_ratio_version ?? null,
    startup_ratio_validate: startup?.startup_ratio_validate ?? null,
    isolated_child_ready_ms: startup?.isolated_child_ready_ms ?? null,
    overhead_ratio_fresh_frames: freshFrames,
    preview_ratio_vs_interactive_shader_format: preview,
    preview_ratio_vs_interactive_shader_format_heavy: previewHeavy,
    preview_ratio_bare_webgl_vs_interactive_shader_format: previewCeiling,
    speedup_vs_interactive_shader_format_trivial: speedupTrivial,
    pipelined_png_speedup: pngSpeedup,
    mp4_ratio_vs_ffmpeg_alone: mp4Ratio,
    mp4_ratio_vs_ffmpeg_alone_in_process: mp4InProcess,
    cli_sequence_ratio_vs_in_process: cliSteady,
    cli_sequence_ratio_vs_in_process_whole_run: cliWhole,
    targets: {
      overhead_ratio_at_most_1_05: overhead_ratio === null ? null : overhead_ratio <= 1.05,
      overhead_ratio_fresh_frames_at_most_1_15: freshFrames === null ? null : freshFrames <= 1.15,
      preview_ratio_at_least_1_5: preview === null ? null : preview >= 1.5,
      preview_ratio_heavy_at_least_1: previewHeavy === null ? null : previewHeavy >= 1,
      speedup_trivial_at_least_5: speedupTrivial === null ? null : speedupTrivial >= 5,
      speedup_at_least_5: speedup === null ? null : speedup >= 5,
      lifecycle_difference_under_1_percent: lifecycle === null ? null : Math.abs(lifecycle - 1) < 0.01,
      startup_version_at_most_1_5: startup ? startup.startup_ratio_version <= 1.5 : null,
      startup_validate_at_most_2_5: startup ? startup.startup_ratio_validate <= 2.5 : null,
      pipelined_png_faster: pngSpeedup === null ? null : pngSpeedup > 1,
      mp4_ratio_at_most_1_10: mp4Ratio === null ? null : mp4Ratio <= 1.1,
      cli_sequence_steady_within_5_percent: cliSteady === null ? null : cliSteady <= 1.05,
    },
  };
  md.unshift(
    `## isf-renderer bench, ${started} (${args.quick ? 'quick' : 'full'} run, device ${args.deviceArg})`,
    '',
    `Machine: ${machine.nproc} x ${machine.cpu}; GL: ${machine.gl_renderer}, ${machine.gl_version}; Node ${machine.node}; load average ${machine.load_average_start} at start, ${machine.load_average_end} at end.`,
    '',
    table(
      ['headline', 'value', 'target'],
      [
        ['overhead ratio (library / raw loop, worst shader)', String(overhead_ratio ?? 'n/a'), '<= 1.05'],
        ['speedup vs interactive-shader-format, end to end (worst shader)', String(speedup ?? 'n/a'), '>= 5'],
        ['same, in page (worst shader)', String(inPage ?? 'n/a'), 'reported'],
        [
          'default render() (frames released) / raw loop, worst shader',
          String(freshFrames ?? 'n/a'),
          '<= 1.15',
        ],
        ['preview (no readback) vs interactive-shader-format, trivial', String(preview ?? 'n/a'), '>= 1.5'],
        ['same, heavy-fbm', String(previewHeavy ?? 'n/a'), '>= 1.0'],
        [
          'same, bare WebGL2 drawing our program (no renderer: the ceiling), trivial',
          String(previewCeiling ?? 'n/a'),
          'reported',
        ],
        ['end to end vs interactive-shader-format, trivial', String(speedupTrivial ?? 'n/a'), '>= 5'],
        ['pipelined / unpipelined PNG sequence, 1080p (speedup)', String(pngSpeedup ?? 'n/a'), '> 1'],
        ['mp4 / ffmpeg encoding the same frames alone, 1080p', String(mp4Ratio ?? 'n/a'), '<= 1.10'],
        ['same, both in the bench process', String(mp4InProcess ?? 'n/a'), 'reported'],
        ['isf render / renderToFiles, steady state', String(cliSteady ?? 'n/a'), '<= 1.05'],
        ['same, whole runs (start-up included)', String(cliWhole ?? 'n/a'), 'reported'],
        [
          "lifecycle checks on / off (batch 320x180: the checks' cost timed directly / frame time)",
          String(lifecycle ?? 'n/a'),
          '< 1% difference',
        ],
        [
          'same, two whole batches timed (median of on/off pairs; noise: see section 3)',
          String(lifecycleBatch ?? 'n/a'),
          'reported',
        ],
      ],
    ),
    '',
  );
  const seconds = round((performance.now() - t0) / 1000, 1);
  md.push(`Total bench time: ${seconds} s.`);
  process.stdout.write(`${md.join('\n')}\n`);
  if (args.json) {
    const result = {
      ...headline,
      device: args.deviceArg,
      quick: args.quick,
      started,
      seconds,
      machine,
      ...out,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
  if (abandoned) process.stdout.write('', () => process.exit(0));
}

await main();
