/**
 * A cube-map document and six faces of distinct colours, shared by the Node and browser cube tests. The shader
 * draws a 6x3 image: column k samples the cube along axis k (+X -X +Y -Y +Z -Z); row 0 (the bottom row) through
 * textureCube(), row 1 through texture(), row 2 writes _NAME_imgSize.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

/** Face colours in GL order +X, -X, +Y, -Y, +Z, -Z. */
export const FACE_COLOURS: [number, number, number, number][] = [
  [255, 0, 0, 255],
  [0, 255, 0, 255],
  [0, 0, 255, 255],
  [255, 255, 0, 255],
  [255, 0, 255, 255],
  [0, 255, 255, 255],
];
export const FACE_SIZE = 4;
export const FACE_FILES = ['px.png', 'nx.png', 'py.png', 'ny.png', 'pz.png', 'nz.png'];

const BODY = (sampler: string) => `
const vec3 AXES[6] = vec3[6](vec3(1.0, 0.0, 0.0), vec3(-1.0, 0.0, 0.0), vec3(0.0, 1.0, 0.0),
                             vec3(0.0, -1.0, 0.0), vec3(0.0, 0.0, 1.0), vec3(0.0, 0.0, -1.0));
void main() {
  int k = int(gl_FragCoord.x);
  int row = int(gl_FragCoord.y);
  vec3 d = AXES[k];
  if (row == 0) gl_FragColor = textureCube(${sampler}, d);
  else if (row == 1) gl_FragColor = texture(${sampler}, d);
  else gl_FragColor = vec4(_${sampler}_imgSize / 255.0, 0.0, 1.0);
}
`;

/** A document with a cube input `env`. */
export const CUBE_INPUT_SOURCE = `/*{ "ISFVSN": "2", "INPUTS": [ { "NAME": "env", "TYPE": "cube" } ] }*/${BODY('env')}`;

/** A document with a cube IMPORTED `sky` (VVISF's form: TYPE cube, six PATHs). */
export const CUBE_IMPORTED_SOURCE = `/*{ "ISFVSN": "2", "IMPORTED": [ { "NAME": "sky", "TYPE": "cube", "PATH": ${JSON.stringify(FACE_FILES)} } ] }*/${BODY('sky')}`;

/** A folder with cube.fs (the IMPORTED document) and its six face PNGs. */
export async function writeCubeFolder(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'isf-cube-'));
  writeFileSync(join(dir, 'cube.fs'), CUBE_IMPORTED_SOURCE);
  await Promise.all(
    FACE_FILES.map((f, i) =>
      sharp(Buffer.from(new Uint8Array(FACE_SIZE * FACE_SIZE * 4).map((_, j) => FACE_COLOURS[i]![j % 4]!)), {
        raw: { width: FACE_SIZE, height: FACE_SIZE, channels: 4 },
      })
        .png()
        .toFile(join(dir, f)),
    ),
  );
  return dir;
}

/** The RGBA at column x, row y counted from the bottom, of a 6x3 frame read back top row first. */
export function pixelAt(pixels: Uint8Array, x: number, yFromBottom: number): number[] {
  const i = ((2 - yFromBottom) * 6 + x) * 4;
  return [...pixels.subarray(i, i + 4)];
}
