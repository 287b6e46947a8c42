import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseISF } from '../../src/core/parse/index.ts';
import { parseAnimateSpec, timelineFromJson, timelineValuesAt, valueAt } from '../../src/core/timeline.ts';
import { assertISFError } from '../helpers.ts';

const doc = parseISF(
  `/*{ "ISFVSN": "2", "INPUTS": [
  { "NAME": "amount", "TYPE": "float", "DEFAULT": 0, "MIN": -10, "MAX": 10 },
  { "NAME": "center", "TYPE": "point2D", "DEFAULT": [0.5, 0.5] },
  { "NAME": "tint", "TYPE": "color", "DEFAULT": [1, 1, 1, 1] },
  { "NAME": "flag", "TYPE": "bool", "DEFAULT": false },
  { "NAME": "mode", "TYPE": "long", "VALUES": [0, 1, 2], "LABELS": ["A", "B", "C"], "DEFAULT": 0 },
  { "NAME": "inputImage", "TYPE": "image" }
] }*/
void main() { gl_FragColor = vec4(amount); }`,
  { path: '/tmp/t.fs' },
);

const at = (spec: string, t: number) => {
  const { name, keys } = parseAnimateSpec(doc, spec);
  return timelineValuesAt(doc, { [name]: keys }, t)[name];
};

describe('keyframes', () => {
  test('values at, between and beyond keys are exact (linear)', () => {
    const spec = 'amount=0@0 1@2 -3@4';
    assert.equal(at(spec, 0), 0);
    assert.equal(at(spec, 1), 0.5);
    assert.equal(at(spec, 2), 1);
    assert.equal(at(spec, 3), -1);
    assert.equal(at(spec, 4), -3);
    assert.equal(at(spec, 100), -3, 'after the last key the last value holds');
    assert.equal(at('amount=5@1 6@2', 0), 5, 'before the first key the first value holds');
  });

  test('points and colours interpolate per component; #hex keys', () => {
    assert.deepEqual(at('center=0.1,0.1@0 0.9,0.5@4', 2), [0.5, 0.30000000000000004]);
    const c = at('tint=#ff0000@0 #0000ff@2', 1) as number[];
    assert.deepEqual(c, [0.5, 0, 0.5, 1]);
  });

  test('bool and long hold the last key', () => {
    assert.equal(at('flag=false@0 true@1 false@2', 0.99), false);
    assert.equal(at('flag=false@0 true@1 false@2', 1), true);
    assert.equal(at('flag=false@0 true@1 false@2', 1.5), true);
    assert.equal(at('mode=A@0 C@1', 0.9), 0);
    assert.equal(at('mode=A@0 C@1', 1.2), 2, 'labels as values');
  });

  test('easing is monotonic and meets the keys; ease-in starts slower than linear, ease-out faster', () => {
    for (const easing of ['ease-in', 'ease-out', 'ease-in-out', 'linear']) {
      const spec = `amount=0@0 1@1:${easing}`;
      let previous = -1;
      for (let k = 0; k <= 20; k++) {
        const v = at(spec, k / 20) as number;
        assert.ok(v >= previous, `${easing} is monotonic at ${k / 20}`);
        previous = v;
      }
      assert.equal(at(spec, 0), 0);
      assert.equal(at(spec, 1), 1);
    }
    assert.ok((at('amount=0@0 1@1:ease-in', 0.25) as number) < 0.25);
    assert.ok((at('amount=0@0 1@1:ease-out', 0.25) as number) > 0.25);
    assert.equal(at('amount=0@0 1@1:ease-in-out', 0.5), 0.5);
    assert.equal(at('amount=0@0 1@1:step', 0.99), 0);
  });

  test('a timeline file gives the same values as the text form', () => {
    const tl = timelineFromJson(doc, {
      amount: [
        [0, 0],
        [2, 1, 'ease-in'],
      ],
      tint: [
        { time: 0, value: '#ff0000' },
        { time: 2, value: [0, 0, 1, 1] },
      ],
    });
    const v = timelineValuesAt(doc, tl, 1);
    assert.equal(v.amount, at('amount=0@0 1@2:ease-in', 1));
    assert.deepEqual(v.tint, [0.5, 0, 0.5, 1]);
    assert.equal(valueAt(tl.amount!, 2, true), 1);
  });

  test('bad specs are typed errors that say what is wrong', () => {
    const bad = (spec: string, code: string, re: RegExp) =>
      assert.throws(
        () => parseAnimateSpec(doc, spec),
        (e) => assertISFError(e, code, re),
      );
    bad('nope=0@0', 'INPUT_UNKNOWN', /no such input/);
    bad('__proto__=0@0', 'INPUT_UNKNOWN', /no such input/);
    bad('inputImage=0@0', 'BAD_ARGUMENT', /image input cannot be animated/);
    bad('amount=0@0 1', 'BAD_ARGUMENT', /not VALUE@SECONDS/);
    bad('amount=0@x', 'BAD_ARGUMENT', /not a number of seconds/);
    bad('amount=0@0 1@0', 'BAD_ARGUMENT', /two keys at 0/);
    bad('amount=0@0 1@1:bouncy', 'BAD_ARGUMENT', /unknown easing "bouncy"/);
    bad('amount=abc@0', 'INPUT_VALUE', /amount/);
    bad('amount', 'BAD_ARGUMENT', /name=V0@T0/);
    assert.throws(
      () => timelineFromJson(doc, [1]),
      (e) => assertISFError(e, 'BAD_ARGUMENT', /JSON object/),
    );
  });
});
