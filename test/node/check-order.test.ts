/**
 * A shader check reports its diagnostics as the file reads: parse warnings (the JSON header) and GLSL warnings
 * (found pass by pass: loops before conversions) merged by line and column, an included file's after the shader's.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { inReadingOrder } from '../../src/core/errors.ts';
import { checkShaderFile } from '../../src/node/isolate/check.ts';

const dir = mkdtempSync(join(tmpdir(), 'isf-check-order-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('checkShaderFile: warnings of every stage in line order', async () => {
  const file = join(dir, 'order.fs');
  writeFileSync(
    file,
    [
      '/*{ "ISFVSN": "2", "ISF_VERSION": "2" }*/',
      'void main() {',
      '  float x = 1;',
      '  for (int i = 0; i < 1000000; i++) { x += 1.0; }',
      '  gl_FragColor = vec4(x);',
      '}',
      '',
    ].join('\n'),
  );
  const report = await checkShaderFile(file);
  assert.equal(report.ok, true);
  assert.deepEqual(
    report.warnings.map((w) => [w.code, w.line, w.column]),
    [
      ['W_UNKNOWN_KEY', 1, 20],
      ['W_IMPLICIT_CONVERSION', 3, 13],
      ['W_LONG_LOOP', 4, 3],
    ],
  );
});

test('inReadingOrder: the main file first, other files as they first appear, stable at one place', () => {
  const d = (file: string | undefined, line: number, column: number, message: string) => ({
    severity: 'warning' as const,
    code: 'W_HEADER' as const,
    message,
    ...(file === undefined ? {} : { file }),
    line,
    column,
  });
  const sorted = inReadingOrder(
    [
      d('lib.glsl', 1, 1, 'lib first line'),
      d('main.fs', 9, 1, 'main late'),
      d('main.fs', 2, 5, 'main early b'),
      d('main.fs', 2, 5, 'main early c'),
      d(undefined, 3, 1, 'no file'),
      d('other.glsl', 1, 1, 'other'),
      d('main.fs', 2, 1, 'main early a'),
    ],
    'main.fs',
  );
  assert.deepEqual(
    sorted.map((x) => x.message),
    ['main early a', 'main early b', 'main early c', 'no file', 'main late', 'lib first line', 'other'],
  );
});
