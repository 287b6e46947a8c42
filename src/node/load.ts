/**
 * Loading ISF files from disk: the .fs, its sibling vertex shader (.vs, else .vert, as VVISF looks), and checks that
 * IMPORTED files exist and do not leave the shader's folder, symlinks included.
 */
import { readFile, realpath, stat } from 'node:fs/promises';
import { dirname, extname, relative, resolve, sep } from 'node:path';
import type { ISFDocument, ParseOptions } from '../core/document.ts';
import { type Diagnostic, ISFError } from '../core/errors.ts';
import { DEFAULT_MAX_BYTES, parseISF, type ValidationResult, validateISF } from '../core/parse/index.ts';

/** ParseOptions minus what loadISF works out itself (path; vertex shader unless given). */
export type LoadOptions = Omit<ParseOptions, 'path'>;

interface ReadResult {
  path: string;
  source: string;
  vertexSource?: string;
  vertexPath?: string;
}

function notFound(path: string, why: string): ISFError {
  return new ISFError('ISF_FILE_NOT_FOUND', `Cannot read ISF file ${path}: ${why}`, {
    file: path,
    suggestion: 'Check the path; ISF fragment shaders are .fs files',
  });
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function readDocument(path: string, options: LoadOptions): Promise<ReadResult> {
  const abs = resolve(path);
  let size: number;
  try {
    const st = await stat(abs);
    if (st.isDirectory()) throw notFound(path, 'it is a directory');
    size = st.size;
  } catch (e) {
    if (e instanceof ISFError) throw e;
    throw notFound(
      path,
      (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message,
    );
  }
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  // Refuse before reading: a huge file should cost nothing.
  if (size > maxBytes) {
    throw new ISFError(
      'ISF_TOO_LARGE',
      `Document is ${size} bytes, larger than the limit of ${maxBytes} bytes`,
      {
        file: abs,
        line: 1,
        column: 1,
      },
    );
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(abs);
  } catch (e) {
    throw notFound(path, (e as Error).message);
  }
  // Non-fatal decoding: invalid UTF-8 becomes U+FFFD, which the parser's text check counts.
  const result: ReadResult = { path: abs, source: new TextDecoder('utf-8').decode(bytes) };
  if (options.vertexSource !== undefined) {
    result.vertexSource = options.vertexSource;
    if (options.vertexPath !== undefined) result.vertexPath = options.vertexPath;
    return result;
  }
  const stem = abs.slice(0, abs.length - extname(abs).length);
  for (const candidate of options.vertexPath !== undefined
    ? [resolve(options.vertexPath)]
    : [`${stem}.vs`, `${stem}.vert`]) {
    if (candidate !== abs && (await isFile(candidate))) {
      result.vertexSource = new TextDecoder('utf-8').decode(await readFile(candidate));
      result.vertexPath = candidate;
      break;
    }
  }
  return result;
}

/** IMPORTED files must exist, and (unless allowed) their real path must stay inside the shader's real folder. */
async function checkImports(doc: ISFDocument, options: LoadOptions): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  const file = doc.path ?? '<input>';
  const folder =
    doc.path === undefined ? undefined : await realpath(dirname(doc.path)).catch(() => dirname(doc.path!));
  for (const imp of doc.imported) {
    const resolved = imp.cube?.resolvedPaths ?? (imp.resolvedPath === undefined ? [] : [imp.resolvedPath]);
    const written = imp.cube?.paths ?? [imp.path];
    for (const [i, target] of resolved.entries()) {
      const d = (code: 'ISF_IMPORTED_MISSING' | 'ISF_IMPORTED_PATH', message: string): Diagnostic => {
        const diag: Diagnostic = { severity: 'error', code, message, file, column: 1 };
        if (imp.line !== undefined) diag.line = imp.line;
        return diag;
      };
      if (!(await isFile(target))) {
        out.push(
          d('ISF_IMPORTED_MISSING', `IMPORTED "${imp.name}": file ${written[i]} (${target}) not found`),
        );
        continue;
      }
      if (options.allowImportOutsideFolder === true || folder === undefined) continue;
      const real = await realpath(target);
      const rel = relative(folder, real);
      if (rel === '..' || rel.startsWith(`..${sep}`) || resolve(folder, rel) !== real) {
        out.push(
          d(
            'ISF_IMPORTED_PATH',
            `IMPORTED "${imp.name}": ${written[i]} is a link to ${real}, outside the shader's folder; refused`,
          ),
        );
      }
    }
  }
  return out;
}

/** Reads and parses an ISF file; throws ISFError (ISF_FILE_NOT_FOUND, any parse error, ISF_IMPORTED_*). */
export async function loadISF(path: string, options: LoadOptions = {}): Promise<ISFDocument> {
  const r = await readDocument(path, options);
  const parseOptions: ParseOptions = { ...options, path: r.path };
  if (r.vertexSource !== undefined) parseOptions.vertexSource = r.vertexSource;
  if (r.vertexPath !== undefined) parseOptions.vertexPath = r.vertexPath;
  const doc = parseISF(r.source, parseOptions);
  const problems = await checkImports(doc, options);
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
  if (result.document === undefined) return result;
  const problems = await checkImports(result.document, options);
  if (problems.length === 0) return result;
  const diagnostics = [...problems, ...result.diagnostics].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return { ok: false, diagnostics };
}
