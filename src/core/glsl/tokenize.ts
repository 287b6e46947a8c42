/**
 * A small GLSL tokenizer for source-to-source rewriting.
 *
 * It does not need to understand GLSL: it only has to find identifiers reliably (never inside comments or strings,
 * never as part of a longer identifier), keep every character of the input (concatenating all token texts gives the
 * input back), and know which tokens sit on preprocessor lines. Operators are single-character `punct` tokens,
 * which is all the IMG_* expansion and the renamer need.
 */

export type TokenKind = 'ident' | 'number' | 'punct' | 'ws' | 'comment' | 'string';

export interface Token {
  kind: TokenKind;
  text: string;
  /** 1-based line and column of the first character. */
  line: number;
  column: number;
  /** Index of the preprocessor directive this token belongs to (the `#` included), or -1 on ordinary lines. */
  directive: number;
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_]/;
const DIGIT = /[0-9]/;

/** Line breaks are normalised to "\n" first (GLSL accepts CR, LF and CRLF; our line maps count each as one). */
export function normalizeNewlines(source: string): string {
  return source.replace(/\r\n?/g, '\n');
}

/** Tokenizes `source` (already newline-normalised). `join(tokens) === source` always holds. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let column = 1;
  let directive = -1;
  let directiveCount = 0;
  /** True while only whitespace/comments have been seen since the last line break (a `#` here starts a directive). */
  let lineStart = true;

  const push = (kind: TokenKind, end: number): void => {
    const text = source.slice(i, end);
    tokens.push({ kind, text, line, column, directive });
    for (const ch of text) {
      if (ch === '\n') {
        line++;
        column = 1;
      } else column++;
    }
    i = end;
  };

  while (i < source.length) {
    const ch = source[i]!;
    if (ch === '\n') {
      // A line break ends a directive unless it is escaped (line continuation, handled in the ws branch below).
      directive = -1;
      lineStart = true;
      push('ws', i + 1);
      continue;
    }
    if (ch === '\\' && source[i + 1] === '\n') {
      // Line continuation: whitespace that keeps the directive going.
      push('ws', i + 2);
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\v' || ch === '\f') {
      let j = i + 1;
      while (j < source.length && /[ \t\v\f]/.test(source[j]!)) j++;
      push('ws', j);
      continue;
    }
    if (ch === '/' && source[i + 1] === '/') {
      // A line comment runs to the line break; a backslash-newline continues it (C preprocessor rule).
      let j = i + 2;
      while (j < source.length && !(source[j] === '\n' && source[j - 1] !== '\\')) j++;
      push('comment', j);
      continue;
    }
    if (ch === '/' && source[i + 1] === '*') {
      const close = source.indexOf('*/', i + 2);
      push('comment', close < 0 ? source.length : close + 2);
      continue;
    }
    if (ch === '"') {
      // GLSL has no string literals, but #include/#error/#line lines may carry one; never rewrite inside it.
      let j = i + 1;
      while (j < source.length && source[j] !== '"' && source[j] !== '\n') j += source[j] === '\\' ? 2 : 1;
      push('string', Math.min(source.length, source[j] === '"' ? j + 1 : j));
      lineStart = false;
      continue;
    }
    if (ch === '#' && lineStart) {
      directive = directiveCount++;
      lineStart = false;
      push('punct', i + 1);
      continue;
    }
    lineStart = false;
    if (IDENT_START.test(ch)) {
      let j = i + 1;
      while (j < source.length && IDENT_PART.test(source[j]!)) j++;
      push('ident', j);
      continue;
    }
    if (DIGIT.test(ch) || (ch === '.' && DIGIT.test(source[i + 1] ?? ''))) {
      // Numbers: digits, hex, suffixes (u, f, lf) and exponents with a sign.
      let j = i + 1;
      while (j < source.length) {
        const c = source[j]!;
        if (IDENT_PART.test(c) || c === '.') j++;
        else if (
          (c === '+' || c === '-') &&
          /[eE]/.test(source[j - 1]!) &&
          !/^0[xX]/.test(source.slice(i, j))
        )
          j++;
        else break;
      }
      push('number', j);
      continue;
    }
    push('punct', i + 1);
  }
  return tokens;
}

/** True for tokens that carry meaning (not whitespace or comments). */
export function isSignificant(t: Token): boolean {
  return t.kind !== 'ws' && t.kind !== 'comment';
}

export function joinTokens(tokens: readonly Token[]): string {
  let s = '';
  for (const t of tokens) s += t.text;
  return s;
}
