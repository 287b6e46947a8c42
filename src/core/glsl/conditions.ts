/**
 * Which tokens a GLSL preprocessor would compile, as far as we can tell without running it.
 *
 * Corpus shaders hide code behind `#ifndef GL_ES` or `#if __VERSION__ <= 120`; the renamer and the initializer
 * hoister must not act on code the compiler will never see. Every token gets a state: 'on' (all enclosing
 * conditions known true, or none), 'off' (some enclosing condition known false) or 'unknown' (a condition depends
 * on something we do not track, e.g. a function-like macro). Known macros: GL_ES, __VERSION__, the
 * GL_FRAGMENT_PRECISION_HIGH of a fragment shader, and the user's object-like #defines with numeric values.
 */
import { isSignificant, type Token } from './tokenize.ts';

export type CondState = 'on' | 'off' | 'unknown';

interface Frame {
  parent: CondState;
  state: CondState;
  /** Whether an earlier branch of this #if chain was taken. */
  taken: CondState;
}

const and = (a: CondState, b: CondState): CondState =>
  a === 'off' || b === 'off' ? 'off' : a === 'on' && b === 'on' ? 'on' : 'unknown';
const not = (a: CondState): CondState => (a === 'on' ? 'off' : a === 'off' ? 'on' : 'unknown');
const or = (a: CondState, b: CondState): CondState => not(and(not(a), not(b)));

/** Macro values: a number, or null for "defined, value unknown". */
export type MacroTable = Map<string, number | null>;

export function conditionStates(tokens: readonly Token[], predefined: MacroTable): CondState[] {
  const macros: MacroTable = new Map(predefined);
  const states: CondState[] = new Array(tokens.length);
  const stack: Frame[] = [];
  const current = (): CondState => stack[stack.length - 1]?.state ?? 'on';
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (t.directive < 0 || t.text !== '#') {
      states[i] = current();
      i++;
      continue;
    }
    // Collect this directive's significant tokens.
    const start = i;
    const dir: Token[] = [];
    while (i < tokens.length && tokens[i]!.directive === t.directive) {
      if (isSignificant(tokens[i]!)) dir.push(tokens[i]!);
      i++;
    }
    const before = current();
    const name = dir[1]?.text;
    const rest = dir.slice(2);
    const top = stack[stack.length - 1];
    switch (name) {
      case 'if':
      case 'ifdef':
      case 'ifndef': {
        let cond: CondState;
        if (name === 'if') cond = evaluate(rest, macros);
        else {
          const known = rest[0] ? definedState(rest[0].text, macros) : 'unknown';
          cond = name === 'ifdef' ? known : not(known);
        }
        const state = and(before, cond);
        stack.push({ parent: before, state, taken: cond });
        break;
      }
      case 'elif':
        if (top) {
          const cond = and(not(top.taken), evaluate(rest, macros));
          top.state = and(top.parent, cond);
          top.taken = or(top.taken, cond);
        }
        break;
      case 'else':
        if (top) {
          top.state = and(top.parent, not(top.taken));
          top.taken = 'on';
        }
        break;
      case 'endif':
        stack.pop();
        break;
      case 'define':
        if (before !== 'off' && rest[0]) {
          const n = rest[0];
          const next = rest[1];
          const functionLike =
            next !== undefined && next.text === '(' && next.column === n.column + n.text.length;
          const value = rest.length === 2 && next?.kind === 'number' ? parseNumber(next.text) : null;
          macros.set(n.text, functionLike ? null : value);
        }
        break;
      case 'undef':
        if (before !== 'off' && rest[0]) macros.delete(rest[0].text);
        break;
      default:
        break;
    }
    for (let j = start; j < i; j++) states[j] = before;
  }
  return states;
}

function definedState(name: string, macros: MacroTable): CondState {
  // A name nobody defined could still come from the driver (extensions): only GL_ prefixed ones are unsure.
  if (macros.has(name)) return 'on';
  return name.startsWith('GL_') ? 'unknown' : 'off';
}

function parseNumber(text: string): number | null {
  const m = /^(0[xX][0-9a-fA-F]+|\d+)[uU]?$/.exec(text);
  if (!m) return null;
  return Number(m[1]);
}

const BINARY: Record<string, [number, (a: number, b: number) => number]> = {
  '||': [1, (a, b) => (a || b ? 1 : 0)],
  '&&': [2, (a, b) => (a && b ? 1 : 0)],
  '|': [3, (a, b) => a | b],
  '^': [4, (a, b) => a ^ b],
  '&': [5, (a, b) => a & b],
  '==': [6, (a, b) => (a === b ? 1 : 0)],
  '!=': [6, (a, b) => (a !== b ? 1 : 0)],
  '<': [7, (a, b) => (a < b ? 1 : 0)],
  '>': [7, (a, b) => (a > b ? 1 : 0)],
  '<=': [7, (a, b) => (a <= b ? 1 : 0)],
  '>=': [7, (a, b) => (a >= b ? 1 : 0)],
  '<<': [8, (a, b) => a << b],
  '>>': [8, (a, b) => a >> b],
  '+': [9, (a, b) => a + b],
  '-': [9, (a, b) => a - b],
  '*': [10, (a, b) => a * b],
  '/': [10, (a, b) => (b === 0 ? Number.NaN : Math.trunc(a / b))],
  '%': [10, (a, b) => (b === 0 ? Number.NaN : a % b)],
};

/** Evaluates an #if expression; 'unknown' when it needs a value we do not know or does not parse. */
function evaluate(tokens: readonly Token[], macros: MacroTable): CondState {
  // Merge adjacent punctuation into two-character operators (the tokenizer emits single characters).
  const toks: string[] = [];
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    const n = tokens[k + 1];
    if (t.kind === 'punct' && n && n.kind === 'punct' && n.line === t.line && n.column === t.column + 1) {
      const two = t.text + n.text;
      if (Object.hasOwn(BINARY, two)) {
        toks.push(two);
        k++;
        continue;
      }
    }
    toks.push(t.text);
  }
  let pos = 0;
  const fail = (): never => {
    throw new Error('unknown');
  };
  const primary = (): number => {
    const t = toks[pos++];
    if (t === undefined) return fail();
    if (t === '(') {
      const v = binary(0);
      if (toks[pos++] !== ')') fail();
      return v;
    }
    if (t === '!') return primary() ? 0 : 1;
    if (t === '-') return -primary();
    if (t === '+') return primary();
    if (t === '~') return ~primary();
    if (t === 'defined') {
      const paren = toks[pos] === '(';
      if (paren) pos++;
      const name = toks[pos++] ?? fail();
      if (paren && toks[pos++] !== ')') fail();
      const s = definedState(name, macros);
      return s === 'unknown' ? fail() : s === 'on' ? 1 : 0;
    }
    const num = parseNumber(t);
    if (num !== null) return num;
    const value = macros.get(t);
    if (typeof value === 'number') return value;
    return fail();
  };
  const binary = (minPrec: number): number => {
    let left = primary();
    for (;;) {
      const key = toks[pos] ?? '';
      const op = Object.hasOwn(BINARY, key) ? BINARY[key] : undefined;
      if (!op || op[0] < minPrec) return left;
      pos++;
      const right = binary(op[0] + 1);
      left = op[1](left, right);
    }
  };
  try {
    const v = binary(0);
    if (pos !== toks.length || Number.isNaN(v)) return 'unknown';
    return v ? 'on' : 'off';
  } catch {
    return 'unknown';
  }
}
