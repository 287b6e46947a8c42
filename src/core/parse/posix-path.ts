/**
 * The few path operations the parser needs, in pure TS (core may not import node:path). POSIX semantics; a
 * backslash is treated as a separator too, so Windows-style `..\..\x` cannot slip past the escape check.
 */

export function toSlashes(p: string): string {
  return p.replace(/\\/g, '/');
}

/** Absolute on any platform we might meet: `/x`, `\\server\x`, `C:\x`, `C:/x`. */
export function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || p.startsWith('\\') || /^[A-Za-z]:[\\/]/.test(p);
}

export function normalizePath(p: string): string {
  const s = toSlashes(p);
  const absolute = s.startsWith('/');
  const out: string[] = [];
  for (const part of s.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!absolute) out.push('..');
    } else out.push(part);
  }
  const joined = out.join('/');
  return absolute ? `/${joined}` : joined === '' ? '.' : joined;
}

export function joinPath(...parts: string[]): string {
  return normalizePath(parts.filter((p) => p !== '').join('/'));
}

export function dirnamePath(p: string): string {
  const s = toSlashes(p);
  const i = s.lastIndexOf('/');
  if (i < 0) return '.';
  if (i === 0) return '/';
  return s.slice(0, i);
}

export function basenamePath(p: string): string {
  const s = toSlashes(p).replace(/\/+$/, '');
  return s.slice(s.lastIndexOf('/') + 1);
}

/** Base name without its last extension: "a/b/Blur.fs" → "Blur". */
export function stemPath(p: string): string {
  const base = basenamePath(p);
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(0, dot) : base;
}

/** True when the relative path, normalised, climbs above its starting folder. */
export function escapesFolder(relative: string): boolean {
  const n = normalizePath(relative);
  return n === '..' || n.startsWith('../');
}

/** Like path.resolve(base, p) without a cwd: an absolute `p` wins, otherwise it is joined onto `base`. */
export function resolvePath(base: string, p: string): string {
  if (/^[A-Za-z]:[\\/]/.test(p)) return toSlashes(p);
  if (isAbsolutePath(p)) return normalizePath(p);
  return joinPath(base, p);
}
