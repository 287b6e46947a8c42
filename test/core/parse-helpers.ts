/** Shared bits for the parser tests: corpus paths and a tiny ISF document builder. */
import { fileURLToPath } from 'node:url';

export const SHARED = fileURLToPath(new URL('../../../shared/', import.meta.url));
export const CORPUS_TESTS = `${SHARED}corpus/isf-tests`;
export const CORPUS_FILES = `${SHARED}corpus/isf-files`;
export const CORPUS_INDEX = `${SHARED}corpus/isf-corpus-index.tsv`;

/** An ISF document with `json` (pretty-printed, so every key sits on its own line) and a trivial body. */
export function isf(json: unknown, body = 'void main() {\n  gl_FragColor = vec4(1.0);\n}\n'): string {
  return `/*${JSON.stringify(json, null, 2)}*/\n${body}`;
}

/** 1-based line of the first line of `text` containing `needle`. */
export function lineOf(text: string, needle: string): number {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`${needle} not in text`);
  return text.slice(0, i).split('\n').length;
}

/** 1-based column of the first occurrence of `needle` on its line. */
export function columnOf(text: string, needle: string): number {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`${needle} not in text`);
  return i - text.lastIndexOf('\n', i - 1);
}
