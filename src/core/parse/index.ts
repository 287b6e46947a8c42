/**
 * ISF document parsing: parseISF (throws the first error) and validateISF (returns every error and warning).
 * Both run the same collecting parse; see ../../../docs or the spec notes for the VVISF rules mirrored here.
 */
import type { Host } from '../dialects.ts';
import type { ISFDocument, ParseOptions } from '../document.ts';
import type { Diagnostic } from '../errors.ts';
import { checkSize, checkText, locateBlob } from './blob.ts';
import { FatalParseError, ParseContext } from './context.ts';
import { buildDocument } from './document.ts';
import { JsonSyntaxError, parseJson } from './json.ts';

/** Hosts whose JSON readers are strict: VVISF and the ISF editor use nlohmann::json, ossia score sajson. */
const STRICT_JSON_READERS: readonly Host[] = ['VVISF', 'ISF editor', 'ossia score'];

export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_JSON_DEPTH = 64;

export interface ValidationResult {
  ok: boolean;
  /** Present when there are no errors. */
  document?: ISFDocument;
  /** Errors and warnings, in file order. */
  diagnostics: Diagnostic[];
}

function run(fragmentSource: string, options: ParseOptions): { ctx: ParseContext; doc?: ISFDocument } {
  // Guard JS callers: a non-string must not reach the scanners.
  const text = typeof fragmentSource === 'string' ? fragmentSource : '';
  const ctx: ParseContext = new ParseContext(text, options.path ?? '<input>', options.strict === true);
  try {
    if (typeof fragmentSource !== 'string') {
      ctx.fatal(
        'BAD_ARGUMENT',
        `Expected the fragment source as a string but received ${typeof fragmentSource}`,
        0,
      );
    }
    checkSize(ctx, options.maxBytes ?? DEFAULT_MAX_BYTES);
    checkText(ctx);
    const blob = locateBlob(ctx);
    let root: ReturnType<typeof parseJson>;
    try {
      root = parseJson(
        fragmentSource,
        blob.jsonStart,
        blob.jsonEnd,
        options.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH,
        (what, offset) => ctx.depart('W_JSON_LENIENT', what, offset, STRICT_JSON_READERS),
      );
    } catch (e) {
      if (!(e instanceof JsonSyntaxError)) throw e;
      if (e.tooDeep) ctx.fatal('ISF_JSON_TOO_DEEP', e.message, e.offset);
      return ctx.fatal('ISF_JSON_SYNTAX', `Invalid JSON in the ISF comment: ${e.message}`, e.offset);
    }
    if (root.type !== 'object') {
      ctx.fatal(
        'ISF_JSON_NOT_OBJECT',
        `The ISF JSON must be an object ({ ... }) but is ${root.type === 'array' ? 'an array' : `a ${root.type}`}`,
        root.start,
      );
    }
    const doc = buildDocument(ctx, root, blob, options);
    return { ctx, doc };
  } catch (e) {
    if (e instanceof FatalParseError) return { ctx };
    throw e;
  }
}

/** Parses an ISF fragment shader. Throws ISFError (the earliest error, with every diagnostic attached). */
export function parseISF(fragmentSource: string, options: ParseOptions = {}): ISFDocument {
  const { ctx, doc } = run(fragmentSource, options);
  if (ctx.hasErrors() || doc === undefined) throw ctx.toError();
  doc.warnings = ctx.sorted();
  return doc;
}

/** Checks an ISF fragment shader without throwing for bad input. */
export function validateISF(fragmentSource: string, options: ParseOptions = {}): ValidationResult {
  const { ctx, doc } = run(fragmentSource, options);
  const diagnostics = ctx.sorted();
  const ok = !ctx.hasErrors() && doc !== undefined;
  if (!ok) return { ok, diagnostics };
  doc.warnings = diagnostics;
  return { ok, document: doc, diagnostics };
}
