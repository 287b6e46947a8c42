/**
 * Tokenizer for WIDTH/HEIGHT expressions.
 *
 * VVISF strips every `$` from the string before handing it to exprtk, so `$WIDTH`, `WI$DTH` and `WIDTH` are the same
 * symbol. We mirror that, but keep a map back to the original text so error columns point at what the user wrote.
 */
import { ISFError } from '../errors.ts';

export type TokenKind = 'number' | 'ident' | 'op' | '(' | ')' | ',' | '?' | ':' | 'eof';

export interface Token {
  kind: TokenKind;
  /** Operator spelling, identifier name or number text. */
  text: string;
  value: number;
  /** 1-based column in the original (un-stripped) expression. */
  column: number;
}

/** Longest operators first so `<=` wins over `<`. */
const OPERATORS = [
  '&&',
  '||',
  '<=',
  '>=',
  '==',
  '!=',
  '<>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
  '<',
  '>',
  '=',
  '!',
  '&',
  '|',
];

const NUMBER_RE = /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;

export function expressionError(source: string, column: number, problem: string): ISFError {
  const shown = source.length > 80 ? `${source.slice(0, 77)}...` : source;
  return new ISFError(
    'ISF_EXPRESSION',
    `Invalid expression ${JSON.stringify(shown)}: ${problem} at column ${column}`,
    {
      column,
      details: { expression: source, expressionColumn: column },
    },
  );
}

export function tokenize(source: string): Token[] {
  // Strip `$` (all occurrences, as VVISF does) and remember where each kept character came from.
  let text = '';
  const origin: number[] = [];
  for (let i = 0; i < source.length; i++) {
    if (source[i] === '$') continue;
    text += source[i];
    origin.push(i + 1);
  }
  origin.push(source.length + 1);
  const col = (i: number): number => origin[i] ?? source.length + 1;

  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if ((c >= '0' && c <= '9') || (c === '.' && /\d/.test(text[i + 1] ?? ''))) {
      NUMBER_RE.lastIndex = i;
      const m = NUMBER_RE.exec(text);
      const raw = m ? m[0] : c;
      const next = text[i + raw.length] ?? '';
      if (/[A-Za-z_.\d]/.test(next))
        throw expressionError(source, col(i), `malformed number "${raw}${next}"`);
      tokens.push({ kind: 'number', text: raw, value: Number(raw), column: col(i) });
      i += raw.length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      let j = i + 1;
      while (j < text.length && /[A-Za-z0-9_]/.test(text[j]!)) j++;
      tokens.push({ kind: 'ident', text: text.slice(i, j), value: 0, column: col(i) });
      i = j;
      continue;
    }
    if (c === '(' || c === ')' || c === ',' || c === '?' || c === ':') {
      tokens.push({ kind: c, text: c, value: 0, column: col(i) });
      i++;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op === undefined) throw expressionError(source, col(i), `unexpected character ${JSON.stringify(c)}`);
    tokens.push({ kind: 'op', text: op, value: 0, column: col(i) });
    i += op.length;
  }
  tokens.push({ kind: 'eof', text: '', value: 0, column: col(text.length) });
  return tokens;
}
