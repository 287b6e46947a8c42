/**
 * GLSL value types as the implicit-conversion rewrite (conversions.ts) sees them: a base (float, int, uint,
 * bool), a component count and a column count (matrices), or an opaque name (samplers, structs, void).
 */

export type Base = 'float' | 'int' | 'uint' | 'bool' | 'other';

export interface GType {
  base: Base;
  /** Components of a vector (1 for scalars), rows of a matrix. */
  n: number;
  /** Columns of a matrix; 1 otherwise. */
  cols: number;
  /** The GLSL spelling (`vec3`, `mat2x3`, `sampler2D`, a struct name). */
  name: string;
  /** Declared as an array (`float a[3]`): indexing gives the element type. */
  array?: boolean;
}

const VECTOR_PREFIX: Record<string, Base> = { '': 'float', i: 'int', u: 'uint', b: 'bool' };
const SCALARS: Record<string, Base> = { float: 'float', int: 'int', uint: 'uint', bool: 'bool' };

/** The type a built-in type keyword names, or undefined for other words. */
export function builtinType(word: string): GType | undefined {
  const scalar = SCALARS[word];
  if (scalar) return { base: scalar, n: 1, cols: 1, name: word };
  let m = /^([iub]?)vec([234])$/.exec(word);
  if (m) return { base: VECTOR_PREFIX[m[1]!]!, n: Number(m[2]), cols: 1, name: word };
  m = /^mat([234])(?:x([234]))?$/.exec(word);
  if (m) {
    const cols = Number(m[1]);
    return { base: 'float', n: m[2] ? Number(m[2]) : cols, cols, name: word };
  }
  if (/^[iu]?sampler(2D|3D|Cube|2DArray|2DShadow|CubeShadow|2DArrayShadow)$/.test(word) || word === 'void')
    return { base: 'other', n: 1, cols: 1, name: word };
  return undefined;
}

/** The type with the same shape and another base (`ivec3` → `vec3`); only vectors and scalars. */
export function withBase(t: GType, base: 'float' | 'int' | 'uint' | 'bool'): GType {
  const prefix = base === 'float' ? '' : base[0];
  const name = t.n === 1 ? base : `${prefix}vec${t.n}`;
  return { base, n: t.n, cols: 1, name };
}

export const isNumeric = (t: GType): boolean => t.base === 'float' || t.base === 'int' || t.base === 'uint';
export const isIntegral = (t: GType): boolean => t.base === 'int' || t.base === 'uint';
export const isScalar = (t: GType): boolean => t.n === 1 && t.cols === 1 && !t.array;
export const sameType = (a: GType, b: GType): boolean =>
  a.name === b.name && a.base === b.base && !!a.array === !!b.array;

export function vectorOf(base: 'float' | 'int' | 'uint' | 'bool', n: number): GType {
  return withBase({ base, n, cols: 1, name: '' }, base);
}

/** The element of `t[i]`: an array's element, a vector's component, a matrix's column. */
export function indexed(t: GType): GType | null {
  if (t.array) return { ...t, array: false };
  if (t.base === 'other') return null;
  if (t.cols > 1) return vectorOf('float', t.n);
  if (t.n > 1) return withBase({ ...t, n: 1 }, t.base as 'float');
  return null;
}

/** The type of the swizzle `t.<field>` on a vector or scalar, or null when `field` is not a swizzle of it. */
export function swizzled(t: GType, field: string): GType | null {
  if (t.base === 'other' || t.cols > 1 || t.array || field.length > 4) return null;
  if (!/^([xyzw]+|[rgba]+|[stpq]+)$/.test(field)) return null;
  return vectorOf(t.base, field.length);
}
