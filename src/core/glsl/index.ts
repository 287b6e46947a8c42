/**
 * ISF → GLSL ES generator. Rules (also in docs/glsl.md):
 *
 * Dialect
 * - es300 (`#version 300 es`) by default: it compiles the shaders that need ES 3.00 (uint, bit shifts, array
 *   constructors), and the ones that collide with ES 3.00 names are fixed by renaming (below). es100
 *   (`#version 100`) on request, for WebGL1. `__VERSION__` is 300 / 100, so the corpus idiom
 *   `#if __VERSION__ <= 120 varying ... #else in/out ... #endif` picks the right branch.
 * - Line 1 is our #version; `precision highp` float, int, sampler2D and samplerCube once (GLSL ES samplers
 *   default to lowp, which llvmpipe filters at lower precision; desktop GL, like VVISF, samples in float).
 *   User `#version` lines become empty lines (line numbers stay aligned).
 * - es300 fragment: `out vec4 isf_FragColor; #define gl_FragColor isf_FragColor` (skipped when the shader never
 *   writes gl_FragColor and declares its own global `out`). ES 1.00 texture functions the user calls
 *   (texture2D, texture2DLod, textureCube, ...) are #defined to their ES 3.00 names unless the user declares that
 *   name; texture2DRect (pixel coordinates) maps to texture(s, p / textureSize(s, 0)). A bare `varying` /
 *   `attribute` is #defined to in/out.
 *
 * Declarations (identical in both stages)
 * - PASSINDEX, RENDERSIZE, TIME, TIMEDELTA, DATE, FRAMEINDEX; inputs in document order (bool/event → bool,
 *   long → int, float, point2D → vec2, color → vec4, image/audio/audioFFT → sampler2D + _N_imgRect (vec4),
 *   _N_imgSize (vec2), _N_flip (bool); cube → samplerCube + _N_imgSize); then IMPORTED, then every distinct pass
 *   TARGET (plus v1 PERSISTENT_BUFFERS no pass renders into), each like an image.
 * - Vertex input `VERTEXDATA` (vec2, clip space, location 0). `isf_FragNormCoord` is a varying computed per vertex
 *   as (VERTEXDATA + 1) / 2 (per-fragment costs ~20% on llvmpipe). isf_vertShaderInit() sets gl_Position and it;
 *   it is forward-declared before the user .vs and defined after it. The user's main() is renamed isf_userMain();
 *   ours calls it (without a .vs: isf_vertShaderInit()) and mirrors gl_Position.y by isf_FlipY (the GPU flip:
 *   the last pass drawn upside down so the readback is top row first; gl_FragCoord.y, dFdy and gl_FrontFacing are
 *   mirrored back in the fragment stage, see flipDefines in generate.ts).
 *
 * IMG_* functions (token-based: comments, strings, longer identifiers untouched; nested brackets; nested calls
 * and calls inside #define bodies expanded; line breaks kept)
 * - IMG_PIXEL(img, p[, bias]) → VVSAMPLER_2DBYPIXEL(img, _img_imgRect, _img_imgSize, _img_flip, p[, bias])
 * - IMG_NORM_PIXEL(img, n[, bias]) → VVSAMPLER_2DBYNORM(...)
 * - IMG_THIS_PIXEL(img) ≡ IMG_PIXEL(img, gl_FragCoord.xy): 1:1 pixel mapping at every image size (VVISF's
 *   vertex-rounded coordinate collapses for images more than 2x the render size; we do not copy that).
 * - IMG_THIS_NORM_PIXEL(img) and its documented alias IMG_NORM_THIS_PIXEL(img) ≡ IMG_NORM_PIXEL(img, isf_FragNormCoord)
 * - IMG_SIZE(img) → (_img_imgSize)
 * - Wrong argument count, a first argument that is not a declared image name, or IMG_* on a cube image →
 *   ISFError ISF_IMG_ARGS at the call; unbalanced brackets → ISF_GLSL_SYNTAX. IMG_THIS_* in a vertex shader →
 *   ISF_IMG_ARGS. Only the helpers used are emitted; in a vertex shader bias becomes an explicit LOD.
 *
 * Renames
 * - v1: vv_FragNormCoord → isf_FragNormCoord, vv_vertShaderInit → isf_vertShaderInit (tokens only, both dialects).
 * - es300/es310 only: user names GLSL ES 3.00 reserves → `isf_user_<name>` everywhere in that stage, with a W_RENAMED
 *   warning: reserved-for-future words (sample, patch, ...) always; built-in function names (round, texture,
 *   ...) when declared at global scope; new ES 3.00 keywords (uint, layout, smooth, ...) when declared as names.
 *   See rename.ts.
 *
 * Global initializers
 * - GLSL ES wants constant global initializers; non-constant ones in unconditional code move to the start of
 *   main() on the line of its `{` (hoist.ts). Preprocessor conditions we can evaluate (GL_ES, __VERSION__, numeric
 *   user macros) decide what code counts (conditions.ts).
 *
 * Line maps and logs
 * - fragmentLineMap / vertexLineMap give the user's line for every generated line (null for generated lines).
 *   mapCompileLog reads Mesa, glslang/ANGLE and NVIDIA logs; a message on a generated line has no line.
 */
export { mapCompileLog } from './compile-log.ts';
export { generateShaders } from './generate.ts';
export type { GeneratedShaders, GenerateOptions, GLSLDialect, SamplerInfo } from './types.ts';
