/**
 * The Node platform for scenes: images decoded with sharp, IMPORTED files read from disk, PNG encoding for
 * Frame.toPNG(). Importing this module registers the encoder.
 *
 * Every IMPORTED file is checked against the document's confinement (confine.ts) right before it is read, whoever
 * renders (an in-process Scene, a RenderPool worker, the isolated child, a farm worker): a document given as text
 * with a `path` never went through loadISF, and a symlink can be swapped between the load and the read.
 */
import type { ISFDocument, ISFImported } from '../core/document.ts';
import { ISFError } from '../core/errors.ts';
import { frameEncoders } from '../render/frame.ts';
import type { RawImage } from '../render/images.ts';
import type { ScenePlatform } from '../render/scene.ts';
import { confinementOf, confinePath } from './confine.ts';
import { decodeImage, encodeFrame, MAX_DECODE_SIDE } from './images.ts';

frameEncoders.png ??= (frame, options) => encodeFrame(frame, 'png', options);

/** Decoded IMPORTED images, by size limit and absolute path: loaded once per process however many scenes use them. */
const importedCache = new Map<string, Promise<RawImage>>();

export interface NodePlatformOptions {
  /** Largest IMPORTED or decoded image per side, checked from the file's header before decoding. */
  maxImageSide?: number;
}

/** Throws ISF_IMPORTED_PATH unless each file of `imported` obeys the document's confinement. */
export async function checkImportedConfinement(doc: ISFDocument, imported: ISFImported): Promise<void> {
  const confinement = confinementOf(doc);
  if (confinement === undefined) return;
  const targets = imported.cube?.resolvedPaths ?? (imported.resolvedPath ? [imported.resolvedPath] : []);
  const written = imported.cube?.paths ?? [imported.path];
  for (const [i, target] of targets.entries()) {
    await confinePath(target, confinement, {
      label: `IMPORTED "${imported.name}"`,
      written: written[i] ?? target,
      file: doc.path,
      line: imported.line,
    });
  }
}

export function createNodePlatform(options: NodePlatformOptions = {}): ScenePlatform {
  const maxSide = options.maxImageSide ?? MAX_DECODE_SIDE;
  return {
    decodeImage: (source, name) => decodeImage(source, name, { maxSide }),
    async loadImported(doc: ISFDocument, imported: ISFImported): Promise<RawImage> {
      const path = imported.resolvedPath;
      if (!path) {
        throw new ISFError(
          'ISF_IMPORTED_MISSING',
          `${doc.name}: IMPORTED image "${imported.name}" (${imported.path}) cannot be resolved: the document has no path`,
          { suggestion: 'load the document with loadISF(path), or parseISF(source, { path })' },
        );
      }
      await checkImportedConfinement(doc, imported);
      const key = `${maxSide}:${path}`;
      let image = importedCache.get(key);
      if (!image) {
        image = decodeImage(path, imported.name, { maxSide }).catch((e: unknown) => {
          importedCache.delete(key);
          // A limit stays a limit (LIMIT_EXCEEDED); anything else means the file cannot be loaded.
          if (e instanceof ISFError && e.code === 'LIMIT_EXCEEDED') throw e;
          throw new ISFError(
            'ISF_IMPORTED_MISSING',
            `${doc.name}: IMPORTED image "${imported.name}" cannot be loaded from ${path}: ${(e as Error).message}`,
            { file: doc.path, cause: e },
          );
        });
        importedCache.set(key, image);
      }
      return image;
    },
  };
}

export const nodePlatform: ScenePlatform = createNodePlatform();
