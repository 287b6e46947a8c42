/**
 * The scripts of the `isf serve` page: /app.js (src/browser/app) and /isf.js (the browser library, the same
 * entry as `isf-renderer/browser`), each with its source map.
 *
 * The published package carries them prebuilt in dist/page/ (`npm run build` writes them, so `npm pack`
 * ships them and `isf serve` starts without a bundler). Run from the TypeScript sources (tests, a checkout),
 * the page is bundled in memory at start with esbuild, a devDependency, so an edit to the page is served as it is.
 */
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { isSourceModule } from '../node/entry-files.ts';

/** The page's bundles by name, entry files relative to src/. */
export const PAGE_ENTRIES = { app: 'browser/app/main.ts', isf: 'browser/index.ts' };

/** Route ('/app.js', '/app.js.map', ...) to contents. */
export type PageBundles = Map<string, Uint8Array>;

export async function pageBundles(): Promise<PageBundles> {
  if (isSourceModule(import.meta.url))
    return buildPageBundles({ srcDir: fileURLToPath(new URL('..', import.meta.url)) });
  const dir = new URL('../page/', import.meta.url);
  const files: PageBundles = new Map();
  for (const name of await readdir(dir)) files.set(`/${name}`, await readFile(new URL(name, dir)));
  return files;
}

export interface PageBuildOptions {
  /** The src/ folder. */
  srcDir: string;
  /** Where the files would be written: the source maps' paths are relative to it (default: in memory only). */
  outdir?: string;
}

/** Bundles the page with esbuild (ES2022 modules for the browser, linked source maps with the sources inlined). */
export async function buildPageBundles(options: PageBuildOptions): Promise<PageBundles> {
  const esbuild = await import('esbuild');
  const entryPoints = Object.fromEntries(
    Object.entries(PAGE_ENTRIES).map(([name, file]) => [name, `${options.srcDir}/${file}`]),
  );
  const result = await esbuild.build({
    entryPoints,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: 'linked',
    write: false,
    outdir: options.outdir ?? '/bundle',
    logLevel: 'silent',
  });
  const files: PageBundles = new Map();
  for (const f of result.outputFiles) files.set(`/${f.path.split('/').pop()}`, f.contents);
  return files;
}
