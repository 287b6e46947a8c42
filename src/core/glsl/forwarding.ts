/**
 * Forwarding overloads for a user function named like a GLSL ES 3.00 built-in.
 *
 * Desktop GLSL (1.10/1.20, the compatibility profile) and GLSL ES 1.00, which ISF shaders are written against,
 * let a user function overload a built-in: `float cross(vec2 a, vec2 b)` is one more `cross`, and `cross(v1, v2)`
 * with vec3s still reaches the built-in. GLSL ES 3.00 (§6.1) makes such a declaration hide every overload of the
 * built-in, and refuses to redeclare one. rename.ts therefore renames the user's function to `isf_user_cross` in
 * every occurrence, and this module declares, ahead of the user's code, one `isf_user_cross` per signature of the
 * built-in that simply calls it:
 *
 *     vec3 isf_user_cross(vec3 a0, vec3 a1) { return cross(a0, a1); }
 *
 * Every call then resolves by ordinary overload resolution, exactly as in the hosts: no call site has to be typed.
 * (Rewriting only the calls whose argument types match the user's overloads would need every argument's type,
 * and the type inference of conversions.ts deliberately gives up on unknown names, function-like macros and code
 * it cannot parse; a wrong guess there breaks the shader, whereas a forwarder cannot be wrong.) Signatures the user
 * defines themselves (`float round(float)`: round is not in GLSL 1.20, so shaders define it) get no forwarder, so
 * the user's definition wins, as it does in the hosts.
 *
 * Not forwarded, and so still renamed everywhere as before (a call to the built-in then fails to compile): the
 * `*Offset` lookups (their offset must be a constant expression, which a parameter is not) and the ES 3.10 additions.
 */

/** Spec §8 signatures, in the spec's own notation; see expand() for the placeholders. */
const SIGNATURES: Record<string, readonly string[]> = {
  radians: ['genType(genType)'],
  degrees: ['genType(genType)'],
  sin: ['genType(genType)'],
  cos: ['genType(genType)'],
  tan: ['genType(genType)'],
  asin: ['genType(genType)'],
  acos: ['genType(genType)'],
  atan: ['genType(genType, genType)', 'genType(genType)'],
  sinh: ['genType(genType)'],
  cosh: ['genType(genType)'],
  tanh: ['genType(genType)'],
  asinh: ['genType(genType)'],
  acosh: ['genType(genType)'],
  atanh: ['genType(genType)'],
  pow: ['genType(genType, genType)'],
  exp: ['genType(genType)'],
  log: ['genType(genType)'],
  exp2: ['genType(genType)'],
  log2: ['genType(genType)'],
  sqrt: ['genType(genType)'],
  inversesqrt: ['genType(genType)'],
  abs: ['genType(genType)', 'genIType(genIType)'],
  sign: ['genType(genType)', 'genIType(genIType)'],
  floor: ['genType(genType)'],
  trunc: ['genType(genType)'],
  round: ['genType(genType)'],
  roundEven: ['genType(genType)'],
  ceil: ['genType(genType)'],
  fract: ['genType(genType)'],
  mod: ['genType(genType, float)', 'genType(genType, genType)'],
  modf: ['genType(genType, out genType)'],
  min: minMax(),
  max: minMax(),
  clamp: [
    'genType(genType, genType, genType)',
    'genType(genType, float, float)',
    'genIType(genIType, genIType, genIType)',
    'genIType(genIType, int, int)',
    'genUType(genUType, genUType, genUType)',
    'genUType(genUType, uint, uint)',
  ],
  mix: [
    'genType(genType, genType, genType)',
    'genType(genType, genType, float)',
    'genType(genType, genType, genBType)',
  ],
  step: ['genType(genType, genType)', 'genType(float, genType)'],
  smoothstep: ['genType(genType, genType, genType)', 'genType(float, float, genType)'],
  isnan: ['genBType(genType)'],
  isinf: ['genBType(genType)'],
  floatBitsToInt: ['genIType(genType)'],
  floatBitsToUint: ['genUType(genType)'],
  intBitsToFloat: ['genType(genIType)'],
  uintBitsToFloat: ['genType(genUType)'],
  packSnorm2x16: ['uint(vec2)'],
  unpackSnorm2x16: ['vec2(uint)'],
  packUnorm2x16: ['uint(vec2)'],
  unpackUnorm2x16: ['vec2(uint)'],
  packHalf2x16: ['uint(vec2)'],
  unpackHalf2x16: ['vec2(uint)'],
  length: ['float(genType)'],
  distance: ['float(genType, genType)'],
  dot: ['float(genType, genType)'],
  cross: ['vec3(vec3, vec3)'],
  normalize: ['genType(genType)'],
  faceforward: ['genType(genType, genType, genType)'],
  reflect: ['genType(genType, genType)'],
  refract: ['genType(genType, genType, float)'],
  matrixCompMult: ['mat(mat, mat)'],
  outerProduct: matrices((c, r) => `mat${name(c, r)}(vec${r}, vec${c})`),
  transpose: matrices((c, r) => `mat${name(r, c)}(mat${name(c, r)})`),
  determinant: ['float(mat2)', 'float(mat3)', 'float(mat4)'],
  inverse: ['mat2(mat2)', 'mat3(mat3)', 'mat4(mat4)'],
  lessThan: relational(false),
  lessThanEqual: relational(false),
  greaterThan: relational(false),
  greaterThanEqual: relational(false),
  equal: relational(true),
  notEqual: relational(true),
  any: ['bool(bvec)'],
  all: ['bool(bvec)'],
  not: ['bvec(bvec)'],
  textureSize: [
    'ivec2(gsampler2D, int)',
    'ivec3(gsampler3D, int)',
    'ivec2(gsamplerCube, int)',
    'ivec2(sampler2DShadow, int)',
    'ivec2(samplerCubeShadow, int)',
    'ivec3(gsampler2DArray, int)',
    'ivec3(sampler2DArrayShadow, int)',
  ],
  texture: [
    'gvec4(gsampler2D, vec2, float?)',
    'gvec4(gsampler3D, vec3, float?)',
    'gvec4(gsamplerCube, vec3, float?)',
    'float(sampler2DShadow, vec3, float?)',
    'float(samplerCubeShadow, vec4, float?)',
    'gvec4(gsampler2DArray, vec3, float?)',
    'float(sampler2DArrayShadow, vec4)',
  ],
  textureProj: [
    'gvec4(gsampler2D, vec3, float?)',
    'gvec4(gsampler2D, vec4, float?)',
    'gvec4(gsampler3D, vec4, float?)',
    'float(sampler2DShadow, vec4, float?)',
  ],
  textureLod: [
    'gvec4(gsampler2D, vec2, float)',
    'gvec4(gsampler3D, vec3, float)',
    'gvec4(gsamplerCube, vec3, float)',
    'float(sampler2DShadow, vec3, float)',
    'gvec4(gsampler2DArray, vec3, float)',
  ],
  texelFetch: [
    'gvec4(gsampler2D, ivec2, int)',
    'gvec4(gsampler3D, ivec3, int)',
    'gvec4(gsampler2DArray, ivec3, int)',
  ],
  textureProjLod: [
    'gvec4(gsampler2D, vec3, float)',
    'gvec4(gsampler2D, vec4, float)',
    'gvec4(gsampler3D, vec4, float)',
    'float(sampler2DShadow, vec4, float)',
  ],
  textureGrad: [
    'gvec4(gsampler2D, vec2, vec2, vec2)',
    'gvec4(gsampler3D, vec3, vec3, vec3)',
    'gvec4(gsamplerCube, vec3, vec3, vec3)',
    'float(sampler2DShadow, vec3, vec2, vec2)',
    'float(samplerCubeShadow, vec4, vec3, vec3)',
    'gvec4(gsampler2DArray, vec3, vec2, vec2)',
    'float(sampler2DArrayShadow, vec4, vec2, vec2)',
  ],
  textureProjGrad: [
    'gvec4(gsampler2D, vec3, vec2, vec2)',
    'gvec4(gsampler2D, vec4, vec2, vec2)',
    'gvec4(gsampler3D, vec4, vec3, vec3)',
    'float(sampler2DShadow, vec4, vec2, vec2)',
  ],
  dFdx: ['genType(genType)'],
  dFdy: ['genType(genType)'],
  fwidth: ['genType(genType)'],
};

/** Built-ins only the fragment stage has (spec §8.9). */
const FRAGMENT_ONLY = new Set(['dFdx', 'dFdy', 'fwidth']);

function minMax(): string[] {
  return [
    'genType(genType, genType)',
    'genType(genType, float)',
    'genIType(genIType, genIType)',
    'genIType(genIType, int)',
    'genUType(genUType, genUType)',
    'genUType(genUType, uint)',
  ];
}

function relational(withBool: boolean): string[] {
  const out = ['bvec(vec, vec)', 'bvec(ivec, ivec)', 'bvec(uvec, uvec)'];
  if (withBool) out.push('bvec(bvec, bvec)');
  return out;
}

/** matCxR is spelt matN when square. */
function name(cols: number, rows: number): string {
  return cols === rows ? `${cols}` : `${cols}x${rows}`;
}

function matrices(f: (cols: number, rows: number) => string): string[] {
  const out: string[] = [];
  for (let c = 2; c <= 4; c++) for (let r = 2; r <= 4; r++) out.push(f(c, r));
  return out;
}

const MATRICES = ['mat2', 'mat3', 'mat4', 'mat2x3', 'mat2x4', 'mat3x2', 'mat3x4', 'mat4x2', 'mat4x3'];

interface Signature {
  ret: string;
  /** Parameter types, `out ` kept in front where the built-in writes the argument. */
  params: string[];
}

/**
 * One template → concrete signatures. genType/genIType/genUType/genBType: float|int|uint|bool and their vectors of
 * 2-4 (one size per signature); vec/ivec/uvec/bvec: vectors of 2-4 only; mat: every matrix type; gsamplerX / gvec4:
 * the float, int and uint samplers with vec4 / ivec4 / uvec4; a trailing `float?` is the optional bias, which only
 * fragment shaders take.
 */
function expand(template: string, stage: 'vertex' | 'fragment'): Signature[] {
  const m = /^(\w+)\((.*)\)$/.exec(template)!;
  let params = m[2]!.split(',').map((p) => p.trim());
  const variants: string[][] = [[m[1]!, ...params]];
  if (params[params.length - 1] === 'float?') {
    params = params.slice(0, -1);
    variants[0] = [m[1]!, ...params];
    if (stage === 'fragment') variants.push([m[1]!, ...params, 'float']);
  }
  const substitute = (words: string[], re: RegExp, values: readonly ((w: string) => string)[]): string[][] =>
    words.some((w) => re.test(w)) ? values.map((v) => words.map((w) => w.replace(re, v))) : [words];
  const out: Signature[] = [];
  for (const variant of variants) {
    let lists = [variant];
    lists = lists.flatMap((w) =>
      substitute(
        w,
        /\bgen([IUB]?)Type\b/,
        [1, 2, 3, 4].map((n) => (_: string, k?: string) => vectorName(k ?? '', n, true)),
      ),
    );
    lists = lists.flatMap((w) =>
      substitute(
        w,
        /^(out )?([iub]?)vec$/,
        [2, 3, 4].map((n) => (_: string, o?: string, k?: string) => `${o ?? ''}${k ?? ''}vec${n}`),
      ),
    );
    lists = lists.flatMap((w) =>
      substitute(
        w,
        /^mat$/,
        MATRICES.map((mat) => () => mat),
      ),
    );
    lists = lists.flatMap((w) =>
      substitute(
        w,
        /^g(sampler\w+|vec4)$/,
        ['', 'i', 'u'].map((g) => (_: string, s?: string) => `${g}${s}`),
      ),
    );
    for (const [ret, ...ps] of lists) out.push({ ret: ret!, params: ps });
  }
  return out;
}

function vectorName(kind: string, n: number, scalar: boolean): string {
  const base = { '': 'float', I: 'int', U: 'uint', B: 'bool' }[kind]!;
  if (n === 1 && scalar) return base;
  return `${{ float: '', int: 'i', uint: 'u', bool: 'b' }[base]}vec${n}`;
}

/** True when the forwarding overloads can stand in for every signature of `builtin` the user will call. */
export function canForward(builtin: string): boolean {
  return Object.hasOwn(SIGNATURES, builtin);
}

/** A parameter type as overload resolution compares it: no `out`, `mat2x2` spelt `mat2`. */
export function canonicalType(type: string): string {
  const t = type.replace(/^(in|out|inout) /, '');
  const m = /^mat([234])x([234])$/.exec(t);
  return m && m[1] === m[2] ? `mat${m[1]}` : t;
}

/**
 * The forwarding overloads for `builtin` under the name `renamed`, one line each, leaving out the signatures the
 * user defines (`userSignatures`: canonical parameter type lists). Samplers are declared highp: the default
 * precision of a sampler2D in a fragment shader is lowp, which would lower the precision of the lookup's result
 * (and the other sampler types have no default precision at all).
 */
export function forwardingOverloads(
  builtin: string,
  renamed: string,
  stage: 'vertex' | 'fragment',
  userSignatures: readonly (readonly string[])[],
): string[] {
  if (!canForward(builtin) || (stage === 'vertex' && FRAGMENT_ONLY.has(builtin))) return [];
  const taken = new Set(userSignatures.map((s) => s.join(',')));
  const lines: string[] = [];
  for (const template of SIGNATURES[builtin]!) {
    for (const sig of expand(template, stage)) {
      const key = sig.params.map(canonicalType).join(',');
      if (taken.has(key)) continue;
      taken.add(key);
      const params = sig.params.map((p, k) => `${p.includes('sampler') ? `highp ${p}` : p} a${k}`);
      const args = sig.params.map((_, k) => `a${k}`);
      lines.push(`${sig.ret} ${renamed}(${params.join(', ')}) { return ${builtin}(${args.join(', ')}); }`);
    }
  }
  return lines;
}
