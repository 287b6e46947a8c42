/**
 * Batch rendering in Node: one shader, a range of frames at time start + k/fps, written as image files
 * (every frame with an output pattern such as out/frame-%05d.png, else only the last frame).
 *
 * Rendering and encoding overlap: sharp encodes on libuv's thread pool while the next frame renders, with a
 * bounded number of frames in flight. Files are written atomically; an abort (Ctrl-C) stops after the current
 * frame, waits for writes in flight, removes temporary files and reports which frames exist.
 */

import { availableParallelism } from 'node:os';
import { type AudioSamples, audioImageAt } from '../core/audio.ts';
import type { ISFDocument } from '../core/document.ts';
import { ISFError } from '../core/errors.ts';
import { parseAnimateSpec, type Timeline, timelineFromJson, timelineValuesAt } from '../core/timeline.ts';
import { type InputValue, parseInputValueText } from '../core/values.ts';
import type { GLContext } from '../render/context.ts';
import { CUBE_FACES, checkCubeFaces } from '../render/cube.ts';
import { Frame, type FrameData } from '../render/frame.ts';
import type { RawImage } from '../render/images.ts';
import { FrameAverager, subFrameTimes } from '../render/motion-blur.ts';
import { FramePipeline } from '../render/pipeline.ts';
import { Scene, type SceneOptions, sequenceTiming } from '../render/scene.ts';
import { testPattern } from '../render/test-pattern.ts';
import { checkAudioTrack, loadAudio, probeAudioDuration } from './audio.ts';
import { checkRegularFile } from './confine.ts';
import type { NodeContextOptions } from './context.ts';
import { requireExrEncoder } from './exr.ts';
import {
  type AudioTrack,
  isVideoPath,
  probeVideo,
  type VideoInfo,
  VideoReader,
  VideoWriter,
} from './ffmpeg.ts';
import { writeFileAtomic } from './files.ts';
import { checkStreamFormat, FrameStream, STREAM_OUTPUT, type StreamFormat } from './frame-stream.ts';
import {
  checkImageDepth,
  decodeImage,
  encodeFrame,
  type ImageFormat,
  imageFormatForPath,
  type SampleDepth,
  toRGBA16,
} from './images.ts';
import { nodePlatform } from './platform.ts';
import type { RenderJobFrame } from './render-job.ts';
import { RenderPool } from './render-pool.ts';
import { isUnpipelined } from './sequence-switches.ts';

export interface BatchOptions {
  /**
   * Output path: a file, or a pattern with %d / %05d that receives every frame, or '-' for a stream of every
   * frame in `format` written to `outputFd` (frame-stream.ts).
   */
  output: string;
  /** With output '-': rgba, y4m, png, mjpeg or y4m444 (frame-stream.ts). Required there, refused elsewhere. */
  format?: StreamFormat;
  /** With output '-': the file descriptor the frames go to (default 1, stdout). */
  outputFd?: number;
  width: number;
  height: number;
  /** TIME of frame 0 (default 0). */
  start?: number;
  frames?: number;
  fps?: number;
  /** Input values in their text form, parsed by the input's type ("#ff8800", "0.5,0.5", "Label", "true"). */
  set?: Record<string, string>;
  /** Keyframed inputs, as `--animate` texts: "amount=0@0 1@2:ease-in-out" (core/timeline.ts). */
  animate?: string[];
  /** Keyframed inputs as the JSON of a `--timeline` file: { "amount": [[0, 0], [2, 1, "ease-in"]] }. */
  timeline?: unknown;
  /** Image inputs: name -> image file, video clip (.mp4/.webm/.mov/.mkv) or image-sequence pattern (%04d). */
  images?: Record<string, string>;
  /**
   * Cube inputs: name -> six face image files in GL order +X, -X, +Y, -Y, +Z, -Z (square, one size; checked as
   * Scene.setCubeData checks them).
   */
  cubes?: Record<string, readonly string[]>;
  /**
   * Audio/audioFFT inputs: name -> sound file (anything ffmpeg decodes; WAV without ffmpeg), or a video's
   * audio track. Frame k, rendered at TIME t, sees the audio window that ends at t (core/audio.ts).
   */
  audio?: Record<string, string>;
  /**
   * What ffprobe said about clip inputs (path as given in `images` -> VideoInfo), as `sequenceLength` returns
   * it: those clips are not probed again. Other clips are probed for their size only (no frame count).
   */
  clips?: Record<string, VideoInfo>;
  /**
   * 16 writes 16-bit PNGs/TIFFs and pipes video as RGBA16 into a codec that keeps more than 8 bits (from float
   * output when the shader renders float). EXR frames are half float unless 32 (full float, EXR only).
   */
  depth?: SampleDepth;
  /** Render K times larger and average K x K blocks down. */
  supersample?: number;
  /** Frames encoded/written concurrently with rendering (default 4). */
  inFlight?: number;
  /**
   * Render on this many worker threads (RenderPool), each with its own context. Frames come back in order, so
   * files and videos are identical to a single-threaded render. Shaders with persistent buffers, video inputs,
   * motion blur and scenes under limits or another platform (`scene`: the untrusted limits) render in this
   * thread (their frames depend on the previous ones / on one decoder / on what only this thread's scene has).
   */
  workers?: number;
  /** Context options of the `workers` threads' contexts (the device `context` runs on; default auto). */
  workerContext?: NodeContextOptions;
  /** Video output (when `output` ends in .mp4/.webm/.mov/.mkv): encoder, CRF, pixel format. */
  codec?: string;
  crf?: number;
  pixFmt?: string;
  /**
   * The sound muxed into a video output: a file, false for none; default the first `audio` input's file
   * (from `start` for the rendered duration). AAC for mp4/mov/mkv, Opus for webm, or `audioCodec`.
   */
  audioTrack?: string | false;
  audioCodec?: string;
  /**
   * Motion blur: render N sub-frames over the shutter interval of each frame (`shutter` of a frame interval,
   * default 0.5) and average them in float. Refused for shaders with persistent buffers.
   */
  motionBlur?: number;
  shutter?: number;
  /** Keep the alpha channel in a video (default: when the first frame has any; .mp4 cannot, and says so). */
  alpha?: boolean;
  /**
   * Render only frames [first, end) of the `frames`-frame sequence (default all), each with its own index,
   * timing and file name, exactly as in the whole sequence: how a render farm splits one render into jobs.
   */
  range?: [number, number];
  /** Writes one encoded frame (default: writeFileAtomic); a farm worker passes its storage's atomic write. */
  writeFile?: (path: string, bytes: Uint8Array) => Promise<void>;
  /** Options of the scene that renders (limits; platform, default nodePlatform): the isolated renderer's. */
  scene?: SceneOptions;
  signal?: AbortSignal;
  onFrame?: (done: number, total: number, file: string | undefined) => void;
  onNotice?: (message: string) => void;
}

export interface BatchResult {
  files: string[];
  frames: number;
  width: number;
  height: number;
  interrupted: boolean;
  totalMs: number;
  renderMs: number;
  /** The last rendered frame (at output size). */
  last: FrameData | undefined;
  /**
   * GL workers that rendered frames: 1 in this thread, up to `workers` on the pool's threads (absent from an
   * isolated render whose child was killed after an interrupt, which could not report it).
   */
  workers?: number;
  /**
   * Frames of the sequence not rendered: a single-image output needs only the last frame (unless the shader has
   * persistent buffers, where each frame depends on the ones before).
   */
  skipped?: number;
}

/** Longest sequence one render may ask for (about 9 hours at 30 fps), so one flag cannot mean unbounded work. */
export const MAX_FRAMES = 1_000_000;
/** Highest frame rate accepted. */
export const MAX_FPS = 1000;

/** True when `output` names one file per frame. */
export function isPattern(output: string): boolean {
  return /%0?\d*d/.test(output);
}

export function frameFileName(pattern: string, k: number): string {
  return pattern.replace(/%(0?)(\d*)d/, (_m, zero: string, width: string) =>
    String(k).padStart(width ? Number(width) : 0, zero ? '0' : ' '),
  );
}

/** Where applyInputs puts values: a Scene, or a collector for render jobs (RenderPool). */
export interface InputSink {
  setValue(name: string, value: InputValue): unknown;
  setImageData(name: string, image: RawImage): unknown;
  setCubeData(name: string, faces: readonly RawImage[]): unknown;
}

/** A decoded sound file feeding an audio or audioFFT input: a new image at every frame's time. */
export interface AudioSource {
  name: string;
  type: 'audio' | 'audioFFT';
  max: number | undefined;
  samples: AudioSamples;
}

/** The images the audio inputs show at TIME `time`, the same in every thread and on every farm worker. */
export function audioImagesAt(audio: AudioSource[], time: number): Record<string, RawImage> {
  const out: Record<string, RawImage> = {};
  for (const a of audio) out[a.name] = audioImageAt(a.type, a.samples, time, a.max);
  return out;
}

/**
 * Sets --set / --image values on a scene (or any sink), and test patterns for unset filter/transition images.
 * Video clips and image-sequence patterns given as images come back as `streams` (frame k feeds render k);
 * --audio files come back decoded as `audio` (their image depends on each frame's time: audioImagesAt).
 */
export async function applyInputs(
  sink: InputSink,
  doc: ISFDocument,
  options: Pick<
    BatchOptions,
    | 'set'
    | 'images'
    | 'cubes'
    | 'audio'
    | 'clips'
    | 'width'
    | 'height'
    | 'onNotice'
    | 'scene'
    | 'animate'
    | 'timeline'
  >,
): Promise<{
  animateProgress: boolean;
  streams: Map<string, VideoReader>;
  audio: AudioSource[];
  timeline: Timeline | undefined;
}> {
  const streams = new Map<string, VideoReader>();
  const audio: AudioSource[] = [];
  // The scene's platform decodes with its limits (the isolated child's maxImageSide, checked from the header).
  const decode =
    options.scene?.platform?.decodeImage ?? ((source: unknown, name: string) => decodeImage(source, name));
  for (const [name, text] of Object.entries(options.set ?? {})) {
    const input = doc.inputs.find((i) => i.name === name);
    if (!input) throw unknownInput(doc, name);
    sink.setValue(name, parseInputValueText(input, text));
  }
  try {
    for (const [name, path] of Object.entries(options.images ?? {})) {
      if (!doc.inputs.some((i) => i.name === name && i.type === 'image')) {
        throw unknownInput(doc, name, 'image');
      }
      if (isVideoPath(path) || isPattern(path)) {
        // ffprobe would block on a FIFO and read a device forever: a clip must be a regular file (no size limit,
        // ffmpeg streams it). A pattern names many files; ffmpeg opens those itself.
        if (!isPattern(path)) {
          await checkRegularFile(path, {
            maxBytes: Number.MAX_SAFE_INTEGER,
            what: `video file for "${name}"`,
          });
        }
        // Probed once per render: sequenceLength's answer when it has one, else the size only (no counting).
        const clips = options.clips ?? {};
        const info = Object.hasOwn(clips, path) ? clips[path]! : probeVideo(path, { countFrames: false });
        streams.set(name, new VideoReader(path, info.width, info.height));
      } else {
        sink.setImageData(name, await decode(path, name));
      }
    }
    for (const [name, paths] of Object.entries(options.cubes ?? {})) {
      if (!doc.inputs.some((i) => i.name === name && i.type === 'cube'))
        throw unknownInput(doc, name, 'cube');
      if (!Array.isArray(paths) || paths.length !== 6) {
        throw new ISFError(
          'BAD_ARGUMENT',
          `Cube "${name}" needs six face files (${CUBE_FACES.join(' ')}) but received ${Array.isArray(paths) ? paths.length : typeof paths}`,
        );
      }
      const faces = await Promise.all(paths.map((p, i) => decode(p, `${name} ${CUBE_FACES[i]}`)));
      // Checked here too (the sink may be a job for another thread), so the message names the files.
      checkCubeFaces(name, faces, Number.MAX_SAFE_INTEGER, paths);
      sink.setCubeData(name, faces);
    }
    for (const [name, path] of Object.entries(options.audio ?? {})) {
      const input = doc.inputs.find((i) => i.name === name && (i.type === 'audio' || i.type === 'audioFFT'));
      if (!input || (input.type !== 'audio' && input.type !== 'audioFFT'))
        throw unknownInput(doc, name, 'audio');
      audio.push({ name, type: input.type, max: input.max, samples: await loadAudio(path) });
    }
  } catch (e) {
    for (const reader of streams.values()) reader.close();
    throw e;
  }
  const conventional: [string, 0 | 1][] = [
    ['inputImage', 0],
    ['startImage', 0],
    ['endImage', 1],
  ];
  for (const [name, variant] of conventional) {
    if (doc.inputs.some((i) => i.name === name && i.type === 'image') && !options.images?.[name]) {
      sink.setImageData(name, testPattern(options.width, options.height, variant));
      options.onNotice?.(`no --image ${name}=...: using the built-in test pattern`);
    }
  }
  const timeline = resolveTimeline(doc, options);
  const animateProgress =
    doc.kind === 'transition' && options.set?.progress === undefined && timeline?.progress === undefined;
  return { animateProgress, streams, audio, timeline };
}

function unknownInput(doc: ISFDocument, name: string, kind?: string): ISFError {
  const valid = doc.inputs
    .filter((i) => !kind || i.type === kind || (kind === 'audio' && i.type === 'audioFFT'))
    .map((i) => `${i.name} (${i.type})`);
  return new ISFError(
    'INPUT_UNKNOWN',
    `${doc.name} has no ${kind ? `${kind} ` : ''}input named "${name}"; valid: ${valid.join(', ') || 'none'}`,
  );
}

/** Averages K x K blocks (exact box filter for integer K), 8-bit and float alike. */
export function downsample(frame: FrameData, k: number): FrameData {
  const w = Math.floor(frame.width / k);
  const h = Math.floor(frame.height / k);
  const box = <T extends Uint8Array | Float32Array>(src: T, out: T, round: boolean): T => {
    const n = k * k;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let c = 0; c < 4; c++) {
          let sum = 0;
          for (let dy = 0; dy < k; dy++) {
            const row = ((y * k + dy) * frame.width + x * k) * 4 + c;
            for (let dx = 0; dx < k; dx++) sum += src[row + dx * 4]!;
          }
          out[(y * w + x) * 4 + c] = round ? Math.round(sum / n) : sum / n;
        }
      }
    }
    return out;
  };
  return {
    width: w,
    height: h,
    pixels: box(frame.pixels, new Uint8Array(w * h * 4), true),
    floatPixels: frame.floatPixels ? box(frame.floatPixels, new Float32Array(w * h * 4), false) : undefined,
  };
}

interface SequencePlan {
  doc: ISFDocument;
  options: BatchOptions;
  frames: number;
  fps: number;
  first: number;
  end: number;
  /** Supersampling factor: frames render k times larger and are averaged down. */
  k: number;
  stats: { renderMs: number; workers: number };
}

/** A rendered frame of the sequence, at output size. */
interface SequenceFrame {
  index: number;
  frame: FrameData;
}

function timing(plan: SequencePlan, i: number) {
  return sequenceTiming(i, { fps: plan.fps, frames: plan.frames, start: plan.options.start ?? 0 });
}

function progressAt(plan: SequencePlan, i: number): number {
  return plan.frames > 1 ? i / (plan.frames - 1) : 0;
}

/** --timeline's keys, then --animate's (an input in both takes --animate's). */
export function resolveTimeline(
  doc: ISFDocument,
  options: Pick<BatchOptions, 'animate' | 'timeline'>,
): Timeline | undefined {
  if (options.timeline === undefined && (options.animate ?? []).length === 0) return undefined;
  const timeline: Timeline = options.timeline === undefined ? {} : timelineFromJson(doc, options.timeline);
  for (const spec of options.animate ?? []) {
    const { name, keys } = parseAnimateSpec(doc, spec);
    timeline[name] = keys;
  }
  return timeline;
}

/** Values that change per frame: a transition's progress and the keyframed inputs at the frame's TIME. */
function frameValues(
  doc: ISFDocument,
  inputs: { animateProgress: boolean; timeline: Timeline | undefined },
  plan: SequencePlan,
  i: number,
  time: number,
): Record<string, InputValue> | undefined {
  if (!inputs.animateProgress && !inputs.timeline) return undefined;
  return {
    ...(inputs.animateProgress ? { progress: progressAt(plan, i) } : {}),
    ...(inputs.timeline ? timelineValuesAt(doc, inputs.timeline, time) : {}),
  };
}

/** Frames [first, end) rendered one after another on a Scene of `context`. */
async function* sceneFrames(context: GLContext, plan: SequencePlan): AsyncGenerator<SequenceFrame> {
  const { doc, options, k } = plan;
  const scene = new Scene(context, { platform: nodePlatform, ...options.scene });
  const pipeline = new FramePipeline(scene, { synchronous: isUnpipelined(options) });
  let streams = new Map<string, VideoReader>();
  try {
    await scene.useDoc(doc);
    const inputs = await applyInputs(scene, doc, {
      ...options,
      width: options.width * k,
      height: options.height * k,
    });
    streams = inputs.streams;
    // A clip feeds frame k to render k, so a range starting at `first` skips the clips' first frames.
    for (let i = 0; i < plan.first; i++) for (const reader of streams.values()) await reader.next();
    // Pipelined readback: frame i is drawn (its inputs set first) before frame i - 1's pixels are taken, so the
    // GPU draws while the previous frame is read, encoded and written.
    const out = (frame: FrameData, index: number): SequenceFrame => {
      if (k === 1) return { index, frame };
      const small = downsample(frame, k);
      if (frame instanceof Frame) frame.release();
      return { index, frame: small };
    };
    // Motion blur: the pipeline carries sub-frames (N per frame, in order); each is added to the average as it
    // comes out and handed back, and frame i is yielded once its N-th sub-frame is in. N = 1 is the plain path.
    const n = options.motionBlur ?? 1;
    const averager = n > 1 ? new FrameAverager(n) : undefined;
    let taken = 0;
    const take = (sub: Frame): SequenceFrame | undefined => {
      const index = plan.first + Math.floor(taken / n);
      taken += 1;
      if (!averager) return out(sub, index);
      const frame = averager.add(sub);
      sub.release();
      return frame && out(frame, index);
    };
    for (let i = plan.first; i < plan.end; i++) {
      for (const [name, reader] of streams) scene.setImageData(name, await reader.next());
      for (const t of subFrameTimings(plan, i)) {
        const values = frameValues(doc, inputs, plan, i, t.time!);
        if (values) scene.setValues(values);
        for (const [name, image] of Object.entries(audioImagesAt(inputs.audio, t.time!))) {
          scene.setImageData(name, image);
        }
        const r0 = performance.now();
        const previous = pipeline.submit({
          width: options.width * k,
          height: options.height * k,
          ...t,
        });
        plan.stats.renderMs += performance.now() - r0;
        const done = previous && take(previous);
        if (done) yield done;
      }
    }
    const last = pipeline.flush();
    const done = last && take(last);
    if (done) yield done;
  } finally {
    for (const reader of streams.values()) reader.close();
    pipeline.close();
    scene.destroy();
  }
}

/** Frame i's timing once per motion-blur sub-frame (TIMEDELTA and FRAMEINDEX stay the frame's own). */
function subFrameTimings(plan: SequencePlan, i: number) {
  const base = timing(plan, i);
  const times = subFrameTimes(
    base.time!,
    plan.options.motionBlur ?? 1,
    plan.options.shutter ?? 0.5,
    plan.fps,
  );
  return times.map((time) => ({ ...base, time }));
}

/** Does a frame depend on the ones before it (persistent buffers)? */
function hasPersistentBuffers(doc: ISFDocument): boolean {
  return doc.passes.some((p) => p.persistent) || (doc.extraPersistentBuffers?.length ?? 0) > 0;
}

/** Can this sequence be split across worker threads? (Not when a frame depends on earlier ones.) */
function parallelBlocker(doc: ISFDocument, options: BatchOptions): string | undefined {
  if ((options.motionBlur ?? 1) > 1) return 'motion blur sub-frames render on one scene';
  if (hasPersistentBuffers(doc)) {
    return 'the shader has persistent buffers (each frame depends on the previous one)';
  }
  const images = Object.values(options.images ?? {});
  if (images.some((p) => isVideoPath(p) || isPattern(p)))
    return 'video inputs are decoded in order by one reader';
  // The pool's workers build their scenes as every trusted render does (nodePlatform, no limits): a scene
  // under other options (the isolated child's untrusted limits and guarded platform) stays in this thread.
  const { limits, platform, ...others } = options.scene ?? {};
  if (limits !== undefined) return 'the untrusted limits apply to this thread only';
  if (platform !== undefined && platform !== nodePlatform)
    return 'a custom scene platform applies to this thread only';
  // Any other scene option (a GLSL dialect...) is not given to the workers' scenes either.
  const other = Object.entries(others).find(([, v]) => v !== undefined);
  if (other) return `the scene option ${other[0]} applies to this thread only`;
  return undefined;
}

/** Frames [first, end) rendered by a RenderPool in chunks, yielded in order. */
async function* poolFrames(plan: SequencePlan, workers: number): AsyncGenerator<SequenceFrame> {
  const { doc, options, k } = plan;
  const values: Record<string, InputValue> = {};
  const images: Record<string, RawImage> = {};
  const cubes: Record<string, RawImage[]> = {};
  const sink: InputSink = {
    setValue: (name, v) => {
      values[name] = v;
    },
    setImageData: (name, img) => {
      images[name] = img;
    },
    setCubeData: (name, faces) => {
      cubes[name] = [...faces];
    },
  };
  const inputs = await applyInputs(sink, doc, {
    ...options,
    width: options.width * k,
    height: options.height * k,
  });
  const pool = new RenderPool({
    workers,
    ...(options.workerContext ? { contextOptions: options.workerContext } : {}),
  });
  const chunk = 4;
  const pending: { first: number; frames: Promise<FrameData[]> }[] = [];
  let next = plan.first;
  const submit = () => {
    const first = next;
    const count = Math.min(chunk, plan.end - first);
    next += count;
    const frames: RenderJobFrame[] = [];
    for (let i = first; i < first + count; i++) {
      const t = timing(plan, i);
      frames.push({
        ...t,
        ...(frameValues(doc, inputs, plan, i, t.time!)
          ? { values: frameValues(doc, inputs, plan, i, t.time!) }
          : {}),
        ...(inputs.audio.length > 0 ? { images: audioImagesAt(inputs.audio, t.time!) } : {}),
      });
    }
    const r0 = performance.now();
    const job = pool
      .render({
        source: doc.fragmentSource,
        vertexSource: doc.vertexSource,
        path: doc.path,
        ...(doc.importRoot !== undefined ? { importRoot: doc.importRoot } : {}),
        values,
        images,
        ...(Object.keys(cubes).length > 0 ? { cubes } : {}),
        width: options.width * k,
        height: options.height * k,
        frames,
      })
      .then((rendered) => {
        plan.stats.renderMs += performance.now() - r0;
        return rendered.map((f) => (k > 1 ? downsample(f, k) : f));
      });
    job.catch(() => undefined); // observed when awaited in order below
    pending.push({ first, frames: job });
  };
  try {
    // Every worker up before the first job: the jobs go round all of them from the start (the first one up
    // would otherwise take the first jobs while the others still load their GL libraries).
    await pool.ready();
    while (next < plan.end && pending.length < workers * 2) submit();
    while (pending.length > 0) {
      const head = pending.shift()!;
      const frames = await head.frames;
      if (next < plan.end) submit();
      for (let j = 0; j < frames.length; j++) yield { index: head.first + j, frame: frames[j]! };
    }
  } finally {
    plan.stats.workers = pool.stats().workersUsed;
    await pool.close();
  }
}

/**
 * Checks what every way of rendering a sequence shares (frames, fps, supersampling, output format) and fills
 * in the defaults: used by renderToFiles and by the farm client before it queues anything.
 */
export function checkSequence(
  options: Pick<BatchOptions, 'output' | 'frames' | 'fps' | 'supersample' | 'format' | 'depth'>,
): {
  frames: number;
  fps: number;
  supersample: number;
  video: boolean;
  format: ImageFormat | undefined;
  /** Output '-': every frame to a stream in this format. */
  stream: StreamFormat | undefined;
} {
  const frames = options.frames ?? 1;
  const fps = options.fps ?? 30;
  const supersample = options.supersample ?? 1;
  if (!Number.isInteger(frames) || frames < 1 || frames > MAX_FRAMES) {
    throw new ISFError(
      'BAD_ARGUMENT',
      `Expected a frame count 1..${MAX_FRAMES} (--frames, or --duration x --fps) but received ${frames}`,
    );
  }
  if (!(fps > 0) || !Number.isFinite(fps) || fps > MAX_FPS) {
    throw new ISFError('BAD_ARGUMENT', `Expected an fps above 0 and at most ${MAX_FPS} but received ${fps}`);
  }
  if (!Number.isInteger(supersample) || supersample < 1 || supersample > 8) {
    throw new ISFError(
      'BAD_ARGUMENT',
      `Expected --supersample to be an integer 1..8 but received ${supersample}`,
    );
  }
  if (options.output === STREAM_OUTPUT) {
    const stream = checkStreamFormat(options.format, options.depth);
    return { frames, fps, supersample, video: false, format: undefined, stream };
  }
  if (options.format !== undefined) {
    throw new ISFError(
      'BAD_ARGUMENT',
      `--format ${options.format} applies to -o - (frames to stdout); the format of ${options.output} comes from its extension`,
    );
  }
  const video = isVideoPath(options.output);
  const format = imageFormatForPath(options.output);
  if (!video && !format) {
    throw new ISFError(
      'BAD_ARGUMENT',
      `Cannot tell the output format of ${options.output}: use .png, .tif/.tiff, .exr, .jpg/.jpeg or .webp, .mp4/.webm/.mov/.mkv for video, or - (with --format) for stdout`,
    );
  }
  const depth = options.depth ?? 8;
  if (depth !== 8 && depth !== 16 && depth !== 32) {
    throw new ISFError('BAD_ARGUMENT', `Expected a depth of 8, 16 or 32 bits but received ${String(depth)}`);
  }
  if (depth === 32 && format !== 'exr') {
    throw new ISFError(
      'BAD_ARGUMENT',
      `--depth 32 (full float) is for .exr output only; ${options.output} keeps at most 16 bits per value (use --depth 16)`,
    );
  }
  // Refused rather than written at 8 bits: precision asked for and silently lost is a wrong result.
  if (depth === 16 && format !== undefined) checkImageDepth(format, depth, options.output);
  return { frames, fps, supersample, video, format, stream: undefined };
}

/** How many frames at what rate, and (when the inputs decided it) a sentence saying so. */
export interface SequenceLength {
  frames: number;
  fps: number;
  chosen?: string;
  /** The clip probed for the length (its path -> what ffprobe said): pass it on as BatchOptions.clips. */
  clips: Record<string, VideoInfo>;
}

/**
 * The length of a render given as `frames` or `duration`, else taken from the inputs when the output is a
 * video, a pattern or a stream ('-'): a clip or image sequence given as an image runs for its frame count (and `fps` defaults
 * to its rate); else an audio input runs for the sound's duration from `start`. A single-image output, or no
 * such input, is one frame. Throws IMAGE_DECODE for a clip without frames.
 */
export async function sequenceLength(
  options: Pick<BatchOptions, 'output' | 'images' | 'audio' | 'start'> & {
    frames?: number;
    duration?: number;
    fps?: number;
  },
): Promise<SequenceLength> {
  const clip = Object.values(options.images ?? {}).find((p) => isVideoPath(p) || isPattern(p));
  const info = clip !== undefined ? probeVideo(clip) : undefined;
  if (clip !== undefined && !info?.frames) {
    throw new ISFError('IMAGE_DECODE', `${clip} has no video frames`, { file: clip });
  }
  const clips: Record<string, VideoInfo> = clip !== undefined ? Object.fromEntries([[clip, info!]]) : {};
  const fps = options.fps ?? info?.fps ?? 30;
  if (options.frames !== undefined) return { frames: options.frames, fps, clips };
  if (options.duration !== undefined) {
    return { frames: Math.max(1, Math.round(options.duration * fps)), fps, clips };
  }
  const sequence =
    isVideoPath(options.output) || isPattern(options.output) || options.output === STREAM_OUTPUT;
  if (!sequence) return { frames: 1, fps, clips };
  const rate = `${Number(fps.toFixed(3))} fps`;
  if (clip !== undefined) {
    const from = options.fps === undefined ? 'its frame count and rate' : 'its frame count';
    return {
      frames: info!.frames!,
      fps,
      clips,
      chosen: `${info!.frames} frames at ${rate}: the length of ${clip} (${from}); set --frames or --duration to change it`,
    };
  }
  const sound = Object.values(options.audio ?? {})[0];
  if (sound !== undefined) {
    const seconds = (await probeAudioDuration(sound)) - (options.start ?? 0);
    const frames = Math.max(1, Math.ceil(seconds * fps - 1e-6));
    return {
      frames,
      fps,
      clips,
      chosen: `${frames} frames at ${rate}: the duration of ${sound} (${seconds.toFixed(3)} s); set --frames or --duration to change it`,
    };
  }
  return { frames: 1, fps, clips };
}

/**
 * The sound to mux into a video of `frames` frames at `fps` (undefined for none), checked: IO_ERROR when the
 * file is missing, AUDIO_DECODE when it has no audio stream.
 */
export async function audioTrackFor(
  options: Pick<BatchOptions, 'audio' | 'audioTrack' | 'audioCodec' | 'start' | 'onNotice'>,
  frames: number,
  fps: number,
): Promise<AudioTrack | undefined> {
  if (options.audioTrack === false) return undefined;
  const inputs = [...new Set(Object.values(options.audio ?? {}))];
  const path = options.audioTrack ?? inputs[0];
  if (path === undefined) return undefined;
  if (options.audioTrack === undefined && inputs.length > 1) {
    options.onNotice?.(`muxing the audio of ${path} (the first --audio file); choose with --audio-track`);
  }
  await checkAudioTrack(path);
  return { path, start: options.start ?? 0, duration: frames / fps, codec: options.audioCodec };
}

/** Renders frames of `doc` and writes them as image files or one video. */
export async function renderToFiles(
  context: GLContext,
  doc: ISFDocument,
  options: BatchOptions,
): Promise<BatchResult> {
  const t0 = performance.now();
  const { frames, fps, supersample: k, video, format, stream } = checkSequence(options);
  // Checked before anything renders (where the frames are encoded: on a farm, the worker): ffmpeg encodes EXR.
  if (format === 'exr') requireExrEncoder();
  let workers = options.workers ?? 1;
  if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
    throw new ISFError('BAD_ARGUMENT', `Expected --workers to be an integer 1..64 but received ${workers}`);
  }
  // More GL contexts than cores only add memory and contention (each llvmpipe context spawns its own threads).
  const cores = availableParallelism();
  if (workers > cores) {
    options.onNotice?.(`--workers ${workers} capped to ${cores}, the number of CPU cores`);
    workers = cores;
  }
  const [requestedFirst, end] = options.range ?? [0, frames];
  if (
    !Number.isInteger(requestedFirst) ||
    !Number.isInteger(end) ||
    requestedFirst < 0 ||
    end <= requestedFirst ||
    end > frames
  ) {
    throw new ISFError(
      'BAD_ARGUMENT',
      `Expected a frame range [first, end) with 0 <= first < end <= ${frames} but received [${requestedFirst}, ${end})`,
    );
  }
  if (video && options.range) {
    throw new ISFError('BAD_ARGUMENT', 'A frame range cannot be rendered into a video; use an image pattern');
  }
  const blur = options.motionBlur ?? 1;
  const shutter = options.shutter ?? 0.5;
  if (!Number.isInteger(blur) || blur < 1 || blur > 64 || !(shutter > 0 && shutter <= 1)) {
    throw new ISFError(
      'BAD_ARGUMENT',
      `Expected --motion-blur as an integer 1..64 and --shutter in (0, 1] but received ${blur} and ${shutter}`,
    );
  }
  if (blur > 1 && hasPersistentBuffers(doc)) {
    throw new ISFError(
      'BAD_ARGUMENT',
      `${doc.name} has persistent buffers: motion blur would advance them once per sub-frame; render without --motion-blur`,
    );
  }
  const pattern = !video && !stream && isPattern(options.output);
  // A single image is the last frame: render only that one, unless a frame depends on the ones before it.
  const persistent = hasPersistentBuffers(doc);
  const first = video || pattern || stream || persistent ? requestedFirst : end - 1;
  const skipped = first - requestedFirst;
  const plan: SequencePlan = { doc, options, frames, fps, first, end, k, stats: { renderMs: 0, workers: 1 } };
  let source: AsyncGenerator<SequenceFrame>;
  const blocker = workers > 1 ? parallelBlocker(doc, options) : undefined;
  if (workers > 1 && !blocker) source = poolFrames(plan, workers);
  else {
    if (blocker) options.onNotice?.(`rendering on one thread: ${blocker}`);
    source = sceneFrames(context, plan);
  }
  const files: string[] = [];
  const writes = new Set<Promise<void>>();
  let writer: VideoWriter | undefined;
  const frameStream =
    stream &&
    FrameStream.open(
      { format: stream, width: options.width, height: options.height, fps, depth: options.depth },
      options.outputFd,
    );
  let last: FrameData | undefined;
  let done = 0;
  let writeError: unknown;
  let finished = false;
  try {
    if (video) {
      writer = await VideoWriter.open(options.output, {
        width: options.width,
        height: options.height,
        fps,
        codec: options.codec,
        crf: options.crf,
        pixFmt: options.pixFmt,
        audio: await audioTrackFor(options, frames, fps),
        alpha: options.alpha,
        depth: options.depth === 16 ? 16 : 8,
        onNotice: options.onNotice,
      });
    }
    for await (const { index: i, frame: out } of source) {
      if (writeError) throw writeError;
      last = out;
      if (frameStream) {
        // Written before the next frame is taken: a slow reader slows the render, nothing piles up.
        await frameStream.write(out);
        done += 1;
        options.onFrame?.(done, end - first, undefined);
      } else if (writer) {
        await writer.write(options.depth === 16 ? toRGBA16(out) : out.pixels);
        // In the pipe: its pixel arrays can serve a later frame (not the last one, which the result returns).
        if (out instanceof Frame && i < end - 1) out.release();
        done += 1;
        options.onFrame?.(done, end - first, undefined);
      } else if (!pattern && i < frames - 1) {
        done += 1;
        options.onFrame?.(done, end - first, undefined);
      } else {
        const file = pattern ? frameFileName(options.output, i) : options.output;
        const write = encodeFrame(out, format!, { depth: options.depth ?? 8 })
          .then((bytes) => {
            // Encoded: its pixel arrays can serve a later frame (not the last one, which the result returns).
            if (out instanceof Frame && i < end - 1) out.release();
            return (options.writeFile ?? writeFileAtomic)(file, bytes);
          })
          .then(() => {
            files.push(file);
            done += 1;
            options.onFrame?.(done, end - first, file);
          })
          .catch((e: unknown) => {
            writeError ??= e;
          })
          .finally(() => writes.delete(write));
        writes.add(write);
        while (writes.size >= (options.inFlight ?? 4)) await Promise.race(writes);
      }
      // Yield to the event loop so a SIGINT (and sharp's callbacks) are seen after every frame.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (options.signal?.aborted) break;
    }
    await Promise.all(writes);
    if (writeError) throw writeError;
    if (writer && !options.signal?.aborted) {
      await writer.close();
      files.push(options.output);
    }
    finished = true;
  } finally {
    await source.return(undefined);
    await Promise.allSettled(writes);
    if (writer && (!finished || options.signal?.aborted)) await writer.abort();
  }
  files.sort();
  return {
    files,
    frames: done,
    width: options.width,
    height: options.height,
    interrupted: !!options.signal?.aborted,
    totalMs: performance.now() - t0,
    renderMs: plan.stats.renderMs,
    last,
    workers: plan.stats.workers,
    ...(skipped > 0 ? { skipped } : {}),
  };
}
