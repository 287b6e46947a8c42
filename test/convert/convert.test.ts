/**
 * isf convert: Shadertoy and GLSL Sandbox shaders written for these tests, converted, compiled and rendered, each
 * checked against the value its maths gives; plus the real corpus under ../shared/corpus/shadertoy.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { convertShadertoy, convertSource, type ShadertoyProject } from '../../src/core/convert/index.ts';
import { parseISF } from '../../src/core/parse/index.ts';
import { nodePlatform } from '../../src/node/platform.ts';
import { Scene } from '../../src/render/scene.ts';
import { assertISFError, context, pixelOf, ramp } from '../helpers.ts';

const scenes: Scene[] = [];
after(() => {
  for (const s of scenes) s.destroy();
});

function sceneOf(source: string): Scene {
  const doc = parseISF(source, { path: '/tmp/converted.fs' });
  const scene = new Scene(context(), { platform: nodePlatform });
  scene.useDocSync(doc);
  scenes.push(scene);
  return scene;
}

function convertOne(code: string): {
  source: string;
  warnings: ReturnType<typeof convertSource>[number]['warnings'];
} {
  const [r] = convertSource(code, { file: 'test.glsl' });
  return r!;
}

/** Renders frames 0..n-1 at 30 fps and returns the last frame's pixels. */
function renderFrames(scene: Scene, n: number, width = 8, height = 8): Uint8Array {
  let pixels = new Uint8Array();
  for (let k = 0; k < n; k++) {
    pixels = new Uint8Array(
      scene.render({ width, height, time: k / 30, timeDelta: k === 0 ? 0 : 1 / 30, frameIndex: k }).pixels,
    );
  }
  return pixels;
}

const near = (actual: number, expected: number, tol = 1) =>
  assert.ok(Math.abs(actual - expected) <= tol, `expected ${expected} ± ${tol}, got ${actual}`);

describe('Shadertoy single pass', () => {
  test('iTime, iResolution.xy and iResolution.z', () => {
    const { source } = convertOne(`
void mainImage(out vec4 fragColor, in vec2 fragCoord) {
    fragColor = vec4(fragCoord.x / iResolution.x, iTime / 10.0, iResolution.z, 0.0);
}`);
    const scene = sceneOf(source);
    const f = scene.render({ width: 8, height: 4, time: 5 });
    for (const x of [0, 3, 7]) {
      const [r, g, b, a] = pixelOf(f, x, 1);
      near(r!, ((x + 0.5) / 8) * 255);
      near(g!, 127.5);
      assert.equal(b, 255);
      assert.equal(a, 255, 'the Image pass is opaque, as Shadertoy shows it');
    }
  });

  test('iMouse: pixels from the normalised mouse input, zw signed by the button', () => {
    const { source } = convertOne(`
void mainImage(out vec4 c, in vec2 p) {
    c = vec4(iMouse.xy / iResolution.xy, iMouse.z > 0.0 ? 1.0 : 0.5, 1.0);
}`);
    const scene = sceneOf(source);
    scene.setValue('mouse', [0.25, 0.75]);
    scene.setValue('mouseDown', true);
    let [r, g, b] = pixelOf(scene.render({ width: 8, height: 8 }), 2, 2);
    near(r!, 64);
    near(g!, 191);
    assert.equal(b, 255);
    scene.setValue('mouseDown', false);
    [, , b] = pixelOf(scene.render({ width: 8, height: 8 }), 2, 2);
    near(b!, 128);
  });

  test('texture(iChannel0, uv) shows the image upright; texelFetch gives its exact texels', () => {
    const img = ramp(8, 8);
    for (const code of [
      'void mainImage(out vec4 c, in vec2 p) { c = texture(iChannel0, p / iResolution.xy); }',
      'void mainImage(out vec4 c, in vec2 p) { c = texelFetch(iChannel0, ivec2(p), 0); }',
    ]) {
      const scene = sceneOf(convertOne(code).source);
      scene.setImage('iChannel0Image', img);
      const f = scene.render({ width: 8, height: 8 });
      for (const [x, y] of [
        [0, 0],
        [7, 0],
        [3, 5],
        [7, 7],
      ] as const) {
        const got = pixelOf(f, x, y);
        const want = pixelOf(img, x, y);
        for (let k = 0; k < 3; k++) near(got[k]!, want[k]!, 1);
      }
    }
  });

  test('a texture channel repeats by default (uv + 1 samples like uv), nearest filter picks texel centres', () => {
    const img = ramp(4, 4);
    const plain = sceneOf(
      convertOne('void mainImage(out vec4 c, in vec2 p) { c = texture(iChannel0, p / iResolution.xy); }')
        .source,
    );
    const shifted = sceneOf(
      convertOne(
        'void mainImage(out vec4 c, in vec2 p) { c = texture(iChannel0, p / iResolution.xy + vec2(1.0, -2.0)); }',
      ).source,
    );
    plain.setImage('iChannel0Image', img);
    shifted.setImage('iChannel0Image', img);
    const a = plain.render({ width: 16, height: 16 }).pixels;
    const b = shifted.render({ width: 16, height: 16 }).pixels;
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    assert.ok(diff <= 2, `repeat wrap: max difference ${diff}`);

    const project: ShadertoyProject = {
      info: {},
      passes: [
        {
          kind: 'image',
          name: 'Image',
          code: 'void mainImage(out vec4 c, in vec2 p) { c = texture(iChannel0, p / iResolution.xy); }',
          inputs: [{ channel: 0, kind: 'texture', filter: 'nearest', wrap: 'clamp' }],
        },
      ],
    };
    const nearest = sceneOf(convertShadertoy(project).source);
    nearest.setImage('iChannel0Image', img);
    const f = nearest.render({ width: 16, height: 16 });
    // 4x magnification with nearest filtering: each 4x4 block is one texel of the image.
    for (const [x, y] of [
      [0, 0],
      [5, 9],
      [15, 15],
    ] as const) {
      assert.deepEqual(pixelOf(f, x, y).slice(0, 3), pixelOf(img, x >> 2, y >> 2).slice(0, 3));
    }
  });

  test('the Common tab is included once; a desktop main() wrapper is dropped with a warning', () => {
    const project: ShadertoyProject = {
      info: { name: 'Tint', username: 'someone', description: 'a tint', tags: ['test'] },
      passes: [
        { kind: 'common', name: 'Common', code: 'vec3 tint() { return vec3(0.2, 0.4, 0.6); }\n', inputs: [] },
        {
          kind: 'image',
          name: 'Image',
          code: 'void mainImage(out vec4 c, in vec2 p) { c = vec4(tint(), 1.0); }\nout vec4 fragColor; void main() { mainImage(fragColor, gl_FragCoord.xy); }\n',
          inputs: [],
          file: 'image.glsl',
        },
      ],
    };
    const r = convertShadertoy(project);
    const doc = parseISF(r.source, { path: '/tmp/x.fs' });
    assert.equal(doc.credit, '"Tint" by someone');
    assert.equal(doc.description, 'a tint');
    assert.deepEqual(doc.categories, ['Shadertoy', 'test']);
    const w = r.warnings.find((d) => /main\(\) wrapper/.test(d.message));
    assert.ok(w, 'warned about the dropped wrapper');
    assert.equal(w.file, 'image.glsl');
    assert.equal(w.line, 2);
    const [red, green, blue] = pixelOf(sceneOf(r.source).render({ width: 4, height: 4 }), 1, 1);
    near(red!, 51);
    near(green!, 102);
    near(blue!, 153);
  });

  test('input that is neither Shadertoy nor Sandbox is CONVERT_SOURCE; ISF input says so', () => {
    assert.throws(
      () => convertSource('void foo() {}', { file: 'x.glsl' }),
      (e) => assertISFError(e, 'CONVERT_SOURCE', /neither/),
    );
    assert.throws(
      () => convertSource('/*{"INPUTS":[]}*/ void main(){}', { file: 'x.fs' }),
      (e) => assertISFError(e, 'CONVERT_SOURCE', /ISF already/),
    );
  });
});

/** Buffer A counts frames; Image shows the count. */
const counterProject = (): ShadertoyProject => ({
  info: {},
  passes: [
    {
      kind: 'buffer',
      name: 'Buffer A',
      output: 'A',
      code: 'void mainImage(out vec4 c, in vec2 p) { c = texelFetch(iChannel0, ivec2(p), 0) + vec4(1.0, 0.0, 0.0, 0.0); }',
      inputs: [{ channel: 0, kind: 'buffer', buffer: 'A' }],
    },
    {
      kind: 'image',
      name: 'Image',
      code: 'void mainImage(out vec4 c, in vec2 p) { c = vec4(texelFetch(iChannel0, ivec2(p), 0).r / 255.0, 0.0, 0.0, 1.0); }',
      inputs: [{ channel: 0, kind: 'buffer', buffer: 'A' }],
    },
  ],
});

describe('Shadertoy multi-pass', () => {
  test('a buffer that reads itself counts frames', () => {
    const scene = sceneOf(convertShadertoy(counterProject()).source);
    for (const n of [1, 2, 5]) {
      const s2 = sceneOf(convertShadertoy(counterProject()).source);
      assert.equal(renderFrames(s2, n)[0], n, `after ${n} frames`);
    }
    assert.ok(scene);
  });

  test("two buffers feeding each other: A reads B's previous frame, B reads A's current frame (Shadertoy's order)", () => {
    const project: ShadertoyProject = {
      info: {},
      passes: [
        // Passes listed out of order, as the API JSON often has them: Image first.
        {
          kind: 'image',
          name: 'Image',
          code: 'void mainImage(out vec4 c, in vec2 p) { c = vec4(texelFetch(iChannel0, ivec2(p), 0).r / 100.0, texelFetch(iChannel1, ivec2(p), 0).r / 100.0, 0.0, 1.0); }',
          inputs: [
            { channel: 0, kind: 'buffer', buffer: 'A' },
            { channel: 1, kind: 'buffer', buffer: 'B' },
          ],
        },
        {
          kind: 'buffer',
          name: 'Buffer B',
          output: 'B',
          code: 'void mainImage(out vec4 c, in vec2 p) { c = vec4(texelFetch(iChannel0, ivec2(p), 0).r + 1.0); }',
          inputs: [{ channel: 0, kind: 'buffer', buffer: 'A' }],
        },
        {
          kind: 'buffer',
          name: 'Buffer A',
          output: 'A',
          code: 'void mainImage(out vec4 c, in vec2 p) { c = vec4(texelFetch(iChannel0, ivec2(p), 0).r + 1.0); }',
          inputs: [{ channel: 0, kind: 'buffer', buffer: 'B' }],
        },
      ],
    };
    const converted = convertShadertoy(project).source;
    // Frame n: A = 2n + 1, B = 2n + 2.
    for (const frames of [1, 3]) {
      const px = renderFrames(sceneOf(converted), frames);
      const n = frames - 1;
      near(px[0]!, ((2 * n + 1) / 100) * 255);
      near(px[1]!, ((2 * n + 2) / 100) * 255);
    }
    // The same shader written by hand in ISF renders the same bytes.
    const hand = `/*{"ISFVSN":"2","INPUTS":[],"PASSES":[{"TARGET":"bufA","PERSISTENT":true,"FLOAT":true},{"TARGET":"bufB","PERSISTENT":true,"FLOAT":true},{}]}*/
void main() {
  ivec2 p = ivec2(gl_FragCoord.xy);
  if (PASSINDEX == 0) gl_FragColor = vec4(texelFetch(bufB, p, 0).r + 1.0);
  else if (PASSINDEX == 1) gl_FragColor = vec4(texelFetch(bufA, p, 0).r + 1.0);
  else gl_FragColor = vec4(texelFetch(bufA, p, 0).r / 100.0, texelFetch(bufB, p, 0).r / 100.0, 0.0, 1.0);
}`;
    const a = sceneOf(converted);
    const b = sceneOf(hand);
    for (let k = 0; k < 4; k++) {
      const opts = { width: 8, height: 8, time: k / 30, frameIndex: k };
      assert.deepEqual(a.render(opts).pixels, b.render(opts).pixels, `frame ${k}`);
    }
  });

  test('Game of Life: a blinker through iFrame and a self-reading buffer; same-named helpers renamed per pass', () => {
    const life = `
float cell(ivec2 p) { return texelFetch(iChannel0, p, 0).r; }
void mainImage(out vec4 c, in vec2 fc) {
  ivec2 p = ivec2(fc);
  if (iFrame == 0) { c = vec4((p.y == 4 && p.x >= 3 && p.x <= 5) ? 1.0 : 0.0); return; }
  float n = 0.0;
  for (int dy = -1; dy <= 1; dy++) for (int dx = -1; dx <= 1; dx++) if (dx != 0 || dy != 0) n += cell(p + ivec2(dx, dy));
  float alive = cell(p);
  c = vec4((n == 3.0 || (alive > 0.5 && n == 2.0)) ? 1.0 : 0.0);
}`;
    const project: ShadertoyProject = {
      info: {},
      passes: [
        {
          kind: 'buffer',
          name: 'Buffer A',
          output: 'A',
          code: life,
          inputs: [{ channel: 0, kind: 'buffer', buffer: 'A' }],
        },
        {
          kind: 'image',
          name: 'Image',
          // Its own cell() with another meaning: would collide with Buffer A's in one shader.
          code: 'float cell(ivec2 p) { return texelFetch(iChannel0, p, 0).r * 0.5; }\nvoid mainImage(out vec4 c, in vec2 fc) { c = vec4(vec3(cell(ivec2(fc))), 1.0); }',
          inputs: [{ channel: 0, kind: 'buffer', buffer: 'A' }],
        },
      ],
    };
    const source = convertShadertoy(project).source;
    const scene = sceneOf(source);
    const lit = (px: Uint8Array): string[] => {
      const out: string[] = [];
      for (let y = 0; y < 8; y++)
        for (let x = 0; x < 8; x++) if (px[(y * 8 + x) * 4]! > 100) out.push(`${x},${7 - y}`);
      return out.sort();
    };
    const frames: string[][] = [];
    for (let k = 0; k < 3; k++) {
      const px = scene.render({ width: 8, height: 8, frameIndex: k }).pixels;
      frames.push(lit(px));
      near(px[(3 * 8 + 4) * 4]!, 127.5, 1); // GL row 4 (the blinker's centre) is top row 3: half bright through cell_image
    }
    assert.deepEqual(frames[0], ['3,4', '4,4', '5,4']);
    assert.deepEqual(frames[1], ['4,3', '4,4', '4,5']);
    assert.deepEqual(frames[2], frames[0]);
  });
});

describe('GLSL Sandbox', () => {
  test('time, resolution and mouse become ISF; backbuffer is a persistent pass', () => {
    const { source } = convertOne(`
#ifdef GL_ES
precision mediump float;
#endif
#extension GL_OES_standard_derivatives : enable
uniform float time;
uniform vec2 mouse;
uniform vec2 resolution;
uniform sampler2D backbuffer;
void main() {
  vec4 last = texture2D(backbuffer, gl_FragCoord.xy / resolution);
  gl_FragColor = vec4(last.r + 0.25, time / 10.0, mouse.x, 1.0);
}`);
    const scene = sceneOf(source);
    scene.setValue('mouse', [0.5, 0.5]);
    const px = [0, 1, 2].map((k) =>
      pixelOf(scene.render({ width: 8, height: 8, time: 5, frameIndex: k }), 3, 3),
    );
    near(px[0]![0]!, 64);
    near(px[1]![0]!, 128);
    near(px[2]![0]!, 191);
    near(px[2]![1]!, 127.5);
    near(px[2]![2]!, 127.5);
  });

  test('surfacePosition is the default sandbox surface (height 1, centred)', () => {
    const { source } = convertOne(`
uniform float time; uniform vec2 resolution; varying vec2 surfacePosition;
void main() { gl_FragColor = vec4(surfacePosition + 0.5, 0.0, 1.0); }`);
    const f = sceneOf(source).render({ width: 8, height: 8 });
    const [r0, g0] = pixelOf(f, 0, 7);
    const [r1, g1] = pixelOf(f, 7, 0);
    near(r0!, (0.5 / 8) * 255, 2);
    near(g0!, (0.5 / 8) * 255, 2);
    near(r1!, (7.5 / 8) * 255, 2);
    near(g1!, (7.5 / 8) * 255, 2);
  });
});

describe('warnings are located in the source', () => {
  test('a keyboard channel and textureLod on an image', () => {
    const project: ShadertoyProject = {
      info: {},
      passes: [
        {
          kind: 'image',
          name: 'Image',
          file: 'image.glsl',
          code: 'void mainImage(out vec4 c, in vec2 p) {\n  c = textureLod(iChannel1, p / iResolution.xy, 2.0) + texelFetch(iChannel0, ivec2(32, 0), 0);\n}',
          inputs: [
            { channel: 0, kind: 'keyboard' },
            { channel: 1, kind: 'texture' },
          ],
        },
      ],
    };
    const r = convertShadertoy(project);
    assert.ok(r.warnings.some((w) => /keyboard/.test(w.message) && w.file === 'image.glsl'));
    const lod = r.warnings.find((w) => /textureLod/.test(w.message));
    assert.ok(lod);
    assert.equal(lod.line, 2);
    assert.equal(lod.column, 7);
    sceneOf(r.source).render({ width: 4, height: 4 });
  });
});
