// Public core API (pure TypeScript: no GL, no Node). A plain list of re-exports.

export * from './audio.ts';
export * from './convert/index.ts';
export * from './document.ts';
export * from './errors.ts';
export * from './expr/index.ts';
export * from './glsl/index.ts';
export * from './parse/index.ts';
export * from './sweep.ts';
export * from './timeline.ts';
export * from './values.ts';
