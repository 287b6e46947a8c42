/** Pass planning without GL: sizes from WIDTH/HEIGHT expressions and input values, clamping and limits. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ISFPass } from '../../src/core/document.ts';
import { compileExpression } from '../../src/core/expr/index.ts';
import { parseISF } from '../../src/core/parse/index.ts';
import { checkRenderSize, planFrame } from '../../src/render/pass-plan.ts';
import { assertISFError } from '../helpers.ts';

const doc = parseISF(
  `/*{ "INPUTS": [ { "NAME": "q", "TYPE": "float", "DEFAULT": 0.5 } ],
  "PASSES": [ { "TARGET": "small", "WIDTH": "floor($WIDTH * $q)", "HEIGHT": "$HEIGHT / 16.0", "FLOAT": true }, {} ] }*/
void main() { gl_FragColor = vec4(1.0); }
`,
  { path: 'plan.fs' },
);
const sizes = new Map<
  ISFPass,
  { w?: ReturnType<typeof compileExpression>; h?: ReturnType<typeof compileExpression> }
>(
  doc.passes.map((p) => [
    p,
    {
      w: p.width ? compileExpression(p.width) : undefined,
      h: p.height ? compileExpression(p.height) : undefined,
    },
  ]),
);

function plan(width: number, height: number, q: number, limits = {}, maxSize = 16384) {
  return planFrame({
    doc,
    width,
    height,
    maxSize,
    limits,
    sizes,
    values: new Map([['q', q]]),
    floatBytesPerPixel: 16,
  });
}

test('pass sizes follow the expressions and the current input values', () => {
  const p = plan(320, 180, 0.5);
  assert.deepEqual(
    p.passes.map((x) => [x.width, x.height, x.float]),
    [
      [160, 11, true],
      [320, 180, false],
    ],
  );
  assert.equal(plan(320, 180, 0.25).passes[0]!.width, 80);
  assert.equal(plan(320, 180, 0).passes[0]!.width, 1, 'sizes below 1 become 1, as in VVISF');
});

test('oversized passes are clamped, or refused with strictPassSizes; frame bytes are limited', () => {
  assert.equal(plan(320, 180, 1e6, {}, 4096).passes[0]!.width, 4096);
  assert.throws(
    () => plan(320, 180, 1e6, { strictPassSizes: true }, 4096),
    (e) =>
      assertISFError(
        e,
        'SIZE_OUT_OF_RANGE',
        /WIDTH of pass "small" in plan evaluates to 320000000 .* largest allowed is 4096/,
      ),
  );
  assert.throws(
    () => plan(4000, 4000, 1, { maxFrameBytes: 64 * 1024 ** 2 }),
    (e) =>
      assertISFError(e, 'LIMIT_EXCEEDED', /plan would need .* MiB of pass targets for a 4000x4000 frame/),
  );
});

test('render sizes: positive integers within the context maximum', () => {
  assert.doesNotThrow(() => checkRenderSize(1, 1, 8));
  for (const bad of [0, -3, 1.5, Number.NaN, '64']) {
    assert.throws(
      () => checkRenderSize(bad, 8, 8),
      (e) => assertISFError(e, 'SIZE_OUT_OF_RANGE', /positive integer render width/),
    );
  }
  assert.throws(
    () => checkRenderSize(8, 9, 8),
    (e) => assertISFError(e, 'SIZE_OUT_OF_RANGE', /height 9 is larger than .* maximum of 8/),
  );
});
