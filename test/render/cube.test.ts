/**
 * Cube maps render: six faces of distinct colours, sampled along each axis, give each face's colour, through
 * textureCube() and texture(), for a cube input (setCubeData) and a cube IMPORTED (six PATHs, VVISF's form);
 * `_NAME_imgSize` is the face size; an unset cube samples transparent black; bad faces are INPUT_VALUE.
 * Float image inputs upload at full float where the context can filter it.
 */
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseISF } from '../../src/core/index.ts';
import { loadISF, nodePlatform } from '../../src/node/index.ts';
import { Scene } from '../../src/render/scene.ts';
import { assertISFError, context, solid } from '../helpers.ts';
import { CUBE_INPUT_SOURCE, FACE_COLOURS, FACE_SIZE, pixelAt, writeCubeFolder } from './cube-fixtures.ts';

after(() => context().destroy());

const faces = () => FACE_COLOURS.map((c) => solid(FACE_SIZE, FACE_SIZE, c));

function assertFaces(pixels: Uint8Array): void {
  for (let k = 0; k < 6; k++) {
    assert.deepEqual(pixelAt(pixels, k, 0), FACE_COLOURS[k], `textureCube along axis ${k}`);
    assert.deepEqual(pixelAt(pixels, k, 1), FACE_COLOURS[k], `texture along axis ${k}`);
    assert.deepEqual(pixelAt(pixels, k, 2), [FACE_SIZE, FACE_SIZE, 0, 255], '_NAME_imgSize');
  }
}

describe('cube maps', () => {
  it('a cube input set from six faces gives each face along its axis', async () => {
    const scene = new Scene(context());
    try {
      await scene.useDoc(parseISF(CUBE_INPUT_SOURCE));
      scene.setCubeData('env', faces());
      assertFaces(scene.render({ width: 6, height: 3 }).pixels);
      const stats = context().stats();
      scene.cleanup();
      assert.equal(context().stats().textures, stats.textures - 1, 'the cube texture is freed');
    } finally {
      scene.destroy();
    }
  });

  it('an unset cube samples transparent black; faces of different sizes are refused', async () => {
    const scene = new Scene(context());
    try {
      await scene.useDoc(parseISF(CUBE_INPUT_SOURCE));
      const px = scene.render({ width: 6, height: 3 }).pixels;
      for (let k = 0; k < 6; k++) assert.deepEqual(pixelAt(px, k, 0), [0, 0, 0, 0]);
      const bad = faces();
      bad[3] = solid(FACE_SIZE * 2, FACE_SIZE * 2, [1, 2, 3, 255]);
      assert.throws(
        () => scene.setCubeData('env', bad),
        (e) => assertISFError(e, 'INPUT_VALUE', /-Y is 8x8/),
      );
      assert.throws(
        () => scene.setCubeData('env', faces().slice(0, 5)),
        (e) => assertISFError(e, 'INPUT_VALUE', /six face images/),
      );
      assert.throws(
        () => scene.setImageData('env', faces()[0]!),
        (e) => assertISFError(e, 'INPUT_VALUE', /six faces/),
      );
    } finally {
      scene.destroy();
    }
  });

  it('a cube IMPORTED with six PATHs loads its faces from files', async () => {
    const dir = await writeCubeFolder();
    const scene = new Scene(context(), { platform: nodePlatform });
    try {
      await scene.useDoc(await loadISF(join(dir, 'cube.fs')));
      assertFaces(scene.render({ width: 6, height: 3 }).pixels);
    } finally {
      scene.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('float image inputs', () => {
  it('upload at full float where the context can filter RGBA32F, else half float', async () => {
    const format = context().floatImageFormat();
    const doc = parseISF(
      '/*{ "ISFVSN": "2", "INPUTS": [ { "NAME": "img", "TYPE": "image" } ] }*/\n' +
        'void main() { float v = IMG_NORM_PIXEL(img, vec2(0.5)).r; gl_FragColor = vec4((v - 1.0) * 10.0, 0.0, 0.0, 1.0); }',
    );
    const scene = new Scene(context());
    try {
      await scene.useDoc(doc);
      scene.render({ width: 2, height: 2 });
      const before = context().stats().bytes;
      // Above 1.0, which an 8-bit upload could not hold: (1.01 - 1) * 10 = 0.1, i.e. 25 or 26 of 255.
      scene.setImageData('img', { width: 2, height: 2, data: new Float32Array(16).fill(1.01) });
      const red = scene.render({ width: 2, height: 2 }).pixels[0]!;
      assert.ok(red >= 24 && red <= 26, `expected ~25, got ${red}`);
      assert.equal(
        context().stats().bytes - before,
        4 * (format === 'rgba32f' ? 16 : 8),
        `uploaded as ${format}`,
      );
    } finally {
      scene.destroy();
    }
  });
});
