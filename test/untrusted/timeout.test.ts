/**
 * The first test: an endless shader under a 2-second limit gives RenderTimeout within ~3 s, the same
 * process then renders a valid shader correctly, 20 times over, without growing memory or leaving processes.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { ISFError } from '../../src/core/errors.ts';
import { IsolatedRenderer, isRenderTimeout, RenderTimeout } from '../../src/node/isolate/index.ts';
import { alive, pixelOf } from '../helpers.ts';
import { ENDLESS, isolatedChildren, VALID, VALID_PIXEL } from './fixtures.ts';

// The first test runs as configured by default; the loop keeps a spare child warm, so each replacement is
// instant (without it, each cycle also waits for a start-up: ~0.5 s, 1 s on a loaded machine).
const plain = new IsolatedRenderer({ timeoutMs: 2000 });
const withSpare = new IsolatedRenderer({ timeoutMs: 2000, spare: true });
let renderer = plain;
after(() => Promise.all([plain.close(), withSpare.close()]));

const endless = { source: ENDLESS, path: '/shaders/endless.fs', width: 64, height: 64 };
const valid = { source: VALID, width: 8, height: 8 };

async function timedOut(): Promise<{ error: RenderTimeout; ms: number; pid: number | undefined }> {
  const t = performance.now();
  const e = await renderer.render(endless).then(
    () => assert.fail('the endless shader finished'),
    (e: unknown) => e,
  );
  const ms = performance.now() - t;
  assert.ok(e instanceof RenderTimeout, `expected RenderTimeout, got ${(e as Error)?.stack ?? e}`);
  return { error: e, ms, pid: e.details.pid as number | undefined };
}

/**
 * Not before the 2 s limit, and not much after it: stopping a child costs less than starting one, so the time
 * past the limit stays under twice this run's measured child start-up (it grows with the machine's load too).
 */
function assertEndsAtLimit(ms: number, what: string): void {
  const startupMs = renderer.stats().startupMs;
  assert.ok(startupMs !== undefined && startupMs > 0, 'the child reported its start-up time');
  assert.ok(ms >= 1990, `${what}: ${ms.toFixed(0)} ms, before the 2000 ms limit`);
  assert.ok(
    ms - 2000 < 2 * startupMs,
    `${what}: ${ms.toFixed(0)} ms, ${(ms - 2000).toFixed(0)} ms past the limit; a child starts in ${startupMs} ms`,
  );
}

async function rendersCorrectly(): Promise<void> {
  // The 2 s limit is for the endless shader; the valid one gets a limit no loaded machine reaches.
  const frame = await renderer.render(valid, { timeoutMs: 120_000 });
  assert.equal(frame.width, 8);
  assert.deepEqual(pixelOf(frame, 0, 0), VALID_PIXEL);
  assert.deepEqual(pixelOf(frame, 7, 7), VALID_PIXEL);
}

test('an endless shader under a 2 s limit is RenderTimeout within ~3 s, naming the shader and the limit', async () => {
  await rendersCorrectly(); // the child is started and warm: the clock below measures the render alone
  const first = renderer.stats().pid;
  const { error, ms, pid } = await timedOut();
  assertEndsAtLimit(ms, 'the timeout');
  assert.ok(error instanceof ISFError);
  assert.equal(error.code, 'RENDER_TIMEOUT');
  assert.ok(isRenderTimeout(error));
  assert.match(
    error.message,
    /^Rendering \/shaders\/endless\.fs did not finish within 2000 ms; the worker was stopped$/,
  );
  assert.equal(error.timeoutMs, 2000);
  assert.equal(pid, first);
  assert.equal(alive(pid), false, 'the stopped child is gone when the error arrives');
  await rendersCorrectly();
  assert.notEqual(renderer.stats().pid, first, 'a fresh child took over');
  await renderer.close();
  assert.deepEqual(await isolatedChildren(), []);
});

test('20 times: timeout, then a correct render; memory flat, no process left behind', async () => {
  renderer = withSpare;
  await rendersCorrectly();
  const rss: number[] = [];
  const pids = new Set<number>();
  const t0 = performance.now();
  for (let i = 0; i < 20; i++) {
    const { ms, pid } = await timedOut();
    assertEndsAtLimit(ms, `iteration ${i}`);
    assert.ok(pid !== undefined && !pids.has(pid), 'each timeout stops a different child');
    pids.add(pid);
    assert.equal(alive(pid), false, `iteration ${i}: child ${pid} still exists`);
    await rendersCorrectly();
    rss.push(process.memoryUsage().rss);
  }
  const grown = (rss.at(-1)! - rss[1]!) / 1024 ** 2;
  console.log(
    `20 cycles in ${((performance.now() - t0) / 1000).toFixed(1)} s; child start-up ${renderer.stats().startupMs} ms; RSS growth ${grown.toFixed(1)} MB`,
  );
  assert.ok(grown < 30, `parent RSS grew by ${grown.toFixed(1)} MB`);
  assert.equal(renderer.stats().timeouts, 20);
  // Only the current child and the spare are alive, and none after close().
  const current = renderer.stats().pid;
  const live = await isolatedChildren();
  assert.equal(live.length, 2);
  assert.ok(live.includes(current!));
  await renderer.close();
  assert.equal(alive(current), false);
  assert.deepEqual(await isolatedChildren(), []);
  for (const pid of pids) assert.equal(alive(pid), false);
});
