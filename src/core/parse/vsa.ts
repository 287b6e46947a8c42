/**
 * ossia score's `"MODE": "VERTEX_SHADER_ART"` documents (the vertexshaderart.com convention): a vertex shader run
 * POINT_COUNT times with no vertex data, drawn as PRIMITIVE_MODE over BACKGROUND_COLOR, its fragment stage only
 * showing `v_color`. Read as score's parser does (3rdparty libisf `parse_vsa`): POINT_COUNT becomes the
 * vertexCount (score's control range is 3..100,000; any count from 1 is accepted here, 100,000 at most),
 * PRIMITIVE_MODE defaults to TRIANGLES (score's TRI_STRIP / TRI_FAN spellings accepted too), LINE_SIZE is "NATIVE"
 * or "CSS" (both draw 1-pixel lines: GL ES caps line width at 1 almost everywhere).
 */
import type { VertexShaderArt, VSAPrimitive } from '../document.ts';
import type { ParseContext } from './context.ts';
import { describeJson, type JsonObject, member } from './json.ts';

export const VSA_KEYS = [
  'MODE',
  'POINT_COUNT',
  'PRIMITIVE_MODE',
  'LINE_SIZE',
  'BACKGROUND_COLOR',
  'METADATA',
];
export const VSA_MAX_POINTS = 100_000;
const PRIMITIVES: Record<string, VSAPrimitive> = {
  POINTS: 'POINTS',
  LINES: 'LINES',
  LINE_STRIP: 'LINE_STRIP',
  LINE_LOOP: 'LINE_LOOP',
  TRIANGLES: 'TRIANGLES',
  TRIANGLE_STRIP: 'TRIANGLE_STRIP',
  TRIANGLE_FAN: 'TRIANGLE_FAN',
  TRI_STRIP: 'TRIANGLE_STRIP',
  TRI_FAN: 'TRIANGLE_FAN',
};

export function isVertexShaderArt(root: JsonObject): boolean {
  const m = member(root, 'MODE');
  return m?.node.type === 'string' && m.node.value === 'VERTEX_SHADER_ART';
}

/** The VSA settings of `root`, or undefined when it is not a VSA document; bad values are ISF_VSA_INVALID errors. */
export function parseVertexShaderArt(ctx: ParseContext, root: JsonObject): VertexShaderArt | undefined {
  if (!isVertexShaderArt(root)) return undefined;
  ctx.depart(
    'W_HOST_MODE',
    `"MODE": "VERTEX_SHADER_ART" is ossia score's Vertex Shader Art: the body is a vertex shader drawn POINT_COUNT times`,
    member(root, 'MODE')!.node.start,
    ['VVISF', 'ISF editor', 'Vuo', 'MadMapper'],
  );
  const out: VertexShaderArt = {
    pointCount: 10_000,
    primitive: 'TRIANGLES',
    lineSize: 'NATIVE',
    background: [0, 0, 0, 1],
  };

  const count = member(root, 'POINT_COUNT');
  if (count) {
    const n = count.node;
    if (n.type !== 'number' || !Number.isInteger(n.value) || n.value < 1 || n.value > VSA_MAX_POINTS) {
      ctx.error(
        'ISF_VSA_INVALID',
        `POINT_COUNT must be a whole number of vertices from 1 to ${VSA_MAX_POINTS} but is ${describeJson(n)}`,
        n.start,
      );
    } else out.pointCount = n.value;
  }
  const mode = member(root, 'PRIMITIVE_MODE');
  if (mode) {
    const p = mode.node.type === 'string' ? PRIMITIVES[mode.node.value] : undefined;
    if (!p) {
      ctx.error(
        'ISF_VSA_INVALID',
        `PRIMITIVE_MODE must be one of ${Object.keys(PRIMITIVES).slice(0, 7).join(', ')} but is ${describeJson(mode.node)}`,
        mode.node.start,
      );
    } else out.primitive = p;
  }
  const line = member(root, 'LINE_SIZE');
  if (line) {
    if (line.node.type !== 'string' || (line.node.value !== 'NATIVE' && line.node.value !== 'CSS')) {
      ctx.error(
        'ISF_VSA_INVALID',
        `LINE_SIZE must be "NATIVE" or "CSS" but is ${describeJson(line.node)}`,
        line.node.start,
      );
    } else out.lineSize = line.node.value;
  }
  const bg = member(root, 'BACKGROUND_COLOR');
  if (bg) {
    const n = bg.node;
    const ok =
      n.type === 'array' &&
      (n.items.length === 3 || n.items.length === 4) &&
      n.items.every((c) => c.type === 'number' && c.value >= 0 && c.value <= 1);
    if (!ok) {
      ctx.error(
        'ISF_VSA_INVALID',
        `BACKGROUND_COLOR must be 3 or 4 numbers from 0 to 1 but is ${describeJson(n)}`,
        n.start,
      );
    } else {
      const v = (n.value as number[]).slice();
      out.background = [v[0]!, v[1]!, v[2]!, v[3] ?? 1];
    }
  }
  return out;
}
