/**
 * Audio inputs as images, as the ISF spec describes (isf-spec-notes §1.11):
 * - width = samples (audio) or bins (audioFFT); height = channels, row 0 = channel 0; x = 0 is the oldest sample;
 * - waveform values centred on 0.5 (sample * 0.5 + 0.5), greyscale in RGB, alpha 1;
 * - a MAX request averages groups of values down to MAX columns (the Qt ISF Editor's method).
 * Images are float RGBA so hosts get the precision the spec asks for. Also a small WAV (RIFF) reader.
 *
 * Audio over time (audioImageAt, what offline renders synced to a sound file use): the frame rendered at TIME t
 * sees the audio that ends at sample e = round(t * sampleRate), with silence before the file starts and after
 * it ends, so the same file and time always give the same image:
 * - audio: the last N = MAX (default 1024) samples before e, one column per sample;
 * - audioFFT: a Hann-windowed block of the 1024 samples before e, 512 bins, bin i = i * sampleRate / 1024 Hz
 *   (MAX averages them down), magnitudes in decibels mapped linearly from -61 dB (0) to 0 dB (1), where
 *   0 dB is a full-scale sine: a fixed scale (the WebAudio/ISF Editor for Mac range), so loud passages look
 *   louder than quiet ones and silence is 0.
 */
import { ISFError } from './errors.ts';

export interface AudioSamples {
  /** One Float32Array per channel, samples in -1..1. */
  channels: Float32Array[];
  sampleRate?: number;
}

export interface FloatImage {
  width: number;
  height: number;
  data: Float32Array;
}

/** Native waveform width (the Qt ISF Editor's 1024 samples) and FFT bins (its fftQuality 512). */
export const WAVEFORM_COLUMNS = 1024;
export const FFT_BINS = 512;

function checkAudio(audio: AudioSamples, what: string): void {
  if (!audio || !Array.isArray(audio.channels) || audio.channels.length === 0) {
    throw new ISFError(
      'AUDIO_DECODE',
      `Expected { channels: Float32Array[] } with at least one channel for ${what}`,
    );
  }
  const n = audio.channels[0]!.length;
  if (n === 0 || audio.channels.some((c) => !(c instanceof Float32Array) || c.length !== n)) {
    throw new ISFError(
      'AUDIO_DECODE',
      `Expected ${what} channels to be non-empty Float32Arrays of equal length`,
    );
  }
}

/** Averages `values` down (or repeats them up) to `columns` values. */
function resample(values: Float32Array, columns: number): Float32Array {
  const out = new Float32Array(columns);
  const n = values.length;
  for (let c = 0; c < columns; c++) {
    const a = Math.floor((c * n) / columns);
    const b = Math.max(a + 1, Math.floor(((c + 1) * n) / columns));
    let sum = 0;
    for (let i = a; i < b; i++) sum += values[Math.min(i, n - 1)]!;
    out[c] = sum / (b - a);
  }
  return out;
}

function toImage(rows: Float32Array[]): FloatImage {
  const width = rows[0]!.length;
  const height = rows.length;
  const data = new Float32Array(width * height * 4);
  // Row 0 = channel 0 in GL terms (bottom of the texture). Images are uploaded top row first with flip, so
  // put channel 0 last here: after the flip it is the texture's row y = 0.
  for (let r = 0; r < height; r++) {
    const row = rows[height - 1 - r]!;
    for (let x = 0; x < width; x++) {
      const i = (r * width + x) * 4;
      data[i] = data[i + 1] = data[i + 2] = row[x]!;
      data[i + 3] = 1;
    }
  }
  return { width, height, data };
}

/** The waveform image: `columns` = MAX, or min(samples, 1024). */
export function waveformImage(audio: AudioSamples, columns?: number): FloatImage {
  checkAudio(audio, 'an audio input');
  const n = audio.channels[0]!.length;
  const width = Math.max(1, Math.min(columns ?? Math.min(n, WAVEFORM_COLUMNS), 16384));
  return toImage(
    audio.channels.map((ch) => {
      const row = resample(
        ch.length > WAVEFORM_COLUMNS && columns === undefined ? ch.subarray(ch.length - width) : ch,
        width,
      );
      for (let i = 0; i < row.length; i++) row[i] = row[i]! * 0.5 + 0.5;
      return row;
    }),
  );
}

/** In-place radix-2 FFT magnitudes of a Hann-windowed block of 2 * bins samples (zero-padded). */
export function fftMagnitudes(samples: Float32Array, bins: number): Float32Array {
  let size = 1;
  while (size < bins * 2) size <<= 1;
  const re = new Float64Array(size);
  const im = new Float64Array(size);
  const start = Math.max(0, samples.length - size);
  const count = Math.min(size, samples.length);
  for (let i = 0; i < count; i++) {
    const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / Math.max(1, count - 1));
    re[i] = samples[start + i]! * w;
  }
  for (let i = 1, j = 0; i < size; i++) {
    let bit = size >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j]!, re[i]!];
      [im[i], im[j]] = [im[j]!, im[i]!];
    }
  }
  for (let len = 2; len <= size; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    for (let i = 0; i < size; i += len) {
      for (let k = 0; k < len / 2; k++) {
        const cr = Math.cos(ang * k);
        const ci = Math.sin(ang * k);
        const a = i + k;
        const b = a + len / 2;
        const tr = re[b]! * cr - im[b]! * ci;
        const ti = re[b]! * ci + im[b]! * cr;
        re[b] = re[a]! - tr;
        im[b] = im[a]! - ti;
        re[a] = re[a]! + tr;
        im[a] = im[a]! + ti;
      }
    }
  }
  const out = new Float32Array(size / 2);
  for (let i = 0; i < out.length; i++) out[i] = Math.hypot(re[i]!, im[i]!) / (size / 4);
  return out;
}

/** The bottom of the decibel scale of audioFFT images over time: this level and below is 0. */
export const FFT_MIN_DECIBELS = -61;

/**
 * The FFT image: `columns` = MAX, or 512 bins. `scale` 'peak' (default; a whole clip set once) normalises the
 * magnitudes to 0..1 by the largest bin (Qt editor); 'decibels' (audio over time) maps -61..0 dBFS to 0..1.
 */
export function fftImage(
  audio: AudioSamples,
  columns?: number,
  scale: 'peak' | 'decibels' = 'peak',
): FloatImage {
  checkAudio(audio, 'an audioFFT input');
  const width = Math.max(1, Math.min(columns ?? FFT_BINS, 16384));
  const rows = audio.channels.map((ch) => resample(fftMagnitudes(ch, FFT_BINS).subarray(0, FFT_BINS), width));
  if (scale === 'decibels') {
    for (const r of rows) {
      for (let i = 0; i < r.length; i++) {
        const db = r[i]! > 0 ? 20 * Math.log10(r[i]!) : -Infinity;
        r[i] = Math.min(1, Math.max(0, (db - FFT_MIN_DECIBELS) / -FFT_MIN_DECIBELS));
      }
    }
    return toImage(rows);
  }
  let max = 0;
  for (const r of rows) for (const v of r) max = Math.max(max, v);
  if (max > 0) for (const r of rows) for (let i = 0; i < r.length; i++) r[i] = r[i]! / max;
  return toImage(rows);
}

/**
 * The `length` samples of every channel that end just before sample `end` (exclusive): zeros where the window
 * reaches before the start or past the end of the audio.
 */
export function audioWindow(audio: AudioSamples, end: number, length: number): AudioSamples {
  checkAudio(audio, 'an audio input');
  const channels = audio.channels.map((ch) => {
    const out = new Float32Array(length);
    const from = end - length;
    const a = Math.max(0, from);
    const b = Math.min(ch.length, end);
    if (b > a) out.set(ch.subarray(a, b), a - from);
    return out;
  });
  return { channels, sampleRate: audio.sampleRate };
}

/** The image an audio (waveform) or audioFFT input shows at TIME `time` of `audio` (see the top of this file). */
export function audioImageAt(
  type: 'audio' | 'audioFFT',
  audio: AudioSamples,
  time: number,
  max?: number,
): FloatImage {
  const rate = audio.sampleRate;
  if (!rate || !(rate > 0) || !Number.isFinite(time)) {
    throw new ISFError(
      'AUDIO_DECODE',
      `Audio over time needs a positive sampleRate and a finite time; received sampleRate ${rate}, time ${time}`,
    );
  }
  const end = Math.round(time * rate);
  if (type === 'audio') {
    const n = Math.max(1, Math.min(max ?? WAVEFORM_COLUMNS, 16384));
    return waveformImage(audioWindow(audio, end, n), n);
  }
  return fftImage(audioWindow(audio, end, FFT_BINS * 2), max, 'decibels');
}

/** Reads a RIFF/WAVE file: PCM 8/16/24/32-bit integer or 32/64-bit float, any channel count. */
export function parseWav(bytes: Uint8Array, file?: string): AudioSamples {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = (o: number) => String.fromCharCode(...bytes.subarray(o, o + 4));
  if (bytes.length < 12 || text(0) !== 'RIFF' || text(8) !== 'WAVE') {
    throw new ISFError('AUDIO_DECODE', 'Not a WAV file (no RIFF/WAVE header)', { file });
  }
  let format = 0;
  let channels = 0;
  let sampleRate = 0;
  let bits = 0;
  let off = 12;
  while (off + 8 <= bytes.length) {
    const id = text(off);
    const size = view.getUint32(off + 4, true);
    const body = off + 8;
    if (id === 'fmt ') {
      format = view.getUint16(body, true);
      channels = view.getUint16(body + 2, true);
      sampleRate = view.getUint32(body + 4, true);
      bits = view.getUint16(body + 14, true);
      if (format === 0xfffe && size >= 26) format = view.getUint16(body + 24, true); // WAVE_FORMAT_EXTENSIBLE
    } else if (id === 'data') {
      if (!channels || (format !== 1 && format !== 3)) {
        throw new ISFError('AUDIO_DECODE', `Unsupported WAV encoding (format ${format}, ${bits} bits)`, {
          file,
        });
      }
      const bps = bits / 8;
      const frames = Math.floor(Math.min(size, bytes.length - body) / (bps * channels));
      const out = Array.from({ length: channels }, () => new Float32Array(frames));
      for (let f = 0; f < frames; f++) {
        for (let c = 0; c < channels; c++) {
          const p = body + (f * channels + c) * bps;
          let v: number;
          if (format === 3) v = bits === 64 ? view.getFloat64(p, true) : view.getFloat32(p, true);
          else if (bits === 8) v = (view.getUint8(p) - 128) / 128;
          else if (bits === 16) v = view.getInt16(p, true) / 32768;
          else if (bits === 24)
            v =
              ((view.getUint8(p + 2) << 24) | (view.getUint8(p + 1) << 16) | (view.getUint8(p) << 8)) /
              2147483648;
          else v = view.getInt32(p, true) / 2147483648;
          out[c]![f] = v;
        }
      }
      return { channels: out, sampleRate };
    }
    off = body + size + (size & 1);
  }
  throw new ISFError('AUDIO_DECODE', 'WAV file has no data chunk', { file });
}
