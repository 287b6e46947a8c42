/**
 * Test helpers for the GLSL generator: hand-built documents, and corpus loading through parseISF once the parser
 * exists (a minimal stand-in until then, enough to know inputs, passes and imports).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ISFDocument, ISFInput, ISFPass } from '../../src/core/document.ts';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const corpusDirs = [
  join(repoRoot, '../shared/corpus/isf-tests'),
  join(repoRoot, '../shared/corpus/isf-files'),
];

/** A document with sensible defaults; `body` is the GLSL after the JSON comment, starting at line `bodyLine`. */
export function makeDoc(body: string, extra: Partial<ISFDocument> = {}): ISFDocument {
  return {
    name: 'test',
    isfVersion: 2,
    categories: [],
    kind: 'generator',
    inputs: [],
    passes: [{ persistent: false, float: false }],
    imported: [],
    fragmentSource: body,
    fragmentBody: body,
    fragmentBodyLine: 1,
    json: {},
    warnings: [],
    ...extra,
  };
}

type ParseFn = (
  source: string,
  options: { path?: string; vertexSource?: string; vertexPath?: string },
) => ISFDocument;
let parser: ParseFn | null | undefined;

/** parseISF from src/core/parse/index.ts when it exists, else null. */
export async function realParser(): Promise<ParseFn | null> {
  if (parser !== undefined) return parser;
  const url = new URL('../../src/core/parse/index.ts', import.meta.url);
  parser = existsSync(fileURLToPath(url))
    ? ((await import(url.href)) as { parseISF: ParseFn }).parseISF
    : null;
  return parser;
}

/** Loads a corpus .fs (and its .vs sibling) into an ISFDocument. */
export async function loadCorpusDoc(path: string): Promise<ISFDocument> {
  const source = readFileSync(path, 'utf8');
  const vsPath = path.replace(/\.fs$/, '.vs');
  const vertexSource = existsSync(vsPath) ? readFileSync(vsPath, 'utf8') : undefined;
  const parse = await realParser();
  if (parse) {
    const opts: { path: string; vertexSource?: string; vertexPath?: string } = { path };
    if (vertexSource !== undefined) {
      opts.vertexSource = vertexSource;
      opts.vertexPath = vsPath;
    }
    return parse(source, opts);
  }
  return miniParse(source, path, vertexSource, vsPath);
}

function miniParse(
  source: string,
  path: string,
  vertexSource: string | undefined,
  vsPath: string,
): ISFDocument {
  const open = source.indexOf('/*');
  const close = source.indexOf('*/', open + 2);
  const json = JSON.parse(source.slice(open + 2, close)) as Record<string, unknown>;
  let bodyStart = source.indexOf('\n', close);
  bodyStart = bodyStart < 0 ? source.length : bodyStart + 1;
  const fragmentBodyLine = source.slice(0, bodyStart).split('\n').length;
  const rawInputs = (json.INPUTS as Record<string, unknown>[] | undefined) ?? [];
  const inputs = rawInputs.map((i) => ({ name: i.NAME, type: i.TYPE, default: i.DEFAULT }) as ISFInput);
  const passes: ISFPass[] = ((json.PASSES as Record<string, unknown>[] | undefined) ?? [{}]).map((p) => ({
    target: p.TARGET as string | undefined,
    persistent: Boolean(p.PERSISTENT),
    float: Boolean(p.FLOAT),
  }));
  const imp = json.IMPORTED as Record<string, { PATH: string; NAME?: string }> | undefined;
  const imported = imp
    ? Object.entries(imp).map(([k, v]) => ({
        name: v.NAME ?? k,
        path: v.PATH,
        resolvedPath: join(dirname(path), v.PATH),
      }))
    : [];
  const doc: ISFDocument = makeDoc(source.slice(bodyStart), {
    path,
    name: basename(path, '.fs'),
    inputs,
    passes: passes.length > 0 ? passes : [{ persistent: false, float: false }],
    imported,
    fragmentSource: source,
    fragmentBodyLine,
    json,
  });
  if (vertexSource !== undefined) {
    doc.vertexSource = vertexSource;
    doc.vertexPath = vsPath;
  }
  return doc;
}
