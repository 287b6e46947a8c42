/**
 * The one ffprobe runner (src/node/ffprobe.ts): its answers, its time limit and its typed errors, with fake
 * ffprobe programs on PATH for the failures a real one rarely shows (a hang, none installed).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { probeAudio } from '../../src/node/audio.ts';
import { probeVideo } from '../../src/node/ffmpeg.ts';
import { ffprobe } from '../../src/node/ffprobe.ts';
import { assertISFError, needs, needsTool } from '../helpers.ts';

const work = mkdtempSync(join(tmpdir(), 'isf-ffprobe-'));
after(() => rmSync(work, { recursive: true, force: true }));
const noFfmpeg = needsTool('ffmpeg');

/** Runs `body` with PATH = `dir` only (node's own spawns here need nothing else). */
function withPath<T>(dir: string, body: () => T): T {
  const saved = process.env.PATH;
  process.env.PATH = dir;
  try {
    return body();
  } finally {
    process.env.PATH = saved;
  }
}

test(
  'a clip: size, rate and counted frames in one probe; without counting no frame count',
  needs(noFfmpeg),
  () => {
    const clip = join(work, 'clip.mp4');
    const r = spawnSync('ffmpeg', [
      '-v',
      'error',
      '-f',
      'lavfi',
      '-i',
      'testsrc=size=32x16:rate=25:duration=0.4',
      '-pix_fmt',
      'yuv420p',
      clip,
    ]);
    assert.equal(r.status, 0, r.stderr?.toString());
    assert.deepEqual(probeVideo(clip), { width: 32, height: 16, frames: 10, fps: 25 });
    assert.deepEqual(probeVideo(clip, { countFrames: false }), {
      width: 32,
      height: 16,
      frames: undefined,
      fps: 25,
    });
    // A video has no audio stream: AUDIO_DECODE, naming the file.
    assert.throws(
      () => probeAudio(clip),
      (e) => assertISFError(e, 'AUDIO_DECODE', /clip\.mp4 has no audio stream/),
    );
  },
);

test(
  'a file ffprobe cannot read: the caller’s code and the first line of its complaint',
  needs(noFfmpeg),
  () => {
    const junk = join(work, 'junk.mp4');
    writeFileSync(junk, 'not a video at all');
    assert.throws(
      () => probeVideo(junk),
      (e) => assertISFError(e, 'IMAGE_DECODE', /^Cannot read video .*junk\.mp4: .+/),
    );
    assert.throws(
      () => probeAudio(junk),
      (e) => assertISFError(e, 'AUDIO_DECODE', /^Cannot decode audio file .*junk\.mp4: .+/),
    );
  },
);

test('an ffprobe that hangs is killed at the time limit: a typed error saying so', () => {
  const bin = join(work, 'hang-bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'ffprobe'), '#!/bin/sh\nexec sleep 30\n');
  chmodSync(join(bin, 'ffprobe'), 0o755);
  // /bin for `sleep` (the script's exec); no ffmpeg there matters here.
  const request = {
    stream: 'v:0',
    entries: 'stream=width',
    code: 'IMAGE_DECODE',
    what: 'read video',
  } as const;
  // Only a kill at the limit gives this message (the fake would exit 0 after 30 s with no answer).
  assert.throws(
    () =>
      withPath(`${bin}:/bin:/usr/bin`, () => ffprobe(join(work, 'any.mp4'), { ...request, timeoutMs: 300 })),
    (e) => assertISFError(e, 'IMAGE_DECODE', /any\.mp4: ffprobe did not finish within 300 ms/),
  );
});

test('no ffprobe on PATH: FFMPEG_MISSING naming the Debian package', () => {
  const empty = join(work, 'empty-bin');
  mkdirSync(empty);
  assert.throws(
    () =>
      withPath(empty, () =>
        ffprobe('x.mp4', { entries: 'format=duration', code: 'IMAGE_DECODE', what: 'read video' }),
      ),
    (e) => assertISFError(e, 'FFMPEG_MISSING', /ffprobe is not installed.*apt-get install ffmpeg/),
  );
});
