/**
 * Builds the browser library: one ES module (src/browser/index.ts and everything it imports, no Node modules)
 * with a source map. The output folder is build output, never committed.
 *
 *   node --import tsx scripts/build-browser.ts [--outdir out/browser] [--minify]
 *
 * `isf serve` builds the same entry in memory (src/cli/serve.ts) and serves it as /isf.js.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export interface BrowserBuildOptions {
  outdir?: string;
  minify?: boolean;
}

export async function buildBrowserBundle(options: BrowserBuildOptions = {}): Promise<string> {
  const outdir = resolve(ROOT, options.outdir ?? 'out/browser');
  await mkdir(outdir, { recursive: true });
  const outfile = join(outdir, 'isf-renderer.js');
  const result = await build({
    entryPoints: [join(ROOT, 'src/browser/index.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    minify: options.minify ?? false,
    metafile: true,
    logLevel: 'warning',
  });
  const bytes = result.metafile.outputs[relative(process.cwd(), outfile)]?.bytes;
  process.stdout.write(
    `wrote ${relative(process.cwd(), outfile)}${bytes ? ` (${(bytes / 1024).toFixed(0)} KiB)` : ''}\n`,
  );
  return outfile;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--outdir');
  await buildBrowserBundle({
    ...(at >= 0 && args[at + 1] ? { outdir: args[at + 1] } : {}),
    minify: args.includes('--minify'),
  });
}
