import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateShaders } from '../../src/core/glsl/index.ts';
import { parseISF } from '../../src/core/parse/index.ts';

function warningsOf(body: string) {
  const doc = parseISF(`/*{ "ISFVSN": "2" }*/\n${body}`, { path: 'loop.fs' });
  return generateShaders(doc).warnings.filter((w) => w.code === 'W_LONG_LOOP');
}

test('W_LONG_LOOP flags loops llvmpipe will cut short, with their line', () => {
  const long = warningsOf(
    'void main() {\n  float x = 0.0;\n  for (int i = 0; i < 1000000; i++) { x += 1.0; }\n  gl_FragColor = vec4(x);\n}\n',
  );
  assert.equal(long.length, 1);
  assert.equal(long[0]!.line, 4, 'line in the .fs (the JSON comment is line 1)');
  assert.match(long[0]!.message, /1000000 iterations.*llvmpipe/);
  const forever = warningsOf(
    'void main() {\n  float x = 0.0;\n  while (true) { x += 1.0; if (x > 5.0) break; }\n  gl_FragColor = vec4(x);\n}\n',
  );
  assert.equal(forever.length, 1);
  assert.match(forever[0]!.message, /while \(true\)/);
});

test('W_LONG_LOOP leaves ordinary loops alone', () => {
  assert.deepEqual(
    warningsOf(
      'void main() {\n  float x = 0.0;\n  for (int i = 0; i < 64; i++) x += 1.0;\n  gl_FragColor = vec4(x);\n}\n',
    ),
    [],
  );
  assert.deepEqual(
    warningsOf('// for (int i = 0; i < 1000000; i++)\nvoid main() { gl_FragColor = vec4(1.0); }\n'),
    [],
  );
});
