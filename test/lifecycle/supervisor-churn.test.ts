/**
 * The supervisor under churn: 200 RenderPool worker threads started and stopped, and 100 process slots killed
 * in the middle of a job (a hanging frame past its time limit), with good jobs around them. Nothing crashes,
 * every job settles with its pixels or a typed error, no process is left behind, and nothing is added to
 * process.env or to a slot's environment (only Node's own IPC variables of fork()).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ISFError } from '../../src/core/errors.ts';
import { RenderPool } from '../../src/node/render-pool.ts';
import { descendants, ENDLESS } from '../untrusted/fixtures.ts';
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
  for (let round = 0; round < 25; round++) {
    const pool = new RenderPool({ workers: 8 });
    const frames = await Promise.all(
      Array.from({ length: 8 }, (_, k) => pool.render({ source: COORDS_SOURCE, width: 3 + k, height: 2 })),
    );
    for (const [k, f] of frames.entries()) assertCoords(f, 3 + k, 2);
    assert.equal(pool.stats().workers, 8);
    await pool.close();
    assert.equal(pool.stats().workers, 0);
  }
  assert.deepEqual(envNames(), before, 'process.env');
});

test('100 process slots killed mid-job: each a RENDER_TIMEOUT, the good jobs correct, nothing left behind', async () => {
  const pool = new RenderPool({ workers: 4, slots: 'process', jobTimeoutMs: 300 });
  try {
    // A good job first: the slots are up, and their environment is the parent's.
    assertCoords(await pool.render({ source: COORDS_SOURCE, width: 4, height: 4 }), 4, 4);
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
    assertCoords(await pool.render({ source: COORDS_SOURCE, width: 5, height: 3 }), 5, 3);
  } finally {
    await pool.close();
  }
  assert.deepEqual(await slotProcesses(), [], 'no slot process left');
  assert.deepEqual(envNames(), before, 'process.env');
});
