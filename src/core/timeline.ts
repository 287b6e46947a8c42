/**
 * Animated inputs: keyframes per input, evaluated at a frame's TIME. Pure and deterministic, so a frame's values
 * are the same wherever it renders (one thread, workers, the farm, an isolated child).
 *
 * - Text form (`--animate "amount=0@0 1@2:ease-in-out"`): space-separated `VALUE@SECONDS[:EASING]`, values in
 *   `--set`'s syntax for the input's type (`0.1,0.1`, `#ff0000`, `Label`, `true`).
 * - File form (`--timeline file.json`): `{ "amount": [[0, 0], [2, 1, "ease-in-out"]], "tint": [{ "time": 0,
 *   "value": "#ff0000" }, ...] }`, values as JSON (numbers, arrays, strings in the text syntax).
 * - float, point2D/3D/4D and color interpolate linearly between keys (component-wise); bool, long and event hold
 *   the last key's value. Before the first key the first value holds; after the last, the last.
 * - A key's easing shapes the segment that arrives at it (`1@2:ease-in` eases into the key at 2 s):
 *   linear (default), ease-in (t²), ease-out (1-(1-t)²), ease-in-out (smoothstep 3t²-2t³), step (hold until the key).
 */
import type { ISFDocument, ISFInput } from './document.ts';
import { ISFError } from './errors.ts';
import { coerceInputValue, type InputValue, parseInputValueText } from './values.ts';

export type Easing = 'linear' | 'ease-in' | 'ease-out' | 'ease-in-out' | 'step';
const EASINGS: readonly Easing[] = ['linear', 'ease-in', 'ease-out', 'ease-in-out', 'step'];

export interface Keyframe {
  time: number;
  value: InputValue;
  easing: Easing;
}

/** Keyframes by input name, each list sorted by time. */
export type Timeline = Record<string, Keyframe[]>;

const INTERPOLATED = new Set(['float', 'point2D', 'point3D', 'point4D', 'color']);
const ANIMATABLE = new Set([...INTERPOLATED, 'bool', 'long', 'event']);

function badKey(name: string, message: string): ISFError {
  return new ISFError('BAD_ARGUMENT', `animation of "${name}": ${message}`);
}

function animatableInput(doc: ISFDocument, name: string): ISFInput {
  const input = doc.inputs.find((i) => i.name === name);
  if (!input) {
    throw new ISFError(
      'INPUT_UNKNOWN',
      `cannot animate "${name}": ${doc.name} has no such input (inputs: ${doc.inputs.map((i) => i.name).join(', ') || 'none'})`,
    );
  }
  if (!ANIMATABLE.has(input.type)) throw badKey(name, `a ${input.type} input cannot be animated`);
  return input;
}

function parseEasing(name: string, text: string | undefined): Easing {
  if (text === undefined || text === '') return 'linear';
  if ((EASINGS as readonly string[]).includes(text)) return text as Easing;
  throw badKey(name, `unknown easing "${text}" (use ${EASINGS.join(', ')})`);
}

function parseTime(name: string, text: string): number {
  const t = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(t) || t < 0) throw badKey(name, `key time "${text}" is not a number of seconds >= 0`);
  return t;
}

function sortedKeys(name: string, keys: Keyframe[]): Keyframe[] {
  if (keys.length === 0) throw badKey(name, 'no keyframes');
  const sorted = [...keys].sort((a, b) => a.time - b.time);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.time === sorted[i - 1]!.time) throw badKey(name, `two keys at ${sorted[i]!.time} s`);
  }
  return sorted;
}

/** Parses `--animate "name=V0@T0 V1@T1[:easing] ..."` against the document's inputs. */
export function parseAnimateSpec(doc: ISFDocument, spec: string): { name: string; keys: Keyframe[] } {
  const eq = spec.indexOf('=');
  if (eq <= 0)
    throw new ISFError('BAD_ARGUMENT', `--animate takes name=V0@T0 V1@T1..., not ${JSON.stringify(spec)}`);
  const name = spec.slice(0, eq).trim();
  const input = animatableInput(doc, name);
  const keys = spec
    .slice(eq + 1)
    .trim()
    .split(/\s+/)
    .filter((k) => k !== '')
    .map((key) => {
      const at = key.lastIndexOf('@');
      if (at <= 0) throw badKey(name, `key "${key}" is not VALUE@SECONDS`);
      const [timeText, easingText] = key.slice(at + 1).split(':');
      return {
        time: parseTime(name, timeText ?? ''),
        value: parseInputValueText(input, key.slice(0, at)),
        easing: parseEasing(name, easingText),
      };
    });
  return { name, keys: sortedKeys(name, keys) };
}

/** A timeline from JSON (the `--timeline` file), checked against the document's inputs. */
export function timelineFromJson(doc: ISFDocument, json: unknown): Timeline {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ISFError('BAD_ARGUMENT', 'a timeline is a JSON object: { "input": [[seconds, value], ...] }');
  }
  const timeline: Timeline = Object.create(null);
  for (const [name, raw] of Object.entries(json)) {
    const input = animatableInput(doc, name);
    if (!Array.isArray(raw)) throw badKey(name, 'keys must be an array');
    const keys = raw.map((k, i): Keyframe => {
      const entry = Array.isArray(k)
        ? { time: k[0], value: k[1], easing: k[2] }
        : typeof k === 'object' && k !== null
          ? (k as { time?: unknown; value?: unknown; easing?: unknown })
          : undefined;
      if (!entry) throw badKey(name, `key ${i} is not [seconds, value] or { time, value }`);
      const value =
        typeof entry.value === 'string'
          ? parseInputValueText(input, entry.value)
          : coerceInputValue(input, entry.value);
      if (typeof entry.time !== 'number') throw badKey(name, `key ${i} has no time in seconds`);
      return {
        time: parseTime(name, String(entry.time)),
        value,
        easing: parseEasing(name, typeof entry.easing === 'string' ? entry.easing : undefined),
      };
    });
    timeline[name] = sortedKeys(name, keys);
  }
  return timeline;
}

function ease(easing: Easing, u: number): number {
  switch (easing) {
    case 'ease-in':
      return u * u;
    case 'ease-out':
      return 1 - (1 - u) * (1 - u);
    case 'ease-in-out':
      return u * u * (3 - 2 * u);
    case 'step':
      return 0;
    default:
      return u;
  }
}

function mix(a: InputValue, b: InputValue, f: number): InputValue {
  if (typeof a === 'number' && typeof b === 'number') return a + (b - a) * f;
  if (Array.isArray(a) && Array.isArray(b)) return a.map((x, i) => x + ((b[i] ?? x) - x) * f) as InputValue;
  return f < 1 ? a : b;
}

/** The value of one input's keys at `time` (seconds). */
export function valueAt(keys: readonly Keyframe[], time: number, interpolate: boolean): InputValue {
  const first = keys[0]!;
  if (time <= first.time) return first.value;
  for (let i = 1; i < keys.length; i++) {
    const b = keys[i]!;
    if (time < b.time) {
      const a = keys[i - 1]!;
      if (!interpolate) return a.value;
      return mix(a.value, b.value, ease(b.easing, (time - a.time) / (b.time - a.time)));
    }
  }
  return keys[keys.length - 1]!.value;
}

/** Every animated input's value at `time`, for scene.setValues or a render job's per-frame values. */
export function timelineValuesAt(
  doc: ISFDocument,
  timeline: Timeline,
  time: number,
): Record<string, InputValue> {
  const out: Record<string, InputValue> = {};
  for (const [name, keys] of Object.entries(timeline)) {
    const input = doc.inputs.find((i) => i.name === name);
    out[name] = valueAt(keys, time, input !== undefined && INTERPOLATED.has(input.type));
  }
  return out;
}
