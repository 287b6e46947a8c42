/**
 * INPUTS → normalised ISFInput values, following VVISF's rules (ISFDoc.cpp, spec notes §1.3) but reporting what
 * VVISF silently skips: a missing NAME, an unknown TYPE or a non-number where a number belongs is an error here.
 */

import type { Host } from '../dialects.ts';
import type {
  BoolInput,
  ColorInput,
  FloatInput,
  ISFInput,
  ISFInputType,
  LongInput,
  Point2DInput,
  Point3DInput,
  Point4DInput,
  Vec2,
  Vec3,
  Vec4,
} from '../document.ts';
import type { ParseContext } from './context.ts';
import { describeJson, type JsonMember, type JsonNode, type JsonObject, member } from './json.ts';
import { checkKeys, INPUT_KEYS } from './keys.ts';
import { numericString, readNumber, readOptionalString, readVector, TYPED_JSON_READERS } from './values.ts';

export const INPUT_TYPES: readonly ISFInputType[] = [
  'event',
  'bool',
  'long',
  'float',
  'point2D',
  'color',
  'image',
  'audio',
  'audioFFT',
  'cube',
];

/** Hosts that know only the spec's input types (an unknown TYPE makes VVISF skip the input). */
const SPEC_TYPES_ONLY: readonly Host[] = ['VVISF', 'ISF editor'];

/** TYPEs other hosts define that map faithfully onto one of ours (a W_HOST_TYPE departure). */
const HOST_TYPES: Record<string, { type: ISFInputType; host: string }> = {
  int: { type: 'long', host: 'MadMapper' },
  point3D: { type: 'point3D', host: 'Vuo and ossia score' },
  point4D: { type: 'point4D', host: 'Vuo and ossia score' },
};

/** TYPEs other hosts define that have no faithful mapping here: refused with ISF_HOST_TYPE naming the host. */
function foreignType(t: string): string | undefined {
  if (/^[A-Za-z0-9]+\[\]$/.test(t))
    return `a Vuo list type (one uniform array per input), which ISF has no way to pass`;
  if (t === 'audioHistogram') return `ossia score's audio histogram (a vertexshaderart.com sound texture)`;
  return undefined;
}

/** Value keys each type reads; other value keys are reported as ignored. */
const VALUE_KEYS: Record<ISFInputType, readonly string[]> = {
  event: [],
  bool: ['DEFAULT', 'IDENTITY'],
  long: ['DEFAULT', 'IDENTITY', 'MIN', 'MAX', 'VALUES', 'LABELS'],
  float: ['DEFAULT', 'IDENTITY', 'MIN', 'MAX'],
  point2D: ['DEFAULT', 'IDENTITY', 'MIN', 'MAX'],
  point3D: ['DEFAULT', 'IDENTITY', 'MIN', 'MAX'],
  point4D: ['DEFAULT', 'IDENTITY', 'MIN', 'MAX'],
  color: ['DEFAULT', 'IDENTITY'],
  image: [],
  audio: ['MAX'],
  audioFFT: ['MAX'],
  cube: [],
};
const VALUE_KEY_NAMES = ['DEFAULT', 'IDENTITY', 'MIN', 'MAX', 'VALUES', 'LABELS'];

/** A parsed input plus where its NAME was written (for duplicate and convention messages). */
export interface ParsedInput {
  input: ISFInput;
  nameOffset: number;
  typeOffset: number;
}

export function parseInputs(ctx: ParseContext, root: JsonObject): ParsedInput[] {
  const m = member(root, 'INPUTS');
  if (m === undefined) return [];
  if (m.node.type !== 'array') {
    ctx.error(
      'ISF_INPUTS_INVALID',
      `INPUTS must be an array of input objects but is ${describeJson(m.node)}`,
      m.node.start,
    );
    return [];
  }
  const out: ParsedInput[] = [];
  for (const [i, node] of m.node.items.entries()) {
    const parsed = parseInput(ctx, node, i);
    if (parsed !== undefined) out.push(parsed);
  }
  return out;
}

function suggestType(t: string): string {
  const lower = t.toLowerCase();
  const close = INPUT_TYPES.find((x) => x.toLowerCase() === lower);
  const list = `Valid types: ${INPUT_TYPES.join(', ')}`;
  return close !== undefined ? `Did you mean "${close}"? ${list}` : list;
}

function parseInput(ctx: ParseContext, node: JsonNode, index: number): ParsedInput | undefined {
  if (node.type !== 'object') {
    ctx.error(
      'ISF_INPUT_INVALID',
      `INPUTS[${index}] must be an object but is ${describeJson(node)}`,
      node.start,
    );
    return undefined;
  }
  const nameM = member(node, 'NAME');
  if (nameM === undefined || nameM.node.type !== 'string') {
    ctx.error(
      'ISF_INPUT_INVALID',
      nameM === undefined
        ? `INPUTS[${index}] has no NAME`
        : `NAME of INPUTS[${index}] must be a string but is ${describeJson(nameM.node)}`,
      nameM === undefined ? node.start : nameM.node.start,
      'Every input needs a "NAME": "identifier" and a "TYPE"',
    );
    return undefined;
  }
  const name = nameM.node.value;
  const where = `input "${name}"`;
  checkKeys(ctx, node, INPUT_KEYS, where);

  const typeM = member(node, 'TYPE');
  if (typeM === undefined || typeM.node.type !== 'string') {
    ctx.error(
      'ISF_INPUT_TYPE',
      typeM === undefined
        ? `Input "${name}" has no TYPE`
        : `TYPE of ${where} must be a string but is ${describeJson(typeM.node)}`,
      typeM === undefined ? node.start : typeM.node.start,
      suggestType(''),
    );
    return undefined;
  }
  const typeName = typeM.node.value;
  const hostType = Object.hasOwn(HOST_TYPES, typeName) ? HOST_TYPES[typeName] : undefined;
  const foreign = foreignType(typeName);
  if (foreign !== undefined) {
    ctx.error(
      'ISF_HOST_TYPE',
      `TYPE "${typeName}" of ${where} is ${foreign}; isf-renderer cannot render it faithfully`,
      typeM.node.start,
      `Use one of the ISF types (${INPUT_TYPES.join(', ')}), or render this file in the host it was written for`,
    );
    return undefined;
  }
  if (hostType !== undefined) {
    ctx.depart(
      'W_HOST_TYPE',
      `TYPE "${typeName}" of ${where} is ${hostType.host}'s, read as ${hostType.type === typeName ? `a vec${typeName[5]} input` : `"${hostType.type}"`}`,
      typeM.node.start,
      SPEC_TYPES_ONLY,
      hostType.type === 'long' ? 'Write "TYPE": "long"' : undefined,
    );
  } else if (!(INPUT_TYPES as readonly string[]).includes(typeName)) {
    ctx.error(
      'ISF_INPUT_TYPE',
      `Unknown TYPE "${typeName}" for ${where}`,
      typeM.node.start,
      suggestType(typeName),
    );
    return undefined;
  }
  const type = hostType?.type ?? (typeName as ISFInputType);

  for (const key of VALUE_KEY_NAMES) {
    const vm = member(node, key);
    if (vm !== undefined && !VALUE_KEYS[type].includes(key)) {
      const why =
        type === 'color'
          ? 'VVISF fixes color MIN/MAX at 0..1'
          : `${/^[aeiou]/i.test(type) ? 'an' : 'a'} ${type} input has no ${key}`;
      ctx.warn('W_IGNORED_VALUE', `${key} of ${where} is ignored: ${why}`, vm.keyStart);
    }
  }

  const common: { name: string; label?: string; description?: string } = { name };
  const label = readOptionalString(ctx, node, 'LABEL', where);
  if (label !== undefined) common.label = label;
  const description = readOptionalString(ctx, node, 'DESCRIPTION', where);
  if (description !== undefined) common.description = description;

  const get = (key: string): JsonMember | undefined => member(node, key);
  let input: ISFInput | undefined;
  switch (type) {
    case 'event':
    case 'image':
    case 'cube':
      input = { ...common, type };
      break;
    case 'bool':
      input = parseBoolInput(ctx, common, get, where);
      break;
    case 'long':
      input = parseLongInput(ctx, common, get, where);
      break;
    case 'float':
      input = parseFloatInput(ctx, common, get, where);
      break;
    case 'point2D':
      input = parsePointInput(ctx, common, get, where);
      break;
    case 'point3D':
    case 'point4D':
      input = parsePointNInput(ctx, common, type, get, where);
      break;
    case 'color':
      input = parseColorInput(ctx, common, get, where);
      break;
    case 'audio':
    case 'audioFFT': {
      input = { ...common, type };
      const maxM = get('MAX');
      if (maxM !== undefined) {
        const max = readNumber(ctx, maxM.node, `MAX of ${where}`);
        if (max !== undefined && Math.trunc(max) >= 1) input.max = Math.trunc(max);
        else if (max !== undefined) {
          ctx.warn(
            'W_IGNORED_VALUE',
            `MAX of ${where} is ignored: the column count must be at least 1`,
            maxM.node.start,
          );
        }
      }
      break;
    }
  }
  if (input === undefined) return undefined;
  return { input, nameOffset: nameM.node.start, typeOffset: typeM.node.start };
}

type Common = { name: string; label?: string; description?: string };
type Getter = (key: string) => JsonMember | undefined;

/** bool/number (> 0 is true), as VVISF reads bool DEFAULT and IDENTITY. */
function readBoolish(ctx: ParseContext, node: JsonNode, what: string): boolean | undefined {
  if (node.type === 'boolean') return node.value;
  if (node.type === 'number') return node.value > 0;
  if (node.type === 'string') {
    const t = node.value.trim().toLowerCase();
    const n = numericString(node);
    const v = t === 'true' ? true : t === 'false' ? false : n !== undefined ? n > 0 : undefined;
    if (v !== undefined) {
      ctx.depart(
        'W_COERCED',
        `${what} is the string "${node.value}", read as ${v}`,
        node.start,
        TYPED_JSON_READERS,
      );
      return v;
    }
  }
  ctx.error(
    'ISF_INPUT_VALUE',
    `${what} must be true, false or a number but is ${describeJson(node)}`,
    node.start,
  );
  return undefined;
}

function parseBoolInput(ctx: ParseContext, common: Common, get: Getter, where: string): BoolInput {
  const d = get('DEFAULT');
  // VVISF: a missing DEFAULT makes a bool true.
  const input: BoolInput = { ...common, type: 'bool', default: true };
  if (d !== undefined) input.default = readBoolish(ctx, d.node, `DEFAULT of ${where}`) ?? true;
  const id = get('IDENTITY');
  if (id !== undefined) {
    const v = readBoolish(ctx, id.node, `IDENTITY of ${where}`);
    if (v !== undefined) input.identity = v;
  }
  return input;
}

/** MIN and MAX as a pair (VVISF drops a lone one). */
function readPair<T>(
  ctx: ParseContext,
  get: Getter,
  where: string,
  read: (node: JsonNode, what: string) => T | undefined,
): { min?: T; max?: T } {
  const minM = get('MIN');
  const maxM = get('MAX');
  const min = minM === undefined ? undefined : read(minM.node, `MIN of ${where}`);
  const max = maxM === undefined ? undefined : read(maxM.node, `MAX of ${where}`);
  if ((minM === undefined) !== (maxM === undefined)) {
    const present = (minM ?? maxM)!;
    ctx.warn(
      'W_MINMAX_PAIR',
      `${present.key} of ${where} is ignored: VVISF uses MIN and MAX only as a pair`,
      present.keyStart,
      `Add ${minM === undefined ? 'MIN' : 'MAX'} too`,
    );
    return {};
  }
  if (min === undefined || max === undefined) return {};
  return { min, max };
}

function parseFloatInput(ctx: ParseContext, common: Common, get: Getter, where: string): FloatInput {
  const num = (node: JsonNode, what: string): number | undefined => readNumber(ctx, node, what);
  const pair = readPair(ctx, get, where, num);
  const min = pair.min ?? 0;
  const max = pair.max ?? 1;
  if (min > max) ctx.warn('W_MINMAX_PAIR', `MIN of ${where} is greater than its MAX`, get('MIN')!.keyStart);
  const input: FloatInput = { ...common, type: 'float', default: min + (max - min) / 2, min, max };
  const d = get('DEFAULT');
  if (d !== undefined) {
    const v = num(d.node, `DEFAULT of ${where}`);
    if (v !== undefined) {
      // VVISF clamps the default into [MIN, MAX].
      const clamped = v < min ? min : Math.min(v, max);
      if (clamped !== v) {
        ctx.warn(
          'W_DEFAULT_RANGE',
          `DEFAULT ${v} of ${where} is outside [${min}, ${max}]; clamped to ${clamped}`,
          d.node.start,
        );
      }
      input.default = clamped;
    }
  }
  const id = get('IDENTITY');
  if (id !== undefined) {
    const v = num(id.node, `IDENTITY of ${where}`);
    if (v !== undefined) input.identity = v;
  }
  return input;
}

function parseLongInput(ctx: ParseContext, common: Common, get: Getter, where: string): LongInput {
  // VVISF stores longs as int32 (nlohmann get<int32_t> truncates).
  const int = (node: JsonNode, what: string): number | undefined => {
    const v = readNumber(ctx, node, what);
    return v === undefined ? undefined : Math.trunc(v);
  };
  const input: LongInput = { ...common, type: 'long', default: 0 };
  const valuesM = get('VALUES');
  const labelsM = get('LABELS');
  let values: number[] | undefined;
  let labels: string[] | undefined;
  if (valuesM !== undefined) {
    if (valuesM.node.type !== 'array') {
      ctx.error(
        'ISF_INPUT_VALUE',
        `VALUES of ${where} must be an array of numbers but is ${describeJson(valuesM.node)}`,
        valuesM.node.start,
      );
    } else if (
      labelsM === undefined &&
      valuesM.node.items.length > 0 &&
      valuesM.node.items.every((n) => n.type === 'string' && numericString(n) === undefined)
    ) {
      // Label strings given as VALUES (hosts show them as a menu): they are the labels of 0, 1, 2...
      labels = valuesM.node.items.map((n) => n.value as string);
      values = labels.map((_, i) => i);
      ctx.depart(
        'W_COERCED',
        `VALUES of ${where} are strings (labels): read as LABELS ${JSON.stringify(labels)} with VALUES ${values.join(', ')}`,
        valuesM.node.start,
        TYPED_JSON_READERS,
        'Write the numbers as VALUES and the strings as LABELS',
      );
    } else {
      const vs = valuesM.node.items.map((n, i) => int(n, `VALUES[${i}] of ${where}`));
      if (vs.every((v) => v !== undefined)) values = vs as number[];
    }
  }
  if (labelsM !== undefined) {
    if (labelsM.node.type !== 'array') {
      ctx.error(
        'ISF_INPUT_VALUE',
        `LABELS of ${where} must be an array of strings but is ${describeJson(labelsM.node)}`,
        labelsM.node.start,
      );
    } else {
      let ok = true;
      const ls = labelsM.node.items.map((n, i) => {
        if (n.type === 'string') return n.value;
        ctx.error(
          'ISF_INPUT_VALUE',
          `LABELS[${i}] of ${where} must be a string but is ${describeJson(n)}`,
          n.start,
        );
        ok = false;
        return '';
      });
      if (ok) labels = ls;
    }
  }
  // Shape errors were reported above; the pairing rule only applies to well-formed arrays.
  const wellFormed =
    (valuesM === undefined || values !== undefined) && (labelsM === undefined || labels !== undefined);
  if ((valuesM !== undefined || labelsM !== undefined) && wellFormed) {
    if (
      values !== undefined &&
      labels !== undefined &&
      values.length === labels.length &&
      values.length > 0
    ) {
      input.values = values;
      input.labels = labels;
      input.min = Math.min(...values);
      input.max = Math.max(...values);
      for (const key of ['MIN', 'MAX']) {
        const mm = get(key);
        if (mm !== undefined)
          ctx.warn('W_IGNORED_VALUE', `${key} of ${where} is ignored: VALUES/LABELS are used`, mm.keyStart);
      }
    } else {
      const why =
        values === undefined
          ? 'LABELS without VALUES'
          : labels === undefined
            ? 'VALUES without LABELS'
            : values.length === 0 && labels.length === 0
              ? 'they are empty'
              : `${values.length} VALUES but ${labels.length} LABELS`;
      ctx.warn(
        'W_LABELS_VALUES',
        `VALUES/LABELS of ${where} are ignored (${why}): VVISF uses them only when both are present with the same length`,
        (valuesM ?? labelsM)!.keyStart,
      );
    }
  }
  if (input.values === undefined) {
    const pair = readPair(ctx, get, where, int);
    if (pair.min !== undefined && pair.max !== undefined) {
      input.min = pair.min;
      input.max = pair.max;
    }
  }
  const d = get('DEFAULT');
  if (d !== undefined) {
    const v = int(d.node, `DEFAULT of ${where}`);
    if (v !== undefined) input.default = v;
  }
  const id = get('IDENTITY');
  if (id !== undefined) {
    const v = int(id.node, `IDENTITY of ${where}`);
    if (v !== undefined) input.identity = v;
  }
  return input;
}

function parsePointInput(ctx: ParseContext, common: Common, get: Getter, where: string): Point2DInput {
  const vec = (node: JsonNode, what: string): Vec2 | undefined =>
    readVector(ctx, node, 2, what) as Vec2 | undefined;
  const input: Point2DInput = { ...common, type: 'point2D', default: [0, 0] };
  const d = get('DEFAULT');
  if (d !== undefined) input.default = vec(d.node, `DEFAULT of ${where}`) ?? [0, 0];
  const id = get('IDENTITY');
  if (id !== undefined) {
    const v = vec(id.node, `IDENTITY of ${where}`);
    if (v !== undefined) input.identity = v;
  }
  const pair = readPair(ctx, get, where, vec);
  if (pair.min !== undefined && pair.max !== undefined) {
    input.min = pair.min;
    input.max = pair.max;
  }
  return input;
}

function parsePointNInput(
  ctx: ParseContext,
  common: Common,
  type: 'point3D' | 'point4D',
  get: Getter,
  where: string,
): Point3DInput | Point4DInput {
  const n = type === 'point3D' ? 3 : 4;
  const vec = (node: JsonNode, what: string): number[] | undefined => readVector(ctx, node, n, what);
  const zero = new Array<number>(n).fill(0);
  const input = { ...common, type, default: zero } as Point3DInput | Point4DInput;
  const d = get('DEFAULT');
  if (d !== undefined) input.default = (vec(d.node, `DEFAULT of ${where}`) ?? zero) as Vec3 & Vec4;
  const id = get('IDENTITY');
  if (id !== undefined) {
    const v = vec(id.node, `IDENTITY of ${where}`);
    if (v !== undefined) input.identity = v as Vec3 & Vec4;
  }
  const pair = readPair(ctx, get, where, vec);
  if (pair.min !== undefined && pair.max !== undefined) {
    input.min = pair.min as Vec3 & Vec4;
    input.max = pair.max as Vec3 & Vec4;
  }
  return input;
}

function parseColorInput(ctx: ParseContext, common: Common, get: Getter, where: string): ColorInput {
  // RGB is accepted as RGBA with alpha 1 (VVISF ignores a 3-element DEFAULT).
  const vec = (node: JsonNode, what: string): Vec4 | undefined => {
    const v = readVector(ctx, node, 4, what, 3);
    if (v === undefined) return undefined;
    return (v.length === 3 ? [...v, 1] : v) as Vec4;
  };
  const input: ColorInput = { ...common, type: 'color', default: [0, 0, 0, 0] };
  const d = get('DEFAULT');
  if (d !== undefined) input.default = vec(d.node, `DEFAULT of ${where}`) ?? [0, 0, 0, 0];
  const id = get('IDENTITY');
  if (id !== undefined) {
    const v = vec(id.node, `IDENTITY of ${where}`);
    if (v !== undefined) input.identity = v;
  }
  return input;
}
