/**
 * EGL display lifetime keeps no process-wide state in the environment: creating and destroying contexts, in the
 * main thread and in a worker, adds no variable to process.env, to the worker's environment, or to the
 * environment a spawned child (ffmpeg, a supervised child...) inherits. Its own file, so that the "before"
 * snapshot is taken before this process has opened any EGL display.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { createEglContext } from '../../src/node/egl/index.ts';
import { pixel, readRGBA8, target } from './egl-helpers.ts';

/** The variable names a child spawned now inherits. */
function childEnvNames(): string[] {
  const out = execFileSync('env', ['-0'], { encoding: 'utf8' });
  return out
    .split('\0')
    .filter(Boolean)
    .map((kv) => kv.slice(0, kv.indexOf('=')))
    .sort();
}

const names = (env: NodeJS.ProcessEnv) => Object.keys(env).sort();

/** Creates two contexts, draws with each, destroys them (the thread's last), then once more. */
function churn(): void {
  for (let round = 0; round < 2; round++) {
    const a = createEglContext({ width: 4, height: 4 });
    const b = createEglContext({ width: 4, height: 4 });
    for (const ctx of [a, b]) {
      target(ctx.gl, 4, 4);
      ctx.gl.clearColor(0, 1, 0, 1);
      ctx.gl.clear(ctx.gl.COLOR_BUFFER_BIT);
      assert.deepEqual(pixel(readRGBA8(ctx.gl, 4, 4), 4, 1, 1), [0, 255, 0, 255]);
    }
    a.destroy();
    b.destroy();
  }
}

test('contexts created and destroyed in the main thread and in a worker add no environment variable', async () => {
  const envBefore = names(process.env);
  const childBefore = childEnvNames();

  churn();

  const eglUrl = new URL('../../src/node/egl/index.ts', import.meta.url).href;
  const code = `
    const { parentPort } = require('node:worker_threads');
    const { execFileSync } = require('node:child_process');
    const names = () => Object.keys(process.env).sort();
    const child = () => execFileSync('env', ['-0'], { encoding: 'utf8' }).split('\\0').filter(Boolean)
      .map((kv) => kv.slice(0, kv.indexOf('='))).sort();
    const before = { env: names(), child: child() };
    import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(eglUrl)}); }).then(({ createEglContext }) => {
      const px = [];
      for (let i = 0; i < 3; i++) {
        const ctx = createEglContext({ width: 2, height: 2 });
        const gl = ctx.gl;
        gl.clearColor(1, 0, 0, 1);
        gl.clear(gl.COLOR_BUFFER_BIT);
        const out = new Uint8Array(4);
        gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, out);
        px.push(Array.from(out));
        ctx.destroy();
      }
      parentPort.postMessage({ before, after: { env: names(), child: child() }, px });
    }).catch((e) => parentPort.postMessage({ error: String(e && e.stack) }));
  `;
  const worker = new Worker(code, { eval: true });
  let report: {
    error?: string;
    before: { env: string[]; child: string[] };
    after: { env: string[]; child: string[] };
    px: number[][];
  };
  try {
    report = await new Promise((resolve, reject) => worker.once('message', resolve).once('error', reject));
  } finally {
    await worker.terminate();
  }
  assert.equal(report.error, undefined);
  assert.deepEqual(report.px, [
    [255, 0, 0, 255],
    [255, 0, 0, 255],
    [255, 0, 0, 255],
  ]);
  assert.deepEqual(report.after.env, report.before.env, "the worker's process.env");
  assert.deepEqual(report.after.child, report.before.child, 'a child spawned by the worker');

  churn(); // the main thread again, after the worker's contexts are gone
  assert.deepEqual(names(process.env), envBefore, 'process.env');
  assert.deepEqual(childEnvNames(), childBefore, 'a child spawned by the main thread');
});
