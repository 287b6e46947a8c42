export * from './batch.ts';
export * from './context.ts';
export * from './egl/index.ts';
export * from './files.ts';
export * from './images.ts';
export * from './load.ts';
export * from './platform.ts';
