/** What the converters produce, and the small writing helpers they share. */
import type { Diagnostic } from '../errors.ts';
import type { Token } from '../glsl/tokenize.ts';

export type SourceKind = 'shadertoy' | 'sandbox';

export interface ConvertResult {
  /** The ISF fragment shader (.fs) text. */
  source: string;
  /** Everything the converter could not carry over exactly, located in the source where it can be. */
  warnings: Diagnostic[];
  from: SourceKind;
}

export interface ISFInputJson {
  NAME: string;
  TYPE: string;
  LABEL?: string;
  DEFAULT?: unknown;
  MIN?: unknown;
  MAX?: unknown;
}

/** The ISF JSON header comment; ISFVSN 2 first, as the ISF editor writes it. */
export function isfHeader(fields: Record<string, unknown>): string {
  return `/*${JSON.stringify({ ISFVSN: '2', ...fields }, null, 2)}*/\n`;
}

export function warn(message: string, file: string | undefined, at?: Token): Diagnostic {
  const d: Diagnostic = { severity: 'warning', code: 'W_CONVERT', message };
  if (file !== undefined) d.file = file;
  if (at) {
    d.line = at.line;
    d.column = at.column;
  }
  return d;
}

/** The text of the comment block a shader starts with (its usual title and licence line), for DESCRIPTION. */
export function leadingComment(code: string): string | undefined {
  const lines: string[] = [];
  const text = code.replace(/^\uFEFF/, '');
  const block = /^\s*\/\*([\s\S]*?)\*\//.exec(text);
  if (block) lines.push(...block[1]!.split('\n'));
  else {
    for (const line of text.split('\n')) {
      const m = /^\s*\/\/+\s?(.*)$/.exec(line);
      if (!m) break;
      lines.push(m[1]!);
    }
  }
  const cleaned = lines
    .map((l) => l.replace(/^\s*\*+\s?/, '').trim())
    .filter((l) => l !== '' && !/^[-=*/_#]+$/.test(l));
  if (cleaned.length === 0) return undefined;
  const joined = cleaned.slice(0, 4).join(' ');
  return joined.length > 300 ? `${joined.slice(0, 297)}...` : joined;
}

/**
 * Names ISF declares in every shader. A source that uses one of them for its own macro or variable (a sandbox
 * shader's `#define TIME ...`) has it renamed to `<name>_src`, so ISF's uniform and the user's name both work.
 */
export const ISF_BUILTIN_NAMES = new Set([
  'TIME',
  'TIMEDELTA',
  'RENDERSIZE',
  'PASSINDEX',
  'DATE',
  'FRAMEINDEX',
  'isf_FragNormCoord',
  'VERTEXDATA',
]);

export function sourceNameFor(name: string): string {
  return `${name}_src`;
}
