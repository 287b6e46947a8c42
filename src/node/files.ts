/**
 * Writes that never leave a half file: data goes to a temporary name in the same folder, then rename(2)
 * moves it into place atomically. A failed or interrupted write removes its temporary file.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ISFError } from '../core/errors.ts';
import { ioReason } from './confine.ts';

/** Temporary files still being written, so an interrupted process can remove them (see removePendingFiles). */
const pending = new Set<string>();

export function temporaryPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

/** Creates the folder of an output file; IO_ERROR naming the file when it cannot be (a part of it is a file...). */
export async function makeOutputFolder(path: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
  } catch (e) {
    throw new ISFError('IO_ERROR', `Cannot write ${path}: ${ioReason(e)}`, { file: path, cause: e });
  }
}

export async function writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
  const tmp = temporaryPathFor(path);
  pending.add(tmp);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    // rm itself fails when the folder cannot exist (a part of the path is a file): nothing was left there.
    await rm(tmp, { force: true }).catch(() => undefined);
    throw new ISFError('IO_ERROR', `Cannot write ${path}: ${ioReason(e)}`, { file: path, cause: e });
  } finally {
    pending.delete(tmp);
  }
}

/** Removes temporary files of writes still in flight (call from a SIGINT handler). */
export async function removePendingFiles(): Promise<void> {
  await Promise.all([...pending].map((p) => rm(p, { force: true }).catch(() => undefined)));
  pending.clear();
}

/**
 * Removes the temporary files that process `pid` left in `folder` (temporaryPathFor names them by pid): what a
 * child killed in the middle of a write leaves. Its finished files are complete and stay.
 */
export async function removeTemporaryFilesOf(pid: number, folder: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return; // no folder, nothing written
  }
  const mine = new RegExp(`^\\..+\\.${pid}\\.[0-9a-f]{8}\\.tmp$`);
  await Promise.all(names.filter((n) => mine.test(n)).map((n) => rm(join(folder, n), { force: true })));
}
