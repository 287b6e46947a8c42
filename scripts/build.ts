/**
 * `npm run build` (also run by `npm ci`/`npm install` through "prepare", and so by `npm pack`): the published
 * package's dist/, from a clean folder.
 *   dist/**\/*.js, .d.ts, .js.map   tsc -p tsconfig.build.json: file for file, so worker and child entry files
 *                                   stay files of their own; `.ts` import specifiers rewritten to `.js`
 *   dist/page/                      the `isf serve` page's scripts, bundled once here (src/cli/page.ts)
 */
import { spawnSync } from 'node:child_process';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPageBundles } from '../src/cli/page.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');

await rm(DIST, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

const pageDir = join(DIST, 'page');
await mkdir(pageDir, { recursive: true });
const page = await buildPageBundles({ srcDir: join(ROOT, 'src'), outdir: pageDir });
for (const [route, contents] of page) await writeFile(join(pageDir, route.slice(1)), contents);
process.stdout.write(`built dist/ (page: ${[...page.keys()].join(' ')})\n`);
