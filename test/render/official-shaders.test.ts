/**
 * Each of the 19 official ISF test shaders renders, and its pixels prove the feature it demonstrates.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { decodeImage } from '../../src/node/images.ts';
import { context, meanDiff, pixelOf, ramp, sceneFor, solid, TESTS_DIR, testShader } from '../helpers.ts';

const W = 64;
const H = 36;
const size = { width: W, height: H };
const input = ramp(W, H);

after(() => context().destroy());

test('Test-Functionality: opaque red everywhere', async () => {
  const { scene } = await sceneFor(testShader('Test-Functionality'));
  const f = scene.render(size);
  assert.equal(f.width, W);
  assert.equal(f.height, H);
  for (const [x, y] of [
    [0, 0],
    [W - 1, H - 1],
    [31, 17],
  ] as const) {
    assert.deepEqual(f.pixel(x, y), [255, 0, 0, 255]);
  }
  scene.destroy();
});

test('Test-IMG_THIS_PIXEL, IMG_THIS_NORM_PIXEL, IMG_PIXEL, IMG_NORM_PIXEL: all reproduce the input 1:1', async () => {
  for (const name of [
    'Test-IMG_THIS_PIXEL',
    'Test-IMG_THIS_NORM_PIXEL',
    'Test-IMG_PIXEL',
    'Test-IMG_NORM_PIXEL',
  ]) {
    const { scene } = await sceneFor(testShader(name));
    scene.setImageData('inputImage', input);
    const f = scene.render(size);
    assert.deepEqual([...f.pixels], [...input.data], `${name} must sample the same texel at every pixel`);
    scene.destroy();
  }
});

test('Test-Color: colour inputs reach the shader; level splits light from dark', async () => {
  const { scene } = await sceneFor(testShader('Test-Color'));
  const img = solid(W, H, [0, 0, 0, 255]);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W / 2; x++) img.data.set([255, 255, 255, 255], (y * W + x) * 4);
  scene.setImageData('inputImage', img);
  scene.setValues({ level: 0.5, lowColor: [1, 0, 0, 1], highColor: '#00ff0080' });
  const f = scene.render(size);
  // avg > level -> lowColor, else highColor (the shader's own naming)
  assert.deepEqual(f.pixel(5, 5), [255, 0, 0, 255]);
  assert.deepEqual(f.pixel(W - 5, 5), [0, 255, 0, 128]);
  scene.destroy();
});

test('Test-Bool: the toggle switches between white and the input', async () => {
  const { scene } = await sceneFor(testShader('Test-Bool'));
  scene.setImageData('inputImage', input);
  scene.setValue('flashToggle', true);
  assert.deepEqual(scene.render(size).pixel(10, 10), [255, 255, 255, 255]);
  scene.setValue('flashToggle', 0);
  assert.deepEqual(scene.render(size).pixel(10, 10), pixelOf(input, 10, 10));
  scene.destroy();
});

test('Test-Event: an event is true for exactly one rendered frame', async () => {
  const { scene } = await sceneFor(testShader('Test-Event'));
  scene.setImageData('inputImage', input);
  assert.deepEqual(scene.render(size).pixel(3, 3), pixelOf(input, 3, 3), 'not fired: passthrough');
  scene.fireEvent('flashEvent');
  assert.deepEqual(scene.render(size).pixel(3, 3), [255, 255, 255, 255], 'fired: white');
  assert.deepEqual(scene.render(size).pixel(3, 3), pixelOf(input, 3, 3), 'next frame: reset');
  scene.destroy();
});

test('Test-Float: pixels darker than level turn black', async () => {
  const { scene } = await sceneFor(testShader('Test-Float'));
  const img = solid(W, H, [51, 51, 51, 255]); // luma 0.2
  for (let x = 0; x < W; x++) img.data.set([204, 204, 204, 255], x * 4); // top row: luma 0.8
  scene.setImageData('inputImage', img);
  scene.setValue('level', 0.5);
  const f = scene.render(size);
  assert.deepEqual(f.pixel(7, 0), [204, 204, 204, 255]);
  assert.deepEqual(f.pixel(7, 20), [0, 0, 0, 255]);
  scene.setValue('level', 0.1);
  assert.deepEqual(scene.render(size).pixel(7, 20), [51, 51, 51, 255]);
  scene.destroy();
});

test('Test-Long: each VALUE picks a channel; labels work too', async () => {
  const { scene, doc } = await sceneFor(testShader('Test-Long'));
  const input0 = doc.inputs.find((i) => i.name === 'longInputIsPopUpButton');
  assert.ok(input0 && input0.type === 'long' && input0.labels);
  scene.setImageData('inputImage', input);
  const p = pixelOf(input, 40, 20);
  for (const [value, channel] of [
    [0, 0],
    [1, 1],
    [2, 2],
  ] as const) {
    scene.setValue('longInputIsPopUpButton', value);
    assert.deepEqual(scene.render(size).pixel(40, 20), [p[channel], p[channel], p[channel], 255]);
  }
  scene.setValue('longInputIsPopUpButton', input0.labels[1]!);
  assert.deepEqual(scene.render(size).pixel(40, 20), [p[1], p[1], p[1], 255]);
  scene.destroy();
});

test('Test-Point: a white square around the point, in pixels from the bottom-left', async () => {
  const { scene } = await sceneFor(testShader('Test-Point'));
  scene.setImageData('inputImage', solid(W, H, [0, 0, 0, 255]));
  scene.setValue('location', [30, 10]);
  const f = scene.render(size);
  assert.deepEqual(f.pixel(30, H - 1 - 10), [255, 255, 255, 255]);
  assert.deepEqual(f.pixel(30, 2), [0, 0, 0, 255], 'far above the point: input');
  assert.deepEqual(f.pixel(5, H - 1 - 10), [0, 0, 0, 255], 'far left of the point: input');
  scene.destroy();
});

test('Test-TempBufferDifferingSizes: pass 0 renders at WIDTH/16 x HEIGHT/16, the output at full size', async () => {
  const { scene } = await sceneFor(testShader('Test-TempBufferDifferingSizes'));
  scene.setImageData('inputImage', ramp(320, 180));
  const f = scene.render({ width: 320, height: 180, readPasses: ['bufferVariableNameA'] });
  const a = f.pass('bufferVariableNameA');
  assert.equal(a.width, 20);
  assert.equal(a.height, 11); // 180 / 16 = 11.25, truncated
  assert.equal(f.width, 320);
  // Upscaled from 20 columns: neighbouring output pixels inside one source texel are nearly equal.
  assert.ok(Math.abs(f.pixel(100, 90)[0] - f.pixel(101, 90)[0]) <= 2);
  scene.destroy();
});

test('Test-PersistentBuffer: the float buffer accumulates across frames', async () => {
  const { scene } = await sceneFor(testShader('Test-PersistentBuffer'));
  scene.setValue('blurAmount', 0.5);
  scene.setImageData('inputImage', solid(W, H, [255, 255, 255, 255]));
  const f0 = scene.render({ ...size, time: 0 });
  // frame 0: stale buffer is transparent black -> mix(white, 0, 0.5) = 0.5
  assert.ok(f0.isFloat, 'last pass is FLOAT: float output');
  assert.ok(Math.abs(f0.readFloat()[0]! - 0.5) < 1e-3);
  scene.setImageData('inputImage', solid(W, H, [0, 0, 0, 255]));
  const f1 = scene.render({ ...size, time: 1 / 30 });
  // frame 1: mix(black, 0.5, 0.5) = 0.25: the previous frame persisted
  assert.ok(Math.abs(f1.readFloat()[0]! - 0.25) < 1e-3, `got ${f1.readFloat()[0]}`);
  const f2 = scene.render({ ...size, time: 2 / 30 });
  assert.ok(Math.abs(f2.readFloat()[0]! - 0.125) < 1e-3);
  scene.destroy();
});

test('Test-PersistentBufferDifferingSizes: a small persistent pass is stretched when the render size changes', async () => {
  const { scene } = await sceneFor(testShader('Test-PersistentBufferDifferingSizes'));
  scene.setImageData('inputImage', solid(320, 180, [255, 0, 0, 255]));
  const f = scene.render({ width: 320, height: 180, readPasses: ['bufferVariableNameA'] });
  assert.equal(f.pass('bufferVariableNameA').width, 20);
  assert.deepEqual(f.pixel(160, 90), [255, 0, 0, 255]);
  const g = scene.render({ width: 640, height: 360, readPasses: ['bufferVariableNameA'] });
  assert.equal(g.pass('bufferVariableNameA').width, 40);
  assert.equal(g.pass('bufferVariableNameA').height, 22);
  scene.destroy();
});

test('Test-MultiPassRendering: a later pass sees this frame’s earlier pass', async () => {
  const { scene } = await sceneFor(testShader('Test-MultiPassRendering'));
  scene.setImageData('inputImage', solid(W, H, [0, 0, 255, 255]));
  assert.deepEqual(scene.render(size).pixel(10, 10), [0, 0, 255, 255]);
  scene.setImageData('inputImage', solid(W, H, [0, 255, 0, 255]));
  assert.deepEqual(scene.render(size).pixel(10, 10), [0, 255, 0, 255], 'no one-frame latency');
  scene.destroy();
});

test('Test-ImportedImage: shows Hexagon.tiff averaged with the input', async () => {
  const { scene, doc } = await sceneFor(testShader('Test-ImportedImage'));
  assert.equal(doc.imported[0]?.name, 'blendImage');
  scene.setImageData('inputImage', solid(400, 400, [0, 0, 0, 255]));
  const f = scene.render({ width: 400, height: 400 });
  const hex = await decodeImage(join(TESTS_DIR, 'Hexagon.tiff'));
  const expected = new Uint8Array(hex.data.length);
  for (let i = 0; i < expected.length; i += 4) {
    for (let c = 0; c < 3; c++) expected[i + c] = Math.round(hex.data[i + c]! / 2);
    expected[i + 3] = Math.round((255 + hex.data[i + 3]!) / 2);
  }
  assert.ok(meanDiff(f.pixels, expected) < 1, `mean diff ${meanDiff(f.pixels, expected)}`);
  scene.destroy();
});

test('Test-Sampler and Test-Audio / Test-AudioFFT render with their inputs set', async () => {
  const { scene: sampler } = await sceneFor(testShader('Test-Sampler'));
  sampler.setImageData('inputImage', input);
  assert.equal(sampler.render(size).width, W);
  sampler.destroy();
  const tone = Float32Array.from({ length: 2048 }, (_, i) => Math.sin(i / 10));
  for (const name of ['Test-Audio', 'Test-AudioFFT']) {
    const { scene, doc } = await sceneFor(testShader(name));
    const audioInput = doc.inputs.find((i) => i.type === 'audio' || i.type === 'audioFFT')!;
    const silent = scene.render(size);
    scene.setAudio(audioInput.name, { channels: [tone, tone] });
    const loud = scene.render(size);
    assert.notDeepEqual([...loud.pixels], [...silent.pixels], `${name}: audio changes the picture`);
    scene.destroy();
  }
});

test('renders are deterministic: same inputs, identical bytes', async () => {
  const { scene } = await sceneFor(testShader('Test-PersistentBuffer'));
  scene.setImageData('inputImage', input);
  const a = [0, 1, 2].map((k) => scene.render({ ...size, time: k / 30 }).pixels);
  scene.destroy();
  const { scene: again } = await sceneFor(testShader('Test-PersistentBuffer'));
  again.setImageData('inputImage', input);
  const b = [0, 1, 2].map((k) => again.render({ ...size, time: k / 30 }).pixels);
  again.destroy();
  assert.deepEqual(a, b);
});
