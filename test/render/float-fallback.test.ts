/**
 * Where a GL cannot render to float textures, FLOAT passes fall back to RGBA8 with one W_FLOAT_FALLBACK warning
 * per document, and still render.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createContext } from '../../src/node/context.ts';
import { loadISF } from '../../src/node/load.ts';
import { nodePlatform } from '../../src/node/platform.ts';
import { Scene } from '../../src/render/scene.ts';
import { solid, testShader } from '../helpers.ts';

test('FLOAT passes fall back to RGBA8 with a warning when float targets are missing', async () => {
  const context = createContext().initialize();
  // Emulate a GL without EXT_color_buffer_float / EXT_color_buffer_half_float (Mesa has both).
  context.floatFormat = () => 'none';
  try {
    const scene = new Scene(context, { platform: nodePlatform });
    await scene.useDoc(await loadISF(testShader('Test-PersistentBuffer')));
    scene.setImageData('inputImage', solid(16, 16, [255, 255, 255, 255]));
    scene.setValue('blurAmount', 0.5);
    const f0 = scene.render({ width: 16, height: 16 });
    const f1 = scene.render({ width: 16, height: 16, time: 1 / 30 });
    assert.equal(f0.isFloat, false, 'RGBA8 output');
    assert.equal(f0.pixel(3, 3)[0], 128, 'mix(white, transparent, 0.5)');
    // (128 + 255) / 2 = 191.5 LSB is an exact tie, whose direction GLES leaves to the implementation: llvmpipe
    // rounds to even (192) now that the buffer is sampled highp; the lowp lookup used to land just below (191).
    assert.ok(
      [191, 192].includes(f1.pixel(3, 3)[0]!),
      `the RGBA8 persistent buffer still accumulates: ${f1.pixel(3, 3)[0]}`,
    );
    const warnings = scene.warnings.filter((w) => w.code === 'W_FLOAT_FALLBACK');
    assert.equal(warnings.length, 1, 'one warning, not one per frame');
    assert.match(warnings[0]!.message, /RGBA8/);
    scene.destroy();
  } finally {
    context.destroy();
  }
});
