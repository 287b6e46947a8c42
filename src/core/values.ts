/**
 * Type-aware coercion of input values, shared by `Scene.setValue` and the CLI's `--set name=value`.
 *
 * Values are checked at the call (sharp's "validate now, execute at output"), so a bad value never reaches
 * a render. Every error names the input, what was expected and what was received.
 */
import type { ISFInput, Vec2, Vec3, Vec4 } from './document.ts';
import { describeValue, ISFError } from './errors.ts';

/** The value of a scalar input as the renderer stores it. */
export type InputValue = boolean | number | Vec2 | Vec3 | Vec4;

function fail(input: ISFInput, expected: string, value: unknown): ISFError {
  return new ISFError(
    'INPUT_VALUE',
    `Expected ${expected} for ${input.type} input "${input.name}" but received ${describeValue(value)}`,
  );
}

function finiteNumber(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function numberList(input: ISFInput, value: unknown, lengths: number[], expected: string): number[] {
  if (!Array.isArray(value) && !ArrayBuffer.isView(value)) throw fail(input, expected, value);
  const list = Array.from(value as ArrayLike<unknown>);
  if (!lengths.includes(list.length) || list.some((x) => finiteNumber(x) === undefined)) {
    throw fail(input, expected, value);
  }
  return list as number[];
}

/** Parses `#rgb`, `#rgba`, `#rrggbb` or `#rrggbbaa` into 0..1 floats. */
export function parseHexColor(text: string): Vec4 | undefined {
  const m = /^#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})$/i.exec(text.trim());
  if (!m) return undefined;
  let hex = m[1]!;
  if (hex.length <= 4) hex = [...hex].map((c) => c + c).join('');
  if (hex.length === 6) hex += 'ff';
  const out: number[] = [];
  for (let i = 0; i < 8; i += 2) out.push(Number.parseInt(hex.slice(i, i + 2), 16) / 255);
  return out as Vec4;
}

/**
 * Coerces a JS value to what `input` holds. Accepted forms:
 * - bool/event: boolean, 0/1 (any number: non-zero is true)
 * - long: an integer that is one of VALUES (when the input has VALUES), or a label string from LABELS
 * - float: a finite number (not clamped: hosts may drive shaders past MIN/MAX on purpose)
 * - point2D: [x, y]; point3D: [x, y, z]; point4D: [x, y, z, w]
 * - color: [r, g, b] (alpha 1) or [r, g, b, a], or "#rrggbb" / "#rrggbbaa" / "#rgb"
 */
export function coerceInputValue(input: ISFInput, value: unknown): InputValue {
  switch (input.type) {
    case 'event':
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (finiteNumber(value) !== undefined) return (value as number) !== 0;
      throw fail(input, 'a boolean (or 0/1)', value);
    case 'long': {
      if (typeof value === 'string' && input.labels) {
        const i = input.labels.indexOf(value);
        if (i >= 0) return input.values![i]!;
        throw fail(
          input,
          `one of the labels ${input.labels.map((l) => JSON.stringify(l)).join(', ')}`,
          value,
        );
      }
      if (typeof value === 'boolean') return value ? 1 : 0;
      const n = finiteNumber(value);
      if (n === undefined || !Number.isInteger(n)) {
        throw fail(
          input,
          input.values ? `one of the values ${input.values.join(', ')}` : 'an integer',
          value,
        );
      }
      if (input.values && !input.values.includes(n)) {
        const choices = input.values.map((v, i) => `${v} (${input.labels?.[i] ?? v})`).join(', ');
        throw fail(input, `one of the values ${choices}`, value);
      }
      return n;
    }
    case 'float': {
      const n = finiteNumber(value);
      if (n === undefined) throw fail(input, 'a finite number', value);
      return n;
    }
    case 'point2D': {
      const [x, y] = numberList(input, value, [2], 'an array of 2 numbers [x, y]');
      return [x!, y!];
    }
    case 'point3D': {
      const [x, y, z] = numberList(input, value, [3], 'an array of 3 numbers [x, y, z]');
      return [x!, y!, z!];
    }
    case 'point4D': {
      const [x, y, z, w] = numberList(input, value, [4], 'an array of 4 numbers [x, y, z, w]');
      return [x!, y!, z!, w!];
    }
    case 'color': {
      if (typeof value === 'string') {
        const c = parseHexColor(value);
        if (!c) throw fail(input, 'a colour as "#rrggbb", "#rrggbbaa" or [r, g, b(, a)] in 0..1', value);
        return c;
      }
      const c = numberList(input, value, [3, 4], 'an array of 3 or 4 numbers [r, g, b(, a)] in 0..1');
      return [c[0]!, c[1]!, c[2]!, c[3] ?? 1];
    }
    default:
      throw new ISFError(
        'INPUT_VALUE',
        `Input "${input.name}" is of type ${input.type}: set it with setImage()/setAudio(), not setValue()`,
      );
  }
}

/**
 * Parses the text form used on the command line (`--set name=value`) by the input's type:
 * `flag=true|false|1|0`, `mode=Label` or `mode=2`, `amount=0.5`, `center=0.5,0.5`, `color=#ff8800` or `color=1,0.5,0,1`.
 */
export function parseInputValueText(input: ISFInput, text: string): InputValue {
  const t = text.trim();
  switch (input.type) {
    case 'event':
    case 'bool':
      if (/^(true|yes|on|1)$/i.test(t)) return true;
      if (/^(false|no|off|0)$/i.test(t)) return false;
      throw fail(input, 'true/false (or 1/0)', text);
    case 'long':
      // A number, else a label (the error then lists the labels, or says an integer was expected).
      return coerceInputValue(input, t !== '' && Number.isFinite(Number(t)) ? Number(t) : t);
    case 'float':
      return coerceInputValue(input, t === '' ? Number.NaN : Number(t));
    case 'point2D':
    case 'point3D':
    case 'point4D':
    case 'color':
      if (t.startsWith('#')) return coerceInputValue(input, t);
      return coerceInputValue(
        input,
        t.split(',').map((s) => (s.trim() === '' ? Number.NaN : Number(s))),
      );
    default:
      return coerceInputValue(input, text);
  }
}

/** The value an input starts with (its normalised DEFAULT); undefined for sampler inputs. */
export function defaultInputValue(input: ISFInput): InputValue | undefined {
  switch (input.type) {
    case 'event':
      return false;
    case 'bool':
    case 'long':
    case 'float':
      return input.default;
    case 'point2D':
      return [...input.default] as Vec2;
    case 'point3D':
      return [...input.default] as Vec3;
    case 'point4D':
      return [...input.default] as Vec4;
    case 'color':
      return [...input.default] as Vec4;
    default:
      return undefined;
  }
}
