/**
 * A user function named like a built-in adds overloads, as in desktop GLSL and ES 1.00 (the hosts), instead of
 * hiding the built-in as GLSL ES 3.00 would: the user's function is renamed isf_user_<name> and forwarding
 * overloads of that name call the built-in (src/core/glsl/forwarding.ts). Each shader calls both the user's
 * function and the built-in, and the rendered pixels are the maths of both.
 */
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { generateShaders } from '../../src/core/glsl/index.ts';
import { parseISF } from '../../src/core/parse/index.ts';
import { nodePlatform } from '../../src/node/platform.ts';
import { Scene } from '../../src/render/scene.ts';
import { context, solid } from '../helpers.ts';

after(() => context().destroy());

const SIZE = 8;

async function render(source: string, setup?: (scene: Scene) => void): Promise<Uint8Array> {
  const doc = parseISF(source, { path: 'overloads.fs' });
  const scene = new Scene(context(), { platform: nodePlatform });
  try {
    await scene.useDoc(doc);
    setup?.(scene);
    return scene.render({ width: SIZE, height: SIZE }).pixels.slice();
  } finally {
    scene.destroy();
  }
}

function pixel(pixels: Uint8Array, x: number, y: number): number[] {
  const i = (y * SIZE + x) * 4;
  return [...pixels.subarray(i, i + 4)];
}

const byte = (v: number): number => Math.round(Math.min(1, Math.max(0, v)) * 255);

test('float cross(vec2, vec2) of the user and the vec3 built-in cross() both work', async () => {
  const source = `/*{ "ISFVSN": "2" }*/
float cross(vec2 a, vec2 b) { return a.x * b.y - a.y * b.x; }
void main() {
  vec2 uv = isf_FragNormCoord;
  float c2 = cross(vec2(uv.x, 0.0), vec2(0.0, 0.5));
  vec3 c3 = cross(vec3(uv.y, 0.0, 0.0), vec3(0.0, 1.0, 0.0));
  gl_FragColor = vec4(c2, c3.z, c3.x + c3.y + 0.25, 1.0);
}
`;
  const g = generateShaders(parseISF(source, { path: 'overloads.fs' }));
  const w = g.warnings.filter((d) => d.code === 'W_RENAMED');
  assert.equal(w.length, 1);
  assert.equal(w[0]!.line, 2);
  assert.match(w[0]!.message, /'cross'.*'isf_user_cross'.*call the built-in/);
  assert.match(g.fragment, /vec3 isf_user_cross\(vec3 a0, vec3 a1\) \{ return cross\(a0, a1\); \}/);

  const pixels = await render(source);
  for (const [x, y] of [
    [1, 1],
    [6, 2],
    [3, 6],
  ] as const) {
    // Readback is top row first: row y has isf_FragNormCoord.y = 1 - (y + 0.5) / SIZE.
    const u = (x + 0.5) / SIZE;
    const v = 1 - (y + 0.5) / SIZE;
    assert.deepEqual(pixel(pixels, x, y), [byte(u * 0.5), byte(v), byte(0.25), 255], `pixel ${x},${y}`);
  }
});

test("the user's own float round(float) wins, round(vec2) and round(vec4) still reach the built-in", async () => {
  const source = `/*{ "ISFVSN": "2" }*/
float round(float x) { return 0.75; }
void main() {
  vec2 r = round(vec2(0.4, 1.6)) * 0.25;
  vec4 q = round(vec4(2.2));
  gl_FragColor = vec4(round(0.2), r, q.x * 0.125);
}
`;
  const pixels = await render(source);
  assert.deepEqual(pixel(pixels, 4, 4), [byte(0.75), byte(0), byte(0.5), byte(0.25)]);
});

test('a user texture(vec2) next to texture(sampler2D, vec2), modf with its out argument, in both stages', async () => {
  const source = `/*{ "ISFVSN": "2", "INPUTS": [ { "NAME": "image", "TYPE": "image" } ] }*/
vec4 texture(vec2 p) { return vec4(p.x, 0.0, 0.0, 1.0); }
in vec3 fromVertex;
void main() {
  vec4 user = texture(vec2(0.25, 0.0));
  vec4 builtin = texture(image, isf_FragNormCoord);
  float whole;
  float part = modf(1.75, whole);
  gl_FragColor = vec4(user.x, builtin.g, part * whole, fromVertex.x);
}
`;
  const vertex = `vec2 modf(vec2 a) { return a * 0.5; }
out vec3 fromVertex;
void main() {
  isf_vertShaderInit();
  vec2 ip;
  vec2 f = modf(vec2(1.5, 2.25), ip);
  fromVertex = vec3(modf(vec2(1.0)).x + f.y * ip.x, 0.0, 0.0);
}
`;
  const doc = parseISF(source, { path: 'overloads.fs', vertexSource: vertex, vertexPath: 'overloads.vs' });
  const scene = new Scene(context(), { platform: nodePlatform });
  try {
    await scene.useDoc(doc);
    scene.setImageData('image', solid(4, 4, [0, 153, 0, 255]));
    const pixels = scene.render({ width: SIZE, height: SIZE }).pixels;
    // part = 0.75, whole = 1; in the vertex shader 0.5 + 0.25 * 1 = 0.75.
    assert.deepEqual(pixel(pixels, 2, 5), [byte(0.25), 153, byte(0.75), byte(0.75)]);
  } finally {
    scene.destroy();
  }
});
