/**
 * Pipelined readback (FramePipeline: PBOs behind fences on a GPU, kept targets on llvmpipe; double-buffered)
 * gives the bytes of the unpipelined path: a 60-frame sequence byte for byte, a persistent float shader (its output read through the inverted blit),
 * and the CPU-flip reference context.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseISF } from '../../src/core/parse/index.ts';
import { renderToFiles } from '../../src/node/batch.ts';
import { createContext } from '../../src/node/context.ts';
import { withoutPipeline } from '../../src/node/sequence-switches.ts';
import { FramePipeline } from '../../src/render/pipeline.ts';
import { Scene, sequenceTiming } from '../../src/render/scene.ts';
import { context, ramp, sceneFor, testShader } from '../helpers.ts';

const cpu = createContext({ flip: 'cpu' });
after(() => {
  context().destroy();
  cpu.destroy();
});

const W = 48;
const H = 27;
const bytes = (a: Uint8Array | Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

const animated = parseISF(`/*{ "ISFVSN": "2.0", "INPUTS": [ { "NAME": "inputImage", "TYPE": "image" } ] }*/
void main() {
  vec4 img = IMG_THIS_PIXEL(inputImage);
  gl_FragColor = vec4(fract(isf_FragNormCoord * (1.0 + TIME)), img.b, 1.0) + vec4(sin(gl_FragCoord.y + TIME));
}`);

const software = /llvmpipe|softpipe/.test(context().info().renderer);

for (const read of ['auto', 'pbo', 'kept-target'] as const) {
  test(`a 60-frame sequence (${read} reads): pipelined equals render() frame by frame, byte for byte`, () => {
    const make = () => {
      const s = new Scene(context()).useDocSync(animated);
      s.setImageData('inputImage', ramp(W, H));
      return s;
    };
    const a = make();
    const expected = Array.from({ length: 60 }, (_, k) => {
      const f = a.render({
        width: W,
        height: H,
        time: k / 30,
        timeDelta: k === 0 ? 0 : 1 / 30,
        frameIndex: k,
      });
      return Buffer.from(f.pixels);
    });
    a.destroy();
    const b = make();
    // Count through the GL object: reads into a pixel-pack buffer or into an array, and draws made before each
    // frame is yielded. Kept targets (the default on a software rasterizer such as llvmpipe) are read each one
    // before the next frame is drawn (src/render/pipeline.ts); PBO reads are started right after each draw.
    const kept = read === 'kept-target' || (read === 'auto' && software);
    const gl = context().use('spy') as unknown as Record<string, (...args: unknown[]) => unknown>;
    const calls = { pboReads: 0, arrayReads: 0, draws: 0 };
    const { readPixels, drawArrays } = gl;
    gl.readPixels = function (this: unknown, ...args: unknown[]) {
      if (typeof args[6] === 'number') calls.pboReads += 1;
      else {
        calls.arrayReads += 1;
        if (kept) assert.equal(calls.draws, calls.arrayReads, 'a kept frame is read before the next draw');
      }
      return readPixels!.apply(this, args);
    };
    gl.drawArrays = function (this: unknown, ...args: unknown[]) {
      calls.draws += 1;
      return drawArrays!.apply(this, args);
    };
    const frames =
      read === 'auto'
        ? b.renderSequence({ width: W, height: H, frames: 60, fps: 30 })
        : (function* () {
            const pipe = new FramePipeline(b, { read });
            try {
              for (let k = 0; k < 60; k++) {
                const done = pipe.submit({ width: W, height: H, ...sequenceTiming(k, { frames: 60 }) });
                if (done) yield done;
              }
              const last = pipe.flush();
              if (last) yield last;
            } finally {
              pipe.close();
            }
          })();
    let k = 0;
    try {
      for (const f of frames) {
        assert.equal(f.meta.frameIndex, k);
        assert.ok(bytes(f.pixels).equals(expected[k]!), `frame ${k} differs`);
        assert.equal(
          calls.draws,
          Math.min(k + 2, 60),
          `frame ${k + 1} is drawn before frame ${k} is handed over`,
        );
        f.release();
        k++;
      }
    } finally {
      delete gl.readPixels;
      delete gl.drawArrays;
    }
    assert.equal(k, 60);
    if (kept) {
      assert.equal(calls.pboReads, 0, 'no pixel-pack buffer');
      assert.equal(calls.arrayReads, 60, 'every frame read from its kept target');
    } else assert.equal(calls.pboReads, 60, 'every frame read through a pixel-pack buffer');
    b.destroy();
  });
}

test('FramePipeline: persistent float output (inverted blit into the PBO), values set between submits, CPU flip', async () => {
  for (const [ctx, read] of [
    [context(), 'pbo'],
    [context(), 'kept-target'],
    [cpu, 'pbo'],
    [cpu, 'kept-target'],
  ] as const) {
    const run = async (pipelined: boolean) => {
      const { scene } = await sceneFor(testShader('Test-PersistentBuffer'), ctx);
      const out: Buffer[] = [];
      const pipe = new FramePipeline(scene, { read });
      const keep = (f: ReturnType<typeof pipe.flush>) => {
        if (!f) return;
        assert.ok(f.isFloat);
        out.push(Buffer.from(bytes(f.floatPixels!)), Buffer.from(f.pixels));
        f.release();
      };
      for (let k = 0; k < 6; k++) {
        // An input changed before each frame applies to that frame, pipelined or not.
        scene.setImageData('inputImage', ramp(W + k, H));
        scene.setValue('blurAmount', k / 6);
        const options = { width: W, height: H, time: k / 30 };
        if (pipelined) keep(pipe.submit(options));
        else keep(scene.render(options));
      }
      keep(pipe.flush());
      pipe.close();
      scene.destroy();
      return out;
    };
    const [p, s] = [await run(true), await run(false)];
    assert.equal(p.length, 12);
    for (const [i, b] of p.entries())
      assert.ok(b.equals(s[i]!), `${ctx.options.flip}, ${read}: frame ${i >> 1} differs`);
  }
});

test("renderToFiles with the pipeline switched off (the bench's baseline) writes the same files, reading none through a PBO", async () => {
  const dir = await mkdtemp(join(tmpdir(), 'isf-pipeline-'));
  const gl = context().use('spy') as unknown as Record<string, (...args: unknown[]) => unknown>;
  const { readPixels } = gl;
  let pboReads = 0;
  gl.readPixels = function (this: unknown, ...args: unknown[]) {
    if (typeof args[6] === 'number') pboReads += 1;
    return readPixels!.apply(this, args);
  };
  try {
    const files = async (pipelined: boolean) => {
      pboReads = 0;
      const options = { output: join(dir, `${pipelined}-%02d.png`), width: W, height: H, frames: 8 };
      const r = await renderToFiles(context(), animated, pipelined ? options : withoutPipeline(options));
      assert.equal(r.files.length, 8);
      return { bytes: await Promise.all(r.files.map((f) => readFile(f))), pboReads };
    };
    const pipelined = await files(true);
    const unpipelined = await files(false);
    assert.equal(unpipelined.pboReads, 0, 'the baseline reads every frame synchronously');
    for (const [k, b] of pipelined.bytes.entries()) assert.ok(b.equals(unpipelined.bytes[k]!), `frame ${k}`);
  } finally {
    delete gl.readPixels;
    await rm(dir, { recursive: true, force: true });
  }
});

test('NodeGL2 pixel-pack reads refuse what WebGL2 refuses, instead of writing through a wild pointer', () => {
  const gl = context().use('pbo checks');
  gl.getError();
  gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, 0); // an offset with no PIXEL_PACK_BUFFER bound
  assert.equal(gl.getError(), gl.INVALID_OPERATION);
  const pbo = gl.createBuffer()!;
  gl.bindBuffer(gl.PIXEL_PACK_BUFFER, pbo);
  gl.bufferData(gl.PIXEL_PACK_BUFFER, 8, gl.STREAM_READ);
  gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4)); // an array while one is bound
  assert.equal(gl.getError(), gl.INVALID_OPERATION);
  gl.readPixels(0, 0, 2, 2, gl.RGBA, gl.UNSIGNED_BYTE, 0); // 16 bytes into 8
  assert.equal(gl.getError(), gl.INVALID_OPERATION);
  gl.getBufferSubData(gl.PIXEL_PACK_BUFFER, 4, new Uint8Array(8)); // past the end
  assert.equal(gl.getError(), gl.INVALID_VALUE);
  gl.bindBuffer(gl.PIXEL_PACK_BUFFER, null);
  gl.deleteBuffer(pbo);
  assert.equal(gl.getError(), gl.NO_ERROR);
});
