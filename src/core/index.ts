// Public core API (pure TypeScript: no GL, no Node). A plain list of re-exports.

export * from './document.ts';
export * from './errors.ts';
