/**
 * Token-level rewriting of user GLSL: IMG_* expansion, renames, `#version` removal.
 *
 * The output always has exactly as many line breaks as the input, each at the same position relative to the
 * user's code, so the generated line N+k is the user's line k (the line maps rely on it).
 */
import { departureMessage } from '../dialects.ts';
import { type Diagnostic, ISFError } from '../errors.ts';
import { isSignificant, type Token } from './tokenize.ts';

export type HelperName = 'pixel' | 'pixelBias' | 'norm' | 'normBias';

export interface ImageInfo {
  kind: '2D' | 'cube';
}

export interface RewriteContext {
  stage: 'vertex' | 'fragment';
  /** File the tokens come from (for error locations). */
  file: string | undefined;
  /** Added to a token's line to get the line in the user's file. */
  lineOffset: number;
  images: ReadonlyMap<string, ImageInfo>;
  /** Identifier renames (v1 names, ES 3.00 collisions). */
  renames: ReadonlyMap<string, string>;
  /** Filled in: the sampler helpers the expansions call. */
  usedHelpers: Set<HelperName>;
  /** Preprocessor directives (Token.directive) to drop, keeping their line breaks (hoisted #extension lines). */
  dropDirectives?: ReadonlySet<number>;
  /** Filled in: departures met while rewriting (IMG_THIS_PIXEL with a coordinate). */
  warnings?: Diagnostic[];
}

/** Argument counts per ISF function: [min, max]. IMG_NORM_THIS_PIXEL is the documented alias of IMG_THIS_NORM_PIXEL. */
const IMG_FUNCTIONS: Record<string, [number, number]> = {
  IMG_PIXEL: [2, 3],
  IMG_NORM_PIXEL: [2, 3],
  IMG_THIS_PIXEL: [1, 1],
  IMG_THIS_NORM_PIXEL: [1, 1],
  IMG_NORM_THIS_PIXEL: [1, 1],
  IMG_SIZE: [1, 1],
};

const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const CLOSERS = new Set([')', ']', '}']);

export function rewriteTokens(tokens: readonly Token[], ctx: RewriteContext): string {
  let out = '';
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (
      t.kind === 'punct' &&
      t.text === '#' &&
      t.directive >= 0 &&
      (isVersionDirective(tokens, i) || ctx.dropDirectives?.has(t.directive) === true)
    ) {
      // User #version lines are dropped (we emit our own first line), #extension lines moved up; keep their line breaks.
      let j = i;
      while (j < tokens.length && tokens[j]!.directive === t.directive) {
        out += lineBreaksOf(tokens[j]!.text, false);
        j++;
      }
      i = j;
      continue;
    }
    if (t.kind === 'ident') {
      if (Object.hasOwn(IMG_FUNCTIONS, t.text)) {
        const open = nextSignificantIndex(tokens, i);
        if (open >= 0 && tokens[open]!.text === '(') {
          const call = parseCall(tokens, i, open, ctx);
          out += expandCall(tokens, i, call, ctx);
          i = call.end;
          continue;
        }
      }
      out += ctx.renames.get(t.text) ?? t.text;
      i++;
      continue;
    }
    out += t.text;
    i++;
  }
  return out;
}

function isVersionDirective(tokens: readonly Token[], hashIndex: number): boolean {
  const j = nextSignificantIndex(tokens, hashIndex);
  const t = tokens[j];
  return t !== undefined && t.directive === tokens[hashIndex]!.directive && t.text === 'version';
}

function nextSignificantIndex(tokens: readonly Token[], i: number): number {
  for (let j = i + 1; j < tokens.length; j++) if (isSignificant(tokens[j]!)) return j;
  return -1;
}

/** The line breaks in `text`, as `\n` (or `\\\n` on directive lines, where a bare break would end the directive). */
function lineBreaksOf(text: string, inDirective: boolean): string {
  let s = '';
  for (const ch of text) if (ch === '\n') s += inDirective ? '\\\n' : '\n';
  return s;
}

interface Call {
  /** Token ranges [start, end) of each argument (between the commas). */
  args: [number, number][];
  /** Index just past the closing parenthesis. */
  end: number;
}

function locate(ctx: RewriteContext, t: Token): { file?: string; line: number; column: number } {
  const loc: { file?: string; line: number; column: number } = {
    line: t.line + ctx.lineOffset,
    column: t.column,
  };
  if (ctx.file !== undefined) loc.file = ctx.file;
  return loc;
}

/** Splits the argument list at top-level commas, with (), [] and {} nesting. */
function parseCall(tokens: readonly Token[], nameIndex: number, open: number, ctx: RewriteContext): Call {
  const name = tokens[nameIndex]!;
  const stack: string[] = [];
  const args: [number, number][] = [];
  let argStart = open + 1;
  for (let j = open + 1; j < tokens.length; j++) {
    const t = tokens[j]!;
    if (t.kind !== 'punct') continue;
    const closer = OPENERS[t.text];
    if (closer !== undefined) stack.push(closer);
    else if (CLOSERS.has(t.text)) {
      if (stack.length === 0) {
        if (t.text !== ')') break;
        args.push([argStart, j]);
        return { args, end: j + 1 };
      }
      if (stack.pop() !== t.text) {
        throw new ISFError('ISF_GLSL_SYNTAX', `Mismatched '${t.text}' in the arguments of ${name.text}`, {
          ...locate(ctx, t),
          suggestion: 'Check the brackets of this call.',
        });
      }
    } else if (t.text === ',' && stack.length === 0) {
      args.push([argStart, j]);
      argStart = j + 1;
    }
  }
  throw new ISFError('ISF_GLSL_SYNTAX', `Unbalanced parentheses: the call to ${name.text} is never closed`, {
    ...locate(ctx, name),
    suggestion: `Add the missing ')' to the ${name.text}(...) call.`,
  });
}

function expandCall(tokens: readonly Token[], nameIndex: number, call: Call, ctx: RewriteContext): string {
  const nameTok = tokens[nameIndex]!;
  let fn = nameTok.text;
  const args = call.args.filter(([s, e], k) => k > 0 || call.args.length > 1 || hasSignificant(tokens, s, e));
  if (args.length === 2 && fn.includes('THIS')) {
    // IMG_THIS_PIXEL(img, p) / IMG_THIS_NORM_PIXEL(img, n): hosts that expand them as plain macros read the
    // coordinate; the spec form has none. Sampled at that coordinate, as IMG_PIXEL / IMG_NORM_PIXEL would.
    const as = fn === 'IMG_THIS_PIXEL' ? 'IMG_PIXEL' : 'IMG_NORM_PIXEL';
    const w: Diagnostic = {
      severity: 'warning',
      code: 'W_GLSL_DIALECT',
      message: departureMessage(`${fn} called with a coordinate is read as ${as}`, ['VVISF', 'ISF editor']),
      ...locate(ctx, nameTok),
      refusedBy: ['VVISF', 'ISF editor'],
      suggestion: `Write ${as}(image, coordinate)`,
    };
    ctx.warnings?.push(w);
    fn = as;
  }
  const [min, max] = IMG_FUNCTIONS[fn]!;
  if (args.length < min || args.length > max) {
    const expected = min === max ? `${min} argument` : `${min} or ${max} arguments`;
    const shape = min === max ? '(image)' : '(image, coordinate[, bias])';
    throw new ISFError(
      'ISF_IMG_ARGS',
      `${fn} takes ${expected} ${shape} but was called with ${args.length}`,
      locate(ctx, nameTok),
    );
  }
  const [s0, e0] = args[0]!;
  const first = tokens.slice(s0, e0).filter(isSignificant);
  const imageTok = first[0];
  if (first.length !== 1 || imageTok === undefined || imageTok.kind !== 'ident') {
    const text = tokens
      .slice(s0, e0)
      .map((t) => t.text)
      .join('')
      .trim();
    throw new ISFError(
      'ISF_IMG_ARGS',
      `The first argument of ${fn} must be the name of an image input, pass TARGET or IMPORTED image, not '${text}'`,
      {
        ...locate(ctx, imageTok ?? nameTok),
        suggestion:
          'ISF functions address images by their declared name; they cannot take a sampler variable.',
      },
    );
  }
  const image = imageTok.text;
  const info = ctx.images.get(image);
  if (info === undefined) {
    const known = [...ctx.images.keys()];
    throw new ISFError(
      'ISF_IMG_ARGS',
      `${fn}: '${image}' is not an image input, pass TARGET or IMPORTED image of this document` +
        (known.length > 0 ? ` (known images: ${known.join(', ')})` : ' (it declares none)'),
      locate(ctx, imageTok),
    );
  }
  const argText = args.map(([s, e]) => rewriteTokens(tokens.slice(s, e), ctx));
  const raw0 = argText[0]!;
  const inDirective = nameTok.directive >= 0;
  if (fn === 'IMG_SIZE') {
    return `(_${image}_imgSize)${lineBreaksOf(raw0, inDirective)}`;
  }
  if (info.kind === 'cube') {
    throw new ISFError(
      'ISF_IMG_ARGS',
      `${fn} cannot sample the cube image '${image}'; sample it with texture(${image}, direction)`,
      locate(ctx, nameTok),
    );
  }
  const isThis = fn === 'IMG_THIS_PIXEL' || fn === 'IMG_THIS_NORM_PIXEL' || fn === 'IMG_NORM_THIS_PIXEL';
  if (isThis && ctx.stage === 'vertex') {
    throw new ISFError('ISF_IMG_ARGS', `${fn} can only be used in the fragment shader`, {
      ...locate(ctx, nameTok),
      suggestion: `Use IMG_NORM_PIXEL(${image}, coordinate) in a vertex shader.`,
    });
  }
  const byNorm = fn !== 'IMG_PIXEL' && fn !== 'IMG_THIS_PIXEL';
  const hasBias = args.length === 3;
  ctx.usedHelpers.add(byNorm ? (hasBias ? 'normBias' : 'norm') : hasBias ? 'pixelBias' : 'pixel');
  const helper = byNorm ? 'VVSAMPLER_2DBYNORM' : 'VVSAMPLER_2DBYPIXEL';
  const extra = `, _${image}_imgRect, _${image}_imgSize, _${image}_flip`;
  if (isThis) {
    const coord = fn === 'IMG_THIS_PIXEL' ? 'gl_FragCoord.xy' : 'isf_FragNormCoord';
    return `${helper}(${raw0}${extra}, ${coord})`;
  }
  return `${helper}(${raw0}${extra},${argText.slice(1).join(',')})`;
}

function hasSignificant(tokens: readonly Token[], s: number, e: number): boolean {
  for (let j = s; j < e; j++) if (isSignificant(tokens[j]!)) return true;
  return false;
}
