/**
 * createContext() for Node: a GLContext whose backend is an EGL + OpenGL ES 3 context loaded through koffi
 * (surfaceless Mesa by default, the EGL device platform with { device: 'gpu' } or an index).
 */
import type { GLBackend } from '../gl/backend.ts';
import { createContextWith, type GLContext, type GLContextOptions } from '../render/context.ts';
import { createEglContext, type EglContextOptions } from './egl/index.ts';
import './platform.ts';

export interface NodeContextOptions
  extends GLContextOptions,
    Pick<EglContextOptions, 'device' | 'libEGL' | 'libGLES'> {}

/** An EGL-backed GLBackend; a fresh native context each time (initialize/reinitialize). */
export function eglBackend(
  options: Pick<EglContextOptions, 'device' | 'libEGL' | 'libGLES'> = {},
): GLBackend {
  const egl = createEglContext(options);
  const platform = egl.info().platform;
  return {
    gl: egl.gl,
    kind: platform === 'device' ? 'egl-device' : 'egl-surfaceless',
    makeCurrent: () => egl.makeCurrent(),
    destroy: () => egl.destroy(),
    isLost: () => egl.isDestroyed || egl.gl.isContextLost(),
    simulateLoss: () => egl.simulateLoss(),
  };
}

/** A GLContext over EGL. Call initialize() (or just render: the first use initializes it). */
export function createContext(options: NodeContextOptions = {}): GLContext {
  const { device, libEGL, libGLES, ...contextOptions } = options;
  const eglOptions: Pick<EglContextOptions, 'device' | 'libEGL' | 'libGLES'> = {};
  if (device !== undefined) eglOptions.device = device;
  if (libEGL !== undefined) eglOptions.libEGL = libEGL;
  if (libGLES !== undefined) eglOptions.libGLES = libGLES;
  return createContextWith(() => eglBackend(eglOptions), contextOptions);
}
