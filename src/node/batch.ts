/**
 * Batch rendering in Node: one shader, a range of frames at time start + k/fps, written as image files
 * (every frame with an output pattern such as out/frame-%05d.png, else only the last frame).
 *
 * Rendering and encoding overlap: sharp encodes on libuv's thread pool while the next frame renders, with a
 * bounded number of frames in flight. Files are written atomically; an abort (Ctrl-C) stops after the current
 * frame, waits for writes in flight, removes temporary files and reports which frames exist.
 */
import { readFile } from 'node:fs/promises';
import { parseWav } from '../core/audio.ts';
import type { ISFDocument } from '../core/document.ts';
import { ISFError } from '../core/errors.ts';
import { parseInputValueText } from '../core/values.ts';
import type { GLContext } from '../render/context.ts';
import type { Frame, FrameData } from '../render/frame.ts';
import { Scene, type SceneOptions, sequenceTiming } from '../render/scene.ts';
import { testPattern } from '../render/test-pattern.ts';
import { isVideoPath, probeVideo, VideoReader, VideoWriter } from './ffmpeg.ts';
import { writeFileAtomic } from './files.ts';
import { encodeFrame, type ImageFormat, imageFormatForPath } from './images.ts';
import { nodePlatform } from './platform.ts';

export interface BatchOptions {
  /** Output path: a file, or a pattern with %d / %05d that receives every frame. */
  output: string;
  width: number;
  height: number;
  /** TIME of frame 0 (default 0). */
  start?: number;
  frames?: number;
  fps?: number;
  /** Input values in their text form, parsed by the input's type ("#ff8800", "0.5,0.5", "Label", "true"). */
  set?: Record<string, string>;
  /** Image inputs: name -> image file, video clip (.mp4/.webm/.mov/.mkv) or image-sequence pattern (%04d). */
  images?: Record<string, string>;
  /** Audio inputs: name -> WAV file path. */
  audio?: Record<string, string>;
  /** 16 writes 16-bit PNGs (from float output when the shader renders float). */
  depth?: 8 | 16;
  /** Render K times larger and average K x K blocks down. */
  supersample?: number;
  /** Frames encoded/written concurrently with rendering (default 4). */
  inFlight?: number;
  /** Video output (when `output` ends in .mp4/.webm/.mov/.mkv): encoder, CRF, pixel format. */
  codec?: string;
  crf?: number;
  pixFmt?: string;
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
}

/** True when `output` names one file per frame. */
export function isPattern(output: string): boolean {
  return /%0?\d*d/.test(output);
}

export function frameFileName(pattern: string, k: number): string {
  return pattern.replace(/%(0?)(\d*)d/, (_m, zero: string, width: string) =>
    String(k).padStart(width ? Number(width) : 0, zero ? '0' : ' '),
  );
}

/** Sets --set / --image / --audio values on a scene, and test patterns for unset filter/transition images. */
export async function applyInputs(
  scene: Scene,
  doc: ISFDocument,
  options: Pick<BatchOptions, 'set' | 'images' | 'audio' | 'width' | 'height' | 'onNotice'>,
): Promise<{ animateProgress: boolean; streams: Map<string, VideoReader> }> {
  const streams = new Map<string, VideoReader>();
  for (const [name, text] of Object.entries(options.set ?? {})) {
    const input = doc.inputs.find((i) => i.name === name);
    if (!input) throw unknownInput(doc, name);
    scene.setValue(name, parseInputValueText(input, text));
  }
  for (const [name, path] of Object.entries(options.images ?? {})) {
    if (!doc.inputs.some((i) => i.name === name && i.type === 'image'))
      throw unknownInput(doc, name, 'image');
    if (isVideoPath(path) || isPattern(path)) {
      // A clip feeds frame k to render k (see nextStreamFrames).
      const info = probeVideo(path);
      streams.set(name, new VideoReader(path, info.width, info.height));
    } else {
      await scene.setImage(name, path);
    }
  }
  for (const [name, path] of Object.entries(options.audio ?? {})) {
    if (!doc.inputs.some((i) => i.name === name && (i.type === 'audio' || i.type === 'audioFFT'))) {
      throw unknownInput(doc, name, 'audio');
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (e) {
      throw new ISFError('AUDIO_DECODE', `Cannot read audio file ${path}: ${(e as Error).message}`, {
        file: path,
      });
    }
    scene.setAudio(name, parseWav(bytes, path));
  }
  const conventional: [string, 0 | 1][] = [
    ['inputImage', 0],
    ['startImage', 0],
    ['endImage', 1],
  ];
  for (const [name, variant] of conventional) {
    if (doc.inputs.some((i) => i.name === name && i.type === 'image') && !options.images?.[name]) {
      scene.setImageData(name, testPattern(options.width, options.height, variant));
      options.onNotice?.(`no --image ${name}=...: using the built-in test pattern`);
    }
  }
  const animateProgress = doc.kind === 'transition' && options.set?.progress === undefined;
  return { animateProgress, streams };
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

/** Renders frames of `doc` and writes them as image files or one video. */
export async function renderToFiles(
  context: GLContext,
  doc: ISFDocument,
  options: BatchOptions,
): Promise<BatchResult> {
  const t0 = performance.now();
  const frames = options.frames ?? 1;
  const fps = options.fps ?? 30;
  const k = options.supersample ?? 1;
  if (!Number.isInteger(frames) || frames < 1) {
    throw new ISFError('BAD_ARGUMENT', `Expected a positive integer frame count but received ${frames}`);
  }
  if (!(fps > 0) || !Number.isFinite(fps))
    throw new ISFError('BAD_ARGUMENT', `Expected a positive fps but received ${fps}`);
  if (!Number.isInteger(k) || k < 1 || k > 8) {
    throw new ISFError('BAD_ARGUMENT', `Expected --supersample to be an integer 1..8 but received ${k}`);
  }
  const [first, end] = options.range ?? [0, frames];
  if (!Number.isInteger(first) || !Number.isInteger(end) || first < 0 || end <= first || end > frames) {
    throw new ISFError(
      'BAD_ARGUMENT',
      `Expected a frame range [first, end) with 0 <= first < end <= ${frames} but received [${first}, ${end})`,
    );
  }
  const video = isVideoPath(options.output);
  if (video && options.range) {
    throw new ISFError('BAD_ARGUMENT', 'A frame range cannot be rendered into a video; use an image pattern');
  }
  const format: ImageFormat | undefined = imageFormatForPath(options.output);
  if (!video && !format) {
    throw new ISFError(
      'BAD_ARGUMENT',
      `Cannot tell the output format of ${options.output}: use .png, .jpg/.jpeg or .webp, or .mp4/.webm/.mov/.mkv for video`,
    );
  }
  const pattern = !video && isPattern(options.output);
  const scene = new Scene(context, { platform: nodePlatform, ...options.scene });
  const files: string[] = [];
  const writes = new Set<Promise<void>>();
  let writer: VideoWriter | undefined;
  let streams = new Map<string, VideoReader>();
  let renderMs = 0;
  let last: FrameData | undefined;
  let done = 0;
  let writeError: unknown;
  let finished = false;
  try {
    await scene.useDoc(doc);
    const inputs = await applyInputs(scene, doc, {
      ...options,
      width: options.width * k,
      height: options.height * k,
    });
    streams = inputs.streams;
    if (video) {
      writer = await VideoWriter.open(options.output, {
        width: options.width,
        height: options.height,
        fps,
        codec: options.codec,
        crf: options.crf,
        pixFmt: options.pixFmt,
      });
    }
    // A clip feeds frame k to render k, so a range starting at `first` skips the clips' first frames.
    for (let i = 0; i < first; i++) for (const reader of streams.values()) await reader.next();
    for (let i = first; i < end; i++) {
      if (options.signal?.aborted) break;
      if (writeError) throw writeError;
      if (inputs.animateProgress) scene.setValue('progress', frames > 1 ? i / (frames - 1) : 0);
      for (const [name, reader] of streams) scene.setImageData(name, await reader.next());
      const r0 = performance.now();
      const frame: Frame = scene.render({
        width: options.width * k,
        height: options.height * k,
        ...sequenceTiming(i, { fps, frames, start: options.start ?? 0 }),
      });
      renderMs += performance.now() - r0;
      const out: FrameData = k > 1 ? downsample(frame, k) : frame;
      last = out;
      if (writer) {
        await writer.write(out.pixels);
        done += 1;
        options.onFrame?.(done, end - first, undefined);
        continue;
      }
      if (!pattern && i < frames - 1) {
        done += 1;
        options.onFrame?.(done, end - first, undefined);
        continue;
      }
      const file = pattern ? frameFileName(options.output, i) : options.output;
      const write = encodeFrame(out, format!, { depth: options.depth ?? 8 })
        .then((bytes) => (options.writeFile ?? writeFileAtomic)(file, bytes))
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
    await Promise.all(writes);
    if (writeError) throw writeError;
    if (writer && !options.signal?.aborted) {
      await writer.close();
      files.push(options.output);
    }
    finished = true;
  } finally {
    await Promise.allSettled(writes);
    if (writer && (!finished || options.signal?.aborted)) await writer.abort();
    for (const reader of streams.values()) reader.close();
    scene.destroy();
  }
  files.sort();
  return {
    files,
    frames: done,
    width: options.width,
    height: options.height,
    interrupted: !!options.signal?.aborted,
    totalMs: performance.now() - t0,
    renderMs,
    last,
  };
}
