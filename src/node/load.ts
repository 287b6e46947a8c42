/**
 * Loading ISF files from disk: the .fs, its sibling vertex shader (.vs, else .vert, as VVISF looks), and checks that
 * IMPORTED files exist. Every file is read through readRegularFile (regular files within the size limit only), and
 * the sibling and IMPORTED files obey the document's confinement (confine.ts): inside its folder, symlinks
 * resolved, or inside `importRoot` when the caller trusts the document.
 */
import { extname, resolve } from 'node:path';
import { CONVERTIBLE_EXTENSIONS, convertForLoading } from '../core/convert/index.ts';
import type { ISFDocument, ParseOptions } from '../core/document.ts';
import { type Diagnostic, ISFError } from '../core/errors.ts';
import { applyIncludes, type IncludeReader } from '../core/parse/include.ts';
import { DEFAULT_MAX_BYTES, parseISF, type ValidationResult, validateISF } from '../core/parse/index.ts';
import { type Confinement, confinementOf, confinePath, readRegularFile, statOrUndefined } from './confine.ts';

/** ParseOptions minus what loadISF works out itself (path; vertex shader unless given). */
export type LoadOptions = Omit<ParseOptions, 'path'>;

interface ReadResult {
  path: string;
  source: string;
  vertexSource?: string;
  vertexPath?: string;
  /** Located warnings found while reading (a sibling .vs reached through the trusted tree). */
  warnings: Diagnostic[];
}

function confinementFor(abs: string, options: LoadOptions): Confinement {
  return confinementOf({
    path: abs,
    importRoot: options.importRoot,
    importAnywhere: options.allowImportOutsideFolder,
  })!;
}

const decodeText = (bytes: Uint8Array): string => new TextDecoder('utf-8').decode(bytes);

async function readDocument(path: string, options: LoadOptions): Promise<ReadResult> {
  const abs = resolve(path);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  // Checked on the opened file before reading: a FIFO or a device is refused at once, a huge file costs nothing.
  const bytes = await readRegularFile(abs, {
    maxBytes,
    what: 'ISF file',
    code: 'ISF_FILE_NOT_FOUND',
    tooLargeCode: 'ISF_TOO_LARGE',
  });
  // Non-fatal decoding: invalid UTF-8 becomes U+FFFD, which the parser's text check counts.
  const result: ReadResult = { path: abs, source: decodeText(bytes), warnings: [] };
  // A Shadertoy / GLSL Sandbox file (not .fs) is converted on the fly; its conversion notes become warnings.
  if (CONVERTIBLE_EXTENSIONS.includes(extname(abs).toLowerCase())) {
    const converted = convertForLoading(result.source, abs);
    if (converted) {
      result.source = converted.source;
      result.warnings.push(...converted.warnings);
      return result;
    }
  }
  if (options.vertexSource !== undefined) {
    result.vertexSource = options.vertexSource;
    if (options.vertexPath !== undefined) result.vertexPath = options.vertexPath;
    return result;
  }
  if (options.vertexPath !== undefined) {
    // Named by the caller, not by the document: read as given.
    const vertexPath = resolve(options.vertexPath);
    result.vertexSource = decodeText(
      await readRegularFile(vertexPath, { maxBytes, what: 'vertex shader', code: 'ISF_FILE_NOT_FOUND' }),
    );
    result.vertexPath = vertexPath;
    return result;
  }
  // The sibling .vs/.vert is found by name, so it is confined like the document's other references.
  const stem = abs.slice(0, abs.length - extname(abs).length);
  for (const candidate of [`${stem}.vs`, `${stem}.vert`]) {
    if (candidate === abs || !(await statOrUndefined(candidate))?.isFile()) continue;
    const confined = await confinePath(candidate, confinementFor(abs, options), {
      label: 'vertex shader',
      written: candidate,
      file: abs,
    });
    if (confined?.outsideFolder) {
      result.warnings.push(outsideFolderWarning(abs, undefined, `vertex shader ${candidate}`, confined.real));
    }
    result.vertexSource = decodeText(
      await readRegularFile(candidate, {
        maxBytes,
        what: 'vertex shader',
        code: 'ISF_FILE_NOT_FOUND',
        tooLargeCode: 'ISF_TOO_LARGE',
      }),
    );
    result.vertexPath = candidate;
    break;
  }
  return result;
}

function outsideFolderWarning(
  file: string,
  line: number | undefined,
  what: string,
  real: string,
  column = 1,
): Diagnostic {
  const d: Diagnostic = {
    severity: 'warning',
    code: 'W_IMPORT_OUTSIDE_FOLDER',
    message: `${what} resolves to ${real}, outside the shader's folder; allowed inside the trusted folder, refused when rendered untrusted`,
    file,
    column,
  };
  if (line !== undefined) d.line = line;
  return d;
}

/**
 * IMPORTED files must exist and obey the document's confinement (confinePath: real paths inside its folder, or
 * the trusted root it was parsed with). Returns errors, and warnings for links into the trusted root.
 */
async function checkImports(doc: ISFDocument): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  const file = doc.path ?? '<input>';
  const confinement = confinementOf(doc);
  for (const imp of doc.imported) {
    const resolved = imp.cube?.resolvedPaths ?? (imp.resolvedPath === undefined ? [] : [imp.resolvedPath]);
    const written = imp.cube?.paths ?? [imp.path];
    for (const [i, target] of resolved.entries()) {
      const d = (code: 'ISF_IMPORTED_MISSING' | 'ISF_IMPORTED_PATH', message: string): Diagnostic => {
        const diag: Diagnostic = { severity: 'error', code, message, file, column: 1 };
        if (imp.line !== undefined) diag.line = imp.line;
        return diag;
      };
      if (!(await statOrUndefined(target))?.isFile()) {
        out.push(
          d('ISF_IMPORTED_MISSING', `IMPORTED "${imp.name}": file ${written[i]} (${target}) not found`),
        );
        continue;
      }
      if (confinement === undefined) continue;
      try {
        const confined = await confinePath(target, confinement, {
          label: `IMPORTED "${imp.name}"`,
          written: written[i]!,
          file,
          line: imp.line,
        });
        // A `../` written in the document was already warned about by the parser; a link was not.
        if (confined?.outsideFolder && !written[i]!.includes('..')) {
          out.push(
            outsideFolderWarning(file, imp.line, `IMPORTED "${imp.name}" (${written[i]})`, confined.real),
          );
        }
      } catch (e) {
        if (!(e instanceof ISFError)) throw e;
        out.push(d('ISF_IMPORTED_PATH', e.message));
      }
    }
  }
  return out;
}

/**
 * The #include reader for a parsed document: each included file is confined exactly like IMPORTED (confinePath:
 * inside the document's real folder, or the trusted root it was parsed with; a link into the root is warned about)
 * and read with readRegularFile.
 */
function includeReader(doc: ISFDocument, maxBytes: number): IncludeReader {
  const confinement = confinementOf(doc);
  return async (ref) => {
    let path = ref.path;
    if (confinement !== undefined) {
      const confined = await confinePath(ref.path, confinement, {
        label: `#include "${ref.written}"`,
        written: ref.written,
        file: ref.from,
        line: ref.line,
        column: ref.column,
      });
      if (confined === undefined) return undefined;
      if (confined.outsideFolder) {
        doc.warnings.push(
          outsideFolderWarning(ref.from, ref.line, `#include "${ref.written}"`, confined.real, ref.column),
        );
      }
      path = confined.real;
    } else if (!(await statOrUndefined(path))?.isFile()) return undefined;
    return decodeText(
      await readRegularFile(path, {
        maxBytes,
        what: 'included file',
        code: 'ISF_INCLUDE',
        tooLargeCode: 'ISF_TOO_LARGE',
        file: ref.from,
        line: ref.line,
        column: ref.column,
      }),
    );
  };
}

/** Reads and parses an ISF file; throws ISFError (ISF_FILE_NOT_FOUND, any parse error, ISF_IMPORTED_*). */
export async function loadISF(path: string, options: LoadOptions = {}): Promise<ISFDocument> {
  const r = await readDocument(path, options);
  const parseOptions: ParseOptions = { ...options, path: r.path };
  if (r.vertexSource !== undefined) parseOptions.vertexSource = r.vertexSource;
  if (r.vertexPath !== undefined) parseOptions.vertexPath = r.vertexPath;
  const doc = parseISF(r.source, parseOptions);
  await applyIncludes(doc, includeReader(doc, options.maxBytes ?? DEFAULT_MAX_BYTES));
  const checked = await checkImports(doc);
  doc.warnings.push(...r.warnings, ...checked.filter((d) => d.severity === 'warning'));
  const problems = checked.filter((d) => d.severity === 'error');
  const first = problems[0];
  if (first !== undefined) {
    throw new ISFError(first.code as 'ISF_IMPORTED_MISSING' | 'ISF_IMPORTED_PATH', first.message, {
      file: first.file,
      line: first.line,
      column: first.column,
      diagnostics: [...problems, ...doc.warnings],
    });
  }
  return doc;
}

/** Like validateISF for a file: never throws for bad input; a missing file is reported as a diagnostic. */
export async function validateFile(path: string, options: LoadOptions = {}): Promise<ValidationResult> {
  let r: ReadResult;
  try {
    r = await readDocument(path, options);
  } catch (e) {
    if (e instanceof ISFError) return { ok: false, diagnostics: [e.toDiagnostic()] };
    throw e;
  }
  const parseOptions: ParseOptions = { ...options, path: r.path };
  if (r.vertexSource !== undefined) parseOptions.vertexSource = r.vertexSource;
  if (r.vertexPath !== undefined) parseOptions.vertexPath = r.vertexPath;
  const result = validateISF(r.source, parseOptions);
  result.diagnostics.push(...r.warnings);
  if (result.document === undefined) return result;
  try {
    await applyIncludes(
      result.document,
      includeReader(result.document, options.maxBytes ?? DEFAULT_MAX_BYTES),
    );
    // validateISF's document.warnings is the diagnostics array itself, so the #include warnings are in both.
  } catch (e) {
    if (!(e instanceof ISFError)) throw e;
    const diagnostics = [
      ...result.diagnostics,
      ...(e.diagnostics.length ? e.diagnostics : [e.toDiagnostic()]),
    ];
    return { ok: false, diagnostics };
  }
  const problems = await checkImports(result.document);
  result.document.warnings.push(...r.warnings, ...problems.filter((d) => d.severity === 'warning'));
  if (problems.length === 0) return result;
  if (!problems.some((d) => d.severity === 'error')) {
    result.diagnostics.push(...problems);
    return result;
  }
  const diagnostics = [...problems, ...result.diagnostics].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { ok: false, diagnostics };
}
