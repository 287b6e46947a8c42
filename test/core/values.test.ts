import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ISFInput } from '../../src/core/document.ts';
import { ISFError } from '../../src/core/errors.ts';
import {
  coerceInputValue,
  defaultInputValue,
  parseHexColor,
  parseInputValueText,
} from '../../src/core/values.ts';

const color: ISFInput = { name: 'tint', type: 'color', default: [1, 0, 0, 1] };
const point: ISFInput = { name: 'center', type: 'point2D', default: [0.5, 0.5] };
const flag: ISFInput = { name: 'flag', type: 'bool', default: true };
const amount: ISFInput = { name: 'amount', type: 'float', default: 0.5, min: 0, max: 1 };
const mode: ISFInput = {
  name: 'mode',
  type: 'long',
  default: 1,
  values: [0, 1, 2],
  labels: ['Off', 'Soft', 'Hard'],
  min: 0,
  max: 2,
};
const count: ISFInput = { name: 'count', type: 'long', default: 3 };
const img: ISFInput = { name: 'inputImage', type: 'image' };

function throwsCode(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ISFError, `expected ISFError, got ${e}`);
    assert.equal(e.code, code);
    if (message) assert.match(e.message, message);
    return true;
  });
}

test('colours: 3 or 4 numbers, or hex', () => {
  assert.deepEqual(coerceInputValue(color, [0.1, 0.2, 0.3]), [0.1, 0.2, 0.3, 1]);
  assert.deepEqual(coerceInputValue(color, [0.1, 0.2, 0.3, 0.4]), [0.1, 0.2, 0.3, 0.4]);
  assert.deepEqual(coerceInputValue(color, '#ff8800'), [1, 0x88 / 255, 0, 1]);
  assert.deepEqual(parseHexColor('#0f08'), [0, 1, 0, 0x88 / 255]);
  assert.equal(parseHexColor('ff8800'), undefined);
  throwsCode(() => coerceInputValue(color, [1, 2]), 'INPUT_VALUE', /color input "tint".*array of length 2/);
  throwsCode(() => coerceInputValue(color, '#ggg'), 'INPUT_VALUE', /"#ggg"/);
  throwsCode(() => coerceInputValue(color, [1, Number.NaN, 0]), 'INPUT_VALUE');
});

test('points, bools, floats', () => {
  assert.deepEqual(coerceInputValue(point, [3, 4]), [3, 4]);
  throwsCode(() => coerceInputValue(point, [1, 2, 3]), 'INPUT_VALUE', /\[x, y\]/);
  assert.equal(coerceInputValue(flag, 0), false);
  assert.equal(coerceInputValue(flag, 1), true);
  assert.equal(coerceInputValue(flag, false), false);
  throwsCode(() => coerceInputValue(flag, 'yes'), 'INPUT_VALUE', /boolean/);
  assert.equal(coerceInputValue(amount, 2.5), 2.5, 'floats are not clamped');
  throwsCode(() => coerceInputValue(amount, Number.POSITIVE_INFINITY), 'INPUT_VALUE', /finite number/);
  throwsCode(() => coerceInputValue(amount, '0.5'), 'INPUT_VALUE');
});

test('longs: by value or by label, only listed values', () => {
  assert.equal(coerceInputValue(mode, 2), 2);
  assert.equal(coerceInputValue(mode, 'Hard'), 2);
  throwsCode(
    () => coerceInputValue(mode, 5),
    'INPUT_VALUE',
    /one of the values 0 \(Off\), 1 \(Soft\), 2 \(Hard\)/,
  );
  throwsCode(() => coerceInputValue(mode, 'Loud'), 'INPUT_VALUE', /labels "Off", "Soft", "Hard"/);
  assert.equal(coerceInputValue(count, 7), 7);
  throwsCode(() => coerceInputValue(count, 1.5), 'INPUT_VALUE', /integer/);
});

test('image inputs are not set through values', () => {
  throwsCode(() => coerceInputValue(img, 1), 'INPUT_VALUE', /setImage/);
  assert.equal(defaultInputValue(img), undefined);
});

test('command-line text forms', () => {
  assert.deepEqual(parseInputValueText(color, '#ff8800'), [1, 0x88 / 255, 0, 1]);
  assert.deepEqual(parseInputValueText(color, '1,0.5,0,1'), [1, 0.5, 0, 1]);
  assert.deepEqual(parseInputValueText(point, '0.5, 0.25'), [0.5, 0.25]);
  assert.equal(parseInputValueText(mode, 'Soft'), 1);
  assert.equal(parseInputValueText(mode, '2'), 2);
  assert.equal(parseInputValueText(flag, 'true'), true);
  assert.equal(parseInputValueText(flag, 'off'), false);
  assert.equal(parseInputValueText(amount, '0.75'), 0.75);
  throwsCode(() => parseInputValueText(amount, ''), 'INPUT_VALUE');
  throwsCode(() => parseInputValueText(point, '1,'), 'INPUT_VALUE');
  throwsCode(() => parseInputValueText(flag, 'maybe'), 'INPUT_VALUE', /true\/false/);
});
