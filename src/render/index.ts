// The renderer: written against GL2 only (runs on EGL in Node and on WebGL2 in the browser).
export * from './buffer-pool.ts';
export * from './context.ts';
export * from './device.ts';
export type { ContextInfo } from './device-resources.ts';
export * from './frame.ts';
export * from './images.ts';
export * from './pass-plan.ts';
export * from './program-cache.ts';
export * from './resources.ts';
export * from './scene.ts';
export * from './test-pattern.ts';
