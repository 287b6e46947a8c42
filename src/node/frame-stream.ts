/**
 * Frames written to a stream (`isf render -o - --format F`): stdout, or any file descriptor, so another program
 * consumes them with no temporary files.
 *
 *   rgba   raw RGBA, 8 bits a value, top row first, W*H*4 bytes a frame, nothing between frames
 *          (--depth 16: RGBA16 little-endian, ffmpeg's rgba64le, W*H*8 bytes a frame)
 *   y4m    YUV4MPEG2: one header line, then "FRAME\n" and the planes of each frame; 4:2:0 (C420jpeg: 2x2 blocks
 *          averaged, centred chroma), BT.601 limited range, 8-bit, alpha dropped: what x264 and every ffmpeg read
 *   y4m444 the same with full-resolution chroma (C444): no colour bleeding at sharp edges, for encoders and
 *          profiles that take 4:4:4 (x264 High 4:4:4, ffv1, ProRes 4444)
 *   png    one PNG after another (ffmpeg's image2pipe; 16-bit with --depth 16)
 *   mjpeg  one JPEG after another (sharp, quality 92, alpha flattened on black): ffmpeg -f mjpeg
 *
 * Writes are awaited one frame at a time (a slow reader slows the render; nothing piles up in memory). A reader
 * that closes the stream early (EPIPE) ends the render with OUTPUT_CLOSED, which names the frames it took.
 */
import { fstatSync, write as fsWrite } from 'node:fs';
import { ISFError } from '../core/errors.ts';
import type { FrameData } from '../render/frame.ts';
import { encodeFrame, type SampleDepth, toRGBA16 } from './images.ts';

export type StreamFormat = 'rgba' | 'y4m' | 'png' | 'mjpeg' | 'y4m444';
export const STREAM_FORMATS: readonly StreamFormat[] = ['rgba', 'y4m', 'png', 'mjpeg', 'y4m444'];

/** The chroma layout of a y4m format, undefined for the others. */
export type Chroma = '420' | '444';
export function y4mChroma(format: StreamFormat): Chroma | undefined {
  return format === 'y4m' ? '420' : format === 'y4m444' ? '444' : undefined;
}

/** The output name that means "the stream" (stdout for the CLI). */
export const STREAM_OUTPUT = '-';

export interface FrameStreamOptions {
  format: StreamFormat;
  width: number;
  height: number;
  fps: number;
  /** 8 (default) or 16 (rgba, png); 32 is refused (checkStreamFormat). */
  depth?: SampleDepth;
}

/** How a consumer reads the stream, e.g. `ffmpeg -f rawvideo -pix_fmt rgba -s 64x32 -r 30 -i -`. */
export function ffmpegInputFor(o: FrameStreamOptions): string {
  switch (o.format) {
    case 'rgba':
      return `ffmpeg -f rawvideo -pix_fmt ${o.depth === 16 ? 'rgba64le' : 'rgba'} -s ${o.width}x${o.height} -r ${o.fps} -i -`;
    case 'y4m':
    case 'y4m444':
      return 'ffmpeg -f yuv4mpegpipe -i -';
    case 'png':
      return `ffmpeg -f image2pipe -c:v png -r ${o.fps} -i -`;
    case 'mjpeg':
      return `ffmpeg -f mjpeg -r ${o.fps} -i -`;
  }
}

/** Bytes of one frame in the stream, when every frame has the same size (rgba, y4m). */
export function streamFrameBytes(o: FrameStreamOptions): number | undefined {
  if (o.format === 'rgba') return o.width * o.height * (o.depth === 16 ? 8 : 4);
  const chroma = y4mChroma(o.format);
  if (chroma) return FRAME_TAG.length + o.width * o.height + 2 * chromaSize(o.width, o.height, chroma);
  return undefined;
}

/** Throws BAD_ARGUMENT for a format name that is not one, or a depth the format cannot carry. */
export function checkStreamFormat(format: unknown, depth: number | undefined): StreamFormat {
  if (!STREAM_FORMATS.includes(format as StreamFormat)) {
    throw new ISFError(
      'BAD_ARGUMENT',
      `-o - writes frames to stdout and needs --format ${STREAM_FORMATS.join('|')}${format === undefined ? '' : ` (received "${String(format)}")`}`,
      {
        suggestion:
          'rgba: raw RGBA8 frames; y4m: YUV4MPEG2 4:2:0 for ffmpeg/x264; png: concatenated PNGs; mjpeg: concatenated JPEGs; y4m444: YUV4MPEG2 4:4:4',
      },
    );
  }
  if (depth !== undefined && depth !== 8 && depth !== 16) {
    throw new ISFError(
      'BAD_ARGUMENT',
      `--depth ${depth} is for .exr files; a stream carries 8 bits per value, or 16 with --format rgba or png`,
    );
  }
  if (depth === 16 && (format === 'y4m' || format === 'y4m444' || format === 'mjpeg')) {
    throw new ISFError(
      'BAD_ARGUMENT',
      `--format ${format} is 8-bit: --depth 16 streams with --format rgba (rgba64le) or png (16-bit PNGs)`,
    );
  }
  return format as StreamFormat;
}

/** How long to wait before writing again to a full non-blocking pipe. */
const FULL_PIPE_WAIT_MS = 2;

/**
 * Writes all of `bytes` to `fd` at its current position. A pipe may be non-blocking (whoever else holds it
 * decides: Node sets O_NONBLOCK on a stdout pipe it writes to), so EAGAIN waits a moment and writes again; a
 * blocking one simply blocks a libuv pool thread until the reader takes the bytes. The descriptor is never
 * closed here: it belongs to the process (stdout, or the CLI's stdout passed to the isolated child).
 */
async function writeAll(fd: number, bytes: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes.length; ) {
    try {
      off += await new Promise<number>((resolve, reject) =>
        fsWrite(fd, bytes, off, bytes.length - off, null, (e, n) => (e ? reject(e) : resolve(n))),
      );
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      await new Promise((resolve) => setTimeout(resolve, FULL_PIPE_WAIT_MS));
    }
  }
}

const FRAME_TAG = new TextEncoder().encode('FRAME\n');

function chromaSize(width: number, height: number, chroma: Chroma): number {
  return chroma === '444' ? width * height : Math.ceil(width / 2) * Math.ceil(height / 2);
}

/** The frame rate as y4m's ratio: integers exactly, the NTSC rates as n/1001, else in thousandths. */
function y4mRate(fps: number): string {
  if (Number.isInteger(fps)) return `${fps}:1`;
  const ntsc = Math.round(fps * 1.001);
  if (Math.abs((ntsc * 1000) / 1001 - fps) < 1e-6) return `${ntsc * 1000}:1001`;
  return `${Math.round(fps * 1000)}:1000`;
}

export function y4mHeader(width: number, height: number, fps: number, chroma: Chroma = '420'): Uint8Array {
  return new TextEncoder().encode(
    `YUV4MPEG2 W${width} H${height} F${y4mRate(fps)} Ip A1:1 ${chroma === '444' ? 'C444' : 'C420jpeg'} XCOLORRANGE=LIMITED\n`,
  );
}

/**
 * One y4m FRAME chunk from RGBA8: BT.601 limited range (Y 16..235, Cb/Cr 16..240), alpha dropped; 4:2:0 averages
 * the chroma of each 2x2 block (the last column/row of an odd size alone), 4:4:4 keeps each pixel's (a 1x1 block).
 */
export function y4mFrame(frame: FrameData, chroma: Chroma = '420'): Uint8Array {
  const { width: w, height: h } = frame;
  const src = frame.pixels;
  const step = chroma === '444' ? 1 : 2;
  const cw = Math.ceil(w / step);
  const ch = Math.ceil(h / step);
  const out = new Uint8Array(FRAME_TAG.length + w * h + 2 * cw * ch);
  out.set(FRAME_TAG, 0);
  const yPlane = FRAME_TAG.length;
  const uPlane = yPlane + w * h;
  const vPlane = uPlane + cw * ch;
  for (let i = 0, p = 0; i < w * h; i++, p += 4) {
    out[yPlane + i] = Math.round(
      16 + (65.481 * src[p]! + 128.553 * src[p + 1]! + 24.966 * src[p + 2]!) / 255,
    );
  }
  for (let cy = 0; cy < ch; cy++) {
    for (let cx = 0; cx < cw; cx++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let n = 0;
      for (let y = cy * step; y < Math.min(h, cy * step + step); y++) {
        for (let x = cx * step; x < Math.min(w, cx * step + step); x++) {
          const p = (y * w + x) * 4;
          r += src[p]!;
          g += src[p + 1]!;
          b += src[p + 2]!;
          n += 1;
        }
      }
      r /= n;
      g /= n;
      b /= n;
      const c = cy * cw + cx;
      out[uPlane + c] = Math.round(128 + (-37.797 * r - 74.203 * g + 112 * b) / 255);
      out[vPlane + c] = Math.round(128 + (112 * r - 93.786 * g - 18.214 * b) / 255);
    }
  }
  return out;
}

/** A sequence of frames written to a file descriptor in one of STREAM_FORMATS. */
export class FrameStream {
  /** Frames fully handed to the stream. */
  frames = 0;
  private started = false;

  private constructor(
    private readonly fd: number,
    readonly options: FrameStreamOptions,
  ) {}

  /** `fd` defaults to 1 (stdout); the isolated child writes to the CLI's stdout, passed to it as another fd. */
  static open(options: FrameStreamOptions, fd = 1): FrameStream {
    checkStreamFormat(options.format, options.depth);
    try {
      fstatSync(fd); // a descriptor that is not open fails now, before any frame is rendered
      return new FrameStream(fd, options);
    } catch (e) {
      throw new ISFError(
        'IO_ERROR',
        `cannot write frames to file descriptor ${fd}: ${(e as Error).message}`,
        {
          cause: e,
        },
      );
    }
  }

  async write(frame: FrameData): Promise<void> {
    const { format, depth } = this.options;
    const chroma = y4mChroma(format);
    const chunks: Uint8Array[] = [];
    if (!this.started && chroma) chunks.push(y4mHeader(frame.width, frame.height, this.options.fps, chroma));
    if (format === 'rgba') {
      chunks.push(depth === 16 ? new Uint8Array(toRGBA16(frame).buffer) : frame.pixels);
    } else if (chroma) chunks.push(y4mFrame(frame, chroma));
    else chunks.push(await encodeFrame(frame, format === 'png' ? 'png' : 'jpeg', { depth: depth ?? 8 }));
    this.started = true;
    try {
      for (const c of chunks) await writeAll(this.fd, c);
    } catch (e) {
      throw this.failure(e);
    }
    this.frames += 1;
  }

  private failure(e: unknown): ISFError {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EPIPE' || code === 'ECONNRESET') {
      return new ISFError(
        'OUTPUT_CLOSED',
        `the program reading the frames closed the stream after ${this.frames} frame(s) were written to it: rendering stopped`,
        {
          cause: e,
          suggestion:
            'the reader stopped early (head, ffmpeg -frames:v ...); give --frames to render only what it reads',
          details: { frames: this.frames },
        },
      );
    }
    return new ISFError('IO_ERROR', `writing frames to the stream failed: ${(e as Error).message}`, {
      cause: e,
    });
  }
}
