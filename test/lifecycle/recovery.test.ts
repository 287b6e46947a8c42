/**
 * Recovery: after a shader compile failure, a failed input, a failed render and a forced cleanup, the next valid
 * operation works and gives the right frame, and nothing leaks.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createContext } from '../../src/node/context.ts';
import { Scene } from '../../src/render/scene.ts';
import { ramp } from '../helpers.ts';
import {
  assertCoords,
  assertSameFrame,
  BROKEN_SOURCE,
  code,
  coordsDoc,
  doc,
  feedbackScene,
  live,
  liveCounts,
  sceneOf,
  solidDoc,
} from './fixtures.ts';

const ctx = createContext().initialize();
after(() => ctx.destroy());

test('after a shader compile failure: the scene keeps its document, other scenes compile, nothing leaks', () => {
  const scene = sceneOf(ctx, solidDoc());
  scene.render({ width: 4, height: 4 });
  const counts = liveCounts(ctx);
  for (let i = 0; i < 3; i++) {
    assert.throws(
      () => scene.useDocSync(doc(BROKEN_SOURCE, 'Broken')),
      code('GLSL_COMPILE', /fragment shader failed to compile at line 3/),
    );
  }
  assert.deepEqual(liveCounts(ctx), counts, 'failed compiles leave no shader, program or buffer behind');
  assert.equal(scene.doc?.name, 'Solid');
  assert.deepEqual(scene.render({ width: 4, height: 4 }).pixel(1, 1), [255, 0, 0, 255]);
  const fresh = new Scene(ctx);
  assert.throws(() => fresh.useDocSync(doc(BROKEN_SOURCE, 'Broken')), code('GLSL_COMPILE'));
  assert.throws(() => fresh.render({ width: 4, height: 4 }), code('NO_DOCUMENT'));
  fresh.useDocSync(coordsDoc());
  assertCoords(fresh.render({ width: 6, height: 6 }), 6, 6);
  assert.equal(ctx.validate().ok, true);
  scene.destroy();
  fresh.destroy();
});

test('after failed inputs: values are unchanged and the next render is the same frame as before', () => {
  const scene = feedbackScene(ctx, 8);
  const before = scene.render({ width: 16, height: 16, time: 1, frameIndex: 0 });
  scene.cleanup(); // restart the persistent stream so the frames can be compared
  assert.throws(() => scene.setValue('nope', 1), code('INPUT_UNKNOWN', /no input named "nope"/));
  assert.throws(() => scene.setValue('tint', 'red'), code('INPUT_VALUE'));
  assert.throws(() => scene.setValue('tint', [1, 2]), code('INPUT_VALUE'));
  assert.throws(() => scene.setValues({ tint: [0, 0, 1, 1], nope: 3 }), code('INPUT_UNKNOWN'));
  assert.deepEqual(scene.getValue('tint'), [1, 0.5, 0.25, 1], 'a failed setValues changes nothing');
  assert.throws(
    () => scene.setImageData('inputImage', { width: 8, height: 8, data: new Uint8Array(10) }),
    code('IMAGE_DECODE'),
  );
  assert.throws(() => scene.setImageData('tint', ramp(8, 8)), code('INPUT_VALUE'));
  assert.throws(
    () => scene.setImageData('inputImage', ramp(ctx.maxRenderSize() + 1, 1)),
    code('LIMIT_EXCEEDED'),
  );
  assert.throws(() => scene.fireEvent('tint'), code('INPUT_VALUE'));
  const after = scene.render({ width: 16, height: 16, time: 1, frameIndex: 0 });
  assertSameFrame(after, before, 'after failed inputs');
  scene.destroy();
});

test('after failed renders (bad time, bad readPasses, frame limit, stray GL error): nothing checked out, next frame right', () => {
  const scene = sceneOf(ctx, coordsDoc());
  const limited = new Scene(ctx, { limits: { maxFrameBytes: 1000 } }).useDocSync(coordsDoc());
  const inUse = ctx.stats().pool.inUse;
  assert.throws(() => scene.render({ width: 4, height: 4, time: Number.NaN }), code('BAD_ARGUMENT', /time/));
  assert.throws(
    () => scene.render({ width: 4, height: 4, frameIndex: 1.5 }),
    code('BAD_ARGUMENT', /frameIndex/),
  );
  // fails after the GL work: the buffers of the frame must still go back to the pool
  assert.throws(
    () => scene.render({ width: 4, height: 4, readPasses: ['nope'] }),
    code('BAD_ARGUMENT', /readPasses/),
  );
  assert.equal(ctx.stats().pool.inUse, inUse);
  assert.throws(() => limited.render({ width: 100, height: 100 }), code('LIMIT_EXCEEDED'));
  assertCoords(limited.render({ width: 10, height: 10 }), 10, 10);
  ctx.use('test').bindTexture(0x1234, null);
  assert.throws(() => scene.render({ width: 4, height: 4 }), code('GL_ERROR', /GL_INVALID_ENUM/));
  assert.equal(ctx.stats().pool.inUse, inUse);
  assertCoords(scene.render({ width: 12, height: 5 }), 12, 5);
  assert.throws(
    () => new Scene(ctx).render({ width: 4, height: 4 }),
    code('NO_DOCUMENT', /no document loaded/),
  );
  scene.destroy();
  limited.destroy();
  assert.throws(() => scene.render({ width: 4, height: 4 }), code('RESOURCE_DESTROYED'));
});

test('after a forced cleanup: renders fail typed until initialize(), then scenes rebuild and render right', async () => {
  const scene = feedbackScene(ctx, 8);
  const solidScene = sceneOf(ctx, solidDoc()).setValue('color', [0, 1, 0, 1]);
  const ref = scene.render({ width: 16, height: 16, time: 0.25, frameIndex: 0 });
  scene.render({ width: 16, height: 16, time: 0.5 });
  const held = ctx.acquireRef();
  await ctx.cleanup({ force: true });
  assert.equal(held.valid, false);
  assert.throws(() => scene.render({ width: 16, height: 16 }), code('CONTEXT_STATE'));
  assert.throws(() => solidScene.render({ width: 2, height: 2 }), code('CONTEXT_STATE'));
  assert.throws(() => scene.setValue('nope', 1), code('INPUT_UNKNOWN'), 'CPU-side calls still validate');
  scene.setValue('tint', [1, 0.5, 0.25, 1]);
  ctx.initialize();
  assertSameFrame(
    scene.render({ width: 16, height: 16, time: 0.25, frameIndex: 0 }),
    ref,
    'first frame after',
  );
  assert.deepEqual(solidScene.render({ width: 2, height: 2 }).pixel(0, 0), [0, 255, 0, 255], 'values kept');
  // the pool's forced cleanup, the other forced path
  ctx.pool.forceCleanup();
  assertSameFrame(
    scene.render({ width: 16, height: 16, time: 0.25, frameIndex: 0 }),
    ref,
    'after pool.forceCleanup',
  );
  scene.destroy();
  solidScene.destroy();
});

test('a scene destroyed mid-stream releases everything; the context renders on', () => {
  const scene = feedbackScene(ctx, 8);
  scene.render({ width: 20, height: 20 });
  assert.ok(live(ctx).textures > 0);
  scene.destroy();
  scene.destroy(); // idempotent
  ctx.pool.purge();
  const s = ctx.stats();
  const counted = live(ctx);
  assert.deepEqual(
    [counted.textures, counted.framebuffers, s.bytes, s.pool.inUse],
    [0, 0, 0, 0],
    'every scene of this file is gone',
  );
  const other = sceneOf(ctx, solidDoc());
  assert.deepEqual(other.render({ width: 3, height: 3 }).pixel(2, 2), [255, 0, 0, 255]);
  other.destroy();
});
