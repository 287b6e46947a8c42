/**
 * The dialect catalogue (docs/dialects.md): one small file per departure from the ISF spec that some host accepts.
 * Each loads with its documented warning (code, line, column), renders the pixels its maths implies (8x8), and fails
 * under `strict` with ISF_STRICT carrying the same code and location. Notes that are not departures (an #extension
 * ES 3.00 makes unnecessary, v1 names...) load and render with their warning and still pass under strict. Host types
 * and formats with no faithful mapping are refused with an error naming what the file is.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Diagnostic } from '../../src/core/errors.ts';
import { ISFError } from '../../src/core/errors.ts';
import { generateShaders } from '../../src/core/glsl/index.ts';
import { loadISF } from '../../src/node/load.ts';
import { nodePlatform } from '../../src/node/platform.ts';
import { Scene } from '../../src/render/scene.ts';
import { context } from '../helpers.ts';

const DIR = mkdtempSync(join(tmpdir(), 'isf-dialects-'));
after(() => context().destroy());

interface Case {
  name: string;
  /** The .fs, line by line. */
  fs: string[];
  /** Other files next to it (for #include). */
  files?: Record<string, string>;
  /** The file's name (default main.fs; a VERTEX_SHADER_ART document is a .vs). */
  file?: string;
  code: string;
  line: number;
  column: number;
  /** RGBA (0..255) at the centre of the 8x8 frame. */
  rgba: [number, number, number, number];
  /** Values set before the render. */
  set?: Record<string, unknown>;
}

/** A v2 header with these INPUTS entries (one per line, starting on line 3). */
const withInputs = (inputs: string[], body: string[], extra: string[] = []): string[] => [
  '/*{',
  '  "ISFVSN": "2",',
  ...inputs.map((i) => `  ${i}`),
  ...extra,
  '}*/',
  ...body,
];
const out = (expr: string): string[] => ['void main() {', `  gl_FragColor = ${expr};`, '}'];
const GREY = [128, 128, 128, 255] as [number, number, number, number];

// Departures: warning by default, ISF_STRICT under strict.
const DEPARTURES: Case[] = [
  // --- JSON that is not strict JSON (W_JSON_LENIENT)
  {
    name: 'trailing comma after the last top-level member',
    fs: ['/*{', '  "ISFVSN": "2",', '  "DESCRIPTION": "x",', '}*/', ...out('vec4(0.5, 0.5, 0.5, 1.0)')],
    code: 'W_JSON_LENIENT',
    line: 3,
    column: 21,
    rgba: GREY,
  },
  {
    name: 'trailing comma in INPUTS',
    fs: withInputs(
      ['"INPUTS": [ { "NAME": "a", "TYPE": "float", "DEFAULT": 0.5 }, ]'],
      out('vec4(a, 0.0, 0.0, 1.0)'),
    ),
    code: 'W_JSON_LENIENT',
    line: 3,
    column: 63,
    rgba: [128, 0, 0, 255],
  },
  {
    name: 'trailing comma inside an input',
    fs: withInputs(
      ['"INPUTS": [ { "NAME": "a", "TYPE": "float", "DEFAULT": 0.25, } ]'],
      out('vec4(a, a, a, 1.0)'),
    ),
    code: 'W_JSON_LENIENT',
    line: 3,
    column: 62,
    rgba: [64, 64, 64, 255],
  },
  {
    name: 'trailing comma in a colour DEFAULT',
    fs: withInputs(['"INPUTS": [ { "NAME": "c", "TYPE": "color", "DEFAULT": [0, 1, 0, 1,] } ]'], out('c')),
    code: 'W_JSON_LENIENT',
    line: 3,
    column: 69,
    rgba: [0, 255, 0, 255],
  },
  {
    name: 'number written 1.',
    fs: withInputs(
      ['"INPUTS": [ { "NAME": "a", "TYPE": "float", "DEFAULT": 1., "MAX": 1.0 } ]'],
      out('vec4(a)'),
    ),
    code: 'W_JSON_LENIENT',
    line: 3,
    column: 58,
    rgba: [255, 255, 255, 255],
  },
  {
    name: 'number written 0.',
    fs: withInputs(
      ['"INPUTS": [ { "NAME": "a", "TYPE": "float", "DEFAULT": 0. } ]'],
      out('vec4(a, a, a, 1.0)'),
    ),
    code: 'W_JSON_LENIENT',
    line: 3,
    column: 58,
    rgba: [0, 0, 0, 255],
  },
  {
    name: 'number written .5',
    fs: withInputs(
      ['"INPUTS": [ { "NAME": "a", "TYPE": "float", "DEFAULT": .5 } ]'],
      out('vec4(a, a, a, 1.0)'),
    ),
    code: 'W_JSON_LENIENT',
    line: 3,
    column: 58,
    rgba: GREY,
  },
  {
    name: 'number written -.5 (MIN)',
    fs: withInputs(
      ['"INPUTS": [ { "NAME": "a", "TYPE": "float", "MIN": -.5, "MAX": 1.0, "DEFAULT": 0.5 } ]'],
      out('vec4(a, a, a, 1.0)'),
    ),
    code: 'W_JSON_LENIENT',
    line: 3,
    column: 54,
    rgba: GREY,
  },
  {
    name: 'raw tab inside a string',
    fs: ['/*{', '  "ISFVSN": "2",', '  "DESCRIPTION": "a\tb"', '}*/', ...out('vec4(1.0, 0.0, 0.0, 1.0)')],
    code: 'W_JSON_LENIENT',
    line: 3,
    column: 20,
    rgba: [255, 0, 0, 255],
  },
  {
    name: 'raw line break inside a string',
    fs: [
      '/*{',
      '  "ISFVSN": "2",',
      '  "DESCRIPTION": "first',
      'second"',
      '}*/',
      ...out('vec4(0.0, 0.0, 1.0, 1.0)'),
    ],
    code: 'W_JSON_LENIENT',
    line: 3,
    column: 24,
    rgba: [0, 0, 255, 255],
  },
  {
    name: '// comment line inside the JSON',
    fs: ['/*{', '  // made in MadMapper', '  "ISFVSN": "2"', '}*/', ...out('vec4(0.0, 1.0, 0.0, 1.0)')],
    code: 'W_JSON_LENIENT',
    line: 2,
    column: 3,
    rgba: [0, 255, 0, 255],
  },
  {
    name: '// comment after a value',
    fs: withInputs(
      ['"INPUTS": [ { "NAME": "a", "TYPE": "float", "DEFAULT": 0.5 } ] // the only input'],
      out('vec4(a, a, a, 1.0)'),
    ),
    code: 'W_JSON_LENIENT',
    line: 3,
    column: 66,
    rgba: GREY,
  },
  // --- values of the wrong JSON type that hosts coerce (W_COERCED)
  {
    name: '"MAX": "1024"',
    fs: withInputs(
      ['"INPUTS": [ { "NAME": "n", "TYPE": "float", "MIN": 0, "MAX": "1024", "DEFAULT": 512 } ]'],
      out('vec4(vec3(n / 1024.0), 1.0)'),
    ),
    code: 'W_COERCED',
    line: 3,
    column: 64,
    rgba: GREY,
  },
  {
    name: 'float DEFAULT "0.25"',
    fs: withInputs(
      ['"INPUTS": [ { "NAME": "a", "TYPE": "float", "DEFAULT": "0.25" } ]'],
      out('vec4(vec3(a), 1.0)'),
    ),
    code: 'W_COERCED',
    line: 3,
    column: 58,
    rgba: [64, 64, 64, 255],
  },
  {
    name: 'float MIN "0"',
    fs: withInputs(
      ['"INPUTS": [ { "NAME": "a", "TYPE": "float", "MIN": "0", "MAX": 2, "DEFAULT": 1 } ]'],
      out('vec4(vec3(a / 2.0), 1.0)'),
    ),
    code: 'W_COERCED',
    line: 3,
    column: 54,
    rgba: GREY,
  },
  {
    name: 'bool DEFAULT "1"',
    fs: withInputs(
      ['"INPUTS": [ { "NAME": "b", "TYPE": "bool", "DEFAULT": "1" } ]'],
      out('b ? vec4(1.0) : vec4(0.0)'),
    ),
    code: 'W_COERCED',
    line: 3,
    column: 57,
    rgba: [255, 255, 255, 255],
  },
  {
    name: 'bool DEFAULT "false"',
    fs: withInputs(
      ['"INPUTS": [ { "NAME": "b", "TYPE": "bool", "DEFAULT": "false" } ]'],
      out('b ? vec4(1.0) : vec4(0.0, 0.0, 0.0, 1.0)'),
    ),
    code: 'W_COERCED',
    line: 3,
    column: 57,
    rgba: [0, 0, 0, 255],
  },
  {
    name: 'bool DEFAULT "0" (number string)',
    fs: withInputs(
      ['"INPUTS": [ { "NAME": "b", "TYPE": "bool", "DEFAULT": "0" } ]'],
      out('b ? vec4(1.0) : vec4(0.0, 0.0, 1.0, 1.0)'),
    ),
    code: 'W_COERCED',
    line: 3,
    column: 57,
    rgba: [0, 0, 255, 255],
  },
  {
    name: 'long DEFAULT "2"',
    fs: withInputs(
      ['"INPUTS": [ { "NAME": "m", "TYPE": "long", "MIN": 0, "MAX": 4, "DEFAULT": "2" } ]'],
      out('vec4(vec3(float(m) / 4.0), 1.0)'),
    ),
    code: 'W_COERCED',
    line: 3,
    column: 77,
    rgba: GREY,
  },
  {
    name: 'label strings in VALUES',
    fs: withInputs(
      ['"INPUTS": [ { "NAME": "m", "TYPE": "long", "VALUES": ["off", "half", "full"], "DEFAULT": 1 } ]'],
      out('vec4(vec3(float(m) / 2.0), 1.0)'),
    ),
    code: 'W_COERCED',
    line: 3,
    column: 56,
    rgba: GREY,
  },
  {
    name: 'number strings in VALUES (with LABELS)',
    fs: withInputs(
      [
        '"INPUTS": [ { "NAME": "m", "TYPE": "long", "VALUES": ["0", "4"], "LABELS": ["a", "b"], "DEFAULT": 4 } ]',
      ],
      out('vec4(vec3(float(m) / 4.0), 1.0)'),
    ),
    code: 'W_COERCED',
    line: 3,
    column: 57,
    rgba: [255, 255, 255, 255],
  },
  {
    name: 'point2D DEFAULT with string components',
    fs: withInputs(
      ['"INPUTS": [ { "NAME": "p", "TYPE": "point2D", "DEFAULT": ["0.5", 0.25] } ]'],
      out('vec4(p, 0.0, 1.0)'),
    ),
    code: 'W_COERCED',
    line: 3,
    column: 61,
    rgba: [128, 64, 0, 255],
  },
  {
    name: 'color DEFAULT with a string component',
    fs: withInputs(['"INPUTS": [ { "NAME": "c", "TYPE": "color", "DEFAULT": ["1", 0, 0, 1] } ]'], out('c')),
    code: 'W_COERCED',
    line: 3,
    column: 59,
    rgba: [255, 0, 0, 255],
  },
  // --- types other hosts define (W_HOST_TYPE)
  {
    name: '"TYPE": "int" (MadMapper) as a long',
    fs: withInputs(
      ['"INPUTS": [ { "NAME": "k", "TYPE": "int", "MIN": 0, "MAX": 4, "DEFAULT": 2 } ]'],
      out('vec4(vec3(float(k) / 4.0), 1.0)'),
    ),
    code: 'W_HOST_TYPE',
    line: 3,
    column: 38,
    rgba: GREY,
  },
  {
    name: '"TYPE": "int" with VALUES and LABELS',
    fs: withInputs(
      ['"INPUTS": [ { "NAME": "k", "TYPE": "int", "VALUES": [0, 2], "LABELS": ["a", "b"], "DEFAULT": 2 } ]'],
      out('vec4(vec3(float(k) / 2.0), 1.0)'),
    ),
    code: 'W_HOST_TYPE',
    line: 3,
    column: 38,
    rgba: [255, 255, 255, 255],
  },
  {
    name: 'point3D DEFAULT as a vec3',
    fs: withInputs(
      ['"INPUTS": [ { "NAME": "p", "TYPE": "point3D", "DEFAULT": [0.25, 0.5, 1.0] } ]'],
      out('vec4(p, 1.0)'),
    ),
    code: 'W_HOST_TYPE',
    line: 3,
    column: 38,
    rgba: [64, 128, 255, 255],
  },
  {
    name: 'point4D DEFAULT as a vec4',
    fs: withInputs(
      ['"INPUTS": [ { "NAME": "p", "TYPE": "point4D", "DEFAULT": [1.0, 0.5, 0.25, 1.0] } ]'],
      out('p'),
    ),
    code: 'W_HOST_TYPE',
    line: 3,
    column: 38,
    rgba: [255, 128, 64, 255],
  },
  {
    name: 'point3D set from a value',
    fs: withInputs(['"INPUTS": [ { "NAME": "p", "TYPE": "point3D" } ]'], out('vec4(p, 1.0)')),
    code: 'W_HOST_TYPE',
    line: 3,
    column: 38,
    set: { p: [0, 1, 0.5] },
    rgba: [0, 255, 128, 255],
  },
  {
    name: 'point4D with MIN/MAX',
    fs: withInputs(
      [
        '"INPUTS": [ { "NAME": "p", "TYPE": "point4D", "MIN": [0,0,0,0], "MAX": [1,1,1,1], "DEFAULT": [0,0,1,1] } ]',
      ],
      out('p'),
    ),
    code: 'W_HOST_TYPE',
    line: 3,
    column: 38,
    rgba: [0, 0, 255, 255],
  },
  // --- header variants (W_HEADER)
  {
    name: 'ISF_VERSION instead of ISFVSN',
    fs: ['/*{', '  "ISF_VERSION": "2"', '}*/', ...out('vec4(1.0, 1.0, 0.0, 1.0)')],
    code: 'W_HEADER',
    line: 2,
    column: 3,
    rgba: [255, 255, 0, 255],
  },
  {
    name: '// comment lines before the header',
    fs: ['// Plasma, by someone', '// CC-BY', '/*{ "ISFVSN": "2" }*/', ...out('vec4(0.0, 1.0, 1.0, 1.0)')],
    code: 'W_HEADER',
    line: 1,
    column: 1,
    rgba: [0, 255, 255, 255],
  },
  {
    name: 'a licence comment before the header',
    fs: ['/* Copyright someone, MIT licence */', '/*{ "ISFVSN": "2" }*/', ...out('vec4(1.0, 0.0, 1.0, 1.0)')],
    code: 'W_HEADER',
    line: 2,
    column: 1,
    rgba: [255, 0, 255, 255],
  },
  {
    name: 'blank lines and a #version line before the header',
    fs: ['', '#version 120', '/*{ "ISFVSN": "2" }*/', ...out('vec4(0.5, 0.5, 0.5, 1.0)')],
    code: 'W_HEADER',
    line: 2,
    column: 1,
    rgba: GREY,
  },
  // --- inputs named with a GLSL ES 3.00 keyword (W_RENAMED_INPUT)
  ...['smooth', 'filter', 'sample', 'layout'].map(
    (name): Case => ({
      name: `input named ${name}`,
      fs: withInputs(
        [`"INPUTS": [ { "NAME": "${name}", "TYPE": "float", "DEFAULT": 0.5 } ]`],
        out(`vec4(${name}, ${name}, ${name}, 1.0)`),
      ),
      code: 'W_RENAMED_INPUT',
      line: 3,
      column: 25,
      rgba: GREY,
    }),
  ),
  // --- GLSL (W_GLSL_DIALECT)
  {
    name: 'IMG_THIS_PIXEL with a coordinate',
    fs: withInputs(
      ['"INPUTS": [ { "NAME": "inputImage", "TYPE": "image" } ]'],
      out('IMG_THIS_PIXEL(inputImage, vec2(0.5, 0.5))'),
    ),
    code: 'W_GLSL_DIALECT',
    line: 6,
    column: 18,
    rgba: [255, 0, 0, 255],
  },
  {
    name: 'IMG_THIS_NORM_PIXEL with a coordinate',
    fs: withInputs(
      ['"INPUTS": [ { "NAME": "inputImage", "TYPE": "image" } ]'],
      out('IMG_THIS_NORM_PIXEL(inputImage, vec2(0.1, 0.5))'),
    ),
    code: 'W_GLSL_DIALECT',
    line: 6,
    column: 18,
    rgba: [255, 0, 0, 255],
  },
  // --- #include "file" relative to the including file (W_GLSL_DIALECT at the #include)
  {
    name: '#include of a file next to the shader',
    fs: ['/*{ "ISFVSN": "2" }*/', '#include "half.glsl"', ...out('vec4(vec3(HALF), 1.0)')],
    files: { 'half.glsl': 'const float HALF = 0.5;\n' },
    code: 'W_GLSL_DIALECT',
    line: 2,
    column: 1,
    rgba: GREY,
  },
  {
    name: '#include in a subfolder, indented, defining a function',
    fs: [
      '/*{ "ISFVSN": "2" }*/',
      'precision highp float;',
      '  #include "lib/tint.glsl"',
      ...out('vec4(tint(0.5), 1.0)'),
    ],
    files: { 'lib/tint.glsl': 'vec3 tint(float v) { return vec3(v, 0.0, 1.0 - v * 2.0); }\n' },
    code: 'W_GLSL_DIALECT',
    line: 3,
    column: 3,
    rgba: [128, 0, 0, 255],
  },
  // --- desktop GLSL's implicit int -> float conversions, written out (W_IMPLICIT_CONVERSION at the first one)
  {
    name: 'float x = 1; (int initialiser)',
    fs: [
      '/*{ "ISFVSN": "2" }*/',
      'void main() {',
      '  float x = 1;',
      '  gl_FragColor = vec4(x * 0.5, 0.0, x, 1.0);',
      '}',
    ],
    code: 'W_IMPLICIT_CONVERSION',
    line: 3,
    column: 13,
    rgba: [128, 0, 255, 255],
  },
  {
    name: 'vec3(1) * 2 (int operand of a vector)',
    fs: [
      '/*{ "ISFVSN": "2" }*/',
      'void main() {',
      '  vec3 c = vec3(0.25) * 2;',
      '  gl_FragColor = vec4(c, 1.0);',
      '}',
    ],
    code: 'W_IMPLICIT_CONVERSION',
    line: 3,
    column: 25,
    rgba: GREY,
  },
  {
    name: 'pow(x, 2) (int argument of a float built-in)',
    fs: [
      '/*{ "ISFVSN": "2" }*/',
      'void main() {',
      '  float x = 0.5;',
      '  gl_FragColor = vec4(pow(x, 2), 0.0, 0.0, 1.0);',
      '}',
    ],
    code: 'W_IMPLICIT_CONVERSION',
    line: 4,
    column: 30,
    rgba: [64, 0, 0, 255],
  },
  {
    name: 'TIME >= 0 (int compared with a float)',
    fs: [
      '/*{ "ISFVSN": "2" }*/',
      'void main() {',
      '  float on = TIME >= 0 ? 1.0 : 0.0;',
      '  gl_FragColor = vec4(0.0, on, 0.0, 1.0);',
      '}',
    ],
    code: 'W_IMPLICIT_CONVERSION',
    line: 3,
    column: 22,
    rgba: [0, 255, 0, 255],
  },
  {
    name: 'an int variable in float arithmetic',
    fs: [
      '/*{ "ISFVSN": "2" }*/',
      'void main() {',
      '  int n = 4;',
      '  float v = 2.0 / n;',
      '  gl_FragColor = vec4(vec3(v), 1.0);',
      '}',
    ],
    code: 'W_IMPLICIT_CONVERSION',
    line: 4,
    column: 19,
    rgba: GREY,
  },
  // --- ossia score's Vertex Shader Art (W_HOST_MODE at the MODE)
  {
    name: '"MODE": "VERTEX_SHADER_ART" (ossia score)',
    file: 'main.vs',
    fs: [
      '/*{',
      '  "ISFVSN": "2",',
      '  "MODE": "VERTEX_SHADER_ART",',
      '  "POINT_COUNT": 3,',
      '  "PRIMITIVE_MODE": "TRIANGLES",',
      '  "BACKGROUND_COLOR": [0, 0, 0, 1]',
      '}*/',
      'void main() {',
      '  // One triangle over the whole frame, coloured by vertexCount.',
      '  vec2 p = vertexId < 0.5 ? vec2(-1.0, -1.0) : vertexId < 1.5 ? vec2(3.0, -1.0) : vec2(-1.0, 3.0);',
      '  gl_Position = vec4(p, 0.0, 1.0);',
      '  v_color = vec4(vertexCount / 6.0, 0.0, 1.0, 1.0);',
      '}',
    ],
    code: 'W_HOST_MODE',
    line: 3,
    column: 11,
    rgba: [128, 0, 255, 255],
  },
];

// Accepted with a note that is not a departure: the same pixels under strict.
const NOTES: Case[] = [
  {
    name: '#extension GL_OES_standard_derivatives (core in ES 3.00) dropped',
    fs: [
      '/*{ "ISFVSN": "2" }*/',
      'precision highp float;',
      '#extension GL_OES_standard_derivatives : enable',
      ...out('vec4(vec3(dFdx(gl_FragCoord.x) * 0.5), 1.0)'),
    ],
    code: 'W_DIALECT',
    line: 3,
    column: 1,
    rgba: GREY,
  },
  {
    name: '#extension GL_ARB_shader_bit_encoding dropped',
    fs: [
      '/*{ "ISFVSN": "2" }*/',
      'uniform float unusedThing;',
      '#extension GL_ARB_shader_bit_encoding : enable',
      ...out('vec4(vec3(intBitsToFloat(floatBitsToInt(0.5))), 1.0)'),
    ],
    code: 'W_DIALECT',
    line: 3,
    column: 1,
    rgba: GREY,
  },
  {
    name: 'legacy vv_FragNormCoord',
    fs: ['/*{ }*/', ...out('vec4(step(0.5, vv_FragNormCoord.x), 0.0, 0.0, 1.0)')],
    code: 'W_V1_CONVERTED',
    line: 1,
    column: 1,
    rgba: [255, 0, 0, 255],
  },
  {
    name: 'a variable named filter (reserved in ES 3.00)',
    fs: [
      '/*{ "ISFVSN": "2" }*/',
      'void main() {',
      '  float filter = 0.5;',
      '  gl_FragColor = vec4(vec3(filter), 1.0);',
      '}',
    ],
    code: 'W_RENAMED',
    line: 3,
    column: 9,
    rgba: GREY,
  },
];

function write(name: string, c: Case): string {
  const dir = join(DIR, name.replace(/[^A-Za-z0-9]+/g, '-'));
  mkdirSync(dir, { recursive: true });
  const path = join(dir, c.file ?? 'main.fs');
  writeFileSync(path, `${c.fs.join('\n')}\n`);
  for (const [rel, text] of Object.entries(c.files ?? {})) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return path;
}

/** An 8x8 image: red on the left half, green on the right (top row first). */
function halves(): { width: number; height: number; data: Uint8Array } {
  const data = new Uint8Array(8 * 8 * 4);
  for (let i = 0; i < 64; i++) data.set(i % 8 < 4 ? [255, 0, 0, 255] : [0, 255, 0, 255], i * 4);
  return { width: 8, height: 8, data };
}

async function render(path: string, c: Case): Promise<{ rgba: number[]; warnings: Diagnostic[] }> {
  const doc = await loadISF(path);
  const warnings = [...doc.warnings, ...generateShaders(doc).warnings];
  const scene = new Scene(context(), { platform: nodePlatform });
  try {
    await scene.useDoc(doc);
    if (doc.inputs.some((i) => i.name === 'inputImage')) scene.setImageData('inputImage', halves());
    for (const [k, v] of Object.entries(c.set ?? {})) scene.setValue(k, v);
    return { rgba: scene.render({ width: 8, height: 8 }).pixel(4, 4), warnings };
  } finally {
    scene.destroy();
  }
}

function near(actual: number[], expected: number[], what: string): void {
  assert.ok(
    actual.every((v, i) => Math.abs(v - expected[i]!) <= 1),
    `${what}: pixel ${actual.join(',')} but expected ${expected.join(',')}`,
  );
}

function hasWarning(warnings: Diagnostic[], c: Case): Diagnostic {
  const w = warnings.find((d) => d.code === c.code && d.line === c.line && d.column === c.column);
  assert.ok(
    w,
    `expected ${c.code} at ${c.line}:${c.column}, got ${warnings.map((d) => `${d.code}@${d.line}:${d.column}`).join(' ')}`,
  );
  return w;
}

async function strictError(path: string): Promise<ISFError> {
  try {
    // Parse-level departures throw here, GLSL-level ones when the strict document's shaders are generated.
    generateShaders(await loadISF(path, { strict: true }));
  } catch (e) {
    if (e instanceof ISFError) return e;
    throw e;
  }
  assert.fail('expected ISF_STRICT under strict');
}

describe('dialect catalogue: departures', () => {
  test('the catalogue covers at least 40 departures and notes', () => {
    assert.ok(DEPARTURES.length + NOTES.length >= 40, `${DEPARTURES.length + NOTES.length} cases`);
  });
  for (const c of DEPARTURES) {
    test(c.name, async () => {
      const path = write(c.name, c);
      const { rgba, warnings } = await render(path, c);
      const w = hasWarning(warnings, c);
      assert.ok(w.refusedBy !== undefined, 'a departure names the hosts that refuse it');
      // A departure no listed host refuses says who does (the spec, or strict GLSL ES drivers).
      assert.match(
        w.message,
        w.refusedBy.length > 0
          ? /would refuse this file/
          : /ISF spec does not allow|strict drivers \(WebGL2\) refuse them/,
      );
      near(rgba, c.rgba, c.name);
      const e = await strictError(path);
      assert.equal(e.code, 'ISF_STRICT', e.message);
      const d = e.diagnostics.find((x) => x.code === 'ISF_STRICT' && x.departure === c.code);
      assert.ok(d, `ISF_STRICT for ${c.code} among ${e.diagnostics.map((x) => x.code).join(' ')}`);
      assert.equal(d.line, c.line);
      assert.equal(d.column, c.column);
    });
  }
});

describe('dialect catalogue: notes (not departures)', () => {
  for (const c of NOTES) {
    test(c.name, async () => {
      const path = write(c.name, c);
      const { rgba, warnings } = await render(path, c);
      hasWarning(warnings, c);
      near(rgba, c.rgba, c.name);
      generateShaders(await loadISF(path, { strict: true }));
    });
  }
});

test('an #extension ES 3.00 does not make core is moved above the prelude, and the shader renders', async () => {
  const c: Case = {
    name: 'kept extension',
    fs: [
      '/*{ "ISFVSN": "2" }*/',
      'float half_ = 0.5;',
      '#extension GL_EXT_shader_texture_lod_unknown_to_us : enable',
      ...out('vec4(vec3(half_), 1.0)'),
    ],
    code: '',
    line: 0,
    column: 0,
    rgba: GREY,
  };
  const path = write(c.name, c);
  const g = generateShaders(await loadISF(path));
  const lines = g.fragment.split('\n');
  assert.equal(lines[0], '#version 300 es');
  assert.equal(lines[1], '#extension GL_EXT_shader_texture_lod_unknown_to_us : enable');
  assert.equal(lines.filter((l) => l.includes('#extension')).length, 1, 'the user line itself is emptied');
  near((await render(path, c)).rgba, GREY, c.name);
});

describe('dialect catalogue: refused with what the file is', () => {
  const REFUSED: Array<{ name: string; fs: string[]; code: string; line: number; message: RegExp }> = [
    {
      name: 'Vuo list type color[]',
      fs: withInputs(['"INPUTS": [ { "NAME": "cs", "TYPE": "color[]" } ]'], out('vec4(1.0)')),
      code: 'ISF_HOST_TYPE',
      line: 3,
      message: /"color\[\]".*Vuo list type/,
    },
    {
      name: 'Vuo list type point2D[]',
      fs: withInputs(['"INPUTS": [ { "NAME": "ps", "TYPE": "point2D[]" } ]'], out('vec4(1.0)')),
      code: 'ISF_HOST_TYPE',
      line: 3,
      message: /"point2D\[\]".*Vuo/,
    },
    {
      name: "ossia score's audioHistogram",
      fs: withInputs(['"INPUTS": [ { "NAME": "sound", "TYPE": "audioHistogram" } ]'], out('vec4(1.0)')),
      code: 'ISF_HOST_TYPE',
      line: 3,
      message: /audioHistogram.*ossia score/,
    },
    {
      name: 'a Shadertoy file',
      fs: [
        '// from shadertoy',
        'void mainImage(out vec4 fragColor, in vec2 fragCoord) {',
        '  fragColor = vec4(1.0);',
        '}',
      ],
      code: 'ISF_NOT_ISF',
      line: 2,
      message: /Shadertoy.*mainImage.*iTime becomes TIME/,
    },
    {
      name: 'a GLSL Sandbox file',
      fs: [
        'precision mediump float;',
        'uniform float time;',
        'uniform vec2 resolution;',
        ...out('vec4(time)'),
      ],
      code: 'ISF_NOT_ISF',
      line: 2,
      message: /GLSL Sandbox.*TIME, RENDERSIZE/,
    },
    {
      name: 'a plain vertex shader',
      fs: ['attribute vec2 position;', 'void main() {', '  gl_Position = vec4(position, 0.0, 1.0);', '}'],
      code: 'ISF_NOT_ISF',
      line: 3,
      message: /vertex shader.*\.vs/,
    },
    {
      name: 'a MadMapper material',
      fs: [
        '/*{ "CREDIT": "someone", "INPUTS": [ { "NAME": "speed", "TYPE": "float" } ], }*/',
        '#include "MadCommon.glsl"',
        'vec4 materialColorForPixel(vec2 texCoord) {',
        '  return vec4(texCoord, 0.0, 1.0);',
        '}',
      ],
      code: 'ISF_NOT_ISF',
      line: 3,
      message: /MadMapper material.*materialColorForPixel/,
    },
  ];
  for (const r of REFUSED) {
    test(r.name, async () => {
      const path = write(r.name, { ...r, column: 1, rgba: [0, 0, 0, 0] });
      await assert.rejects(loadISF(path), (e: unknown) => {
        assert.ok(e instanceof ISFError);
        assert.equal(e.code, r.code, e.message);
        assert.equal(e.line, r.line);
        assert.match(e.message, r.message);
        return true;
      });
    });
  }
});
