/**
 * The GPU flip (last pass drawn upside down, upright targets blitted inverted; src/render/readback.ts) gives the
 * same bytes as reading GL's rows and flipping them on the CPU (context option flip: 'cpu'), on the 19 official
 * test shaders and on shaders that use what the flip has to mirror back (gl_FragCoord, dFdy, gl_FrontFacing),
 * float output included.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { after, test } from 'node:test';
import type { ISFDocument } from '../../src/core/document.ts';
import { parseISF } from '../../src/core/parse/index.ts';
import { createContext } from '../../src/node/context.ts';
import { loadISF } from '../../src/node/load.ts';
import { nodePlatform } from '../../src/node/platform.ts';
import type { Frame } from '../../src/render/frame.ts';
import { Scene } from '../../src/render/scene.ts';
import { ramp, TESTS_DIR } from '../helpers.ts';

const gpu = createContext({ flip: 'gpu' }).initialize();
const cpu = createContext({ flip: 'cpu' }).initialize();
after(() => {
  gpu.destroy();
  cpu.destroy();
});

// Odd sizes: a flip that is off by one row shows up.
const W = 37;
const H = 23;
const image = ramp(W, H);
const tone = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i / 7));

/** Three frames of `doc` with every input set and every pass target read back. */
async function frames(ctx: typeof gpu, doc: ISFDocument): Promise<Frame[]> {
  const scene = new Scene(ctx, { platform: nodePlatform });
  await scene.useDoc(doc);
  for (const input of doc.inputs) {
    if (input.type === 'image') scene.setImageData(input.name, image);
    if (input.type === 'audio' || input.type === 'audioFFT')
      scene.setAudio(input.name, { channels: [tone, tone] });
  }
  const readPasses = [...new Set(doc.passes.map((p) => p.target).filter((t): t is string => !!t))];
  const out: Frame[] = [];
  for (let k = 0; k < 3; k++) out.push(scene.render({ width: W, height: H, time: k / 30, readPasses }));
  scene.destroy();
  return out;
}

/**
 * Output bytes allowed to differ by 1 between the two paths. Test-Audio samples a float waveform texture with
 * LINEAR filtering at a coordinate taken from isf_FragNormCoord, and the flipped draw interpolates that varying
 * with rounding ~1e-7 apart (as for Time Glitch RGB in conformance.test.ts); since the prelude declares samplers
 * highp the lookup is filtered in float and keeps that difference, and smoothstep() turns it into 1 LSB at a
 * rounding boundary. Measured on llvmpipe: max 1 on 9 of 3,404 bytes in each of the three frames (0 with the
 * lowp default, whose coarser filtering hid it). Every other official shader stays byte-identical.
 */
const FLIP_ROUNDING = new Map([['Test-Audio.fs', 1]]);

function assertSame(a: Frame[], b: Frame[], name: string): void {
  const tolerance = FLIP_ROUNDING.get(name) ?? 0;
  for (let k = 0; k < a.length; k++) {
    const [g, c] = [a[k]!, b[k]!];
    if (tolerance > 0) {
      assert.equal(g.pixels.length, c.pixels.length, `${name} frame ${k}: size`);
      let max = 0;
      for (let i = 0; i < g.pixels.length; i++) max = Math.max(max, Math.abs(g.pixels[i]! - c.pixels[i]!));
      assert.ok(max <= tolerance, `${name} frame ${k}: a byte differs by ${max} (allowed ${tolerance})`);
    } else {
      assert.ok(Buffer.from(g.pixels).equals(Buffer.from(c.pixels)), `${name} frame ${k}: pixels differ`);
    }
    assert.equal(g.isFloat, c.isFloat, `${name}: float output on one side only`);
    if (g.floatPixels) {
      const gf = Buffer.from(g.floatPixels.buffer, g.floatPixels.byteOffset, g.floatPixels.byteLength);
      const cf = Buffer.from(c.floatPixels!.buffer, c.floatPixels!.byteOffset, c.floatPixels!.byteLength);
      assert.ok(gf.equals(cf), `${name} frame ${k}: float pixels differ`);
    }
  }
}

const official = readdirSync(TESTS_DIR)
  .filter((f) => f.endsWith('.fs'))
  .sort();

test('19 official test shaders: GPU-flipped frames equal CPU-flipped ones byte for byte', async () => {
  assert.equal(official.length, 19);
  for (const file of official) {
    const doc = await loadISF(`${TESTS_DIR}/${file}`);
    const [g, c] = [await frames(gpu, doc), await frames(cpu, doc)];
    assertSame(g, c, file);
    for (let k = 0; k < g.length; k++) {
      for (const pass of doc.passes) {
        if (!pass.target) continue;
        const [gp, cp] = [g[k]!.pass(pass.target), c[k]!.pass(pass.target)];
        assert.ok(
          Buffer.from(gp.pixels).equals(Buffer.from(cp.pixels)),
          `${file} ${pass.target}: pass differs`,
        );
      }
    }
  }
  // The orientation itself is right, not merely the same on both paths: row 0 is the image's top row.
  const doc = await loadISF(`${TESTS_DIR}/Test-IMG_THIS_PIXEL.fs`);
  const [f] = await frames(gpu, doc);
  assert.ok(
    Buffer.from(f!.pixels).equals(Buffer.from(image.data)),
    'IMG_THIS_PIXEL reproduces the input upright',
  );
});

const probe = (passes: string) =>
  parseISF(`/*{ "ISFVSN": "2.0", "INPUTS": [ { "NAME": "inputImage", "TYPE": "image" } ], "PASSES": ${passes} }*/
void main() {
  vec2 p = gl_FragCoord.xy;
  float slope = dFdy(isf_FragNormCoord.y) * RENDERSIZE.y;   // +1 when upright
  vec4 img = IMG_THIS_PIXEL(inputImage);
  gl_FragColor = vec4(p.x / RENDERSIZE.x, p.y / RENDERSIZE.y + img.g * 0.25,
                      slope > 0.0 ? 1.0 : 0.0, gl_FrontFacing ? 1.0 : 0.5);
}`);

test('gl_FragCoord, dFdy and gl_FrontFacing read the same upside down; float output, temp and persistent targets', async () => {
  for (const passes of [
    '[ { "FLOAT": true } ]',
    '[ { "TARGET": "a", "FLOAT": true }, { } ]',
    '[ { "TARGET": "a", "PERSISTENT": true, "FLOAT": true } ]',
  ]) {
    const doc = probe(passes);
    const [g, c] = [await frames(gpu, doc), await frames(cpu, doc)];
    assertSame(g, c, passes);
    // Blue is dFdy's sign, alpha gl_FrontFacing: both as when drawn upright.
    assert.deepEqual(g[0]!.pixel(3, 3).slice(2), [255, 255], passes);
  }
});

test('an even height too (dFdy works on 2x2 quads)', async () => {
  const doc = probe('[ { } ]');
  const render = (ctx: typeof gpu) => {
    const scene = new Scene(ctx);
    scene.useDocSync(doc);
    scene.setImageData('inputImage', ramp(40, 30));
    const f = scene.render({ width: 40, height: 30 });
    scene.destroy();
    return f;
  };
  assert.ok(Buffer.from(render(gpu).pixels).equals(Buffer.from(render(cpu).pixels)));
});
