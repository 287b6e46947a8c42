/**
 * What one frame is asked with (RenderOptions) and the two ways of drawing it that a reader of frames needs
 * (FrameSource): Scene implements it, FramePipeline consumes it. Kept apart from scene.ts so that the pipeline
 * depends on this interface rather than on Scene, which itself builds a pipeline for Scene.frames().
 */
import type { GL2 } from '../gl/gl2.ts';
import type { GLContext } from './context.ts';
import type { Frame } from './frame.ts';
import type { DrawnFrame } from './readback.ts';

export interface RenderOptions {
  width: number;
  height: number;
  /** TIME in seconds (default 0). Host-supplied, so renders are deterministic. */
  time?: number;
  /** TIMEDELTA (default |time - previous time|, 0 on the first frame). */
  timeDelta?: number;
  /** FRAMEINDEX (default: the scene's own counter, 0 on the first frame). */
  frameIndex?: number;
  /** DATE source (default: now). */
  date?: Date;
  /** Names of pass targets to read back into the Frame (frame.pass(name)). */
  readPasses?: string[];
  /**
   * Destination for the RGBA8 readback (width * height * 4 bytes), reused across frames to save an 8 MB
   * allocation per 1080p frame. The returned Frame's pixels are this array: copy it if you keep the frame.
   */
  pixels?: Uint8Array;
}

/** Something that draws frames on a context: a Scene (see Scene.render and Scene.draw). */
export interface FrameSource {
  readonly context: GLContext;
  /** Renders and reads one frame synchronously. */
  render(options: RenderOptions): Frame;
  /** Draws one frame and hands its output, still alive, to `take` (`topDown`: drawn top row first). */
  draw<T>(options: RenderOptions, topDown: boolean, take: (gl: GL2, drawn: DrawnFrame) => T): T;
}
