/**
 * Recursive-descent parser for WIDTH/HEIGHT expressions (C-like precedence, exprtk spellings).
 *
 * Precedence, loosest first: `?:` (right), `||`/`or`/`|`, `&&`/`and`/`&`, `==`/`=`/`!=`/`<>`, `<`/`<=`/`>`/`>=`,
 * `+`/`-`, `*`/`/`/`%`, unary `-`/`+`/`!`/`not`, `^` (right; `-2^2` is -4, `2^-1` is 0.5).
 * Nesting is counted on every recursive entry, so hostile input fails with ISF_EXPRESSION instead of a stack overflow.
 */
import { lookupFunction } from './functions.ts';
import { expressionError, type Token, tokenize } from './tokenize.ts';

export type Node =
  | { type: 'num'; value: number }
  | { type: 'var'; name: string; slot: number }
  | { type: 'unary'; op: '-' | '+' | '!'; arg: Node }
  | { type: 'binary'; op: string; left: Node; right: Node }
  | { type: 'ternary'; cond: Node; whenTrue: Node; whenFalse: Node }
  | { type: 'call'; name: string; fn: (args: number[]) => number; args: Node[] };

export const MAX_EXPRESSION_LENGTH = 4096;
export const MAX_EXPRESSION_DEPTH = 256;

const BINARY_PRECEDENCE: Record<string, number> = {
  '||': 1,
  '|': 1,
  or: 1,
  '&&': 2,
  '&': 2,
  and: 2,
  '==': 3,
  '=': 3,
  '!=': 3,
  '<>': 3,
  '<': 4,
  '<=': 4,
  '>': 4,
  '>=': 4,
  '+': 5,
  '-': 5,
  '*': 6,
  '/': 6,
  '%': 6,
};

/** Canonical operator for the evaluator. */
const CANONICAL: Record<string, string> = {
  or: '||',
  '|': '||',
  and: '&&',
  '&': '&&',
  '=': '==',
  '<>': '!=',
};

export interface ParsedExpression {
  root: Node;
  /** Variable names in first-use order; `slot` in var nodes indexes this list. */
  variables: string[];
}

export function parseExpression(source: string): ParsedExpression {
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw expressionError(
      source,
      1,
      `expression is ${source.length} characters long, the limit is ${MAX_EXPRESSION_LENGTH}`,
    );
  }
  const tokens = tokenize(source);
  let pos = 0;
  let depth = 0;
  const variables: string[] = [];

  const peek = (): Token => tokens[pos]!;
  const next = (): Token => tokens[pos++]!;
  const describe = (t: Token): string => (t.kind === 'eof' ? 'end of expression' : `"${t.text}"`);
  const fail = (t: Token, problem: string): never => {
    throw expressionError(source, t.column, problem);
  };
  /** Wraps every recursive step (parentheses, calls, unary operators, `^`, `?:` branches) in the depth count. */
  const nested = <T>(t: Token, f: () => T): T => {
    if (++depth > MAX_EXPRESSION_DEPTH) fail(t, `nesting deeper than ${MAX_EXPRESSION_DEPTH} levels`);
    const r = f();
    depth--;
    return r;
  };
  /** A word operator (`and`, `or`, `not`) is an identifier token spelled so, in any case. */
  const wordOp = (t: Token): string | undefined => {
    if (t.kind !== 'ident') return undefined;
    const w = t.text.toLowerCase();
    return w === 'and' || w === 'or' || w === 'not' ? w : undefined;
  };

  function ternary(): Node {
    const cond = binary(1);
    if (peek().kind !== '?') return cond;
    const q = next();
    const a = nested(q, ternary);
    if (peek().kind !== ':')
      fail(peek(), `expected ":" of the "?:" at column ${q.column} but found ${describe(peek())}`);
    const b = nested(next(), ternary);
    return { type: 'ternary', cond, whenTrue: a, whenFalse: b };
  }

  function binaryOp(t: Token): string | undefined {
    if (t.kind === 'op' && BINARY_PRECEDENCE[t.text] !== undefined) return t.text;
    const w = wordOp(t);
    return w === 'and' || w === 'or' ? w : undefined;
  }

  function binary(minPrec: number): Node {
    let left = unary();
    for (;;) {
      const op = binaryOp(peek());
      const prec = op === undefined ? undefined : BINARY_PRECEDENCE[op];
      if (op === undefined || prec === undefined || prec < minPrec) return left;
      next();
      const right = binary(prec + 1);
      left = { type: 'binary', op: CANONICAL[op] ?? op, left, right };
    }
  }

  function unary(): Node {
    const t = peek();
    if (t.kind === 'op' && (t.text === '-' || t.text === '+' || t.text === '!')) {
      next();
      return { type: 'unary', op: t.text, arg: nested(t, unary) };
    }
    if (wordOp(t) === 'not') {
      next();
      return { type: 'unary', op: '!', arg: nested(t, unary) };
    }
    return power();
  }

  function power(): Node {
    const base = primary();
    if (peek().kind === 'op' && peek().text === '^') {
      return { type: 'binary', op: '^', left: base, right: nested(next(), unary) };
    }
    return base;
  }

  function primary(): Node {
    const t = next();
    if (t.kind === 'number') return { type: 'num', value: t.value };
    if (t.kind === '(') {
      const inner = nested(t, ternary);
      if (peek().kind !== ')')
        fail(peek(), `expected ")" to close the "(" at column ${t.column} but found ${describe(peek())}`);
      next();
      return inner;
    }
    if (t.kind === 'ident' && wordOp(t) === undefined) {
      if (peek().kind === '(') return nested(t, () => call(t));
      let slot = variables.indexOf(t.text);
      if (slot < 0) slot = variables.push(t.text) - 1;
      return { type: 'var', name: t.text, slot };
    }
    return fail(t, t.kind === 'eof' ? 'unexpected end of expression' : `unexpected ${describe(t)}`);
  }

  function call(name: Token): Node {
    const f = lookupFunction(name.text);
    if (f === undefined) fail(name, `unknown function "${name.text}"`);
    const open = next();
    const args: Node[] = [];
    if (peek().kind !== ')') {
      for (;;) {
        args.push(ternary());
        if (peek().kind === ',') {
          next();
          continue;
        }
        break;
      }
    }
    if (peek().kind !== ')') {
      fail(
        peek(),
        `expected "," or ")" in the call to ${name.text}() opened at column ${open.column} but found ${describe(peek())}`,
      );
    }
    next();
    const fn = f!;
    if (args.length < fn.minArgs || args.length > fn.maxArgs) {
      const want =
        fn.minArgs === fn.maxArgs
          ? `${fn.minArgs}`
          : fn.maxArgs === Number.POSITIVE_INFINITY
            ? `at least ${fn.minArgs}`
            : `${fn.minArgs} to ${fn.maxArgs}`;
      fail(
        name,
        `${name.text}() takes ${want} argument${fn.maxArgs === 1 ? '' : 's'} but got ${args.length}`,
      );
    }
    return { type: 'call', name: name.text.toLowerCase(), fn: fn.fn, args };
  }

  if (peek().kind === 'eof') fail(peek(), 'empty expression');
  const root = ternary();
  if (peek().kind !== 'eof') fail(peek(), `unexpected ${describe(peek())} after a complete expression`);
  return { root, variables };
}
