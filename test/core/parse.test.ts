import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { ISFDocument } from '../../src/core/document.ts';
import { parseISF, validateISF } from '../../src/core/parse/index.ts';
import { loadISF } from '../../src/node/load.ts';
import { CORPUS_FILES, CORPUS_TESTS, isf, lineOf } from './parse-helpers.ts';

/** The normalised metadata, without the big text fields. */
function meta(doc: ISFDocument): Record<string, unknown> {
  const { fragmentSource: _s, fragmentBody: _b, json: _j, vertexSource: _v, ...rest } = doc;
  return rest;
}

describe('pinned corpus documents', () => {
  test('Test-Float', async () => {
    const path = `${CORPUS_TESTS}/Test-Float.fs`;
    const doc = await loadISF(path);
    assert.deepEqual(meta(doc), {
      path,
      name: 'Test-Float',
      isfVersion: 2,
      isfvsn: '2.0',
      description: 'demonstrates the use of float-type inputs',
      credit: 'by zoidberg',
      categories: ['TEST-GLSL FX'],
      kind: 'filter',
      inputs: [
        { name: 'inputImage', type: 'image' },
        { name: 'level', type: 'float', default: 0.5, min: 0, max: 1 },
      ],
      passes: [{ persistent: false, float: false }],
      imported: [],
      fragmentBodyLine: 22,
      warnings: [],
    });
    assert.ok(doc.fragmentBody.startsWith('\nvoid main()'));
    assert.equal(doc.fragmentSource.split(/\n/)[doc.fragmentBodyLine - 1], '');
    assert.equal(doc.json.ISFVSN, '2.0');
  });

  test('Test-Long', async () => {
    const path = `${CORPUS_TESTS}/Test-Long.fs`;
    assert.deepEqual(meta(await loadISF(path)), {
      path,
      name: 'Test-Long',
      isfVersion: 2,
      isfvsn: '2.0',
      description:
        'demonstrates the use of long-type inputs as pop-up buttons to display either the red, green, or blue channel of an image',
      credit: 'by zoidberg',
      categories: ['TEST-GLSL FX'],
      kind: 'filter',
      inputs: [
        { name: 'inputImage', type: 'image' },
        {
          name: 'longInputIsPopUpButton',
          type: 'long',
          default: 1,
          values: [0, 1, 2],
          labels: ['red', 'green', 'blue'],
          min: 0,
          max: 2,
        },
      ],
      passes: [{ persistent: false, float: false }],
      imported: [],
      fragmentBodyLine: 30,
      warnings: [],
    });
  });

  test('Test-MultiPassRendering', async () => {
    const path = `${CORPUS_TESTS}/Test-MultiPassRendering.fs`;
    const doc = await loadISF(path);
    assert.deepEqual(meta(doc), {
      path,
      name: 'Test-MultiPassRendering',
      isfVersion: 2,
      isfvsn: '2.0',
      description:
        'demonstrates the use of two-pass rendering- the first pass renders to a persistent buffer which is substantially smaller than the res of the image being drawn.  the second pass renders at the default requested size and scales up the image from the first pass',
      credit: 'by zoidberg',
      categories: ['TEST-GLSL FX'],
      kind: 'filter',
      inputs: [{ name: 'inputImage', type: 'image' }],
      passes: [
        {
          target: 'bufferVariableNameA',
          persistent: true,
          float: false,
          width: '$WIDTH/16.0',
          height: '$HEIGHT/16.0',
        },
        { persistent: false, float: false },
      ],
      imported: [],
      fragmentBodyLine: 27,
      warnings: [],
    });
  });

  test('Test-PersistentBuffer', async () => {
    const path = `${CORPUS_TESTS}/Test-PersistentBuffer.fs`;
    assert.deepEqual(meta(await loadISF(path)), {
      path,
      name: 'Test-PersistentBuffer',
      isfVersion: 2,
      isfvsn: '2.0',
      description:
        'demonstrates the use of a persistent buffer to create a motion-blur type effect. also demonstrates the simplest use of steps: a one-step rendering pass',
      credit: 'by zoidberg',
      categories: ['TEST-GLSL FX'],
      kind: 'filter',
      inputs: [
        { name: 'inputImage', type: 'image' },
        { name: 'blurAmount', type: 'float', default: 0.5, min: 0, max: 1 },
      ],
      passes: [{ target: 'bufferVariableNameA', persistent: true, float: true }],
      imported: [],
      fragmentBodyLine: 27,
      warnings: [],
    });
  });

  test('Soft Blur (ISF-Files: WIDTH/HEIGHT expressions and a .vs)', async () => {
    const path = `${CORPUS_FILES}/Soft Blur.fs`;
    const doc = await loadISF(path);
    assert.deepEqual(meta(doc), {
      path,
      name: 'Soft Blur',
      isfVersion: 2,
      isfvsn: '2',
      credit: 'by VIDVOX',
      categories: ['Blur'],
      kind: 'filter',
      inputs: [
        { name: 'inputImage', type: 'image' },
        { name: 'softness', type: 'float', default: 0.9, min: 0, max: 1 },
        { name: 'depth', type: 'float', default: 10, min: 1, max: 10 },
      ],
      passes: [
        {
          target: 'smaller',
          persistent: false,
          float: false,
          width: 'max(floor($WIDTH*0.02),1.0)',
          height: 'max(floor($HEIGHT*0.02),1.0)',
        },
        {
          target: 'small',
          persistent: false,
          float: false,
          width: 'max(floor($WIDTH*0.25),1.0)',
          height: 'max(floor($HEIGHT*0.25),1.0)',
        },
        { persistent: false, float: false },
      ],
      imported: [],
      fragmentBodyLine: 43,
      warnings: [],
      vertexPath: `${CORPUS_FILES}/Soft Blur.vs`,
    });
    assert.equal(doc.vertexSource, readFileSync(`${CORPUS_FILES}/Soft Blur.vs`, 'utf8'));
  });

  test('Test-Audio has no ISFVSN and uses vv_ names: isfVersion 1 with W_V1_CONVERTED', async () => {
    const doc = await loadISF(`${CORPUS_TESTS}/Test-Audio.fs`);
    assert.equal(doc.isfVersion, 1);
    assert.equal(doc.isfvsn, undefined);
    assert.deepEqual(
      doc.warnings.map((w) => [w.code, w.line]),
      [['W_V1_CONVERTED', 1]],
    );
  });
});

describe('blob extraction (VVISF rules)', () => {
  test('JSON between the first /* and */, body after the line break that follows */', () => {
    const src = '// leading comment\n/*{"INPUTS": []}*/\nvoid main(){}\n';
    const doc = parseISF(src);
    assert.equal(doc.fragmentBody, 'void main(){}\n');
    assert.equal(doc.fragmentBodyLine, 3);
    assert.equal(doc.name, 'untitled');
    assert.equal(doc.kind, 'generator');
    assert.deepEqual(doc.passes, [{ persistent: false, float: false }]);
  });
  test('CRLF and lone CR line breaks', () => {
    assert.equal(parseISF('/*{}*/\r\nvoid main(){}').fragmentBody, 'void main(){}');
    assert.equal(parseISF('/*{}*/\r\nvoid main(){}').fragmentBodyLine, 2);
    const cr = parseISF('/*{\r"INPUTS": []\r}*/\rvoid main(){}');
    assert.equal(cr.fragmentBodyLine, 4);
    assert.equal(cr.fragmentBody, 'void main(){}');
  });
  test('code on the same line as */ is dropped with W_CODE_AFTER_COMMENT', () => {
    const doc = parseISF('/*{}*/ float x;\nvoid main(){}');
    assert.equal(doc.fragmentBody, 'void main(){}');
    assert.deepEqual(
      doc.warnings.map((w) => [w.code, w.line, w.column]),
      [['W_CODE_AFTER_COMMENT', 1, 8]],
    );
  });
  test('no line break after */: empty body on the next line', () => {
    const doc = parseISF('/*{}*/');
    assert.equal(doc.fragmentBody, '');
    assert.equal(doc.fragmentBodyLine, 2);
  });
  test('json is the untouched blob; __proto__ is a plain key', () => {
    const doc = parseISF('/*{"X": {"__proto__": {"polluted": 1}}, "INPUTS": []}*/\n');
    assert.deepEqual(Object.keys(doc.json.X as object), ['__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
  test('name comes from the path without its extension', () => {
    assert.equal(parseISF('/*{}*/\n', { path: 'a/b/My Shader.fs' }).name, 'My Shader');
    assert.equal(parseISF('/*{}*/\n', { path: 'x.frag' }).path, 'x.frag');
  });
});

describe('input normalisation (VVISF §1.3)', () => {
  const one = (input: Record<string, unknown>) =>
    parseISF(isf({ INPUTS: [{ NAME: 'x', ...input }] })).inputs[0];
  test('float: MIN/MAX only as a pair, else [0,1]; missing DEFAULT is the midpoint', () => {
    assert.deepEqual(one({ TYPE: 'float' }), { name: 'x', type: 'float', default: 0.5, min: 0, max: 1 });
    assert.deepEqual(one({ TYPE: 'float', MIN: 2, MAX: 4 }), {
      name: 'x',
      type: 'float',
      default: 3,
      min: 2,
      max: 4,
    });
    assert.deepEqual(one({ TYPE: 'float', MIN: 2, DEFAULT: 0.25 }), {
      name: 'x',
      type: 'float',
      default: 0.25,
      min: 0,
      max: 1,
    });
    assert.deepEqual(one({ TYPE: 'float', DEFAULT: 9, IDENTITY: 0.1, LABEL: 'X', DESCRIPTION: 'd' }), {
      name: 'x',
      label: 'X',
      description: 'd',
      type: 'float',
      default: 1,
      min: 0,
      max: 1,
      identity: 0.1,
    });
  });
  test('bool: bool or number DEFAULT, missing → true (VVISF)', () => {
    assert.deepEqual(one({ TYPE: 'bool' }), { name: 'x', type: 'bool', default: true });
    assert.deepEqual(one({ TYPE: 'bool', DEFAULT: 0 }), { name: 'x', type: 'bool', default: false });
    assert.deepEqual(one({ TYPE: 'bool', DEFAULT: 0.5, IDENTITY: false }), {
      name: 'x',
      type: 'bool',
      default: true,
      identity: false,
    });
  });
  test('long: VALUES/LABELS pair, MIN/MAX pair, ints truncated, missing DEFAULT 0', () => {
    assert.deepEqual(one({ TYPE: 'long', VALUES: [3, 1.9], LABELS: ['a', 'b'], DEFAULT: 1.7 }), {
      name: 'x',
      type: 'long',
      default: 1,
      values: [3, 1],
      labels: ['a', 'b'],
      min: 1,
      max: 3,
    });
    assert.deepEqual(one({ TYPE: 'long', MIN: 1, MAX: 5 }), {
      name: 'x',
      type: 'long',
      default: 0,
      min: 1,
      max: 5,
    });
    assert.deepEqual(one({ TYPE: 'long', MAX: 5 }), { name: 'x', type: 'long', default: 0 });
  });
  test('point2D and color', () => {
    assert.deepEqual(one({ TYPE: 'point2D' }), { name: 'x', type: 'point2D', default: [0, 0] });
    assert.deepEqual(
      one({ TYPE: 'point2D', DEFAULT: [1, 2], MIN: [0, 0], MAX: [10, 10], IDENTITY: [5, 5] }),
      {
        name: 'x',
        type: 'point2D',
        default: [1, 2],
        min: [0, 0],
        max: [10, 10],
        identity: [5, 5],
      },
    );
    assert.deepEqual(one({ TYPE: 'color' }), { name: 'x', type: 'color', default: [0, 0, 0, 0] });
    assert.deepEqual(one({ TYPE: 'color', DEFAULT: [1, 0.5, 0] }), {
      name: 'x',
      type: 'color',
      default: [1, 0.5, 0, 1],
    });
  });
  test('image, event, cube, audio (MAX → columns)', () => {
    assert.deepEqual(one({ TYPE: 'event' }), { name: 'x', type: 'event' });
    assert.deepEqual(one({ TYPE: 'cube' }), { name: 'x', type: 'cube' });
    assert.deepEqual(one({ TYPE: 'audioFFT', MAX: 256 }), { name: 'x', type: 'audioFFT', max: 256 });
    assert.deepEqual(one({ TYPE: 'audio' }), { name: 'x', type: 'audio' });
  });
});

describe('kind inference', () => {
  const kind = (inputs: Array<[string, string]>) =>
    parseISF(isf({ INPUTS: inputs.map(([NAME, TYPE]) => ({ NAME, TYPE })) })).kind;
  test('filter, transition, generator', () => {
    assert.equal(kind([['inputImage', 'image']]), 'filter');
    assert.equal(
      kind([
        ['startImage', 'image'],
        ['endImage', 'image'],
        ['progress', 'float'],
      ]),
      'transition',
    );
    assert.equal(
      kind([
        ['inputImage', 'image'],
        ['startImage', 'image'],
        ['endImage', 'image'],
        ['progress', 'float'],
      ]),
      'filter',
    );
    assert.equal(
      kind([
        ['startImage', 'image'],
        ['endImage', 'image'],
      ]),
      'generator',
    );
    assert.equal(kind([['inputImage', 'float']]), 'generator');
  });
});

describe('passes', () => {
  test('PERSISTENT/FLOAT truthy forms', () => {
    const flags = [true, 1, 0.5, 'yes', 'true', false, 0, -1, 'no', 'false'];
    const doc = parseISF(
      isf({ PASSES: flags.map((f, i) => ({ TARGET: `b${i}`, PERSISTENT: f, FLOAT: f })) }),
    );
    assert.deepEqual(
      doc.passes.map((p) => p.persistent),
      [true, true, true, true, true, false, false, false, false, false],
    );
    assert.deepEqual(
      doc.passes.map((p) => p.float),
      doc.passes.map((p) => p.persistent),
    );
    assert.deepEqual(doc.warnings, []);
  });
  test('"YES"/"True" are honoured but warned about (VVISF is case-sensitive)', () => {
    const src = isf({ PASSES: [{ TARGET: 'a', PERSISTENT: 'YES', FLOAT: 'True' }] });
    const doc = parseISF(src);
    assert.deepEqual(doc.passes, [{ target: 'a', persistent: true, float: true }]);
    assert.deepEqual(
      doc.warnings.map((w) => [w.code, w.line]),
      [
        ['W_KEY_CASE', lineOf(src, '"YES"')],
        ['W_KEY_CASE', lineOf(src, '"True"')],
      ],
    );
  });
  test('WIDTH/HEIGHT numbers become text; expressions kept as written', () => {
    const doc = parseISF(
      isf({
        INPUTS: [{ NAME: 'q', TYPE: 'long' }],
        PASSES: [{ TARGET: 'a', WIDTH: 512, HEIGHT: '$q * $HEIGHT' }, {}],
      }),
    );
    assert.deepEqual(doc.passes, [
      { target: 'a', persistent: false, float: false, width: '512', height: '$q * $HEIGHT' },
      { persistent: false, float: false },
    ]);
  });
  test('unknown expression variables are warned about at their column', () => {
    const src = isf({
      INPUTS: [{ NAME: 'pt', TYPE: 'point2D' }],
      PASSES: [{ TARGET: 'a', WIDTH: '$WIDTH * $nope', HEIGHT: '$pt' }],
    });
    const w = parseISF(src).warnings;
    assert.deepEqual(
      w.map((d) => [d.code, d.line, d.column]),
      [
        [
          'W_UNKNOWN_VARIABLE',
          lineOf(src, '$nope'),
          src.split('\n')[lineOf(src, '$nope') - 1]!.indexOf('$nope') + 1,
        ],
        [
          'W_UNKNOWN_VARIABLE',
          lineOf(src, '"$pt"'),
          src.split('\n')[lineOf(src, '"$pt"') - 1]!.indexOf('$pt') + 1,
        ],
      ],
    );
    assert.match(w[1]!.message, /point2D/);
  });
  test('a pass without TARGET keeps FLOAT only (VVISF ignores its PERSISTENT/WIDTH/HEIGHT)', () => {
    const doc = parseISF(
      isf({ PASSES: [{ PERSISTENT: true, FLOAT: true, WIDTH: 4, HEIGHT: '$HEIGHT', DESCRIPTION: 'out' }] }),
    );
    assert.deepEqual(doc.passes, [{ persistent: false, float: true, description: 'out' }]);
    assert.deepEqual(
      doc.warnings.map((w) => w.code),
      ['W_IGNORED_VALUE', 'W_IGNORED_VALUE', 'W_IGNORED_VALUE'],
    );
  });
  test('an empty TARGET means output', () => {
    assert.deepEqual(parseISF(isf({ PASSES: [{ TARGET: '' }] })).passes, [
      { persistent: false, float: false },
    ]);
  });
});

describe('ISF v1 PERSISTENT_BUFFERS', () => {
  test('array form: targeted buffers become persistent passes', () => {
    const doc = parseISF(
      isf({ PERSISTENT_BUFFERS: ['acc'], PASSES: [{ TARGET: 'acc' }, { TARGET: 'tmp' }, {}] }),
    );
    assert.equal(doc.isfVersion, 1);
    assert.deepEqual(doc.passes, [
      { target: 'acc', persistent: true, float: false },
      { target: 'tmp', persistent: false, float: false },
      { persistent: false, float: false },
    ]);
    assert.equal(doc.extraPersistentBuffers, undefined);
    assert.deepEqual(
      doc.warnings.map((w) => w.code),
      ['W_V1_CONVERTED'],
    );
  });
  test('dict form: WIDTH/HEIGHT/FLOAT (numeric only) and pass-level override; untargeted buffers kept', () => {
    const src = isf({
      PERSISTENT_BUFFERS: {
        a: { WIDTH: 16, HEIGHT: '$HEIGHT/2', FLOAT: 1 },
        b: { FLOAT: true },
        lonely: { WIDTH: 8 },
      },
      PASSES: [{ TARGET: 'a', WIDTH: 32 }, { TARGET: 'b' }, {}],
    });
    const doc = parseISF(src);
    assert.deepEqual(doc.passes, [
      { target: 'a', persistent: true, float: true, width: '32', height: '$HEIGHT/2' },
      { target: 'b', persistent: true, float: false },
      { persistent: false, float: false },
    ]);
    assert.deepEqual(doc.extraPersistentBuffers, [
      { target: 'lonely', persistent: true, float: false, width: '8' },
    ]);
    assert.deepEqual(
      doc.warnings.map((w) => [w.code, w.line]),
      [
        ['W_V1_CONVERTED', lineOf(src, 'PERSISTENT_BUFFERS')],
        ['W_IGNORED_VALUE', lineOf(src, '"FLOAT": true')],
        ['W_V1_CONVERTED', lineOf(src, '"lonely"')],
      ],
    );
  });
  test('vv_ names without ISFVSN mark v1; with ISFVSN they do not', () => {
    assert.equal(
      parseISF('/*{}*/\nvoid main(){ gl_FragColor = vec4(vv_FragNormCoord, 0., 1.); }').isfVersion,
      1,
    );
    assert.equal(parseISF('/*{"ISFVSN": "2"}*/\nvoid main(){ vec2 p = vv_FragNormCoord; }').isfVersion, 2);
    assert.equal(
      parseISF('/*{}*/\nvoid main(){}', { vertexSource: 'void main(){ vv_vertShaderInit(); }' }).isfVersion,
      1,
    );
    assert.equal(parseISF('/*{}*/\nvoid main(){}').isfVersion, 2);
    assert.equal(parseISF('/*{"ISFVSN": 2}*/\n').isfvsn, '2');
  });
});

describe('IMPORTED', () => {
  test('dict form fills NAME from the key; array form needs NAME; cube form takes 6 paths', () => {
    const doc = parseISF(
      isf({
        IMPORTED: { logo: { PATH: 'img/logo.png' }, other: { NAME: 'renamed', PATH: './x.png' } },
      }),
      { path: '/shaders/fx/a.fs' },
    );
    assert.deepEqual(
      doc.imported.map(({ line: _l, ...rest }) => rest),
      [
        { name: 'logo', path: 'img/logo.png', resolvedPath: '/shaders/fx/img/logo.png' },
        { name: 'renamed', path: './x.png', resolvedPath: '/shaders/fx/x.png' },
      ],
    );
    const faces = ['px.png', 'nx.png', 'py.png', 'ny.png', 'pz.png', 'nz.png'];
    const arr = parseISF(
      isf({
        IMPORTED: [
          { NAME: 'pic', PATH: 'sub/../p.png' },
          { NAME: 'sky', TYPE: 'cube', PATH: faces },
        ],
      }),
      { path: 'rel/a.fs' },
    );
    assert.deepEqual(arr.imported[0], {
      name: 'pic',
      path: 'sub/../p.png',
      resolvedPath: 'rel/p.png',
      line: 5,
    });
    assert.deepEqual(arr.imported[1]!.cube, { paths: faces, resolvedPaths: faces.map((f) => `rel/${f}`) });
    assert.equal(parseISF(isf({ IMPORTED: { a: { PATH: 'a.png' } } })).imported[0]!.resolvedPath, undefined);
  });
  test('allowImportOutsideFolder lets ../ and absolute paths through', () => {
    const src = isf({ IMPORTED: { a: { PATH: '../up.png' }, b: { PATH: '/abs/b.png' } } });
    const doc = parseISF(src, { path: '/s/x/a.fs', allowImportOutsideFolder: true });
    assert.deepEqual(
      doc.imported.map((i) => i.resolvedPath),
      ['/s/up.png', '/abs/b.png'],
    );
  });
});

describe('validateISF', () => {
  test('returns every error, in file order, and never throws', () => {
    const src = isf({
      INPUTS: [{ NAME: 'a', TYPE: 'float', MIN: 'zero' }, { TYPE: 'float' }, { NAME: 'b', TYPE: 'vec3' }],
      PASSES: [{ TARGET: 'a', WIDTH: 'floor(' }],
    });
    const r = validateISF(src, { path: 'x.fs' });
    assert.equal(r.ok, false);
    assert.equal(r.document, undefined);
    assert.deepEqual(
      r.diagnostics.filter((d) => d.severity === 'error').map((d) => [d.code, d.line]),
      [
        ['ISF_INPUT_VALUE', lineOf(src, '"zero"')],
        ['ISF_INPUT_INVALID', lineOf(src, '"TYPE": "float"\n    }') - 1],
        ['ISF_INPUT_TYPE', lineOf(src, '"vec3"')],
        ['ISF_INPUT_DUPLICATE', lineOf(src, '"TARGET": "a"')],
        ['ISF_EXPRESSION', lineOf(src, '"floor("')],
      ],
    );
    assert.ok(r.diagnostics.every((d) => d.file === 'x.fs'));
  });
  test('a valid document comes back with its warnings', () => {
    const r = validateISF(isf({ INPUTS: [], FOO: 1 }));
    assert.equal(r.ok, true);
    assert.deepEqual(
      r.diagnostics.map((d) => d.code),
      ['W_UNKNOWN_KEY'],
    );
    assert.deepEqual(r.document?.warnings, r.diagnostics);
  });
  test('parseISF throws the earliest error in the file (not the first found) with all diagnostics attached', () => {
    const src = isf({
      INPUTS: [
        { NAME: '1bad', TYPE: 'float' },
        { NAME: 'x', TYPE: 'nope' },
      ],
    });
    assert.throws(
      () => parseISF(src),
      (e: unknown) => {
        const err = e as { code: string; line: number; diagnostics: unknown[] };
        // Names are checked after types, but the bad name comes first in the file.
        assert.equal(err.code, 'ISF_INPUT_NAME');
        assert.equal(err.line, lineOf(src, '"1bad"'));
        assert.equal(err.diagnostics.length, 2);
        return true;
      },
    );
  });
});
