/**
 * isf-renderer: public entry for Node. The browser entry is src/browser/index.ts.
 */
export * from './core/index.ts';
