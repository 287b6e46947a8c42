/**
 * The normalised ISF document: what every other layer consumes.
 *
 * Values are already normalised the way VVISF does it (see ../shared/docs/isf-spec-notes.md §1.3), so the renderer
 * never looks at raw JSON. The raw JSON is kept for tools (`isf info --json`).
 */
import type { Diagnostic } from './errors.ts';

export type ISFInputType =
  | 'event'
  | 'bool'
  | 'long'
  | 'float'
  | 'point2D'
  | 'point3D'
  | 'point4D'
  | 'color'
  | 'image'
  | 'audio'
  | 'audioFFT'
  | 'cube';

export type ISFKind = 'generator' | 'filter' | 'transition';

export type Vec2 = [number, number];
export type Vec3 = [number, number, number];
export type Vec4 = [number, number, number, number];

interface InputCommon {
  name: string;
  label?: string;
  description?: string;
}

export interface EventInput extends InputCommon {
  type: 'event';
}
export interface BoolInput extends InputCommon {
  type: 'bool';
  default: boolean;
  identity?: boolean;
}
export interface LongInput extends InputCommon {
  type: 'long';
  default: number;
  identity?: number;
  /** Present only when VALUES and LABELS are both present and of the same length (VVISF rule). */
  values?: number[];
  labels?: string[];
  /** Present only as a pair (VVISF rule); when values/labels exist these are min/max of the values. */
  min?: number;
  max?: number;
}
export interface FloatInput extends InputCommon {
  type: 'float';
  default: number;
  min: number;
  max: number;
  identity?: number;
}
export interface Point2DInput extends InputCommon {
  type: 'point2D';
  default: Vec2;
  min?: Vec2;
  max?: Vec2;
  identity?: Vec2;
}
/** Vuo's and ossia score's point3D / point4D (vec3 / vec4 uniforms); a departure from the spec (W_HOST_TYPE). */
export interface Point3DInput extends InputCommon {
  type: 'point3D';
  default: Vec3;
  min?: Vec3;
  max?: Vec3;
  identity?: Vec3;
}
export interface Point4DInput extends InputCommon {
  type: 'point4D';
  default: Vec4;
  min?: Vec4;
  max?: Vec4;
  identity?: Vec4;
}
export interface ColorInput extends InputCommon {
  type: 'color';
  default: Vec4;
  identity?: Vec4;
}
export interface ImageInput extends InputCommon {
  type: 'image';
}
export interface AudioInput extends InputCommon {
  type: 'audio' | 'audioFFT';
  /** Requested number of columns (samples or bins); undefined = native count. */
  max?: number;
}
export interface CubeInput extends InputCommon {
  type: 'cube';
}

export type ISFInput =
  | EventInput
  | BoolInput
  | LongInput
  | FloatInput
  | Point2DInput
  | Point3DInput
  | Point4DInput
  | ColorInput
  | ImageInput
  | AudioInput
  | CubeInput;

/** Inputs that become sampler uniforms. */
export type SamplerInput = ImageInput | AudioInput | CubeInput;

export function isSamplerInput(input: ISFInput): input is SamplerInput {
  return (
    input.type === 'image' || input.type === 'audio' || input.type === 'audioFFT' || input.type === 'cube'
  );
}

export interface ISFPass {
  /** Buffer name this pass renders into; undefined (or '') means output only. */
  target?: string;
  persistent: boolean;
  float: boolean;
  /** WIDTH/HEIGHT expression as written (numbers are turned into their decimal text); undefined = render size. */
  width?: string;
  height?: string;
  description?: string;
}

export interface ISFImported {
  name: string;
  /** Path as written in the document. */
  path: string;
  /** Absolute path, when the document was loaded from a file (or parseISF got `path`). */
  resolvedPath?: string;
  /** Cube extension: six face paths (`path` then holds the first face). */
  cube?: { paths: string[]; resolvedPaths?: string[] };
  /** 1-based line of the .fs where PATH is written (for load errors). */
  line?: number;
}

/** A VERTEX_SHADER_ART primitive (GL draw mode). */
export type VSAPrimitive =
  | 'POINTS'
  | 'LINES'
  | 'LINE_STRIP'
  | 'LINE_LOOP'
  | 'TRIANGLES'
  | 'TRIANGLE_STRIP'
  | 'TRIANGLE_FAN';

/** ossia score's VERTEX_SHADER_ART settings (src/core/parse/vsa.ts). */
export interface VertexShaderArt {
  pointCount: number;
  primitive: VSAPrimitive;
  lineSize: 'NATIVE' | 'CSS';
  /** Clear colour, 0..1 RGBA. */
  background: [number, number, number, number];
}

/** Where a line of an expanded source (#include) came from. */
export interface LineOrigin {
  file: string;
  /** 1-based. */
  line: number;
}

export interface ISFDocument {
  /** Path of the .fs, when known. */
  path?: string;
  /** Base name without extension (from path), or 'untitled'. */
  name: string;
  /** 2 for v2 documents; 1 when the document looked like v1 (no ISFVSN with PERSISTENT_BUFFERS or vv_ names). */
  isfVersion: 1 | 2;
  /** ISFVSN as written (string or number turned into string), if present. */
  isfvsn?: string;
  vsn?: string;
  description?: string;
  credit?: string;
  categories: string[];
  kind: ISFKind;
  inputs: ISFInput[];
  /** At least one pass. A document without PASSES gets one pass with no target. v1 PERSISTENT_BUFFERS converted. */
  passes: ISFPass[];
  imported: ISFImported[];
  /**
   * ISF v1 only: PERSISTENT_BUFFERS entries that no pass targets. VVISF still declares, sizes and binds them
   * (transparent black); v2 cannot express them. Each has `target` set and `persistent: true`.
   */
  extraPersistentBuffers?: ISFPass[];
  /**
   * Set for ossia score's `"MODE": "VERTEX_SHADER_ART"` documents: the body after the JSON is a vertex shader run
   * `pointCount` times (see docs/glsl.md, Vertex Shader Art).
   */
  vertexShaderArt?: VertexShaderArt;
  /** The complete fragment file text. */
  fragmentSource: string;
  /** The GLSL after the JSON comment (starts after the line break following the closing comment). */
  fragmentBody: string;
  /** 1-based line of the .fs where `fragmentBody` starts. */
  fragmentBodyLine: number;
  /** The user's vertex shader, if one was given or found. */
  vertexSource?: string;
  vertexPath?: string;
  /** The parsed JSON blob, untouched. */
  json: Record<string, unknown>;
  /** The trusted tree IMPORTED/.vs/#include paths may climb into (ParseOptions.importRoot), for the loaders. */
  importRoot?: string;
  /** Parsed with allowImportOutsideFolder: the loaders do not confine this document's references. */
  importAnywhere?: boolean;
  /** Warnings found while parsing (errors are thrown, or returned by validateISF). */
  warnings: Diagnostic[];
  /**
   * When #include lines were expanded (applyIncludes): for each line of `fragmentBody` / `vertexSource`, the file
   * and line it came from. Absent when nothing was included (lines then follow `fragmentBodyLine`).
   */
  fragmentOrigins?: LineOrigin[];
  vertexOrigins?: LineOrigin[];
  /** Parsed with `strict`: GLSL generation refuses departures too. */
  strict?: boolean;
}

export interface ParseOptions {
  /** The user's vertex shader source. */
  vertexSource?: string;
  /** Path of the .fs, used in messages and to resolve IMPORTED. */
  path?: string;
  vertexPath?: string;
  /** Maximum document size in bytes (default 16 MiB). */
  maxBytes?: number;
  /** Maximum JSON nesting depth (default 64). */
  maxJsonDepth?: number;
  /** Allow IMPORTED paths that leave the document's folder (default false). */
  allowImportOutsideFolder?: boolean;
  /**
   * A folder above the document's that its IMPORTED paths (and sibling .vs, #include) may climb into with `..`,
   * each reported as a W_IMPORT_OUTSIDE_FOLDER warning: the user's own tree, for documents the caller trusts (the
   * CLI's local renders use the working directory). Absolute paths are still refused. Default: the document's
   * folder only.
   */
  importRoot?: string;
  /**
   * Refuse every departure from the ISF spec that the default accepts with a warning (docs/dialects.md): each
   * becomes an ISF_STRICT error, here and when the document's GLSL is generated.
   */
  strict?: boolean;
}
