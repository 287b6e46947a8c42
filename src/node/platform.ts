/**
 * The Node platform for scenes: images decoded with sharp, IMPORTED files read from disk, PNG encoding for
 * Frame.toPNG(). Importing this module registers the encoder.
 */
import type { ISFDocument, ISFImported } from '../core/document.ts';
import { ISFError } from '../core/errors.ts';
import { frameEncoders } from '../render/frame.ts';
import type { RawImage } from '../render/images.ts';
import type { ScenePlatform } from '../render/scene.ts';
import { decodeImage, encodeFrame } from './images.ts';

frameEncoders.png ??= (frame, options) => encodeFrame(frame, 'png', options);

/** Decoded IMPORTED images, by absolute path: loaded once per process however many scenes use them. */
const importedCache = new Map<string, Promise<RawImage>>();

export const nodePlatform: ScenePlatform = {
  decodeImage,
  loadImported(doc: ISFDocument, imported: ISFImported): Promise<RawImage> {
    const path = imported.resolvedPath;
    if (!path) {
      throw new ISFError(
        'ISF_IMPORTED_MISSING',
        `${doc.name}: IMPORTED image "${imported.name}" (${imported.path}) cannot be resolved: the document has no path`,
        { suggestion: 'load the document with loadISF(path), or parseISF(source, { path })' },
      );
    }
    let image = importedCache.get(path);
    if (!image) {
      image = decodeImage(path, imported.name).catch((e: unknown) => {
        importedCache.delete(path);
        throw new ISFError(
          'ISF_IMPORTED_MISSING',
          `${doc.name}: IMPORTED image "${imported.name}" cannot be loaded from ${path}: ${(e as Error).message}`,
          { file: doc.path, cause: e },
        );
      });
      importedCache.set(path, image);
    }
    return image;
  },
};
