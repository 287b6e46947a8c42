/**
 * The sampler helpers IMG_PIXEL / IMG_NORM_PIXEL (and the THIS_ forms) expand to. Names and argument order follow
 * VVISF (VVSAMPLER_2DBYPIXEL / VVSAMPLER_2DBYNORM) so shaders or tools that know them keep working.
 *
 * Maths (isf-spec-notes §2.4), with R = _img_imgRect (normalised x, y, w, h), S = _img_imgSize (pixels),
 * F = _img_flip: u = n.x·R.z + R.x; v = F ? R.w − n.y·R.w + R.y : n.y·R.w + R.y, with n = p/S for a pixel
 * coordinate p. The bias goes to texture(); in a vertex shader (no implicit derivatives, so the implicit level is 0)
 * it becomes an explicit level of detail via textureLod / texture2DLod, which is what bias means there.
 */

import type { HelperName } from './rewrite.ts';
import type { GLSLDialect } from './types.ts';

export function samplerHelpers(
  used: ReadonlySet<HelperName>,
  dialect: GLSLDialect,
  stage: 'vertex' | 'fragment',
): string[] {
  if (used.size === 0) return [];
  const sample = dialect !== 'es100' ? 'texture' : 'texture2D';
  const sampleBias = stage === 'fragment' ? sample : dialect !== 'es100' ? 'textureLod' : 'texture2DLod';
  const lines = [
    'vec2 isf_imgCoord(vec4 rect, bool flip, vec2 n) {',
    '  return vec2(n.x * rect.z + rect.x, (flip ? rect.w - n.y * rect.w : n.y * rect.w) + rect.y);',
    '}',
  ];
  const sig = 'sampler2D s, vec4 rect, vec2 size, bool flip';
  if (used.has('pixel')) {
    lines.push(
      `vec4 VVSAMPLER_2DBYPIXEL(${sig}, vec2 loc) {`,
      `  return ${sample}(s, isf_imgCoord(rect, flip, loc / size));`,
      '}',
    );
  }
  if (used.has('pixelBias')) {
    lines.push(
      `vec4 VVSAMPLER_2DBYPIXEL(${sig}, vec2 loc, float bias) {`,
      `  return ${sampleBias}(s, isf_imgCoord(rect, flip, loc / size), bias);`,
      '}',
    );
  }
  if (used.has('norm')) {
    lines.push(
      `vec4 VVSAMPLER_2DBYNORM(${sig}, vec2 loc) {`,
      `  return ${sample}(s, isf_imgCoord(rect, flip, loc));`,
      '}',
    );
  }
  if (used.has('normBias')) {
    lines.push(
      `vec4 VVSAMPLER_2DBYNORM(${sig}, vec2 loc, float bias) {`,
      `  return ${sampleBias}(s, isf_imgCoord(rect, flip, loc), bias);`,
      '}',
    );
  }
  return lines;
}
