/**
 * Moves non-constant global initializers into the start of main().
 *
 * GLSL ES (1.00 and 3.00) requires global initializers to be constant expressions; desktop GL drivers accept
 * `float d = 1.0 / sizeSpread;` at global scope, and several corpus shaders rely on it. We keep the declaration
 * (`float d;`, its line breaks kept) and assign `d = 1.0 / sizeSpread;` right after main's `{`, on the same line,
 * in declaration order, which is when the desktop driver would have run it. Only declarations in code that is
 * certainly compiled (conditions.ts 'on') are moved, and only when main() is too; others are left alone.
 *
 * "Constant" is judged conservatively: numbers, type constructors, built-in functions, true/false and earlier
 * `const` globals. Anything else (uniforms, user functions, other globals) makes the initializer move.
 */
import type { CondState } from './conditions.ts';
import { ES300_BUILTIN_FUNCTIONS } from './reserved.ts';
import { isSignificant, type Token } from './tokenize.ts';

const TYPE_WORDS = new Set([
  'float',
  'int',
  'uint',
  'bool',
  'vec2',
  'vec3',
  'vec4',
  'ivec2',
  'ivec3',
  'ivec4',
  'uvec2',
  'uvec3',
  'uvec4',
  'bvec2',
  'bvec3',
  'bvec4',
  'mat2',
  'mat3',
  'mat4',
  'mat2x2',
  'mat2x3',
  'mat2x4',
  'mat3x2',
  'mat3x3',
  'mat3x4',
  'mat4x2',
  'mat4x3',
  'mat4x4',
  'true',
  'false',
]);
const NO_HOIST_QUALIFIERS = new Set([
  'const',
  'uniform',
  'attribute',
  'varying',
  'in',
  'out',
  'inout',
  'precision',
  'layout',
  'invariant',
  'struct',
  'flat',
  'smooth',
  'centroid',
]);
const PRECISION = new Set(['highp', 'mediump', 'lowp']);

/** Returns a new token list (same line breaks) or the input when there is nothing to move. */
export function hoistGlobalInitializers(tokens: readonly Token[], states: readonly CondState[]): Token[] {
  // Significant, non-directive token indices (the statement structure).
  const idx: number[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (isSignificant(t) && t.directive < 0) idx.push(i);
  }
  const consts = new Set<string>();
  const moves: { name: Token; init: [number, number] }[] = [];
  let mainBrace = -1;
  let k = 0;
  while (k < idx.length) {
    // One global statement: up to ';' at depth 0, or a '{ ... }' block (function body, struct).
    const startK = k;
    let depth = 0;
    let blockAt = -1;
    while (k < idx.length) {
      const text = tokens[idx[k]!]!.text;
      if (text === '(' || text === '[') depth++;
      else if (text === ')' || text === ']') depth--;
      else if (text === '{' && depth === 0) {
        blockAt = k;
        break;
      } else if (text === ';' && depth === 0) break;
      k++;
    }
    if (blockAt >= 0) {
      const stmt = idx.slice(startK, blockAt).map((i) => tokens[i]!);
      const isMain =
        stmt.length >= 4 &&
        stmt[1]?.text === 'main' &&
        stmt[2]?.text === '(' &&
        states[idx[blockAt]!] === 'on' &&
        stmt.every((t) => t.text !== 'struct');
      if (isMain && mainBrace < 0) mainBrace = idx[blockAt]!;
      // Skip the block.
      let braces = 0;
      for (; k < idx.length; k++) {
        const text = tokens[idx[k]!]!.text;
        if (text === '{') braces++;
        else if (text === '}' && --braces === 0) break;
      }
      k++;
      // A struct declaration continues to its ';'.
      if (stmt.some((t) => t.text === 'struct')) {
        while (k < idx.length && tokens[idx[k]!]!.text !== ';') k++;
        k++;
      }
      continue;
    }
    const stmtIdx = idx.slice(startK, k);
    k++;
    analyseDeclaration(tokens, states, stmtIdx, consts, moves);
  }
  if (moves.length === 0 || mainBrace < 0) return tokens as Token[];

  const out: Token[] = [];
  const blanked = new Set<number>();
  for (const m of moves) for (let i = m.init[0]; i < m.init[1]; i++) blanked.add(i);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (blanked.has(i)) {
      const breaks = t.text.replace(/[^\n]/g, '');
      if (breaks !== '') out.push({ ...t, kind: 'ws', text: breaks });
      continue;
    }
    out.push(t);
    if (i === mainBrace) {
      const at = { line: t.line, column: t.column + 1, directive: -1 };
      for (const m of moves) {
        out.push({ ...at, kind: 'ws', text: ' ' }, { ...m.name }, { ...at, kind: 'punct', text: ' =' });
        for (let j = m.init[0] + 1; j < m.init[1]; j++) {
          const tok = tokens[j]!;
          // Flattened onto main's line: line breaks and comments become spaces.
          out.push(isSignificant(tok) ? tok : { ...tok, kind: 'ws', text: ' ' });
        }
        out.push({ ...at, kind: 'punct', text: ';' });
      }
    }
  }
  return out;
}

function analyseDeclaration(
  tokens: readonly Token[],
  states: readonly CondState[],
  stmtIdx: number[],
  consts: Set<string>,
  moves: { name: Token; init: [number, number] }[],
): void {
  const stmt = stmtIdx.map((i) => tokens[i]!);
  if (stmt.length < 2) return;
  const isConst = stmt.some((t) => t.text === 'const');
  // Position after qualifiers and the type (and an optional array size on the type).
  let p = 0;
  while (p < stmt.length && (PRECISION.has(stmt[p]!.text) || stmt[p]!.text === 'const')) p++;
  const type = stmt[p];
  if (type?.kind !== 'ident') return;
  if (stmt.some((t) => NO_HOIST_QUALIFIERS.has(t.text)) && !isConst) return;
  p++;
  if (stmt[p]?.text === '[') p = skipGroup(stmt, p);
  // Declarators: name [array] [= init], separated by top-level commas.
  while (p < stmt.length) {
    const name = stmt[p];
    if (name?.kind !== 'ident') return;
    p++;
    if (stmt[p]?.text === '[') p = skipGroup(stmt, p);
    let initStart = -1;
    let initEnd = p;
    if (stmt[p]?.text === '=') {
      initStart = p;
      let depth = 0;
      p++;
      while (p < stmt.length) {
        const text = stmt[p]!.text;
        if (text === '(' || text === '[' || text === '{') depth++;
        else if (text === ')' || text === ']' || text === '}') depth--;
        else if (text === ',' && depth === 0) break;
        p++;
      }
      initEnd = p;
    }
    if (isConst) consts.add(name.text);
    else if (initStart >= 0 && !isConstantExpression(stmt.slice(initStart + 1, initEnd), consts)) {
      const first = stmtIdx[initStart]!;
      const last = stmtIdx[initEnd - 1]!;
      // Not when a directive sits inside the initializer: main() would not see the same condition.
      let allOn = stmtIdx.every((i) => states[i] === 'on');
      for (let i = first; i <= last && allOn; i++) if (tokens[i]!.directive >= 0) allOn = false;
      // The raw token range from '=' through the last initializer token (whitespace and comments inside included).
      if (allOn) moves.push({ name, init: [first, last + 1] });
    }
    if (stmt[p]?.text === ',') p++;
    else if (p < stmt.length) return;
  }
}

function skipGroup(stmt: Token[], p: number): number {
  let depth = 0;
  for (; p < stmt.length; p++) {
    const text = stmt[p]!.text;
    if (text === '[' || text === '(') depth++;
    else if ((text === ']' || text === ')') && --depth === 0) return p + 1;
  }
  return p;
}

function isConstantExpression(expr: Token[], consts: ReadonlySet<string>): boolean {
  for (let i = 0; i < expr.length; i++) {
    const t = expr[i]!;
    if (t.kind !== 'ident') continue;
    if (expr[i - 1]?.text === '.') continue; // swizzle or field
    if (TYPE_WORDS.has(t.text) || consts.has(t.text)) continue;
    if (ES300_BUILTIN_FUNCTIONS.has(t.text) && !t.text.startsWith('texture') && !t.text.startsWith('texel'))
      continue;
    return false;
  }
  return true;
}
