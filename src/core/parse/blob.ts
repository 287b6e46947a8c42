/**
 * Document-level checks (size, text-ness, emptiness) and VVISF's blob extraction: the JSON is the text between the
 * first `/*` and the first `*\/`; the GLSL body starts after the line break that follows `*\/`.
 */
import type { ParseContext } from './context.ts';
import { recogniseHeaderless } from './formats.ts';

export interface BlobLocation {
  /** Offset of the JSON text (just after `/*`). */
  jsonStart: number;
  /** Offset of the closing `*\/`. */
  jsonEnd: number;
  /** Offset where the GLSL body starts. */
  bodyStart: number;
  /** 1-based line where the body starts. */
  bodyLine: number;
}

/** UTF-8 byte length without allocating (stops counting once past `limit`). */
function utf8Length(s: string, limit: number): number {
  let n = 0;
  for (let i = 0; i < s.length && n <= limit; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Cheap first: a string's UTF-8 size is between its length and three times it. */
export function checkSize(ctx: ParseContext, maxBytes: number): void {
  const s = ctx.source;
  if (s.length <= maxBytes / 3) return;
  const bytes = s.length > maxBytes ? s.length : utf8Length(s, maxBytes);
  if (bytes > maxBytes) {
    const shown = s.length > maxBytes ? `more than ${maxBytes}` : `${bytes}`;
    ctx.fatal(
      'ISF_TOO_LARGE',
      `Document is ${shown} bytes, larger than the limit of ${maxBytes} bytes`,
      0,
      'Pass a larger maxBytes if this file is genuine',
    );
  }
}

/** NUL bytes, or many U+FFFD replacement/control characters, mean this is not a text file. */
export function checkText(ctx: ParseContext): void {
  const s = ctx.source;
  const nul = s.indexOf('\0');
  if (nul >= 0)
    ctx.fatal('ISF_NOT_TEXT', 'Document is not text: it contains NUL bytes (is this a binary file?)', nul);
  let bad = 0;
  let firstBad = -1;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0xfffd || (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12 && c !== 11 && c !== 27)) {
      if (firstBad < 0) firstBad = i;
      bad++;
    }
  }
  if (bad > Math.max(8, s.length * 0.02)) {
    ctx.fatal(
      'ISF_NOT_TEXT',
      `Document is not UTF-8 text: ${bad} undecodable or control characters (is this a binary file?)`,
      firstBad,
    );
  }
}

/** 1-based line of `offset`, counting \n, \r\n and lone \r. */
function lineBefore(s: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) {
    const c = s.charCodeAt(i);
    if (c === 10 || (c === 13 && s.charCodeAt(i + 1) !== 10)) line++;
  }
  return line;
}

export function locateBlob(ctx: ParseContext): BlobLocation {
  const s = ctx.source;
  if (s.trim() === '')
    ctx.fatal('ISF_EMPTY', 'Document is empty (an ISF file starts with a /* JSON */ comment)', 0);
  let open = s.indexOf('/*');
  let close = s.indexOf('*/');
  let skippedComment = false;
  if (open >= 0 && close > open && !/^\s*\{/.test(s.slice(open + 2, close))) {
    // A licence or other comment before the JSON one: VVISF takes the first comment and fails on it.
    const json = /\/\*\s*\{/g;
    json.lastIndex = close + 2;
    const m = json.exec(s);
    if (m !== null && s.indexOf('*/', m.index + 2) >= 0) {
      ctx.depart(
        'W_HEADER',
        'The first /* comment is not the ISF JSON; the JSON is read from the later /*{ comment',
        m.index,
        ['VVISF', 'ISF editor'],
        'Put the JSON comment first and the other comment after it',
      );
      open = m.index;
      skippedComment = true;
      close = s.indexOf('*/', open + 2);
    }
  }
  if (!skippedComment && open > 0 && s.slice(0, open).trim() !== '' && close > open) {
    ctx.depart(
      'W_HEADER',
      'Text before the /*{ JSON comment (the spec starts a file with it)',
      s.length - s.trimStart().length,
      [],
    );
  }
  if (open < 0) {
    const foreign = recogniseHeaderless(s);
    if (foreign !== undefined) ctx.fatal('ISF_NOT_ISF', foreign.message, foreign.offset);
    ctx.fatal(
      'ISF_MISSING_COMMENT',
      'No /* ... */ comment with the ISF JSON was found',
      Math.max(close, 0),
      'Start the file with a comment holding the JSON object, e.g. /*{ "ISFVSN": "2", "INPUTS": [] }*/',
    );
  }
  if (close >= 0 && close < open + 2) {
    ctx.fatal(
      'ISF_MISSING_COMMENT',
      'Found "*/" before the "/*" that should open the ISF JSON comment',
      close,
      'The JSON blob is taken from the first "/*" to the first "*/"; remove the stray "*/"',
    );
  }
  if (close < 0) {
    ctx.fatal(
      'ISF_UNTERMINATED_COMMENT',
      'The /* comment holding the ISF JSON is never closed with */',
      open,
    );
  }
  const afterClose = close + 2;
  let lineEnd = afterClose;
  while (lineEnd < s.length && s[lineEnd] !== '\n' && s[lineEnd] !== '\r') lineEnd++;
  const trailing = s.slice(afterClose, lineEnd);
  if (trailing.trim() !== '') {
    const at = afterClose + (trailing.length - trailing.trimStart().length);
    ctx.warn(
      'W_CODE_AFTER_COMMENT',
      `Text after "*/" on the same line is dropped (VVISF starts the GLSL on the next line): ${JSON.stringify(trailing.trim().slice(0, 40))}`,
      at,
      'Move it to the next line',
    );
  }
  let bodyStart = lineEnd;
  if (s[bodyStart] === '\r' && s[bodyStart + 1] === '\n') bodyStart += 2;
  else if (bodyStart < s.length) bodyStart += 1;
  // Counting only up to the body keeps large documents from building a full line table.
  const bodyLine = lineBefore(s, lineEnd) + 1;
  return { jsonStart: open + 2, jsonEnd: close, bodyStart, bodyLine };
}
