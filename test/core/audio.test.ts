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
