/**
 * Every failure of the `isf` command is a typed error with the exit code README's table documents, and none is
 * reported as success: one case per row of the table and per kind of I/O failure (missing, a directory, not a
 * directory, permission, a FIFO or device, a full disk), bounds on frames/fps/workers, and a single-image output
 * that renders only the frame it writes.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { printError } from '../../src/cli/output.ts';
import { ISFError } from '../../src/core/errors.ts';
import { alive, childrenOf, needs, needsTool, REPO } from '../helpers.ts';
import { DRIVER_CRASH } from '../untrusted/fixtures.ts';

const BIN = join(REPO, 'bin', 'isf.js');
const STRICT = process.env.ISF_TEST_STRICT === '1';
const work = mkdtempSync(join(tmpdir(), 'isf-failures-'));
const full = join(work, 'full');
mkdirSync(full);
// A full disk is a 200 KiB tmpfs: mounting needs root (CI has it); elsewhere those tests skip (fail when strict).
const mounted =
  process.getuid?.() === 0 &&
  spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=200k', 'tmpfs', full]).status === 0;

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

function isf(args: string[], prefix: string[] = []): Result {
  const argv = [...prefix, process.execPath, BIN, ...args];
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', cwd: work, timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function write(name: string, text: string): string {
  const p = join(work, name);
  writeFileSync(p, text);
  return p;
}

/** Runs a command as nobody (root reads everything, so permission errors need another user); undefined if not possible. */
const asNobody: string[] | undefined = (() => {
  if (process.getuid?.() !== 0) return [];
  const argv = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
  return spawnSync(argv[0]!, [...argv.slice(1), 'true']).status === 0 ? argv : undefined;
})();

const WHITE = '/*{ "ISFVSN": "2" }*/\nvoid main() { gl_FragColor = vec4(1.0); }\n';
const TIMED = '/*{ "ISFVSN": "2" }*/\nvoid main() { gl_FragColor = vec4(TIME, 0.0, 0.0, 1.0); }\n';
const NOISE = `/*{ "ISFVSN": "2" }*/
float h(vec2 p) { return fract(sin(dot(p, vec2(12.9898, 78.233))) * 43758.5453); }
void main() {
  vec2 p = gl_FragCoord.xy + vec2(float(FRAMEINDEX) * 17.0);
  gl_FragColor = vec4(h(p), h(p + 1.0), h(p + 2.0), 1.0);
}
`;
// Adds 0.1 to a persistent buffer every frame: after 5 frames red is 0.5 only if all 5 were rendered.
const ACCUMULATE = `/*{ "ISFVSN": "2", "PASSES": [ { "TARGET": "acc", "PERSISTENT": true, "FLOAT": true }, {} ] }*/
void main() {
  if (PASSINDEX == 0) gl_FragColor = IMG_THIS_PIXEL(acc) + vec4(0.1, 0.0, 0.0, 0.0);
  else gl_FragColor = vec4(IMG_THIS_PIXEL(acc).r, 0.0, 0.0, 1.0);
}
`;
const IMAGE_FILTER =
  '/*{ "ISFVSN": "2", "INPUTS": [ { "NAME": "inputImage", "TYPE": "image" }, { "NAME": "sound", "TYPE": "audio" } ] }*/\nvoid main() { gl_FragColor = IMG_THIS_NORM_PIXEL(inputImage); }\n';

let white: string;
before(() => {
  chmodSync(work, 0o755);
  white = write('white.fs', WHITE);
  write('timed.fs', TIMED);
  write('noise.fs', NOISE);
  write('accumulate.fs', ACCUMULATE);
  write('filter.fs', IMAGE_FILTER);
  write('broken.fs', '/*{ "INPUTS": [, ] }*/\nvoid main() {}\n');
  writeFileSync(join(work, 'a-file'), 'not a folder');
  execFileSync('mkfifo', [join(work, 'fifo.fs'), join(work, 'fifo.png'), join(work, 'fifo.wav')]);
  write('private.fs', WHITE);
  chmodSync(join(work, 'private.fs'), 0o600);
  mkdirSync(join(work, 'tree', 'locked'), { recursive: true });
  writeFileSync(join(work, 'tree', 'ok.fs'), WHITE);
  chmodSync(join(work, 'tree', 'locked'), 0o000);
});
after(() => {
  if (mounted) spawnSync('umount', [full]);
  chmodSync(join(work, 'tree', 'locked'), 0o755);
  rmSync(work, { recursive: true, force: true });
});

/** The rows of README's "Exit codes" table. */
function readmeExitCodes(): number[] {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Exit codes'));
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('|')));
  return [...table.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1]));
}

function expectExit(r: Result, status: number, message: RegExp, what: string): void {
  assert.equal(r.status, status, `${what}: exit ${r.status}, expected ${status}\n${r.stderr}${r.stdout}`);
  assert.match(r.stderr + r.stdout, message, what);
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, `${what}: a stack trace`);
}

/** One case (or more) per exit status. 1 is a bug, so it is checked on the reporting function itself. */
const cases: Record<number, () => Promise<void> | void> = {
  0: () =>
    expectExit(isf(['render', white, '-o', join(work, 'ok.png'), '--size', '4x4']), 0, /wrote/, 'a render'),
  1: () => {
    const stderr = process.stderr.write;
    process.stderr.write = () => true;
    try {
      assert.equal(printError(new TypeError('a bug'), false), 1);
      // A failed system call is I/O even when it escaped as a plain Node error.
      const errno = Object.assign(new Error('ENOSPC: no space left on device, write'), {
        code: 'ENOSPC',
        syscall: 'write',
      });
      assert.equal(printError(errno, false), 4);
      assert.equal(printError(new ISFError('WORKER_FAILED', 'x'), false), 1);
    } finally {
      process.stderr.write = stderr;
    }
  },
  2: () => {
    const out = join(work, 'two.png');
    expectExit(
      isf(['render', white, '-o', out, '--set', 'nope=1']),
      2,
      /INPUT_UNKNOWN|no input named "nope"/,
      '--set nope',
    );
    for (const name of ['__proto__', 'constructor']) {
      expectExit(isf(['render', white, '-o', out, '--set', `${name}=1`]), 2, new RegExp(`"${name}"`), name);
    }
  },
  3: () => expectExit(isf(['validate', join(work, 'broken.fs')]), 3, /ISF_JSON_SYNTAX/, 'a broken shader'),
  4: async () => {
    const out = join(work, 'four.png');
    expectExit(isf(['render', join(work, 'missing.fs'), '-o', out]), 4, /no such file/, 'missing shader');
    expectExit(isf(['render', join(work, 'tree'), '-o', out]), 4, /a directory/, 'a directory as shader');
    expectExit(
      isf(['render', white, '-o', join(work, 'a-file', 'x.png'), '--size', '4x4']),
      4,
      /Cannot write .*a-file/,
      'output under a regular file (not a directory)',
    );
    expectExit(
      isf(['render', join(work, 'a-file', 'x.fs'), '-o', out]),
      4,
      /not a directory/,
      'shader under a regular file',
    );
    // Not regular files: each an error at once instead of a hang (the 120 s spawn limit fails the test).
    expectExit(isf(['validate', join(work, 'fifo.fs')]), 4, /FIFO/, 'a FIFO as shader');
    const filter = join(work, 'filter.fs');
    const img = (p: string) => ['render', filter, '-o', out, '--size', '4x4', '--image', `inputImage=${p}`];
    expectExit(isf(img(join(work, 'fifo.png'))), 4, /FIFO/, 'a FIFO as --image');
    expectExit(isf(img('/dev/zero')), 4, /character device/, '/dev/zero as --image');
    expectExit(
      isf(['render', filter, '-o', out, '--size', '4x4', '--audio', `sound=${join(work, 'fifo.wav')}`]),
      4,
      /FIFO/,
      'a FIFO as --audio',
    );
    if (asNobody === undefined) {
      // Root reads everything: without setpriv there is no permission error to provoke.
      if (STRICT) assert.fail('setpriv (util-linux) is needed to test permission errors as root');
    } else {
      expectExit(
        isf(['validate', join(work, 'private.fs')], asNobody),
        4,
        /permission denied/,
        'unreadable shader',
      );
      expectExit(
        isf(['validate', join(work, 'tree')], asNobody),
        4,
        /permission denied/,
        'unreadable sub-folder',
      );
    }
  },
  5: () =>
    expectExit(isf(['render', white, '-o', join(work, 'five.png'), '--device', '99']), 5, /device/, 'no GL'),
  6: () =>
    expectExit(
      isf(['render', white, '-o', join(work, 'six.png'), '--size', '4x4', '--timeout', '1']),
      6,
      /RENDER_TIMEOUT|time limit|1 ms/,
      'over the time limit',
    ),
  7: () => {
    const crash = join(work, 'driver-crash.fs');
    writeFileSync(crash, DRIVER_CRASH);
    expectExit(
      isf(['render', crash, '-o', join(work, 'seven.png'), '--size', '8x8']),
      7,
      /GL_DRIVER_CRASH|GL driver crashed/,
      'the GL driver crashed',
    );
  },
  8: async () => {
    // -o -: a reader that takes one frame and closes the pipe. The render stops with OUTPUT_CLOSED (exit 8), and
    // the child that wrote the frames to the pipe is gone with it (none left orphaned).
    const proc = spawn(
      process.execPath,
      [BIN, 'render', white, '-o', '-', '--format', 'rgba', '--size', '16x16', '--frames', '100000'],
      { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    const children = new Set<number>();
    const watch = setInterval(() => {
      for (const pid of childrenOf(proc.pid!)) children.add(pid);
    }, 20);
    let read = 0;
    await new Promise<void>((resolve) => {
      proc.stdout.on('data', (d: Buffer) => {
        read += d.length;
        if (read >= 16 * 16 * 4) {
          proc.stdout.destroy(); // the reader exits: its end of the pipe closes
          resolve();
        }
      });
    });
    const status = await exited;
    clearInterval(watch);
    assert.equal(status, 8, stderr);
    assert.match(stderr, /closed the stream after \d+ frame/);
    assert.doesNotMatch(stderr, /internal error|\n\s+at /);
    assert.ok(children.size > 0, 'the render ran in a child process');
    for (const pid of children) assert.ok(!alive(pid), `child ${pid} still runs after isf exited`);
  },
  130: async () => {
    const dir = join(work, 'interrupted');
    const proc = spawn(
      process.execPath,
      [BIN, 'render', white, '-o', join(dir, 'f-%06d.png'), '--size', '4x4', '--frames', '100000'],
      { cwd: work, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    proc.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
    for (let i = 0; i < 1200; i++) {
      if (readdirSync(work).includes('interrupted') && readdirSync(dir).some((f) => f.endsWith('.png')))
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    proc.kill('SIGINT');
    assert.equal(await exited, 130, stderr);
    assert.match(stderr, /interrupted/);
    assert.ok(!readdirSync(dir).some((f) => f.endsWith('.tmp')), 'no temporary file left');
  },
};

describe('exit codes', () => {
  test("README's exit-code table: one case per row", async () => {
    const rows = readmeExitCodes();
    assert.deepEqual(rows, [0, 1, 2, 3, 4, 5, 6, 7, 8, 130], 'the table as documented');
    for (const status of rows) {
      const check = cases[status];
      assert.ok(check, `no case for exit ${status}`);
      await check();
    }
  });
});

describe('a full disk (a 200 KiB tmpfs)', () => {
  const tmpfs = needs(!mounted && 'cannot mount a tmpfs here (needs root)').skip;

  test('an mp4: IO_ERROR, exit 4, no file left', { skip: tmpfs || needsTool('ffmpeg') }, () => {
    const r = isf([
      'render',
      join(work, 'noise.fs'),
      '-o',
      join(full, 'v.mp4'),
      '--size',
      '256x256',
      '--frames',
      '30',
    ]);
    expectExit(r, 4, /space|v\.mp4/i, 'an mp4 on a full disk');
    assert.doesNotMatch(r.stderr, /wrote/);
    assert.deepEqual(readdirSync(full), [], 'no partial or temporary file');
  });

  test('a PNG sequence: exit 4, only complete files, no temporary file', { skip: tmpfs }, async () => {
    const r = isf([
      'render',
      join(work, 'noise.fs'),
      '-o',
      join(full, 'f-%03d.png'),
      '--size',
      '96x96',
      '--frames',
      '40',
    ]);
    expectExit(r, 4, /IO_ERROR|space/i, 'a PNG sequence on a full disk');
    const left = readdirSync(full);
    assert.ok(left.length < 40, 'the disk did fill');
    for (const f of left) {
      assert.match(f, /^f-\d{3}\.png$/, `${f} is not a finished frame`);
      const { info } = await sharp(join(full, f)).raw().toBuffer({ resolveWithObject: true });
      assert.equal(info.width, 96, `${f} decodes`);
    }
    for (const f of left) rmSync(join(full, f));
  });
});

describe('bounds', () => {
  test('--frames, --duration and --fps extremes are BAD_ARGUMENT naming the limit', () => {
    const out = join(work, 'bounds.png');
    for (const args of [
      ['--frames', '1e300'],
      ['--fps', '1e300'],
      ['--duration', '1e300'],
    ]) {
      expectExit(isf(['render', white, '-o', out, ...args]), 2, /1000000|1000|above 0|fps/, args.join(' '));
    }
  });

  test('a single image renders only its last frame, said in the summary; persistent buffers render all', async () => {
    const out = join(work, 'last.png');
    const r = isf([
      'render',
      join(work, 'timed.fs'),
      '-o',
      out,
      '--size',
      '4x4',
      '--frames',
      '3000',
      '--fps',
      '1000',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /1 frame\(s\).*frame 3000 of 3000.*2999 before it were not rendered/);
    const json = isf([
      'render',
      join(work, 'timed.fs'),
      '-o',
      out,
      '--size',
      '4x4',
      '--frames',
      '5',
      '--fps',
      '10',
      '--json',
    ]);
    const summary = JSON.parse(json.stdout.trim().split('\n').pop()!);
    assert.equal(summary.frames, 1);
    assert.equal(summary.skipped, 4);
    assert.equal((await sharp(out).raw().toBuffer())[0], Math.round(0.4 * 255), 'frame 4 at TIME 0.4');

    const acc = isf([
      'render',
      join(work, 'accumulate.fs'),
      '-o',
      out,
      '--size',
      '4x4',
      '--frames',
      '5',
      '--json',
    ]);
    const accSummary = JSON.parse(acc.stdout.trim().split('\n').pop()!);
    assert.equal(accSummary.frames, 5, 'every frame of a persistent-buffer shader');
    assert.equal(accSummary.skipped, undefined);
    assert.ok(Math.abs((await sharp(out).raw().toBuffer())[0]! - 128) <= 1, 'five frames accumulated');
  });

  test('--workers above the number of cores is capped with a notice', () => {
    const dir = join(work, 'workers');
    const r = isf([
      'render',
      white,
      '-o',
      join(dir, 'f-%d.png'),
      '--size',
      '4x4',
      '--frames',
      '6',
      '--workers',
      '64',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /--workers 64 capped to \d+, the number of CPU cores/);
    assert.equal(readdirSync(dir).length, 6);
  });
});
