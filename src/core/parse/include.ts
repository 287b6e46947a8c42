/**
 * `#include "file.glsl"` (Vuo, MadMapper): resolved relative to the including file, nested, with cycles and depth
 * limited. Core stays pure: the reader is injected (Node reads through the same confinement as IMPORTED; the
 * browser or `isf serve` would fetch). The expanded text keeps, for every line, the file and line it came from, so
 * compile errors inside an included file name that file and line.
 *
 * Including is a departure (W_GLSL_DIALECT: VVISF and the ISF editor have no #include); under strict it is an
 * ISF_STRICT error at the #include line.
 */
import { departureMessage, strictDiagnostic } from '../dialects.ts';
import type { ISFDocument, LineOrigin } from '../document.ts';
import { type Diagnostic, ISFError } from '../errors.ts';
import { type CondState, conditionStates, type MacroTable } from '../glsl/conditions.ts';
import { tokenize } from '../glsl/tokenize.ts';
import { dirnamePath, isAbsolutePath, resolvePath } from './posix-path.ts';

export interface IncludeRef {
  /** The path as written between the quotes. */
  written: string;
  /** Resolved against the including file's folder. */
  path: string;
  /** The including file and the 1-based line and column (of its `#`) of the #include. */
  from: string;
  line: number;
  column: number;
}

/**
 * Reads one included file: its text, or undefined when it does not exist. It may throw an ISFError of its own
 * (a path outside the allowed folder: ISF_IMPORTED_PATH; a FIFO; too large), which is passed on.
 */
export type IncludeReader = (ref: IncludeRef) => Promise<string | undefined>;

export const MAX_INCLUDE_DEPTH = 16;
export const MAX_INCLUDED_FILES = 64;

const INCLUDE_LINE = /^[ \t]*#[ \t]*include[ \t]*(?:"([^"\n]*)"|<([^>\n]*)>)[ \t]*(?:\/\/.*)?$/;

/** Cheap test before any work: most shaders include nothing. */
export function hasIncludes(text: string): boolean {
  return /^[ \t]*#[ \t]*include\b/m.test(text);
}

export interface Expanded {
  text: string;
  /** origins[k] is where line k + 1 of `text` came from. */
  origins: LineOrigin[];
  /** Every #include met, in order (for warnings). */
  refs: IncludeRef[];
}

function includeError(
  message: string,
  ref: { from: string; line: number; column: number },
  suggestion?: string,
): ISFError {
  const opts: ConstructorParameters<typeof ISFError>[2] = {
    file: ref.from,
    line: ref.line,
    column: ref.column,
  };
  if (suggestion !== undefined) opts.suggestion = suggestion;
  return new ISFError('ISF_INCLUDE', message, opts);
}

/**
 * What the preprocessor knows before the dialect is chosen: GL_ES in every dialect we compile, __VERSION__ defined
 * but its value left unknown (300, 310 or 100 depending on the dialect tried), other GL_ names unknown.
 */
const PREDEFINED: MacroTable = new Map([
  ['GL_ES', 1],
  ['__VERSION__', null],
]);

/**
 * Whether the compiler would see the #include `line` that follows the lines `before`: 'off' inside a preprocessor
 * branch known to be inactive (`#if 0`, `#ifdef NOT_DEFINED`, the `#else` of a true condition) or inside a block
 * comment (no directive there at all), decided by conditions.ts over the text expanded so far, so macros that
 * earlier includes define count. A condition it cannot decide (a function-like macro, `__VERSION__ >= 300`, a GL_
 * extension macro) is 'unknown' and the file is read, as it always was.
 */
function includeState(before: readonly string[], line: string): CondState {
  const tokens = tokenize([...before, line].join('\n'));
  const states = conditionStates(tokens, PREDEFINED);
  const includeLine = before.length + 1;
  for (let i = tokens.length - 1; i >= 0 && tokens[i]!.line >= includeLine; i--) {
    const t = tokens[i]!;
    if (t.line === includeLine && t.directive >= 0 && t.text === '#') return states[i]!;
  }
  return 'off';
}

/**
 * Expands the #include lines of `text` (from `file`, its first line being `firstLine`), recursively. An #include
 * the preprocessor would skip (includeState) is not read and becomes an empty line.
 */
export async function expandIncludes(
  text: string,
  file: string,
  firstLine: number,
  read: IncludeReader,
): Promise<Expanded> {
  const out: Expanded = { text: '', origins: [], refs: [] };
  const lines: string[] = [];
  let files = 0;
  const walk = async (src: string, from: string, first: number, stack: string[]): Promise<void> => {
    const own = src.replace(/\r\n?/g, '\n').split('\n');
    if (own.length > 1 && own[own.length - 1] === '') own.pop();
    for (const [k, line] of own.entries()) {
      const m = INCLUDE_LINE.exec(line);
      const state = m === null ? 'on' : includeState(lines, line);
      if (m === null || state === 'off') {
        // A skipped #include becomes an empty line: a preprocessor that skips the branch may still parse it.
        lines.push(m === null ? line : '');
        out.origins.push({ file: from, line: first + k });
        continue;
      }
      const written = (m[1] ?? m[2] ?? '').trim();
      // Indented directives (`  #include`) are located at their `#`, like every other located diagnostic.
      const at = { from, line: first + k, column: line.indexOf('#') + 1 };
      if (written === '') throw includeError('#include names no file', at);
      if (isAbsolutePath(written)) {
        throw includeError(
          `#include "${written}" is an absolute path; includes are relative to the shader`,
          at,
        );
      }
      const ref: IncludeRef = { written, path: resolvePath(dirnamePath(from), written), ...at };
      if (stack.includes(ref.path)) {
        const chain = [...stack.slice(stack.indexOf(ref.path)), ref.path]
          .map((p) => p.split('/').pop())
          .join(' → ');
        throw includeError(
          `Cyclic #include "${written}": ${chain}`,
          at,
          'Include each file once, from one place',
        );
      }
      if (stack.length > MAX_INCLUDE_DEPTH) {
        throw includeError(`#include "${written}" nests deeper than ${MAX_INCLUDE_DEPTH} levels`, at);
      }
      if (++files > MAX_INCLUDED_FILES) {
        throw includeError(`More than ${MAX_INCLUDED_FILES} #include files`, at);
      }
      out.refs.push(ref);
      const included = await read(ref);
      if (included === undefined) {
        throw includeError(
          `#include "${written}": file ${ref.path} not found`,
          at,
          'Includes are resolved relative to the including file',
        );
      }
      // The #include line itself becomes an empty line of the including file, so that nothing shifts.
      lines.push('');
      out.origins.push({ file: from, line: first + k });
      await walk(included, ref.path, 1, [...stack, ref.path]);
    }
  };
  await walk(text, file, firstLine, [file]);
  out.text = `${lines.join('\n')}\n`;
  return out;
}

/**
 * Expands a parsed document's #includes in place (fragment body and vertex shader): `fragmentBody` and
 * `vertexSource` become the expanded text, `fragmentOrigins` / `vertexOrigins` map their lines, and each #include
 * is a W_GLSL_DIALECT warning (ISF_STRICT thrown under the document's strict).
 */
export async function applyIncludes(doc: ISFDocument, read: IncludeReader): Promise<void> {
  const refs: IncludeRef[] = [];
  const file = doc.path ?? '<input>';
  if (hasIncludes(doc.fragmentBody)) {
    const e = await expandIncludes(doc.fragmentBody, file, doc.fragmentBodyLine, read);
    doc.fragmentBody = e.text;
    doc.fragmentOrigins = e.origins;
    refs.push(...e.refs);
  }
  if (doc.vertexSource !== undefined && hasIncludes(doc.vertexSource)) {
    const e = await expandIncludes(doc.vertexSource, doc.vertexPath ?? '<vertex>', 1, read);
    doc.vertexSource = e.text;
    doc.vertexOrigins = e.origins;
    refs.push(...e.refs);
  }
  const warnings = refs.map((ref): Diagnostic => {
    const refusedBy = ['VVISF', 'ISF editor'] as const;
    return {
      severity: 'warning',
      code: 'W_GLSL_DIALECT',
      message: departureMessage(`#include "${ref.written}" is read from ${ref.path}`, refusedBy),
      file: ref.from,
      line: ref.line,
      column: ref.column,
      refusedBy: [...refusedBy],
    };
  });
  if (doc.strict === true && warnings.length > 0) {
    const d = strictDiagnostic(warnings[0]!);
    throw new ISFError('ISF_STRICT', d.message, {
      file: d.file,
      line: d.line,
      column: d.column,
      diagnostics: warnings.map(strictDiagnostic),
      details: { departure: d.departure, refusedBy: d.refusedBy },
    });
  }
  doc.warnings.push(...warnings);
}
