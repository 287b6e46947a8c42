/**
 * Loading ISF documents over HTTP in the browser, as loadISF does from disk in Node: the shader is fetched, a
 * Shadertoy / GLSL Sandbox source (.glsl/.frag/.json/.txt that is not ISF) is converted on the fly by the core
 * converter, and every `#include "file"` is fetched relative to the file that includes it through core's
 * applyIncludes, so cycles, depth and the number of files are limited exactly as in Node.
 *
 * Paths stay paths (`shaders/a.fs`, `shaders/lib/noise.glsl`): errors and warnings name them, and `urlOf` turns
 * each into the URL it is fetched from (by default resolved against `baseUrl`, else the page's own address).
 * What may be fetched is the server's business: `isf serve` answers only for files inside its folder.
 */
import { CONVERTIBLE_EXTENSIONS, convertForLoading } from '../core/convert/index.ts';
import type { ISFDocument, ParseOptions } from '../core/document.ts';
import { type Diagnostic, ISFError } from '../core/errors.ts';
import { applyIncludes, type IncludeReader } from '../core/parse/include.ts';
import { DEFAULT_MAX_BYTES, parseISF } from '../core/parse/index.ts';

/** The part of fetch() used here (a test or a host can hand its own). */
export type FetchLike = (url: string) => Promise<Response>;

export interface BrowserLoadOptions extends Omit<ParseOptions, 'path'> {
  /** Paths are resolved against this URL (default: the page's own address). */
  baseUrl?: string | URL;
  /** The URL a path is fetched from; overrides baseUrl (`isf serve`'s page: `/file?path=...`). */
  urlOf?: (path: string) => string;
  /** Default: the global fetch. */
  fetch?: FetchLike;
}

/** The path → URL mapping of the options. */
export function urlResolver(
  options: Pick<BrowserLoadOptions, 'baseUrl' | 'urlOf'>,
): (path: string) => string {
  if (options.urlOf) return options.urlOf;
  const base = options.baseUrl ?? globalThis.location?.href;
  return (path) => (base === undefined ? path : new URL(path, base).href);
}

function fetchOf(options: Pick<BrowserLoadOptions, 'fetch'>): FetchLike {
  return options.fetch ?? ((url) => fetch(url));
}

/** The body of a response as text, refused past `maxBytes` (the Node loader's size limit). */
async function textWithin(
  res: Response,
  maxBytes: number,
  what: string,
  code: 'ISF_TOO_LARGE',
): Promise<string> {
  const declared = Number(res.headers.get('content-length'));
  const text = Number.isFinite(declared) && declared > maxBytes ? undefined : await res.text();
  if (text === undefined || text.length > maxBytes) {
    throw new ISFError(code, `${what} is larger than ${maxBytes} bytes`);
  }
  return text;
}

/**
 * An IncludeReader that fetches each included file from `urlOf(ref.path)`: 404 is "not found" (applyIncludes then
 * says ISF_INCLUDE at the including line); any other failure is an ISF_INCLUDE error naming the file and line.
 * `onRequest` sees every path asked for, found or not (the serve page reloads when one of them changes).
 */
export function fetchIncludeReader(
  urlOf: (path: string) => string,
  options: { fetch?: FetchLike; maxBytes?: number; onRequest?: (path: string) => void } = {},
): IncludeReader {
  const get = fetchOf(options);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  return async (ref) => {
    options.onRequest?.(ref.path);
    const url = urlOf(ref.path);
    const where = { file: ref.from, line: ref.line, column: ref.column };
    let res: Response;
    try {
      res = await get(url);
    } catch (e) {
      throw new ISFError(
        'ISF_INCLUDE',
        `#include "${ref.written}": cannot fetch ${url}: ${(e as Error).message}`,
        {
          ...where,
          cause: e,
        },
      );
    }
    if (res.status === 404) return undefined;
    if (!res.ok) {
      const why = (await res.text().catch(() => '')).trim();
      throw new ISFError(
        'ISF_INCLUDE',
        `#include "${ref.written}": ${ref.path} cannot be read (HTTP ${res.status}${why ? `: ${why}` : ''})`,
        where,
      );
    }
    try {
      return await textWithin(res, maxBytes, `#include "${ref.written}" (${ref.path})`, 'ISF_TOO_LARGE');
    } catch (e) {
      if (e instanceof ISFError) throw new ISFError(e.code, e.message, where);
      throw e;
    }
  };
}

/** A source as ISF: Shadertoy / GLSL Sandbox text under a convertible extension is converted, with its notes. */
export function isfSourceOf(source: string, path: string): { source: string; warnings: Diagnostic[] } {
  const dot = path.lastIndexOf('.');
  const ext = dot > path.lastIndexOf('/') ? path.slice(dot).toLowerCase() : '';
  if (CONVERTIBLE_EXTENSIONS.includes(ext)) {
    const converted = convertForLoading(source, path);
    if (converted) return { source: converted.source, warnings: [...converted.warnings] };
  }
  return { source, warnings: [] };
}

/**
 * Fetches, converts if needed, parses and expands an ISF file: `path` is resolved with `urlOf`/`baseUrl`, and so
 * are its includes. Throws ISFError like Node's loadISF (ISF_FILE_NOT_FOUND, parse errors, ISF_INCLUDE, ...).
 * IMPORTED images are fetched later by the scene's platform: give browserPlatform() the same mapping
 * (`importedUrl: urlResolver(options)`).
 */
export async function loadISF(path: string, options: BrowserLoadOptions = {}): Promise<ISFDocument> {
  const urlOf = urlResolver(options);
  const get = fetchOf(options);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const url = urlOf(path);
  let res: Response;
  try {
    res = await get(url);
  } catch (e) {
    throw new ISFError('ISF_FILE_NOT_FOUND', `Cannot fetch ${path} (${url}): ${(e as Error).message}`, {
      file: path,
      cause: e,
    });
  }
  if (!res.ok) {
    throw new ISFError('ISF_FILE_NOT_FOUND', `Cannot fetch ${path} (${url}): HTTP ${res.status}`, {
      file: path,
    });
  }
  const text = await textWithin(res, maxBytes, path, 'ISF_TOO_LARGE');
  const { source, warnings } = isfSourceOf(text, path);
  const { baseUrl: _b, urlOf: _u, fetch: _f, ...parseOptions } = options;
  const doc = parseISF(source, { ...parseOptions, path });
  await applyIncludes(doc, fetchIncludeReader(urlOf, { fetch: get, maxBytes }));
  doc.warnings.push(...warnings);
  return doc;
}
