/** Tokenizer and IMG_* / rename rewriting: comments, strings, identifier boundaries, nesting, lines, macros. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ISFInput } from '../../src/core/document.ts';
import { ISFError } from '../../src/core/errors.ts';
import { type GLSLDialect, generateShaders } from '../../src/core/glsl/index.ts';
import { joinTokens, tokenize } from '../../src/core/glsl/tokenize.ts';
import { makeDoc } from './glsl-fixtures.ts';

const IMAGES: ISFInput[] = [
  { name: 'inputImage', type: 'image' },
  { name: 'mask', type: 'image' },
  { name: 'env', type: 'cube' },
];

/** The generated fragment lines that map to user lines, joined (i.e. the rewritten user body). */
function body(src: string, dialect: GLSLDialect = 'es300', inputs: ISFInput[] = IMAGES): string {
  const g = generateShaders(makeDoc(src, { inputs, path: 'x.fs' }), { dialect });
  const lines = g.fragment.split('\n');
  return lines.filter((_, i) => g.fragmentLineMap[i + 1] != null).join('\n');
}

function throwsISF(fn: () => unknown, code: string, match: RegExp, line?: number, column?: number): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ISFError, `expected ISFError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.match(e.message, match);
    if (line !== undefined) assert.equal(e.line, line);
    if (column !== undefined) assert.equal(e.column, column);
    return true;
  });
}

describe('tokenize', () => {
  it('round-trips every character', () => {
    const src = '#define A(x) (x)\\\n  + 1\nfloat a = .5e-3; /* c\n */ // d\n"s" b_1\n';
    assert.equal(joinTokens(tokenize(src)), src);
  });
  it('marks directive tokens, including line continuations', () => {
    const toks = tokenize('#define A 1 \\\n + 2\nfloat b;\n');
    const plus = toks.find((t) => t.text === '+')!;
    const fl = toks.find((t) => t.text === 'float')!;
    assert.equal(plus.directive, 0);
    assert.equal(plus.line, 2);
    assert.equal(fl.directive, -1);
  });
  it('a # that is not first on its line is not a directive', () => {
    const toks = tokenize('a # b\n  #if X\n');
    assert.equal(toks.find((t) => t.text === 'b')!.directive, -1);
    assert.equal(toks.find((t) => t.text === 'X')!.directive, 0);
  });
  it('gives 1-based lines and columns', () => {
    const t = tokenize('\n\t  foo(bar)').find((x) => x.text === 'bar')!;
    assert.deepEqual([t.line, t.column], [2, 8]);
  });
  it('numbers with exponents and suffixes are single tokens', () => {
    const nums = tokenize('1.0e-5 0x1F 3u 2.f .25').filter((t) => t.kind === 'number');
    assert.deepEqual(
      nums.map((t) => t.text),
      ['1.0e-5', '0x1F', '3u', '2.f', '.25'],
    );
  });
});

describe('IMG_* expansion', () => {
  it('expands every form', () => {
    const out = body(
      [
        'vec4 a = IMG_PIXEL(inputImage, gl_FragCoord.xy);',
        'vec4 b = IMG_NORM_PIXEL(mask, vec2(0.5), 1.0);',
        'vec4 c = IMG_THIS_PIXEL(inputImage);',
        'vec4 d = IMG_THIS_NORM_PIXEL(mask);',
        'vec4 e = IMG_NORM_THIS_PIXEL(mask);',
        'vec2 f = IMG_SIZE(inputImage);',
      ].join('\n'),
    );
    const x = '_inputImage_imgRect, _inputImage_imgSize, _inputImage_flip';
    const m = '_mask_imgRect, _mask_imgSize, _mask_flip';
    assert.equal(
      out,
      [
        `vec4 a = VVSAMPLER_2DBYPIXEL(inputImage, ${x}, gl_FragCoord.xy);`,
        `vec4 b = VVSAMPLER_2DBYNORM(mask, ${m}, vec2(0.5), 1.0);`,
        `vec4 c = VVSAMPLER_2DBYPIXEL(inputImage, ${x}, gl_FragCoord.xy);`,
        `vec4 d = VVSAMPLER_2DBYNORM(mask, ${m}, isf_FragNormCoord);`,
        `vec4 e = VVSAMPLER_2DBYNORM(mask, ${m}, isf_FragNormCoord);`,
        'vec2 f = (_inputImage_imgSize);',
      ].join('\n'),
    );
  });

  it('leaves comments, strings and longer identifiers alone', () => {
    const src = [
      '// IMG_PIXEL(inputImage, p) in a comment',
      '/* IMG_SIZE(mask) */ float MY_IMG_PIXEL = 1.0; float IMG_PIXELS = 2.0;',
      '#error "IMG_SIZE(mask)"',
      'vec2 s = IMG_SIZE(mask);',
    ].join('\n');
    assert.equal(body(src), src.replace('vec2 s = IMG_SIZE(mask);', 'vec2 s = (_mask_imgSize);'));
  });

  it('handles nested parentheses, brackets and braces in arguments', () => {
    const out = body(
      'vec4 a = IMG_PIXEL(inputImage, vec2(f(1.0, 2.0), arr[i + g(3)].x) * (2.0), max(b, 0.0));',
    );
    assert.equal(
      out,
      'vec4 a = VVSAMPLER_2DBYPIXEL(inputImage, _inputImage_imgRect, _inputImage_imgSize, _inputImage_flip, vec2(f(1.0, 2.0), arr[i + g(3)].x) * (2.0), max(b, 0.0));',
    );
  });

  it('expands IMG calls nested in arguments', () => {
    const out = body('vec4 a = IMG_NORM_PIXEL(inputImage, IMG_THIS_NORM_PIXEL(mask).xy / IMG_SIZE(mask));');
    assert.match(
      out,
      /^vec4 a = VVSAMPLER_2DBYNORM\(inputImage, _inputImage_imgRect.*, VVSAMPLER_2DBYNORM\(mask, _mask_imgRect, _mask_imgSize, _mask_flip, isf_FragNormCoord\)\.xy \/ \(_mask_imgSize\)\);$/,
    );
    assert.doesNotMatch(out, /IMG_/);
  });

  it('keeps line breaks of multi-line calls so lines stay aligned', () => {
    const src =
      'vec4 a = IMG_PIXEL(inputImage,\n   vec2(1.0,\n        2.0));\nvec2 s = IMG_SIZE(\n  mask\n);\nfloat z;';
    const out = body(src);
    assert.equal(out.split('\n').length, src.split('\n').length);
    assert.equal(out.split('\n')[6], 'float z;');
    assert.match(out.split('\n')[2]!, /^ {8}2\.0\)\);$/);
  });

  it('expands calls inside #define bodies, keeping continuations', () => {
    const src =
      '#define GET(p) IMG_NORM_PIXEL(inputImage, \\\n  p)\n#define SZ IMG_SIZE(mask)\nvec4 c = GET(vec2(0.5));';
    const out = body(src);
    assert.equal(
      out,
      '#define GET(p) VVSAMPLER_2DBYNORM(inputImage, _inputImage_imgRect, _inputImage_imgSize, _inputImage_flip, \\\n  p)\n#define SZ (_mask_imgSize)\nvec4 c = GET(vec2(0.5));',
    );
  });

  it('emits only the helpers used', () => {
    const g = generateShaders(
      makeDoc('void main(){ gl_FragColor = IMG_PIXEL(inputImage, vec2(1.0), 2.0); }', { inputs: IMAGES }),
    );
    assert.match(g.fragment, /vec4 VVSAMPLER_2DBYPIXEL\([^)]*float bias\)/);
    assert.doesNotMatch(g.fragment, /VVSAMPLER_2DBYNORM/);
    assert.equal(g.fragment.match(/^vec4 VVSAMPLER_2DBYPIXEL\(/gm)?.length, 1);
    const none = generateShaders(makeDoc('void main(){ gl_FragColor = vec4(1.0); }'));
    assert.doesNotMatch(none.fragment, /VVSAMPLER|isf_imgCoord/);
  });

  it('reports a wrong argument count at the call, in the user file', () => {
    const doc = makeDoc('\nvoid main() {\n  gl_FragColor =   IMG_PIXEL(inputImage);\n}', {
      inputs: IMAGES,
      path: 'shader.fs',
      fragmentBodyLine: 20,
    });
    assert.throws(
      () => generateShaders(doc),
      (e: unknown) =>
        e instanceof ISFError &&
        e.code === 'ISF_IMG_ARGS' &&
        e.file === 'shader.fs' &&
        e.line === 22 &&
        e.column === 20 &&
        /IMG_PIXEL takes 2 or 3 arguments/.test(e.message),
    );
    throwsISF(
      () => body('vec4 c = IMG_THIS_PIXEL(inputImage, vec2(1.0), 1.0);'),
      'ISF_IMG_ARGS',
      /takes 1 argument/,
    );
    throwsISF(() => body('vec2 c = IMG_SIZE();'), 'ISF_IMG_ARGS', /called with 0/);
    throwsISF(() => body('vec4 c = IMG_PIXEL(inputImage, a, b, c);'), 'ISF_IMG_ARGS', /called with 4/);
  });

  it('rejects unknown image names and expressions as the image', () => {
    throwsISF(
      () => body('vec4 c = IMG_THIS_PIXEL(nope);'),
      'ISF_IMG_ARGS',
      /'nope' is not an image input.*inputImage, mask, env/,
      1,
      25,
    );
    throwsISF(() => body('vec4 c = IMG_THIS_PIXEL(a + b);'), 'ISF_IMG_ARGS', /must be the name of an image/);
    throwsISF(() => body('vec4 c = IMG_THIS_PIXEL(env);'), 'ISF_IMG_ARGS', /cube image 'env'/);
    assert.equal(body('vec2 s = IMG_SIZE(env);'), 'vec2 s = (_env_imgSize);');
  });

  it('reports unbalanced parentheses', () => {
    throwsISF(
      () => body('vec4 c = IMG_PIXEL(inputImage, vec2(1.0);\n'),
      'ISF_GLSL_SYNTAX',
      /never closed/,
      1,
      10,
    );
    throwsISF(() => body('vec4 c = IMG_PIXEL(inputImage, vec2(1.0]);'), 'ISF_GLSL_SYNTAX', /Mismatched/);
  });

  it('leaves an IMG name that is not called alone', () => {
    assert.equal(body('float IMG_SIZE;'), 'float IMG_SIZE;');
  });

  it('expands IMG_PIXEL/IMG_NORM_PIXEL/IMG_SIZE in the vertex shader, not IMG_THIS_*', () => {
    const vs =
      'void main() { isf_vertShaderInit(); vec4 c = IMG_NORM_PIXEL(mask, vec2(0.5), 0.0) + IMG_PIXEL(mask, IMG_SIZE(mask)); }';
    const g3 = generateShaders(makeDoc('void main(){}', { inputs: IMAGES, vertexSource: vs }));
    assert.match(g3.vertex, /textureLod\(s, isf_imgCoord\(rect, flip, loc\), bias\)/);
    assert.match(
      g3.vertex,
      /VVSAMPLER_2DBYPIXEL\(mask, _mask_imgRect, _mask_imgSize, _mask_flip, \(_mask_imgSize\)\)/,
    );
    const g1 = generateShaders(makeDoc('void main(){}', { inputs: IMAGES, vertexSource: vs }), {
      dialect: 'es100',
    });
    assert.match(g1.vertex, /texture2DLod\(s, /);
    assert.match(g1.vertex, /return texture2D\(s, isf_imgCoord\(rect, flip, loc \/ size\)\);/);
    assert.throws(
      () =>
        generateShaders(
          makeDoc('void main(){}', {
            inputs: IMAGES,
            vertexSource: 'void main(){ vec4 c = IMG_THIS_PIXEL(mask); }',
            vertexPath: 'a.vs',
          }),
        ),
      (e: unknown) => e instanceof ISFError && e.code === 'ISF_IMG_ARGS' && e.file === 'a.vs' && e.line === 1,
    );
  });
});

describe('renames', () => {
  it('renames v1 names as tokens only', () => {
    assert.equal(
      body('vec2 a = vv_FragNormCoord; float vv_FragNormCoordX; // vv_FragNormCoord'),
      'vec2 a = isf_FragNormCoord; float vv_FragNormCoordX; // vv_FragNormCoord',
    );
  });

  it('renames a global function named like an ES 3.00 built-in, in es300 only', () => {
    const src =
      'float round(float x) { return floor(x + 0.5); }\nvoid main() { float r = round(1.4); float roundX = 1.0; }';
    assert.equal(
      body(src),
      'float isf_user_round(float x) { return floor(x + 0.5); }\nvoid main() { float r = isf_user_round(1.4); float roundX = 1.0; }',
    );
    assert.equal(body(src, 'es100'), src);
    const g = generateShaders(makeDoc(src, { path: 'r.fs', fragmentBodyLine: 5 }));
    assert.deepEqual(g.renamed, [{ from: 'round', to: 'isf_user_round' }]);
    assert.equal(g.warnings.length, 1);
    assert.equal(g.warnings[0]!.code, 'W_RENAMED');
    assert.equal(g.warnings[0]!.line, 5);
    assert.equal(g.warnings[0]!.file, 'r.fs');
  });

  it('does not rename a built-in shadowed by a local or a parameter', () => {
    const src =
      'float f(float round) { return round; }\nvoid main() { float texture = 1.0; float s = sign(-1.0); }';
    assert.equal(body(src), src);
  });

  it('renames globals and reserved words, not ES 3.00 types used as types', () => {
    assert.equal(
      body('vec4 texture = vec4(1.0);\nfloat sample = texture.x;'),
      'vec4 isf_user_texture = vec4(1.0);\nfloat isf_user_sample = isf_user_texture.x;',
    );
    assert.equal(
      body('const uint N = 3u; uint f(uint x) { return x >> 1; }'),
      'const uint N = 3u; uint f(uint x) { return x >> 1; }',
    );
    assert.equal(
      body('float smooth = 1.0; float a = smooth;'),
      'float isf_user_smooth = 1.0; float a = isf_user_smooth;',
    );
  });

  it('ignores declarations the preprocessor drops', () => {
    const src =
      '#ifndef GL_ES\nfloat distance(vec2 a, vec2 b) { return 0.0; }\n#endif\nvoid main() { float d = distance(vec2(0.0), vec2(1.0)); }';
    assert.equal(body(src), src);
    const src2 =
      '#if __VERSION__ >= 300\nfloat f() { return 1.0; }\n#else\nfloat round(float x) { return x; }\n#endif';
    assert.equal(body(src2), src2);
    const src3 = '#define USE_OWN 1\n#if USE_OWN\nfloat round(float x) { return x; }\n#endif';
    assert.match(body(src3), /isf_user_round/);
  });

  it('renames an input whose name ES 3.00 reserves, in the uniform too', () => {
    const g = generateShaders(
      makeDoc('void main() { gl_FragColor = inverse ? vec4(1.0) : vec4(0.0); }', {
        inputs: [{ name: 'inverse', type: 'bool', default: false }],
      }),
    );
    assert.match(g.fragment, /^uniform bool isf_user_inverse;$/m);
    assert.match(g.vertex, /^uniform bool isf_user_inverse;$/m);
    assert.match(g.fragment, /gl_FragColor = isf_user_inverse \?/);
    assert.deepEqual(g.renamed, [{ from: 'inverse', to: 'isf_user_inverse' }]);
    const g1 = generateShaders(
      makeDoc('void main(){}', { inputs: [{ name: 'inverse', type: 'bool', default: false }] }),
      {
        dialect: 'es100',
      },
    );
    assert.match(g1.fragment, /^uniform bool inverse;$/m);
  });
});

describe('global initializers', () => {
  it('moves non-constant global initializers to the start of main, keeping lines', () => {
    const src =
      'const float K = 2.0;\nfloat a = 1.0 / TIME, b = K * 2.0;\nfloat c = f(\n  a);\nvoid main()\n{\n  gl_FragColor = vec4(a + b + c);\n}';
    const out = body(src).split('\n');
    assert.equal(out.length, src.split('\n').length);
    assert.equal(out[1], 'float a , b = K * 2.0;');
    assert.equal(out[2], 'float c ');
    assert.equal(out[5], '{ a = 1.0 / TIME; c = f(  a);');
  });

  it('leaves constant initializers and conditional code alone', () => {
    const src =
      'float a = 1.0;\nvec2 v = vec2(sin(1.0), 2.0);\n#ifdef FOO\nfloat b = TIME;\n#endif\nvoid main() {}';
    assert.equal(body(src), src);
  });
});

describe('#version and output', () => {
  it('blanks user #version lines', () => {
    assert.equal(body('#version 120\nvoid main() {}'), '\nvoid main() {}');
  });
  it('keeps the user #if __VERSION__ idiom working', () => {
    const src = '#if __VERSION__ <= 120\nvarying vec2 v;\n#else\nin vec2 v;\n#endif';
    assert.equal(body(src), src);
  });
});
