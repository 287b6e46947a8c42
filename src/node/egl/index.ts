export { EGL, eglErrorName, GLC } from './constants.ts';
export { createEglContext, EglContext, type EglContextInfo, type EglContextOptions } from './context.ts';
export { listEglDevices } from './devices.ts';
export { type DeviceOption, displayRefs, type EglDeviceInfo } from './display.ts';
export { APT_FIX, type LibraryOptions } from './native.ts';
export {
  type GLCaps,
  type LiveObjects,
  NodeGL2,
  NodeWebGLBuffer,
  NodeWebGLFramebuffer,
  NodeWebGLProgram,
  NodeWebGLShader,
  NodeWebGLTexture,
  NodeWebGLUniformLocation,
  NodeWebGLVertexArray,
} from './node-gl2.ts';
