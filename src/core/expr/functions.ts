/**
 * Functions available in WIDTH/HEIGHT expressions: the exprtk builtins VVISF exposes that make sense for sizes.
 * Names are looked up case-insensitively, as exprtk does.
 */

export interface ExprFunction {
  minArgs: number;
  /** Infinity for variadic functions. */
  maxArgs: number;
  fn: (args: number[]) => number;
}

/** exprtk's round: half away from zero (Math.round rounds -0.5 up). */
function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** C fmod: result has the sign of the dividend, like exprtk's `%` and `mod`. JS `%` already behaves so. */
function fmod(a: number, b: number): number {
  return a % b;
}

const unary = (f: (x: number) => number): ExprFunction => ({ minArgs: 1, maxArgs: 1, fn: (a) => f(a[0]!) });
const binary = (f: (x: number, y: number) => number): ExprFunction => ({
  minArgs: 2,
  maxArgs: 2,
  fn: (a) => f(a[0]!, a[1]!),
});
const variadic = (f: (xs: number[]) => number): ExprFunction => ({
  minArgs: 1,
  maxArgs: Number.POSITIVE_INFINITY,
  fn: f,
});

const sign = unary((x) => (x > 0 ? 1 : x < 0 ? -1 : 0));

export const FUNCTIONS: ReadonlyMap<string, ExprFunction> = new Map<string, ExprFunction>([
  ['abs', unary(Math.abs)],
  ['ceil', unary(Math.ceil)],
  ['floor', unary(Math.floor)],
  ['round', unary(roundHalfAway)],
  ['roundn', binary((x, n) => roundHalfAway(x * 10 ** Math.trunc(n)) / 10 ** Math.trunc(n))],
  ['trunc', unary(Math.trunc)],
  ['frac', unary((x) => x - Math.trunc(x))],
  ['sgn', sign],
  ['sign', sign],
  ['min', variadic((xs) => Math.min(...xs))],
  ['max', variadic((xs) => Math.max(...xs))],
  ['sum', variadic((xs) => xs.reduce((s, x) => s + x, 0))],
  ['avg', variadic((xs) => xs.reduce((s, x) => s + x, 0) / xs.length)],
  // Median of three: exprtk's clamp is clamp(lo, x, hi) while most people write clamp(x, lo, hi); whenever lo <= hi the
  // median gives the same answer for both orders.
  ['clamp', { minArgs: 3, maxArgs: 3, fn: (a) => [a[0]!, a[1]!, a[2]!].sort((p, q) => p - q)[1]! }],
  ['pow', binary((x, y) => x ** y)],
  ['sqrt', unary(Math.sqrt)],
  ['exp', unary(Math.exp)],
  ['log', unary(Math.log)],
  ['log2', unary(Math.log2)],
  ['log10', unary(Math.log10)],
  ['log1p', unary(Math.log1p)],
  ['sin', unary(Math.sin)],
  ['cos', unary(Math.cos)],
  ['tan', unary(Math.tan)],
  ['asin', unary(Math.asin)],
  ['acos', unary(Math.acos)],
  ['atan', unary(Math.atan)],
  ['atan2', binary(Math.atan2)],
  ['sinh', unary(Math.sinh)],
  ['cosh', unary(Math.cosh)],
  ['tanh', unary(Math.tanh)],
  ['hypot', variadic((xs) => Math.hypot(...xs))],
  ['mod', binary(fmod)],
  ['if', { minArgs: 3, maxArgs: 3, fn: (a) => (a[0] !== 0 && !Number.isNaN(a[0]) ? a[1]! : a[2]!) }],
]);

export function lookupFunction(name: string): ExprFunction | undefined {
  return FUNCTIONS.get(name.toLowerCase());
}
