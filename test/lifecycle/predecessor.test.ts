/**
 * The predecessor's (pyvvisf era A) test scenarios, one test each, named as it named them (docs/lifecycle.md
 * maps them). Its skipped tests run here; where its assertion was weaker (only "no crash", "at least one
 * succeeds") these assert the frame too. Sizes, reinitialize cycles, concurrency and memory have their own,
 * larger tests in the other files of this folder.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import sharp from 'sharp';
import { coerceInputValue } from '../../src/core/values.ts';
import * as isf from '../../src/index.ts';
import { createContext } from '../../src/node/context.ts';
import type { Frame } from '../../src/render/frame.ts';
import { Scene } from '../../src/render/scene.ts';
import { ramp } from '../helpers.ts';
import {
  ANIMATED_SOURCE,
  animatedDoc,
  assertCoords,
  assertSameFrame,
  BROKEN_SOURCE,
  backendOf,
  code,
  coordsDoc,
  doc,
  feedbackScene,
  live,
  redPixels,
  sceneOf,
  solidDoc,
} from './fixtures.ts';

const ctx = createContext().initialize();
after(() => ctx.destroy());

/** The predecessor's usual test shader: red-ish with an optional colour and intensity. */
const RED_SOURCE = `/*{
  "DESCRIPTION": "red test pattern",
  "CREDIT": "lifecycle tests",
  "INPUTS": [
    { "NAME": "color", "TYPE": "color", "DEFAULT": [1, 0, 0, 1] },
    { "NAME": "intensity", "TYPE": "float", "DEFAULT": 1.0 }
  ]
}*/
void main() {
  gl_FragColor = vec4(color.rgb * intensity * (0.75 + 0.25 * isf_FragNormCoord.x), color.a);
}
`;
const red = () => sceneOf(ctx, doc(RED_SOURCE, 'Red'));

async function pngSize(frame: Frame): Promise<[number, number]> {
  const meta = await sharp(await frame.toPNG()).metadata();
  return [meta.width!, meta.height!];
}

function assertRed(frame: Frame, width: number, height: number): void {
  assert.deepEqual([frame.width, frame.height], [width, height]);
  assert.equal(redPixels(frame), width * height, 'every pixel is red');
  const [r, g, b, a] = frame.pixel(width - 1, 0);
  assert.ok(r > 240 && g === 0 && b === 0 && a === 255, `right edge [${r}, ${g}, ${b}, ${a}]`);
}

describe('test_critical_fixes.py', () => {
  test('test_context_reinitialization_stability (skipped there): 5 reinits at 64x64, TIME is a render option', () => {
    const scene = sceneOf(ctx, animatedDoc());
    const ref = scene.render({ width: 64, height: 64, time: 1.5 });
    // There TIME and RENDERSIZE were set as inputs; here they are not inputs (typed error) but render options.
    assert.throws(() => scene.setValue('TIME', 1.5), code('INPUT_UNKNOWN', /no input named "TIME"/));
    assert.throws(() => scene.setValue('RENDERSIZE', [64, 64]), code('INPUT_UNKNOWN'));
    for (let i = 0; i < 5; i++) {
      ctx.reinitialize();
      assertSameFrame(scene.render({ width: 64, height: 64, time: 1.5 }), ref, `after reinit ${i + 1}`);
    }
    scene.destroy();
  });

  test('test_batch_rendering_stability (skipped there): 50 x (pool cleanup + reinit + new scene/doc) at 128x128', () => {
    for (let i = 0; i < 50; i++) {
      ctx.pool.cleanup();
      ctx.reinitialize();
      const scene = red();
      assertRed(scene.render({ width: 128, height: 128 }), 128, 128);
      scene.destroy();
    }
    assert.equal(ctx.stats().pool.inUse, 0);
  });

  test('test_resource_cleanup_validation: 256x256 render, 5 pool buffers, cleanup -> context not valid', async () => {
    const c = createContext().initialize();
    const scene = sceneOf(c, coordsDoc());
    assertCoords(scene.render({ width: 256, height: 256 }), 256, 256);
    const bufs = Array.from({ length: 5 }, () => c.pool.createBuffer({ width: 64, height: 64 }));
    for (const b of bufs) b.release();
    assert.equal(c.pool.stats().idle, 6);
    const backend = backendOf(c);
    await c.cleanup();
    const v = c.validate();
    assert.equal(v.ok, false);
    assert.equal(v.state, 'destroyed');
    assert.deepEqual([c.stats().textures, c.stats().framebuffers, c.stats().programs], [0, 0, 0]);
    const left = backend.stats.liveObjects();
    assert.deepEqual(
      [left.textures, left.framebuffers, left.programs],
      [0, 0, 0],
      'the GL objects were deleted',
    );
    for (const b of bufs) assert.equal(b.destroyed, true);
  });

  test('test_context_reference_counting: acquire 2, release 2, context still valid', () => {
    const a = ctx.acquireRef();
    const b = ctx.acquireRef();
    assert.equal(ctx.refCount, 2);
    ctx.releaseRef(a);
    ctx.releaseRef(b);
    assert.equal(ctx.refCount, 0);
    assert.equal(ctx.validate().ok, true);
    assert.throws(() => ctx.releaseRef(), code('REF_UNDERFLOW'));
  });

  test('test_error_recovery_after_failed_render: no document -> NO_DOCUMENT, then useDoc and 64x64 works', () => {
    const scene = new Scene(ctx);
    assert.throws(() => scene.render({ width: 64, height: 64 }), code('NO_DOCUMENT', /no document/));
    scene.useDocSync(coordsDoc());
    assertCoords(scene.render({ width: 64, height: 64 }), 64, 64);
    scene.destroy();
  });

  test('test_concurrent_operations_safety: 5 concurrent render loops at 32x32 on one scene, 0 errors', async () => {
    const scene = sceneOf(ctx, coordsDoc());
    const errors: unknown[] = [];
    await Promise.all(
      [0, 1, 2, 3, 4].map(async () => {
        for (let i = 0; i < 5; i++) {
          try {
            assertCoords(await scene.renderAsync({ width: 32, height: 32 }), 32, 32);
          } catch (e) {
            errors.push(e);
          }
        }
      }),
    );
    assert.deepEqual(errors, []);
    scene.destroy();
  });

  test('test_force_cleanup_functionality: 10 buffers of 32x32, then forceCleanup', () => {
    const bufs = Array.from({ length: 10 }, () => ctx.pool.createBuffer({ width: 32, height: 32 }));
    ctx.pool.forceCleanup();
    assert.ok(bufs.every((b) => b.destroyed));
    assert.deepEqual([ctx.pool.stats().inUse, ctx.pool.stats().idle], [0, 0]);
    assert.equal(ctx.validate().ok, true);
  });

  test('test_context_state_validation: info keys and a valid, current context', () => {
    const info = ctx.info();
    for (const key of ['backend', 'vendor', 'renderer', 'version', 'maxTextureSize', 'maxViewportDims']) {
      assert.ok(key in info, key);
    }
    const v = ctx.validate();
    assert.equal(v.ok, true);
    assert.equal(v.current, true);
    assert.ok(v.generation >= 1, 'a native context exists (window_ptr != 0 there)');
  });

  test('test_custom_dimensions_stability: 640x480 ... 512x512, frame and PNG sizes', async () => {
    const scene = sceneOf(ctx, coordsDoc());
    for (const [w, h] of [
      [640, 480],
      [320, 240],
      [800, 600],
      [1024, 768],
      [1280, 720],
      [100, 100],
      [512, 512],
    ] as const) {
      const f = scene.render({ width: w, height: h });
      assertCoords(f, w, h);
      assert.deepEqual(await pngSize(f), [w, h]);
    }
    scene.destroy();
  });
});

describe('test_segfault_reproduction.py', () => {
  test('test_default_dimensions_should_work: 1920x1080', () => {
    const scene = red();
    assertRed(scene.render({ width: 1920, height: 1080 }), 1920, 1080);
    scene.destroy();
  });

  test('test_custom_dimensions_640x480_segfault_bug: 640x480 (a bus error there)', () => {
    const scene = red();
    assertRed(scene.render({ width: 640, height: 480 }), 640, 480);
    scene.destroy();
  });

  test('test_various_custom_dimensions: 8 sizes, a fresh scene each', () => {
    for (const [w, h] of [
      [100, 100],
      [320, 240],
      [640, 480],
      [800, 600],
      [1024, 768],
      [1280, 720],
      [512, 512],
      [1000, 1000],
    ] as const) {
      const scene = red();
      assertRed(scene.render({ width: w, height: h }), w, h);
      scene.destroy();
    }
  });

  test('test_with_shader_inputs_custom_dimensions: colour + intensity 0.8 at 640x480', () => {
    const scene = red();
    scene.setValues({ color: [0, 0, 1, 1], intensity: 0.8 });
    const f = scene.render({ width: 640, height: 480 });
    const [r, g, b, a] = f.pixel(639, 0);
    assert.deepEqual([r, g, a], [0, 0, 255]);
    assert.ok(Math.abs(b - 0.8 * 255) <= 2, `blue ${b} is 0.8 of full`);
    scene.destroy();
  });

  test('test_batch_rendering_custom_dimensions: 5 renders at 640x480', () => {
    const scene = red();
    for (let i = 0; i < 5; i++) assertRed(scene.render({ width: 640, height: 480, time: i }), 640, 480);
    scene.destroy();
  });

  test('test_minimal_reproduction_case: vec4(1.0) at 640x480, PNG 640x480', async () => {
    const scene = sceneOf(ctx, doc('/*{}*/\nvoid main() { gl_FragColor = vec4(1.0); }\n', 'White'));
    const f = scene.render({ width: 640, height: 480 });
    assert.ok(f.pixels.every((v) => v === 255));
    assert.deepEqual(await pngSize(f), [640, 480]);
    scene.destroy();
  });
});

describe('test_direct_reproduction.py', () => {
  test('test_direct_reproduction_scenario: 640x480', () => {
    const scene = sceneOf(ctx, coordsDoc());
    assertCoords(scene.render({ width: 640, height: 480 }), 640, 480);
    scene.destroy();
  });

  test('test_stress_test_multiple_renders: 10 renders at 640x480, each to PNG', async () => {
    const scene = red();
    for (let i = 0; i < 10; i++) {
      const f = scene.render({ width: 640, height: 480 });
      assertRed(f, 640, 480);
      assert.deepEqual(await pngSize(f), [640, 480]);
    }
    scene.destroy();
  });

  test('test_various_problematic_dimensions: 640x480 ... 160x120', () => {
    const scene = sceneOf(ctx, coordsDoc());
    for (const [w, h] of [
      [640, 480],
      [320, 240],
      [1280, 960],
      [800, 600],
      [1024, 768],
      [512, 384],
      [720, 540],
      [160, 120],
    ] as const) {
      assertCoords(scene.render({ width: w, height: h }), w, h);
    }
    scene.destroy();
  });
});

describe('test_enhanced_error_handling.py', () => {
  const scene = (): Scene => sceneOf(ctx, coordsDoc());
  for (const [w, h] of [
    [-100, 100],
    [100, -100],
    [0, 100],
    [100, 0],
  ] as const) {
    test(`invalid size ${w}x${h}: SIZE_OUT_OF_RANGE "positive"`, () => {
      const s = scene();
      assert.throws(
        () => s.render({ width: w, height: h }),
        code('SIZE_OUT_OF_RANGE', /positive integer render/),
      );
      s.destroy();
    });
  }

  test('20000x20000: SIZE_OUT_OF_RANGE naming the maximum', () => {
    const s = scene();
    assert.throws(
      () => s.render({ width: 20000, height: 20000 }),
      code('SIZE_OUT_OF_RANGE', new RegExp(`maximum of ${ctx.maxRenderSize()}`)),
    );
    s.destroy();
  });

  test('a scene without a document: NO_DOCUMENT', () => {
    assert.throws(() => new Scene(ctx).render({ width: 8, height: 8 }), code('NO_DOCUMENT'));
  });

  test('1x1 succeeds', () => {
    const s = scene();
    assertCoords(s.render({ width: 1, height: 1 }), 1, 1);
    s.destroy();
  });

  test('4096x4096 succeeds', () => {
    const s = scene();
    assertCoords(s.render({ width: 4096, height: 4096 }), 4096, 4096);
    s.destroy();
    ctx.pool.purge();
  });

  test('640x480 with PNG succeeds', async () => {
    const s = scene();
    assert.deepEqual(await pngSize(s.render({ width: 640, height: 480 })), [640, 480]);
    s.destroy();
  });

  test('recovery after -100x-100', () => {
    const s = scene();
    assert.throws(() => s.render({ width: -100, height: -100 }), code('SIZE_OUT_OF_RANGE'));
    assertCoords(s.render({ width: 100, height: 100 }), 100, 100);
    s.destroy();
  });
});

describe('test_batch_rendering_fix.py', () => {
  test('test_batch_rendering_basic: 5 frames at 100x100, red pixels, scene.cleanup() between', () => {
    const scene = red();
    for (let i = 0; i < 5; i++) {
      assertRed(scene.render({ width: 100, height: 100 }), 100, 100);
      scene.cleanup();
      assert.equal(ctx.stats().pool.inUse, 0);
    }
    scene.destroy();
  });

  test('test_texture_validation: image inputs of 50x50, 100x100, 200x200 reach the shader 1:1', () => {
    const scene = sceneOf(
      ctx,
      doc(
        '/*{ "INPUTS": [ { "NAME": "inputImage", "TYPE": "image" } ] }*/\nvoid main() { gl_FragColor = IMG_THIS_PIXEL(inputImage); }\n',
        'Passthrough',
      ),
    );
    for (const n of [50, 100, 200]) {
      const img = ramp(n, n);
      scene.setImageData('inputImage', img);
      assert.deepEqual([...scene.render({ width: n, height: n }).pixels], [...img.data], `${n}x${n}`);
    }
    scene.destroy();
  });

  test('test_context_state_management: 3 scenes at 80x80 with resetState() between', () => {
    for (let i = 0; i < 3; i++) {
      const scene = sceneOf(ctx, coordsDoc());
      assertCoords(scene.render({ width: 80, height: 80 }), 80, 80);
      ctx.resetState();
      scene.destroy();
    }
  });
});

describe('test_complex_rendering.py', () => {
  test('test_multiple_scenes_parallel: 5 scenes at 50x50 concurrently, all succeed (there: at least one)', async () => {
    const scenes = [0, 1, 2, 3, 4].map((i) =>
      sceneOf(ctx, solidDoc()).setValue('color', [i / 4, 0, 1 - i / 4, 1]),
    );
    const frames = await Promise.all(scenes.map((s) => s.renderAsync({ width: 50, height: 50 })));
    for (const [i, f] of frames.entries()) {
      assert.deepEqual(f.pixel(25, 25), [Math.round((i / 4) * 255), 0, Math.round((1 - i / 4) * 255), 255]);
    }
    for (const s of scenes) s.destroy();
  });

  test('test_context_switching (skipped there): 3 reinits with renders between', () => {
    const scene = feedbackScene(ctx, 8);
    const ref = scene.render({ width: 50, height: 50, time: 1, frameIndex: 0 });
    for (let i = 0; i < 3; i++) {
      ctx.reinitialize();
      assertSameFrame(scene.render({ width: 50, height: 50, time: 1, frameIndex: 0 }), ref, `reinit ${i}`);
    }
    scene.destroy();
  });

  test('test_rapid_rendering: 10 renders at 50x50', () => {
    const scene = red();
    for (let i = 0; i < 10; i++) assertRed(scene.render({ width: 50, height: 50 }), 50, 50);
    scene.destroy();
  });

  test('test_memory_pressure: 5 renders at 1024x1024, live objects flat', () => {
    const scene = red();
    scene.render({ width: 1024, height: 1024 });
    const textures = live(ctx).textures;
    for (let i = 0; i < 5; i++) assertRed(scene.render({ width: 1024, height: 1024 }), 1024, 1024);
    assert.equal(live(ctx).textures, textures);
    scene.destroy();
    ctx.pool.purge();
  });
});

describe('test_safe_rendering.py', () => {
  test('safe basic render: 50x50', () => {
    const scene = red();
    assertRed(scene.render({ width: 50, height: 50 }), 50, 50);
    scene.destroy();
  });

  test('safe multiple scenes: 3 scenes at 50x50', () => {
    const scenes = [red(), red(), red()];
    for (const s of scenes) assertRed(s.render({ width: 50, height: 50 }), 50, 50);
    assert.equal(live(ctx).programs >= 1, true);
    for (const s of scenes) s.destroy();
  });

  test('safe rapid rendering: 5 renders', () => {
    const scene = red();
    for (let i = 0; i < 5; i++) assertRed(scene.render({ width: 50, height: 50 }), 50, 50);
    scene.destroy();
  });

  test('safe memory pressure: 3 renders at 256x256', () => {
    const scene = red();
    for (let i = 0; i < 3; i++) assertRed(scene.render({ width: 256, height: 256 }), 256, 256);
    scene.destroy();
  });
});

describe('test_renderer.py / test_renderer_crash.py', () => {
  test('basic render at 100x100', () => {
    const scene = red();
    assertRed(scene.render({ width: 100, height: 100 }), 100, 100);
    scene.destroy();
  });

  test('200x200 with inputs', () => {
    const scene = red().setValues({ color: [0, 1, 0, 1], intensity: 1 });
    const f = scene.render({ width: 200, height: 200 });
    assert.deepEqual([f.width, f.height], [200, 200]);
    const [r, g, b, a] = f.pixel(199, 100);
    assert.ok(r === 0 && g > 240 && b === 0 && a === 255);
    scene.destroy();
  });

  test('render without explicit initialization', () => {
    const lazy = createContext();
    try {
      assert.equal(lazy.state, 'uninitialized');
      const scene = sceneOf(lazy, coordsDoc());
      assertCoords(scene.render({ width: 16, height: 16 }), 16, 16);
    } finally {
      lazy.destroy();
    }
  });
});

describe('test_pyvvisf.py', () => {
  test('import: the public entry exports the lifecycle API', () => {
    for (const name of [
      'createContext',
      'createContextWith',
      'GLContext',
      'Scene',
      'BufferPool',
      'parseISF',
      'loadISF',
    ]) {
      assert.ok(name in isf, name);
    }
  });

  test('platform info: info().backend names the platform', () => {
    assert.match(ctx.info().backend, /^egl-(surfaceless|device)$/);
  });

  test('gl info: a typed object with version, vendor and renderer', () => {
    const info = ctx.info();
    assert.equal(typeof info.version, 'string');
    assert.equal(typeof info.vendor, 'string');
    assert.equal(typeof info.renderer, 'string');
  });

  test('availability: a context can be created and validates', () => {
    const c = createContext().initialize();
    assert.equal(c.validate().ok, true);
    c.destroy();
  });

  test('value constructors: inputs are plain values, coerced by type', () => {
    const color = { name: 'c', type: 'color', default: [1, 0, 0, 1] } as const;
    assert.deepEqual(coerceInputValue(color as never, [0.5, 0.5, 0.5]), [0.5, 0.5, 0.5, 1]);
    assert.equal(coerceInputValue({ name: 'b', type: 'bool' } as never, 1), true);
    assert.equal(coerceInputValue({ name: 'l', type: 'long' } as never, 3), 3);
    assert.deepEqual(coerceInputValue({ name: 'p', type: 'point2D' } as never, [1, 2]), [1, 2]);
  });

  test('scene and document creation: name and description are set', () => {
    const d = doc(RED_SOURCE, 'Red');
    assert.equal(d.name, 'Red');
    assert.equal(d.description, 'red test pattern');
    const scene = new Scene(ctx).useDocSync(d);
    assert.equal(scene.doc, d);
    scene.destroy();
  });

  test('size: a frame knows its width and height', () => {
    const scene = red();
    const f = scene.render({ width: 100, height: 100 });
    assert.deepEqual([f.width, f.height, f.pixels.length], [100, 100, 100 * 100 * 4]);
    scene.destroy();
  });

  test('type strings: input types are readable strings', () => {
    const d = doc(RED_SOURCE, 'Red');
    assert.deepEqual(
      d.inputs.map((i) => i.type),
      ['color', 'float'],
    );
  });
});

describe('test_isf_renderer.py', () => {
  test('entering twice: validate() twice on one context', () => {
    assert.equal(ctx.validate().ok, true);
    ctx.ensureCurrent();
    assert.equal(ctx.validate().ok, true);
  });

  test('set_input / set_inputs are recorded (getValue)', () => {
    const scene = red();
    scene.setValue('intensity', 0.25);
    scene.setValues({ color: [0, 0, 1, 1] });
    assert.equal(scene.getValue('intensity'), 0.25);
    assert.deepEqual(scene.getValue('color'), [0, 0, 1, 1]);
    scene.destroy();
  });

  test('render_to_pil_image(100, 100): a 100x100 PNG', async () => {
    const scene = red();
    assert.deepEqual(await pngSize(scene.render({ width: 100, height: 100 })), [100, 100]);
    scene.destroy();
  });

  test('render_to_buffer: a 100x100 pooled buffer', () => {
    const b = ctx.pool.createBuffer({ width: 100, height: 100 });
    assert.deepEqual([b.width, b.height], [100, 100]);
    b.release();
  });

  test('outside the context manager (no shader loaded): NO_DOCUMENT', () => {
    assert.throws(() => new Scene(ctx).render({ width: 10, height: 10 }), code('NO_DOCUMENT'));
  });
});

describe('test_isf_renderer_errors.py', () => {
  const parse = (src: string) => () => doc(src, 'Bad');
  test('a valid shader gives 256x256 RGBA', () => {
    const scene = red();
    const f = scene.render({ width: 256, height: 256 });
    assert.equal(f.pixels.length, 256 * 256 * 4);
    scene.destroy();
  });

  test('malformed JSON: ISF_JSON_SYNTAX', () => {
    assert.throws(parse('/*{ "INPUTS": [ }*/\nvoid main() {}\n'), code('ISF_JSON_SYNTAX'));
  });

  test('missing JSON comment: ISF_MISSING_COMMENT', () => {
    assert.throws(parse('void main() { gl_FragColor = vec4(1.0); }\n'), code('ISF_MISSING_COMMENT'));
  });

  test('GLSL syntax error: GLSL_COMPILE with a line', () => {
    const scene = red();
    assert.throws(
      () => scene.useDocSync(doc('/*{}*/\nvoid main() {\n  gl_FragColor = vec4(1.0)\n}\n', 'Syntax')),
      code('GLSL_COMPILE', /line/),
    );
    scene.destroy();
  });

  test('undefined variable: GLSL_COMPILE at its line', () => {
    assert.throws(
      () => new Scene(ctx).useDocSync(doc(BROKEN_SOURCE, 'Broken')),
      code('GLSL_COMPILE', /line 3/),
    );
  });

  test('invalid input type: ISF_INPUT_TYPE', () => {
    assert.throws(
      parse('/*{ "INPUTS": [ { "NAME": "x", "TYPE": "banana" } ] }*/\nvoid main() {}\n'),
      code('ISF_INPUT_TYPE'),
    );
  });

  test('bad input value: INPUT_VALUE', () => {
    const scene = red();
    assert.throws(() => scene.setValue('intensity', 'lots'), code('INPUT_VALUE'));
    scene.destroy();
  });

  test('unknown input: INPUT_UNKNOWN', () => {
    const scene = red();
    assert.throws(() => scene.setValue('nope', 1), code('INPUT_UNKNOWN'));
    scene.destroy();
  });

  test('error details: a code, the file and the line, not only a message', () => {
    try {
      new Scene(ctx).useDocSync(doc(BROKEN_SOURCE, 'Broken'));
      assert.fail('compiled');
    } catch (e) {
      const err = e as isf.ISFError;
      assert.equal(err.code, 'GLSL_COMPILE');
      assert.equal(err.file, '/virtual/Broken.fs');
      assert.equal(err.line, 3);
    }
  });

  test('non-constant loop condition: valid in GLSL ES 3.00, so it compiles and renders (desktop GL too)', () => {
    const scene = sceneOf(
      ctx,
      doc(
        '/*{}*/\nvoid main() {\n  int j = int(RENDERSIZE.x);\n  float s = 0.0;\n  for (int i = 0; i < j; i++) s += 1.0 / RENDERSIZE.x;\n  gl_FragColor = vec4(s, 0.0, 0.0, 1.0);\n}\n',
        'Loop',
      ),
    );
    assert.deepEqual(scene.render({ width: 16, height: 4 }).pixel(0, 0), [255, 0, 0, 255]);
    scene.destroy();
  });

  test('render(0, 0): the error mentions rendering', () => {
    const scene = red();
    assert.throws(() => scene.render({ width: 0, height: 0 }), code('SIZE_OUT_OF_RANGE', /render/));
    scene.destroy();
  });

  test('error cleanup on context exit (broken there: close() did not exist): 3 x fail + destroy', () => {
    for (let i = 0; i < 3; i++) {
      const scene = new Scene(ctx);
      assert.throws(() => scene.useDocSync(doc(BROKEN_SOURCE, 'Broken')), code('GLSL_COMPILE'));
      scene.destroy();
      scene.destroy();
    }
    assert.equal(ctx.validate().ok, true);
  });
});

describe('test_auto_coercion.py', () => {
  const scene = () =>
    sceneOf(
      ctx,
      doc(
        `/*{ "INPUTS": [
          { "NAME": "flag", "TYPE": "bool" }, { "NAME": "count", "TYPE": "long" },
          { "NAME": "amount", "TYPE": "float" }, { "NAME": "where", "TYPE": "point2D" },
          { "NAME": "tint", "TYPE": "color" } ] }*/\nvoid main() { gl_FragColor = tint; }\n`,
        'Coerce',
      ),
    );

  test('bool from 1 and 0.0; point2D from (100.0, 200.0); colour of 3 numbers gets alpha 1', () => {
    const s = scene();
    assert.equal(s.setValue('flag', 1).getValue('flag'), true);
    assert.equal(s.setValue('flag', 0.0).getValue('flag'), false);
    assert.deepEqual(s.setValue('where', [100.0, 200.0]).getValue('where'), [100, 200]);
    assert.deepEqual(s.setValue('tint', [0.5, 0.25, 1]).getValue('tint'), [0.5, 0.25, 1, 1]);
    s.destroy();
  });

  test('long from 3.14: refused here (INPUT_VALUE), where the predecessor truncated to 3', () => {
    const s = scene();
    assert.throws(() => s.setValue('count', 3.14), code('INPUT_VALUE', /integer/));
    assert.equal(s.setValue('count', 3).getValue('count'), 3);
    s.destroy();
  });

  test('errors: "not a number" for a float, (1.0, 2.0) and ("red", "green", "blue") for a colour', () => {
    const s = scene();
    assert.throws(() => s.setValue('amount', 'not a number'), code('INPUT_VALUE'));
    assert.throws(() => s.setValue('tint', [1.0, 2.0]), code('INPUT_VALUE'));
    assert.throws(() => s.setValue('tint', ['red', 'green', 'blue']), code('INPUT_VALUE'));
    s.destroy();
  });
});

describe('test_time_offset.py', () => {
  const scene = () => sceneOf(ctx, doc(ANIMATED_SOURCE, 'Animated'));
  const pixelsAt = (time: number | undefined) => {
    const s = scene();
    const f = s.render(time === undefined ? { width: 32, height: 32 } : { width: 32, height: 32, time });
    s.destroy();
    return Buffer.from(f.pixels);
  };

  test('times 0, 3, 5, 7 give different images; the default is time 0', () => {
    const frames = [0, 3, 5, 7].map(pixelsAt);
    for (let i = 0; i < frames.length; i++) {
      for (let j = i + 1; j < frames.length; j++) assert.notDeepEqual(frames[i], frames[j], `${i} vs ${j}`);
    }
    assert.deepEqual(pixelsAt(undefined), frames[0]);
  });

  test('-1.0 differs from 0; 100.0 is neither all 0 nor all 255', () => {
    assert.notDeepEqual(pixelsAt(-1), pixelsAt(0));
    const f = pixelsAt(100);
    const rgb = [...f].filter((_, i) => i % 4 !== 3);
    assert.ok(!rgb.every((v) => v === 0) && !rgb.every((v) => v === 255));
  });
});
