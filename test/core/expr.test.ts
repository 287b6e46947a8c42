import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ISFError } from '../../src/core/errors.ts';
import { compileExpression, evaluateSize } from '../../src/core/expr/index.ts';

const ev = (src: string, vars: Record<string, number> = {}): number => compileExpression(src).evaluate(vars);

function expectError(src: string, column: number, pattern: RegExp): void {
  assert.throws(
    () => compileExpression(src),
    (e: unknown) => {
      assert.ok(e instanceof ISFError, `not an ISFError: ${String(e)}`);
      assert.equal(e.code, 'ISF_EXPRESSION');
      assert.equal(e.details.expressionColumn, column, e.message);
      assert.match(e.message, pattern);
      assert.match(e.message, new RegExp(`at column ${column}\\b`));
      return true;
    },
  );
}

describe('expression arithmetic', () => {
  test('numbers in every JSON-ish spelling', () => {
    assert.equal(ev('1e3'), 1000);
    assert.equal(ev('.5'), 0.5);
    assert.equal(ev('2.'), 2);
    assert.equal(ev('1.5e-1'), 0.15);
    assert.equal(ev('  42\t'), 42);
  });
  test('precedence and associativity', () => {
    assert.equal(ev('1 + 2 * 3'), 7);
    assert.equal(ev('(1 + 2) * 3'), 9);
    assert.equal(ev('10 - 4 - 3'), 3);
    assert.equal(ev('64 / 4 / 2'), 8);
    assert.equal(ev('2 ^ 3 ^ 2'), 512);
    assert.equal(ev('-2 ^ 2'), -4);
    assert.equal(ev('2 ^ -1'), 0.5);
    assert.equal(ev('7 % 4'), 3);
    assert.equal(ev('-7 % 4'), -3);
    assert.equal(ev('--3'), 3);
    assert.equal(ev('+3'), 3);
    assert.equal(ev('1 + 2 < 4'), 1);
  });
  test('comparisons and logic yield 1 or 0', () => {
    assert.deepEqual(
      ['1 < 2', '2 <= 2', '3 > 4', '4 >= 5', '2 == 2', '2 != 2', '2 = 2', '2 <> 3'].map((s) => ev(s)),
      [1, 1, 0, 0, 1, 0, 1, 1],
    );
    assert.deepEqual(
      ['1 && 0', '1 || 0', '!0', '!5', '1 and 1', '0 or 0', 'not 1', 'NOT 0'].map((s) => ev(s)),
      [0, 1, 1, 0, 1, 0, 0, 1],
    );
  });
  test('ternary, nested to the right', () => {
    assert.equal(ev('1 ? 10 : 20'), 10);
    assert.equal(ev('0 ? 10 : 20'), 20);
    assert.equal(ev('0 ? 1 : 0 ? 2 : 3'), 3);
    assert.equal(ev('WIDTH > 100 ? WIDTH / 2 : WIDTH', { WIDTH: 640 }), 320);
  });
  test('functions', () => {
    const cases: Array<[string, number]> = [
      ['abs(-3)', 3],
      ['ceil(1.2)', 2],
      ['floor(-1.2)', -2],
      ['round(2.5)', 3],
      ['round(-2.5)', -3],
      ['trunc(-1.7)', -1],
      ['min(3, 1, 2)', 1],
      ['max(3, 1, 2)', 3],
      ['avg(1, 2, 3, 6)', 3],
      ['sum(1, 2, 3)', 6],
      ['clamp(5, 0, 3)', 3],
      ['clamp(0, 5, 3)', 3],
      ['pow(2, 10)', 1024],
      ['sqrt(16)', 4],
      ['exp(0)', 1],
      ['log(1)', 0],
      ['log2(8)', 3],
      ['log10(1000)', 3],
      ['sin(0)', 0],
      ['cos(0)', 1],
      ['tan(0)', 0],
      ['asin(0)', 0],
      ['acos(1)', 0],
      ['atan(0)', 0],
      ['atan2(0, 1)', 0],
      ['hypot(3, 4)', 5],
      ['frac(2.25)', 0.25],
      ['sgn(-4)', -1],
      ['sign(0)', 0],
      ['mod(7, 3)', 1],
      ['if(1, 2, 3)', 2],
      ['FLOOR(2.5)', 2],
    ];
    for (const [src, want] of cases) assert.equal(ev(src), want, src);
  });
  test('the corpus expressions', () => {
    const vars = { WIDTH: 1920, HEIGHT: 1080, trailCount: 12, buffQuality: 0.5 };
    assert.equal(ev('floor($WIDTH/4.0)', vars), 480);
    assert.equal(ev('max(floor($WIDTH*0.02),1.0)', vars), 38);
    assert.equal(ev('max(8.0,floor($WIDTH*$buffQuality))', vars), 960);
    assert.equal(ev('$trailCount', vars), 12);
    assert.equal(ev('$HEIGHT / 3.0', vars), 360);
  });
});

describe('expression variables', () => {
  test('every $ is stripped, not only the first (VVISF, unlike the JS renderer)', () => {
    const e = compileExpression('$WIDTH + $WIDTH + $W$IDTH + $$HEIGHT');
    assert.deepEqual(e.variables, ['WIDTH', 'HEIGHT']);
    assert.equal(e.evaluate({ WIDTH: 10, HEIGHT: 1 }), 31);
  });
  test('bare names, first-use order, unknown names are 0', () => {
    const e = compileExpression('b + a * b + c');
    assert.deepEqual(e.variables, ['b', 'a', 'c']);
    assert.equal(e.evaluate({ a: 2, b: 3 }), 9);
  });
  test('lookup falls back to case-insensitive (exprtk symbols are)', () => {
    assert.equal(ev('$width / 2', { WIDTH: 100 }), 50);
    assert.equal(ev('Width', { WIDTH: 100, Width: 7 }), 7);
  });
  test('pi and e are not constants (VVISF has none)', () => {
    assert.deepEqual(compileExpression('pi * e').variables, ['pi', 'e']);
    assert.equal(ev('pi + 1'), 1);
  });
  test('prototype names are not read from Object.prototype', () => {
    assert.equal(ev('constructor + toString + __proto__'), 0);
  });
});

describe('expression errors', () => {
  test('errors name the problem and the 1-based column', () => {
    expectError('$WIDTH/', 8, /unexpected end of expression/);
    expectError('floor(', 7, /unexpected end of expression/);
    expectError('1 +* 2', 4, /unexpected "\*"/);
    expectError('foo(1)', 1, /unknown function "foo"/);
    expectError('', 1, /empty expression/);
    expectError('   ', 4, /empty expression/);
    expectError('1 2', 3, /after a complete expression/);
    expectError('(1 + 2', 7, /expected "\)" to close the "\(" at column 1/);
    expectError('1 + 2)', 6, /unexpected "\)"/);
    expectError('1e', 1, /malformed number/);
    expectError('1.2.3', 1, /malformed number/);
    expectError('2x', 1, /malformed number/);
    expectError('min()', 1, /min\(\) takes at least 1 argument/);
    expectError('pow(1)', 1, /pow\(\) takes 2 arguments but got 1/);
    expectError('1 ? 2', 6, /expected ":"/);
    expectError('max(1,,2)', 7, /unexpected ","/);
    expectError('$WIDTH # 2', 8, /unexpected character "#"/);
    expectError('"512"', 1, /unexpected character/);
  });
  test('columns count the $ signs the user wrote', () => {
    expectError('$WIDTH * $HEIGHT +', 19, /unexpected end/);
    expectError('$A $B', 5, /"B" after a complete expression/);
  });
  test('pathological input fails cleanly, never with a stack overflow', () => {
    expectError(`${'('.repeat(300)}1${')'.repeat(300)}`, 257, /nesting deeper than 256/);
    expectError(`${'-'.repeat(1000)}1`, 257, /nesting deeper than 256/);
    expectError(`${'2^'.repeat(1000)}2`, 514, /nesting deeper than 256/);
    expectError(`${'1?'.repeat(1000)}1`, 514, /nesting deeper/);
    expectError(`${'max('.repeat(300)}1${')'.repeat(300)}`, 1025, /nesting deeper/);
    expectError('1+'.repeat(3000), 1, /6000 characters long, the limit is 4096/);
    const deepButFine = `${'('.repeat(200)}1${')'.repeat(200)}`;
    assert.equal(ev(deepButFine), 1);
    // A long flat chain is fine (2000 terms, iterative parse).
    assert.equal(ev(`${'1+'.repeat(2000)}1`), 2001);
  });
  test('compileExpression never uses eval: an injection attempt is just a syntax error', () => {
    assert.throws(() => compileExpression('process.exit(1)'), { code: 'ISF_EXPRESSION' });
    assert.throws(() => compileExpression('this.constructor'), { code: 'ISF_EXPRESSION' });
  });
});

describe('evaluateSize (VVISF size policy)', () => {
  const size = (src: string | undefined, vars: Record<string, number> = {}, fallback = 640) =>
    evaluateSize(src === undefined ? undefined : compileExpression(src), vars, fallback);
  test('no expression → the fallback', () => {
    assert.deepEqual(size(undefined), { value: 640, raw: 640 });
  });
  test('truncates toward zero and keeps the raw value', () => {
    assert.deepEqual(size('$WIDTH / 3', { WIDTH: 100 }), { value: 33, raw: 100 / 3 });
    assert.deepEqual(size('7.99'), { value: 7, raw: 7.99 });
  });
  test('NaN → 1, <= 0 → 1', () => {
    const nan = size('0/0');
    assert.equal(nan.value, 1);
    assert.ok(Number.isNaN(nan.raw));
    assert.deepEqual(size('0.5'), { value: 1, raw: 0.5 });
    assert.deepEqual(size('-20'), { value: 1, raw: -20 });
    assert.deepEqual(size('0'), { value: 1, raw: 0 });
  });
  test('±Infinity → Infinity so the caller refuses it; no upper clamp here', () => {
    assert.deepEqual(size('1/0'), { value: Number.POSITIVE_INFINITY, raw: Number.POSITIVE_INFINITY });
    assert.deepEqual(size('-1/0'), { value: Number.POSITIVE_INFINITY, raw: Number.NEGATIVE_INFINITY });
    assert.deepEqual(size('1e9'), { value: 1e9, raw: 1e9 });
  });
});
