/**
 * The supervisor under churn: 200 RenderPool worker threads started and stopped (many still starting when their
 * pool closes), and 100 process slots killed in the middle of a frame (a hanging frame past its time limit), with
 * good jobs around them. Nothing crashes, every job settles with its pixels or a typed error, every child pid seen
 * is gone afterwards, and nothing is added to process.env, to a slot's environment, or to a child's own
 * process.env after it rendered (the EGL display once kept its refcount in an environment variable).
 *
 * The thread half once aborted the process (FATAL ERROR: Error::ThrowAsJavaScriptException napi_throw in
 * loadNative): close() terminated threads that were still inside koffi declaring EGL/GLES functions. The
 * Supervisor now lets a starting thread finish starting before it ends it (Supervisor.end()).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ISFError } from '../../src/core/errors.ts';
import { RenderPool } from '../../src/node/render-pool.ts';
import { alive, descendants, REPO } from '../helpers.ts';
import { ENDLESS } from '../untrusted/fixtures.ts';
import { assertCoords, COORDS_SOURCE } from './fixtures.ts';

const NODE_IPC = new Set(['NODE_CHANNEL_FD', 'NODE_CHANNEL_SERIALIZATION_MODE', 'NODE_UNIQUE_ID']);
const envNames = (): string[] => Object.keys(process.env).sort();

function childEnvNames(pid: number): string[] {
  return readFileSync(`/proc/${pid}/environ`, 'utf8')
    .split('\0')
    .filter(Boolean)
    .map((kv) => kv.slice(0, kv.indexOf('=')))
    .filter((name) => !NODE_IPC.has(name))
    .sort();
}

function commandOf(pid: number): string {
  try {
    return `${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim()}`;
  } catch {
    return `${pid}: (gone)`;
  }
}

async function slotProcesses(): Promise<number[]> {
  const out: number[] = [];
  for (const pid of await descendants(process.pid)) {
    try {
      if (/render-worker\.ts|isolate\/child\.ts/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8')))
        out.push(pid);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const before = envNames();

test('200 worker threads started and stopped: every job rendered, nothing left, no variable added', async () => {
  const children = new Set(await descendants(process.pid));
  for (let round = 0; round < 25; round++) {
    const pool = new RenderPool({ workers: 8 });
    // One job: the other seven threads are typically still starting (inside koffi) when close() comes.
    assertCoords(
      await pool.render({ source: COORDS_SOURCE, width: 3 + (round % 5), height: 2 }),
      3 + (round % 5),
      2,
    );
    assert.equal(pool.stats().workers, 8);
    await pool.close();
    assert.equal(pool.stats().workers, 0);
  }
  assert.deepEqual(envNames(), before, 'process.env');
  // A process that exits by itself just after close() is not a leak (once, at load 30, 8 new pids were seen at
  // the instant of the check, one per thread of the last pool): wait for them to go, then name what is left.
  let now: number[] = [];
  for (const deadline = Date.now() + 60_000; ; ) {
    now = (await descendants(process.pid)).filter((pid) => !children.has(pid));
    if (now.length === 0 || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.deepEqual(now.map(commandOf), [], 'threads start no process');
});

test('100 process slots killed mid-frame: each a RENDER_TIMEOUT, the good jobs correct, no pid left', async () => {
  const pool = new RenderPool({ workers: 4, slots: 'process', jobTimeoutMs: 2000 });
  // The good jobs get their own generous limit: at load 30 a fresh slot's first compile of even COORDS_SOURCE
  // took over 2 s here, and the pool's short limit is for the endless jobs, not for them.
  const trusted = { timeoutMs: 300_000 };
  // Every slot pid the pool ever had (a killed slot lives about jobTimeoutMs: sampled far more often).
  const seen = new Set<number>();
  const sample = (): void => {
    for (const pid of pool.stats().pids) seen.add(pid);
  };
  const sampler = setInterval(sample, 20);
  try {
    // A good job first: the slots are up, and their environment is the parent's.
    assertCoords(await pool.render({ source: COORDS_SOURCE, width: 4, height: 4 }, trusted), 4, 4);
    const slots = await slotProcesses();
    assert.ok(slots.length >= 1, 'process slots are running');
    for (const pid of slots) assert.deepEqual(childEnvNames(pid), before, `environment of slot ${pid}`);
    const results = await Promise.allSettled(
      Array.from({ length: 100 }, () => pool.render({ source: ENDLESS, width: 64, height: 64 })),
    );
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      const e = (r as PromiseRejectedResult).reason as unknown;
      assert.ok(e instanceof ISFError && e.code === 'RENDER_TIMEOUT', String(e));
    }
    assert.equal(pool.stats().restarts, 100, 'one replacement per killed slot');
    // Still serving, with the right pixels.
    assertCoords(await pool.render({ source: COORDS_SOURCE, width: 5, height: 3 }, trusted), 5, 3);
    sample();
  } finally {
    clearInterval(sampler);
    await pool.close();
  }
  assert.ok(seen.size >= 100, `slot pids seen: ${seen.size}`);
  assert.deepEqual([...seen].filter(alive), [], 'no slot process left');
  assert.deepEqual(await slotProcesses(), [], 'no slot process left');
  assert.deepEqual(envNames(), before, 'process.env');
});

test("a child's own process.env after it rendered: nothing added", () => {
  const script = `
    import { validateISF } from './src/core/parse/index.ts';
    import { createContext } from './src/node/context.ts';
    import { Scene } from './src/render/scene.ts';
    const ctx = createContext().initialize();
    const scene = new Scene(ctx);
    scene.useDocSync(validateISF(${JSON.stringify(COORDS_SOURCE)}).document);
    const frame = scene.render({ width: 3, height: 2 });
    ctx.destroy();
    process.stdout.write(JSON.stringify({ bytes: frame.pixels.length, env: Object.keys(process.env).sort() }));
  `;
  const out = JSON.parse(
    execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: REPO,
      encoding: 'utf8',
    }),
  ) as { bytes: number; env: string[] };
  assert.equal(out.bytes, 3 * 2 * 4);
  assert.deepEqual(out.env, before);
});
