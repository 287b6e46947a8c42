/**
 * A pass's target is cleared before its draw only when the draw may leave pixels unwritten (discard, a .vs of the
 * user's, VERTEX_SHADER_ART): the pooled target then holds an older frame, which must not show through. A draw
 * that writes every pixel skips the clear, and its bytes are the same.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { generateShaders } from '../../src/core/glsl/index.ts';
import { parseISF } from '../../src/core/parse/index.ts';
import { Scene } from '../../src/render/scene.ts';
import { context } from '../helpers.ts';
import { TRIANGLES_VSA } from './vsa-fixtures.ts';

after(() => context().destroy());

const size = { width: 8, height: 8 };
const white = parseISF(`/*{ "ISFVSN": "2" }*/
void main() { gl_FragColor = vec4(1.0); }`);
const halfDiscard = parseISF(`/*{ "ISFVSN": "2" }*/
void main() { if (isf_FragNormCoord.x < 0.5) discard; gl_FragColor = vec4(0.0, 1.0, 0.0, 1.0); }`);
const twoPass = parseISF(`/*{ "ISFVSN": "2", "PASSES": [ { "TARGET": "a" }, {} ] }*/
void main() {
  if (PASSINDEX == 0) gl_FragColor = vec4(isf_FragNormCoord, 0.25, 1.0);
  else gl_FragColor = IMG_NORM_PIXEL(a, isf_FragNormCoord).bgra;
}`);

test('generateShaders: writesEveryPixel only for our quad and a fragment shader that cannot discard', () => {
  assert.equal(generateShaders(white).writesEveryPixel, true);
  assert.equal(generateShaders(twoPass).writesEveryPixel, true);
  assert.equal(generateShaders(halfDiscard).writesEveryPixel, false);
  const inComment = parseISF(`/*{ "ISFVSN": "2" }*/
// never discard here
void main() { gl_FragColor = vec4(1.0); }`);
  assert.equal(
    generateShaders(inComment).writesEveryPixel,
    false,
    'the word in a comment errs towards a clear',
  );
  const pasted = parseISF(`/*{ "ISFVSN": "2" }*/
#define K(a, b) a ## b
void main() { gl_FragColor = vec4(1.0); }`);
  assert.equal(generateShaders(pasted).writesEveryPixel, false, 'token pasting errs towards a clear');
  const withVs = parseISF(
    `/*{ "ISFVSN": "2" }*/
void main() { gl_FragColor = vec4(1.0); }`,
    { vertexSource: 'void main() { isf_vertShaderInit(); gl_Position.xy *= 0.5; }' },
  );
  assert.equal(generateShaders(withVs).writesEveryPixel, false, 'a .vs of the user may move the quad');
  assert.notEqual(generateShaders(parseISF(TRIANGLES_VSA)).writesEveryPixel, true, 'VERTEX_SHADER_ART');
});

test('a draw that writes every pixel makes no clear, and gives the same bytes as one that clears', () => {
  const scene = new Scene(context()).useDocSync(twoPass);
  scene.render(size).release(); // program compiled, targets pooled
  let clears = 0;
  const gl = context().use('spy') as unknown as Record<string, (...args: unknown[]) => unknown>;
  const { clear } = gl;
  gl.clear = function (this: unknown, ...args: unknown[]) {
    clears += 1;
    return clear!.apply(this, args);
  };
  let skipped: Buffer;
  try {
    const f = scene.render({ ...size, time: 1 });
    skipped = Buffer.from(f.pixels);
    f.release();
  } finally {
    delete gl.clear;
  }
  assert.equal(clears, 0, 'two passes, no clear');
  // The same document with a discard that never happens (x is never below -1): the clearing path.
  const clearing = parseISF(`/*{ "ISFVSN": "2", "PASSES": [ { "TARGET": "a" }, {} ] }*/
void main() {
  if (isf_FragNormCoord.x < -1.0) discard;
  if (PASSINDEX == 0) gl_FragColor = vec4(isf_FragNormCoord, 0.25, 1.0);
  else gl_FragColor = IMG_NORM_PIXEL(a, isf_FragNormCoord).bgra;
}`);
  const other = new Scene(context()).useDocSync(clearing);
  const g = other.render({ ...size, time: 1 });
  assert.ok(Buffer.from(g.pixels).equals(skipped), 'same bytes with and without the clear');
  g.release();
  other.destroy();
  scene.destroy();
});

test('a discarding shader still gets a cleared target: an older frame in the pooled buffer never shows', () => {
  const whiteScene = new Scene(context()).useDocSync(white);
  const w = whiteScene.render(size);
  assert.deepEqual([...w.pixel(0, 0)], [255, 255, 255, 255]);
  w.release(); // its target goes back to the pool, white
  const scene = new Scene(context()).useDocSync(halfDiscard);
  const f = scene.render(size);
  assert.deepEqual([...f.pixel(0, 0)], [0, 0, 0, 0], 'a discarded pixel is transparent black, not white');
  assert.deepEqual([...f.pixel(7, 0)], [0, 255, 0, 255], 'a drawn pixel is the shader’s');
  f.release();
  scene.destroy();
  whiteScene.destroy();
});
