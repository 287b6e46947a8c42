/**
 * GLSL ES built-in functions as the implicit-conversion rewrite needs them: for a call with known argument types,
 * the type each argument must have (desktop GLSL would convert an int argument of a float function) and the type
 * of the result. Only the float families matter: that is where desktop code passes ints (`pow(x, 2)`,
 * `max(v, 0)`, `clamp(x, 0, 1)`, `textureLod(s, uv, 0)`).
 */

import { builtinType, type GType, isIntegral, vectorOf, withBase } from './gltypes.ts';

export interface BuiltinCall {
  /** Per argument: the type it must be converted to, or null to leave it. */
  params: (GType | null)[];
  ret: GType | null;
}

type Result = 'T' | 'float' | 'vec3' | 'bvecT' | 'bool';

/** Functions of genType (all float-based arguments share the widest argument's shape, scalars may stay scalar). */
const FLOAT_FUNCTIONS: Record<string, Result> = {
  radians: 'T',
  degrees: 'T',
  sin: 'T',
  cos: 'T',
  tan: 'T',
  asin: 'T',
  acos: 'T',
  atan: 'T',
  sinh: 'T',
  cosh: 'T',
  tanh: 'T',
  asinh: 'T',
  acosh: 'T',
  atanh: 'T',
  pow: 'T',
  exp: 'T',
  log: 'T',
  exp2: 'T',
  log2: 'T',
  sqrt: 'T',
  inversesqrt: 'T',
  floor: 'T',
  trunc: 'T',
  round: 'T',
  roundEven: 'T',
  ceil: 'T',
  fract: 'T',
  mod: 'T',
  step: 'T',
  smoothstep: 'T',
  normalize: 'T',
  faceforward: 'T',
  reflect: 'T',
  refract: 'T',
  dFdx: 'T',
  dFdy: 'T',
  fwidth: 'T',
  length: 'float',
  distance: 'float',
  dot: 'float',
  cross: 'vec3',
  isnan: 'bvecT',
  isinf: 'bvecT',
  mix: 'T',
};
/** Functions with int overloads too: only converted when some argument is float-based. */
const MIXED_FUNCTIONS: Record<string, Result> = { abs: 'T', sign: 'T', min: 'T', max: 'T', clamp: 'T' };
/** Texture lookups: the sampler, the coordinate, then float arguments (bias, level of detail). */
const TEXTURE_FUNCTIONS = new Set([
  'texture',
  'texture2D',
  'textureCube',
  'textureProj',
  'texture2DProj',
  'textureLod',
  'texture2DLod',
  'textureCubeLod',
  'texture2DProjLod',
  'textureProjLod',
]);

export function builtinFunctionType(name: string, args: (GType | null)[]): BuiltinCall | null {
  if (TEXTURE_FUNCTIONS.has(name)) {
    const sampler = args[0];
    if (!sampler || !/^sampler(2D|3D|Cube)$/.test(sampler.name)) return null;
    const f = vectorOf('float', 1);
    return { params: args.map((_, k) => (k >= 2 ? f : null)), ret: builtinType('vec4')! };
  }
  if (name === 'textureSize')
    return { params: [], ret: builtinType(args[0]?.name === 'sampler3D' ? 'ivec3' : 'ivec2')! };
  if (name === 'texelFetch')
    return { params: [], ret: args[0]?.name.startsWith('sampler') ? builtinType('vec4')! : null };
  const result = FLOAT_FUNCTIONS[name] ?? MIXED_FUNCTIONS[name];
  if (!result) return null;
  if (args.some((a) => !a || a.array || a.cols > 1 || a.base === 'other')) return null;
  const known = args as GType[];
  const anyFloat = known.some((a) => a.base === 'float');
  if (!anyFloat && MIXED_FUNCTIONS[name]) {
    return { params: [], ret: shapeResult(result, known, known[0]?.base === 'uint' ? 'uint' : 'int') };
  }
  if (name === 'mix' && known[2]?.base === 'bool') return { params: [], ret: known[0] ?? null };
  if (known.some((a) => a.base === 'bool')) return null;
  // Every integer argument becomes float of its own shape (`max(v, 0)` → `max(v, 0.0)` matches (genType, float)).
  const params = known.map((a) => (isIntegral(a) ? withBase(a, 'float') : null));
  return { params, ret: shapeResult(result, known, 'float') };
}

function shapeResult(result: Result, args: GType[], base: 'float' | 'int' | 'uint' | 'bool'): GType | null {
  const widest = Math.max(1, ...args.map((a) => a.n));
  switch (result) {
    case 'T':
      return vectorOf(base === 'bool' ? 'float' : base, widest);
    case 'float':
      return vectorOf('float', 1);
    case 'vec3':
      return vectorOf('float', 3);
    case 'bvecT':
      return vectorOf('bool', widest);
    case 'bool':
      return vectorOf('bool', 1);
  }
}
