/**
 * Safe WIDTH/HEIGHT expression evaluator (never eval/Function).
 *
 * Differences from VVISF's exprtk, on purpose:
 * - an unknown variable evaluates to 0 (exprtk refuses to compile); `variables` lists what an expression references so
 *   the document parser can warn about names that are not WIDTH, HEIGHT or a scalar input;
 * - no constants: `pi` and `e` are plain (unknown) variables, as in VVISF, which registers no constants table;
 * - no implicit multiplication (`2x`), no assignment, no strings, no control structures beyond `?:` and `if(c,a,b)`;
 * - `clamp` takes its three arguments in either exprtk order `clamp(lo, x, hi)` or `clamp(x, lo, hi)` (median).
 * Variable lookup is exact first, then case-insensitive (exprtk symbols are case-insensitive).
 */
import { evaluateNode } from './evaluate.ts';
import { parseExpression } from './parse.ts';

export { FUNCTIONS } from './functions.ts';
export { MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_LENGTH } from './parse.ts';

export interface CompiledExpression {
  /** The expression as given (with its `$` signs). */
  source: string;
  /** Variable names referenced, `$` stripped, in first-use order. */
  variables: string[];
  /** Unknown variables count as 0. */
  evaluate(vars: Record<string, number>): number;
}

/** Compiles an expression or throws ISFError('ISF_EXPRESSION') naming the problem and its 1-based column. */
export function compileExpression(source: string): CompiledExpression {
  const { root, variables } = parseExpression(source);
  return {
    source,
    variables: [...variables],
    evaluate(vars: Record<string, number>): number {
      const slots = variables.map((name) => Number(lookup(vars, name)));
      return evaluateNode(root, slots);
    },
  };
}

function lookup(vars: Record<string, number>, name: string): number {
  if (Object.hasOwn(vars, name)) return vars[name] ?? 0;
  const lower = name.toLowerCase();
  for (const key of Object.keys(vars)) if (key.toLowerCase() === lower) return vars[key] ?? 0;
  return 0;
}

export interface SizeResult {
  /** Size to use: a positive integer, or Infinity when the expression overflowed (callers reject or clamp it). */
  value: number;
  /** The expression's raw result (NaN, fractions, negatives kept) so callers can report it. */
  raw: number;
}

/**
 * VVISF's size policy: no expression means `fallback`; NaN becomes 1; the value is truncated toward zero; results
 * <= 0 become 1. ±Infinity gives value Infinity so the caller's limit check refuses it. No upper clamp here.
 */
export function evaluateSize(
  expr: CompiledExpression | undefined,
  vars: Record<string, number>,
  fallback: number,
): SizeResult {
  if (expr === undefined) return { value: fallback, raw: fallback };
  const raw = expr.evaluate(vars);
  if (Number.isNaN(raw)) return { value: 1, raw };
  if (!Number.isFinite(raw)) return { value: Number.POSITIVE_INFINITY, raw };
  const value = Math.trunc(raw);
  return { value: value <= 0 ? 1 : value, raw };
}
