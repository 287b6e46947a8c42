/**
 * Render jobs: what RenderPool sends to a worker, and the runner that executes them on one GLContext.
 *
 * A job is self-contained (document source or path, values, images, size, times), so any worker gives the same
 * bytes as any other, and as the same job rendered in this thread. Every job starts a fresh frame stream: its
 * scene is reset (values to defaults, FRAMEINDEX 0, persistent buffers transparent), then its frames render in
 * order. A shader with persistent buffers therefore needs all the frames that build its state in one job
 * (`frames: [...]`); consecutive jobs never share state, whichever worker runs them.
 */
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import type { ISFDocument } from '../core/document.ts';
import { type Diagnostic, ISFError, type ISFErrorCode } from '../core/errors.ts';
import { parseISF } from '../core/parse/index.ts';
import type { GLContext } from '../render/context.ts';
import { CUBE_FACES } from '../render/cube.ts';
import type { Frame } from '../render/frame.ts';
import type { RawImage } from '../render/images.ts';
import { Scene } from '../render/scene.ts';
import type { PoolFault } from './faults.ts';
import { loadISF } from './load.ts';
import { nodePlatform } from './platform.ts';

/** One frame of a job's sequence; fields override the job's own. */
export interface RenderJobFrame {
  time?: number;
  timeDelta?: number;
  frameIndex?: number;
  /** Input values applied before this frame, on top of the job's (and earlier frames') values. */
  values?: Record<string, unknown>;
  /** Images set before this frame (audio inputs at this frame's time), on top of the job's. */
  images?: Record<string, RawImage>;
}

export interface RenderJob {
  /** The ISF fragment shader file. With `source`, only names the document (messages, IMPORTED files). */
  path?: string;
  /** Fragment shader source text, JSON blob included; used instead of reading `path`. */
  source?: string;
  /** Vertex shader source for `source` (default: the ISF passthrough vertex shader). */
  vertexSource?: string;
  /** Key of the worker's compiled-scene cache (default: the path, or a hash of the sources and path). */
  key?: string;
  /** The trusted tree IMPORTED paths may climb into (ParseOptions.importRoot; default: the document's folder). */
  importRoot?: string;
  /** Input values (text forms and numbers as for scene.setValues). */
  values?: Record<string, unknown>;
  /** Image inputs as raw RGBA, top row first. The pool shares their pixels with the worker without copying twice. */
  images?: Record<string, RawImage>;
  /** Cube inputs as six raw faces each (+X, -X, +Y, -Y, +Z, -Z), shared with the worker as images are. */
  cubes?: Record<string, readonly RawImage[]>;
  width: number;
  height: number;
  time?: number;
  timeDelta?: number;
  frameIndex?: number;
  /** DATE as milliseconds since the epoch (default: now, which makes DATE-using shaders nondeterministic). */
  date?: number;
  /** Frames rendered in order on one scene (persistent buffers carry over between them). Default: one frame. */
  frames?: RenderJobFrame[];
}

/** A frame as it crosses the thread boundary (pixel buffers are transferred, not copied). */
export interface WireFrame {
  width: number;
  height: number;
  pixels: Uint8Array;
  floatPixels: Float32Array | undefined;
  meta: Frame['meta'];
}

/** An error as it crosses the thread boundary; ISFErrors keep their code and location. */
export interface WireError {
  name: string;
  message: string;
  code?: ISFErrorCode;
  file?: string;
  line?: number;
  column?: number;
  suggestion?: string;
  diagnostics?: Diagnostic[];
  details?: Record<string, unknown>;
  stack?: string;
}

export type WorkerRequest =
  | { type: 'job'; id: number; attempt: number; job: RenderJob; fault?: PoolFault }
  /** Destroy scenes and the context, then let the thread end (terminating a thread with a live EGL context
   * can crash the process in the driver). */
  | { type: 'close' };
export type WorkerResponse =
  | { type: 'ready' }
  | { type: 'init-error'; error: WireError }
  /** `worker`: the thread id (thread slots) or pid (process slots) that rendered it. */
  | { type: 'done'; id: number; frames: WireFrame[]; worker: number }
  | { type: 'failed'; id: number; error: WireError };

export function serializeError(e: unknown): WireError {
  if (e instanceof ISFError) {
    let details: Record<string, unknown> | undefined;
    try {
      details = structuredClone(e.details);
    } catch {
      details = undefined; // not cloneable: the message and code carry what matters
    }
    return {
      name: e.name,
      message: e.message,
      code: e.code,
      file: e.file,
      line: e.line,
      column: e.column,
      suggestion: e.suggestion,
      diagnostics: e.diagnostics,
      details,
      stack: e.stack,
    };
  }
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack };
  return { name: 'Error', message: String(e) };
}

export function deserializeError(w: WireError): Error {
  if (w.code) {
    return new ISFError(w.code, w.message, {
      file: w.file,
      line: w.line,
      column: w.column,
      suggestion: w.suggestion,
      diagnostics: w.diagnostics,
      details: w.details,
    });
  }
  const e = new Error(w.message);
  e.name = w.name;
  return e;
}

export function toWireFrame(f: Frame): WireFrame {
  return { width: f.width, height: f.height, pixels: f.pixels, floatPixels: f.floatPixels, meta: f.meta };
}

/** The cache key of a job's document. */
export function jobKey(job: RenderJob): string {
  if (job.key !== undefined) return job.key;
  if (job.source !== undefined) {
    const h = createHash('sha1');
    h.update(job.source)
      .update('\u0000')
      .update(job.vertexSource ?? '')
      .update('\u0000')
      .update(job.path ?? '')
      .update('\u0000')
      .update(job.importRoot ?? '');
    return `source:${h.digest('hex')}`;
  }
  return `file:${resolve(job.path ?? '')}${job.importRoot !== undefined ? `\u0000${job.importRoot}` : ''}`;
}

/** Eager checks at submission, so a malformed job fails in the caller's thread with a clear message. */
export function checkJob(job: unknown): asserts job is RenderJob {
  if (typeof job !== 'object' || job === null) {
    throw new ISFError('BAD_ARGUMENT', `Expected a render job object but received ${String(job)}`);
  }
  const j = job as Partial<RenderJob>;
  if (typeof j.source !== 'string' && typeof j.path !== 'string') {
    throw new ISFError('BAD_ARGUMENT', 'A render job needs `path` (an ISF file) or `source` (its text)');
  }
  if (j.frames !== undefined && (!Array.isArray(j.frames) || j.frames.length === 0)) {
    throw new ISFError('BAD_ARGUMENT', 'Expected `frames` to be a non-empty array of frame timings');
  }
}

/**
 * Applies a job's values and images to a scene whose document is loaded, then renders the job's frames in
 * order. `checkImage` runs before each image is set (the isolated renderer's limits).
 */
export function renderJobFrames(
  scene: Scene,
  job: RenderJob,
  checkImage?: (name: string, image: RawImage) => void,
): Frame[] {
  if (job.values) scene.setValues(job.values);
  for (const [name, image] of Object.entries(job.images ?? {})) {
    checkImage?.(name, image);
    scene.setImageData(name, image);
  }
  for (const [name, faces] of Object.entries(job.cubes ?? {})) {
    faces.forEach((face, i) => {
      checkImage?.(`${name} ${CUBE_FACES[i]}`, face);
    });
    scene.setCubeData(name, faces);
  }
  const date = job.date !== undefined ? new Date(job.date) : undefined;
  const frames: Frame[] = [];
  for (const f of job.frames ?? [{}]) {
    if (f.values) scene.setValues(f.values);
    for (const [name, image] of Object.entries(f.images ?? {})) {
      checkImage?.(name, image);
      scene.setImageData(name, image);
    }
    frames.push(
      scene.render({
        width: job.width,
        height: job.height,
        time: f.time ?? job.time,
        timeDelta: f.timeDelta ?? job.timeDelta,
        frameIndex: f.frameIndex ?? job.frameIndex,
        date,
      }),
    );
  }
  return frames;
}

interface CachedScene {
  doc: ISFDocument;
  scene: Scene;
}

/**
 * Runs jobs on one context, keeping up to `maxScenes` compiled scenes by document key (least recently used
 * evicted). Used by each RenderPool worker; usable in-process for the same results without threads.
 */
export class JobRunner {
  private readonly cache = new Map<string, CachedScene>();

  constructor(
    readonly context: GLContext,
    readonly maxScenes = 8,
  ) {}

  async run(job: RenderJob): Promise<Frame[]> {
    checkJob(job);
    const { scene, doc } = await this.sceneFor(job);
    // A fresh stream: defaults, FRAMEINDEX 0, persistent buffers transparent. The program comes from the
    // context's cache, so this costs no compile.
    await scene.useDoc(doc);
    return renderJobFrames(scene, job);
  }

  /** Destroys every cached scene (the context stays the caller's). */
  clear(): void {
    for (const { scene } of this.cache.values()) scene.destroy();
    this.cache.clear();
  }

  private async sceneFor(job: RenderJob): Promise<CachedScene> {
    const key = jobKey(job);
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key); // re-insert: Map order is the LRU order
      this.cache.set(key, hit);
      return hit;
    }
    const doc =
      job.source !== undefined
        ? parseISF(job.source, {
            ...(job.path !== undefined ? { path: job.path } : {}),
            ...(job.vertexSource !== undefined ? { vertexSource: job.vertexSource } : {}),
            ...(job.importRoot !== undefined ? { importRoot: job.importRoot } : {}),
          })
        : await loadISF(job.path!, job.importRoot !== undefined ? { importRoot: job.importRoot } : {});
    const entry = { doc, scene: new Scene(this.context, { platform: nodePlatform }) };
    this.cache.set(key, entry);
    while (this.cache.size > this.maxScenes) {
      const [oldKey, old] = this.cache.entries().next().value as [string, CachedScene];
      old.scene.destroy();
      this.cache.delete(oldKey);
    }
    return entry;
  }
}
