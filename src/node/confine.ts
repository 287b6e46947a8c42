/**
 * The one place where Node decides whether a file may be read, and reads it.
 *
 * - `confinePath` is the confinement rule for the files a document names itself (IMPORTED images, its sibling
 *   .vs/.vert, `#include`s) and for everything `isf serve` hands out: the path, symlinks resolved, must lie inside
 *   the document's real folder; a caller that trusts the document may give a wider root (the user's own tree:
 *   `../textures/a.png` is then allowed, with a warning), or allow anything. loadISF, nodePlatform (in-process
 *   scenes, RenderPool workers, the isolated child, farm workers) and serve all call it.
 * - `readRegularFile` opens without blocking, checks that what it opened is a regular file within a size limit,
 *   and only then reads it: a FIFO, /dev/zero or a folder is a typed error at once, never a hang or a flood.
 */
import { constants, type Stats } from 'node:fs';
import { type FileHandle, open, realpath, stat } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import { ISFError, type ISFErrorCode } from '../core/errors.ts';

/** How far a document's own references may reach. */
export interface Confinement {
  /** The folder the references are relative to (the document's folder). */
  folder: string;
  /**
   * A folder above `folder` that references may climb into (`../x.png`): the user's own tree, for documents the
   * caller trusts. Such a reference is allowed and reported (`outsideFolder: true`) so the caller can warn.
   */
  root?: string;
  /** No confinement at all (allowImportOutsideFolder): the caller takes responsibility. */
  anywhere?: boolean;
}

/** The confinement of a parsed document: what it was parsed with (ParseOptions importRoot / allowImportOutsideFolder). */
export function confinementOf(doc: {
  path?: string | undefined;
  importRoot?: string | undefined;
  importAnywhere?: boolean | undefined;
}): Confinement | undefined {
  if (doc.path === undefined) return undefined;
  const c: Confinement = { folder: dirname(resolve(doc.path)) };
  if (doc.importRoot !== undefined) c.root = resolve(doc.importRoot);
  if (doc.importAnywhere === true) c.anywhere = true;
  return c;
}

/** True when `path` is `folder` or lies below it (both absolute and normalised). */
export function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && resolve(folder, rel) === path);
}

async function realOr(path: string): Promise<string> {
  return realpath(path).catch(() => resolve(path));
}

export interface ConfinedPath {
  /** The real path (symlinks resolved). */
  real: string;
  /** True when it lies outside the document's folder but inside the trusted root (warn about it). */
  outsideFolder: boolean;
}

export interface ConfineWhat {
  /** What the reference is, for messages: `IMPORTED "pic"`, `vertex shader`, `#include "a.glsl"`. */
  label: string;
  /** The path as the document wrote it. */
  written: string;
  /** The document (file), line and column the reference is on (an #include knows its column, IMPORTED not). */
  file?: string | undefined;
  line?: number | undefined;
  column?: number | undefined;
}

/**
 * Resolves `target` (symlinks included) and checks it against the confinement; throws ISF_IMPORTED_PATH naming
 * the reference when it leads outside. A target that does not exist resolves to undefined: the caller reports it
 * missing in its own words.
 */
export async function confinePath(
  target: string,
  confinement: Confinement,
  what: ConfineWhat,
): Promise<ConfinedPath | undefined> {
  let real: string;
  try {
    real = await realpath(target);
  } catch {
    return undefined;
  }
  if (confinement.anywhere) return { real, outsideFolder: false };
  const folder = await realOr(confinement.folder);
  if (isInside(folder, real)) return { real, outsideFolder: false };
  const root = confinement.root === undefined ? undefined : await realOr(confinement.root);
  if (root !== undefined && isInside(root, real)) return { real, outsideFolder: true };
  throw new ISFError(
    'ISF_IMPORTED_PATH',
    `${what.label}: ${what.written} resolves to ${real}, outside ${root === undefined ? `the shader's folder ${folder}` : `${root}`}; refused`,
    {
      file: what.file,
      line: what.line,
      column: what.column,
      suggestion:
        root === undefined
          ? 'Put the file next to the .fs (or in a subfolder), or set allowImportOutsideFolder'
          : 'Keep the file inside the folder you render from, or set allowImportOutsideFolder',
      details: { refused: what.written, resolved: real },
    },
  );
}

/** What kind of thing a stat describes, for "X is a FIFO, not a regular file". */
export function fileKind(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/** Why opening or reading failed, in words. */
export function ioReason(e: unknown): string {
  switch ((e as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    case 'EEXIST':
      return 'a file is in the way where a folder is needed';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'EROFS':
      return 'read-only file system';
    default:
      return (e as Error).message;
  }
}

export interface ReadOptions {
  /** Largest size read; larger files are refused before reading anything. */
  maxBytes: number;
  /** What the file is, for messages: "image file", "ISF file", "audio file". */
  what: string;
  /** Code for a file that cannot be opened or is not a regular file (default IO_ERROR). */
  code?: ISFErrorCode;
  /** Code for a file over `maxBytes` (default LIMIT_EXCEEDED). */
  tooLargeCode?: ISFErrorCode;
  /** Give up (IO_ERROR) when reading takes longer than this (a hung network mount). */
  timeoutMs?: number;
  /** Extra error options (file, line, column of the reference). */
  file?: string;
  line?: number;
  column?: number;
}

/**
 * Opens `path` for reading and checks it is a regular file within `maxBytes`; returns the open handle and its
 * stat. O_NONBLOCK makes opening a FIFO return at once (a blocking open waits for a writer forever); the checks
 * run on the opened file, so a path swapped after a stat cannot slip through.
 */
export async function openRegularFile(
  path: string,
  options: ReadOptions,
): Promise<{ handle: FileHandle; stat: Stats }> {
  const code = options.code ?? 'IO_ERROR';
  const fail = (why: string, cause?: unknown, errorCode: ISFErrorCode = code) =>
    new ISFError(errorCode, `Cannot read ${options.what} ${path}: ${why}`, {
      file: options.file ?? path,
      line: options.line,
      column: options.column,
      cause,
    });
  let handle: FileHandle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw fail(ioReason(e), e);
  }
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw fail(`it is ${fileKind(st)}, not a regular file`);
    if (st.size > options.maxBytes) {
      throw fail(
        `it is ${st.size} bytes, more than the limit of ${options.maxBytes} bytes`,
        undefined,
        options.tooLargeCode ?? 'LIMIT_EXCEEDED',
      );
    }
    return { handle, stat: st };
  } catch (e) {
    await handle.close();
    throw e;
  }
}

/**
 * Reads a regular file of at most `maxBytes` (see openRegularFile). Reads in chunks up to the limit rather than
 * trusting the size the stat gave: a file that grows while being read (or a /proc file that says 0) stops at the
 * limit with the same error.
 */
export async function readRegularFile(path: string, options: ReadOptions): Promise<Buffer> {
  const { handle, stat: st } = await openRegularFile(path, options);
  const read = async (): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    let total = 0;
    const size = Math.min(Math.max(st.size, 64 * 1024), options.maxBytes + 1, 16 * 1024 * 1024);
    for (;;) {
      const buffer = Buffer.allocUnsafe(size);
      const { bytesRead } = await handle.read(buffer, 0, size, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > options.maxBytes) {
        throw new ISFError(
          options.tooLargeCode ?? 'LIMIT_EXCEEDED',
          `Cannot read ${options.what} ${path}: it is more than the limit of ${options.maxBytes} bytes`,
          { file: options.file ?? path, line: options.line, column: options.column },
        );
      }
      chunks.push(bytesRead === size ? buffer : buffer.subarray(0, bytesRead));
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  };
  let timer: NodeJS.Timeout | undefined;
  try {
    if (options.timeoutMs === undefined) return await read();
    return await Promise.race([
      read(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(
              new ISFError(
                'IO_ERROR',
                `Cannot read ${options.what} ${path}: no data after ${options.timeoutMs} ms`,
                { file: options.file ?? path },
              ),
            ),
          options.timeoutMs,
        );
      }),
    ]);
  } catch (e) {
    if (e instanceof ISFError) throw e;
    throw new ISFError(options.code ?? 'IO_ERROR', `Cannot read ${options.what} ${path}: ${ioReason(e)}`, {
      file: options.file ?? path,
      line: options.line,
      column: options.column,
      cause: e,
    });
  } finally {
    clearTimeout(timer);
    await handle.close().catch(() => undefined);
  }
}

/**
 * Checks, without reading, that `path` is a regular file within `maxBytes` (for files another program reads:
 * ffprobe/ffmpeg for clips). Same errors as readRegularFile.
 */
export async function checkRegularFile(path: string, options: ReadOptions): Promise<Stats> {
  const { handle, stat: st } = await openRegularFile(path, options);
  await handle.close();
  return st;
}

/** stat() that says "missing" instead of throwing (for optional siblings such as a .vs). */
export async function statOrUndefined(path: string): Promise<Stats | undefined> {
  return stat(path).catch(() => undefined);
}
