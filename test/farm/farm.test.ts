/**
 * The render farm end to end: a real Redis on loopback, `isf worker` processes, `isf render|validate --redis`.
 * The farm's output must equal a single-process render byte for byte, survive a worker killed mid-job, and
 * report a broken shader's error after its retries.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { skipOrFail } from '../helpers.ts';
import { DRIVER_CRASH, ENDLESS } from '../untrusted/fixtures.ts';
import {
  BIN,
  dropQueue,
  isfAsync,
  sleep,
  startOwnRedis,
  startTestRedis,
  type TestRedis,
  TestWorker,
} from './farm-helpers.ts';

const work = mkdtempSync(join(tmpdir(), 'isf-farm-'));
const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
const FRAMES = 120;
const SIZE = '64x36';

// Time-dependent everywhere: TIME, FRAMEINDEX and TIMEDELTA (0 on frame 0, 1/fps after) all show in the pixels.
const GENERATOR = write(
  'generator.fs',
  `/*{ "ISFVSN": "2", "INPUTS": [ { "NAME": "speed", "TYPE": "float", "DEFAULT": 1.0 } ] }*/
void main() {
  vec2 uv = isf_FragNormCoord;
  float t = TIME * speed;
  gl_FragColor = vec4(fract(uv.x + t), 0.5 + 0.5 * sin(uv.y * 9.0 + t * 3.0), float(FRAMEINDEX) / 255.0,
    0.5 + TIMEDELTA * 10.0);
}
`,
);

// Each frame blends into the last one: only an in-order render gives these pixels.
const FEEDBACK = write(
  'feedback.fs',
  `/*{ "ISFVSN": "2", "PASSES": [ { "TARGET": "acc", "PERSISTENT": true }, {} ] }*/
void main() {
  vec4 last = IMG_THIS_PIXEL(acc);
  if (PASSINDEX == 0) gl_FragColor = mix(last, vec4(fract(TIME * 3.0), isf_FragNormCoord, 1.0), 0.3);
  else gl_FragColor = last;
}
`,
);

const BROKEN = write(
  'broken.fs',
  `/*{ "ISFVSN": "2", "INPUTS": [] }*/
void main() {
  vec4 c = vec4(1.0);
  gl_FragColor = c + undefinedThing;
}
`,
);

const ENDLESS_FS = write('endless.fs', ENDLESS);
const CRASH_FS = write('driver-crash.fs', DRIVER_CRASH);

function write(name: string, text: string): string {
  const p = join(work, name);
  writeFileSync(p, text);
  return p;
}

let redis: TestRedis | undefined;
let skip: string | false = false;
const queue = `isf-test-${process.pid}-${Date.now().toString(36)}`;
let fleet: TestWorker[] = [];

before(async () => {
  const r = await startTestRedis();
  if (typeof r === 'string') {
    skip = `no Redis: ${r}`;
    process.stderr.write(`# farm tests skipped: ${skip}\n`);
    return;
  }
  redis = r;
  fleet = [0, 1, 2].map(() => new TestWorker(r.url, queue));
  await Promise.all(fleet.map((w) => w.waitFor(/ready/, 180_000)));
});

after(async () => {
  await Promise.all(fleet.map((w) => w.stop()));
  if (redis) {
    await dropQueue(redis.url, queue);
    await dropQueue(redis.url, `${queue}-kill`);
    await redis.stop();
  }
});

function local(args: string[]): void {
  const r = spawnSync(process.execPath, [BIN, ...args, '-q'], {
    cwd: work,
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(r.status, 0, r.stderr);
}

async function farm(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return await isfAsync([...args, '--redis', redis!.url, '--queue', queue], { cwd: work, env }).done;
}

function frameNames(n: number): string[] {
  return Array.from({ length: n }, (_, k) => `f-${String(k).padStart(4, '0')}.png`);
}

function assertSameFrames(dir: string, reference: string, n: number): void {
  // Exactly the frames, once each: no missing file, no stray temporary from a killed worker.
  assert.deepEqual(readdirSync(dir).sort(), frameNames(n));
  const differ = frameNames(n).filter(
    (f) => !readFileSync(join(dir, f)).equals(readFileSync(join(reference, f))),
  );
  assert.deepEqual(differ, [], `frames differ from the single-process render: ${differ.join(', ')}`);
}

let referenceDone = false;
function reference(): string {
  const dir = join(work, 'local');
  if (!referenceDone) {
    local([
      'render',
      GENERATOR,
      '-o',
      join(dir, 'f-%04d.png'),
      '--size',
      SIZE,
      '--frames',
      String(FRAMES),
      '--fps',
      '30',
    ]);
    referenceDone = true;
  }
  return dir;
}

test('3 workers render 120 frames equal to the single-process render, byte for byte', async (t) => {
  if (skip) return skipOrFail(t, skip);
  const out = join(work, 'farm');
  const r = await farm([
    'render',
    GENERATOR,
    '-o',
    join(out, 'f-%04d.png'),
    '--size',
    SIZE,
    '--frames',
    String(FRAMES),
    '--fps',
    '30',
    '--json',
  ]);
  assert.equal(r.status, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.ok, true);
  assert.equal(summary.frames, FRAMES);
  assert.equal(summary.jobs, 12);
  assertSameFrames(out, reference(), FRAMES);
  // The jobs really were spread: more than one worker rendered some.
  const busy = fleet.filter((w) => w.lines.some((l) => / started \(frames/.test(l)));
  assert.ok(busy.length >= 2, `only ${busy.length} worker(s) took jobs`);
});

test('a worker killed mid-job: its job is taken up again, no frame missing or duplicated', async (t) => {
  if (skip) return skipOrFail(t, skip);
  const killQueue = `${queue}-kill`;
  // Short locks so the killed worker's job is found stalled within seconds; slow writes so a job lasts ~1 s.
  const env = {
    ISF_FARM_LOCK_MS: '2000',
    ISF_FARM_STALLED_INTERVAL_MS: '1000',
    ISF_FARM_WRITE_DELAY_MS: '250',
  };
  const workers = [0, 1, 2].map(() => new TestWorker(redis!.url, killQueue, env));
  try {
    await Promise.all(workers.map((w) => w.waitFor(/ready/, 180_000)));
    const out = join(work, 'killed');
    const render = isfAsync(
      [
        'render',
        GENERATOR,
        '-o',
        join(out, 'f-%04d.png'),
        '--size',
        SIZE,
        '--frames',
        String(FRAMES),
        '--redis',
        redis!.url,
        '--queue',
        killQueue,
        '--json',
      ],
      { cwd: work },
    );
    // The first job one of them starts: kill its worker once part of its frames exist.
    const starts = workers.map((w) => w.waitFor(/ started \(frames \d+-\d+\)/).then((line) => ({ w, line })));
    for (const s of starts) s.catch(() => {}); // the race's losers may time out later: not an error
    const started = await Promise.race(starts);
    const [, id, first, last] = / (\S+) started \(frames (\d+)-(\d+)\)/.exec(started.line)!;
    const names = frameNames(FRAMES).slice(Number(first), Number(last) + 1);
    for (let i = 0; i < 200 && !names.some((n) => existsSync(join(out, n))); i++) await sleep(20);
    assert.ok(
      !started.w.lines.some((l) => l.includes(`${id} done`)),
      'the job finished before the kill: slow the writes down',
    );
    started.w.proc.kill('SIGKILL');
    const r = await render.done;
    assert.equal(r.status, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.ok(summary.stalled >= 1, `the killed job was not reported stalled: ${r.stdout}`);
    assert.equal(summary.frames, FRAMES);
    assertSameFrames(out, reference(), FRAMES);
    // Another worker rendered the killed worker's job again.
    const redone = workers
      .filter((w) => w !== started.w)
      .some((w) => w.lines.some((l) => l.includes(`${id} done`)));
    assert.ok(redone, `no surviving worker completed job ${id}`);
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
});

test('a broken shader ends as a reported failure after its retries: exit 3 with the GLSL error', async (t) => {
  if (skip) return skipOrFail(t, skip);
  const r = await farm(
    ['render', BROKEN, '-o', join(work, 'broken', 'f-%04d.png'), '--size', '16x16', '--frames', '30'],
    { ISF_FARM_ATTEMPTS: '3', ISF_FARM_BACKOFF_MS: '100' },
  );
  assert.equal(r.status, 3, r.stderr);
  assert.match(r.stderr, /failed after 3 attempt\(s\)/);
  assert.match(r.stderr, /broken\.fs:4: .*undefinedThing/);
  assert.equal(existsSync(join(work, 'broken')), false);
  // Every attempt ran on a worker and failed there (three attempts of the first job at least).
  const failures = fleet
    .flatMap((w) => w.lines)
    .filter((l) => /failed \(attempt \d\).*undefinedThing/.test(l));
  assert.ok(failures.length >= 3, `workers logged ${failures.length} failed attempt(s)`);
});

test('persistent buffers: rendered as one sequential job, equal to the single-process render', async (t) => {
  if (skip) return skipOrFail(t, skip);
  const ref = join(work, 'feedback-local');
  local(['render', FEEDBACK, '-o', join(ref, 'f-%04d.png'), '--size', '32x18', '--frames', '25']);
  const out = join(work, 'feedback-farm');
  const r = await farm([
    'render',
    FEEDBACK,
    '-o',
    join(out, 'f-%04d.png'),
    '--size',
    '32x18',
    '--frames',
    '25',
    '--json',
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).jobs, 1);
  assertSameFrames(out, ref, 25);
});

test('one output file: the last frame, equal to the single-process render', async (t) => {
  if (skip) return skipOrFail(t, skip);
  local([
    'render',
    GENERATOR,
    '-o',
    join(work, 'last-local.png'),
    '--size',
    SIZE,
    '--frames',
    '40',
    '--set',
    'speed=2',
  ]);
  const r = await farm([
    'render',
    GENERATOR,
    '-o',
    'last-farm.png',
    '--size',
    SIZE,
    '--frames',
    '40',
    '--set',
    'speed=2',
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(readFileSync(join(work, 'last-farm.png')).equals(readFileSync(join(work, 'last-local.png'))));
});

test('video output: frames from the farm, encoded in order, same file as a single-process render', async (t) => {
  if (skip) return skipOrFail(t, skip);
  if (!hasFfmpeg) return skipOrFail(t, 'ffmpeg is not installed');
  local(['render', GENERATOR, '-o', join(work, 'local.mp4'), '--size', SIZE, '--frames', '45']);
  const r = await farm(['render', GENERATOR, '-o', 'farm.mp4', '--size', SIZE, '--frames', '45']);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(readFileSync(join(work, 'farm.mp4')).equals(readFileSync(join(work, 'local.mp4'))));
  assert.deepEqual(
    readdirSync(work).filter((f) => f.startsWith('.isf-farm-')),
    [],
    'the temporary frame folder is left behind',
  );
});

// Float output with fine gradients: a 16-bit video of it differs from an 8-bit one in almost every value.
const DEEP = write(
  'deep.fs',
  `/*{ "ISFVSN": "2", "PASSES": [ { "FLOAT": true } ] }*/
void main() {
  vec2 uv = isf_FragNormCoord;
  gl_FragColor = vec4(uv.x, fract(uv.y * 0.9 + TIME * 0.37), 0.25 + 0.5 * uv.x * uv.y, 1.0);
}
`,
);

/** Every frame of a video decoded by ffmpeg to RGBA16 (rgba64le). */
function decode16(file: string): Buffer {
  const r = spawnSync(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgba64le', 'pipe:1'],
    { maxBuffer: 1 << 26 },
  );
  assert.equal(r.status, 0, r.stderr?.toString());
  return r.stdout;
}

test('--depth 16 video on the farm: 16-bit PNG frames into ProRes 4444 XQ (the same file) and FFV1 (the same pixels)', async (t) => {
  if (skip) return skipOrFail(t, skip);
  if (!hasFfmpeg) return skipOrFail(t, 'ffmpeg is not installed');
  const args = (out: string) => [
    'render',
    DEEP,
    '-o',
    out,
    '--size',
    '48x24',
    '--frames',
    '9',
    '--depth',
    '16',
  ];
  for (const ext of ['mov', 'mkv']) {
    local(args(join(work, `deep-local.${ext}`)));
    const r = await farm([...args(`deep-farm.${ext}`), '--chunk', '3']);
    assert.equal(r.status, 0, r.stderr);
  }
  // ProRes is deterministic and the .mov muxer writes no time or random id: byte for byte the local file.
  assert.ok(
    readFileSync(join(work, 'deep-farm.mov')).equals(readFileSync(join(work, 'deep-local.mov'))),
    'the farm .mov differs from the local one',
  );
  const probe = spawnSync(
    'ffprobe',
    ['-v', 'error', '-show_entries', 'stream=pix_fmt,profile', '-of', 'csv=p=0', join(work, 'deep-farm.mov')],
    { encoding: 'utf8' },
  );
  assert.match(probe.stdout, /^XQ,yuva?444p1[02]le$/m, probe.stdout);
  // Matroska writes random segment and track ids into every file (two local encodes differ too): the decoded
  // frames are what must match, and they keep more than 8 bits.
  const farmPixels = decode16(join(work, 'deep-farm.mkv'));
  assert.ok(
    farmPixels.equals(decode16(join(work, 'deep-local.mkv'))),
    'the farm .mkv decodes to other pixels',
  );
  const values = new Uint16Array(farmPixels.buffer, farmPixels.byteOffset, farmPixels.length / 2);
  assert.equal(values.length, 48 * 24 * 4 * 9);
  assert.ok(
    values.some((v) => v % 257 !== 0),
    'some decoded values are not 8-bit values scaled (the video kept 16 bits)',
  );
  assert.deepEqual(
    readdirSync(work).filter((f) => f.startsWith('.isf-farm-')),
    [],
    'the temporary frame folder is left behind',
  );
});

const KEYED = write(
  'keyed.fs',
  `/*{ "ISFVSN": "2", "INPUTS": [ { "NAME": "amount", "TYPE": "float", "DEFAULT": 0 } ] }*/
void main() { gl_FragColor = vec4(amount, isf_FragNormCoord.x * amount, 1.0 - amount, 1.0); }
`,
);

test('--animate on the farm: frames byte-identical to a local render', async (t) => {
  if (skip) return skipOrFail(t, skip);
  const args = (out: string) => [
    'render',
    KEYED,
    '-o',
    join(out, 'f-%04d.png'),
    '--size',
    '16x8',
    '--frames',
    '12',
    '--fps',
    '4',
    '--animate',
    'amount=0@0 1@2',
  ];
  const ref = join(work, 'keyed-local');
  local(args(ref));
  const out = join(work, 'keyed-farm');
  const r = await farm([...args(out), '--chunk', '3', '--json']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).jobs, 4);
  assertSameFrames(out, ref, 12);
  // The value moved: frame 0 (amount 0), 4 (0.5) and 8 (1, held after the last key) all differ.
  const [f0, f4, f8, f11] = [0, 4, 8, 11].map((k) => readFileSync(join(out, frameNames(12)[k]!)));
  assert.ok(!f0!.equals(f4!) && !f4!.equals(f8!));
  assert.ok(f8!.equals(f11!), 'held at the last key');
});

test('validate --redis: the same reports as validating locally, exit 3 for the broken shader', async (t) => {
  if (skip) return skipOrFail(t, skip);
  const files = ['generator.fs', BROKEN, 'feedback.fs']; // relative names come back as given
  const here = spawnSync(process.execPath, [BIN, 'validate', '--json', '--compile', ...files], {
    cwd: work,
    encoding: 'utf8',
  });
  const r = await farm(['validate', '--json', '--compile', ...files]);
  assert.equal(r.status, 3, r.stderr);
  assert.equal(here.status, 3);
  assert.deepEqual(JSON.parse(r.stdout), JSON.parse(here.stdout));
});

test('unknown inputs fail before anything is queued; an unreachable Redis exits 4', async (t) => {
  if (skip) return skipOrFail(t, skip);
  const bad = await farm(['render', GENERATOR, '-o', 'x-%d.png', '--frames', '3', '--set', 'nope=1']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /no input named "nope"/);
  const gone = await isfAsync(
    ['render', GENERATOR, '-o', 'y.png', '--redis', 'redis://127.0.0.1:1', '--queue', queue],
    { cwd: work },
  ).done;
  assert.equal(gone.status, 4);
  assert.match(gone.stderr, /Cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
});

test('a hung shader between good renders: RENDER_TIMEOUT after its attempts; the good ones equal local renders; every worker alive', async (t) => {
  if (skip) return skipOrFail(t, skip);
  const retries = { ISF_FARM_ATTEMPTS: '2', ISF_FARM_BACKOFF_MS: '100' };
  const render = (name: string) =>
    farm(['render', GENERATOR, '-o', join(work, name, 'f-%04d.png'), '--size', SIZE, '--frames', '20', '-q']);
  const [a, hung, c] = await Promise.all([
    render('good-a'),
    // 64x64 of ENDLESS takes minutes on llvmpipe: only the limit, travelling in the job, can end it.
    farm(
      ['render', ENDLESS_FS, '-o', join(work, 'hung.png'), '--size', '64x64', '--timeout', '2000', '--json'],
      retries,
    ),
    render('good-c'),
  ]);
  assert.equal(hung.status, 6, hung.stderr);
  const { error } = JSON.parse(hung.stdout);
  assert.equal(error.code, 'RENDER_TIMEOUT');
  assert.match(error.message, /endless\.fs did not finish within 2000 ms/);
  assert.equal(existsSync(join(work, 'hung.png')), false);
  for (const [r, name] of [
    [a, 'good-a'],
    [c, 'good-c'],
  ] as const) {
    assert.equal(r.status, 0, r.stderr);
    assertSameFrames(join(work, name), reference(), 20);
  }
  const timedOut = fleet.flatMap((w) =>
    w.lines.filter((l) => /failed \(attempt \d\): .*RENDER_TIMEOUT|did not finish within 2000 ms/.test(l)),
  );
  assert.equal(timedOut.length, 2, `one timeout per attempt:\n${timedOut.join('\n')}`);
  for (const w of fleet) assert.equal(w.proc.exitCode, null, 'every worker is still running');
  // And they still take jobs.
  const after = await render('good-after');
  assert.equal(after.status, 0, after.stderr);
  assertSameFrames(join(work, 'good-after'), reference(), 20);
});

test('a shader that crashes the GL driver on the farm: GL_DRIVER_CRASH, exit 7; every worker alive', async (t) => {
  if (skip) return skipOrFail(t, skip);
  const r = await farm(['render', CRASH_FS, '-o', join(work, 'crash.png'), '--size', '8x8', '--json'], {
    ISF_FARM_ATTEMPTS: '1',
  });
  assert.equal(r.status, 7, r.stderr);
  assert.equal(JSON.parse(r.stdout).error.code, 'GL_DRIVER_CRASH');
  for (const w of fleet) assert.equal(w.proc.exitCode, null, 'every worker is still running');
});

test("isf worker --timeout caps every job's frame time; a worker whose Redis is gone still exits on SIGTERM", async (t) => {
  if (skip) return skipOrFail(t, skip);
  const own = await startOwnRedis();
  if (typeof own === 'string') return skipOrFail(t, own);
  const q = `${queue}-own`;
  const w = new TestWorker(own.url, q, {}, 'cpu', ['--timeout', '1500']);
  try {
    await w.waitFor(/ready .*at most 1500 ms per frame/, 120_000);
    // The job asks for no limit at all (a trusted render): the worker's ceiling still ends it.
    const r = await isfAsync(
      [
        'render',
        ENDLESS_FS,
        '-o',
        join(work, 'capped.png'),
        '--size',
        '64x64',
        '--redis',
        own.url,
        '--queue',
        q,
        '--json',
      ],
      { cwd: work, env: { ISF_FARM_ATTEMPTS: '1' } },
    ).done;
    assert.equal(r.status, 6, r.stderr);
    assert.match(JSON.parse(r.stdout).error.message, /did not finish within 1500 ms/);
    own.kill();
    await w.waitFor(/redis: /, 30_000);
    w.proc.kill('SIGTERM');
    const code = await Promise.race([w.exited, sleep(30_000).then(() => 'still running' as const)]);
    assert.equal(code, 0, `the worker exits on SIGTERM without its Redis:\n${w.lines.join('\n')}`);
  } finally {
    await w.stop();
    await own.stop();
  }
});

test('SIGTERM: a worker finishes its job and exits 0', async (t) => {
  if (skip) return skipOrFail(t, skip);
  const codes = await Promise.all(fleet.map((w) => w.stop()));
  assert.deepEqual(codes, [0, 0, 0]);
  for (const w of fleet) assert.ok(w.lines.some((l) => /SIGTERM: finishing/.test(l)));
  fleet = [];
});
