/**
 * Desktop GLSL's implicit conversions written out (src/core/glsl/conversions.ts): each habit becomes explicit,
 * code that is already valid GLSL ES is left byte for byte, unknowns are left alone, lines never move, and the
 * rewritten shaders compile under glslangValidator as GLSL ES 3.00 (when it is installed).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ISFInput } from '../../src/core/document.ts';
import { generateShaders } from '../../src/core/glsl/index.ts';
import { needs } from '../helpers.ts';
import { makeDoc } from './glsl-fixtures.ts';

const INPUTS: ISFInput[] = [
  { name: 't', type: 'float', default: 0.5, min: 0, max: 1 },
  { name: 'n', type: 'long', default: 2 },
  { name: 'inputImage', type: 'image' },
];

/** The user body of the es300 fragment shader generated for `src`. */
function rewritten(src: string, dialect: 'es300' | 'es100' = 'es300'): { body: string; fragment: string } {
  const g = generateShaders(makeDoc(src, { inputs: INPUTS, path: 'x.fs' }), { dialect });
  const lines = g.fragment.split('\n');
  return { body: lines.filter((_, i) => g.fragmentLineMap[i + 1] != null).join('\n'), fragment: g.fragment };
}

const main = (code: string) => `void main() {\n${code}\n}`;

describe('implicit conversions made explicit', () => {
  const cases: [string, string, string][] = [
    ['an int initializer of a float', 'float x = 1;', 'float x = 1.0;'],
    ['a negative one', 'float x = -2;', 'float x = -2.0;'],
    ['vector times int', 'vec3 v = vec3(1) * 2;', 'vec3 v = vec3(1) * 2.0;'],
    ['a built-in with an int argument', 'float p = pow(t, 2);', 'float p = pow(t, 2.0);'],
    [
      'clamp and max',
      'vec2 c = clamp(vec2(t), 0, 1) + max(t, 0);',
      'vec2 c = clamp(vec2(t), 0.0, 1.0) + max(t, 0.0);',
    ],
    ['a comparison', 'bool b = t > 0;', 'bool b = t > 0.0;'],
    ['an int variable', 'int i = 3; float f = t * i;', 'int i = 3; float f = t * float(i);'],
    ['an int uniform', 'float f = t / n;', 'float f = t / float(n);'],
    ['an ivec', 'ivec2 p = ivec2(1); vec2 q = p * 0.5;', 'ivec2 p = ivec2(1); vec2 q = vec2(p) * 0.5;'],
    ['int into uint', 'uint c = 0; c += 1;', 'uint c = 0u; c += 1u;'],
    [
      'uvec with vec',
      'uvec2 u = uvec2(2u); vec2 r = vec2(1.0) / u;',
      'uvec2 u = uvec2(2u); vec2 r = vec2(1.0) / vec2(u);',
    ],
    ['an assignment', 'float x; x = n + 1;', 'float x; x = float(n + 1);'],
    ['a ternary', 'float y = t > 0.5 ? 1 : 0.5;', 'float y = t > 0.5 ? 1.0 : 0.5;'],
    [
      'a swizzle',
      'vec4 c = vec4(0.0); c.rgb = c.rgb * 3; c.a = 1;',
      'vec4 c = vec4(0.0); c.rgb = c.rgb * 3.0; c.a = 1.0;',
    ],
    [
      'textureLod level',
      'vec4 s = textureLod(inputImage, vec2(0.5), 0);',
      'vec4 s = textureLod(inputImage, vec2(0.5), 0.0);',
    ],
    [
      'a for loop body',
      'float a = 0.0; for (int i = 0; i < 4; i++) a += i;',
      'float a = 0.0; for (int i = 0; i < 4; i++) a += float(i);',
    ],
  ];
  for (const [what, code, expected] of cases) {
    it(what, () => assert.equal(rewritten(main(code)).body, main(expected)));
  }

  it('converts arguments of user functions and struct constructors', () => {
    const src =
      'struct S { float a; int b; };\nfloat half2(float v) { return v * 0.5; }\n' +
      main('S s = S(1, 2);\nfloat h = half2(3);');
    assert.equal(
      rewritten(src).body,
      'struct S { float a; int b; };\nfloat half2(float v) { return v * 0.5; }\n' +
        main('S s = S(1.0, 2);\nfloat h = half2(3.0);'),
    );
  });

  it('types object-like macros and leaves function-like ones alone', () => {
    const src = `#define COUNT 4\n#define SCALE(x) (x * 2)\n${main('float a = t * COUNT;\nfloat b = SCALE(t) * 2;')}`;
    assert.equal(
      rewritten(src).body,
      '#define COUNT 4\n#define SCALE(x) (x * 2)\n' +
        main('float a = t * float(COUNT);\nfloat b = SCALE(t) * 2;'),
    );
  });

  it('leaves valid GLSL ES, unknown names and `return 0;` from a float function as written', () => {
    const src =
      'float f(float x) { if (x > 0.5) return 0; return x; }\n' +
      main('int i = 2 * 3; float a = mystery * 2; vec2 p = vec2(1, 2) * 2.0;\ngl_FragColor = vec4(f(t));');
    assert.equal(rewritten(src).body, src);
  });

  it('skips code in a branch the preprocessor drops', () => {
    const src = `#ifndef GL_ES\n${main('float x = 1;')}\n#else\n${main('float x = 1;')}\n#endif`;
    assert.equal(
      rewritten(src).body,
      `#ifndef GL_ES\n${main('float x = 1;')}\n#else\n${main('float x = 1.0;')}\n#endif`,
    );
  });

  it('leaves a function it cannot parse as written, and goes on with the next', () => {
    const src = `float g() { float x = 1; @@@ }\n${main('float y = 2;')}`;
    assert.equal(rewritten(src).body, `float g() { float x = 1; @@@ }\n${main('float y = 2.0;')}`);
  });

  it('keeps every line where it was and warns once per stage with the user line', () => {
    const src = main('float a = 1;\n\nfloat b = 2;');
    const g = generateShaders(makeDoc(src, { inputs: INPUTS, path: 'x.fs', fragmentBodyLine: 10 }));
    const w = g.warnings.filter((x) => x.code === 'W_IMPLICIT_CONVERSION');
    assert.equal(w.length, 1);
    assert.equal(w[0]!.line, 11);
    assert.equal(w[0]!.column, 11);
    assert.equal(w[0]!.file, 'x.fs');
    assert.match(w[0]!.message, /int used as float and 1 more, lines 11, 13/);
    const lines = g.fragment.split('\n');
    const userLines = lines.filter((_, i) => g.fragmentLineMap[i + 1] != null);
    assert.deepEqual(userLines, ['void main() {', 'float a = 1.0;', '', 'float b = 2.0;', '}']);
  });

  it('is a departure: strict refuses it with ISF_STRICT at the first conversion', () => {
    const src = main('float a = 1;');
    assert.throws(
      () => generateShaders(makeDoc(src, { inputs: INPUTS, path: 'x.fs' }), { strict: true }),
      (e: unknown) => {
        const err = e as { code?: string; line?: number; details?: { departure?: string } };
        assert.equal(err.code, 'ISF_STRICT');
        assert.equal(err.line, 2);
        assert.equal(err.details?.departure, 'W_IMPLICIT_CONVERSION');
        return true;
      },
    );
  });

  it('leaves es310 (the driver-conversion retry) as written', () => {
    const g = generateShaders(makeDoc(main('float x = 1;')), { dialect: 'es310' });
    assert.match(g.fragment, /float x = 1;/);
    assert.ok(!g.warnings.some((x) => x.code === 'W_IMPLICIT_CONVERSION'));
  });

  const glslang = spawnSync('glslangValidator', ['--version']).status === 0;
  it(
    'the rewritten cases compile as GLSL ES 3.00 and 1.00',
    needs(!glslang && 'glslangValidator is not on PATH (apt-get install glslang-tools)'),
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'isf-conv-'));
      try {
        const src = main(cases.map((c) => `{ ${c[1]} }`).join('\n'));
        for (const dialect of ['es300', 'es100'] as const) {
          const file = join(dir, `x.${dialect}.frag`);
          writeFileSync(file, rewritten(src, dialect).fragment);
          const r = spawnSync('glslangValidator', [file], { encoding: 'utf8' });
          // es100 has no uint / textureLod in fragment shaders: only check es300 fully.
          if (dialect === 'es300') assert.equal(r.status, 0, r.stdout);
        }
        const before = main(cases.map((c) => `{ ${c[1]} }`).join('\n'));
        const file = join(dir, 'plain.frag');
        writeFileSync(
          file,
          generateShaders(makeDoc(before, { inputs: INPUTS }), { dialect: 'es310' }).fragment.replace(
            /#extension[^\n]*\n/,
            '\n',
          ),
        );
        assert.notEqual(spawnSync('glslangValidator', [file]).status, 0, 'without the rewrite it must fail');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
