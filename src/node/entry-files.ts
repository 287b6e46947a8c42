/**
 * Worker-thread and child-process entry files, found next to the module that starts them.
 *
 * The same code runs from two places: the TypeScript sources (tests and development, under tsx) and the built
 * JavaScript in dist/ (the published package, plain Node). An entry file is the sibling with the caller's own
 * extension, so `src/node/render-pool.ts` starts `src/node/render-worker.ts` and `dist/node/render-pool.js`
 * starts `dist/node/render-worker.js`. Only a `.ts` entry needs tsx's loader; the built package never loads
 * (nor depends on) tsx.
 */
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';

export interface EntryFile {
  /** The entry's file URL. */
  url: URL;
  /** The entry's path, for child_process.fork()/spawn(). */
  path: string;
  /** Node flags the entry needs: `--import <tsx>` for a TypeScript entry, none for JavaScript. */
  execArgv: string[];
}

/** True for a module that runs from the TypeScript sources (through tsx), false for built JavaScript. */
export function isSourceModule(moduleUrl: string | URL): boolean {
  return new URL(moduleUrl).pathname.endsWith('.ts');
}

/**
 * The entry file `relative` (written without extension, e.g. './render-worker') next to `moduleUrl` (the
 * caller's import.meta.url), with the caller's extension.
 */
export function entryFile(moduleUrl: string, relative: string): EntryFile {
  const source = isSourceModule(moduleUrl);
  const url = new URL(`${relative}${source ? '.ts' : '.js'}`, moduleUrl);
  return { url, path: fileURLToPath(url), execArgv: source ? ['--import', tsxLoader()] : [] };
}

/**
 * A worker thread running `entry`. A JavaScript entry starts directly. A TypeScript one starts through a
 * one-line bootstrap that registers tsx in the worker first: on Node 20 a worker gets neither the parent's
 * `--import` hooks nor `--import` in its own execArgv. workerData reaches the entry unchanged either way.
 */
export function startWorker(entry: EntryFile, options: WorkerOptions = {}): Worker {
  if (entry.execArgv.length === 0) return new Worker(entry.url, options);
  // A failed import rejects unhandled, which ends the worker with an 'error' event, as for a JavaScript entry.
  const bootstrap = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
  .then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.url.href)}); });`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/**
 * tsx's loader, resolved from this package rather than taken from process.execArgv: the parent may have
 * registered tsx through its API (bin/isf.js in a checkout), which leaves no flag to pass on.
 */
function tsxLoader(): string {
  return import.meta.resolve('tsx');
}
