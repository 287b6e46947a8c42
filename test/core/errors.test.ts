import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ISFError, invalidParameter } from '../../src/core/errors.ts';

test('ISFError carries code and location and formats it', () => {
  const e = new ISFError('ISF_JSON_SYNTAX', 'Unexpected token', { file: 'a.fs', line: 3, column: 7 });
  assert.equal(e.code, 'ISF_JSON_SYNTAX');
  assert.equal(e.located, 'a.fs:3:7: Unexpected token');
  assert.ok(e instanceof Error);
  assert.deepEqual(e.toDiagnostic(), {
    severity: 'error',
    code: 'ISF_JSON_SYNTAX',
    message: 'Unexpected token',
    file: 'a.fs',
    line: 3,
    column: 7,
  });
});

test('invalidParameter words messages the sharp way', () => {
  const e = invalidParameter('width', 'a positive integer', -3);
  assert.equal(e.code, 'BAD_ARGUMENT');
  assert.equal(e.message, 'Expected a positive integer for width but received -3 of type number');
});
