/**
 * The one way this package asks ffprobe about a file: JSON out, a time limit, and typed errors. Clips given as
 * image inputs, sounds for audio inputs and tracks, and the videos we wrote (verified before they are renamed
 * into place) are all probed through here.
 */
import { spawnSync } from 'node:child_process';
import { ISFError } from '../core/errors.ts';

/** Reading a file's headers; a file that takes longer is not one ffmpeg will decode in reasonable time either. */
export const PROBE_TIMEOUT_MS = 30_000;
/** Counting frames or packets reads (for frames: decodes) the whole stream, which takes longer on long clips. */
export const COUNT_TIMEOUT_MS = 600_000;

export interface ProbeRequest {
  /** The stream looked at (`-select_streams`): the first video or audio stream; none for format entries only. */
  stream?: 'v:0' | 'a:0';
  /** What ffprobe shows (`-show_entries`), e.g. 'stream=width,height' or 'stream=sample_rate:format=duration'. */
  entries: string;
  /** Count the stream's frames (decodes it: `nb_read_frames`) or packets (demuxes it: `nb_read_packets`). */
  count?: 'frames' | 'packets';
  /** Time limit (default PROBE_TIMEOUT_MS, COUNT_TIMEOUT_MS when counting). */
  timeoutMs?: number;
  /** The error code when ffprobe cannot read the file (IMAGE_DECODE for clips, AUDIO_DECODE for sounds). */
  code: 'IMAGE_DECODE' | 'AUDIO_DECODE' | 'IO_ERROR';
  /** What failed, as the message says it: "read video", "decode audio file" (→ "Cannot read video a.mp4: ..."). */
  what: string;
}

export type ProbeEntries = Record<string, string | number | undefined>;

export interface ProbeResult {
  /** The selected stream's entries, undefined when the file has no such stream. */
  stream: ProbeEntries | undefined;
  format: ProbeEntries;
}

/**
 * Runs ffprobe on `path` once. FFMPEG_MISSING when ffprobe does not run; `request.code` when it cannot read the
 * file, prints no JSON, or runs past its time limit (it is killed then).
 */
export function ffprobe(path: string, request: ProbeRequest): ProbeResult {
  const timeoutMs = request.timeoutMs ?? (request.count ? COUNT_TIMEOUT_MS : PROBE_TIMEOUT_MS);
  const args = ['-v', 'error'];
  if (request.stream) args.push('-select_streams', request.stream);
  if (request.count === 'frames') args.push('-count_frames');
  if (request.count === 'packets') args.push('-count_packets');
  args.push('-show_entries', request.entries, '-of', 'json', path);
  const r = spawnSync('ffprobe', args, {
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: 16 * 1024 * 1024,
  });
  const fail = (reason: string) =>
    new ISFError(request.code, `Cannot ${request.what} ${path}: ${reason}`, { file: path });
  const error = r.error as NodeJS.ErrnoException | undefined;
  if (error?.code === 'ENOENT') {
    throw new ISFError(
      'FFMPEG_MISSING',
      `ffprobe is not installed or not on PATH; reading ${path} needs it: install it with: apt-get install ffmpeg`,
      { file: path, suggestion: 'install it with: apt-get install ffmpeg' },
    );
  }
  if (error?.code === 'ETIMEDOUT' || (r.signal === 'SIGKILL' && r.status === null)) {
    throw fail(`ffprobe did not finish within ${timeoutMs} ms`);
  }
  if (error) throw fail(error.message);
  if (r.status !== 0) throw fail(r.stderr.trim().split('\n')[0] || 'ffprobe failed');
  let parsed: { streams?: ProbeEntries[]; format?: ProbeEntries };
  try {
    parsed = JSON.parse(r.stdout) as typeof parsed;
  } catch {
    throw fail('ffprobe printed no readable answer');
  }
  return { stream: parsed.streams?.[0], format: parsed.format ?? {} };
}
