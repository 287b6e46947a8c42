/** VERTEX_SHADER_ART documents shared by the Node and browser tests (ossia score's header, vertexshaderart.com names). */

const header = (count: number, mode: string, bg: string) =>
  `/*{\n  "ISFVSN": "2",\n  "MODE": "VERTEX_SHADER_ART",\n  "POINT_COUNT": ${count},\n  "PRIMITIVE_MODE": "${mode}",\n  "LINE_SIZE": "NATIVE",\n  "BACKGROUND_COLOR": ${bg},\n  "INPUTS": []\n}*/\n`;

/** Four 2-pixel points at clip (±0.5, ±0.5) on dark blue; red, green = vertexId / vertexCount. */
export const POINTS_VSA = `${header(4, 'POINTS', '[0, 0, 0.5, 1]')}void main() {
  float x = mod(vertexId, 2.0);
  float y = floor(vertexId / 2.0);
  gl_Position = vec4(x - 0.5, y - 0.5, 0.0, 1.0);
  gl_PointSize = 2.0;
  v_color = vec4(1.0, vertexId / vertexCount, 0.0, 1.0);
}
`;

/** One green triangle over the lower-left half of clip space, on black; its alpha follows time. */
export const TRIANGLES_VSA = `${header(3, 'TRIANGLES', '[0, 0, 0]')}void main() {
  vec2 p = vertexId < 0.5 ? vec2(-1.0, -1.0) : vertexId < 1.5 ? vec2(1.0, -1.0) : vec2(-1.0, 1.0);
  gl_Position = vec4(p, 0.0, 1.0);
  v_color = vec4(0.0, 1.0, resolution.x / 255.0, 1.0);
}
`;

export const GRID = { width: 400, height: 250 };
/** 100,000 one-pixel points, one on every pixel of a 400x250 frame: the whole frame turns white. */
export const MANY_POINTS_VSA = `${header(100000, 'POINTS', '[0, 0, 0, 1]')}void main() {
  float x = mod(vertexId, ${GRID.width}.0);
  float y = floor(vertexId / ${GRID.width}.0);
  gl_Position = vec4((vec2(x, y) + 0.5) / resolution * 2.0 - 1.0, 0.0, 1.0);
  gl_PointSize = 1.0;
  v_color = vec4(1.0);
}
`;

/** RGBA at (x, y from the bottom) of a top-row-first frame `width` wide and `height` high. */
export function at(
  pixels: Uint8Array,
  width: number,
  height: number,
  x: number,
  yFromBottom: number,
): number[] {
  const i = ((height - 1 - yFromBottom) * width + x) * 4;
  return [...pixels.subarray(i, i + 4)];
}
