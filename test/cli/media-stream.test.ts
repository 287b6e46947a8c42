/**
 * Streams (`isf render -o - --format F`, issue 15 leftovers): Ctrl-C during a stream ends with exit 130 and no
 * process left behind, whether the reader keeps reading or has stopped; --workers 2 streams the same bytes as one
 * thread (CLI and API, the API through the RenderPool); RGBA16 (rgba64le) carries the exact 16-bit values.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { renderToFiles } from '../../src/node/batch.ts';
import { loadISF } from '../../src/node/load.ts';
import { context, ISF_BIN, needsTool, processAlive, processTreeOf } from '../helpers.ts';

const work = mkdtempSync(join(tmpdir(), 'isf-media-stream-'));
const noFfmpeg = needsTool('ffmpeg');
after(() => rmSync(work, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const p = join(work, name);
  writeFileSync(p, text);
  return p;
}

// Every frame differs (TIME), every pixel of a row differs: a frame out of order or shifted shows.
const MOVING = write(
  'moving.fs',
  `/*{ "ISFVSN": "2", "INPUTS": [] }*/
void main() {
  vec2 p = isf_FragNormCoord;
  gl_FragColor = vec4(p.x, p.y, fract(0.1 + TIME * 0.7), 1.0);
}
`,
);

// Float output with values a 16-bit stream holds exactly: red (2i+1)/32 across 16 columns (never a rounding
// tie at 16 bits), green 0.25, blue 0.125 * (FRAMEINDEX + 1), alpha 0.5.
const LEVELS = write(
  'levels.fs',
  `/*{ "ISFVSN": "2", "PASSES": [ { "FLOAT": true } ] }*/
void main() {
  gl_FragColor = vec4(isf_FragNormCoord.x, 0.25, 0.125 * float(FRAMEINDEX + 1), 0.5);
}
`,
);

/** `isf render ...args` with stdout captured as bytes (the test is the program reading the pipe). */
function isfBytes(...args: string[]): { status: number | null; stdout: Buffer; stderr: string } {
  const r = spawnSync(process.execPath, [ISF_BIN, 'render', ...args], {
    cwd: work,
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}

/**
 * Starts a long stream (`isf render MOVING -o - --format rgba`, side x side, 100000 frames) in its own process group,
 * as a shell starts a foreground job; `read` decides whether the test keeps reading stdout after the first frame.
 * Resolves once the first frame has arrived, with the process, its exit, the bytes read and the processes seen
 * in its tree meanwhile (polled until it exits).
 */
async function startStream(keepReading: boolean, side: number) {
  const frameBytes = side * side * 4;
  const proc = spawn(
    process.execPath,
    [
      ISF_BIN,
      'render',
      MOVING,
      '-o',
      '-',
      '--format',
      'rgba',
      '--size',
      `${side}x${side}`,
      '--frames',
      '100000',
    ],
    { cwd: work, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const seen = new Set<number>();
  const watch = setInterval(() => {
    for (const pid of processTreeOf(proc.pid!)) seen.add(pid);
  }, 20);
  const exited = new Promise<number | null>((resolve) =>
    proc.once('exit', (code) => {
      clearInterval(watch);
      resolve(code);
    }),
  );
  const state = { read: 0 };
  await new Promise<void>((resolve, reject) => {
    proc.once('exit', () => reject(new Error(`isf exited before the first frame: ${stderr}`)));
    proc.stdout.on('data', (d: Buffer) => {
      state.read += d.length;
      if (state.read >= frameBytes) {
        if (!keepReading) proc.stdout.pause(); // the pipe fills up: the child blocks writing the next frame
        resolve();
      }
    });
  });
  return { proc, exited, state, seen, frameBytes, stderr: () => stderr };
}

/** Ctrl-C in a terminal: SIGINT to the whole foreground process group (the CLI and its render child alike). */
function ctrlC(pid: number): void {
  process.kill(-pid, 'SIGINT');
}

test('Ctrl-C during a stream: exit 130, whole frames only, no child process left behind', async () => {
  const s = await startStream(true, 16);
  // Several frames through, so the child is mid-stream rather than starting.
  while (s.state.read < 4 * s.frameBytes) await new Promise((r) => setTimeout(r, 10));
  ctrlC(s.proc.pid!);
  const status = await s.exited;
  await new Promise<void>((r) => (s.proc.stdout.readableEnded ? r() : s.proc.stdout.once('close', r)));
  assert.equal(status, 130, s.stderr());
  assert.match(s.stderr(), /interrupted: wrote \d+ frame\(s\) 16x16 at 30 fps to stdout as rgba/);
  assert.doesNotMatch(s.stderr(), /internal error|\n\s+at /);
  assert.equal(s.state.read % s.frameBytes, 0, `${s.state.read} bytes: the stream ends on a whole frame`);
  assert.ok(s.seen.size > 0, 'the render ran in a child process');
  for (const pid of s.seen) assert.ok(!processAlive(pid), `process ${pid} still runs after isf exited`);
  assert.deepEqual(processTreeOf(s.proc.pid!), [], 'nothing left in the process group');
});

test('Ctrl-C while the reader has stopped reading (the child blocked on a full pipe): exit 130, nothing left', async () => {
  // 256 KiB frames: more than the pipe (64 KiB) and the reader's buffer hold, so the second frame's write
  // cannot complete while nobody reads: the child is stuck inside a frame when Ctrl-C comes.
  const s = await startStream(false, 256);
  await new Promise((r) => setTimeout(r, 1500));
  ctrlC(s.proc.pid!);
  const status = await s.exited;
  assert.equal(status, 130, s.stderr());
  assert.doesNotMatch(s.stderr(), /internal error|\n\s+at /);
  assert.ok(s.seen.size > 0, 'the render ran in a child process');
  for (const pid of s.seen) assert.ok(!processAlive(pid), `process ${pid} still runs after isf exited`);
  assert.deepEqual(processTreeOf(s.proc.pid!), [], 'nothing left in the process group');
  s.proc.stdout.destroy();
});

test('--workers 2 streams the same bytes as one thread (rgba at 8 and 16 bits)', () => {
  for (const extra of [
    ['--format', 'rgba'],
    ['--format', 'rgba', '--depth', '16'],
  ]) {
    const args = [MOVING, '-o', '-', ...extra, '--size', '24x10', '--frames', '12', '-q'];
    const one = isfBytes(...args);
    const two = isfBytes(...args, '--workers', '2');
    assert.equal(one.status, 0, one.stderr);
    assert.equal(two.status, 0, two.stderr);
    assert.ok(one.stdout.length > 0);
    assert.ok(two.stdout.equals(one.stdout), `${extra.join(' ')}: --workers 2 wrote different bytes`);
  }
});

test('renderToFiles to a file descriptor on a RenderPool of 2: the same bytes as one thread', {
  skip: availableParallelism() < 2 && 'one CPU core: --workers 2 is capped to one thread',
}, async () => {
  const doc = await loadISF(MOVING);
  const streamTo = async (name: string, workers: number) => {
    const notices: string[] = [];
    const file = join(work, name);
    const fd = openSync(file, 'w');
    try {
      const result = await renderToFiles(context(), doc, {
        output: '-',
        format: 'rgba',
        outputFd: fd,
        width: 24,
        height: 10,
        frames: 12,
        workers,
        onNotice: (m) => notices.push(m),
      });
      assert.equal(result.frames, 12);
    } finally {
      closeSync(fd);
    }
    return { bytes: readFileSync(file), notices };
  };
  const one = await streamTo('one.rgba', 1);
  const two = await streamTo('two.rgba', 2);
  assert.equal(one.bytes.length, 24 * 10 * 4 * 12);
  assert.deepEqual(
    two.notices.filter((m) => /one thread|capped/.test(m)),
    [],
    'the pool rendered with 2 workers (no fallback to one thread, no cap)',
  );
  assert.ok(two.bytes.equals(one.bytes), 'the pool streams the frames in order, byte for byte');
});

test('renderToFiles with a scene option the pool workers do not get (a GLSL dialect): one thread, said', {
  skip: availableParallelism() < 2 && 'one CPU core: --workers 2 is capped to one thread',
}, async () => {
  const notices: string[] = [];
  const result = await renderToFiles(context(), await loadISF(MOVING), {
    output: join(work, 'dialect-%02d.png'),
    width: 8,
    height: 4,
    frames: 2,
    workers: 2,
    scene: { dialect: 'es310' },
    onNotice: (m) => notices.push(m),
  });
  assert.equal(result.workers, 1);
  assert.ok(
    notices.some((m) => /one thread: the scene option dialect applies to this thread only/.test(m)),
    notices.join('\n'),
  );
});

test('rgba at --depth 16: rgba64le, W*H*8 bytes a frame, the exact 16-bit values; 8-bit output scaled by 257', () => {
  const r = isfBytes(
    LEVELS,
    '-o',
    '-',
    '--format',
    'rgba',
    '--depth',
    '16',
    '--size',
    '16x2',
    '--frames',
    '3',
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /raw RGBA16 little-endian \(rgba64le\), 256 bytes a frame, 768 bytes in all/);
  assert.match(r.stderr, /-pix_fmt rgba64le -s 16x2/);
  assert.equal(r.stdout.length, 16 * 2 * 8 * 3);
  const at = (frame: number, x: number, y: number, c: number) =>
    r.stdout.readUInt16LE(frame * 256 + (y * 16 + x) * 8 + c * 2);
  for (let frame = 0; frame < 3; frame++) {
    for (let y = 0; y < 2; y++) {
      for (let x = 0; x < 16; x++) {
        const where = `frame ${frame} pixel ${x},${y}`;
        assert.equal(at(frame, x, y, 0), Math.round(((2 * x + 1) / 32) * 65535), `${where} red`);
        assert.equal(at(frame, x, y, 1), 16384, `${where} green 0.25`);
        assert.equal(at(frame, x, y, 2), Math.round(0.125 * (frame + 1) * 65535), `${where} blue`);
        assert.equal(at(frame, x, y, 3), 32768, `${where} alpha 0.5`);
      }
    }
  }
  // Little-endian: the low byte first (red of pixel 0 is 2048 = 0x0800).
  assert.deepEqual([...r.stdout.subarray(0, 2)], [0x00, 0x08]);
  // An 8-bit shader streamed at 16 bits: each value v becomes v * 257 (v / 255 scaled to 0..65535).
  const args = [MOVING, '-o', '-', '--format', 'rgba', '--size', '8x4', '--frames', '2', '-q'];
  const eight = isfBytes(...args);
  const sixteen = isfBytes(...args, '--depth', '16');
  assert.equal(eight.status, 0, eight.stderr);
  assert.equal(sixteen.status, 0, sixteen.stderr);
  assert.equal(sixteen.stdout.length, eight.stdout.length * 2);
  for (let i = 0; i < eight.stdout.length; i++) {
    assert.equal(sixteen.stdout.readUInt16LE(i * 2), eight.stdout[i]! * 257, `value ${i}`);
  }
});

test("-o - --format y4m444: C444 frames ffmpeg reads as yuv444p, each plane within 1 of ffmpeg's own conversion", {
  skip: noFfmpeg,
}, () => {
  // Sharp vertical stripes: 4:2:0 would average each pair's chroma, 4:4:4 keeps every column's.
  const stripes = write(
    'stripes.fs',
    `/*{ "ISFVSN": "2", "INPUTS": [] }*/
void main() {
  float odd = mod(floor(gl_FragCoord.x), 2.0);
  gl_FragColor = odd > 0.5 ? vec4(1.0, 0.1, 0.2, 1.0) : vec4(0.1, 0.3, 1.0, 1.0);
}
`,
  );
  const r = isfBytes(stripes, '-o', '-', '--format', 'y4m444', '--size', '16x8', '--frames', '3');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /YUV4MPEG2 4:4:4 \(C444\), BT\.601 limited range, 390 bytes a frame/);
  assert.match(r.stdout.subarray(0, 60).toString(), /^YUV4MPEG2 W16 H8 F30:1 Ip A1:1 C444 /);
  const file = join(work, 'stripes.y4m');
  writeFileSync(file, r.stdout);
  const probe = spawnSync(
    'ffprobe',
    [
      '-v',
      'error',
      '-count_frames',
      '-show_entries',
      'stream=pix_fmt,nb_read_frames',
      '-of',
      'csv=p=0',
      file,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(probe.status, 0, probe.stderr);
  assert.equal(probe.stdout.trim(), 'yuv444p,3');
  // The reference: ffmpeg's RGB -> yuv444p (BT.601, limited range) of the same frame rendered as a PNG.
  const png = join(work, 'stripes.png');
  assert.equal(isfBytes(stripes, '-o', png, '--size', '16x8', '-q').status, 0);
  const ref = spawnSync(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-i', png, '-pix_fmt', 'yuv444p', '-f', 'rawvideo', '-'],
    { maxBuffer: 1 << 20 },
  );
  assert.equal(ref.status, 0, ref.stderr?.toString());
  assert.equal(ref.stdout.length, 16 * 8 * 3);
  const at = r.stdout.indexOf('FRAME\n') + 6;
  const ours = r.stdout.subarray(at, at + 16 * 8 * 3);
  for (let i = 0; i < ours.length; i++) {
    assert.ok(Math.abs(ours[i]! - ref.stdout[i]!) <= 1, `byte ${i}: ${ours[i]} vs ffmpeg's ${ref.stdout[i]}`);
  }
  // Neighbouring columns keep their own chroma (4:2:0 would give both the same Cb).
  const cb = ours.subarray(16 * 8, 16 * 8 * 2);
  assert.ok(Math.abs(cb[0]! - cb[1]!) > 50, `Cb of columns 0 and 1: ${cb[0]} and ${cb[1]}`);
});
