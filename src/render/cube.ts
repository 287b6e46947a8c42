/**
 * Cube maps (VVISF's `"TYPE": "cube"` IMPORTED with six PATHs, and `cube` inputs): six square faces of one size
 * in GL order +X, -X, +Y, -Y, +Z, -Z, each top row first, as VVISF's CreateCubeTexFromImagePaths uploads them (it
 * also refuses faces of different sizes).
 */
import type { ISFImported } from '../core/document.ts';
import { ISFError } from '../core/errors.ts';
import { checkRawImage, type RawImage } from './images.ts';

export const CUBE_FACES = ['+X', '-X', '+Y', '-Y', '+Z', '-Z'] as const;

/**
 * Throws INPUT_VALUE unless `faces` are six well-formed square RGBA images of one size and one sample type.
 * `sources` (the face files, when they came from files) are named in the message.
 */
export function checkCubeFaces(
  name: string,
  faces: readonly RawImage[],
  maxSize: number,
  sources?: readonly string[],
): void {
  if (!Array.isArray(faces) || faces.length !== 6) {
    throw new ISFError(
      'INPUT_VALUE',
      `Cube "${name}" needs six face images (${CUBE_FACES.join(' ')}) but received ${Array.isArray(faces) ? faces.length : typeof faces}`,
    );
  }
  faces.forEach((f, i) => {
    checkRawImage(`${name} ${CUBE_FACES[i]}`, f, maxSize);
  });
  const face = (i: number) => `${CUBE_FACES[i]}${sources?.[i] !== undefined ? ` (${sources[i]})` : ''}`;
  const first = faces[0]!;
  const float = first.data instanceof Float32Array;
  for (const [i, f] of faces.entries()) {
    if (f.width !== f.height) {
      throw new ISFError(
        'INPUT_VALUE',
        `Cube "${name}": every face must be square, and ${face(i)} is ${f.width}x${f.height}`,
      );
    }
    if (f.width !== first.width || f.data instanceof Float32Array !== float) {
      throw new ISFError(
        'INPUT_VALUE',
        `Cube "${name}": every face must be square and of one size and sample type (${face(0)} is ${first.width}x${first.height}, ${face(i)} is ${f.width}x${f.height}${f.data instanceof Float32Array !== float ? ', float vs 8-bit' : ''})`,
      );
    }
  }
}

/** Face `i` of a cube IMPORTED as an ordinary one-image IMPORTED, for the platform's loadImported(). */
export function cubeFaceImport(imp: ISFImported, i: number): ISFImported {
  const face: ISFImported = { name: `${imp.name} ${CUBE_FACES[i]}`, path: imp.cube!.paths[i]! };
  const resolved = imp.cube!.resolvedPaths?.[i];
  if (resolved !== undefined) face.resolvedPath = resolved;
  if (imp.line !== undefined) face.line = imp.line;
  return face;
}
