/**
 * IMPORTED: the spec's dict form `{ name: { PATH } }`, VVISF's array-of-dicts form (each with NAME), and VVISF's cube
 * form (`TYPE: "cube"`, PATH = six paths). Paths must stay inside the document's folder unless the caller allows more.
 */
import type { ISFImported, ParseOptions } from '../document.ts';
import type { ParseContext } from './context.ts';
import { describeJson, type JsonNode, type JsonObject, member } from './json.ts';
import { checkKeys, IMPORTED_KEYS } from './keys.ts';
import { dirnamePath, escapesFolder, isAbsolutePath, normalizePath, resolvePath } from './posix-path.ts';

export interface ParsedImported {
  imported: ISFImported;
  nameOffset: number;
}

export function parseImported(ctx: ParseContext, root: JsonObject, options: ParseOptions): ParsedImported[] {
  const m = member(root, 'IMPORTED');
  if (m === undefined) return [];
  const out: ParsedImported[] = [];
  const node = m.node;
  if (node.type === 'object') {
    for (const entry of node.members) {
      const r = parseEntry(ctx, entry.node, `IMPORTED "${entry.key}"`, options, {
        name: entry.key,
        offset: entry.keyStart,
      });
      if (r !== undefined) out.push(r);
    }
  } else if (node.type === 'array') {
    for (const [i, item] of node.items.entries()) {
      const r = parseEntry(ctx, item, `IMPORTED[${i}]`, options);
      if (r !== undefined) out.push(r);
    }
  } else {
    ctx.error(
      'ISF_IMPORTED_INVALID',
      `IMPORTED must be an object ({ "name": { "PATH": "file.png" } }) or an array of objects but is ${describeJson(node)}`,
      node.start,
    );
  }
  return out;
}

function parseEntry(
  ctx: ParseContext,
  node: JsonNode,
  where: string,
  options: ParseOptions,
  fromKey?: { name: string; offset: number },
): ParsedImported | undefined {
  if (node.type !== 'object') {
    ctx.error(
      'ISF_IMPORTED_INVALID',
      `${where} must be an object with a PATH but is ${describeJson(node)}`,
      node.start,
    );
    return undefined;
  }
  checkKeys(ctx, node, IMPORTED_KEYS, where);
  const nameM = member(node, 'NAME');
  let name: string;
  let nameOffset: number;
  if (nameM !== undefined && nameM.node.type === 'string') {
    name = nameM.node.value;
    nameOffset = nameM.node.start;
  } else if (nameM === undefined && fromKey !== undefined) {
    name = fromKey.name;
    nameOffset = fromKey.offset;
  } else {
    ctx.error(
      'ISF_IMPORTED_INVALID',
      nameM === undefined
        ? `${where} has no NAME`
        : `NAME of ${where} must be a string but is ${describeJson(nameM.node)}`,
      nameM === undefined ? node.start : nameM.node.start,
    );
    return undefined;
  }
  const typeM = member(node, 'TYPE');
  const isCube = typeM !== undefined && typeM.node.type === 'string' && typeM.node.value === 'cube';
  if (typeM !== undefined && !isCube) {
    ctx.warn(
      'W_IGNORED_VALUE',
      `TYPE of ${where} is ignored: the only IMPORTED TYPE is "cube"`,
      typeM.node.start,
    );
  }
  const pathM = member(node, 'PATH');
  if (pathM === undefined) {
    ctx.error(
      'ISF_IMPORTED_INVALID',
      `${where} has no PATH`,
      node.start,
      'Add "PATH": "file.png" (relative to the .fs)',
    );
    return undefined;
  }
  const baseDir = options.path === undefined ? undefined : dirnamePath(options.path);
  const line = ctx.lines.at(pathM.node.start).line;
  if (isCube) {
    const p = pathM.node;
    if (p.type !== 'array' || p.items.length !== 6 || p.items.some((x) => x.type !== 'string')) {
      ctx.error(
        'ISF_IMPORTED_INVALID',
        `PATH of cube ${where} must be an array of 6 file paths but is ${describeJson(p)}`,
        p.start,
      );
      return undefined;
    }
    const paths: string[] = [];
    let ok = true;
    for (const item of p.items) {
      const s = item.value as string;
      paths.push(s);
      if (!checkPath(ctx, s, item.start, where, options)) ok = false;
    }
    if (!ok) return undefined;
    const cube: NonNullable<ISFImported['cube']> = { paths };
    if (baseDir !== undefined) cube.resolvedPaths = paths.map((x) => resolvePath(baseDir, x));
    // `path` carries the first face so code that only knows plain imports still has a file to point at.
    const imported: ISFImported = { name, path: paths[0]!, cube, line };
    if (cube.resolvedPaths !== undefined) imported.resolvedPath = cube.resolvedPaths[0]!;
    return { imported, nameOffset };
  }
  if (pathM.node.type !== 'string') {
    const hint = pathM.node.type === 'array' ? ' (six paths make a cube map only with "TYPE": "cube")' : '';
    ctx.error(
      'ISF_IMPORTED_INVALID',
      `PATH of ${where} must be a string but is ${describeJson(pathM.node)}${hint}`,
      pathM.node.start,
    );
    return undefined;
  }
  const path = pathM.node.value;
  if (!checkPath(ctx, path, pathM.node.start, where, options)) return undefined;
  const imported: ISFImported = { name, path, line };
  if (baseDir !== undefined) imported.resolvedPath = resolvePath(baseDir, path);
  return { imported, nameOffset };
}

function checkPath(
  ctx: ParseContext,
  path: string,
  offset: number,
  where: string,
  options: ParseOptions,
): boolean {
  if (path.trim() === '') {
    ctx.error('ISF_IMPORTED_INVALID', `PATH of ${where} is empty`, offset);
    return false;
  }
  if (options.allowImportOutsideFolder === true) return true;
  if (!isAbsolutePath(path) && escapesFolder(path) && climbsInsideRoot(path, options)) {
    ctx.warn(
      'W_IMPORT_OUTSIDE_FOLDER',
      `IMPORTED path ${JSON.stringify(path)} of ${where} leaves the shader's folder; allowed because it stays inside ${options.importRoot}, but refused when the shader is rendered untrusted`,
      offset,
      'Put the file next to the .fs (or in a subfolder) so the shader renders everywhere',
    );
    return true;
  }
  if (isAbsolutePath(path) || escapesFolder(path)) {
    ctx.error(
      'ISF_IMPORTED_PATH',
      `IMPORTED path ${JSON.stringify(path)} of ${where} is refused: ${isAbsolutePath(path) ? 'absolute paths are' : "paths leaving the shader's folder are"} not allowed`,
      offset,
      'Put the file next to the .fs (or in a subfolder), or set allowImportOutsideFolder',
    );
    return false;
  }
  return true;
}

/** With ParseOptions.importRoot: does the relative path, resolved from the document, stay inside that root? */
function climbsInsideRoot(path: string, options: ParseOptions): boolean {
  if (options.importRoot === undefined || options.path === undefined) return false;
  const root = normalizePath(options.importRoot);
  const target = resolvePath(dirnamePath(options.path), path);
  return target === root || target.startsWith(root === '/' ? '/' : `${root}/`);
}
