/**
 * Desktop GLSL's implicit conversions made explicit for GLSL ES.
 *
 * Desktop GLSL (1.20+) converts int → float (and ivecN → vecN, int → uint in 4.00) where an operator, an
 * initializer, an assignment or a function argument needs it: `float x = 1;`, `t > 0` with a float t, `vec3(1) * 2`,
 * `pow(x, 2)`, `uint c = 0;`. No GLSL ES version does (only ES 3.10 with GL_EXT_shader_implicit_conversions, which
 * WebGL lacks), so such shaders fail with "could not implicitly convert operands" or "initializer of type int cannot
 * be assigned to float". This pass types the generated shader's expressions (a small recursive-descent parser over
 * the tokens of tokenize.ts, with scopes, the user's functions and structs, object-like macros and the built-in
 * functions) and writes each conversion out: an integer literal gets `.0` (or `u`), any other expression is wrapped
 * in `float(…)` / `vecN(…)` / `uint(…)`. It only ever inserts text on a line (never a line break), so line maps stay
 * valid, and it only acts where it knows both types: an unknown name, a function-like macro or a construct it does
 * not parse leaves that expression (or, on a parse failure, that function) exactly as written, for the driver to
 * judge. `return 0;` in a float function is left alone: VVISF's desktop drivers refuse it too.
 */

import { builtinFunctionType } from './builtins.ts';
import { type CondState, conditionStates, type MacroTable } from './conditions.ts';
import {
  builtinType,
  type GType,
  indexed,
  isIntegral,
  isNumeric,
  isScalar,
  sameType,
  swizzled,
  vectorOf,
  withBase,
} from './gltypes.ts';
import { isSignificant, joinTokens, type Token, tokenize } from './tokenize.ts';

export interface ConversionResult {
  source: string;
  /** Generated (1-based) line and column of every conversion written out, in source order. */
  conversions: { line: number; column: number; from: string; to: string }[];
}

/** Rewrites `source` (a whole generated shader) with its implicit conversions made explicit. */
export function explicitConversions(source: string, macros: MacroTable): ConversionResult {
  const tokens = tokenize(source);
  const states = conditionStates(tokens, macros);
  const rewriter = new Rewriter(tokens, states);
  rewriter.run();
  return rewriter.result();
}

const QUALIFIERS = new Set([
  'const',
  'in',
  'out',
  'inout',
  'uniform',
  'attribute',
  'varying',
  'highp',
  'mediump',
  'lowp',
  'flat',
  'smooth',
  'centroid',
  'invariant',
  'precise',
]);
const ASSIGN_OPS = new Set(['=', '+=', '-=', '*=', '/=', '%=', '<<=', '>>=', '&=', '|=', '^=']);
const MULTI_CHAR = [
  '<<=',
  '>>=',
  '++',
  '--',
  '+=',
  '-=',
  '*=',
  '/=',
  '%=',
  '&=',
  '|=',
  '^=',
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '^^',
  '<<',
  '>>',
];
/** Binary operators by precedence, loosest first. */
const BINARY_LEVELS = [
  ['||'],
  ['^^'],
  ['&&'],
  ['|'],
  ['^'],
  ['&'],
  ['==', '!='],
  ['<', '>', '<=', '>='],
  ['<<', '>>'],
  ['+', '-'],
  ['*', '/', '%'],
];

/** One lexeme: a token, or several punctuation tokens forming one operator. */
interface Lex {
  text: string;
  kind: Token['kind'];
  /** Indices into the token array of its first and last token. */
  first: number;
  last: number;
}

interface Expr {
  type: GType | null;
  first: number;
  last: number;
  /** Token index of a decimal integer literal when the expression is that literal (maybe negated or in parentheses). */
  literal?: number;
}

interface FunctionSig {
  params: { type: GType | null; out: boolean }[];
  ret: GType | null;
}

interface Edit {
  kind: 'wrap' | 'literal';
  first: number;
  last: number;
  text: string;
  from: string;
  to: string;
}

class ParseError extends Error {}

class Rewriter {
  private readonly lex: Lex[] = [];
  private pos = 0;
  private edits: Edit[] = [];
  private readonly scopes: Map<string, GType>[] = [new Map()];
  private readonly functions = new Map<string, FunctionSig[]>();
  private readonly structs = new Map<string, Map<string, GType>>();
  /** Object-like macros: name → body lexemes; function-like macro names map to null. */
  private readonly macros = new Map<string, Lex[] | null>();
  private readonly macroTypes = new Map<string, GType | null>();
  /** While typing a macro body, edits are not recorded (they would land inside the #define). */
  private recording = true;

  constructor(
    private readonly tokens: Token[],
    states: CondState[],
  ) {
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i]!;
      if (states[i] === 'off') continue;
      if (t.directive >= 0) {
        if (t.text === '#') i = this.readDirective(i) - 1;
        continue;
      }
      if (!isSignificant(t)) continue;
      const prev = this.lex[this.lex.length - 1];
      if (t.kind === 'punct' && prev?.kind === 'punct' && prev.last === i - 1) {
        const joined = prev.text + t.text;
        if (MULTI_CHAR.some((op) => op.startsWith(joined))) {
          prev.text = joined;
          prev.last = i;
          continue;
        }
      }
      this.lex.push({ text: t.text, kind: t.kind, first: i, last: i });
    }
  }

  /** Records #define / #undef; returns the index after the directive. */
  private readDirective(start: number): number {
    const d = this.tokens[start]!.directive;
    let end = start;
    while (end < this.tokens.length && this.tokens[end]!.directive === d) end++;
    const sig: number[] = [];
    for (let k = start; k < end; k++) if (isSignificant(this.tokens[k]!)) sig.push(k);
    const word = this.tokens[sig[1] ?? start]!.text;
    const nameIdx = sig[2];
    if (nameIdx === undefined) return end;
    const name = this.tokens[nameIdx]!.text;
    if (word === 'undef') this.macros.delete(name);
    else if (word === 'define') {
      const functionLike = this.tokens[nameIdx + 1]?.text === '(';
      this.macros.set(
        name,
        functionLike
          ? null
          : sig
              .slice(3)
              .map((k) => ({ text: this.tokens[k]!.text, kind: this.tokens[k]!.kind, first: k, last: k })),
      );
      this.macroTypes.delete(name);
    }
    return end;
  }

  result(): ConversionResult {
    const pre = new Map<number, string>();
    const post = new Map<number, string>();
    const text = new Map<number, string>();
    for (const e of this.edits) {
      if (e.kind === 'literal') text.set(e.first, e.text);
      else {
        pre.set(e.first, `${e.text}(${pre.get(e.first) ?? ''}`);
        post.set(e.last, `${post.get(e.last) ?? ''})`);
      }
    }
    const out = this.tokens.map((t, i) => `${pre.get(i) ?? ''}${text.get(i) ?? t.text}${post.get(i) ?? ''}`);
    const conversions = this.edits
      .map((e) => ({
        line: this.tokens[e.first]!.line,
        column: this.tokens[e.first]!.column,
        from: e.from,
        to: e.to,
      }))
      .sort((a, b) => a.line - b.line || a.column - b.column);
    return { source: this.edits.length ? out.join('') : joinTokens(this.tokens), conversions };
  }

  // ---- token helpers -------------------------------------------------------------------------------------------

  private peek(k = 0): Lex | undefined {
    return this.lex[this.pos + k];
  }
  private at(text: string, k = 0): boolean {
    return this.lex[this.pos + k]?.text === text;
  }
  private next(): Lex {
    const l = this.lex[this.pos];
    if (!l) throw new ParseError('unexpected end');
    this.pos++;
    return l;
  }
  private expect(text: string): Lex {
    const l = this.next();
    if (l.text !== text) throw new ParseError(`expected ${text}`);
    return l;
  }
  /** Index of the lexeme closing the bracket at `open`. */
  private matching(open: number): number {
    const o = this.lex[open]!.text;
    const c = o === '(' ? ')' : o === '[' ? ']' : '}';
    let depth = 0;
    for (let k = open; k < this.lex.length; k++) {
      const t = this.lex[k]!.text;
      if (t === o) depth++;
      else if (t === c && --depth === 0) return k;
    }
    throw new ParseError('unbalanced');
  }

  // ---- names and types -----------------------------------------------------------------------------------------

  private lookup(name: string): GType | null | undefined {
    for (let s = this.scopes.length - 1; s >= 0; s--) {
      const t = this.scopes[s]!.get(name);
      if (t) return t;
    }
    return undefined;
  }
  private declare(name: string, type: GType | null): void {
    const scope = this.scopes[this.scopes.length - 1]!;
    if (type) scope.set(name, type);
    else scope.delete(name);
  }

  /** The type a type-name word denotes: a built-in, a struct, or a macro standing for one. */
  private typeNamed(word: string): GType | undefined {
    if (this.lookup(word)) return undefined;
    const b = builtinType(word);
    if (b) return b;
    if (this.structs.has(word)) return { base: 'other', n: 1, cols: 1, name: word };
    const body = this.macros.get(word);
    if (body && body.length === 1) return this.typeNamed(body[0]!.text);
    return undefined;
  }
  private atType(k = 0): boolean {
    const l = this.peek(k);
    return !!l && l.kind === 'ident' && this.typeNamed(l.text) !== undefined;
  }

  /** Parses a type specifier (`vec3`, `float[3]`, a struct name); the caller checked atType(). */
  private parseTypeSpec(): GType {
    const t = { ...this.typeNamed(this.next().text)! };
    if (this.at('[')) {
      this.pos = this.matching(this.pos) + 1;
      t.array = true;
    }
    return t;
  }

  private skipQualifiers(): { sawQualifier: boolean; out: boolean } {
    let sawQualifier = false;
    let out = false;
    for (;;) {
      const l = this.peek();
      if (!l) break;
      if (l.text === 'layout' && this.at('(', 1)) {
        this.pos = this.matching(this.pos + 1) + 1;
      } else if (QUALIFIERS.has(l.text) && !this.lookup(l.text)) {
        if (l.text === 'out' || l.text === 'inout') out = true;
        this.pos++;
      } else break;
      sawQualifier = true;
    }
    return { sawQualifier, out };
  }

  // ---- conversions ---------------------------------------------------------------------------------------------

  /** Makes `e` explicitly of type `target` when desktop GLSL would convert it implicitly; returns the new type. */
  private convert(e: Expr, target: GType): GType | null {
    const from = e.type;
    if (!from || from.array || target.array || from.cols > 1 || target.cols > 1 || from.n !== target.n)
      return from;
    if (!isIntegral(from) || from.base === target.base) return from;
    if (target.base !== 'float' && !(target.base === 'uint' && from.base === 'int')) return from;
    if (!this.recording) return target;
    const literal = e.literal !== undefined ? this.tokens[e.literal]!.text : undefined;
    if (literal !== undefined && target.base === 'float') {
      this.edits.push({
        kind: 'literal',
        first: e.literal!,
        last: e.literal!,
        text: `${literal.replace(/[uU]$/, '')}.0`,
        from: from.name,
        to: target.name,
      });
    } else if (literal !== undefined && target.base === 'uint') {
      this.edits.push({
        kind: 'literal',
        first: e.literal!,
        last: e.literal!,
        text: `${literal}u`,
        from: from.name,
        to: target.name,
      });
    } else {
      this.edits.push({
        kind: 'wrap',
        first: e.first,
        last: e.last,
        text: target.name,
        from: from.name,
        to: target.name,
      });
    }
    return target;
  }

  /** The base both operands of an arithmetic or comparison operator get (float beats uint beats int), or null. */
  private balance(a: Expr, b: Expr): void {
    if (!a.type || !b.type || !isNumeric(a.type) || !isNumeric(b.type) || a.type.base === b.type.base) return;
    const target = a.type.base === 'float' || b.type.base === 'float' ? 'float' : 'uint';
    for (const e of [a, b]) {
      if (e.type && e.type.base !== target && e.type.cols === 1 && !e.type.array) {
        e.type = this.convert(e, withBase(e.type, target));
      }
    }
  }

  // ---- top level -----------------------------------------------------------------------------------------------

  run(): void {
    while (this.pos < this.lex.length) {
      const start = this.pos;
      const mark = this.edits.length;
      try {
        this.externalDeclaration();
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
        // Leave this declaration as written: roll its edits back and resume after its end.
        this.edits.length = mark;
        this.scopes.length = 1;
        this.pos = this.skipDeclaration(start);
      }
    }
  }

  /** From `start`, the lexeme after the next `;` or the `}` closing a body at top level. */
  private skipDeclaration(start: number): number {
    let depth = 0;
    for (let k = start; k < this.lex.length; k++) {
      const t = this.lex[k]!.text;
      if (t === '{' || t === '(' || t === '[') depth++;
      else if (t === '}' || t === ')' || t === ']') {
        depth--;
        if (depth <= 0 && t === '}') return k + 1;
      } else if (t === ';' && depth <= 0) return k + 1;
    }
    return this.lex.length;
  }

  private externalDeclaration(): void {
    if (this.at(';')) {
      this.pos++;
      return;
    }
    if (this.at('precision')) {
      while (!this.at(';')) this.next();
      this.pos++;
      return;
    }
    const q = this.skipQualifiers();
    if (this.at('struct')) {
      this.structDeclaration();
      return;
    }
    if (
      q.sawQualifier &&
      this.peek()?.kind === 'ident' &&
      !this.atType() &&
      (this.at(';', 1) || this.at(',', 1))
    ) {
      // `invariant gl_Position;` and similar.
      while (!this.at(';')) this.next();
      this.pos++;
      return;
    }
    if (!this.atType()) throw new ParseError('declaration expected');
    const type = this.parseTypeSpec();
    const name = this.next();
    if (name.kind !== 'ident') throw new ParseError('name expected');
    if (this.at('(')) {
      this.functionDefinition(name.text, type);
      return;
    }
    this.declaratorList(type, name.text);
  }

  private structDeclaration(): GType | null {
    this.expect('struct');
    const name = this.peek()?.kind === 'ident' ? this.next().text : undefined;
    this.expect('{');
    const fields = new Map<string, GType>();
    while (!this.at('}')) {
      this.skipQualifiers();
      if (!this.atType()) throw new ParseError('field type expected');
      const type = this.parseTypeSpec();
      for (;;) {
        const field = this.next().text;
        const t = { ...type };
        if (this.at('[')) {
          this.pos = this.matching(this.pos) + 1;
          t.array = true;
        }
        fields.set(field, t);
        if (this.at(',')) this.pos++;
        else break;
      }
      this.expect(';');
    }
    this.expect('}');
    if (name) this.structs.set(name, fields);
    const type: GType | null = name ? { base: 'other', n: 1, cols: 1, name } : null;
    if (this.peek()?.kind === 'ident' && type) this.declaratorList(type, this.next().text);
    else this.expect(';');
    return type;
  }

  /** `type name [= init] (, name [= init])* ;` with the first name already read. */
  private declaratorList(type: GType, firstName: string): void {
    let name = firstName;
    for (;;) {
      const t = { ...type };
      if (this.at('[')) {
        this.pos = this.matching(this.pos) + 1;
        t.array = true;
      }
      if (this.at('=')) {
        this.pos++;
        const init = this.assignment();
        this.convert(init, t);
      }
      this.declare(name, t);
      if (!this.at(',')) break;
      this.pos++;
      name = this.next().text;
    }
    this.expect(';');
  }

  private functionDefinition(name: string, ret: GType): void {
    this.expect('(');
    const params: FunctionSig['params'] = [];
    const scope = new Map<string, GType>();
    if (this.at('void') && this.at(')', 1)) this.pos++;
    while (!this.at(')')) {
      const q = this.skipQualifiers();
      if (!this.atType()) throw new ParseError('parameter type expected');
      const t = this.parseTypeSpec();
      if (this.peek()?.kind === 'ident') {
        const pname = this.next().text;
        if (this.at('[')) {
          this.pos = this.matching(this.pos) + 1;
          t.array = true;
        }
        scope.set(pname, t);
      }
      params.push({ type: t, out: q.out });
      if (this.at(',')) this.pos++;
    }
    this.expect(')');
    const list = this.functions.get(name) ?? [];
    if (
      !list.some(
        (f) =>
          f.params.length === params.length &&
          f.params.every((p, k) => p.type && params[k]!.type && sameType(p.type, params[k]!.type!)),
      )
    )
      list.push({ params, ret });
    this.functions.set(name, list);
    if (this.at(';')) {
      this.pos++;
      return;
    }
    this.scopes.push(scope);
    try {
      this.block(false);
    } finally {
      this.scopes.pop();
    }
  }

  // ---- statements ----------------------------------------------------------------------------------------------

  private block(newScope = true): void {
    this.expect('{');
    if (newScope) this.scopes.push(new Map());
    while (!this.at('}')) this.statement();
    this.pos++;
    if (newScope) this.scopes.pop();
  }

  private statement(): void {
    const l = this.peek();
    if (!l) throw new ParseError('unexpected end');
    switch (l.text) {
      case '{':
        this.block();
        return;
      case ';':
        this.pos++;
        return;
      case 'if':
        this.pos++;
        this.expect('(');
        this.expression();
        this.expect(')');
        this.scoped(() => this.statement());
        if (this.at('else')) {
          this.pos++;
          this.scoped(() => this.statement());
        }
        return;
      case 'while':
        this.pos++;
        this.expect('(');
        this.expression();
        this.expect(')');
        this.scoped(() => this.statement());
        return;
      case 'do':
        this.pos++;
        this.scoped(() => this.statement());
        this.expect('while');
        this.expect('(');
        this.expression();
        this.expect(')');
        this.expect(';');
        return;
      case 'for':
        this.pos++;
        this.expect('(');
        this.scoped(() => {
          this.simpleStatement();
          if (!this.at(';')) this.expression();
          this.expect(';');
          if (!this.at(')')) this.expression();
          this.expect(')');
          this.statement();
        });
        return;
      case 'switch':
        this.pos++;
        this.expect('(');
        this.expression();
        this.expect(')');
        this.block();
        return;
      case 'case':
        this.pos++;
        this.expression();
        this.expect(':');
        return;
      case 'default':
        this.pos++;
        this.expect(':');
        return;
      case 'break':
      case 'continue':
      case 'discard':
        this.pos++;
        this.expect(';');
        return;
      case 'return':
        // Not converted: a desktop driver refuses `return 0;` in a float function too (VVISF's Line Group.fs).
        this.pos++;
        if (!this.at(';')) this.expression();
        this.expect(';');
        return;
      default:
        this.simpleStatement();
    }
  }

  private scoped(f: () => void): void {
    this.scopes.push(new Map());
    try {
      f();
    } finally {
      this.scopes.pop();
    }
  }

  /** A declaration or an expression statement, with its `;`. */
  private simpleStatement(): void {
    const save = this.pos;
    const q = this.skipQualifiers();
    if (this.at('struct')) {
      this.structDeclaration();
      return;
    }
    if (this.atType() && this.isDeclarationAhead()) {
      const type = this.parseTypeSpec();
      this.declaratorList(type, this.next().text);
      return;
    }
    if (q.sawQualifier) throw new ParseError('declaration expected');
    this.pos = save;
    if (!this.at(';')) this.expression();
    this.expect(';');
  }

  /** At a type: true when a name follows it (a declaration), false for a constructor call. */
  private isDeclarationAhead(): boolean {
    let k = this.pos + 1;
    if (this.lex[k]?.text === '[') {
      const save = this.pos;
      this.pos = k;
      k = this.matching(k) + 1;
      this.pos = save;
    }
    return this.lex[k]?.kind === 'ident';
  }

  // ---- expressions ---------------------------------------------------------------------------------------------

  private expression(): Expr {
    let e = this.assignment();
    while (this.at(',')) {
      this.pos++;
      const r = this.assignment();
      e = { type: r.type, first: e.first, last: r.last };
    }
    return e;
  }

  private assignment(): Expr {
    const lhs = this.conditional();
    const op = this.peek();
    if (!op || !ASSIGN_OPS.has(op.text)) return lhs;
    this.pos++;
    const rhs = this.assignment();
    if (lhs.type && rhs.type) {
      if (op.text === '=') this.convert(rhs, lhs.type);
      else if (op.text === '+=' || op.text === '-=' || op.text === '*=' || op.text === '/=') {
        if (
          isNumeric(lhs.type) &&
          isNumeric(rhs.type) &&
          rhs.type.cols === 1 &&
          lhs.type.base !== rhs.type.base
        )
          this.convert(rhs, withBase(rhs.type, lhs.type.base as 'float'));
      }
    }
    return { type: lhs.type, first: lhs.first, last: rhs.last };
  }

  private conditional(): Expr {
    const cond = this.binary(0);
    if (!this.at('?')) return cond;
    this.pos++;
    const a = this.expression();
    this.expect(':');
    const b = this.assignment();
    this.balance(a, b);
    const type = a.type && b.type && sameType(a.type, b.type) ? a.type : null;
    return { type, first: cond.first, last: b.last };
  }

  private binary(level: number): Expr {
    if (level >= BINARY_LEVELS.length) return this.unary();
    const ops = BINARY_LEVELS[level]!;
    let left = this.binary(level + 1);
    while (this.peek() && ops.includes(this.peek()!.text)) {
      const op = this.next().text;
      const right = this.binary(level + 1);
      left = { type: this.binaryType(op, left, right), first: left.first, last: right.last };
    }
    return left;
  }

  private binaryType(op: string, a: Expr, b: Expr): GType | null {
    if (op === '||' || op === '&&' || op === '^^') return vectorOf('bool', 1);
    if (op === '<<' || op === '>>') return a.type;
    if (op === '&' || op === '|' || op === '^' || op === '%') {
      if (a.type && b.type && isIntegral(a.type) && isIntegral(b.type) && a.type.base !== b.type.base)
        this.balance(a, b);
      return a.type && b.type ? (isScalar(a.type) ? b.type : a.type) : null;
    }
    this.balance(a, b);
    if (op === '==' || op === '!=' || op === '<' || op === '>' || op === '<=' || op === '>=')
      return vectorOf('bool', 1);
    return arithmeticType(op, a.type, b.type);
  }

  private unary(): Expr {
    const l = this.peek();
    if (
      l &&
      (l.text === '-' ||
        l.text === '+' ||
        l.text === '!' ||
        l.text === '~' ||
        l.text === '++' ||
        l.text === '--')
    ) {
      this.pos++;
      const e = this.unary();
      const out: Expr = { type: l.text === '!' ? vectorOf('bool', 1) : e.type, first: l.first, last: e.last };
      if ((l.text === '-' || l.text === '+') && e.literal !== undefined) out.literal = e.literal;
      return out;
    }
    return this.postfix(this.primary());
  }

  private postfix(e: Expr): Expr {
    for (;;) {
      const l = this.peek();
      if (!l) return e;
      if (l.text === '[') {
        this.pos++;
        this.expression();
        const close = this.expect(']');
        e = { type: e.type ? indexed(e.type) : null, first: e.first, last: close.last };
      } else if (l.text === '.') {
        this.pos++;
        const field = this.next();
        if (field.text === 'length' && this.at('(')) {
          this.pos++;
          const close = this.expect(')');
          e = { type: vectorOf('int', 1), first: e.first, last: close.last };
          continue;
        }
        let type: GType | null = null;
        if (e.type) {
          const fields = this.structs.get(e.type.name);
          type = fields && !e.type.array ? (fields.get(field.text) ?? null) : swizzled(e.type, field.text);
        }
        e = { type, first: e.first, last: field.last };
      } else if (l.text === '++' || l.text === '--') {
        this.pos++;
        e = { type: e.type, first: e.first, last: l.last };
      } else return e;
    }
  }

  private primary(): Expr {
    const l = this.next();
    if (l.kind === 'number') {
      const type = numberType(l.text);
      const e: Expr = { type, first: l.first, last: l.last };
      if (/^(0|[1-9][0-9]*)[uU]?$/.test(l.text)) e.literal = l.first;
      return e;
    }
    if (l.text === '(') {
      const inner = this.expression();
      const close = this.expect(')');
      const e: Expr = { type: inner.type, first: l.first, last: close.last };
      if (inner.literal !== undefined) e.literal = inner.literal;
      return e;
    }
    if (l.kind !== 'ident') throw new ParseError(`unexpected ${l.text}`);
    if (l.text === 'true' || l.text === 'false')
      return { type: vectorOf('bool', 1), first: l.first, last: l.last };

    const macro = this.macros.get(l.text);
    if (macro === null && this.at('(')) {
      // A function-like macro: its arguments may be anything; leave the call as written.
      const close = this.matching(this.pos);
      const last = this.lex[close]!.last;
      this.pos = close + 1;
      return { type: null, first: l.first, last };
    }
    if (macro && !this.typeNamed(l.text)) {
      return { type: this.macroType(l.text, macro), first: l.first, last: l.last };
    }

    const ctor = this.lookup(l.text) ? undefined : this.typeNamed(l.text);
    if (ctor) {
      const type = { ...ctor };
      if (this.at('[')) {
        this.pos = this.matching(this.pos) + 1;
        type.array = true;
      }
      const { args, last } = this.callArguments();
      if (type.array) for (const a of args) this.convert(a, { ...type, array: false });
      else if (type.base === 'other') {
        const fields = [...(this.structs.get(type.name)?.values() ?? [])];
        if (fields.length === args.length)
          args.forEach((a, k) => {
            this.convert(a, fields[k]!);
          });
      }
      // Vector, matrix and scalar constructors convert their arguments themselves.
      return { type, first: l.first, last };
    }

    if (this.at('(')) {
      const { args, last } = this.callArguments();
      return { type: this.callType(l.text, args), first: l.first, last };
    }
    const type = this.lookup(l.text) ?? builtinVariable(l.text);
    return { type: type ?? null, first: l.first, last: l.last };
  }

  private callArguments(): { args: Expr[]; last: number } {
    this.expect('(');
    const args: Expr[] = [];
    if (this.at('void') && this.at(')', 1)) this.pos++;
    while (!this.at(')')) {
      args.push(this.assignment());
      if (this.at(',')) this.pos++;
      else if (!this.at(')')) throw new ParseError('expected , or )');
    }
    return { args, last: this.next().last };
  }

  /** The type of a call to a user or built-in function, converting arguments as overload resolution would. */
  private callType(name: string, args: Expr[]): GType | null {
    const user = this.functions.get(name);
    if (user) {
      const candidates = user.filter((f) => f.params.length === args.length);
      const exact = candidates.find((f) =>
        f.params.every((p, k) => p.type && args[k]!.type && sameType(p.type, args[k]!.type!)),
      );
      if (exact) return exact.ret;
      const viable = candidates.filter((f) =>
        f.params.every((p, k) => {
          const a = args[k]!.type;
          if (!a || !p.type) return true;
          if (sameType(a, p.type)) return true;
          return !p.out && convertible(a, p.type);
        }),
      );
      if (viable.length === 1) {
        viable[0]!.params.forEach((p, k) => {
          if (p.type && !p.out) this.convert(args[k]!, p.type);
        });
        return viable[0]!.ret;
      }
      const rets = candidates.map((f) => f.ret);
      return rets.length > 0 && rets.every((r) => r && rets[0] && sameType(r, rets[0])) ? rets[0]! : null;
    }
    const types = args.map((a) => a.type);
    const signature = builtinFunctionType(name, types);
    if (!signature) return null;
    signature.params.forEach((target, k) => {
      if (target && args[k]) args[k]!.type = this.convert(args[k]!, target);
    });
    return signature.ret;
  }

  private macroType(name: string, body: Lex[]): GType | null {
    if (this.macroTypes.has(name)) return this.macroTypes.get(name)!;
    this.macroTypes.set(name, null); // guards against self-reference
    const saved = { lex: this.lex.slice(), pos: this.pos, recording: this.recording };
    let type: GType | null = null;
    if (body.length > 0) {
      this.lex.length = 0;
      this.lex.push(...body);
      this.pos = 0;
      this.recording = false;
      try {
        const e = this.expression();
        if (this.pos === body.length) type = e.type;
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
      }
      this.lex.length = 0;
      this.lex.push(...saved.lex);
      this.pos = saved.pos;
      this.recording = saved.recording;
    }
    this.macroTypes.set(name, type);
    return type;
  }
}

function convertible(from: GType, to: GType): boolean {
  if (from.array || to.array || from.cols > 1 || to.cols > 1 || from.n !== to.n) return false;
  return isIntegral(from) && (to.base === 'float' || (to.base === 'uint' && from.base === 'int'));
}

function numberType(text: string): GType {
  if (/^0[xX]/.test(text)) return vectorOf(/[uU]$/.test(text) ? 'uint' : 'int', 1);
  if (/[.eE]/.test(text) || /[fF]$/.test(text)) return vectorOf('float', 1);
  return vectorOf(/[uU]$/.test(text) ? 'uint' : 'int', 1);
}

const BUILTIN_VARIABLES: Record<string, string> = {
  gl_FragCoord: 'vec4',
  gl_FragColor: 'vec4',
  gl_Position: 'vec4',
  gl_PointSize: 'float',
  gl_PointCoord: 'vec2',
  gl_FragDepth: 'float',
  gl_VertexID: 'int',
  gl_InstanceID: 'int',
  gl_FrontFacing: 'bool',
};
function builtinVariable(name: string): GType | undefined {
  const t = BUILTIN_VARIABLES[name];
  return t ? builtinType(t) : undefined;
}

/** The result of `a op b` for + - * / on operands already of one base. */
function arithmeticType(op: string, a: GType | null, b: GType | null): GType | null {
  if (!a || !b || a.array || b.array || !isNumeric(a) || !isNumeric(b) || a.base !== b.base) return null;
  if (sameType(a, b)) {
    if (op === '*' && a.cols > 1 && a.cols !== a.n) return null; // non-square matrix products: not needed here
    return a;
  }
  if (isScalar(a)) return b;
  if (isScalar(b)) return a;
  if (op !== '*') return null;
  // matrix × vector = column-count vector; vector × matrix = column vector of the matrix's columns.
  if (a.cols > 1 && b.cols === 1 && b.n === a.cols) return vectorOf('float', a.n);
  if (b.cols > 1 && a.cols === 1 && a.n === b.n) return vectorOf('float', b.cols);
  return null;
}
