/** Expands the CLI's file and folder arguments into .fs files (folders recursively, sorted). */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ISFError } from '../core/errors.ts';
import { ioReason } from '../node/confine.ts';

const SHADER_EXTENSIONS = ['.fs', '.frag'];

export async function expandShaderPaths(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const p of paths) {
    let st: Awaited<ReturnType<typeof stat>>;
    try {
      st = await stat(p);
    } catch {
      // Missing files are still listed: validation reports them as ISF_FILE_NOT_FOUND.
      out.push(p);
      continue;
    }
    if (st.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  if (out.length === 0) throw new ISFError('BAD_ARGUMENT', 'no shader files given');
  return out;
}

async function walk(dir: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw new ISFError('IO_ERROR', `Cannot list the folder ${dir}: ${ioReason(e)}`, { file: dir, cause: e });
  }
  entries.sort((a, b) => a.name.localeCompare(b.name));
  const out: string[] = [];
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (SHADER_EXTENSIONS.some((x) => e.name.toLowerCase().endsWith(x))) out.push(p);
  }
  return out;
}
