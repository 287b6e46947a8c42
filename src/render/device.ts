/**
 * RenderDevice: the device-facing side of a GLContext, as BufferPool and ProgramCache (and DeviceResources) see
 * it: the current GL, the generation its handles belong to, the object counts, typed failures and the few
 * capabilities they need. They are written against this interface rather than against GLContext, which creates
 * them, so context.ts is not imported back by its own components (no import cycle) and its lifecycle, references
 * and queue stay in one module.
 */
import type { ISFError } from '../core/errors.ts';
import type { GL2 } from '../gl/gl2.ts';
import type { ResourceTracker, Texture2D, TextureFormat } from './resources.ts';

export type ContextState = 'uninitialized' | 'ready' | 'cleaning' | 'destroyed' | 'lost';

/** The core every device-facing component needs. */
export interface DeviceCore {
  readonly state: ContextState;
  /** Bumped each time a new native context is created; GL handles from older generations are dead. */
  readonly generation: number;
  /** Live GL objects and bytes of this generation (counted here, reported by stats()). */
  readonly resources: ResourceTracker;
  /** The GL object, made current, after checking the context can be used (typed error otherwise). */
  use(operation: string): GL2;
  /** The error for a GL call that returned no object: GL_CONTEXT_LOST when the context died, else GL_ERROR. */
  failure(operation: string): ISFError;
}

/** What BufferPool and ProgramCache use. GLContext implements it. */
export interface RenderDevice extends DeviceCore {
  /** Frames rendered so far (the pool's idle clock). */
  readonly frames: number;
  readonly options: { readonly maxIdleFrames: number };
  floatFormat(): TextureFormat | 'none';
  maxRenderSize(): number;
  createTexture(
    width: number,
    height: number,
    format: TextureFormat,
    data?: ArrayBufferView | null,
  ): Texture2D;
  deleteTexture(tex: Texture2D): void;
}
