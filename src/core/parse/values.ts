/**
 * Typed readers for JSON members: each reports ISF_INPUT_VALUE at the offending value and returns undefined.
 * A number written as a string ("MAX": "1024") is read with a W_COERCED departure, as json-c based hosts (Vuo) do.
 */
import type { Host } from '../dialects.ts';
import type { ISFErrorCode } from '../errors.ts';
import type { ParseContext } from './context.ts';
import { describeJson, type JsonNode, type JsonObject, member } from './json.ts';

export function readNumber(
  ctx: ParseContext,
  node: JsonNode,
  what: string,
  code: ISFErrorCode = 'ISF_INPUT_VALUE',
): number | undefined {
  if (node.type === 'number') return node.value;
  const coerced = numericString(node);
  if (coerced !== undefined) {
    ctx.depart(
      'W_COERCED',
      `${what} is the string "${(node as { value: string }).value}", read as the number ${coerced}`,
      node.start,
      TYPED_JSON_READERS,
    );
    return coerced;
  }
  ctx.error(code, `${what} must be a number but is ${describeJson(node)}`, node.start);
  return undefined;
}

/** Hosts that read JSON values by their JSON type (a string where a number belongs is skipped or refused). */
export const TYPED_JSON_READERS: readonly Host[] = ['VVISF', 'ISF editor', 'ossia score'];

/** The number a string like "1024" or " -0.5 " spells, else undefined. */
export function numericString(node: JsonNode): number | undefined {
  if (node.type !== 'string') return undefined;
  if (!/^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/.test(node.value)) return undefined;
  const n = Number(node.value);
  return Number.isFinite(n) ? n : undefined;
}

/** An array of exactly `n` numbers (`alsoN`: a shorter accepted length, e.g. RGB for RGBA). */
export function readVector(
  ctx: ParseContext,
  node: JsonNode,
  n: number,
  what: string,
  alsoN?: number,
): number[] | undefined {
  const lengths = alsoN === undefined ? `${n}` : `${alsoN} or ${n}`;
  if (node.type !== 'array' || (node.items.length !== n && node.items.length !== alsoN)) {
    ctx.error(
      'ISF_INPUT_VALUE',
      `${what} must be an array of ${lengths} numbers but is ${describeJson(node)}`,
      node.start,
    );
    return undefined;
  }
  const out: number[] = [];
  let ok = true;
  for (const [i, item] of node.items.entries()) {
    const v = readNumber(ctx, item, `${what}[${i}]`);
    if (v === undefined) ok = false;
    else out.push(v);
  }
  return ok ? out : undefined;
}

/** An optional string (LABEL, DESCRIPTION...): anything else is ignored with a warning. */
export function readOptionalString(
  ctx: ParseContext,
  obj: JsonObject,
  key: string,
  where: string,
): string | undefined {
  const m = member(obj, key);
  if (m === undefined) return undefined;
  if (m.node.type === 'string') return m.node.value;
  ctx.warn(
    'W_IGNORED_VALUE',
    `${key} of ${where} is ignored: expected a string but found ${describeJson(m.node)}`,
    m.node.start,
  );
  return undefined;
}
