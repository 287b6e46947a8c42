/**
 * Where farm workers put frames and the client reads them back. Small on purpose, so an object store can
 * implement it next to the shared-folder one: whole-object writes that readers see complete or not at all.
 */
import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ISFError } from '../../core/errors.ts';
import { writeFileAtomic } from '../files.ts';

export interface FarmStorage {
  /** Writes the whole file atomically: readers see the previous content or the new one, never a part. */
  write(path: string, bytes: Uint8Array): Promise<void>;
  read(path: string): Promise<Uint8Array>;
  exists(path: string): Promise<boolean>;
  /** Removes a file, or a folder and everything under it; missing is fine. */
  remove(path: string): Promise<void>;
  /**
   * Removes what interrupted writes of these files left behind (a worker killed mid-write). A store with
   * atomic puts has nothing to do.
   */
  sweep(paths: string[]): Promise<void>;
}

/** The file a temporary name of writeFileAtomic (".name.<pid>.<hex>.tmp", see temporaryPathFor) belongs to. */
function temporaryTarget(entry: string): string | undefined {
  const m = /^\.(.+)\.\d+\.[0-9a-f]{8}\.tmp$/.exec(entry);
  return m?.[1];
}

/** A folder every machine of the farm mounts at the same path (NFS, SMB, a bind mount). */
export const fileStorage: FarmStorage = {
  write: writeFileAtomic,
  async read(path) {
    try {
      return await readFile(path);
    } catch (e) {
      throw new ISFError('IO_ERROR', `Cannot read ${path}: ${(e as Error).message}`, {
        file: path,
        cause: e,
      });
    }
  },
  async exists(path) {
    try {
      return (await stat(path)).isFile();
    } catch {
      return false;
    }
  },
  async remove(path) {
    await rm(path, { recursive: true, force: true });
  },
  async sweep(paths) {
    const byFolder = new Map<string, Set<string>>();
    for (const p of paths) {
      const dir = dirname(p);
      const names = byFolder.get(dir) ?? new Set<string>();
      byFolder.set(dir, names);
      names.add(basename(p));
    }
    for (const [dir, names] of byFolder) {
      let entries: string[];
      try {
        entries = await readdir(dir);
      } catch {
        continue;
      }
      for (const entry of entries) {
        const target = temporaryTarget(entry);
        if (target !== undefined && names.has(target)) await rm(join(dir, entry), { force: true });
      }
    }
  },
};
