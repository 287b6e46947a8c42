/**
 * GLSL Sandbox → ISF, on tokens. The sandbox's uniforms become ISF's: `time` → TIME, `resolution` → RENDERSIZE,
 * `mouse` → a point2D input of the same name (normalised 0-1, as the sandbox's), `surfacePosition` /
 * `surfaceSize` → the sandbox's default surface (height 1, centred, width = aspect), and `backbuffer` → a
 * PERSISTENT target of that name written by the shader's only pass, so reading it gives last frame's output.
 * The shader keeps its own `void main()` and gl_FragColor. Other uniforms stay declared (they read 0) with a warning.
 */
import type { Diagnostic } from '../errors.ts';
import { normalizeNewlines, tokenize } from '../glsl/tokenize.ts';
import { blankKeepingLines, declaredNames, firstWord, prevCode, topLevelItems } from './tokens.ts';
import {
  type ConvertResult,
  ISF_BUILTIN_NAMES,
  type ISFInputJson,
  isfHeader,
  leadingComment,
  sourceNameFor,
  warn,
} from './write.ts';

const SANDBOX_NAMES = new Set([
  'time',
  'resolution',
  'mouse',
  'backbuffer',
  'surfacePosition',
  'surfaceSize',
]);

const SIMPLE_MAP: Record<string, string> = {
  time: 'TIME',
  resolution: 'RENDERSIZE',
  surfaceSize: '(vec2(RENDERSIZE.x / RENDERSIZE.y, 1.0))',
  surfacePosition: '((isf_FragNormCoord - 0.5) * vec2(RENDERSIZE.x / RENDERSIZE.y, 1.0))',
};

export interface SandboxOptions {
  file?: string;
}

export function convertSandbox(code: string, options: SandboxOptions = {}): ConvertResult {
  const warnings: Diagnostic[] = [];
  const tokens = tokenize(normalizeNewlines(code.replace(/^\uFEFF/, '')));
  const items = topLevelItems(tokens);
  const dropped = new Set<number>();
  const declared = new Set<string>();
  for (const item of items) {
    const word = firstWord(tokens, item);
    if (item.kind === 'directive') {
      const text = tokens
        .slice(item.start, item.end)
        .map((t) => t.text)
        .join('');
      if (/^#\s*extension\s+GL_OES_standard_derivatives\b/.test(text.trim())) {
        for (let k = item.start; k < item.end; k++) dropped.add(k);
      }
      continue;
    }
    if (item.kind !== 'statement' || (word !== 'uniform' && word !== 'varying' && word !== 'in')) continue;
    const names = declaredNames(tokens, item);
    if (names.length > 0 && names.every((n) => SANDBOX_NAMES.has(n.text))) {
      for (let k = item.start; k < item.end; k++) dropped.add(k);
      for (const n of names) declared.add(n.text);
    } else if (word === 'uniform') {
      for (const n of names.filter((x) => !SANDBOX_NAMES.has(x.text))) {
        warnings.push(
          warn(
            `uniform ${n.text} is not a GLSL Sandbox uniform: ISF never sets it, so it reads 0`,
            options.file,
            n,
          ),
        );
      }
    }
  }
  const used = new Set(tokens.filter((t) => t.kind === 'ident').map((t) => t.text));
  const usesBackbuffer = declared.has('backbuffer') && used.has('backbuffer');
  const usesMouse = declared.has('mouse');

  let body = '';
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (dropped.has(i)) {
      let j = i;
      while (j < tokens.length && dropped.has(j)) j++;
      body += blankKeepingLines(tokens, i, j);
      i = j - 1;
      continue;
    }
    if (t.kind === 'ident' && declared.has(t.text) && tokens[prevCode(tokens, i)]?.text !== '.') {
      body += SIMPLE_MAP[t.text] ?? t.text; // mouse and backbuffer keep their names: ISF declares them
      continue;
    }
    if (t.kind === 'ident' && ISF_BUILTIN_NAMES.has(t.text)) {
      body += sourceNameFor(t.text);
      continue;
    }
    body += t.text;
  }

  const inputs: ISFInputJson[] = [];
  if (usesMouse)
    inputs.push({
      NAME: 'mouse',
      TYPE: 'point2D',
      LABEL: 'Mouse (0-1)',
      DEFAULT: [0.5, 0.5],
      MIN: [0, 0],
      MAX: [1, 1],
    });
  const description = leadingComment(code);
  const header = isfHeader({
    ...(description ? { DESCRIPTION: description } : {}),
    CATEGORIES: ['GLSL Sandbox'],
    INPUTS: inputs,
    ...(usesBackbuffer ? { PASSES: [{ TARGET: 'backbuffer', PERSISTENT: true }] } : {}),
  });
  return { source: `${header}${body}`, warnings, from: 'sandbox' };
}
