import type { Diagnostic } from '../errors.ts';

/**
 * es300: `#version 300 es` (WebGL2 / GLES 3, the default). es100: `#version 100` (WebGL1 / GLES 2).
 * es310 (extension): es300 as `#version 310 es` plus GL_EXT_shader_implicit_conversions, for GLES 3.1+ contexts
 * that have that extension (Mesa does; WebGL does not): it also compiles shaders that rely on desktop GLSL's
 * implicit int → float / uint conversions. A fallback for when es300 fails, not a default.
 */
export type GLSLDialect = 'es300' | 'es100' | 'es310';

export interface SamplerInfo {
  name: string;
  kind: '2D' | 'cube';
  source: 'input' | 'imported' | 'target';
  /** The GLSL uniform name: `name`, or its `renamed` form when `name` is reserved in ES 3.00 (extension). */
  uniform: string;
}

export interface GeneratedShaders {
  dialect: GLSLDialect;
  vertex: string;
  fragment: string;
  /** fragmentLineMap[generatedLine] = 1-based line in the user's .fs, or null for generated lines. Index 0 unused. */
  fragmentLineMap: (number | null)[];
  /** Same for the vertex shader: lines of the user's .vs (null when no .vs / generated). */
  vertexLineMap: (number | null)[];
  /** With #include: the file of each generated line (null for generated lines); the line maps then hold that file's lines. */
  fragmentFileMap?: (string | null)[];
  vertexFileMap?: (string | null)[];
  /** Every sampler uniform declared, in declaration order: inputs (image/audio/audioFFT/cube), IMPORTED, pass targets. */
  samplers: SamplerInfo[];
  /** User identifiers renamed to avoid ES 3.00 built-ins. */
  renamed: { from: string; to: string }[];
  warnings: Diagnostic[];
  /**
   * True when the draw writes every pixel of its viewport: the full-screen quad of our own vertex shader (no .vs,
   * no VERTEX_SHADER_ART) and a fragment shader that cannot discard. The renderer then skips clearing the target
   * before the draw (under SwiftShader a 1080p clear costs about a tenth of a trivial frame); absent means clear.
   */
  writesEveryPixel?: boolean;
}

export interface GenerateOptions {
  dialect?: GLSLDialect;
  /** Departures found in the GLSL (docs/dialects.md) throw ISF_STRICT (default: the document's `strict`). */
  strict?: boolean;
}
