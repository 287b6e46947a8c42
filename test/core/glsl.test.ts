/** generateShaders contract (declarations, dialects, line maps) and mapCompileLog. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ISFDocument } from '../../src/core/document.ts';
import { ISFError } from '../../src/core/errors.ts';
import { type GeneratedShaders, generateShaders, mapCompileLog } from '../../src/core/glsl/index.ts';
import { makeDoc } from './glsl-fixtures.ts';

function fullDoc(): ISFDocument {
  return makeDoc('void main() {\n  gl_FragColor = vec4(TIME);\n}\n', {
    path: '/x/full.fs',
    fragmentBodyLine: 10,
    inputs: [
      { name: 'ev', type: 'event' },
      { name: 'b', type: 'bool', default: true },
      { name: 'l', type: 'long', default: 1 },
      { name: 'f', type: 'float', default: 0, min: 0, max: 1 },
      { name: 'p', type: 'point2D', default: [0, 0] },
      { name: 'c', type: 'color', default: [0, 0, 0, 1] },
      { name: 'img', type: 'image' },
      { name: 'snd', type: 'audio' },
      { name: 'fft', type: 'audioFFT' },
      { name: 'sky', type: 'cube' },
    ],
    imported: [{ name: 'noise', path: 'noise.png' }],
    passes: [
      { target: 'bufA', persistent: true, float: true },
      { target: 'bufB', persistent: false, float: false },
      { target: 'bufA', persistent: true, float: true },
      { persistent: false, float: false },
    ],
  });
}

function uniforms(src: string): string[] {
  return src.split('\n').filter((l) => l.startsWith('uniform '));
}

describe('generateShaders', () => {
  it('declares built-ins, inputs, IMPORTED and targets identically in both stages', () => {
    const g = generateShaders(fullDoc());
    const u = uniforms(g.fragment);
    assert.deepEqual(u, uniforms(g.vertex));
    const img = (n: string) => [
      `uniform sampler2D ${n};`,
      `uniform vec4 _${n}_imgRect;`,
      `uniform vec2 _${n}_imgSize;`,
      `uniform bool _${n}_flip;`,
    ];
    assert.deepEqual(u, [
      'uniform int PASSINDEX;',
      'uniform vec2 RENDERSIZE;',
      'uniform float TIME;',
      'uniform float TIMEDELTA;',
      'uniform vec4 DATE;',
      'uniform int FRAMEINDEX;',
      'uniform vec2 isf_FlipY;',
      'uniform bool ev;',
      'uniform bool b;',
      'uniform int l;',
      'uniform float f;',
      'uniform vec2 p;',
      'uniform vec4 c;',
      ...img('img'),
      ...img('snd'),
      ...img('fft'),
      'uniform samplerCube sky;',
      'uniform vec2 _sky_imgSize;',
      ...img('noise'),
      ...img('bufA'),
      ...img('bufB'),
    ]);
    assert.deepEqual(
      g.samplers.map((s) => [s.name, s.kind, s.source]),
      [
        ['img', '2D', 'input'],
        ['snd', '2D', 'input'],
        ['fft', '2D', 'input'],
        ['sky', 'cube', 'input'],
        ['noise', '2D', 'imported'],
        ['bufA', '2D', 'target'],
        ['bufB', '2D', 'target'],
      ],
    );
  });

  it('adds v1 PERSISTENT_BUFFERS that no pass renders into', () => {
    const g = generateShaders(
      makeDoc('void main(){}', {
        json: { PERSISTENT_BUFFERS: ['old', 'bufA'] },
        passes: [{ target: 'bufA', persistent: true, float: false }],
      }),
    );
    assert.deepEqual(
      g.samplers.map((s) => s.name),
      ['bufA', 'old'],
    );
  });

  it('es300: version, precision once, output define, varyings', () => {
    const g = generateShaders(fullDoc());
    assert.equal(g.dialect, 'es300');
    const f = g.fragment.split('\n');
    assert.equal(f[0], '#version 300 es');
    assert.equal(g.fragment.match(/precision highp float;/g)?.length, 1);
    assert.equal(g.fragment.match(/precision highp int;/g)?.length, 1);
    assert.match(g.fragment, /^out vec4 isf_FragColor;\n#define gl_FragColor isf_FragColor$/m);
    assert.match(g.fragment, /^in vec2 isf_FragNormCoord;$/m);
    assert.equal(g.vertex.split('\n')[0], '#version 300 es');
    assert.match(g.vertex, /^layout\(location = 0\) in vec2 VERTEXDATA;$/m);
    assert.match(g.vertex, /^out vec2 isf_FragNormCoord;$/m);
    assert.match(g.vertex, /isf_FragNormCoord = \(VERTEXDATA \+ 1\.0\) \* 0\.5;/);
    assert.match(g.vertex, /gl_Position = vec4\(VERTEXDATA, 0\.0, 1\.0\);/);
    assert.match(
      g.vertex,
      /void main\(\) \{\n {2}isf_vertShaderInit\(\);\n {2}gl_Position\.y \*= 1\.0 - 2\.0 \* isf_FlipY\.x;\n\}/,
    );
    assert.doesNotMatch(g.fragment, /gl_FragCoord\.xy \/ RENDERSIZE/);
  });

  it('es100: #version 100, attribute/varying, no output define', () => {
    const g = generateShaders(fullDoc(), { dialect: 'es100' });
    assert.equal(g.fragment.split('\n')[0], '#version 100');
    assert.doesNotMatch(g.fragment, /isf_FragColor/);
    assert.match(g.fragment, /^varying vec2 isf_FragNormCoord;$/m);
    assert.match(g.vertex, /^attribute vec2 VERTEXDATA;$/m);
    assert.match(g.vertex, /^varying vec2 isf_FragNormCoord;$/m);
    assert.equal(g.fragment.match(/precision highp float;/g)?.length, 1);
  });

  it('es310: two-line preamble with the implicit-conversions extension, ES 3 otherwise', () => {
    const src =
      '#if __VERSION__ == 310\nfloat round(float x) { return x; }\n#endif\nvoid main() { gl_FragColor = vec4(0); }';
    const g = generateShaders(makeDoc(src, { fragmentBodyLine: 3 }), { dialect: 'es310' });
    const f = g.fragment.split('\n');
    assert.deepEqual(f.slice(0, 2), [
      '#version 310 es',
      '#extension GL_EXT_shader_implicit_conversions : enable',
    ]);
    assert.equal(g.vertex.split('\n')[1], '#extension GL_EXT_shader_implicit_conversions : enable');
    assert.match(g.fragment, /^out vec4 isf_FragColor;$/m);
    assert.deepEqual(g.renamed, [{ from: 'round', to: 'isf_user_round' }]);
    assert.equal(f[g.fragmentLineMap.indexOf(6) - 1], 'void main() { gl_FragColor = vec4(0); }');
    assert.equal(g.fragmentLineMap[2], null);
  });

  it('rejects an unknown dialect', () => {
    assert.throws(
      () => generateShaders(fullDoc(), { dialect: 'es200' as 'es300' }),
      (e: unknown) => e instanceof ISFError && e.code === 'BAD_ARGUMENT',
    );
  });

  it('maps every user line in the fragment line map', () => {
    const g = generateShaders(fullDoc());
    const lines = g.fragment.split('\n');
    const mapped = g.fragmentLineMap.map((l, i) => [l, lines[i - 1]]).filter(([l]) => l != null);
    assert.deepEqual(mapped, [
      [10, 'void main() {'],
      [11, '  gl_FragColor = vec4(TIME);'],
      [12, '}'],
    ]);
    assert.equal(g.fragmentLineMap[0], null);
    assert.equal(g.fragmentLineMap.length, lines.length); // trailing '' after the final newline is index length-1
    assert.ok(g.vertexLineMap.every((l) => l === null));
  });

  it('wraps a user vertex shader: forward declaration before, definition after, lines mapped', () => {
    const vs = '#version 120\nvoid main() {\n  vv_vertShaderInit();\n  gl_Position.x += 0.1;\n}';
    const g = generateShaders(makeDoc('void main(){}', { vertexSource: vs, vertexPath: 'a.vs' }));
    const lines = g.vertex.split('\n');
    const decl = lines.indexOf('void isf_vertShaderInit();');
    const user = lines.indexOf('void isf_userMain() {'); // the user's main(), renamed
    const main = lines.indexOf('void main() {');
    const def = lines.indexOf('void isf_vertShaderInit() {');
    assert.ok(decl >= 0 && decl < user && user < main && main < def, `${decl} ${user} ${main} ${def}`);
    assert.equal(lines[user - 1], ''); // the #version line, blanked
    assert.equal(g.vertexLineMap[user + 1], 2);
    assert.equal(lines[user + 1], '  isf_vertShaderInit();');
    // Ours calls it, then mirrors gl_Position for a pass drawn upside down (the GPU flip).
    assert.deepEqual(lines.slice(main + 1, main + 3), [
      '  isf_userMain();',
      '  gl_Position.y *= 1.0 - 2.0 * isf_FlipY.x;',
    ]);
    assert.equal(g.vertex.match(/^void main/gm)?.length, 1);
  });

  it('es300 maps ES 1.00 texture functions the user calls, unless the user declares them', () => {
    const g = generateShaders(
      makeDoc('void main(){ gl_FragColor = texture2D(img, vec2(0.0)) + textureCube(sky, vec3(1.0)); }'),
    );
    assert.match(g.fragment, /^#define texture2D texture$/m);
    assert.match(g.fragment, /^#define textureCube texture$/m);
    assert.doesNotMatch(g.fragment, /#define texture2DLod/);
    const own = generateShaders(
      makeDoc(
        'vec4 texture2D(vec2 p) { return vec4(p, 0.0, 1.0); }\nvoid main(){ gl_FragColor = texture2D(vec2(0.0)); }',
      ),
    );
    assert.doesNotMatch(own.fragment, /#define texture2D/);
    const es1 = generateShaders(makeDoc('void main(){ gl_FragColor = texture2D(img, vec2(0.0)); }'), {
      dialect: 'es100',
    });
    assert.doesNotMatch(es1.fragment, /#define texture2D/);
  });

  it('leaves out isf_FragColor when an ES 3.00 shader declares its own output', () => {
    const g = generateShaders(makeDoc('out vec4 color;\nvoid main(){ color = vec4(1.0); }'));
    assert.doesNotMatch(g.fragment, /isf_FragColor/);
  });

  it('is deterministic and does not mutate the document', () => {
    const doc = fullDoc();
    const copy = structuredClone(doc);
    assert.deepEqual(generateShaders(doc), generateShaders(doc));
    assert.deepEqual(doc, copy);
  });
});

describe('mapCompileLog', () => {
  // Generated line numbers of the user's lines 10..12 (body of fullDoc).
  const g: GeneratedShaders = generateShaders(fullDoc());
  const gen = (userLine: number) => g.fragmentLineMap.indexOf(userLine);
  const files = { fragment: '/x/full.fs', vertex: '/x/full.vs' };

  it('reads Mesa logs', () => {
    const log = `0:${gen(11)}(18): error: \`foo' undeclared\n0:${gen(12)}(1): warning: unused\n`;
    assert.deepEqual(mapCompileLog(log, g, 'fragment', files), [
      { severity: 'error', code: 'GLSL_COMPILE', message: "`foo' undeclared", file: '/x/full.fs', line: 11 },
      { severity: 'warning', code: 'GLSL_COMPILE', message: 'unused', file: '/x/full.fs', line: 12 },
    ]);
  });

  it('reads glslang / ANGLE logs and drops the summary', () => {
    const log = `ERROR: 0:${gen(10)}: 'x' : undeclared identifier \nWARNING: 0:${gen(11)}: 'y' : something\nERROR: 2 compilation errors.  No code generated.\n\n`;
    assert.deepEqual(mapCompileLog(log, g, 'fragment', files), [
      {
        severity: 'error',
        code: 'GLSL_COMPILE',
        message: "'x' : undeclared identifier",
        file: '/x/full.fs',
        line: 10,
      },
      { severity: 'warning', code: 'GLSL_COMPILE', message: "'y' : something", file: '/x/full.fs', line: 11 },
    ]);
  });

  it('reads NVIDIA logs', () => {
    const log = `0(${gen(11)}) : error C1008: undefined variable "foo"`;
    assert.deepEqual(mapCompileLog(log, g, 'fragment', files), [
      {
        severity: 'error',
        code: 'GLSL_COMPILE',
        message: 'undefined variable "foo"',
        file: '/x/full.fs',
        line: 11,
      },
    ]);
  });

  it('does not invent a user line for generated code, and keeps unknown lines', () => {
    const d = mapCompileLog('ERROR: 0:2: bad precision\nsomething odd happened', g, 'vertex', files);
    assert.equal(d.length, 2);
    assert.equal(d[0]!.line, undefined);
    assert.equal(d[0]!.file, '/x/full.vs');
    assert.match(d[0]!.message, /^bad precision \(in code generated by isf-renderer/);
    assert.deepEqual(d[1], {
      severity: 'error',
      code: 'GLSL_COMPILE',
      message: 'something odd happened',
      file: '/x/full.vs',
    });
  });

  it('maps vertex logs through the vertex line map', () => {
    const vg = generateShaders(
      makeDoc('void main(){}', { vertexSource: 'void main() {\n  isf_vertShaderInit();\n  oops;\n}\n' }),
    );
    const line = vg.vertexLineMap.indexOf(3);
    const d = mapCompileLog(`0:${line}(3): error: \`oops' undeclared`, vg, 'vertex', { vertex: 'v.vs' });
    assert.deepEqual(d, [
      { severity: 'error', code: 'GLSL_COMPILE', message: "`oops' undeclared", file: 'v.vs', line: 3 },
    ]);
  });
});
