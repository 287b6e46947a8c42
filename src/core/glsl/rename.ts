/**
 * Finds user identifiers that GLSL ES 3.00 does not allow (see reserved.ts) and picks their new names.
 *
 * Rules (only applied to the es300 dialect; ES 1.00 accepts all of these names):
 * - a name from ES300_RESERVED_ONLY (e.g. `sample`, `patch`) is renamed wherever it occurs;
 * - a built-in function name (e.g. `round`, `texture`) is renamed when the user declares it at global scope,
 *   as a function (definition or prototype) or a global variable, in every occurrence. A global variable hides
 *   the built-in in every dialect; a function only adds overloads in desktop GLSL and ES 1.00, so the generator
 *   adds forwarding overloads of the renamed name that call the built-in (forwarding.ts), and calls meant for the
 *   built-in still reach it. Locals and parameters may shadow built-ins in ES 3.00 too, so they are left alone;
 * - an ES 3.00 keyword that means something in ES 3.00 (`uint`, `layout`, `smooth`...) is renamed only where the
 *   user declares it as a name (a type-like token before it and `= ; , [ ) (` after it), so shaders that use
 *   `uint` as a type keep working.
 */

import type { CondState } from './conditions.ts';
import { canonicalType } from './forwarding.ts';
import {
  ES300_BUILTIN_FUNCTIONS,
  ES300_NEW_KEYWORDS,
  ES300_RESERVED_ONLY,
  ES310_ADDITIONS,
  NOT_A_TYPE,
} from './reserved.ts';
import { isSignificant, type Token } from './tokenize.ts';

export const RENAME_PREFIX = 'isf_user_';

export interface Declarations {
  /** Names declared at global scope (functions, prototypes, global variables) and macro names. */
  globals: Set<string>;
  /** Names declared anywhere (locals and parameters included). */
  anywhere: Set<string>;
  /** First token where each name was declared, for messages. */
  at: Map<string, Token>;
}

const DECL_FOLLOWERS_GLOBAL = new Set(['(', '=', ';', ',', '[']);
const DECL_FOLLOWERS_ANY = new Set(['(', '=', ';', ',', '[', ')']);

/** Collects declared names with a token heuristic that is enough for the rules above. */
export function findDeclarations(tokens: readonly Token[], states: readonly CondState[]): Declarations {
  const globals = new Set<string>();
  const anywhere = new Set<string>();
  const at = new Map<string, Token>();
  const code: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (!isSignificant(t) || states[i] === 'off') continue;
    if (t.directive >= 0) {
      // `#define NAME`: a macro name counts as a global declaration (it hides whatever comes later).
      if (t.kind === 'ident' && t.text === 'define') {
        const name = nextSignificant(tokens, i);
        if (name && name.kind === 'ident' && name.directive === t.directive) {
          globals.add(name.text);
          if (!at.has(name.text)) at.set(name.text, name);
        }
      }
      continue;
    }
    code.push(t);
  }
  let braces = 0;
  let parens = 0;
  for (let k = 0; k < code.length; k++) {
    const t = code[k]!;
    if (t.text === '{') braces++;
    else if (t.text === '}') braces = Math.max(0, braces - 1);
    else if (t.text === '(') parens++;
    else if (t.text === ')') parens = Math.max(0, parens - 1);
    if (t.kind !== 'ident') continue;
    const prev = code[k - 1];
    const next = code[k + 1];
    const prevIsType = prev !== undefined && prev.kind === 'ident' && !NOT_A_TYPE.has(prev.text);
    if (!prevIsType || next === undefined) continue;
    if (DECL_FOLLOWERS_ANY.has(next.text)) {
      anywhere.add(t.text);
      if (!at.has(t.text)) at.set(t.text, t);
    }
    if (braces === 0 && parens === 0 && DECL_FOLLOWERS_GLOBAL.has(next.text)) globals.add(t.text);
  }
  return { globals, anywhere, at };
}

function nextSignificant(tokens: readonly Token[], i: number): Token | undefined {
  for (let j = i + 1; j < tokens.length; j++) if (isSignificant(tokens[j]!)) return tokens[j];
  return undefined;
}

/** True for a name ES 3.00 will not accept as a global (uniform) name. */
export function isES300Reserved(name: string, es310 = false): boolean {
  return (
    ES300_BUILTIN_FUNCTIONS.has(name) ||
    ES300_RESERVED_ONLY.has(name) ||
    ES300_NEW_KEYWORDS.has(name) ||
    (es310 && ES310_ADDITIONS.has(name))
  );
}

/** Names to rename for ES 3.00, each with the token that triggered it. */
export function findES300Collisions(
  tokens: readonly Token[],
  states: readonly CondState[],
  decls: Declarations,
  es310 = false,
): Map<string, Token> {
  const out = new Map<string, Token>();
  tokens.forEach((t, i) => {
    if (t.kind === 'ident' && states[i] !== 'off' && ES300_RESERVED_ONLY.has(t.text) && !out.has(t.text)) {
      out.set(t.text, t);
    }
  });
  for (const name of decls.globals) {
    // Macro names are expanded away by the preprocessor, so only real declarations count here.
    const tok = decls.at.get(name);
    const builtin = ES300_BUILTIN_FUNCTIONS.has(name) || (es310 && ES310_ADDITIONS.has(name));
    if (builtin && tok && tok.directive < 0 && !out.has(name)) out.set(name, tok);
  }
  for (const name of decls.anywhere) {
    if (ES300_NEW_KEYWORDS.has(name) && !out.has(name)) out.set(name, decls.at.get(name)!);
  }
  return out;
}

const PARAMETER_QUALIFIERS = new Set(['const', 'in', 'out', 'inout', 'highp', 'mediump', 'lowp', 'precise']);

/**
 * The parameter type lists of every global function declaration (definition or prototype) named `name`, types in
 * canonicalType() form (`out` dropped, mat2x2 as mat2); an array parameter is written `type[]`, which matches no
 * built-in. Used to leave out the forwarding overloads (forwarding.ts) the user defines themselves.
 */
export function globalFunctionSignatures(
  tokens: readonly Token[],
  states: readonly CondState[],
  name: string,
): string[][] {
  const code = tokens.filter((t, i) => isSignificant(t) && states[i] !== 'off' && t.directive < 0);
  const out: string[][] = [];
  let depth = 0;
  for (let k = 0; k < code.length; k++) {
    const t = code[k]!;
    if (t.text === '{' || t.text === '(') depth++;
    else if (t.text === '}' || t.text === ')') depth = Math.max(0, depth - 1);
    if (depth !== 0 || t.kind !== 'ident' || t.text !== name || code[k + 1]?.text !== '(') continue;
    const prev = code[k - 1];
    if (prev === undefined || prev.kind !== 'ident' || NOT_A_TYPE.has(prev.text)) continue;
    const params: string[][] = [[]];
    let inner = 0;
    let j = k + 2;
    for (; j < code.length; j++) {
      const p = code[j]!;
      if (p.text === '(' || p.text === '[') inner++;
      else if (p.text === ']') inner--;
      else if (p.text === ')') {
        if (inner === 0) break;
        inner--;
      }
      if (inner === 0 && p.text === ',') params.push([]);
      else params[params.length - 1]!.push(p.text);
    }
    k = j;
    const types = params
      .map((words) => words.filter((w) => !PARAMETER_QUALIFIERS.has(w)))
      .filter((words) => words.length > 0 && !(words.length === 1 && words[0] === 'void'))
      .map((words) => canonicalType(words.includes('[') ? `${words[0]}[]` : words[0]!));
    out.push(types);
  }
  return out;
}
