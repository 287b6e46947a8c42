/**
 * Exit statuses of the `isf` command, by error code, so scripts can tell bad input from broken shaders from
 * I/O trouble. Documented in README ("Exit codes").
 */
import type { ISFErrorCode } from '../core/errors.ts';
import { ISFError } from '../core/errors.ts';

export const EXIT = {
  OK: 0,
  /** Unexpected internal error (a bug: please report). */
  INTERNAL: 1,
  /** Bad command line or bad input value (unknown input, bad --set, bad size...). */
  USAGE: 2,
  /** The shader is invalid: ISF document errors, GLSL compile/link errors. */
  SHADER: 3,
  /** Reading or writing files failed, an image/audio/video could not be decoded or encoded. */
  IO: 4,
  /** No usable GL (EGL libraries missing, context creation failed, context lost). */
  GL: 5,
  /** A render or compile ran past its time limit. */
  TIMEOUT: 6,
  /** The GL driver crashed compiling or drawing the shader (its process died of a native fault; isf did not). */
  DRIVER_CRASH: 7,
  /** The program reading `-o -` closed the pipe before the last frame (OUTPUT_CLOSED). */
  OUTPUT_CLOSED: 8,
  /** Interrupted (Ctrl-C / SIGTERM). */
  INTERRUPTED: 130,
} as const;

export function exitCodeFor(code: ISFErrorCode): number {
  if (code === 'ISF_FILE_NOT_FOUND') return EXIT.IO;
  if (code.startsWith('ISF_') || code.startsWith('GLSL_') || code === 'CONVERT_SOURCE') return EXIT.SHADER;
  switch (code) {
    case 'IO_ERROR':
    case 'IMAGE_DECODE':
    case 'AUDIO_DECODE':
    case 'FFMPEG_MISSING':
    case 'PACKAGE_MISSING':
    case 'FFMPEG_FAILED':
      return EXIT.IO;
    case 'GL_UNAVAILABLE':
    case 'GL_CONTEXT_LOST':
    case 'GL_ERROR':
    case 'GL_UNSUPPORTED':
    case 'CONTEXT_STATE':
      return EXIT.GL;
    case 'RENDER_TIMEOUT':
      return EXIT.TIMEOUT;
    case 'GL_DRIVER_CRASH':
      return EXIT.DRIVER_CRASH;
    case 'WORKER_FAILED':
      return EXIT.INTERNAL;
    case 'OUTPUT_CLOSED':
      return EXIT.OUTPUT_CLOSED;
    default:
      return EXIT.USAGE;
  }
}

export function exitCodeForError(e: unknown): number {
  return e instanceof ISFError ? exitCodeFor(e.code) : EXIT.INTERNAL;
}
