/** Audio files for audio/audioFFT inputs in Node: WAV (PCM or float) read from disk. */
import { readFile } from 'node:fs/promises';
import { type AudioSamples, parseWav } from '../core/audio.ts';
import { ISFError } from '../core/errors.ts';

/** Reads a WAV file into per-channel samples for `scene.setAudio(name, samples)`. */
export async function loadWav(path: string): Promise<AudioSamples> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new ISFError('AUDIO_DECODE', `Cannot read audio file ${path}: ${(e as Error).message}`, {
      file: path,
      cause: e,
    });
  }
  return parseWav(bytes, path);
}
