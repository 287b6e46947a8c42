/** Expands the CLI's file and folder arguments into .fs files (folders recursively, sorted). */
import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join, relative, sep } from 'node:path';
import { CONVERTIBLE_EXTENSIONS } from '../core/convert/index.ts';
import { ISFError } from '../core/errors.ts';
import { ioReason } from '../node/confine.ts';

const SHADER_EXTENSIONS = ['.fs', '.frag'];
/**
 * Extensions of Shadertoy / GLSL Sandbox sources (.glsl, .json, .txt) that `isf serve` converts on the fly: listed
 * only when their text is such a source (an include library `lib/noise.glsl` is not).
 */
export const CONVERTED_EXTENSIONS = new Set(
  CONVERTIBLE_EXTENSIONS.filter((e) => !SHADER_EXTENSIONS.includes(e)),
);

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

export interface ShaderEntry {
  /** Path relative to the folder, with forward slashes. */
  path: string;
  name: string;
}

/** Deepest folder level listShaders (and isf serve's watcher) goes down to. */
export const MAX_DEPTH = 16;

export function toPosix(p: string): string {
  return p.split(sep).join('/');
}

/** Dot-entries (.git, .env) and node_modules are never listed, served or watched. */
export function ignoredName(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules';
}

/**
 * Every .fs/.frag below root, relative, sorted (dot folders and node_modules skipped, MAX_DEPTH levels): the
 * shaders `isf serve` lists and `isf thumbnails` renders; with `isSource` (which reads the file: `isf serve`), also
 * the CONVERTED_EXTENSIONS files it says are Shadertoy / GLSL Sandbox sources.
 */
export async function listShaders(
  root: string,
  isSource?: (rel: string) => Promise<boolean>,
): Promise<ShaderEntry[]> {
  const out: ShaderEntry[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    // An unreadable sub-folder is left out of the list rather than failing it.
    const entries = await readdir(dir, { withFileTypes: true }).catch((e: unknown) => {
      if (dir === root) throw e;
      return [];
    });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (ignoredName(e.name)) continue;
      const full = join(dir, e.name);
      if (e.isDirectory()) {
        if (depth < MAX_DEPTH) await walk(full, depth + 1);
      } else {
        const ext = extname(e.name).toLowerCase();
        const rel = toPosix(relative(root, full));
        if (SHADER_EXTENSIONS.includes(ext) || (CONVERTED_EXTENSIONS.has(ext) && (await isSource?.(rel)))) {
          out.push({ path: rel, name: basename(e.name, extname(e.name)) });
        }
      }
    }
  };
  await walk(root, 0);
  return out;
}
