/**
 * Shaders and helpers shared by the lifecycle tests: inline ISF sources (so the tests do not depend on the
 * corpus), exact expected pixels where a shader allows it, and memory measurement.
 */
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { ISFDocument } from '../../src/core/document.ts';
import { ISFError } from '../../src/core/errors.ts';
import { parseISF } from '../../src/core/parse/index.ts';
import { type LiveObjects, NodeGL2 } from '../../src/node/egl/index.ts';
import type { GLContext } from '../../src/render/context.ts';
import type { Frame } from '../../src/render/frame.ts';
import { Scene } from '../../src/render/scene.ts';
import { ramp } from '../helpers.ts';

/** Every pixel is [x mod 256, y mod 256, (x + y) mod 7, 255] with y counted from the bottom (GL rows). */
export const COORDS_SOURCE = `/*{ "DESCRIPTION": "exact pixel coordinates" }*/
void main() {
  vec2 p = floor(gl_FragCoord.xy);
  gl_FragColor = vec4(mod(p.x, 256.0) / 255.0, mod(p.y, 256.0) / 255.0, mod(p.x + p.y, 7.0) / 255.0, 1.0);
}
`;

/** A flat colour from its input: the simplest exact shader. */
export const SOLID_SOURCE = `/*{ "INPUTS": [ { "NAME": "color", "TYPE": "color", "DEFAULT": [1, 0, 0, 1] } ] }*/
void main() {
  gl_FragColor = color;
}
`;

/** Depends on TIME, a colour and a float: different values give different frames. */
export const ANIMATED_SOURCE = `/*{
  "INPUTS": [
    { "NAME": "tint", "TYPE": "color", "DEFAULT": [1, 0.5, 0.25, 1] },
    { "NAME": "intensity", "TYPE": "float", "DEFAULT": 0.5, "MIN": 0, "MAX": 1 }
  ]
}*/
void main() {
  vec2 uv = isf_FragNormCoord;
  float wave = 0.5 + 0.5 * sin(uv.x * 12.0 + TIME * 3.0) * cos(uv.y * 7.0 - TIME);
  gl_FragColor = vec4(tint.rgb * wave * (0.25 + intensity), 1.0);
}
`;

/**
 * Three passes: a persistent accumulator fed by an image input, a half-size temporary, and the output mixing
 * both. Frames depend on every earlier frame (the accumulator), on the image, the tint and TIME.
 */
export const FEEDBACK_SOURCE = `/*{
  "INPUTS": [
    { "NAME": "inputImage", "TYPE": "image" },
    { "NAME": "tint", "TYPE": "color", "DEFAULT": [1, 0.5, 0.25, 1] }
  ],
  "PASSES": [
    { "TARGET": "acc", "PERSISTENT": true },
    { "TARGET": "small", "WIDTH": "$WIDTH / 2", "HEIGHT": "$HEIGHT / 2" },
    {}
  ]
}*/
void main() {
  if (PASSINDEX == 0) {
    vec4 prev = IMG_THIS_PIXEL(acc);
    vec4 img = IMG_THIS_NORM_PIXEL(inputImage) * tint;
    gl_FragColor = mix(prev, img, 0.5) + vec4(0.0, 0.0, 0.1 * fract(TIME), 0.25);
  } else if (PASSINDEX == 1) {
    gl_FragColor = IMG_NORM_PIXEL(acc, isf_FragNormCoord).gbra;
  } else {
    gl_FragColor = 0.5 * IMG_NORM_PIXEL(small, isf_FragNormCoord) + 0.5 * IMG_THIS_NORM_PIXEL(acc);
  }
}
`;

/** Does not compile: `undefinedThing` is not declared (line 3 of the file). */
export const BROKEN_SOURCE = `/*{ "INPUTS": [] }*/
void main() {
  gl_FragColor = vec4(undefinedThing, 0.0, 0.0, 1.0);
}
`;

export function doc(source: string, name: string): ISFDocument {
  return parseISF(source, { path: `/virtual/${name}.fs` });
}

export const coordsDoc = (): ISFDocument => doc(COORDS_SOURCE, 'Coords');
export const solidDoc = (): ISFDocument => doc(SOLID_SOURCE, 'Solid');
export const animatedDoc = (): ISFDocument => doc(ANIMATED_SOURCE, 'Animated');
export const feedbackDoc = (): ISFDocument => doc(FEEDBACK_SOURCE, 'Feedback');

/** A scene on `ctx` with `d` loaded (synchronously: none of these documents import images). */
export function sceneOf(ctx: GLContext, d: ISFDocument): Scene {
  return new Scene(ctx).useDocSync(d);
}

/** A feedback scene with its image set (a ramp of the given size). */
export function feedbackScene(ctx: GLContext, imageSize = 32): Scene {
  return sceneOf(ctx, feedbackDoc()).setImageData('inputImage', ramp(imageSize, imageSize));
}

/** Asserts every pixel of a COORDS_SOURCE frame. */
export function assertCoords(frame: Frame, width: number, height: number): void {
  assert.equal(frame.width, width);
  assert.equal(frame.height, height);
  assert.equal(frame.pixels.length, width * height * 4);
  const p = frame.pixels;
  for (let row = 0; row < height; row++) {
    const y = height - 1 - row; // frames are top row first; gl_FragCoord.y counts from the bottom
    for (let x = 0; x < width; x++) {
      const i = (row * width + x) * 4;
      if (p[i] !== (x & 255) || p[i + 1] !== (y & 255) || p[i + 2] !== (x + y) % 7 || p[i + 3] !== 255) {
        assert.fail(
          `${width}x${height}: pixel (${x}, ${row}) is [${[...p.subarray(i, i + 4)]}], expected [${[x & 255, y & 255, (x + y) % 7, 255]}]`,
        );
      }
    }
  }
}

/** Byte equality with a useful message (which frame, first differing byte). */
export function assertSameFrame(actual: Frame, expected: Frame, what: string): void {
  assert.equal(actual.width, expected.width, `${what}: width`);
  assert.equal(actual.height, expected.height, `${what}: height`);
  if (Buffer.compare(actual.pixels, expected.pixels) !== 0) {
    const i = actual.pixels.findIndex((v, k) => v !== expected.pixels[k]);
    assert.fail(`${what}: byte ${i} is ${actual.pixels[i]}, expected ${expected.pixels[i]}`);
  }
}

/** Counts a frame's pixels whose red channel is above `min`. */
export function redPixels(frame: Frame, min = 127): number {
  let n = 0;
  for (let i = 0; i < frame.pixels.length; i += 4) if (frame.pixels[i]! > min) n += 1;
  return n;
}

/** True when `fn` throws an ISFError with this code (for assert.throws / assert.rejects). */
export function code(c: string, message?: RegExp): (e: unknown) => boolean {
  return (e: unknown) => {
    assert.ok(
      e instanceof ISFError,
      `expected ISFError ${c}, got ${e instanceof Error ? e.stack : String(e)}`,
    );
    assert.equal(e.code, c, `expected ${c}, got ${e.code}: ${e.message}`);
    if (message) assert.match(e.message, message);
    return true;
  };
}

let gcFn: (() => void) | undefined;
/** Full garbage collection (exposed at run time, so the test files need no node flags). */
export function gc(): void {
  if (!gcFn) {
    v8.setFlagsFromString('--expose-gc');
    gcFn = vm.runInNewContext('gc') as () => void;
  }
  gcFn();
  gcFn();
}

/** Resident set size in MB after a full GC. */
export function rssMB(): number {
  gc();
  return process.memoryUsage().rss / 1e6;
}

/**
 * The EGL backend of a ready context: NodeGL2 counts the GL objects it created and did not delete, which is what
 * really exists in the driver. Keep it across cleanup() to see what the context deleted before letting go.
 */
export function backendOf(ctx: GLContext): NodeGL2 {
  assert.equal(ctx.state, 'ready', 'live objects are counted on a ready context');
  const gl = ctx.use('count live GL objects');
  assert.ok(gl instanceof NodeGL2, 'the context runs on the EGL backend');
  return gl;
}

/**
 * Live GL objects counted by the backend (not by the context's own tracker, which is under test), after checking
 * that the tracker agrees with it.
 */
export function live(ctx: GLContext): LiveObjects {
  const counted = backendOf(ctx).stats.liveObjects();
  const s = ctx.stats();
  assert.deepEqual(
    [s.textures, s.framebuffers, s.programs, s.buffers, s.vertexArrays],
    [counted.textures, counted.framebuffers, counted.programs, counted.buffers, counted.vertexArrays],
    "the context's tracker agrees with the backend's live objects",
  );
  return counted;
}

/** The counts that must stay flat across a long batch: live GL objects (from the backend), bytes, pool sizes. */
export function liveCounts(ctx: GLContext): Record<string, number> {
  const counted = live(ctx);
  const s = ctx.stats();
  return {
    ...counted,
    bytes: s.bytes,
    poolInUse: s.pool.inUse,
    poolIdle: s.pool.idle,
    poolBytes: s.pool.bytes,
    poolMisses: s.pool.misses,
  };
}
