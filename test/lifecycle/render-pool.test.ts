/**
 * RenderPool: worker threads with their own contexts. 200 frames on 2 workers are byte-identical to serial
 * rendering; a worker that dies is replaced and its job retried once, then rejected with WORKER_FAILED; nothing
 * hangs; close() terminates the workers.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createContext } from '../../src/node/context.ts';
import { withFault } from '../../src/node/faults.ts';
import { JobRunner, type RenderJob } from '../../src/node/render-job.ts';
import { RenderPool } from '../../src/node/render-pool.ts';
import type { Frame } from '../../src/render/frame.ts';
import { ramp, testShader } from '../helpers.ts';
import { ENDLESS } from '../untrusted/fixtures.ts';
import {
  ANIMATED_SOURCE,
  animatedDoc,
  assertCoords,
  assertSameFrame,
  BROKEN_SOURCE,
  COORDS_SOURCE,
  code,
  FEEDBACK_SOURCE,
  feedbackDoc,
  sceneOf,
} from './fixtures.ts';

const serialCtx = createContext().initialize();
let pool: RenderPool;
before(() => {
  pool = new RenderPool({ workers: 2 });
});
after(async () => {
  await pool.close();
  serialCtx.destroy();
});

const W = 48;
const H = 32;
const image = ramp(16, 16);

test('a RenderPool of 2 workers renders 200 frames identical to serial ones', async () => {
  const jobs: RenderJob[] = Array.from({ length: 200 }, (_, k) => ({
    source: ANIMATED_SOURCE,
    path: '/virtual/Animated.fs',
    width: W,
    height: H,
    time: k / 24,
    values: { intensity: (k % 11) / 10, tint: [1, (k % 4) / 4, 0.5, 1] },
  }));
  const frames = await Promise.all(jobs.map((j) => pool.render(j)));
  const serial = sceneOf(serialCtx, animatedDoc());
  for (let k = 0; k < 200; k++) {
    serial.setValues(jobs[k]!.values!);
    assertSameFrame(frames[k]!, serial.render({ width: W, height: H, time: jobs[k]!.time }), `frame ${k}`);
  }
  serial.destroy();
  const s = pool.stats();
  assert.equal(s.workers, 2);
  assert.ok(s.completed >= 200);
  assert.deepEqual([s.busy, s.queued, s.failed], [0, 0, 0]);
});

for (const slots of ['thread', 'process'] as const) {
  test(`ready() (${slots} slots): every worker up before the first job, so two jobs submitted together run on both`, async () => {
    const p = new RenderPool({ workers: 2, slots });
    try {
      await p.ready();
      assert.equal(p.stats().workers, 2);
      assert.equal(p.stats().pids.length, slots === 'process' ? 2 : 0);
      const frames = await Promise.all([
        p.render({ source: COORDS_SOURCE, width: 4, height: 3 }),
        p.render({ source: COORDS_SOURCE, width: 5, height: 2 }),
      ]);
      assertCoords(frames[0]!, 4, 3);
      assertCoords(frames[1]!, 5, 2);
      assert.equal(p.stats().workersUsed, 2, 'one job on each worker');
      assert.equal(p.stats().restarts, 0);
    } finally {
      await p.close();
    }
    await assert.rejects(p.ready(), code('RESOURCE_DESTROYED'));
  });
}

test('a persistent-buffer sequence in one job (frames: [...]) equals the serial sequence; images cross threads', async () => {
  const frames = Array.from({ length: 12 }, (_, k) => ({
    time: k / 10,
    values: { tint: [1, k / 12, 0.5, 1] },
  }));
  const job = {
    source: FEEDBACK_SOURCE,
    path: '/virtual/Feedback.fs',
    width: W,
    height: H,
    images: { inputImage: image },
    frames,
  };
  const [a, b] = await Promise.all([pool.render(job), pool.render(job)]); // two workers, same stream
  const serial = sceneOf(serialCtx, feedbackDoc()).setImageData('inputImage', image);
  frames.forEach((f, k) => {
    serial.setValues(f.values);
    const expected = serial.render({ width: W, height: H, time: f.time });
    assertSameFrame(a[k]!, expected, `worker A frame ${k}`);
    assertSameFrame(b[k]!, expected, `worker B frame ${k}`);
  });
  assert.equal(
    image.data.length,
    16 * 16 * 4,
    "the caller's image is still usable (shared, not transferred)",
  );
  serial.destroy();
  // a job is a fresh stream: rendering frame 0 alone again gives frame 0, whichever worker had the scene
  const again = await pool.render({ ...job, frames: [frames[0]!] });
  assertSameFrame(again[0]!, a[0]!, 'fresh stream');
});

test('jobs by file path work, and render errors come back with their code and location', async () => {
  const f = await pool.render({ path: testShader('Test-Functionality'), width: 8, height: 8 });
  assert.deepEqual(f.pixel(4, 4), [255, 0, 0, 255]);
  assertCoords(await pool.render({ source: COORDS_SOURCE, width: 33, height: 7 }), 33, 7);
  await assert.rejects(
    pool.render({ source: BROKEN_SOURCE, path: '/virtual/Broken.fs', width: 8, height: 8 }),
    (e) => {
      code('GLSL_COMPILE', /line 3/)(e);
      assert.equal((e as { line?: number }).line, 3);
      assert.match((e as Error).stack ?? '', /render-pool\.test\.ts/, "the caller's stack");
      return true;
    },
  );
  await assert.rejects(
    pool.render({ source: COORDS_SOURCE, width: 0, height: 8 }),
    code('SIZE_OUT_OF_RANGE'),
  );
  await assert.rejects(
    pool.render({ path: '/nonexistent/x.fs', width: 8, height: 8 }),
    code('ISF_FILE_NOT_FOUND'),
  );
  await assert.rejects(pool.render({ width: 8, height: 8 } as RenderJob), code('BAD_ARGUMENT'));
  await assert.rejects(
    pool.render({ source: ANIMATED_SOURCE, width: 8, height: 8, values: { nope: 1 } }),
    code('INPUT_UNKNOWN'),
  );
  assert.equal(pool.stats().workers, 2, 'render errors do not cost a worker');
});

test('a worker that dies is replaced and its job retried once: exit and uncaught exceptions', async () => {
  const before = pool.stats();
  const ok = await pool.render(withFault({ source: COORDS_SOURCE, width: 10, height: 6 }, 'exit-once'));
  assertCoords(ok, 10, 6);
  const ok2 = await pool.render(withFault({ source: COORDS_SOURCE, width: 10, height: 6 }, 'throw-once'));
  assertCoords(ok2, 10, 6);
  let s = pool.stats();
  assert.equal(s.retried, before.retried + 2);
  assert.equal(s.restarts, before.restarts + 2);
  await assert.rejects(
    pool.render(withFault({ source: COORDS_SOURCE, width: 10, height: 6 }, 'exit')),
    code('WORKER_FAILED', /died \(exit code 70\) on all 2 attempts/),
  );
  await assert.rejects(
    pool.render(withFault({ source: COORDS_SOURCE, width: 10, height: 6 }, 'throw')),
    code('WORKER_FAILED', /simulated worker crash/),
  );
  s = pool.stats();
  assert.equal(s.failed, before.failed + 2);
  assert.equal(s.workers, 2, 'dead workers were replaced');
  assertCoords(await pool.render({ source: COORDS_SOURCE, width: 5, height: 5 }), 5, 5);
});

test('jobs queued around a crash are all settled: none lost, none hanging, the others correct', async () => {
  const results = await Promise.allSettled(
    Array.from({ length: 16 }, (_, k) =>
      pool.render(
        k === 5
          ? withFault({ source: COORDS_SOURCE, width: 8 + k, height: 3 }, 'exit')
          : { source: COORDS_SOURCE, width: 8 + k, height: 3 },
      ),
    ),
  );
  results.forEach((r, k) => {
    if (k === 5) {
      assert.equal(r.status, 'rejected');
      code('WORKER_FAILED')((r as PromiseRejectedResult).reason);
    } else {
      assert.equal(r.status, 'fulfilled', `job ${k}`);
      assertCoords((r as PromiseFulfilledResult<Frame>).value, 8 + k, 3);
    }
  });
  assert.deepEqual([pool.stats().busy, pool.stats().queued], [0, 0]);
});

test('thread slots have no time limit (a thread in a GL call cannot be stopped): refused, not pretended', async () => {
  assert.throws(
    () => new RenderPool({ workers: 1, jobTimeoutMs: 1000 }),
    code('BAD_ARGUMENT', /slots: 'process'/),
  );
  assert.throws(() => new RenderPool({ memoryLimitBytes: 1e9 }), code('BAD_ARGUMENT', /slots: 'process'/));
  const threads = new RenderPool({ workers: 1 });
  await assert.rejects(
    threads.render({ source: COORDS_SOURCE, width: 4, height: 4 }, { timeoutMs: 1000 }),
    code('BAD_ARGUMENT', /slots: 'process'/),
  );
  assert.equal(threads.stats().workers, 0, 'refused before a worker started');
  await threads.close();
});

test('process slots: a job hanging inside a GL call is RENDER_TIMEOUT; 10 good jobs then all complete, exactly one slot replaced', async () => {
  // ENDLESS takes minutes at 64x64; the good jobs (4x3 pixels) get a per-job limit of their own that a loaded
  // machine cannot reach, so only the hung job can time out.
  const quick = new RenderPool({ workers: 2, slots: 'process', jobTimeoutMs: 15_000 });
  try {
    // ENDLESS blocks in glReadPixels / the draw for minutes at 64x64 on llvmpipe (and forever on a GPU).
    const hung = quick.render({ source: ENDLESS, width: 64, height: 64 });
    const good = Array.from({ length: 10 }, (_, k) =>
      quick.render({ source: COORDS_SOURCE, width: 4 + k, height: 3 }, { timeoutMs: 300_000 }),
    );
    await assert.rejects(hung, code('RENDER_TIMEOUT', /did not finish within 15000 ms/));
    const frames = await Promise.all(good);
    for (const [k, f] of frames.entries()) assertCoords(f, 4 + k, 3);
    const s = quick.stats();
    assert.equal(s.restarts, 1, 'exactly one slot replaced');
    assert.equal(s.completed, 10);
    assert.equal(s.workers, 2);
  } finally {
    await quick.close();
  }
});

test('process slots: a native crash is retried once on a fresh slot, then GL_DRIVER_CRASH; the pool goes on', async () => {
  const p = new RenderPool({ workers: 1, slots: 'process' });
  try {
    assertCoords(
      await p.render(withFault({ source: COORDS_SOURCE, width: 5, height: 4 }, 'segv-once')),
      5,
      4,
    );
    await assert.rejects(
      p.render(withFault({ source: COORDS_SOURCE, width: 5, height: 4 }, 'segv')),
      code(
        'GL_DRIVER_CRASH',
        /the GL driver crashed compiling or drawing this shader \(SIGSEGV\) on all 2 attempts/,
      ),
    );
    assertCoords(await p.render({ source: COORDS_SOURCE, width: 3, height: 3 }), 3, 3);
    // Three crashes (segv-once's first attempt, both of segv's), each slot replaced; each job retried once.
    assert.equal(p.stats().restarts, 3);
    assert.equal(p.stats().retried, 2);
  } finally {
    await p.close();
  }
});

test('close() rejects what is pending, terminates the workers; render() afterwards is RESOURCE_DESTROYED', async () => {
  const p = new RenderPool({ workers: 1 });
  const pending = Promise.allSettled(
    Array.from({ length: 4 }, () => p.render({ source: COORDS_SOURCE, width: 4, height: 4 })),
  );
  await p.close();
  for (const r of await pending) {
    assert.equal(r.status, 'rejected');
    code('WORKER_FAILED', /closed/)((r as PromiseRejectedResult).reason);
  }
  assert.equal(p.stats().workers, 0);
  await assert.rejects(p.render({ source: COORDS_SOURCE, width: 4, height: 4 }), code('RESOURCE_DESTROYED'));
  await p.close(); // idempotent
  assert.throws(() => new RenderPool({ workers: 0 }), code('BAD_ARGUMENT'));
});

test('JobRunner in this thread gives the same frames as the pool', async () => {
  const runner = new JobRunner(serialCtx);
  const job: RenderJob = {
    source: ANIMATED_SOURCE,
    width: W,
    height: H,
    time: 3.25,
    values: { intensity: 0.3 },
  };
  const [local] = await runner.run(job);
  assertSameFrame(await pool.render(job), local!, 'pool vs in-thread runner');
  runner.clear();
});

test('workers that cannot create a context: after 3 start-up failures in a row jobs reject with the cause, nothing hangs', async () => {
  const bad = new RenderPool({ workers: 1, contextOptions: { libEGL: '/nonexistent/libEGL.so.1' } });
  try {
    await assert.rejects(
      bad.render({ source: COORDS_SOURCE, width: 4, height: 4 }),
      code('GL_UNAVAILABLE', /nonexistent\/libEGL/),
    );
    assert.equal(bad.stats().restarts, 2, 'tried 3 times');
    await assert.rejects(bad.render({ source: COORDS_SOURCE, width: 4, height: 4 }), code('GL_UNAVAILABLE'));
    assert.equal(bad.stats().workers, 0);
  } finally {
    await bad.close();
  }
});
