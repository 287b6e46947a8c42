/**
 * OpenEXR frames through ffmpeg's EXR encoder (no maintained, small npm EXR writer exists): RGBA float, half
 * (16-bit) by default or full 32-bit float, ZIP-compressed scanlines. The shader's values above 1.0 (and below 0)
 * are kept as they are; that is what EXR is for.
 *
 * ffmpeg's encoder takes planar float only (`gbrapf32le`: the G, B, R and A planes, each top row first), so
 * the interleaved RGBA float32 frame is rearranged here and piped in; the file comes back on stdout.
 */
import { spawn } from 'node:child_process';
import { ISFError } from '../core/errors.ts';
import { hasEncoder, requireFfmpeg } from './ffmpeg.ts';

/** How long one frame's encode may take before ffmpeg is stopped (a 4K frame takes well under a second). */
const EXR_TIMEOUT_MS = 60_000;

/** FFMPEG_MISSING unless ffmpeg runs and has its EXR encoder. */
export function requireExrEncoder(): void {
  requireFfmpeg();
  if (!hasEncoder('exr')) {
    throw new ISFError(
      'FFMPEG_MISSING',
      'This ffmpeg has no OpenEXR encoder (ffmpeg -encoders lists no "exr"); .exr output needs it: install the Debian package ffmpeg',
      { suggestion: 'install it with: apt-get install ffmpeg' },
    );
  }
}

/** Interleaved RGBA float (top row first) as ffmpeg's planar gbrapf32le: the G, B, R, A planes one after another. */
export function toPlanarGBRA(rgba: Float32Array, width: number, height: number): Float32Array {
  const n = width * height;
  if (rgba.length !== n * 4) {
    throw new ISFError(
      'BAD_ARGUMENT',
      `EXR frame has ${rgba.length} values, expected ${n * 4} (${width}x${height} RGBA)`,
    );
  }
  const planar = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    planar[i] = rgba[i * 4 + 1]!; // G
    planar[n + i] = rgba[i * 4 + 2]!; // B
    planar[2 * n + i] = rgba[i * 4]!; // R
    planar[3 * n + i] = rgba[i * 4 + 3]!; // A
  }
  return planar;
}

/** Encodes RGBA float pixels (top row first) to the bytes of an .exr file: half float, or full with `full`. */
export async function encodeExr(
  rgba: Float32Array,
  width: number,
  height: number,
  options: { full?: boolean } = {},
): Promise<Buffer> {
  requireExrEncoder();
  const planar = toPlanarGBRA(rgba, width, height);
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'gbrapf32le',
    '-s',
    `${width}x${height}`,
    '-i',
    'pipe:0',
    '-frames:v',
    '1',
    '-c:v',
    'exr',
    '-format',
    options.full ? 'float' : 'half',
    '-compression',
    'zip16',
    '-f',
    'image2pipe',
    'pipe:1',
  ];
  const chunks: Buffer[] = [];
  let stderr = '';
  const { code, timedOut, error } = await new Promise<{
    code: number | null;
    timedOut: boolean;
    error?: Error;
  }>((resolve) => {
    const proc = spawn('ffmpeg', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      proc.kill('SIGKILL');
    }, EXR_TIMEOUT_MS);
    proc.stdout.on('data', (d: Buffer) => chunks.push(d));
    proc.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    // ffmpeg closing its input early shows as EPIPE here; its exit status and stderr say why.
    proc.stdin.on('error', () => undefined);
    proc.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: null, timedOut, error: e });
    });
    proc.on('close', (c) => {
      clearTimeout(timer);
      resolve({ code: c, timedOut });
    });
    proc.stdin.end(new Uint8Array(planar.buffer, planar.byteOffset, planar.byteLength));
  });
  const bytes = Buffer.concat(chunks);
  // An EXR file starts with the magic number 20000630 (76 2f 31 01).
  const magic = bytes.length >= 4 && bytes.readUInt32LE(0) === 20000630;
  if (code !== 0 || !magic || stderr.trim() !== '') {
    const why = timedOut
      ? `ffmpeg did not finish within ${EXR_TIMEOUT_MS} ms`
      : error?.message || stderr.trim().split('\n').slice(-2).join(' | ') || 'no EXR data came back';
    throw new ISFError('FFMPEG_FAILED', `ffmpeg failed encoding a ${width}x${height} EXR frame: ${why}`, {
      details: { log: stderr },
    });
  }
  return bytes;
}
