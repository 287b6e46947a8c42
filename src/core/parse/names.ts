/**
 * Which names may become GLSL identifiers: inputs, pass targets and imported images all turn into uniforms, so they
 * must be valid identifiers that do not collide with GLSL keywords, built-in functions, ISF's own uniforms or macros.
 */

const IDENT_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** GLSL ES 1.00 / 3.00 and desktop GLSL keywords and reserved words. */
const KEYWORDS = `attribute const uniform varying layout centroid flat smooth noperspective patch sample break continue do
for while switch case default if else subroutine in out inout float double int void bool true false invariant precise
discard return mat2 mat3 mat4 dmat2 dmat3 dmat4 mat2x2 mat2x3 mat2x4 mat3x2 mat3x3 mat3x4 mat4x2 mat4x3 mat4x4 vec2
vec3 vec4 ivec2 ivec3 ivec4 bvec2 bvec3 bvec4 dvec2 dvec3 dvec4 uint uvec2 uvec3 uvec4 lowp mediump highp precision
sampler1D sampler2D sampler3D samplerCube sampler1DShadow sampler2DShadow samplerCubeShadow sampler1DArray
sampler2DArray sampler1DArrayShadow sampler2DArrayShadow isampler1D isampler2D isampler3D isamplerCube
isampler1DArray isampler2DArray usampler1D usampler2D usampler3D usamplerCube usampler1DArray usampler2DArray
sampler2DRect sampler2DRectShadow isampler2DRect usampler2DRect samplerBuffer isamplerBuffer usamplerBuffer
sampler2DMS isampler2DMS usampler2DMS sampler2DMSArray isampler2DMSArray usampler2DMSArray samplerExternalOES struct
common partition active asm class union enum typedef template this resource goto inline noinline public static extern
external interface long short half fixed unsigned superp input output hvec2 hvec3 hvec4 fvec2 fvec3 fvec4 sampler3DRect
filter image1D image2D image3D imageCube iimage1D iimage2D iimage3D iimageCube uimage1D uimage2D uimage3D uimageCube
image1DArray image2DArray iimage1DArray iimage2DArray uimage1DArray uimage2DArray image1DShadow image2DShadow
image1DArrayShadow image2DArrayShadow imageBuffer iimageBuffer uimageBuffer sizeof cast namespace using row_major
volatile restrict readonly writeonly coherent buffer shared atomic_uint`;

/**
 * Built-in functions: a uniform with one of these names hides the function, which only breaks shaders that call it.
 * The corpus has one (Solarize.fs names a float `inverse`), so these are warnings, not errors.
 */
const BUILTIN_FUNCTIONS = `radians degrees sin cos tan asin acos atan sinh cosh tanh asinh acosh atanh pow exp log exp2
log2 sqrt inversesqrt abs sign floor trunc round roundEven ceil fract mod modf min max clamp mix step smoothstep isnan
isinf floatBitsToInt floatBitsToUint intBitsToFloat uintBitsToFloat packSnorm2x16 unpackSnorm2x16 packUnorm2x16
unpackUnorm2x16 packHalf2x16 unpackHalf2x16 length distance dot cross normalize faceforward reflect refract
matrixCompMult outerProduct transpose determinant inverse lessThan lessThanEqual greaterThan greaterThanEqual equal
notEqual any all not texture textureSize textureProj textureLod textureOffset texelFetch texelFetchOffset
textureProjOffset textureLodOffset textureProjLod textureProjLodOffset textureGrad textureGradOffset textureProjGrad
textureProjGradOffset texture2D texture2DProj texture2DLod texture2DProjLod textureCube textureCubeLod texture2DRect
texture2DRectProj dFdx dFdy fwidth main`;

/** ISF's own uniforms, varyings, functions and IMG_* macros. */
const ISF_NAMES = `PASSINDEX RENDERSIZE TIME TIMEDELTA DATE FRAMEINDEX isf_FragNormCoord isf_fragCoord isf_FragCoord
isf_FragColor isf_vertShaderInit vv_FragNormCoord vv_vertShaderInit VERTEXDATA IMG_PIXEL IMG_NORM_PIXEL IMG_THIS_PIXEL
IMG_THIS_NORM_PIXEL IMG_NORM_THIS_PIXEL IMG_SIZE`;

const RESERVED = new Map<string, string>();
for (const w of KEYWORDS.split(/\s+/)) RESERVED.set(w, 'a GLSL keyword or reserved word');
for (const w of ISF_NAMES.split(/\s+/)) RESERVED.set(w, 'a name ISF itself defines');
const BUILTINS = new Set(BUILTIN_FUNCTIONS.split(/\s+/));

export interface NameProblem {
  /** 'error' makes the name unusable; 'warning' means it works unless the shader calls the hidden built-in. */
  severity: 'error' | 'warning';
  reason: string;
}

/** Why `name` cannot (or should not) be used as a uniform name, or undefined when it is fine. */
export function nameProblem(name: string): NameProblem | undefined {
  const error = (reason: string): NameProblem => ({ severity: 'error', reason });
  if (name === '') return error('is empty');
  if (!IDENT_RE.test(name)) {
    return error('is not a valid GLSL identifier (letters, digits and _, not starting with a digit)');
  }
  if (name.startsWith('gl_')) return error('starts with "gl_", which GLSL reserves');
  const reserved = RESERVED.get(name);
  if (reserved !== undefined) return error(`is ${reserved}`);
  if (BUILTINS.has(name)) {
    return {
      severity: 'warning',
      reason: `hides the GLSL built-in function ${name}(), so calling it will not compile`,
    };
  }
  return undefined;
}
