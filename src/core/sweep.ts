/**
 * Sweeps: every combination of a few inputs' values, for a contact sheet or one file per combination
 * (`isf render a.fs --sweep "amount=0:1:5" --sweep "mode=0,1,2"`). Pure: the CLI renders the cells.
 *
 * - A range `name=FROM:TO:COUNT` gives COUNT values from FROM to TO inclusive, evenly spaced (float and long
 *   inputs; long values are rounded to integers; COUNT 1 is FROM alone). point2D/3D/4D and color ranges
 *   interpolate component-wise: `center=0,0:1,1:3`, `tint=#ff0000:#0000ff:4`.
 * - A list `name=V0,V1,V2` gives those values, each in `--set`'s syntax (`mode=Add,Multiply`, `flag=true,false`).
 *   Values that contain commas themselves (point2D, color as numbers) are separated by `|`:
 *   `center=0.1,0.1|0.9,0.9`, `tint=#ff0000|1,1,0,1`.
 * - Several sweeps make the cartesian product; the last sweep varies fastest (row-major in the sheet).
 */
import type { ISFDocument, ISFInput } from './document.ts';
import { ISFError } from './errors.ts';
import { type InputValue, parseInputValueText } from './values.ts';

/** Most cells one sweep may render (documented in the README): a typo in a count cannot mean hours of work. */
export const MAX_SWEEP_CELLS = 256;

const SWEEPABLE = new Set(['float', 'long', 'bool', 'event', 'point2D', 'point3D', 'point4D', 'color']);
const RANGED = new Set(['float', 'long', 'point2D', 'point3D', 'point4D', 'color']);

export interface SweepValue {
  value: InputValue;
  /** The value in `--set`'s syntax (what the render is given). */
  text: string;
  /** What the sheet's label shows: the list item as written, or the range value rounded for reading. */
  label: string;
}

export interface Sweep {
  name: string;
  values: SweepValue[];
}

export interface SweepCell {
  index: number;
  /** One value per sweep, by input name, in sweep order. */
  values: Record<string, SweepValue>;
}

function bad(spec: string, message: string): ISFError {
  return new ISFError('BAD_ARGUMENT', `--sweep ${JSON.stringify(spec)}: ${message}`);
}

function sweepInput(doc: ISFDocument, spec: string, name: string): ISFInput {
  const input = doc.inputs.find((i) => i.name === name);
  if (!input) {
    throw new ISFError(
      'INPUT_UNKNOWN',
      `cannot sweep "${name}": ${doc.name} has no such input (inputs: ${doc.inputs.map((i) => i.name).join(', ') || 'none'})`,
    );
  }
  if (!SWEEPABLE.has(input.type)) throw bad(spec, `a ${input.type} input cannot be swept`);
  return input;
}

/** The value in the text syntax parseInputValueText reads back to the same value. */
export function valueText(value: InputValue): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return String(value);
  return value.join(',');
}

function readable(value: InputValue): string {
  const n = (x: number) => String(Number(x.toPrecision(4)));
  if (typeof value === 'number') return n(value);
  if (typeof value === 'boolean') return String(value);
  return value.map(n).join(',');
}

function parseValue(spec: string, input: ISFInput, text: string): InputValue {
  try {
    return parseInputValueText(input, text);
  } catch (e) {
    if (e instanceof ISFError) throw bad(spec, e.message);
    throw e;
  }
}

/** Parses one `--sweep` against the document's inputs. */
export function parseSweepSpec(doc: ISFDocument, spec: string): Sweep {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw bad(spec, 'expected name=FROM:TO:COUNT or name=V0,V1,...');
  const name = spec.slice(0, eq).trim();
  const body = spec.slice(eq + 1).trim();
  const input = sweepInput(doc, spec, name);
  if (body === '') throw bad(spec, 'no values');
  if (body.includes(':')) {
    const parts = body.split(':');
    if (parts.length !== 3) throw bad(spec, 'a range is FROM:TO:COUNT (e.g. 0:1:5)');
    if (!RANGED.has(input.type)) throw bad(spec, `a ${input.type} input takes a list, not a range`);
    const [fromText, toText, countText] = parts as [string, string, string];
    const count = Number(countText);
    if (countText.trim() === '' || !Number.isInteger(count) || count < 1) {
      throw bad(spec, `COUNT "${countText}" is not a whole number >= 1`);
    }
    if (count > MAX_SWEEP_CELLS) {
      throw bad(spec, `COUNT ${count} is above the limit of ${MAX_SWEEP_CELLS} cells per sweep`);
    }
    const from = parseValue(spec, input, fromText);
    const to = parseValue(spec, input, toText);
    const values: SweepValue[] = [];
    for (let k = 0; k < count; k++) {
      const f = count === 1 ? 0 : k / (count - 1);
      let value: InputValue =
        typeof from === 'number' && typeof to === 'number'
          ? from + (to - from) * f
          : ((from as number[]).map((a, i) => a + (((to as number[])[i] ?? a) - a) * f) as InputValue);
      if (input.type === 'long') value = Math.round(value as number);
      // Exact ends: FROM and TO as given, not FROM + (TO - FROM) * 1 with its rounding.
      if (k === count - 1 && count > 1) value = input.type === 'long' ? Math.round(to as number) : to;
      values.push({ value, text: valueText(value), label: readable(value) });
    }
    return { name, values };
  }
  const separator = body.includes('|') ? '|' : ',';
  const items = body.split(separator).map((s) => s.trim());
  if (items.some((s) => s === '')) throw bad(spec, 'an empty value in the list');
  if (items.length > MAX_SWEEP_CELLS) {
    throw bad(spec, `${items.length} values is above the limit of ${MAX_SWEEP_CELLS} cells per sweep`);
  }
  return {
    name,
    values: items.map((text) => {
      const value = parseValue(spec, input, text);
      return { value, text: valueText(value), label: text };
    }),
  };
}

/** Every combination of the sweeps, the last varying fastest; BAD_ARGUMENT beyond MAX_SWEEP_CELLS. */
export function sweepCells(sweeps: readonly Sweep[]): SweepCell[] {
  const names = new Set<string>();
  for (const s of sweeps) {
    if (names.has(s.name))
      throw new ISFError('BAD_ARGUMENT', `"${s.name}" is swept twice; give it one --sweep`);
    names.add(s.name);
  }
  const total = sweeps.reduce((n, s) => n * s.values.length, 1);
  if (total > MAX_SWEEP_CELLS) {
    throw new ISFError(
      'BAD_ARGUMENT',
      `the sweep has ${sweeps.map((s) => s.values.length).join(' x ')} = ${total} combinations, above the limit of ${MAX_SWEEP_CELLS}`,
      { suggestion: 'sweep fewer values, or split the sweep into several renders' },
    );
  }
  const cells: SweepCell[] = [];
  for (let index = 0; index < total; index++) {
    const values: Record<string, SweepValue> = {};
    let rest = index;
    for (let s = sweeps.length - 1; s >= 0; s--) {
      const sweep = sweeps[s]!;
      values[sweep.name] = sweep.values[rest % sweep.values.length]!;
      rest = Math.floor(rest / sweep.values.length);
    }
    // Keys in sweep order (the loop above filled them last first).
    const ordered: Record<string, SweepValue> = {};
    for (const s of sweeps) ordered[s.name] = values[s.name]!;
    cells.push({ index, values: ordered });
  }
  return cells;
}

/**
 * Columns of the sheet: with two or more sweeps, one column per value of the last sweep (so a 2 x 3 sweep is
 * 2 rows of 3); with one, a single row up to 8 cells, else a near-square grid.
 */
export function sweepColumns(sweeps: readonly Sweep[], cells: number): number {
  const last = sweeps[sweeps.length - 1]?.values.length ?? 1;
  if (sweeps.length >= 2 && last <= 16) return last;
  if (cells <= 8) return cells;
  return Math.ceil(Math.sqrt(cells));
}
