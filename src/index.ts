/**
 * isf-renderer: public entry for Node. The browser entry is src/browser/index.ts.
 */
export * from './core/index.ts';
export * from './gl/backend.ts';
export * from './gl/gl2.ts';
export * from './node/index.ts';
export * from './render/index.ts';
