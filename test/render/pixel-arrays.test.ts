/**
 * The default render() path reuses pixel arrays: a released Frame's arrays serve a later frame; a Frame that is
 * held stays valid; a caller's own render({ pixels }) array is never taken over.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { parseISF } from '../../src/core/parse/index.ts';
import { Scene } from '../../src/render/scene.ts';
import { assertISFError, context } from '../helpers.ts';

after(() => context().destroy());

const doc = parseISF(`/*{ "ISFVSN": "2.0" }*/
void main() { gl_FragColor = vec4(isf_FragNormCoord, TIME, 1.0); }`);
const size = { width: 16, height: 8 };

test('a released frame hands its array to the next render; released frames refuse use', () => {
  const scene = new Scene(context()).useDocSync(doc);
  const a = scene.render({ ...size, time: 0 });
  const array = a.pixels;
  const held = scene.render({ ...size, time: 1 });
  assert.notEqual(held.pixels, array, 'two frames held: two arrays');
  a.release();
  assert.throws(
    () => a.pixels,
    (e) => assertISFError(e, 'RESOURCE_DESTROYED'),
  );
  a.release(); // idempotent
  const b = scene.render({ ...size, time: 0.5 });
  assert.equal(b.pixels, array, 'the released array is reused');
  assert.equal(b.pixel(0, 0)[2], 128, 'and holds the new frame');
  assert.equal(held.pixel(0, 0)[2], 255, 'a held frame is untouched by later renders');
  scene.destroy();
});

test('render({ pixels }): the caller’s array is not recycled on release', () => {
  const scene = new Scene(context()).useDocSync(doc);
  const own = new Uint8Array(16 * 8 * 4);
  const f = scene.render({ ...size, pixels: own });
  assert.equal(f.pixels, own);
  f.release();
  const g = scene.render(size);
  assert.notEqual(g.pixels, own);
  scene.destroy();
});
