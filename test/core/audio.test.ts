import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FFT_BINS, fftImage, parseWav, waveformImage } from '../../src/core/audio.ts';
import { ISFError } from '../../src/core/errors.ts';

function sine(freq: number, rate: number, n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin((2 * Math.PI * freq * i) / rate));
}

test('waveform: centred on 0.5, one row per channel, channel 0 at GL row 0', () => {
  const left = new Float32Array([-1, 0, 1, 0.5]);
  const right = new Float32Array([1, 1, 1, 1]);
  const img = waveformImage({ channels: [left, right] });
  assert.equal(img.width, 4);
  assert.equal(img.height, 2);
  // Uploaded top row first and flipped in the shader, so channel 0 is the LAST row of the data.
  const row = (r: number) => Array.from({ length: 4 }, (_, x) => img.data[(r * 4 + x) * 4]);
  assert.deepEqual(row(1), [0, 0.5, 1, 0.75]);
  assert.deepEqual(row(0), [1, 1, 1, 1]);
  assert.equal(img.data[3], 1, 'alpha is 1');
});

test('waveform: MAX columns average groups of samples', () => {
  const img = waveformImage({ channels: [new Float32Array([-1, -1, 1, 1])] }, 2);
  assert.equal(img.width, 2);
  assert.deepEqual([img.data[0], img.data[4]], [0, 1]);
});

test('FFT: the peak bin matches the tone frequency', () => {
  const rate = 44100;
  const freq = 2000;
  const img = fftImage({ channels: [sine(freq, rate, 4096)] });
  assert.equal(img.width, FFT_BINS);
  let peak = 0;
  for (let x = 0; x < img.width; x++) if (img.data[x * 4]! > img.data[peak * 4]!) peak = x;
  const expected = Math.round((freq * FFT_BINS * 2) / rate);
  assert.ok(Math.abs(peak - expected) <= 1, `peak at bin ${peak}, expected ~${expected}`);
  assert.equal(img.data[peak * 4], 1, 'normalised to the largest bin');
});

test('WAV: 16-bit stereo PCM round trip, and bad files', () => {
  const frames = 3;
  const buf = Buffer.alloc(44 + frames * 4);
  buf.write('RIFF', 0);
  buf.writeUInt32LE(36 + frames * 4, 4);
  buf.write('WAVEfmt ', 8);
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(2, 22);
  buf.writeUInt32LE(8000, 24);
  buf.writeUInt32LE(32000, 28);
  buf.writeUInt16LE(4, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36);
  buf.writeUInt32LE(frames * 4, 40);
  const samples = [16384, -16384, 32767, 0, -32768, 8192];
  for (const [i, s] of samples.entries()) buf.writeInt16LE(s, 44 + i * 2);
  const wav = parseWav(buf);
  assert.equal(wav.sampleRate, 8000);
  assert.deepEqual(Array.from(wav.channels[0]!), [0.5, 32767 / 32768, -1]);
  assert.deepEqual(Array.from(wav.channels[1]!), [-0.5, 0, 0.25]);
  assert.throws(
    () => parseWav(Buffer.from('not a wav file at all')),
    (e: unknown) => e instanceof ISFError && e.code === 'AUDIO_DECODE',
  );
  assert.throws(
    () => waveformImage({ channels: [] }),
    (e: unknown) => e instanceof ISFError && e.code === 'AUDIO_DECODE',
  );
});

test('audio over time: the window ends at TIME, silence before and after the file', async () => {
  const { audioImageAt } = await import('../../src/core/audio.ts');
  const rate = 1000;
  const ramp = Float32Array.from({ length: 2000 }, (_, i) => (i < 1000 ? 0 : 0.5));
  const audio = { channels: [ramp, new Float32Array(2000).fill(-1)], sampleRate: rate };
  const at = (t: number) => audioImageAt('audio', audio, t, 4);
  const row = (img: { data: Float32Array }, r: number) =>
    Array.from({ length: 4 }, (_, x) => img.data[(r * 4 + x) * 4]);
  // Channel 0 is the last data row (GL row 0); x = 0 the oldest sample.
  assert.deepEqual(row(at(1.0), 1), [0.5, 0.5, 0.5, 0.5], 'before the tone starts');
  assert.deepEqual(row(at(1.002), 1), [0.5, 0.5, 0.75, 0.75], 'the last two samples are the tone');
  assert.deepEqual(row(at(1.002), 0), [0, 0, 0, 0], 'channel 1 is its own row');
  assert.deepEqual(row(at(-1), 1), [0.5, 0.5, 0.5, 0.5], 'silence before the file');
  assert.deepEqual(row(at(2.002), 1), [0.75, 0.75, 0.5, 0.5], 'silence after the file');
  const fftSilent = audioImageAt('audioFFT', { channels: [ramp], sampleRate: rate }, 0.5);
  assert.equal(fftSilent.width, FFT_BINS);
  assert.ok(
    fftSilent.data.every((v, i) => (i % 4 === 3 ? v === 1 : v === 0)),
    'silence: every bin 0',
  );
  const tone = { channels: [sine(250, rate, 2000)], sampleRate: rate };
  const fft = audioImageAt('audioFFT', tone, 1.5);
  let peak = 0;
  for (let x = 0; x < fft.width; x++) if (fft.data[x * 4]! > fft.data[peak * 4]!) peak = x;
  assert.equal(peak, 256, 'bin i = i * rate / 1024 Hz');
  assert.ok(fft.data[peak * 4]! > 0.95, 'a full-scale sine is ~0 dB, near 1');
});
