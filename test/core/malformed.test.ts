/**
 * Catalogue of malformed documents: each must fail with the exact code at the exact .fs line (and column, given
 * either as a number or as a needle whose first occurrence on that line is where the parser must point).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ParseOptions } from '../../src/core/document.ts';
import { type Diagnostic, ISFError } from '../../src/core/errors.ts';
import { parseISF, validateISF } from '../../src/core/parse/index.ts';
import { assertFasterThan } from '../helpers.ts';

interface Case {
  name: string;
  /** Lines of the .fs (joined with \n) or the whole text. */
  src: string[] | string;
  code: string;
  line: number;
  /** 1-based column, or a needle: the column of its first occurrence on `line`. */
  col?: number | string;
  options?: ParseOptions;
  message?: RegExp;
}

const input = (entry: string): string[] => [
  '/*{',
  '  "INPUTS": [',
  `    ${entry}`,
  '  ]',
  '}*/',
  'void main(){}',
];
const pass = (entry: string): string[] => [
  '/*{',
  '  "PASSES": [',
  `    ${entry}`,
  '  ]',
  '}*/',
  'void main(){}',
];
const top = (entry: string): string[] => ['/*{', `  ${entry}`, '}*/', 'void main(){}'];

/** Deterministic bytes with NULs, decoded the way loadISF does. */
function garbage(): string {
  let x = 12345;
  const bytes = new Uint8Array(400);
  for (let i = 0; i < bytes.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  bytes[37] = 0;
  return new TextDecoder().decode(bytes);
}

const CASES: Case[] = [
  // --- document level
  { name: 'no comment at all', src: ['void main() {', '}'], code: 'ISF_MISSING_COMMENT', line: 1, col: 1 },
  {
    name: 'unterminated comment',
    src: ['// hi', '/*{', '"INPUTS": []', 'void main(){}'],
    code: 'ISF_UNTERMINATED_COMMENT',
    line: 2,
    col: 1,
  },
  {
    name: '*/ before /*',
    src: ['void main(){}', ' */ /*{}*/'],
    code: 'ISF_MISSING_COMMENT',
    line: 2,
    col: 2,
  },
  { name: '/*/ (the */ overlaps the /*)', src: ['/*/ {} */'], code: 'ISF_MISSING_COMMENT', line: 1, col: 2 },
  { name: 'empty file', src: '', code: 'ISF_EMPTY', line: 1, col: 1 },
  { name: 'whitespace only', src: '  \n\t\n   \r\n', code: 'ISF_EMPTY', line: 1, col: 1 },
  { name: 'binary garbage with NULs', src: garbage(), code: 'ISF_NOT_TEXT', line: 1 },
  { name: 'mostly U+FFFD', src: `/*{}*/\n${'\uFFFD'.repeat(200)}`, code: 'ISF_NOT_TEXT', line: 2, col: 1 },
  // --- JSON syntax
  {
    name: 'trailing comma in object',
    src: top('"INPUTS": [],'),
    options: { strict: true },
    code: 'ISF_STRICT',
    line: 2,
    col: ',',
    message: /trailing comma/i,
  },
  {
    name: 'trailing comma in array',
    src: top('"CATEGORIES": ["a", ]'),
    options: { strict: true },
    code: 'ISF_STRICT',
    line: 2,
    col: ',',
    message: /trailing comma/i,
  },
  {
    name: '// comment in JSON',
    src: ['/*{', '  // no comments', '  "INPUTS": []', '}*/'],
    options: { strict: true },
    code: 'ISF_STRICT',
    line: 2,
    col: 3,
    message: /comment/,
  },
  {
    name: 'NaN',
    src: top('"X": NaN'),
    code: 'ISF_JSON_SYNTAX',
    line: 2,
    col: 'NaN',
    message: /NaN is not valid JSON/,
  },
  {
    name: 'Infinity',
    src: top('"X": -Infinity'),
    code: 'ISF_JSON_SYNTAX',
    line: 2,
    col: '-',
    message: /invalid number/,
  },
  {
    name: 'single-quoted key',
    src: top("'INPUTS': []"),
    code: 'ISF_JSON_SYNTAX',
    line: 2,
    col: "'",
    message: /double quotes/,
  },
  {
    name: 'single-quoted value',
    src: top(`"DESCRIPTION": 'x'`),
    code: 'ISF_JSON_SYNTAX',
    line: 2,
    col: "'",
    message: /double quotes/,
  },
  {
    name: 'missing closing brace',
    src: ['/*{', '  "INPUTS": [', '  ]', '*/'],
    code: 'ISF_JSON_SYNTAX',
    line: 4,
    col: 1,
    message: /missing "}"/,
  },
  {
    name: 'missing comma',
    src: ['/*{', '  "A": 1', '  "B": 2', '}*/'],
    code: 'ISF_JSON_SYNTAX',
    line: 3,
    col: 3,
    message: /expected "," or "}"/,
  },
  { name: 'unquoted key', src: ['/*{ INPUTS: [] }*/'], code: 'ISF_JSON_SYNTAX', line: 1, col: 'INPUTS' },
  { name: 'leading zero', src: ['/*{"A": 01}*/'], code: 'ISF_JSON_SYNTAX', line: 1, col: '01' },
  {
    name: 'raw line break in a string',
    src: ['/*{"A": "abc', 'def"}*/'],
    options: { strict: true },
    code: 'ISF_STRICT',
    line: 1,
    col: 13,
  },
  { name: 'bad escape', src: ['/*{"A": "\\q"}*/'], code: 'ISF_JSON_SYNTAX', line: 1, col: '\\q' },
  { name: 'number out of range', src: top('"A": 1e999'), code: 'ISF_JSON_SYNTAX', line: 2, col: '1e999' },
  { name: 'two JSON values', src: ['/*{} {}*/'], code: 'ISF_JSON_SYNTAX', line: 1, col: 6 },
  { name: 'empty blob', src: ['/**/', 'void main(){}'], code: 'ISF_JSON_SYNTAX', line: 1, col: 3 },
  { name: 'blob is an array', src: ['/*', '[1, 2]', '*/'], code: 'ISF_JSON_NOT_OBJECT', line: 2, col: 1 },
  { name: 'not a string at all', src: undefined as unknown as string, code: 'BAD_ARGUMENT', line: 1, col: 1 },
  { name: 'blob is a string', src: ['/* "hello" */'], code: 'ISF_JSON_NOT_OBJECT', line: 1, col: 4 },
  {
    name: 'maxJsonDepth option',
    src: top('"A": {"B": {"C": 1}}'),
    options: { maxJsonDepth: 2 },
    code: 'ISF_JSON_TOO_DEEP',
    line: 2,
    col: '{"C"',
  },
  // --- INPUTS
  {
    name: 'INPUTS not an array',
    src: top('"INPUTS": {"NAME": "a"}'),
    code: 'ISF_INPUTS_INVALID',
    line: 2,
    col: '{',
  },
  { name: 'input not an object', src: input('"inputImage"'), code: 'ISF_INPUT_INVALID', line: 3, col: 5 },
  { name: 'input without NAME', src: input('{"TYPE": "float"}'), code: 'ISF_INPUT_INVALID', line: 3, col: 5 },
  {
    name: 'NAME not a string',
    src: input('{"NAME": 5, "TYPE": "float"}'),
    code: 'ISF_INPUT_INVALID',
    line: 3,
    col: '5',
  },
  {
    name: 'NAME with a space',
    src: input('{"NAME": "my input", "TYPE": "float"}'),
    code: 'ISF_INPUT_NAME',
    line: 3,
    col: '"my',
  },
  {
    name: 'NAME starting with a digit',
    src: input('{"NAME": "2x", "TYPE": "float"}'),
    code: 'ISF_INPUT_NAME',
    line: 3,
    col: '"2x"',
  },
  {
    name: 'NAME is a GLSL keyword',
    src: input('{"NAME": "uniform", "TYPE": "float"}'),
    code: 'ISF_INPUT_NAME',
    line: 3,
    col: '"uniform"',
  },
  {
    name: 'NAME starts with gl_',
    src: input('{"NAME": "gl_Color", "TYPE": "color"}'),
    code: 'ISF_INPUT_NAME',
    line: 3,
    col: '"gl_',
  },
  {
    name: 'NAME is an ISF built-in',
    src: input('{"NAME": "TIME", "TYPE": "float"}'),
    code: 'ISF_INPUT_NAME',
    line: 3,
    col: '"TIME"',
  },
  {
    name: 'duplicate input names',
    src: [
      '/*{',
      '  "INPUTS": [',
      '    {"NAME": "a", "TYPE": "float"},',
      '    {"NAME": "a", "TYPE": "bool"}',
      '  ]',
      '}*/',
    ],
    code: 'ISF_INPUT_DUPLICATE',
    line: 4,
    col: '"a"',
    message: /already used by the input on line 3/,
  },
  {
    name: 'pass TARGET reuses an input name',
    src: ['/*{', '  "INPUTS": [{"NAME": "buf", "TYPE": "float"}],', '  "PASSES": [{"TARGET": "buf"}]', '}*/'],
    code: 'ISF_INPUT_DUPLICATE',
    line: 3,
    col: '"buf"',
  },
  {
    name: 'two passes with the same TARGET',
    src: ['/*{', '  "PASSES": [{"TARGET": "t"},', '    {"TARGET": "t"}]', '}*/'],
    code: 'ISF_INPUT_DUPLICATE',
    line: 3,
    col: '"t"',
  },
  {
    name: 'IMPORTED name reuses an input name',
    src: [
      '/*{',
      '  "INPUTS": [{"NAME": "img", "TYPE": "image"}],',
      '  "IMPORTED": {"img": {"PATH": "a.png"}}',
      '}*/',
    ],
    code: 'ISF_INPUT_DUPLICATE',
    line: 3,
    col: '"img"',
  },
  {
    name: 'unknown TYPE',
    src: input('{"NAME": "a", "TYPE": "vec2"}'),
    code: 'ISF_INPUT_TYPE',
    line: 3,
    col: '"vec2"',
  },
  {
    name: 'TYPE in the wrong case',
    src: input('{"NAME": "a", "TYPE": "Float"}'),
    code: 'ISF_INPUT_TYPE',
    line: 3,
    col: '"Float"',
  },
  { name: 'TYPE missing', src: input('{"NAME": "a"}'), code: 'ISF_INPUT_TYPE', line: 3, col: 5 },
  {
    name: 'float DEFAULT a string',
    src: input('{"NAME": "a", "TYPE": "float", "DEFAULT": "0.5"}'),
    options: { strict: true },
    code: 'ISF_STRICT',
    line: 3,
    col: '"0.5"',
  },
  {
    name: 'float MIN a string',
    src: input('{"NAME": "a", "TYPE": "float", "MIN": "0", "MAX": 1}'),
    options: { strict: true },
    code: 'ISF_STRICT',
    line: 3,
    col: '"0"',
  },
  {
    name: 'float IDENTITY null',
    src: input('{"NAME": "a", "TYPE": "float", "IDENTITY": null}'),
    code: 'ISF_INPUT_VALUE',
    line: 3,
    col: 'null',
  },
  {
    name: 'bool DEFAULT a string',
    src: input('{"NAME": "a", "TYPE": "bool", "DEFAULT": "yes"}'),
    code: 'ISF_INPUT_VALUE',
    line: 3,
    col: '"yes"',
  },
  {
    name: 'long DEFAULT a string',
    src: input('{"NAME": "a", "TYPE": "long", "DEFAULT": "1"}'),
    options: { strict: true },
    code: 'ISF_STRICT',
    line: 3,
    col: '"1"',
  },
  {
    name: 'long VALUES not numbers',
    src: input('{"NAME": "a", "TYPE": "long", "VALUES": [1, "two"], "LABELS": ["a", "b"]}'),
    code: 'ISF_INPUT_VALUE',
    line: 3,
    col: '"two"',
  },
  {
    name: 'long LABELS not strings',
    src: input('{"NAME": "a", "TYPE": "long", "VALUES": [1, 2], "LABELS": ["a", 2]}'),
    code: 'ISF_INPUT_VALUE',
    line: 3,
    col: '2]}',
  },
  {
    name: 'long VALUES not an array',
    src: input('{"NAME": "a", "TYPE": "long", "VALUES": 3, "LABELS": []}'),
    code: 'ISF_INPUT_VALUE',
    line: 3,
    col: '3,',
  },
  {
    name: 'point2D DEFAULT element a string',
    src: input('{"NAME": "p", "TYPE": "point2D", "DEFAULT": [0, "1"]}'),
    options: { strict: true },
    code: 'ISF_STRICT',
    line: 3,
    col: '"1"',
  },
  {
    name: 'point2D DEFAULT of length 1',
    src: input('{"NAME": "p", "TYPE": "point2D", "DEFAULT": [1]}'),
    code: 'ISF_INPUT_VALUE',
    line: 3,
    col: '[1]',
  },
  {
    name: 'point2D MAX a number',
    src: input('{"NAME": "p", "TYPE": "point2D", "MIN": [0, 0], "MAX": 1}'),
    code: 'ISF_INPUT_VALUE',
    line: 3,
    col: '1}',
  },
  {
    name: 'color DEFAULT element a string',
    src: input('{"NAME": "c", "TYPE": "color", "DEFAULT": [1, 1, 1, "a"]}'),
    code: 'ISF_INPUT_VALUE',
    line: 3,
    col: '"a"',
  },
  {
    name: 'color DEFAULT a number',
    src: input('{"NAME": "c", "TYPE": "color", "DEFAULT": 1}'),
    code: 'ISF_INPUT_VALUE',
    line: 3,
    col: '1}',
  },
  {
    name: 'audio MAX a string',
    src: input('{"NAME": "s", "TYPE": "audio", "MAX": "256"}'),
    options: { strict: true },
    code: 'ISF_STRICT',
    line: 3,
    col: '"256"',
  },
  // --- PASSES
  {
    name: 'PASSES not an array',
    src: top('"PASSES": {"TARGET": "a"}'),
    code: 'ISF_PASSES_INVALID',
    line: 2,
    col: '{',
  },
  { name: 'pass not an object', src: pass('"bufferA"'), code: 'ISF_PASS_INVALID', line: 3, col: 5 },
  { name: 'TARGET not a string', src: pass('{"TARGET": 3}'), code: 'ISF_PASS_INVALID', line: 3, col: '3' },
  {
    name: 'TARGET not an identifier',
    src: pass('{"TARGET": "my buffer"}'),
    code: 'ISF_INPUT_NAME',
    line: 3,
    col: '"my',
  },
  {
    name: 'PERSISTENT an object',
    src: pass('{"TARGET": "a", "PERSISTENT": {}}'),
    code: 'ISF_PASS_INVALID',
    line: 3,
    col: '{}',
  },
  {
    name: 'WIDTH a boolean',
    src: pass('{"TARGET": "a", "WIDTH": true}'),
    code: 'ISF_PASS_INVALID',
    line: 3,
    col: 'true',
  },
  {
    name: 'WIDTH "$WIDTH/" (column of the end)',
    src: pass('{"TARGET": "a", "WIDTH": "$WIDTH/"}'),
    code: 'ISF_EXPRESSION',
    line: 3,
    col: '"}',
    message: /unexpected end of expression at column 8/,
  },
  {
    name: 'HEIGHT "floor("',
    src: pass('{"TARGET": "a", "HEIGHT": "floor("}'),
    code: 'ISF_EXPRESSION',
    line: 3,
    col: '"}',
  },
  {
    name: 'WIDTH "1 +* 2"',
    src: pass('{"TARGET": "a", "WIDTH": "1 +* 2"}'),
    code: 'ISF_EXPRESSION',
    line: 3,
    col: '* 2',
  },
  {
    name: 'WIDTH unknown function',
    src: pass('{"TARGET": "a", "WIDTH": "fooble($WIDTH)"}'),
    code: 'ISF_EXPRESSION',
    line: 3,
    col: 'fooble',
    message: /unknown function "fooble"/,
  },
  {
    name: 'WIDTH with escapes points at the string',
    src: pass('{"TARGET": "a", "WIDTH": "\\u0024WIDTH /"}'),
    code: 'ISF_EXPRESSION',
    line: 3,
    col: '"\\u',
  },
  {
    name: 'v1 buffer WIDTH expression',
    src: top('"PERSISTENT_BUFFERS": {"b": {"WIDTH": "2 +"}}'),
    code: 'ISF_EXPRESSION',
    line: 2,
    col: '"}',
  },
  // --- IMPORTED
  {
    name: 'IMPORTED without PATH',
    src: ['/*{', '  "IMPORTED": {', '    "img": {"NAME": "img"}', '  }', '}*/'],
    code: 'ISF_IMPORTED_INVALID',
    line: 3,
    col: '{"NAME"',
  },
  {
    name: 'IMPORTED PATH a number',
    src: top('"IMPORTED": {"img": {"PATH": 5}}'),
    code: 'ISF_IMPORTED_INVALID',
    line: 2,
    col: '5',
  },
  {
    name: 'IMPORTED a string',
    src: top('"IMPORTED": "a.png"'),
    code: 'ISF_IMPORTED_INVALID',
    line: 2,
    col: '"a.png"',
  },
  {
    name: 'IMPORTED array entry without NAME',
    src: top('"IMPORTED": [{"PATH": "a.png"}]'),
    code: 'ISF_IMPORTED_INVALID',
    line: 2,
    col: '{"PATH"',
  },
  {
    name: 'IMPORTED cube with 5 faces',
    src: top('"IMPORTED": {"sky": {"TYPE": "cube", "PATH": ["a", "b", "c", "d", "e"]}}'),
    code: 'ISF_IMPORTED_INVALID',
    line: 2,
    col: '["a"',
  },
  {
    name: 'IMPORTED escaping the folder',
    src: top('"IMPORTED": {"pw": {"PATH": "../../etc/passwd"}}'),
    options: { path: '/shaders/x.fs' },
    code: 'ISF_IMPORTED_PATH',
    line: 2,
    col: '"../',
    message: /"\.\.\/\.\.\/etc\/passwd"/,
  },
  {
    name: 'IMPORTED absolute path',
    src: top('"IMPORTED": {"pw": {"PATH": "/etc/passwd"}}'),
    code: 'ISF_IMPORTED_PATH',
    line: 2,
    col: '"/etc',
  },
  {
    name: 'IMPORTED Windows-style escape',
    src: top('"IMPORTED": {"pw": {"PATH": "a\\\\..\\\\..\\\\x.png"}}'),
    code: 'ISF_IMPORTED_PATH',
    line: 2,
    col: '"a',
  },
  {
    name: 'IMPORTED cube face escaping',
    src: top('"IMPORTED": {"s": {"TYPE": "cube", "PATH": ["a", "b", "c", "d", "e", "../f"]}}'),
    code: 'ISF_IMPORTED_PATH',
    line: 2,
    col: '"../f"',
  },
  // --- v1
  {
    name: 'PERSISTENT_BUFFERS a string',
    src: top('"PERSISTENT_BUFFERS": "buf"'),
    code: 'ISF_PASSES_INVALID',
    line: 2,
    col: '"buf"',
  },
  {
    name: 'PERSISTENT_BUFFERS array entry a number',
    src: top('"PERSISTENT_BUFFERS": ["a", 2]'),
    code: 'ISF_PASSES_INVALID',
    line: 2,
    col: '2]',
  },
  {
    name: 'PERSISTENT_BUFFERS dict entry not an object',
    src: top('"PERSISTENT_BUFFERS": {"a": 1}'),
    code: 'ISF_PASSES_INVALID',
    line: 2,
    col: '1}',
  },
  {
    name: 'PERSISTENT_BUFFERS names a buffer twice',
    src: top('"PERSISTENT_BUFFERS": ["a", "a"]'),
    code: 'ISF_INPUT_DUPLICATE',
    line: 2,
    col: '"a"]',
  },
];

function columnFor(c: Case, text: string): number | undefined {
  if (typeof c.col !== 'string') return c.col;
  const line = text.split(/\r\n|\n|\r/)[c.line - 1];
  assert.ok(line !== undefined, `${c.name}: no line ${c.line}`);
  const i = line.indexOf(c.col);
  assert.ok(i >= 0, `${c.name}: needle ${c.col} not on line ${c.line}: ${line}`);
  return i + 1;
}

describe('malformed documents: exact code, line and column', () => {
  test('the catalogue is large enough', () => {
    assert.ok(CASES.length >= 45, `${CASES.length} cases`);
  });
  for (const c of CASES) {
    test(c.name, () => {
      const text = Array.isArray(c.src) ? c.src.join('\n') : c.src;
      const options = { path: 'case.fs', ...c.options };
      let thrown: unknown;
      try {
        parseISF(text, options);
      } catch (e) {
        thrown = e;
      }
      assert.ok(thrown instanceof ISFError, `expected an ISFError, got ${String(thrown)}`);
      assert.equal(thrown.code, c.code, thrown.located);
      assert.equal(thrown.file, options.path);
      assert.equal(thrown.line, c.line, thrown.located);
      const col = columnFor(c, text);
      if (col !== undefined) assert.equal(thrown.column, col, thrown.located);
      if (c.message) assert.match(thrown.message, c.message);
      // validateISF reports the same error and does not throw.
      const r = validateISF(text, options);
      assert.equal(r.ok, false);
      const d = r.diagnostics.find((x: Diagnostic) => x.severity === 'error');
      assert.deepEqual([d?.code, d?.line, d?.column], [c.code, c.line, thrown.column]);
    });
  }
});

describe('hostile sizes and depths', () => {
  test('JSON nested 10,000 deep fails with ISF_JSON_TOO_DEEP quickly', () => {
    const src = `/*${'['.repeat(10000)}${']'.repeat(10000)}*/\n`;
    const objects = `/*{"a":${'{"b":'.repeat(10000)}1${'}'.repeat(10001)}*/\n`;
    assert.throws(() => parseISF(src), { code: 'ISF_JSON_TOO_DEEP', line: 1, column: 3 + 64 });
    assert.equal(validateISF(objects).diagnostics[0]?.code, 'ISF_JSON_TOO_DEEP');
    // Quickly = no slower than parsing a flat document of the same size (the depth check stops at level 65).
    const flat = `/*{"a":[${Array.from({ length: 10000 }, () => '0').join(',')}]}*/\nvoid main(){}\n`;
    assert.equal(validateISF(flat).ok, true);
    assertFasterThan(
      () => {
        validateISF(src);
        validateISF(objects);
      },
      () => validateISF(flat),
      4,
      'rejecting 10,000 levels',
    );
  });
  test('64 levels are fine, 65 are not (default limit)', () => {
    assert.doesNotThrow(() => parseISF(`/*{"a":${'['.repeat(63)}${']'.repeat(63)}}*/\n`));
    assert.throws(() => parseISF(`/*{"a":${'['.repeat(64)}${']'.repeat(64)}}*/\n`), {
      code: 'ISF_JSON_TOO_DEEP',
    });
  });
  test('a 50 MB document fails with ISF_TOO_LARGE without being read', () => {
    const src = `/*{}*/\n${'x'.repeat(50 * 1024 * 1024)}`;
    assert.throws(() => parseISF(src), { code: 'ISF_TOO_LARGE', line: 1, column: 1 });
    assert.equal(validateISF(src).diagnostics[0]?.code, 'ISF_TOO_LARGE');
    // Refusing 50 MB costs less than parsing a valid 256 KiB document: the size is checked before anything else.
    const small = `/*{}*/\nvoid main(){}\n${'// padding\n'.repeat(24 * 1024)}`;
    assertFasterThan(
      () => {
        assert.throws(() => parseISF(src), { code: 'ISF_TOO_LARGE' });
        validateISF(src);
      },
      () => parseISF(small),
      1,
      'refusing 50 MB',
    );
  });
  test('multi-byte text is measured in UTF-8 bytes', () => {
    const src = `/*{}*/\n//${'é'.repeat(600)}`; // 608 chars, 1208 bytes
    assert.throws(() => parseISF(src, { maxBytes: 1000 }), { code: 'ISF_TOO_LARGE' });
    assert.doesNotThrow(() => parseISF(src, { maxBytes: 1300 }));
  });
  test('a 10 MB valid document parses under the default 16 MiB limit, and is refused under a 8 MiB one', () => {
    const line =
      '// padding padding padding padding padding padding padding padding padding padding padding\n';
    const body = `void main() {\n  gl_FragColor = vec4(1.0);\n}\n${line.repeat(Math.ceil((10 * 1024 * 1024) / line.length))}`;
    const src = `/*{"ISFVSN": "2", "INPUTS": [{"NAME": "inputImage", "TYPE": "image"}]}*/\n${body}`;
    const doc = parseISF(src);
    assert.equal(doc.kind, 'filter');
    assert.equal(doc.fragmentBody.length, body.length);
    // Linear: 10 MB costs about 10/6 of 6 MB of the same text (both above a third of the limit, so both count
    // UTF-8 bytes); 5 x allows for GC and a busy core, not for anything quadratic.
    const six = `/*{"ISFVSN": "2", "INPUTS": [{"NAME": "inputImage", "TYPE": "image"}]}*/\n${body.slice(0, Math.floor(body.length * 0.6))}`;
    assertFasterThan(
      () => parseISF(src),
      () => parseISF(six),
      5,
      'parsing 10 MB',
    );
    assert.throws(() => parseISF(src, { maxBytes: 8 * 1024 * 1024 }), { code: 'ISF_TOO_LARGE' });
  });
});

interface WarningCase {
  name: string;
  src: string[];
  code: string;
  line: number;
  col?: number | string;
}

const WARNINGS: WarningCase[] = [
  {
    name: 'unknown top-level key',
    src: top('"AUTHOR": "me"'),
    code: 'W_UNKNOWN_KEY',
    line: 2,
    col: '"AUTHOR"',
  },
  {
    name: 'unknown input key',
    src: input('{"NAME": "a", "TYPE": "float", "STEP": 0.1}'),
    code: 'W_UNKNOWN_KEY',
    line: 3,
    col: '"STEP"',
  },
  {
    name: 'unknown pass key',
    src: pass('{"TARGET": "a", "MAIN": 1}'),
    code: 'W_UNKNOWN_KEY',
    line: 3,
    col: '"MAIN"',
  },
  {
    name: 'lowercase persistent (not honoured)',
    src: pass('{"TARGET": "a", "persistent": true}'),
    code: 'W_KEY_CASE',
    line: 3,
    col: '"persistent"',
  },
  {
    name: 'Width in the wrong case',
    src: pass('{"TARGET": "a", "Width": 10}'),
    code: 'W_KEY_CASE',
    line: 3,
    col: '"Width"',
  },
  { name: 'lowercase top-level key', src: top('"inputs": []'), code: 'W_KEY_CASE', line: 2, col: '"inputs"' },
  {
    name: 'DEFAULT above MAX',
    src: input('{"NAME": "a", "TYPE": "float", "MIN": 0, "MAX": 1, "DEFAULT": 2}'),
    code: 'W_DEFAULT_RANGE',
    line: 3,
    col: '2}',
  },
  {
    name: 'DEFAULT below the implicit MIN',
    src: input('{"NAME": "a", "TYPE": "float", "DEFAULT": -1}'),
    code: 'W_DEFAULT_RANGE',
    line: 3,
    col: '-1',
  },
  {
    name: 'VALUES/LABELS length mismatch',
    src: input('{"NAME": "a", "TYPE": "long", "VALUES": [1, 2], "LABELS": ["one"]}'),
    code: 'W_LABELS_VALUES',
    line: 3,
    col: '"VALUES"',
  },
  {
    name: 'LABELS without VALUES',
    src: input('{"NAME": "a", "TYPE": "long", "LABELS": ["one"]}'),
    code: 'W_LABELS_VALUES',
    line: 3,
    col: '"LABELS"',
  },
  {
    name: 'MIN without MAX',
    src: input('{"NAME": "a", "TYPE": "float", "MIN": 0.5}'),
    code: 'W_MINMAX_PAIR',
    line: 3,
    col: '"MIN"',
  },
  {
    name: 'inputImage of type float',
    src: input('{"NAME": "inputImage", "TYPE": "float"}'),
    code: 'W_CONVENTION_TYPE',
    line: 3,
    col: '"float"',
  },
  {
    name: 'progress of type long',
    src: input('{"NAME": "progress", "TYPE": "long"}'),
    code: 'W_CONVENTION_TYPE',
    line: 3,
    col: '"long"',
  },
  {
    name: 'color MIN ignored',
    src: input('{"NAME": "c", "TYPE": "color", "MIN": [0, 0, 0, 0]}'),
    code: 'W_IGNORED_VALUE',
    line: 3,
    col: '"MIN"',
  },
  {
    name: 'bool MAX ignored',
    src: input('{"NAME": "b", "TYPE": "bool", "MAX": 1}'),
    code: 'W_IGNORED_VALUE',
    line: 3,
    col: '"MAX"',
  },
  {
    name: 'CATEGORIES entry not a string',
    src: top('"CATEGORIES": ["Blur", 3]'),
    code: 'W_IGNORED_VALUE',
    line: 2,
    col: '3',
  },
  {
    name: 'input named after a GLSL built-in function',
    src: input('{"NAME": "inverse", "TYPE": "float"}'),
    code: 'W_DIALECT',
    line: 3,
    col: '"inverse"',
  },
  {
    name: 'code after */',
    src: ['/*{}*/ uniform float x;', 'void main(){}'],
    code: 'W_CODE_AFTER_COMMENT',
    line: 1,
    col: 'uniform',
  },
  {
    name: 'unknown expression variable',
    src: pass('{"TARGET": "a", "WIDTH": "$WIDTH * $scale"}'),
    code: 'W_UNKNOWN_VARIABLE',
    line: 3,
    col: '$scale',
  },
  {
    name: 'unknown PERSISTENT string',
    src: pass('{"TARGET": "a", "PERSISTENT": "always"}'),
    code: 'W_IGNORED_VALUE',
    line: 3,
    col: '"always"',
  },
  {
    name: 'WIDTH on a pass without TARGET',
    src: pass('{"WIDTH": 100, "FLOAT": true}'),
    code: 'W_IGNORED_VALUE',
    line: 3,
    col: '"WIDTH"',
  },
  {
    name: 'v1 buffer nobody renders into',
    src: top('"PERSISTENT_BUFFERS": ["lonely"]'),
    code: 'W_V1_CONVERTED',
    line: 2,
    col: '"lonely"',
  },
];

describe('warnings: exact code and line, document still valid', () => {
  for (const c of WARNINGS) {
    test(c.name, () => {
      const text = c.src.join('\n');
      const doc = parseISF(text, { path: 'w.fs' });
      const col = columnFor({ ...c, src: c.src }, text);
      const hit = doc.warnings.find(
        (w) => w.code === c.code && w.line === c.line && (col === undefined || w.column === col),
      );
      assert.ok(
        hit,
        `no ${c.code} at ${c.line}:${col}; got ${doc.warnings.map((w) => `${w.code}@${w.line}:${w.column}`).join(', ')}`,
      );
      assert.equal(hit.severity, 'warning');
      assert.equal(hit.file, 'w.fs');
    });
  }
});
