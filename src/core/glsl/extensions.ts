/**
 * User `#extension` lines. GLSL ES 3.00 wants them before any code, but the generated prelude (precision, uniforms)
 * comes first, so a user's `#extension` would fail with "#extension directive is not allowed in the middle of a
 * shader". Each is moved up to just after our `#version` (its own line stays, empty, so line numbers hold), and
 * the ones ES 3.00 makes unnecessary (what they enable is core there) are dropped with a W_DIALECT note.
 */
import type { Diagnostic } from '../errors.ts';
import type { CondState } from './conditions.ts';
import { isSignificant, type Token } from './tokenize.ts';
import type { GLSLDialect } from './types.ts';

/** Extensions whose features are core in GLSL ES 3.00 (and the es310 dialect): enabling them is not needed. */
const CORE_IN_ES300: ReadonlyMap<string, string> = new Map([
  ['GL_OES_standard_derivatives', 'dFdx, dFdy and fwidth'],
  ['GL_EXT_shader_texture_lod', 'textureLod and textureGrad'],
  ['GL_ARB_shader_texture_lod', 'textureLod and textureGrad'],
  ['GL_ARB_shader_bit_encoding', 'floatBitsToInt and intBitsToFloat'],
  ['GL_EXT_frag_depth', 'gl_FragDepth'],
  ['GL_EXT_draw_buffers', 'several colour outputs'],
  ['GL_OES_texture_3D', '3D textures'],
  ['GL_ARB_texture_rectangle', 'texture2DRect (mapped to texture())'],
  ['GL_EXT_gpu_shader4', 'integer operations and texelFetch'],
]);

export interface ExtensionPlan {
  /** Directive indexes (Token.directive) the rewrite drops, keeping their line breaks. */
  drop: Set<number>;
  /** `#extension` lines to emit right after `#version`. */
  hoisted: string[];
}

export function planExtensions(
  tokens: readonly Token[],
  states: readonly CondState[],
  dialect: GLSLDialect,
  file: string | undefined,
  lineOffset: number,
  warnings: Diagnostic[],
): ExtensionPlan {
  const plan: ExtensionPlan = { drop: new Set(), hoisted: [] };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.text !== '#' || t.directive < 0 || states[i] === 'off') continue;
    const words: Token[] = [];
    for (let j = i + 1; j < tokens.length && tokens[j]!.directive === t.directive; j++) {
      if (isSignificant(tokens[j]!)) words.push(tokens[j]!);
    }
    if (words[0]?.text !== 'extension') continue;
    const name = words[1]?.text ?? '';
    plan.drop.add(t.directive);
    const core = CORE_IN_ES300.get(name);
    if (dialect !== 'es100' && core !== undefined) {
      const w: Diagnostic = {
        severity: 'warning',
        code: 'W_DIALECT',
        message: `#extension ${name} is dropped: GLSL ES 3.00 has ${core} built in`,
        line: t.line + lineOffset,
        column: t.column,
      };
      if (file !== undefined) w.file = file;
      warnings.push(w);
      continue;
    }
    plan.hoisted.push(
      `#extension ${words
        .slice(1)
        .map((w) => w.text)
        .join(' ')}`,
    );
  }
  return plan;
}
