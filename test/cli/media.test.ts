/**
 * Offline media through the `isf` command (issue 15): audio-reactive renders synced to a sound file, the same
 * bytes on one thread, on worker threads and on the farm; audio muxed into the video; lengths from the inputs;
 * alpha, high bit depth, motion blur and pipes. Media are generated with ffmpeg, small and short.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import sharp from 'sharp';
import { dropQueue, isfAsync, startTestRedis, type TestRedis, TestWorker } from '../farm/farm-helpers.ts';
import { ISF_BIN, type IsfResult, needsTool, probeVideo, runIsf, skipOrFail } from '../helpers.ts';

const work = mkdtempSync(join(tmpdir(), 'isf-media-'));
const noFfmpeg = needsTool('ffmpeg');

const isf = (...args: string[]): IsfResult => runIsf(work, args);

function ffmpeg(...args: string[]): void {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], {
    cwd: work,
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
}

function write(name: string, text: string): string {
  const p = join(work, name);
  writeFileSync(p, text);
  return p;
}

async function rows(file: string): Promise<{ width: number; channels: number; data: Buffer }> {
  const { data, info } = await sharp(file).raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, channels: info.channels, data };
}

// Bottom row: the waveform (last 256 samples); top row: the 512 FFT bins, one pixel each at 512 wide.
const SYNC = write(
  'sync.fs',
  `/*{ "ISFVSN": "2", "INPUTS": [
  { "NAME": "wave", "TYPE": "audio", "MAX": 256 },
  { "NAME": "fft", "TYPE": "audioFFT" }
] }*/
void main() {
  vec2 p = isf_FragNormCoord;
  float v = p.y < 0.5 ? IMG_NORM_PIXEL(wave, vec2(p.x, 0.5)).r : IMG_NORM_PIXEL(fft, vec2(p.x, 0.5)).r;
  gl_FragColor = vec4(v, v, v, 1.0);
}
`,
);

const FILTER = write(
  'invert.fs',
  `/*{ "ISFVSN": "2", "INPUTS": [ { "NAME": "inputImage", "TYPE": "image" } ] }*/
void main() {
  vec4 c = IMG_THIS_NORM_PIXEL(inputImage);
  gl_FragColor = vec4(1.0 - c.rgb, 1.0);
}
`,
);

/** 1 s of silence, then 1 s of a 1 kHz tone (amplitude 0.5), mono 44.1 kHz 16-bit WAV. */
function silenceThenTone(): string {
  ffmpeg(
    '-f',
    'lavfi',
    '-i',
    'anullsrc=r=44100:cl=mono',
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=1000:sample_rate=44100',
    '-filter_complex',
    '[0]atrim=0:1[a];[1]atrim=0:1,volume=4[b];[a][b]concat=n=2:v=0:a=1',
    '-c:a',
    'pcm_s16le',
    'tone.wav',
  );
  return join(work, 'tone.wav');
}

const FRAMES = 60;
const names = Array.from({ length: FRAMES }, (_, k) => `f-${String(k).padStart(2, '0')}.png`);

function renderSync(dir: string, audio: string, ...extra: string[]): void {
  const r = isf(
    'render',
    SYNC,
    '-o',
    join(work, dir, 'f-%02d.png'),
    '--size',
    '512x2',
    '--frames',
    String(FRAMES),
    '--fps',
    '30',
    '--audio',
    `wave=${audio}`,
    '--audio',
    `fft=${audio}`,
    '-q',
    ...extra,
  );
  assert.equal(r.status, 0, r.stderr);
}

let wav: string | undefined;
function toneFile(): string {
  wav ??= silenceThenTone();
  return wav;
}

/** 1 kHz at 44.1 kHz in 512 bins of a 1024-sample block: bin round(1000 * 1024 / 44100) = 23. */
const TONE_BIN = 23;

test('audio synced to a sound file: silence for the first second, then the tone in bin 23 and an oscillating waveform', {
  skip: noFfmpeg,
}, async () => {
  renderSync('one', toneFile());
  const silent = readFileSync(join(work, 'one', names[0]!));
  for (let k = 0; k <= 30; k++) {
    // Frame 30 is rendered at TIME 1.0: its window ends where the tone starts.
    assert.ok(readFileSync(join(work, 'one', names[k]!)).equals(silent), `frame ${k} is the silent frame`);
  }
  const first = await rows(join(work, 'one', names[0]!));
  const stride = first.channels;
  assert.equal(first.data[TONE_BIN * stride], 0, 'silence: no FFT energy');
  for (let k = 34; k < FRAMES; k++) {
    const { data, width } = await rows(join(work, 'one', names[k]!));
    const fft = Array.from({ length: width }, (_, x) => data[x * stride]!);
    const peak = fft.indexOf(Math.max(...fft));
    assert.ok(Math.abs(peak - TONE_BIN) <= 1, `frame ${k}: FFT peak at bin ${peak}`);
    assert.ok(fft[TONE_BIN]! > 150, `frame ${k}: the 1 kHz bin is loud (${fft[TONE_BIN]})`);
    assert.ok(fft[200]! < fft[TONE_BIN]! / 2, `frame ${k}: far bins are quiet`);
    const wave = Array.from({ length: width }, (_, x) => data[(width + x) * stride]!);
    assert.ok(Math.max(...wave) > 160 && Math.min(...wave) < 96, `frame ${k}: the waveform oscillates`);
  }
});

test('audio sync: --workers 2 writes the same bytes as one thread', { skip: noFfmpeg }, () => {
  renderSync('two', toneFile(), '--workers', '2');
  const differ = names.filter(
    (n) => !readFileSync(join(work, 'two', n)).equals(readFileSync(join(work, 'one', n))),
  );
  assert.deepEqual(differ, []);
});

test('audio sync through mp3 and ogg: the same frames within a small tolerance', {
  skip: noFfmpeg,
}, async () => {
  const src = toneFile();
  ffmpeg('-i', src, '-c:a', 'libmp3lame', '-b:a', '192k', 'tone.mp3');
  ffmpeg('-i', src, '-c:a', 'libvorbis', '-q:a', '6', 'tone.ogg');
  for (const ext of ['mp3', 'ogg']) {
    renderSync(ext, join(work, `tone.${ext}`));
    for (const k of [0, 15, 40, 59]) {
      const a = await rows(join(work, ext, names[k]!));
      const b = await rows(join(work, 'one', names[k]!));
      let sum = 0;
      for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - b.data[i]!);
      const mean = sum / a.data.length;
      assert.ok(mean < 6, `${ext} frame ${k}: mean difference ${mean.toFixed(2)} from the WAV render`);
    }
  }
});

test('audio errors: a missing file exits 4 (IO_ERROR), an undecodable one exits 4 (AUDIO_DECODE)', {
  skip: noFfmpeg,
}, () => {
  const missing = isf(
    'render',
    SYNC,
    '-o',
    join(work, 'x.png'),
    '--audio',
    `fft=${join(work, 'none.mp3')}`,
    '--json',
  );
  assert.equal(missing.status, 4);
  assert.equal(JSON.parse(missing.stdout).error.code, 'IO_ERROR');
  assert.match(JSON.parse(missing.stdout).error.message, /none\.mp3/);
  const junk = write('junk.mp3', 'this is not audio at all');
  const bad = isf('render', SYNC, '-o', join(work, 'x.png'), '--audio', `fft=${junk}`, '--json');
  assert.equal(bad.status, 4);
  assert.equal(JSON.parse(bad.stdout).error.code, 'AUDIO_DECODE');
  assert.match(JSON.parse(bad.stdout).error.message, /junk\.mp3/);
  assert.deepEqual(
    readdirSync(work).filter((f) => f.startsWith('x')),
    [],
    'nothing written',
  );
});

let redis: TestRedis | undefined;
let worker: TestWorker | undefined;
const queue = `isf-media-${process.pid}-${Date.now().toString(36)}`;
after(async () => {
  await worker?.stop();
  if (redis) {
    await dropQueue(redis.url, queue);
    await redis.stop();
  }
});

test('audio sync on the farm: the same bytes as one thread', { skip: noFfmpeg }, async (t) => {
  const r = await startTestRedis();
  if (typeof r === 'string') return skipOrFail(t, r);
  redis = r;
  worker = new TestWorker(r.url, queue);
  await worker.waitFor(/ready/);
  const audio = toneFile();
  const done = await isfAsync(
    [
      'render',
      SYNC,
      '-o',
      join(work, 'farm', 'f-%02d.png'),
      '--size',
      '512x2',
      '--frames',
      String(FRAMES),
      '--audio',
      `wave=${audio}`,
      '--audio',
      `fft=${audio}`,
      '--chunk',
      '16',
      '-q',
      '--redis',
      r.url,
      '--queue',
      queue,
    ],
    { cwd: work },
  ).done;
  assert.equal(done.status, 0, done.stderr);
  renderSync('one', audio);
  const differ = names.filter(
    (n) => !readFileSync(join(work, 'farm', n)).equals(readFileSync(join(work, 'one', n))),
  );
  assert.deepEqual(differ, []);
});

/** ffprobe's entries for `file`, as key=value lines parsed into records (one per stream/format section). */
function probe(file: string, ...args: string[]): Record<string, string>[] {
  const r = spawnSync('ffprobe', ['-v', 'error', ...args, '-of', 'default=nw=0', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const sections: Record<string, string>[] = [];
  for (const line of r.stdout.split('\n')) {
    if (/^\[(STREAM|FORMAT)\]$/.test(line)) sections.push({});
    const m = /^([^=[]+)=(.*)$/.exec(line);
    if (m && sections.length > 0) sections[sections.length - 1]![m[1]!] = m[2]!;
  }
  return sections;
}

test('audio in the video: mp4 gets AAC as long as the video (within a frame), --no-audio-track none, webm Opus', {
  skip: noFfmpeg,
}, () => {
  const audio = toneFile();
  const mp4 = join(work, 'av.mp4');
  // No --frames: the length comes from the sound (2 s at 30 fps), from --time 0.5 on: 45 frames.
  const r = isf('render', SYNC, '-o', mp4, '--size', '32x16', '--audio', `fft=${audio}`, '--time', '0.5');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /45 frames at 30 fps: the duration of .*tone\.wav/);
  const streams = probe(
    mp4,
    '-count_frames',
    '-show_entries',
    'stream=codec_type,codec_name,duration,nb_read_frames',
  );
  const video = streams.find((s) => s.codec_type === 'video')!;
  const sound = streams.find((s) => s.codec_type === 'audio');
  assert.equal(video.nb_read_frames, '45');
  assert.equal(sound?.codec_name, 'aac');
  assert.ok(
    Math.abs(Number(sound.duration) - Number(video.duration)) <= 1 / 30,
    `audio ${sound.duration} s, video ${video.duration} s`,
  );
  const silent = join(work, 'silent.mp4');
  const none = isf(
    'render',
    SYNC,
    '-o',
    silent,
    '--size',
    '32x16',
    '--audio',
    `fft=${audio}`,
    '--frames',
    '10',
    '--no-audio-track',
  );
  assert.equal(none.status, 0, none.stderr);
  assert.deepEqual(
    probe(silent, '-show_entries', 'stream=codec_type').map((s) => s.codec_type),
    ['video'],
  );
  const webm = join(work, 'av.webm');
  const w = isf(
    'render',
    SYNC,
    '-o',
    webm,
    '--size',
    '32x16',
    '--frames',
    '15',
    '--audio-track',
    audio,
    '-q',
  );
  assert.equal(w.status, 0, w.stderr);
  const ws = probe(webm, '-show_entries', 'stream=codec_type,codec_name:format=duration');
  assert.equal(ws.find((s) => s.codec_type === 'audio')?.codec_name, 'opus');
  assert.ok(
    Math.abs(Number(ws.find((s) => s.duration)?.duration) - 0.5) <= 1 / 30 + 0.01,
    'webm lasts 0.5 s',
  );
  const missing = isf(
    'render',
    SYNC,
    '-o',
    join(work, 'm.mp4'),
    '--frames',
    '3',
    '--audio-track',
    join(work, 'nope.wav'),
  );
  assert.equal(missing.status, 4);
  assert.match(missing.stderr, /nope\.wav/);
  assert.ok(!readdirSync(work).includes('m.mp4'), 'nothing written');
});

test('length from the inputs: a filter over a 90-frame 25 fps clip writes 90 frames at 25 fps', {
  skip: noFfmpeg,
}, () => {
  ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=32x16:rate=25:duration=3.6', '-pix_fmt', 'yuv420p', 'clip90.mp4');
  const out = join(work, 'filtered.mp4');
  const r = isf(
    'render',
    FILTER,
    '-o',
    out,
    '--size',
    '32x16',
    '--image',
    `inputImage=${join(work, 'clip90.mp4')}`,
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /90 frames at 25 fps: the length of .*clip90\.mp4/);
  const [v] = probe(out, '-count_frames', '-show_entries', 'stream=nb_read_frames,r_frame_rate');
  assert.equal(v!.nb_read_frames, '90');
  assert.equal(v!.r_frame_rate, '25/1');
  // A single-image output stays one frame.
  const one = isf(
    'render',
    FILTER,
    '-o',
    join(work, 'one.png'),
    '--size',
    '32x16',
    '--image',
    `inputImage=${join(work, 'clip90.mp4')}`,
    '--json',
  );
  assert.equal(one.status, 0, one.stderr);
  assert.equal(JSON.parse(one.stdout).frames, 1);
  // A "video" without video frames (sound only) is a typed error, exit 4, and writes nothing.
  ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=440:duration=0.5', '-c:a', 'aac', 'soundonly.mp4');
  const bad = isf(
    'render',
    FILTER,
    '-o',
    join(work, 'bad.mp4'),
    '--size',
    '32x16',
    '--image',
    `inputImage=${join(work, 'soundonly.mp4')}`,
    '--json',
  );
  assert.equal(bad.status, 4);
  assert.equal(JSON.parse(bad.stdout).error.code, 'IMAGE_DECODE');
  assert.match(JSON.parse(bad.stdout).error.message, /soundonly\.mp4 has no video/);
  assert.ok(!readdirSync(work).includes('bad.mp4'));
});

test("a clip input is probed once per render (sequenceLength's answer reaches the render)", {
  skip: noFfmpeg,
}, () => {
  ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=32x16:rate=25:duration=0.4', '-pix_fmt', 'yuv420p', 'clip10.mp4');
  // An ffprobe on PATH that logs its arguments, then runs the real one.
  const real = spawnSync('sh', ['-c', 'command -v ffprobe'], { encoding: 'utf8' }).stdout.trim();
  const bin = join(work, 'probe-log-bin');
  const log = join(work, 'probe.log');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'ffprobe'), `#!/bin/sh\necho "$@" >> '${log}'\nexec '${real}' "$@"\n`);
  chmodSync(join(bin, 'ffprobe'), 0o755);
  const r = spawnSync(
    process.execPath,
    [
      ISF_BIN,
      'render',
      FILTER,
      '-o',
      'probed.mp4',
      '--size',
      '32x16',
      '--image',
      'inputImage=clip10.mp4',
      '-q',
    ],
    {
      cwd: work,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${bin}:${process.env.PATH}` },
      timeout: 120_000,
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const calls = readFileSync(log, 'utf8').trim().split('\n');
  assert.equal(calls.filter((c) => c.endsWith('clip10.mp4')).length, 1, calls.join('\n'));
  // The written video is still verified (its temporary file is counted before the rename).
  assert.equal(calls.filter((c) => /probed\.mp4\..*\.tmp$/.test(c)).length, 1, calls.join('\n'));
  const [v] = probe(join(work, 'probed.mp4'), '-count_frames', '-show_entries', 'stream=nb_read_frames');
  assert.equal(v!.nb_read_frames, '10');
});

// Alpha = x across the picture, colour constant in y: every decoded row has alpha from ~0 to ~255.
const ALPHA = write(
  'alpha.fs',
  `/*{ "ISFVSN": "2", "INPUTS": [] }*/
void main() {
  vec2 p = isf_FragNormCoord;
  gl_FragColor = vec4(p.x, 0.5, 1.0 - p.x, p.x);
}
`,
);

/** Alpha values of the first decoded frame (libvpx decodes VP9's alpha; the native decoder drops it). */
function decodedAlpha(file: string, decoder: string[] = []): number[] {
  const r = spawnSync('ffmpeg', [
    '-v',
    'error',
    ...decoder,
    '-i',
    file,
    '-frames:v',
    '1',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgba',
    '-',
  ]);
  assert.equal(r.status, 0, r.stderr?.toString());
  return Array.from(r.stdout as Buffer).filter((_, i) => i % 4 === 3);
}

test('alpha: webm (VP9 yuva420p) and mov (ProRes 4444) keep a varying alpha; mp4 says once it cannot', {
  skip: noFfmpeg,
}, () => {
  const webm = join(work, 'alpha.webm');
  assert.equal(isf('render', ALPHA, '-o', webm, '--size', '32x16', '--frames', '3', '-q').status, 0);
  const [w] = probe(webm, '-show_entries', 'stream=codec_name:stream_tags=alpha_mode');
  assert.equal(w!.codec_name, 'vp9');
  assert.equal(w!['TAG:alpha_mode'], '1', 'ffprobe: the VP9 stream carries alpha');
  const wa = decodedAlpha(webm, ['-c:v', 'libvpx-vp9']);
  assert.ok(
    Math.min(...wa) < 40 && Math.max(...wa) > 215,
    `webm alpha ${Math.min(...wa)}..${Math.max(...wa)}`,
  );
  const mov = join(work, 'alpha.mov');
  assert.equal(isf('render', ALPHA, '-o', mov, '--size', '32x16', '--frames', '3', '-q').status, 0);
  const [m] = probe(mov, '-show_entries', 'stream=codec_name,pix_fmt');
  assert.match(m!.pix_fmt!, /^yuva444/);
  const ma = decodedAlpha(mov);
  assert.ok(
    Math.min(...ma) < 40 && Math.max(...ma) > 215,
    `mov alpha ${Math.min(...ma)}..${Math.max(...ma)}`,
  );
  // --no-alpha: opaque ProRes 422; an mp4 drops alpha and says so once.
  const opaque = join(work, 'opaque.mov');
  assert.equal(
    isf('render', ALPHA, '-o', opaque, '--size', '32x16', '--frames', '3', '--no-alpha', '-q').status,
    0,
  );
  assert.doesNotMatch(probe(opaque, '-show_entries', 'stream=pix_fmt')[0]!.pix_fmt!, /yuva/);
  const mp4 = isf('render', ALPHA, '-o', join(work, 'alpha.mp4'), '--size', '32x16', '--frames', '3');
  assert.equal(mp4.status, 0, mp4.stderr);
  assert.equal(mp4.stderr.match(/cannot keep the alpha channel/g)?.length, 1, mp4.stderr);
});

test('--depth 16 video: RGBA16 into ProRes 4444 XQ (.mov), FFV1 16-bit (.mkv), H.265 Main 10 (.mp4)', {
  skip: noFfmpeg,
}, () => {
  const expect: Record<string, RegExp> = { mov: /^yuva?444p1[02]le$/, mkv: /16le$/, mp4: /^yuv420p10le$/ };
  for (const [ext, pixFmt] of Object.entries(expect)) {
    const out = join(work, `deep.${ext}`);
    const r = isf('render', SYNC, '-o', out, '--size', '32x16', '--frames', '2', '--depth', '16', '-q');
    assert.equal(r.status, 0, r.stderr);
    const [s] = probe(out, '-show_entries', 'stream=pix_fmt');
    assert.match(s!.pix_fmt!, pixFmt, `${ext}: ${s!.pix_fmt}`);
  }
});

// A vertical bar 8 px wide moving 16 px per frame: blurred edges get in-between values.
const BAR = write(
  'bar.fs',
  `/*{ "ISFVSN": "2", "INPUTS": [] }*/
void main() {
  float x = gl_FragCoord.x - TIME * 30.0 * 16.0;
  float v = (x >= 8.0 && x < 16.0) ? 1.0 : 0.0;
  gl_FragColor = vec4(v, v, v, 1.0);
}
`,
);

async function barValues(...extra: string[]): Promise<Buffer> {
  const out = join(work, `bar-${extra.join('_')}.png`);
  const r = isf('render', BAR, '-o', out, '--size', '64x1', '--time', String(1 / 30), '-q', ...extra);
  assert.equal(r.status, 0, r.stderr);
  return readFileSync(out);
}

test('motion blur: intermediate edge values, more distinct values with N, N=1 equals a plain render', async () => {
  const plain = await barValues();
  assert.ok((await barValues('--motion-blur', '1')).equals(plain), 'N=1 is byte-identical');
  const distinct = async (n: string) => {
    const { data, info } = await sharp(await barValues('--motion-blur', n))
      .raw()
      .toBuffer({ resolveWithObject: true });
    return new Set(Array.from(data).filter((_, i) => i % info.channels === 0));
  };
  const two = await distinct('2');
  const eight = await distinct('8');
  assert.ok(
    [...eight].some((v) => v > 0 && v < 255),
    `in-between values: ${[...eight]}`,
  );
  assert.ok(eight.size > two.size, `${eight.size} distinct values at N=8, ${two.size} at N=2`);
});

async function grey(file: string): Promise<number[]> {
  const { data, channels } = await rows(file);
  return Array.from(data).filter((_, i) => i % channels === 0);
}

test('motion blur over a sequence: frame i is the mean of the plain frames at its sub-frame TIMEs, in order', async () => {
  // At 30 fps with --motion-blur 2 --shutter 1, frame i's sub-frames are at i/30 and i/30 + 1/60: frames 2i and
  // 2i + 1 of a plain 60 fps render. Every blurred frame went through the pipelined readback (N per frame).
  const blurred = isf(
    'render',
    BAR,
    '-o',
    join(work, 'mb-%d.png'),
    '--size',
    '64x1',
    '--frames',
    '3',
    '--motion-blur',
    '2',
    '--shutter',
    '1',
    '-q',
  );
  assert.equal(blurred.status, 0, blurred.stderr);
  const plain = isf(
    'render',
    BAR,
    '-o',
    join(work, 'plain60-%d.png'),
    '--size',
    '64x1',
    '--frames',
    '6',
    '--fps',
    '60',
    '-q',
  );
  assert.equal(plain.status, 0, plain.stderr);
  for (let i = 0; i < 3; i++) {
    const a = await grey(join(work, `plain60-${2 * i}.png`));
    const b = await grey(join(work, `plain60-${2 * i + 1}.png`));
    const expected = a.map((v, x) => Math.round((v + b[x]!) / 2));
    assert.deepEqual(await grey(join(work, `mb-${i}.png`)), expected, `frame ${i}`);
    assert.ok(expected.includes(128), `frame ${i} has half-covered pixels`);
  }
});

test('motion blur refuses a shader with persistent buffers (exit 2, BAD_ARGUMENT) and bad counts', () => {
  const feedback = write(
    'feedback.fs',
    `/*{ "ISFVSN": "2", "PASSES": [ { "TARGET": "acc", "PERSISTENT": true }, {} ] }*/
void main() { gl_FragColor = PASSINDEX == 0 ? IMG_THIS_PIXEL(acc) + vec4(0.1) : IMG_THIS_PIXEL(acc); }
`,
  );
  const r = isf(
    'render',
    feedback,
    '-o',
    join(work, 'fb.png'),
    '--size',
    '8x8',
    '--motion-blur',
    '4',
    '--json',
  );
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stdout + r.stderr, /BAD_ARGUMENT/);
  assert.match(r.stdout + r.stderr, /persistent buffers/);
  const bad = isf('render', BAR, '-o', join(work, 'x.png'), '--size', '8x1', '--motion-blur', '0');
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /--motion-blur/);
});

// --- pipes: -o - --format rgba|y4m|png|mjpeg ----------------------------------------------------------------

// A smooth gradient that changes with TIME: chroma subsampling barely moves it, and every frame differs.
const GRADIENT = write(
  'gradient.fs',
  `/*{ "ISFVSN": "2", "INPUTS": [] }*/
void main() {
  vec2 p = isf_FragNormCoord;
  gl_FragColor = vec4(p.x, p.y, fract(0.2 + TIME), 1.0);
}
`,
);

/** `isf render GRADIENT ...args` with its stdout captured as bytes (the test is the program reading the pipe). */
function isfBytes(...args: string[]): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [ISF_BIN, 'render', GRADIENT, ...args], {
    cwd: work,
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

/** Runs a shell pipeline in `work` (pipefail: any failing stage fails it). */
function pipeline(command: string): void {
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', command], {
    cwd: work,
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
}

function frameCount(file: string): number {
  const r = probeVideo(file);
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const isfCommand = (...args: string[]) =>
  [process.execPath, ISF_BIN, 'render', GRADIENT, ...args].map(quote).join(' ');

test('-o - --format rgba: exactly W*H*4*N bytes, the first frame equal to a PNG render, the layout on stderr', async () => {
  const r = isfBytes('-o', '-', '--format', 'rgba', '--size', '20x12', '--frames', '3');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.length, 20 * 12 * 4 * 3);
  assert.match(
    r.stderr,
    /3 frame\(s\) 20x12 at 30 fps to stdout as rgba: raw RGBA8, 960 bytes a frame, 2880 bytes in all/,
  );
  const png = join(work, 'gradient0.png');
  const p = isf('render', GRADIENT, '-o', png, '--size', '20x12', '-q');
  assert.equal(p.status, 0, p.stderr);
  const { data } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  assert.ok(r.stdout.subarray(0, 960).equals(data), 'frame 0 is the PNG render byte for byte');
  assert.ok(!r.stdout.subarray(960, 1920).equals(data), 'frame 1 is a later TIME');
});

test('-o - --format y4m piped into ffmpeg -i -: a video of 10 frames; frame 0 is what ffmpeg makes of the PNG render', {
  skip: noFfmpeg,
}, async () => {
  pipeline(
    `${isfCommand('-o', '-', '--format', 'y4m', '--size', '32x24', '--frames', '10', '-q')} | tee stream.y4m | ffmpeg -hide_banner -loglevel error -y -i - -c:v ffv1 y4m.mkv`,
  );
  assert.equal(frameCount(join(work, 'y4m.mkv')), 10);
  // The reference: ffmpeg's own RGB -> yuv420p (BT.601, limited range) of the same frame rendered as a PNG.
  assert.equal(isf('render', GRADIENT, '-o', 'gradient-32.png', '--size', '32x24', '-q').status, 0);
  ffmpeg('-i', 'gradient-32.png', '-pix_fmt', 'yuv420p', '-f', 'yuv4mpegpipe', 'reference.y4m');
  const planes = (file: string) => {
    const bytes = readFileSync(join(work, file));
    const at = bytes.indexOf('FRAME\n') + 6;
    return bytes.subarray(at, at + 32 * 24 * 1.5);
  };
  const ours = planes('stream.y4m');
  const reference = planes('reference.y4m');
  assert.match(
    readFileSync(join(work, 'stream.y4m')).subarray(0, 60).toString(),
    /^YUV4MPEG2 W32 H24 F30:1 Ip A1:1 C420jpeg/,
  );
  for (let i = 0; i < reference.length; i++) {
    assert.ok(
      Math.abs(ours[i]! - reference[i]!) <= 1,
      `byte ${i} of the planes: ${ours[i]} vs ffmpeg's ${reference[i]}`,
    );
  }
});

/** Splits concatenated PNGs at each IEND chunk (length 0, "IEND", CRC). */
function splitPngs(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = bytes.indexOf('IEND'); i >= 0; i = bytes.indexOf('IEND', i + 4)) {
    out.push(bytes.subarray(start, i + 8));
    start = i + 8;
  }
  assert.equal(start, bytes.length, 'nothing after the last PNG');
  return out;
}

test('-o - --format png: N decodable PNGs, each equal to the raw frame; mjpeg: N JPEGs ffmpeg reads', async (t) => {
  const r = isfBytes('-o', '-', '--format', 'png', '--size', '20x12', '--frames', '4', '-q');
  assert.equal(r.status, 0, r.stderr);
  const pngs = splitPngs(r.stdout);
  assert.equal(pngs.length, 4);
  const raw = isfBytes('-o', '-', '--format', 'rgba', '--size', '20x12', '--frames', '4', '-q');
  for (let k = 0; k < 4; k++) {
    const { data, info } = await sharp(pngs[k]!).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
    assert.equal(info.width, 20);
    assert.ok(data.equals(raw.stdout.subarray(k * 960, (k + 1) * 960)), `PNG ${k} equals raw frame ${k}`);
  }
  if (noFfmpeg) return skipOrFail(t, noFfmpeg);
  pipeline(
    `${isfCommand('-o', '-', '--format', 'mjpeg', '--size', '32x24', '--frames', '5', '-q')} | ffmpeg -hide_banner -loglevel error -y -f mjpeg -i - -c:v ffv1 mjpeg.mkv`,
  );
  assert.equal(frameCount(join(work, 'mjpeg.mkv')), 5);
});

test('-o - without --format names the formats (exit 2); --format with a file output is refused', () => {
  const r = isf('render', GRADIENT, '-o', '-', '--size', '8x8');
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /--format rgba\|y4m\|png\|mjpeg/);
  const f = isf('render', GRADIENT, '-o', join(work, 'x.png'), '--format', 'rgba', '--size', '8x8');
  assert.equal(f.status, 2, f.stderr);
  assert.match(f.stderr, /applies to -o -/);
  const d = isf('render', GRADIENT, '-o', '-', '--format', 'y4m', '--depth', '16', '--size', '8x8');
  assert.equal(d.status, 2, d.stderr);
  assert.match(d.stderr, /8-bit/);
});
