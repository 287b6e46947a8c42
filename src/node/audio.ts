/**
 * Audio files for audio/audioFFT inputs in Node, decoded once to PCM: anything ffmpeg decodes (mp3, flac, ogg,
 * m4a, a video's first audio track...) when ffmpeg is installed, else WAV through the built-in reader.
 * Samples come back as 32-bit float per channel at the file's own rate, so the same file gives the same samples
 * in every thread, process and farm worker of one installation.
 */
import { spawn } from 'node:child_process';
import { extname } from 'node:path';
import { type AudioSamples, parseWav } from '../core/audio.ts';
import { ISFError } from '../core/errors.ts';
import { checkRegularFile, readRegularFile } from './confine.ts';
import { hasFfmpeg } from './ffmpeg.ts';
import { ffprobe } from './ffprobe.ts';

/** Largest sound file read or handed to ffmpeg (about 25 minutes of 48 kHz stereo float WAV). */
export const MAX_AUDIO_FILE_BYTES = 512 * 1024 * 1024;

/** Reads a WAV file into per-channel samples for `scene.setAudio(name, samples)`. */
export async function loadWav(path: string): Promise<AudioSamples> {
  // A regular file within the limit, checked before reading: a FIFO is an error, not a hang.
  const bytes = await readRegularFile(path, { maxBytes: MAX_AUDIO_FILE_BYTES, what: 'audio file' });
  return parseWav(bytes, path);
}

/** Sample rate and channel count of the first audio stream, from ffprobe (AUDIO_DECODE when there is none). */
export function probeAudio(path: string): { sampleRate: number; channels: number } {
  return probeAudioStream(path, false);
}

/** One ffprobe of the first audio stream (and with `duration` the file's duration, which must be above 0). */
function probeAudioStream(
  path: string,
  duration: boolean,
): { sampleRate: number; channels: number; duration: number } {
  const r = ffprobe(path, {
    stream: 'a:0',
    entries: duration ? 'stream=sample_rate,channels:format=duration' : 'stream=sample_rate,channels',
    code: 'AUDIO_DECODE',
    what: 'decode audio file',
  });
  const sampleRate = Number(r.stream?.sample_rate);
  const channels = Number(r.stream?.channels);
  if (!r.stream || !(sampleRate > 0) || !(channels > 0)) {
    throw new ISFError('AUDIO_DECODE', `${path} has no audio stream`, { file: path });
  }
  const seconds = Number(r.format.duration);
  if (duration && !(seconds > 0)) {
    throw new ISFError('AUDIO_DECODE', `Cannot tell the duration of ${path}`, { file: path });
  }
  return { sampleRate, channels, duration: seconds };
}

/** Decodes the first audio stream of `path` with ffmpeg to float PCM at the stream's own rate. */
async function decodeWithFfmpeg(path: string): Promise<AudioSamples> {
  const { sampleRate, channels } = probeAudio(path);
  const chunks: Buffer[] = [];
  let stderr = '';
  const code = await new Promise<number | null>((resolve, reject) => {
    const proc = spawn(
      'ffmpeg',
      ['-hide_banner', '-loglevel', 'error', '-i', path, '-map', '0:a:0', '-vn', '-f', 'f32le', 'pipe:1'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    proc.stdout.on('data', (d: Buffer) => chunks.push(d));
    proc.stderr.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    proc.on('error', reject);
    proc.on('close', resolve);
  });
  const bytes = Buffer.concat(chunks);
  const frames = Math.floor(bytes.length / (4 * channels));
  if (code !== 0 || frames === 0) {
    throw new ISFError(
      'AUDIO_DECODE',
      `Cannot decode audio file ${path}: ${stderr.trim().split('\n').pop() || 'no audio samples'}`,
      { file: path },
    );
  }
  // A copy: Buffer.concat may return a slice of Node's pool at an offset Float32Array cannot view.
  const interleaved = new Float32Array(
    bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + frames * channels * 4),
  );
  const out = Array.from({ length: channels }, () => new Float32Array(frames));
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < channels; c++) out[c]![f] = interleaved[f * channels + c]!;
  }
  return { channels: out, sampleRate };
}

/**
 * Decodes a sound file (or a video's audio track) to PCM: ffmpeg when installed, else the WAV reader.
 * A missing file is IO_ERROR; a file that does not decode (or has no audio) is AUDIO_DECODE.
 */
export async function loadAudio(path: string): Promise<AudioSamples> {
  await requireFile(path);
  if (hasFfmpeg()) return decodeWithFfmpeg(path);
  if (extname(path).toLowerCase() === '.wav') return loadWav(path);
  throw new ISFError(
    'FFMPEG_MISSING',
    `Cannot decode ${path} without ffmpeg (only .wav is read without it): install it with: apt-get install ffmpeg`,
    { file: path, suggestion: 'install it with: apt-get install ffmpeg' },
  );
}

/** A regular file within the limit (IO_ERROR otherwise): ffmpeg would block on a FIFO or read /dev/zero. */
async function requireFile(path: string): Promise<void> {
  await checkRegularFile(path, { maxBytes: MAX_AUDIO_FILE_BYTES, what: 'audio file' });
}

/** Checks that a sound to mux into a video exists (IO_ERROR) and has an audio stream (AUDIO_DECODE). */
export async function checkAudioTrack(path: string): Promise<void> {
  await requireFile(path);
  probeAudio(path);
}

/** Duration of the first audio stream in seconds, without decoding it (ffprobe; the WAV header without ffmpeg). */
export async function probeAudioDuration(path: string): Promise<number> {
  await requireFile(path);
  if (!hasFfmpeg()) return audioDuration(await loadAudio(path));
  return probeAudioStream(path, true).duration;
}

/** Duration of decoded audio in seconds. */
export function audioDuration(audio: AudioSamples): number {
  return (audio.channels[0]?.length ?? 0) / (audio.sampleRate ?? 1);
}
