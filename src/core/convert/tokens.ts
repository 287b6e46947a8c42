/**
 * Token utilities shared by the Shadertoy and GLSL Sandbox converters: bracket matching, call arguments, top-level
 * statements and declarations. Everything works on the tokens of src/core/glsl/tokenize.ts, so comments, strings
 * and longer identifiers are never touched (the converters never replace plain text).
 */
import { isSignificant, type Token } from '../glsl/tokenize.ts';

/** Index of the next significant token at or after `i` (tokens.length when there is none). */
export function nextCode(tokens: readonly Token[], i: number): number {
  let j = i;
  while (j < tokens.length && !isSignificant(tokens[j]!)) j++;
  return j;
}

/** Index of the previous significant token before `i` (-1 when there is none). */
export function prevCode(tokens: readonly Token[], i: number): number {
  let j = i - 1;
  while (j >= 0 && !isSignificant(tokens[j]!)) j--;
  return j;
}

const OPEN: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/** Index of the bracket closing the one at `open`, or -1 when it is never closed. */
export function matchBracket(tokens: readonly Token[], open: number): number {
  const stack: string[] = [];
  for (let i = open; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'punct') continue;
    if (Object.hasOwn(OPEN, t.text)) stack.push(OPEN[t.text]!);
    else if (t.text === ')' || t.text === ']' || t.text === '}') {
      if (stack.pop() !== t.text) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}

/** A call's arguments as token ranges [start, end) between `(` at `open` and its `)` at `close`. */
export function splitArguments(
  tokens: readonly Token[],
  open: number,
  close: number,
): Array<[number, number]> {
  const args: Array<[number, number]> = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open + 1; i < close; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'punct') continue;
    if (t.text === '(' || t.text === '[' || t.text === '{') depth++;
    else if (t.text === ')' || t.text === ']' || t.text === '}') depth--;
    else if (t.text === ',' && depth === 0) {
      args.push([start, i]);
      start = i + 1;
    }
  }
  if (nextCode(tokens, start) < close || args.length > 0) args.push([start, close]);
  return args;
}

/** The single identifier a range holds (whitespace and comments aside), or undefined. */
export function soleIdentifier(tokens: readonly Token[], [start, end]: [number, number]): Token | undefined {
  const a = nextCode(tokens, start);
  if (a >= end || tokens[a]!.kind !== 'ident') return undefined;
  return nextCode(tokens, a + 1) >= end ? tokens[a] : undefined;
}

/** A top-level item of a translation unit: a statement ending in `;`, a function definition, or a directive line. */
export interface TopLevelItem {
  kind: 'statement' | 'function' | 'directive';
  /** Token range [start, end), end exclusive; for a function it includes the body's closing brace. */
  start: number;
  end: number;
  /** For functions: the function's name token index. */
  nameIndex?: number;
  /** Depth of #if nesting the item sits in (0: unconditional). */
  conditionDepth: number;
}

/**
 * Splits a pass's tokens into top-level items. A function definition is `... name ( ... ) { ... }`; anything else
 * runs to a `;` at bracket depth 0. Directives are their own items, so #if nesting is known for each item.
 */
export function topLevelItems(tokens: readonly Token[]): TopLevelItem[] {
  const items: TopLevelItem[] = [];
  let i = nextCode(tokens, 0);
  let conditionDepth = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (t.directive >= 0) {
      let j = i;
      while (j < tokens.length && tokens[j]!.directive === t.directive) j++;
      const word = tokens[nextCode(tokens, i + 1)];
      const name = word && word.directive === t.directive ? word.text : '';
      if (name === 'endif') conditionDepth = Math.max(0, conditionDepth - 1);
      items.push({ kind: 'directive', start: i, end: j, conditionDepth });
      if (name === 'if' || name === 'ifdef' || name === 'ifndef') conditionDepth++;
      i = nextCode(tokens, j);
      continue;
    }
    let j = i;
    let lastParenClose = -1;
    let nameIndex = -1;
    let kind: TopLevelItem['kind'] = 'statement';
    while (j < tokens.length) {
      const u = tokens[j]!;
      if (u.directive >= 0) break; // a directive inside a statement: end the item here, keep going after it
      if (u.text === '(' && u.kind === 'punct') {
        const close = matchBracket(tokens, j);
        if (close < 0) {
          j = tokens.length;
          break;
        }
        const before = prevCode(tokens, j);
        if (before >= i && tokens[before]!.kind === 'ident') nameIndex = before;
        lastParenClose = close;
        j = close + 1;
        continue;
      }
      if (u.text === '{' && u.kind === 'punct') {
        const close = matchBracket(tokens, j);
        const isFunction = lastParenClose >= 0 && nextCode(tokens, lastParenClose + 1) === j;
        if (close < 0) {
          j = tokens.length;
          break;
        }
        j = close + 1;
        if (isFunction) {
          kind = 'function';
          break;
        }
        continue; // struct body or initializer list: the statement goes on to its `;`
      }
      if (u.text === ';' && u.kind === 'punct') {
        j++;
        break;
      }
      j++;
    }
    const item: TopLevelItem = { kind, start: i, end: j, conditionDepth };
    if (kind === 'function' && nameIndex >= 0) item.nameIndex = nameIndex;
    items.push(item);
    i = nextCode(tokens, j);
  }
  return items;
}

/** Identifiers a `uniform`/`out`/variable statement declares: the names before `;`, `,`, `=` or `[` at depth 0. */
export function declaredNames(tokens: readonly Token[], item: TopLevelItem): Token[] {
  const names = new Map<string, Token>();
  let depth = 0;
  let inInitializer = false;
  let previous: Token | undefined;
  for (let i = item.start; i < item.end; i++) {
    const t = tokens[i]!;
    if (!isSignificant(t)) continue;
    if (depth === 0 && t.kind === 'punct') {
      const ends = t.text === ';' || t.text === ',' || t.text === '=' || t.text === '[';
      if (ends && !inInitializer && previous?.kind === 'ident' && !names.has(previous.text)) {
        names.set(previous.text, previous);
      }
      if (t.text === '=') inInitializer = true;
      else if (t.text === ',' || t.text === ';') inInitializer = false;
    }
    if (t.text === '(' || t.text === '[' || t.text === '{') depth++;
    else if (t.text === ')' || t.text === ']' || t.text === '}') depth--;
    previous = t;
  }
  return [...names.values()];
}

/** The first significant identifier of an item (its qualifier or type), for recognising `uniform ...;`. */
export function firstWord(tokens: readonly Token[], item: TopLevelItem): string {
  const i = nextCode(tokens, item.start);
  return i < item.end ? tokens[i]!.text : '';
}

/** The source text of a token range. */
export function rangeText(tokens: readonly Token[], start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += tokens[i]!.text;
  return s;
}

/** Blanks a token range but keeps its line breaks, so later lines keep their numbers. */
export function blankKeepingLines(tokens: readonly Token[], start: number, end: number): string {
  return rangeText(tokens, start, end).replace(/[^\n]/g, '');
}
