/** Key checks shared by the top level, inputs, passes and imports: keys are case-sensitive, as in VVISF. */
import type { ParseContext } from './context.ts';
import type { JsonObject } from './json.ts';

export const TOP_LEVEL_KEYS = [
  'ISFVSN',
  'VSN',
  'DESCRIPTION',
  'CREDIT',
  'CATEGORIES',
  'INPUTS',
  'PASSES',
  'IMPORTED',
  'PERSISTENT_BUFFERS',
  'KEYWORDS',
  'ISF_VERSION',
] as const;
export const INPUT_KEYS = [
  'NAME',
  'TYPE',
  'LABEL',
  'DESCRIPTION',
  'DEFAULT',
  'MIN',
  'MAX',
  'IDENTITY',
  'VALUES',
  'LABELS',
] as const;
export const PASS_KEYS = ['TARGET', 'PERSISTENT', 'FLOAT', 'WIDTH', 'HEIGHT', 'DESCRIPTION'] as const;
export const IMPORTED_KEYS = ['NAME', 'PATH', 'TYPE'] as const;
export const PERSISTENT_BUFFER_KEYS = ['WIDTH', 'HEIGHT', 'FLOAT'] as const;

/** Warns W_KEY_CASE for known keys in the wrong case (not honoured) and W_UNKNOWN_KEY for the rest. */
export function checkKeys(ctx: ParseContext, obj: JsonObject, known: readonly string[], where: string): void {
  for (const m of obj.members) {
    if (known.includes(m.key)) continue;
    const match = known.find((k) => k.toUpperCase() === m.key.toUpperCase());
    if (match !== undefined) {
      ctx.warn(
        'W_KEY_CASE',
        `Key "${m.key}" in ${where} is ignored: keys are case-sensitive, VVISF only reads "${match}"`,
        m.keyStart,
        `Rename it to "${match}"`,
      );
    } else {
      ctx.warn(
        'W_UNKNOWN_KEY',
        `Unknown key "${m.key}" in ${where} is ignored`,
        m.keyStart,
        `Known keys: ${known.join(', ')}`,
      );
    }
  }
}
