/**
 * Golden files: the complete generated GLSL for four documents in both dialects, under test/core/golden/.
 * Rewrite them with UPDATE_GOLDEN=1 npm test -- glsl-golden, then review the diff.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ISFDocument } from '../../src/core/document.ts';
import { generateShaders } from '../../src/core/glsl/index.ts';
import { makeDoc } from './glsl-fixtures.ts';

const goldenDir = fileURLToPath(new URL('./golden/', import.meta.url));
const update = process.env.UPDATE_GOLDEN === '1';

const docs: Record<string, ISFDocument> = {
  generator: makeDoc(
    [
      '#version 120',
      'float round(float x) { return floor(x + 0.5); }',
      'float phase = TIME * speed;',
      '',
      'void main() {',
      '  vec2 p = isf_FragNormCoord * 2.0 - 1.0;',
      '  float r = round(length(p) * float(rings)) / float(rings);',
      '  vec4 col = show ? tint : vec4(0.0);',
      '  gl_FragColor = col * (0.5 + 0.5 * sin(r * 20.0 - phase + DATE.w)) + vec4(center, 0.0, 0.0) * 0.0;',
      '}',
    ].join('\n'),
    {
      path: 'generator.fs',
      fragmentBodyLine: 12,
      inputs: [
        { name: 'speed', type: 'float', default: 1, min: 0, max: 4 },
        { name: 'rings', type: 'long', default: 4, values: [2, 4, 8], labels: ['2', '4', '8'] },
        { name: 'show', type: 'bool', default: true },
        { name: 'tint', type: 'color', default: [1, 0.5, 0, 1] },
        { name: 'center', type: 'point2D', default: [0, 0] },
        { name: 'flash', type: 'event' },
      ],
    },
  ),
  filter: makeDoc(
    [
      '// IMG_THIS_PIXEL(inputImage) in a comment stays',
      '#define SAMPLE_MASK(p) IMG_NORM_PIXEL(mask, (p))',
      'float MY_IMG_PIXEL = 1.0;',
      'void main() {',
      '  vec4 a = IMG_THIS_PIXEL(inputImage);',
      '  vec4 b = IMG_THIS_NORM_PIXEL(inputImage) + IMG_NORM_THIS_PIXEL(mask);',
      '  vec4 c = IMG_PIXEL(inputImage, vec2(gl_FragCoord.x, (gl_FragCoord.y + 1.0)), 2.0);',
      '  vec4 d = IMG_NORM_PIXEL(inputImage,',
      '                          isf_FragNormCoord * vec2(IMG_SIZE(mask).x / IMG_SIZE(inputImage).x, 1.0),',
      '                          -1.0);',
      '  vec4 e = SAMPLE_MASK(IMG_NORM_PIXEL(mask, vec2(0.5)).xy);',
      '  vec4 w = IMG_PIXEL(wave, vec2(gl_FragCoord.x, 0.5)) + IMG_NORM_PIXEL(spectrum, vec2(0.5, 0.5));',
      '  gl_FragColor = mix(a, b + c + d + e + w, amount * MY_IMG_PIXEL);',
      '}',
    ].join('\n'),
    {
      path: 'filter.fs',
      kind: 'filter',
      fragmentBodyLine: 20,
      inputs: [
        { name: 'inputImage', type: 'image' },
        { name: 'mask', type: 'image' },
        { name: 'wave', type: 'audio', max: 256 },
        { name: 'spectrum', type: 'audioFFT' },
        { name: 'amount', type: 'float', default: 0.5, min: 0, max: 1 },
      ],
    },
  ),
  multipass: makeDoc(
    [
      'void main() {',
      '  if (PASSINDEX == 0) {',
      '    vec4 prev = IMG_NORM_PIXEL(feedback, vv_FragNormCoord);',
      '    gl_FragColor = mix(IMG_THIS_NORM_PIXEL(inputImage), prev, 0.9) * IMG_NORM_PIXEL(grain, vv_FragNormCoord);',
      '  } else if (PASSINDEX == 1) {',
      '    gl_FragColor = IMG_NORM_PIXEL(feedback, isf_FragNormCoord);',
      '  } else {',
      '    gl_FragColor = IMG_NORM_PIXEL(halfBuf, isf_FragNormCoord) + float(FRAMEINDEX) * TIMEDELTA * 0.0;',
      '  }',
      '}',
    ].join('\n'),
    {
      path: 'multipass.fs',
      kind: 'filter',
      isfVersion: 1,
      fragmentBodyLine: 30,
      inputs: [{ name: 'inputImage', type: 'image' }],
      imported: [{ name: 'grain', path: 'grain.png' }],
      passes: [
        { target: 'feedback', persistent: true, float: true },
        { target: 'halfBuf', persistent: false, float: false, width: '$WIDTH/2', height: '$HEIGHT/2' },
        { persistent: false, float: false },
      ],
    },
  ),
  vertex: makeDoc(
    [
      '#if __VERSION__ <= 120',
      'varying vec2 shifted;',
      '#else',
      'in vec2 shifted;',
      '#endif',
      'void main() {',
      '  gl_FragColor = texture2D(inputImage, shifted) + textureCube(sky, vec3(shifted, 1.0));',
      '}',
    ].join('\n'),
    {
      path: 'vertex.fs',
      kind: 'filter',
      fragmentBodyLine: 8,
      inputs: [
        { name: 'inputImage', type: 'image' },
        { name: 'sky', type: 'cube' },
        { name: 'offset', type: 'point2D', default: [0, 0] },
      ],
      vertexPath: 'vertex.vs',
      vertexSource: [
        '#if __VERSION__ <= 120',
        'varying vec2 shifted;',
        '#else',
        'out vec2 shifted;',
        '#endif',
        'void main() {',
        '  vv_vertShaderInit();',
        '  vec4 level = IMG_NORM_PIXEL(inputImage, vec2(0.5), 4.0);',
        '  shifted = isf_FragNormCoord + offset / IMG_SIZE(inputImage) + level.xy * 0.0;',
        '}',
        '',
      ].join('\n'),
    },
  ),
};

describe('golden GLSL', () => {
  if (update) mkdirSync(goldenDir, { recursive: true });
  for (const [name, doc] of Object.entries(docs)) {
    for (const dialect of ['es300', 'es100'] as const) {
      it(`${name} ${dialect}`, () => {
        const g = generateShaders(doc, { dialect });
        for (const [stage, text] of [
          ['vert', g.vertex],
          ['frag', g.fragment],
        ] as const) {
          const file = join(goldenDir, `${name}.${dialect}.${stage}.glsl`);
          if (update) writeFileSync(file, text);
          assert.ok(
            existsSync(file),
            `missing golden file ${file}: run UPDATE_GOLDEN=1 npm test -- glsl-golden`,
          );
          assert.equal(text, readFileSync(file, 'utf8'), `${file} differs (UPDATE_GOLDEN=1 rewrites it)`);
        }
      });
    }
  }
});
