/**
 * The scene platform of the isolated child: nodePlatform with the untrusted image limit. Confinement of IMPORTED
 * files is nodePlatform's own (confine.ts), checked right before each read against what the document was parsed
 * with, so the child, the caller's process and farm workers apply one rule.
 */
import { dirname } from 'node:path';
import type { ISFDocument, ISFImported } from '../../core/document.ts';
import type { ScenePlatform } from '../../render/scene.ts';
import { confinePath } from '../confine.ts';
import { createNodePlatform } from '../platform.ts';

/** Throws ISF_IMPORTED_PATH unless the real path of `target` lies inside the real folder of the document. */
export async function assertInsideFolder(
  doc: ISFDocument,
  imported: ISFImported,
  target: string,
): Promise<void> {
  if (doc.path === undefined) return; // nothing is resolved without a path (nodePlatform refuses to load it)
  await confinePath(
    target,
    { folder: dirname(doc.path) },
    { label: `IMPORTED "${imported.name}"`, written: imported.path, file: doc.path, line: imported.line },
  );
}

export interface GuardOptions {
  /** Kept for callers; the document carries its own (ParseOptions.allowImportOutsideFolder). */
  allowImportOutsideFolder?: boolean;
  /** Largest IMPORTED image per side (checked from the file's header, before decoding). */
  maxImageSide: number;
}

export function guardedPlatform(options: GuardOptions): ScenePlatform {
  return createNodePlatform({ maxImageSide: options.maxImageSide });
}
