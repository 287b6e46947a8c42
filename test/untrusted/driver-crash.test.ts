/**
 * The CLI never dies with the driver: a shader that crashes Mesa's compiler (DRIVER_CRASH) through
 * `isf render`, `--workers 2` and `isf validate --compile` (isolated and --no-isolate) is a typed
 * GL_DRIVER_CRASH naming the shader, with exit 7 (or, in a folder report, one failed file next to the valid
 * ones); only the child process dies by a signal, never `isf` itself. Ctrl-C during a frame stuck in the driver
 * (trusted and --untrusted) exits 130 long before the frame would have finished, leaving no process behind.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { alive, descendants, REPO } from '../helpers.ts';
import { DRIVER_CRASH, ENDLESS, VALID, validShader } from './fixtures.ts';

const BIN = join(REPO, 'bin', 'isf.js');
const dir = mkdtempSync(join(tmpdir(), 'isf-driver-crash-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const folder = join(dir, 'folder');
mkdirSync(folder);
const CRASH = join(folder, 'driver-crash.fs');
writeFileSync(CRASH, DRIVER_CRASH);
writeFileSync(join(folder, 'good-1.fs'), validShader(1));
writeFileSync(join(folder, 'good-2.fs'), VALID);
const VALID_FS = join(dir, 'valid.fs');
writeFileSync(VALID_FS, VALID);
const ENDLESS_FS = join(dir, 'endless.fs');
writeFileSync(ENDLESS_FS, ENDLESS);

/** Alive and not a zombie waiting to be reaped. */
function running(pid: number): boolean {
  if (!alive(pid)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function isf(...args: string[]) {
  return spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', cwd: dir, timeout: 300_000 });
}

describe('a driver crash is a typed error, never the end of isf', () => {
  test('isf render: GL_DRIVER_CRASH naming the shader and the signal, exit 7, no file', () => {
    const r = isf('render', CRASH, '-o', 'crash.png', '--size', '8x8', '--json');
    assert.equal(r.signal, null, 'isf itself was not killed');
    assert.equal(r.status, 7, r.stderr);
    const { ok, error } = JSON.parse(r.stdout);
    assert.equal(ok, false);
    assert.equal(error.code, 'GL_DRIVER_CRASH');
    assert.ok(error.message.includes(CRASH), error.message);
    assert.match(error.message, /the GL driver crashed compiling or drawing this shader \(SIG[A-Z]+\)/);
    assert.equal(existsSync(join(dir, 'crash.png')), false);
  });

  test('isf render --workers 2: the same typed error (the pool threads live in the child)', () => {
    const r = isf(
      'render',
      CRASH,
      '-o',
      join(dir, 'w', 'f-%02d.png'),
      '--size',
      '8x8',
      '--frames',
      '4',
      '--workers',
      '2',
    );
    assert.equal(r.signal, null);
    assert.equal(r.status, 7, r.stderr);
    assert.match(r.stderr, /driver-crash\.fs: the GL driver crashed/);
  });

  // The isolated run's time limit well above the crash: at load 30 Mesa took over the default 10 s to get to
  // the crash, which was then reported as RENDER_TIMEOUT.
  for (const mode of [['--timeout', '300000'], ['--no-isolate']]) {
    test(`isf validate --compile${mode.map((m) => ` ${m}`).join('')} on a folder: one failed file, the good files valid`, () => {
      const r = isf('validate', '--compile', ...mode, '--json', folder);
      assert.equal(r.signal, null);
      assert.equal(r.status, 3, r.stderr);
      const reports = JSON.parse(r.stdout) as { file: string; ok: boolean; errors: { code: string }[] }[];
      const byName = new Map(reports.map((x) => [x.file.split('/').pop(), x]));
      assert.equal(reports.length, 3);
      assert.equal(byName.get('driver-crash.fs')?.ok, false);
      assert.equal(byName.get('driver-crash.fs')?.errors[0]?.code, 'GL_DRIVER_CRASH');
      assert.equal(byName.get('good-1.fs')?.ok, true, JSON.stringify(byName.get('good-1.fs')));
      assert.equal(byName.get('good-2.fs')?.ok, true);
    });
  }
});

describe('Ctrl-C during a frame stuck in the driver', () => {
  for (const mode of [[], ['--untrusted']]) {
    test(`isf render${mode.map((m) => ` ${m}`).join('')}: exit 130 long before the frame ends, no process left`, async () => {
      // ENDLESS at 64x64 takes minutes on llvmpipe (and forever on a GPU): the frame cannot finish first.
      const out = join(dir, `stuck${mode.length}`);
      const child = spawn(
        process.execPath,
        [
          BIN,
          'render',
          ENDLESS_FS,
          '-o',
          join(out, 'f-%02d.png'),
          '--size',
          '64x64',
          '--frames',
          '3',
          ...mode,
        ],
        {
          cwd: dir,
        },
      );
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      // Wait until the render child exists and has been drawing for a moment.
      let helpers: number[] = [];
      const deadline = Date.now() + 120_000;
      while (helpers.length === 0) {
        if (Date.now() > deadline) throw new Error(`no render child appeared: ${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
        helpers = await descendants(child.pid!);
      }
      await new Promise((r) => setTimeout(r, 3000));
      const t0 = performance.now();
      child.kill('SIGINT');
      const [code, signal] = await new Promise<[number | null, string | null]>((r) =>
        child.on('exit', (c, s) => r([c, s])),
      );
      const ms = performance.now() - t0;
      assert.equal(signal, null);
      assert.equal(code, 130, stderr);
      // No absolute bound (the machine may be loaded): stopping must take less than a whole quick render,
      // start-up included, measured now; the stuck frame itself would take minutes.
      const b0 = performance.now();
      const quick = isf('render', VALID_FS, '-o', join(dir, 'quick.png'), '--size', '8x8', ...mode);
      const baseline = performance.now() - b0;
      assert.equal(quick.status, 0, quick.stderr);
      assert.ok(
        ms < baseline,
        `exited ${Math.round(ms)} ms after SIGINT; a whole quick render took ${Math.round(baseline)} ms`,
      );
      assert.match(stderr, /interrupted/);
      // SIGKILLed processes may take a moment to be torn down and reaped on a loaded machine.
      for (let i = 0; i < 50 && helpers.some(running); i++) await new Promise((r) => setTimeout(r, 100));
      for (const pid of helpers) assert.equal(running(pid), false, `process ${pid} was left running`);
      const left = existsSync(out) ? readdirSync(out) : [];
      assert.deepEqual(
        left.filter((f) => f.endsWith('.tmp')),
        [],
        'no temporary files',
      );
    });
  }
});
