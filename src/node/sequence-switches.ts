/**
 * @internal Switches for measuring renderToFiles against itself (`npm run bench`, section "sequence"). Not part
 * of the package's API (not exported from any index): the bench marks the BatchOptions object it passes, as
 * tests mark jobs in faults.ts, so nothing reaches the public types.
 */

const unpipelined = new WeakSet<object>();

/**
 * Marks `options` so that renderToFiles reads every frame back synchronously (FramePipeline `synchronous`):
 * the unpipelined baseline, otherwise the same code. Returns `options`.
 */
export function withoutPipeline<T extends object>(options: T): T {
  unpipelined.add(options);
  return options;
}

export function isUnpipelined(options: object): boolean {
  return unpipelined.has(options);
}
