/**
 * Pass planning: every pass's size for one frame, evaluated from its WIDTH/HEIGHT expressions before any GL
 * work, and the limits checked (render size, pass size, texture bytes per frame). Pure: no GL.
 */
import type { ISFDocument, ISFPass } from '../core/document.ts';
import { ISFError } from '../core/errors.ts';
import { type CompiledExpression, evaluateSize } from '../core/expr/index.ts';
import type { InputValue } from '../core/values.ts';

export interface SceneLimits {
  /** Largest pass size per side; larger WIDTH/HEIGHT results are clamped (or refused with strictPassSizes). */
  maxPassSize?: number;
  /** Refuse (SIZE_OUT_OF_RANGE) instead of clamping pass sizes above maxPassSize. Default false (VVISF clamps). */
  strictPassSizes?: boolean;
  /** Total bytes of all pass targets of one frame (LIMIT_EXCEEDED above it). Default 4 GiB. */
  maxFrameBytes?: number;
  /** Most passes a document may have (LIMIT_EXCEEDED above it). Default 64. */
  maxPasses?: number;
}

const DEFAULT_MAX_FRAME_BYTES = 4 * 1024 ** 3;

export interface PassPlan {
  pass: ISFPass;
  width: number;
  height: number;
  float: boolean;
}

export interface FramePlan {
  passes: PassPlan[];
  /** ISF v1 persistent buffers no pass targets: declared and sized, never drawn. */
  extras: PassPlan[];
}

export interface PlanRequest {
  doc: ISFDocument;
  width: number;
  height: number;
  /** The context's largest render size per side. */
  maxSize: number;
  limits: SceneLimits;
  /** Compiled WIDTH/HEIGHT expressions per pass. */
  sizes: ReadonlyMap<ISFPass, { w?: CompiledExpression; h?: CompiledExpression }>;
  /** Current input values: event/bool/long/float ones are the expressions' variables. */
  values: ReadonlyMap<string, InputValue>;
  /** Bytes per pixel of a FLOAT target on this context (16 for RGBA32F, 8 for RGBA16F). */
  floatBytesPerPixel: number;
}

/** Evaluates every pass size for this frame and checks the limits. */
export function planFrame(r: PlanRequest): FramePlan {
  const { doc, width, height, limits } = r;
  const maxPass = Math.min(r.maxSize, limits.maxPassSize ?? Infinity);
  const vars: Record<string, number> = { WIDTH: width, HEIGHT: height };
  for (const input of doc.inputs) {
    const v = r.values.get(input.name);
    if (typeof v === 'number') vars[input.name] = v;
    else if (typeof v === 'boolean') vars[input.name] = v ? 1 : 0;
  }
  let bytes = 0;
  const plan = (pass: ISFPass): PassPlan => {
    const exprs = r.sizes.get(pass) ?? {};
    const w = passSide(doc, pass, 'WIDTH', exprs.w, vars, width, maxPass, limits);
    const h = passSide(doc, pass, 'HEIGHT', exprs.h, vars, height, maxPass, limits);
    bytes += w * h * (pass.float ? r.floatBytesPerPixel : 4);
    return { pass, width: w, height: h, float: pass.float };
  };
  const result = { passes: doc.passes.map(plan), extras: (doc.extraPersistentBuffers ?? []).map(plan) };
  const maxBytes = limits.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
  if (bytes > maxBytes) {
    throw new ISFError(
      'LIMIT_EXCEEDED',
      `${doc.name} would need ${formatBytes(bytes)} of pass targets for a ${width}x${height} frame; the limit is ${formatBytes(maxBytes)}`,
      { file: doc.path },
    );
  }
  return result;
}

/** One side of a pass: VVISF's evaluation (NaN 1, truncated, at least 1), then clamped or refused above the limit. */
function passSide(
  doc: ISFDocument,
  pass: ISFPass,
  axis: 'WIDTH' | 'HEIGHT',
  expr: CompiledExpression | undefined,
  vars: Record<string, number>,
  fallback: number,
  maxPass: number,
  limits: SceneLimits,
): number {
  const { value } = evaluateSize(expr, vars, fallback);
  if (value <= maxPass) return Math.max(1, value);
  if (limits.strictPassSizes) {
    throw new ISFError(
      'SIZE_OUT_OF_RANGE',
      `${axis} of pass "${pass.target ?? ''}" in ${doc.name} evaluates to ${value} (${axis === 'WIDTH' ? pass.width : pass.height}); the largest allowed is ${maxPass}`,
      { file: doc.path },
    );
  }
  return maxPass;
}

export function checkRenderSize(width: unknown, height: unknown, maxSize: number): void {
  for (const [name, v] of [
    ['width', width],
    ['height', height],
  ] as const) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new ISFError(
        'SIZE_OUT_OF_RANGE',
        `Expected a positive integer render ${name} but received ${typeof v === 'number' ? v : `${String(v)} of type ${typeof v}`}`,
      );
    }
    if (v > maxSize) {
      throw new ISFError(
        'SIZE_OUT_OF_RANGE',
        `Render ${name} ${v} is larger than this context's maximum of ${maxSize}`,
        { suggestion: `use a size up to ${maxSize}x${maxSize} (render larger images in tiles)` },
      );
    }
  }
}

function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  return `${(n / 1024 ** 2).toFixed(1)} MiB`;
}
