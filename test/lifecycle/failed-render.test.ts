/**
 * A render that throws leaves the scene exactly as it was before it: TIME/TIMEDELTA's previous time, FRAMEINDEX,
 * events and persistent buffers. A retry renders the frame the failed render would have, byte for byte the same
 * as in an uninterrupted run, whether the failure came before the GL work (bad size), after it (bad readPasses) or
 * in the middle of it (the context lost during a draw, checkErrors on and off).
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import type { GLBackend } from '../../src/gl/backend.ts';
import type { GL2 } from '../../src/gl/gl2.ts';
import { createContext, eglBackend } from '../../src/node/context.ts';
import { createContextWith, type GLContext } from '../../src/render/context.ts';
import type { Frame } from '../../src/render/frame.ts';
import type { Scene } from '../../src/render/scene.ts';
import { assertSameFrame, code, doc, feedbackScene, sceneOf } from './fixtures.ts';

/** FRAMEINDEX, TIMEDELTA and an event, straight into the pixels (no persistent state: survives a loss). */
const CLOCK_SOURCE = `/*{ "INPUTS": [ { "NAME": "flash", "TYPE": "event" } ] }*/
void main() {
  gl_FragColor = vec4(float(FRAMEINDEX) / 255.0, TIMEDELTA, flash ? 1.0 : 0.0, 1.0);
}
`;

const W = 8;
const H = 6;
const times = [0, 0.25, 0.5, 0.75];

/** Fires the clock scene's event (the feedback scene has none). */
function fire(scene: Scene): void {
  if (scene.doc!.inputs.some((i) => i.name === 'flash')) scene.setValue('flash', true);
}

/** Frame k of the run (the event fires on frame 2). */
function frameK(scene: Scene, k: number): Frame {
  return scene.render({ width: W, height: H, time: times[k]! });
}

function uninterrupted(scene: Scene): Frame[] {
  const out: Frame[] = [];
  for (let k = 0; k < times.length; k++) {
    if (k === 2) fire(scene);
    out.push(frameK(scene, k));
  }
  return out;
}

function assertRun(actual: Frame[], expected: Frame[], what: string): void {
  assert.equal(actual.length, expected.length);
  for (let k = 0; k < expected.length; k++) {
    assert.equal(actual[k]!.meta.frameIndex, k, `${what}: frame ${k} FRAMEINDEX`);
    assert.equal(actual[k]!.meta.timeDelta, expected[k]!.meta.timeDelta, `${what}: frame ${k} TIMEDELTA`);
    assertSameFrame(actual[k]!, expected[k]!, `${what}: frame ${k}`);
  }
}

/** A context whose GL calls the test can reach: `loseOnDraw(n)` loses the native context on the n-th next draw. */
function losable(checkErrors: boolean): { ctx: GLContext; loseOnDraw(n: number): void } {
  let drawsLeft = 0;
  const ctx = createContextWith(
    () => {
      const real = eglBackend();
      const gl = new Proxy(real.gl, {
        get(target, prop) {
          if (prop === 'drawArrays') {
            return (mode: number, first: number, count: number) => {
              if (drawsLeft > 0 && --drawsLeft === 0) real.simulateLoss!();
              target.drawArrays(mode, first, count);
            };
          }
          const v = Reflect.get(target, prop, target);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      }) as GL2;
      return { ...real, gl } satisfies GLBackend;
    },
    { checkErrors },
  );
  return { ctx, loseOnDraw: (n) => (drawsLeft = n) };
}

const ctx = createContext().initialize();
after(() => ctx.destroy());

test('a render failing before or after its GL work changes nothing; the retry is the uninterrupted frame', () => {
  for (const make of [() => sceneOf(ctx, doc(CLOCK_SOURCE, 'Clock')), () => feedbackScene(ctx, 8)]) {
    const reference = make();
    const expected = uninterrupted(reference);
    const scene = make();
    const actual = [frameK(scene, 0), frameK(scene, 1)];
    fire(scene);
    const inUse = ctx.stats().pool.inUse;
    assert.throws(
      () => scene.render({ width: 0, height: H, time: times[2]! }),
      code('SIZE_OUT_OF_RANGE', /width/),
    );
    // Fails after every pass has drawn (the feedback scene's accumulator included).
    assert.throws(
      () => scene.render({ width: W, height: H, time: times[2]!, readPasses: ['nope'] }),
      code('BAD_ARGUMENT', /readPasses/),
    );
    assert.equal(ctx.stats().pool.inUse, inUse, 'the failed frames gave back what they checked out');
    assert.equal(scene.frameIndex, 2, 'FRAMEINDEX did not move');
    actual.push(frameK(scene, 2), frameK(scene, 3));
    assertRun(actual, expected, scene.doc!.name);
    // What a failed render that advanced the scene would have left: frame 2 rendered a second time differs
    // (FRAMEINDEX 3, TIMEDELTA 0, no event; the accumulator mixed twice), so the comparison above can fail.
    const advanced = make();
    for (let k = 0; k < 3; k++) frameK(advanced, k);
    assert.notDeepEqual(Array.from(frameK(advanced, 2).pixels), Array.from(expected[2]!.pixels));
    advanced.destroy();
    reference.destroy();
    scene.destroy();
  }
});

test('the context lost during a draw: GL_CONTEXT_LOST, and after reinitialize() the retry is the uninterrupted frame', () => {
  const refCtx = createContext().initialize();
  const expected = uninterrupted(sceneOf(refCtx, doc(CLOCK_SOURCE, 'Clock')));
  refCtx.destroy();
  for (const checkErrors of [true, false]) {
    const { ctx: lossy, loseOnDraw } = losable(checkErrors);
    try {
      const scene = sceneOf(lossy, doc(CLOCK_SOURCE, 'Clock'));
      const actual = [frameK(scene, 0), frameK(scene, 1)];
      scene.setValue('flash', true);
      loseOnDraw(1);
      assert.throws(() => frameK(scene, 2), code('GL_CONTEXT_LOST'), `checkErrors: ${checkErrors}`);
      assert.equal(lossy.state, 'lost');
      assert.equal(scene.frameIndex, 2, 'FRAMEINDEX did not move');
      lossy.reinitialize();
      actual.push(frameK(scene, 2), frameK(scene, 3));
      assertRun(actual, expected, `lost during a draw (checkErrors: ${checkErrors})`);
    } finally {
      lossy.destroy();
    }
  }
});
