/**
 * `isf render <shader.fs> -o <out> [...]`: renders frames k = 0..N-1 at TIME = start + k/fps
 * (TIMEDELTA 1/fps, FRAMEINDEX k). An output pattern (out/frame-%05d.png) receives every frame; a plain file
 * name receives the last frame; `-o - --format F` streams every frame to stdout (node/frame-stream.ts).
 */
import { isatty } from 'node:tty';
import { type Command, Option } from 'commander';
import { isDeparture, withCompatibility } from '../core/dialects.ts';
import { type Diagnostic, ISFError } from '../core/errors.ts';
import { type BatchOptions, isPattern, sequenceLength } from '../node/batch.ts';
import { readRegularFile } from '../node/confine.ts';
import { DEFAULT_CHUNK, DEFAULT_QUEUE } from '../node/farm/jobs.ts';
import {
  checkStreamFormat,
  type FrameStreamOptions,
  ffmpegInputFor,
  STREAM_FORMATS,
  STREAM_OUTPUT,
  type StreamFormat,
  streamFrameBytes,
  y4mChroma,
  y4mHeader,
} from '../node/frame-stream.ts';
import type { SampleDepth } from '../node/images.ts';
import { checkShaderFile } from '../node/isolate/check.ts';
import { parseLimitsOf, UNTRUSTED_LIMITS } from '../node/isolate/limits.ts';
import { IsolatedRenderer } from '../node/isolate/renderer.ts';
import { CUBE_FACES } from '../render/cube.ts';
import { EXIT } from './exit-codes.ts';
import { importNeeding } from './optional.ts';
import { progressBar, run } from './output.ts';

interface RenderFlags {
  output: string;
  size: string;
  time: string;
  frames?: string;
  duration?: string;
  fps?: string;
  set: string[];
  animate: string[];
  sweep: string[];
  timeline?: string;
  image: string[];
  cube: string[];
  audio: string[];
  depth: string;
  supersample: string;
  workers: string;
  codec?: string;
  crf?: string;
  pixFmt?: string;
  audioTrack?: string | false;
  audioCodec?: string;
  alpha?: boolean;
  motionBlur?: string;
  shutter?: string;
  format?: string;
  device: string;
  redis?: string;
  queue: string;
  chunk?: string;
  timeout?: string;
  untrusted?: boolean;
  strict?: boolean;
  json?: boolean;
  quiet?: boolean;
}

/** The per-frame time limit of --untrusted without --timeout. */
const UNTRUSTED_TIMEOUT_MS = 60_000;

/** Commander's collector for a repeatable flag. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Parses "WxH" (also "W*H", "W,H"). */
export function parseSize(text: string): { width: number; height: number } {
  const m = /^\s*(\d+)\s*[x*,X]\s*(\d+)\s*$/.exec(text);
  if (!m)
    throw new ISFError(
      'BAD_ARGUMENT',
      `Expected --size as WIDTHxHEIGHT (e.g. 1920x1080) but received "${text}"`,
    );
  return { width: Number(m[1]), height: Number(m[2]) };
}

function number(flag: string, text: string, check: (n: number) => boolean, expected: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || !check(n)) {
    throw new ISFError('BAD_ARGUMENT', `Expected ${expected} for ${flag} but received "${text}"`);
  }
  return n;
}

/** Splits repeated "name=value" flags into a record. */
export function pairs(flag: string, list: string[]): Record<string, string> {
  // No prototype: `--set __proto__=1` or `constructor=1` is a name like any other (and then an unknown input).
  const out: Record<string, string> = Object.create(null);
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new ISFError('BAD_ARGUMENT', `Expected ${flag} name=value but received "${item}"`);
    out[item.slice(0, eq).trim()] = item.slice(eq + 1);
  }
  return out;
}

/**
 * Splits repeated "--cube name=px,nx,py,ny,pz,nz" flags: six face files separated by commas, in GL order
 * (+X, -X, +Y, -Y, +Z, -Z). BAD_ARGUMENT unless there are exactly six non-empty paths.
 */
export function parseCubeFlags(list: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null);
  for (const [name, text] of Object.entries(pairs('--cube', list))) {
    const faces = text.split(',').map((f) => f.trim());
    if (faces.length !== 6 || faces.some((f) => f === '')) {
      throw new ISFError(
        'BAD_ARGUMENT',
        `Expected --cube ${name}= six face files separated by commas, in the order ${CUBE_FACES.join(' ')} (e.g. ${name}=px.png,nx.png,py.png,ny.png,pz.png,nz.png) but received ${faces.filter((f) => f !== '').length}: "${text}"`,
      );
    }
    out[name] = faces;
  }
  return out;
}

export function registerRender(program: Command): void {
  program
    .command('render')
    .description(
      'render a shader to image files (PNG, TIFF, EXR, JPEG, WebP) or a video (MP4, WebM, MOV, MKV)',
    )
    .argument('<shader>', 'the .fs file')
    .requiredOption(
      '-o, --output <path>',
      'output file, or a pattern like out/frame-%05d.png for every frame, or - for stdout (with --format)',
    )
    .option(
      '--format <name>',
      `with -o -: the stream written to stdout: ${STREAM_FORMATS.join(', ')} (raw RGBA8, YUV4MPEG2 4:2:0, PNGs, JPEGs, YUV4MPEG2 4:4:4)`,
    )
    .option('--size <WxH>', 'render size', '1920x1080')
    .option('--time <seconds>', 'TIME of the first frame', '0')
    .option(
      '--frames <n>',
      "number of frames (default: a video or pattern output runs for a clip input's frame count, else an audio input's duration; else 1)",
    )
    .option('--duration <seconds>', 'render this many seconds (frames = duration * fps)')
    .option('--fps <f>', "frames per second of the sequence (default: a clip input's rate, else 30)")
    .option(
      '--set <name=value>',
      'set an input (repeatable): color=#ff8800, center=0.5,0.5, mode=Label',
      collect,
      [],
    )
    .option(
      '--animate <spec>',
      'keyframe an input (repeatable): "amount=0@0 1@2", "center=0.1,0.1@0 0.9,0.9@4:ease-in-out"',
      collect,
      [],
    )
    .option(
      '--sweep <spec>',
      'render every combination (repeatable) into a labelled contact sheet, or one file per cell with a pattern: "amount=0:1:5" (from:to:count), "mode=0,1,2" (a list; | separates point/colour values)',
      collect,
      [],
    )
    .option(
      '--timeline <file.json>',
      'keyframes for several inputs: { "amount": [[0, 0], [2, 1, "ease-in"]] }',
    )
    .option('--image <name=path>', 'image input from a file (repeatable)', collect, [])
    .option(
      '--cube <name=px,nx,py,ny,pz,nz>',
      'cube input from six square face files of one size, in the order +X,-X,+Y,-Y,+Z,-Z (repeatable)',
      collect,
      [],
    )
    .option(
      '--audio <name=file>',
      'audio/audioFFT input from a sound file ffmpeg decodes (WAV without ffmpeg), synced to TIME (repeatable)',
      collect,
      [],
    )
    .option('--audio-track <file>', 'sound muxed into a video output (default: the first --audio file)')
    .option('--no-audio-track', 'no sound in a video output')
    .option('--motion-blur <n>', 'average n sub-frames over the shutter interval of each frame')
    .option('--shutter <fraction>', 'with --motion-blur: the open fraction of a frame interval', '0.5')
    .option('--alpha', 'keep the alpha channel in a video (default: when the first frame has any)')
    .option('--no-alpha', 'drop the alpha channel of a video')
    .option('--audio-codec <name>', 'audio encoder (default: aac for .mp4/.mov/.mkv, libopus for .webm)')
    .addOption(
      new Option(
        '--depth <bits>',
        'bits per value: 16 writes 16-bit PNG/TIFF and high-bit-depth video (ProRes 4444 XQ, FFV1, H.265 10-bit), keeping float output; .exr frames are half float, 32 full float (EXR only)',
      )
        .choices(['8', '16', '32'])
        .default('8'),
    )
    .option('--supersample <k>', 'render k times larger and downsample', '1')
    .option('--workers <n>', 'render on n worker threads, each with its own GL context', '1')
    .option(
      '--codec <name>',
      'video encoder (default: libx264 for .mp4/.mkv, libvpx-vp9 for .webm, prores_ks for .mov)',
    )
    .option('--crf <n>', 'video quality (constant rate factor; lower is better)')
    .option('--pix-fmt <fmt>', 'video pixel format (default yuv420p; yuva444p10le for ProRes, keeps alpha)')
    .option('--device <cpu|gpu|index>', 'GL device: cpu (Mesa llvmpipe) or gpu (EGL device platform)', 'cpu')
    .option('--redis <url>', 'render on a farm of `isf worker`s through this Redis (docs/farm.md)')
    .option('--queue <name>', 'the farm queue, with --redis', DEFAULT_QUEUE)
    .option('--chunk <frames>', 'frames per farm job, with --redis', String(DEFAULT_CHUNK))
    .option(
      '--timeout <ms>',
      'render in an isolated process under the untrusted limits; a frame (the first with loading and compiling) running longer is stopped (exit 6)',
    )
    .option(
      '--untrusted',
      `like --timeout, with ${UNTRUSTED_TIMEOUT_MS} ms unless --timeout is given (docs/untrusted.md)`,
    )
    .option(
      '--strict',
      'refuse every departure from the ISF spec that is otherwise accepted with a warning (docs/dialects.md)',
    )
    .option('--json', 'print one JSON summary on stdout')
    .option('-q, --quiet', 'no progress or notices')
    .action(async (shader: string, flags: RenderFlags) => {
      await run(!!flags.json, () => renderCommand(shader, flags));
    });
}

async function renderCommand(shader: string, flags: RenderFlags): Promise<number> {
  const { width, height } = parseSize(flags.size);
  const start = number('--time', flags.time, () => true, 'a number of seconds');
  const images = pairs('--image', flags.image);
  const cubes = parseCubeFlags(flags.cube);
  const audio = pairs('--audio', flags.audio);
  const notices = !flags.quiet && !flags.json;
  const length = await sequenceLength({
    output: flags.output,
    images,
    audio,
    start,
    fps: flags.fps === undefined ? undefined : number('--fps', flags.fps, (n) => n > 0, 'a positive number'),
    frames:
      flags.frames === undefined
        ? undefined
        : number('--frames', flags.frames, (n) => Number.isInteger(n) && n >= 1, 'a positive integer'),
    duration:
      flags.duration === undefined
        ? undefined
        : number('--duration', flags.duration, (n) => n > 0, 'a positive number of seconds'),
  });
  const { frames, fps } = length;
  if (length.chosen && notices) process.stderr.write(`isf: ${length.chosen}\n`);
  const supersample = number(
    '--supersample',
    flags.supersample,
    (n) => Number.isInteger(n) && n >= 1,
    'an integer >= 1',
  );
  const depth = Number(flags.depth) as SampleDepth;
  const stream = streamOutput(flags, depth);
  const device = /^\d+$/.test(flags.device) ? Number(flags.device) : (flags.device as 'cpu' | 'gpu');
  // What every way of rendering takes (local, isolated, farm).
  const common = {
    output: flags.output,
    width,
    height,
    start,
    frames,
    fps,
    set: pairs('--set', flags.set),
    animate: flags.animate,
    timeline: flags.timeline === undefined ? undefined : await readTimelineFile(flags.timeline),
    images,
    ...(Object.keys(cubes).length > 0 ? { cubes } : {}),
    audio,
    // The clip sequenceLength probed: the render does not probe it again.
    clips: length.clips,
    depth,
    supersample,
    ...(stream ? { format: stream } : {}),
    codec: flags.codec,
    crf:
      flags.crf === undefined
        ? undefined
        : number('--crf', flags.crf, (n) => n >= 0 && n <= 63, 'a number 0..63'),
    pixFmt: flags.pixFmt,
    audioTrack: flags.audioTrack,
    audioCodec: flags.audioCodec,
    alpha: flags.alpha,
    motionBlur:
      flags.motionBlur === undefined
        ? undefined
        : number(
            '--motion-blur',
            flags.motionBlur,
            (n) => Number.isInteger(n) && n >= 1 && n <= 64,
            'an integer 1..64',
          ),
    shutter: number('--shutter', flags.shutter ?? '0.5', (n) => n > 0 && n <= 1, 'a fraction in (0, 1]'),
  };
  const untrusted = flags.timeout !== undefined || !!flags.untrusted;
  const timeoutMs = untrusted
    ? flags.timeout === undefined
      ? UNTRUSTED_TIMEOUT_MS
      : number('--timeout', flags.timeout, (n) => n > 0, 'a positive number of milliseconds')
    : undefined;
  if (flags.sweep.length > 0 && flags.redis !== undefined) {
    throw new ISFError('BAD_ARGUMENT', '--sweep renders locally; it cannot be combined with --redis');
  }
  if (flags.redis !== undefined) {
    // Loaded only for farm renders: BullMQ takes a noticeable time to import (and is an optional peer).
    const { farmRenderCommand } = await importNeeding(
      'bullmq',
      'isf render --redis',
      () => import('./farm.ts'),
    );
    return farmRenderCommand({
      shader,
      redis: flags.redis,
      queue: flags.queue,
      chunk: flags.chunk,
      json: flags.json,
      notices,
      // Each job carries them; every worker enforces them (its own --timeout caps the time limit).
      ...(untrusted ? { untrusted: true, timeoutMs } : {}),
      ...common,
    });
  }

  if (flags.strict) await refuseDepartures(shader);
  // A sweep is checked (inputs, ranges, the cap, the output) before a child is started for it.
  const sweep = flags.sweep.length > 0 ? await planSweepOf(shader, flags, common, untrusted) : undefined;
  // Every render runs in a supervised child process that renders, encodes and writes the files itself: a driver
  // crash is GL_DRIVER_CRASH and Ctrl-C is exit 130 however stuck the frame is, never this process dying with
  // the driver. Shaders you did not write also get the untrusted limits and a time limit (docs/untrusted.md).
  const renderer = new IsolatedRenderer({
    device,
    // -o -: the child writes the frames to this process's stdout itself (they never cross the IPC channel).
    ...(stream ? { shareStdout: true } : {}),
    ...(untrusted
      ? { timeoutMs }
      : // A local render is trusted: IMPORTED may climb out of the shader's folder within the working directory
        // (with a warning); isolated renders keep the document's folder (docs/untrusted.md, "IMPORTED paths").
        { limits: 'none' as const, timeoutMs: Number.POSITIVE_INFINITY, importRoot: process.cwd() }),
  });
  renderer.warmUp();
  // While the child starts: say which departures from the spec the render accepted (what --strict refuses).
  if (!flags.strict && notices) await sayDepartures(shader, untrusted);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  // Every signal is handled (none may end this process before the child is stopped); the first one aborts.
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  if (sweep) {
    try {
      return await sweepCommand(sweep, shader, flags, common, renderer, controller.signal, notices);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await renderer.close();
    }
  }
  const streamed = stream && { format: stream, width, height, fps, depth };
  if (streamed && notices) {
    const bytes = streamFrameBytes(streamed);
    process.stderr.write(
      `isf: writing ${frames} frame(s) ${width}x${height} at ${fps} fps to stdout as ${stream}${bytes ? ` (${bytes} bytes a frame)` : ''}; read it with: ${ffmpegInputFor(streamed)}\n`,
    );
  }
  const bar = progressBar('rendering', frames, notices);
  const t0 = performance.now();
  bar?.start(frames, 0, { fps: '0.0' });
  try {
    const options: BatchOptions = {
      ...common,
      workers: number(
        '--workers',
        flags.workers,
        (n) => Number.isInteger(n) && n >= 1 && n <= 64,
        'an integer 1..64',
      ),
      signal: controller.signal,
      onFrame: (done) => bar?.update(done, { fps: (done / ((performance.now() - t0) / 1000)).toFixed(1) }),
      onNotice: (m) => notices && process.stderr.write(`isf: ${m}\n`),
    };
    const result = await renderer.renderFiles(shader, options);
    bar?.stop();
    if (flags.json) {
      process.stdout.write(
        `${JSON.stringify({ ok: !result.interrupted, shader, ...result, fps: result.frames / (result.totalMs / 1000) })}\n`,
      );
    } else if (notices && streamed) {
      process.stderr.write(
        `isf: ${result.interrupted ? 'interrupted: ' : ''}${streamSummary(streamed, result)}\n`,
      );
    } else if (notices) {
      const what = result.files.length === 1 ? result.files[0] : `${result.files.length} files`;
      process.stderr.write(
        `isf: ${result.interrupted ? 'interrupted: ' : ''}wrote ${what} (${result.frames} frame(s) ${width}x${height} in ${(result.totalMs / 1000).toFixed(2)} s${result.skipped ? `; frame ${frames} of ${frames}: a single image needs only the last frame, the ${result.skipped} before it were not rendered` : ''})\n`,
      );
    }
    if (result.interrupted) {
      if (!flags.json && !streamed) {
        process.stderr.write(
          `isf: frames written: ${result.files.length ? result.files.join(', ') : 'none'}\n`,
        );
      }
      return EXIT.INTERRUPTED;
    }
    return EXIT.OK;
  } finally {
    bar?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await renderer.close();
  }
}

type CommonOptions = Omit<BatchOptions, 'signal' | 'onFrame' | 'onNotice' | 'workers'>;

/** The shader's document (parsed here only for its inputs: the child renders it) and the sweep's cells, checked. */
async function planSweepOf(shader: string, flags: RenderFlags, common: CommonOptions, untrusted: boolean) {
  const { loadISF } = await import('../node/load.ts');
  const doc = await loadISF(
    shader,
    untrusted ? parseLimitsOf(UNTRUSTED_LIMITS) : { importRoot: process.cwd() },
  );
  const { planSweep } = await import('./sweep.ts');
  // The sheet is composed at 8 bits: a deeper one would silently lose the depth asked for (one file per cell keeps it).
  if (common.depth !== undefined && common.depth !== 8 && !isPattern(common.output)) {
    throw new ISFError(
      'BAD_ARGUMENT',
      `--sweep into one contact sheet (${common.output}) is 8-bit: --depth ${common.depth} needs one file per cell`,
      { suggestion: 'give an output pattern such as cells/%03d.png, or drop --depth' },
    );
  }
  return { doc, total: planSweep(doc, flags.sweep, common.set ?? {}, common.output).cells.length };
}

/** --sweep: the cells rendered one after another by the same supervised child, then the sheet composed here. */
async function sweepCommand(
  { doc, total }: Awaited<ReturnType<typeof planSweepOf>>,
  shader: string,
  flags: RenderFlags,
  common: CommonOptions,
  renderer: IsolatedRenderer,
  signal: AbortSignal,
  notices: boolean,
): Promise<number> {
  const { renderSweep } = await import('./sweep.ts');
  const bar = progressBar('sweeping', total, notices);
  bar?.start(total, 0, { fps: '-' });
  const said = new Set<string>();
  try {
    const result = await renderSweep({
      doc,
      shader,
      specs: flags.sweep,
      output: common.output,
      renderer,
      options: {
        ...common,
        signal,
        // The same notice for every cell (the test pattern...) is said once.
        onNotice: (m) => {
          if (notices && !said.has(m)) process.stderr.write(`isf: ${m}\n`);
          said.add(m);
        },
      },
      onCell: (done) => bar?.update(done, { fps: '-' }),
    });
    bar?.stop();
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ ok: !result.interrupted, shader, ...result })}\n`);
    } else if (notices) {
      const what = result.sheet
        ? `${result.output} (${result.sheet.rows} x ${result.sheet.columns} cells, ${result.sheet.width}x${result.sheet.height})`
        : `${result.cells.length} files`;
      process.stderr.write(`isf: ${result.interrupted ? 'interrupted: ' : ''}wrote ${what}\n`);
    }
    return result.interrupted ? EXIT.INTERRUPTED : EXIT.OK;
  } finally {
    bar?.stop();
  }
}

/** --strict: one lenient check of the file (GLSL included); its first departure is thrown as ISF_STRICT. */
async function refuseDepartures(shader: string): Promise<void> {
  const report = withCompatibility(await checkShaderFile(shader), true);
  const first = report.errors.find((d) => d.code === 'ISF_STRICT');
  if (first === undefined) return;
  throw new ISFError('ISF_STRICT', first.message, {
    file: first.file,
    line: first.line,
    column: first.column,
    diagnostics: report.errors,
  });
}

/**
 * Default (lenient) renders accept what some host accepts (docs/dialects.md); each departure is said on stderr,
 * located, with the hosts that would refuse the file, as `isf validate` reports it. Read as the child will read
 * it (the same trusted root or untrusted limits); any error is left to the child, which reports it.
 */
async function sayDepartures(shader: string, untrusted: boolean): Promise<void> {
  let warnings: Diagnostic[];
  try {
    const parse = untrusted ? parseLimitsOf(UNTRUSTED_LIMITS) : { importRoot: process.cwd() };
    warnings = (await checkShaderFile(shader, undefined, { parse })).warnings.filter(isDeparture);
  } catch {
    return;
  }
  for (const w of warnings) {
    const at = [w.file ?? shader, w.line, w.column].filter((x) => x !== undefined).join(':');
    process.stderr.write(`isf: warning ${w.code} ${at}: ${w.message}\n`);
  }
  if (warnings.length > 0) {
    process.stderr.write('isf: accepted as other hosts do; --strict refuses these departures\n');
  }
}

/** The JSON of a --timeline file (checked against the shader's inputs when the render starts). */
async function readTimelineFile(path: string): Promise<unknown> {
  const bytes = await readRegularFile(path, { maxBytes: 4 * 1024 * 1024, what: 'timeline file' });
  try {
    return JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    throw new ISFError('BAD_ARGUMENT', `--timeline ${path} is not valid JSON: ${(e as Error).message}`, {
      file: path,
    });
  }
}

/**
 * `-o -`: the stream format, checked (BAD_ARGUMENT naming the formats when --format is missing), or undefined for
 * a file output (where --format is refused: the extension decides). stdout must not be a terminal, and --json
 * cannot share it with the frames.
 */
function streamOutput(flags: RenderFlags, depth: SampleDepth): StreamFormat | undefined {
  if (flags.output !== STREAM_OUTPUT) {
    if (flags.format !== undefined) {
      throw new ISFError(
        'BAD_ARGUMENT',
        `--format ${flags.format} applies to -o - (frames to stdout); the format of ${flags.output} comes from its extension`,
      );
    }
    return undefined;
  }
  const format = checkStreamFormat(flags.format, depth);
  if (flags.sweep.length > 0) {
    throw new ISFError(
      'BAD_ARGUMENT',
      '--sweep writes a contact sheet or one file per cell; -o - cannot take it',
    );
  }
  if (flags.json) {
    throw new ISFError(
      'BAD_ARGUMENT',
      '--json prints on stdout, which -o - fills with frames: use one or the other',
    );
  }
  if (isatty(1)) {
    throw new ISFError('BAD_ARGUMENT', `-o - writes ${format} frames to stdout, which is a terminal here`, {
      suggestion: 'pipe it into a program (| ffmpeg -i - out.mp4) or redirect it (> frames.y4m)',
    });
  }
  return format;
}

/** The stderr summary of a stream: what a reader needs to parse it (size, frame count, format, bytes). */
function streamSummary(o: FrameStreamOptions, result: { frames: number; totalMs: number }): string {
  const bytes = streamFrameBytes(o);
  const chroma = y4mChroma(o.format);
  const layout: Record<StreamFormat, string> = {
    rgba: o.depth === 16 ? 'raw RGBA16 little-endian (rgba64le)' : 'raw RGBA8',
    y4m: 'YUV4MPEG2 4:2:0 (C420jpeg), BT.601 limited range',
    y4m444: 'YUV4MPEG2 4:4:4 (C444), BT.601 limited range',
    png: o.depth === 16 ? 'concatenated 16-bit PNGs' : 'concatenated PNGs',
    mjpeg: 'concatenated JPEGs (MJPEG)',
  };
  return `wrote ${result.frames} frame(s) ${o.width}x${o.height} at ${o.fps} fps to stdout as ${o.format}: ${layout[o.format]}${bytes ? `, ${bytes} bytes a frame, ${bytes * result.frames + (chroma ? y4mHeader(o.width, o.height, o.fps, chroma).length : 0)} bytes in all` : ''} (${(result.totalMs / 1000).toFixed(2)} s)`;
}
