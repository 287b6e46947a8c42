/**
 * Video in and out through the system ffmpeg (Debian package `ffmpeg`), as child processes fed raw RGBA.
 *
 * - VideoWriter pipes frames into `ffmpeg -f rawvideo -pix_fmt rgba`, writes to a temporary file beside the
 *   target and renames it into place on success, so an interrupted or failed encode leaves no half file.
 * - VideoReader decodes a clip (or an image-sequence pattern) to RGBA frames at a given size, one by one.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { rename, rm } from 'node:fs/promises';
import { extname } from 'node:path';
import { ISFError } from '../core/errors.ts';
import type { RawImage } from '../render/images.ts';
import { ffprobe } from './ffprobe.ts';
import { makeOutputFolder, temporaryPathFor } from './files.ts';

const INSTALL_HINT = 'install it with: apt-get install ffmpeg';

let checked: boolean | undefined;

/** Throws FFMPEG_MISSING (naming the Debian package) unless ffmpeg and ffprobe run. */
export function requireFfmpeg(): void {
  if (checked) return;
  for (const tool of ['ffmpeg', 'ffprobe']) {
    const r = spawnSync(tool, ['-version'], { stdio: 'ignore' });
    if (r.error || r.status !== 0) {
      throw new ISFError(
        'FFMPEG_MISSING',
        `${tool} is not installed or not on PATH; video needs it: ${INSTALL_HINT}`,
        {
          suggestion: INSTALL_HINT,
        },
      );
    }
  }
  checked = true;
}

/** True when ffmpeg and ffprobe run (what requireFfmpeg checks), without throwing. */
export function hasFfmpeg(): boolean {
  try {
    requireFfmpeg();
    return true;
  } catch {
    return false;
  }
}

let encoders: Set<string> | undefined;

/** True when the installed ffmpeg has the encoder `name` (from `ffmpeg -encoders`, read once). */
export function hasEncoder(name: string): boolean {
  if (!encoders) {
    const r = spawnSync('ffmpeg', ['-hide_banner', '-encoders'], { encoding: 'utf8' });
    encoders = new Set(
      (r.stdout ?? '')
        .split('\n')
        .map((line) => /^\s*[VAS][A-Z.]{5}\s+(\S+)/.exec(line)?.[1])
        .filter((n): n is string => !!n),
    );
  }
  return encoders.has(name);
}

export const VIDEO_EXTENSIONS = ['.mp4', '.webm', '.mov', '.mkv'];

export function isVideoPath(path: string): boolean {
  return VIDEO_EXTENSIONS.includes(extname(path).toLowerCase());
}

export interface VideoOptions {
  width: number;
  height: number;
  fps: number;
  /** ffmpeg encoder (default by container: mp4/mkv libx264, webm libvpx-vp9, mov prores_ks). */
  codec?: string;
  /** Constant rate factor (x264/vp9 quality; lower is better). Default 18 (x264), 30 (vp9). */
  crf?: number;
  /** Output pixel format (default yuv420p; yuva444p10le for ProRes to keep alpha). */
  pixFmt?: string;
  /** A sound muxed into the video: `duration` seconds of `path` from `start` (silence where it has none). */
  audio?: AudioTrack;
  /**
   * Keep the alpha channel (VP9 yuva420p in .webm, ProRes 4444 in .mov, FFV1): true/false to force; default
   * (undefined) when the first frame has any alpha below 1. H.264 (.mp4) cannot: said once through onNotice.
   */
  alpha?: boolean;
  /** 16: frames are RGBA16 (rgba64le) into a codec that keeps more than 8 bits (ProRes 4444 XQ, FFV1, H.265 10-bit, VP9 10-bit). */
  depth?: 8 | 16;
  onNotice?: (message: string) => void;
}

export interface AudioTrack {
  path: string;
  /** Seconds into the sound where the video starts (the render's TIME of frame 0); negative delays it. */
  start: number;
  /** The video's duration (frames / fps): the track is cut or padded with silence to it. */
  duration: number;
  /** ffmpeg audio encoder (default by container: aac for mp4/mov/mkv, libopus (else libvorbis) for webm). */
  codec?: string;
}

/** The audio encoder for a container: AAC for mp4/mov/mkv, Opus for webm (Vorbis when libopus is missing). */
export function audioCodecFor(target: string, requested?: string): string {
  if (requested) {
    if (!hasEncoder(requested)) {
      throw new ISFError(
        'BAD_ARGUMENT',
        `This ffmpeg has no audio encoder "${requested}" (see ffmpeg -encoders)`,
      );
    }
    return requested;
  }
  if (extname(target).toLowerCase() !== '.webm') return 'aac';
  return hasEncoder('libopus') ? 'libopus' : 'libvorbis';
}

/** ffmpeg arguments that add `track` as input 1 and map it, cut/padded to the video's duration. */
function audioArgs(track: AudioTrack, target: string): { input: string[]; output: string[] } {
  const d = track.duration.toFixed(6);
  const shift =
    track.start >= 0
      ? `atrim=start=${track.start.toFixed(6)},asetpts=PTS-STARTPTS`
      : `adelay=delays=${Math.round(-track.start * 1000)}:all=1`;
  const codec = audioCodecFor(target, track.codec);
  return {
    input: ['-i', track.path],
    output: [
      '-filter_complex',
      `[1:a:0]${shift},apad,atrim=end=${d}[aout]`,
      '-map',
      '0:v:0',
      '-map',
      '[aout]',
      '-c:a',
      codec,
      '-b:a',
      codec === 'aac' ? '192k' : '160k',
      '-t',
      d,
    ],
  };
}

/** Encoders whose pixel formats can carry an alpha channel. */
const ALPHA_CODECS = new Set(['libvpx-vp9', 'libvpx', 'prores_ks', 'ffv1', 'png', 'qtrle']);

/** The encoder, pixel format and codec options for a container, alpha and depth (docs/media.md). */
export function videoEncoding(
  target: string,
  o: VideoOptions,
  alpha: boolean,
): { codec: string; pixFmt: string; extra: string[]; alphaKept: boolean } {
  const ext = extname(target).toLowerCase();
  const deep = o.depth === 16;
  const codec =
    o.codec ??
    (ext === '.webm'
      ? 'libvpx-vp9'
      : ext === '.mov'
        ? 'prores_ks'
        : deep && ext === '.mkv'
          ? 'ffv1'
          : deep && hasEncoder('libx265')
            ? 'libx265'
            : 'libx264');
  const alphaKept = alpha && ALPHA_CODECS.has(codec);
  const extra: string[] = [];
  let pixFmt: string;
  if (codec === 'prores_ks') {
    // ProRes 4444 (XQ at 16 bits) keeps alpha and 4:4:4; 422 HQ otherwise.
    pixFmt = alphaKept ? 'yuva444p10le' : deep ? 'yuv444p10le' : 'yuv422p10le';
    extra.push('-profile:v', deep ? '5' : alphaKept ? '4' : '3');
  } else if (codec.startsWith('libvpx')) {
    // libvpx's alpha is 8-bit only: alpha wins over depth.
    pixFmt = alphaKept ? 'yuva420p' : deep ? 'yuv420p10le' : 'yuv420p';
  } else if (codec === 'ffv1') {
    pixFmt = deep ? (alphaKept ? 'rgba64le' : 'rgb48le') : alphaKept ? 'bgra' : 'yuv444p';
    extra.push('-level', '3');
  } else if (codec === 'libx265') {
    pixFmt = deep ? 'yuv420p10le' : 'yuv420p';
    // x265 logs through its own logger, past ffmpeg's -loglevel: keep its stderr for errors, which close() reads.
    extra.push('-x265-params', 'log-level=error');
  } else {
    pixFmt = 'yuv420p';
  }
  if (o.pixFmt === undefined) return { codec, pixFmt, extra, alphaKept };
  return { codec, pixFmt: o.pixFmt, extra, alphaKept: /^(yuva|gbrap)|rgba|bgra|argb|abgr/.test(o.pixFmt) };
}

/** The ffmpeg arguments for encoding raw RGBA (RGBA16 with depth 16) frames from stdin into `file`. */
export function encoderArgs(file: string, target: string, o: VideoOptions, alpha = false): string[] {
  const ext = extname(target).toLowerCase();
  const { codec, pixFmt, extra } = videoEncoding(target, o, alpha);
  const args = ['-hide_banner', '-loglevel', 'error', '-y'];
  args.push(
    '-f',
    'rawvideo',
    '-pix_fmt',
    o.depth === 16 ? 'rgba64le' : 'rgba',
    '-s',
    `${o.width}x${o.height}`,
    '-r',
    String(o.fps),
    '-i',
    'pipe:0',
  );
  const audio = o.audio ? audioArgs(o.audio, target) : undefined;
  if (audio) args.push(...audio.input);
  // 4:2:0 needs even sizes: pad odd sizes by one pixel rather than fail.
  if (pixFmt.includes('420') && (o.width % 2 === 1 || o.height % 2 === 1)) {
    args.push('-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2');
  }
  args.push('-c:v', codec, '-pix_fmt', pixFmt, ...extra);
  if (codec === 'libx264' || codec === 'libx264rgb' || codec === 'libx265')
    args.push('-crf', String(o.crf ?? 18), '-preset', 'medium');
  else if (codec.startsWith('libvpx')) args.push('-crf', String(o.crf ?? 30), '-b:v', '0');
  else if (o.crf !== undefined) args.push('-crf', String(o.crf));
  if (audio) args.push(...audio.output);
  if (ext === '.mp4' || ext === '.mov') args.push('-movflags', '+faststart');
  // The temporary name has no video extension: name the container explicitly.
  const format = ext === '.mkv' ? 'matroska' : ext === '.webm' ? 'webm' : ext === '.mov' ? 'mov' : 'mp4';
  args.push('-f', format, file);
  return args;
}

/** True when any pixel of an RGBA frame (8 or 16 bits per value) is not fully opaque. */
export function hasAlpha(pixels: Uint8Array | Uint16Array): boolean {
  const opaque = pixels instanceof Uint16Array ? 65535 : 255;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== opaque) return true;
  return false;
}

/**
 * Encodes frames to a video file through ffmpeg. ffmpeg starts with the first frame, which decides the alpha
 * channel unless `alpha` forces it.
 */
export class VideoWriter {
  private proc: ChildProcess | undefined;
  private readonly tmp: string;
  private stderr = '';
  private exited: Promise<number | null> = Promise.resolve(null);
  private failed: Error | undefined;
  frames = 0;

  private constructor(
    readonly path: string,
    readonly options: VideoOptions,
  ) {
    this.tmp = temporaryPathFor(path);
  }

  static async open(path: string, options: VideoOptions): Promise<VideoWriter> {
    requireFfmpeg();
    await makeOutputFolder(path);
    return new VideoWriter(path, options);
  }

  private start(first: Uint8Array | Uint16Array | undefined): ChildProcess {
    const alpha = this.options.alpha ?? (first !== undefined && hasAlpha(first));
    const { codec, alphaKept } = videoEncoding(this.path, this.options, alpha);
    if (alpha && !alphaKept) {
      this.options.onNotice?.(
        `${codec} (${extname(this.path)}) cannot keep the alpha channel: it is dropped; use .webm or .mov for alpha`,
      );
    }
    const proc = spawn('ffmpeg', encoderArgs(this.tmp, this.path, this.options, alpha), {
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    proc.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    proc.stdin?.on('error', (e) => {
      this.failed ??= e;
    });
    this.exited = new Promise((resolve) => {
      proc.on('error', (e) => {
        this.failed ??= e;
        resolve(null);
      });
      proc.on('close', (code) => resolve(code));
    });
    this.proc = proc;
    return proc;
  }

  /**
   * Writes one RGBA frame (top row first; RGBA16 with depth 16). Resolves once the pipe has taken every byte
   * (ffmpeg is then reading them), so the caller may reuse or recycle `pixels` at once.
   */
  async write(pixels: Uint8Array | Uint16Array): Promise<void> {
    if (this.failed) throw this.error('writing a frame');
    const deep = this.options.depth === 16;
    const expected = this.options.width * this.options.height * 4;
    if (pixels.length !== expected || deep !== pixels instanceof Uint16Array) {
      throw new ISFError(
        'BAD_ARGUMENT',
        `video frame has ${pixels.length} ${pixels instanceof Uint16Array ? '16' : '8'}-bit values, expected ${expected} ${deep ? '16' : '8'}-bit`,
      );
    }
    const stdin = (this.proc ?? this.start(pixels)).stdin!;
    const bytes = new Uint8Array(pixels.buffer, pixels.byteOffset, pixels.byteLength);
    // The write callback runs when the stream has handed the bytes to the pipe (or failed): until then the
    // stream holds `pixels` itself, without a copy. A pipe closed meanwhile ends the wait too.
    await new Promise<void>((resolve) => {
      const done = () => {
        stdin.off('close', done);
        resolve();
      };
      stdin.on('close', done);
      stdin.write(bytes, (e) => {
        if (e) this.failed ??= e;
        done();
      });
    });
    if (this.failed) throw this.error('writing a frame');
    this.frames += 1;
  }

  /**
   * Finishes the encode, verifies the file and moves it into place. ffmpeg can exit 0 after failing to write
   * (a full disk: "Error writing trailer ... No space left on device"), so success is what the file shows: no
   * error on ffmpeg's stderr (it runs with -loglevel error), a container ffprobe reads, and every frame in it.
   * Anything else is IO_ERROR (FFMPEG_FAILED when ffmpeg itself failed) and the temporary file is removed.
   */
  async close(): Promise<void> {
    (this.proc ?? this.start(undefined)).stdin?.end();
    const code = await this.exited;
    try {
      if (code !== 0 || this.failed) throw this.error('finishing the video');
      const log = this.stderr.trim();
      if (log !== '') throw this.error('finishing the video', 'IO_ERROR');
      const written = countVideoFrames(this.tmp);
      if (written !== this.frames) {
        throw new ISFError(
          'IO_ERROR',
          `Cannot write ${this.path}: the video holds ${written ?? 'no readable'} frame(s) of the ${this.frames} encoded`,
          { file: this.path },
        );
      }
      await rename(this.tmp, this.path).catch((e: unknown) => {
        throw new ISFError('IO_ERROR', `Cannot write ${this.path}: ${(e as Error).message}`, {
          file: this.path,
          cause: e,
        });
      });
    } catch (e) {
      await rm(this.tmp, { force: true }).catch(() => undefined);
      throw e;
    }
  }

  /** Stops the encode and removes the partial file. */
  async abort(): Promise<void> {
    this.proc?.stdin?.destroy();
    this.proc?.kill('SIGKILL');
    await this.exited;
    await rm(this.tmp, { force: true });
  }

  private error(what: string, code: 'FFMPEG_FAILED' | 'IO_ERROR' = 'FFMPEG_FAILED'): ISFError {
    const log = this.stderr.trim().split('\n').slice(-3).join(' | ');
    // A full or failing disk is an I/O error whichever step of ffmpeg noticed it.
    const io = /No space left|Input\/output error|Read-only file system|Disk quota/i.test(this.stderr);
    return new ISFError(
      io ? 'IO_ERROR' : code,
      `ffmpeg failed ${what} for ${this.path}: ${log || this.failed?.message || 'unknown error'}`,
      {
        file: this.path,
        details: { log: this.stderr },
      },
    );
  }
}

/** Frames (packets) in the first video stream of `file`, counted by ffprobe; undefined if it cannot be read. */
export function countVideoFrames(file: string): number | undefined {
  try {
    const { stream } = ffprobe(file, {
      stream: 'v:0',
      entries: 'stream=nb_read_packets',
      count: 'packets',
      code: 'IO_ERROR',
      what: 'read video',
    });
    const n = Number(stream?.nb_read_packets);
    return Number.isInteger(n) ? n : undefined;
  } catch (e) {
    if (e instanceof ISFError) return undefined;
    throw e;
  }
}

export interface VideoInfo {
  width: number;
  height: number;
  /** Decoded frames, counted (undefined when not counted, or when ffprobe could not count them). */
  frames: number | undefined;
  fps: number | undefined;
}

/**
 * Reads width, height and rate of the first video stream with ffprobe, and with `countFrames` (default) its frame
 * count, which decodes the whole clip. IMAGE_DECODE when it cannot be read or has no video stream.
 */
export function probeVideo(path: string, options: { countFrames?: boolean } = {}): VideoInfo {
  requireFfmpeg();
  const count = options.countFrames ?? true;
  const { stream } = ffprobe(path, {
    stream: 'v:0',
    entries: `stream=width,height,r_frame_rate${count ? ',nb_read_frames' : ''}`,
    ...(count ? { count: 'frames' as const } : {}),
    code: 'IMAGE_DECODE',
    what: 'read video',
  });
  if (!stream) throw new ISFError('IMAGE_DECODE', `${path} has no video stream`, { file: path });
  const [num, den] = String(stream.r_frame_rate ?? '')
    .split('/')
    .map(Number);
  const frames = count ? Number(stream.nb_read_frames) : Number.NaN;
  return {
    width: Number(stream.width),
    height: Number(stream.height),
    frames: Number.isFinite(frames) ? frames : undefined,
    fps: num && den ? num / den : undefined,
  };
}

/**
 * Decodes a clip (or an image-sequence pattern such as frames/%04d.png) into RGBA frames scaled to
 * width x height, read sequentially. After the last frame, the last one is held.
 */
export class VideoReader {
  private readonly proc: ChildProcess;
  private readonly frameBytes: number;
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private ended = false;
  private waiting: (() => void) | undefined;
  private last: RawImage | undefined;
  private stderr = '';

  constructor(
    readonly path: string,
    readonly width: number,
    readonly height: number,
  ) {
    requireFfmpeg();
    this.frameBytes = width * height * 4;
    this.proc = spawn(
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-i',
        path,
        '-vf',
        `scale=${width}:${height}`,
        '-f',
        'rawvideo',
        '-pix_fmt',
        'rgba',
        'pipe:1',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.proc.stdout!.on('data', (d: Buffer) => {
      this.buffered.push(d);
      this.bufferedBytes += d.length;
      // Backpressure: don't decode a whole clip ahead of the renderer.
      if (this.bufferedBytes > this.frameBytes * 4) this.proc.stdout!.pause();
      this.wake();
    });
    this.proc.stderr!.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-2000);
    });
    this.proc.on('close', () => {
      this.ended = true;
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = undefined;
    w?.();
  }

  /** The next frame (held at the last one once the clip ends). */
  async next(): Promise<RawImage> {
    while (this.bufferedBytes < this.frameBytes && !this.ended) {
      this.proc.stdout!.resume();
      await new Promise<void>((r) => {
        this.waiting = r;
      });
    }
    if (this.bufferedBytes >= this.frameBytes) {
      const all = Buffer.concat(this.buffered);
      const frame = new Uint8Array(all.subarray(0, this.frameBytes));
      const rest = all.subarray(this.frameBytes);
      this.buffered = rest.length ? [rest] : [];
      this.bufferedBytes = rest.length;
      if (this.bufferedBytes <= this.frameBytes * 4) this.proc.stdout!.resume();
      this.last = { width: this.width, height: this.height, data: frame };
      return this.last;
    }
    if (this.last) return this.last;
    throw new ISFError(
      'IMAGE_DECODE',
      `Cannot decode any frame from ${this.path}: ${this.stderr.trim() || 'no video frames'}`,
      {
        file: this.path,
      },
    );
  }

  close(): void {
    if (!this.ended) this.proc.kill('SIGKILL');
  }
}
