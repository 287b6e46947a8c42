/**
 * The scene platform of the isolated child: nodePlatform, except that an IMPORTED file is checked again right
 * before it is read. loadISF already refuses paths that leave the document's folder (`..`, absolute paths,
 * symlinks out), but a document given as text with a `path` never went through loadISF, and a symlink can be
 * swapped between the load and the read; checking the real path at read time closes both.
 */
import { realpath } from 'node:fs/promises';
import { dirname, relative, resolve, sep } from 'node:path';
import sharp from 'sharp';
import type { ISFDocument, ISFImported } from '../../core/document.ts';
import { ISFError } from '../../core/errors.ts';
import type { RawImage } from '../../render/images.ts';
import type { ScenePlatform } from '../../render/scene.ts';
import { nodePlatform } from '../platform.ts';

/** Throws ISF_IMPORTED_PATH unless the real path of `target` lies inside the real folder of the document. */
export async function assertInsideFolder(
  doc: ISFDocument,
  imported: ISFImported,
  target: string,
): Promise<void> {
  if (doc.path === undefined) return; // nothing is resolved without a path (nodePlatform refuses to load it)
  const folder = await realpath(dirname(doc.path)).catch(() => resolve(dirname(doc.path!)));
  let real: string;
  try {
    real = await realpath(target);
  } catch {
    return; // missing: the loader reports ISF_IMPORTED_MISSING naming the file
  }
  const rel = relative(folder, real);
  if (rel === '..' || rel.startsWith(`..${sep}`) || resolve(folder, rel) !== real) {
    throw new ISFError(
      'ISF_IMPORTED_PATH',
      `IMPORTED "${imported.name}": ${imported.path} resolves to ${real}, outside the shader's folder ${folder}; refused`,
      {
        file: doc.path,
        line: imported.line,
        suggestion: 'Put the file next to the .fs (or in a subfolder), or set allowImportOutsideFolder',
        details: { refused: imported.path, resolved: real },
      },
    );
  }
}

/** LIMIT_EXCEEDED from the image's header, before libvips decodes (and allocates) it. */
async function assertImageSide(file: string, name: string, maxSide: number): Promise<void> {
  let meta: { width?: number | undefined; height?: number | undefined };
  try {
    meta = await sharp(file, { limitInputPixels: false }).metadata(); // reads the header only
  } catch {
    return; // unreadable: the decoder reports it with its own message
  }
  const { width = 0, height = 0 } = meta;
  if (width > maxSide || height > maxSide) {
    throw new ISFError(
      'LIMIT_EXCEEDED',
      `Image "${name}" (${file}) is ${width}x${height}; the largest image allowed is ${maxSide}x${maxSide}`,
      { file, details: { width, height, maxImageSide: maxSide } },
    );
  }
}

export interface GuardOptions {
  allowImportOutsideFolder?: boolean;
  /** Largest IMPORTED image per side (checked from the file's header, before decoding). */
  maxImageSide: number;
}

export function guardedPlatform(options: GuardOptions): ScenePlatform {
  return {
    decodeImage: nodePlatform.decodeImage,
    async loadImported(doc: ISFDocument, imported: ISFImported): Promise<RawImage> {
      for (const target of imported.cube?.resolvedPaths ?? [imported.resolvedPath ?? '']) {
        if (!target) continue;
        if (!options.allowImportOutsideFolder) await assertInsideFolder(doc, imported, target);
        await assertImageSide(target, imported.name, options.maxImageSide);
      }
      return nodePlatform.loadImported(doc, imported);
    },
  };
}
