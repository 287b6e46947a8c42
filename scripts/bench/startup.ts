/**
 * Bench 6: start-up of the built package (dist/, what `npm install isf-renderer` runs), as ratios against a bare
 * `node -e 0` timed in the same run, interleaved so that load drifts hit every variant alike:
 * - `isf --version` and `isf validate <trivial.fs>`: node dist/cli/main.js, which is what the installed bin
 *   imports (bin/isf.js adds one existsSync; in a checkout it runs the sources, timed too, as "from sources");
 * - an IsolatedRenderer child, fork to context ready (its stats().startupMs), built vs from the sources (tsx).
 * Needs dist/ (`npm run build`, which `npm ci` runs).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { log, median, round } from './stats.ts';

export interface StartupResult {
  runs: number;
  node_ms: number;
  version_ms: number;
  validate_ms: number;
  version_from_sources_ms: number;
  /** `isf --version` / `node -e 0` (target <= 1.5). */
  startup_ratio_version: number;
  /** `isf validate one.fs` / `node -e 0` (target <= 2.5). */
  startup_ratio_validate: number;
  isolated_child_ready_ms: number;
  isolated_child_ready_from_sources_ms: number;
}

function timeRun(args: string[]): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  return ms;
}

/** Fork-to-ready of one IsolatedRenderer child started from `entry` (dist/index.js or src/index.ts). */
function childReady(dir: string, entry: string, viaTsx: boolean, shader: string): number {
  const script = join(dir, `ready-${viaTsx ? 'src' : 'dist'}.mjs`);
  writeFileSync(
    script,
    `import { IsolatedRenderer } from ${JSON.stringify(pathToFileURL(entry).href)};
const r = new IsolatedRenderer();
await r.render({ path: ${JSON.stringify(shader)}, width: 1, height: 1 });
const { startupMs } = r.stats();
await r.close();
console.log(startupMs);
`,
  );
  const out = spawnSync(process.execPath, [...(viaTsx ? ['--import', 'tsx'] : []), script], {
    encoding: 'utf8',
  });
  if (out.status !== 0) throw new Error(`${script} exited ${out.status}: ${out.stderr}`);
  return Number(out.stdout.trim().split('\n').pop());
}

export function benchStartup(root: string, shader: string, options: { quick: boolean }): StartupResult {
  const main = join(root, 'dist', 'cli', 'main.js');
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build`);
  const runs = options.quick ? 5 : 15;
  const times: Record<'node' | 'version' | 'validate' | 'sources', number[]> = {
    node: [],
    version: [],
    validate: [],
    sources: [],
  };
  timeRun([main, '--version']); // warm the file cache
  for (let i = 0; i < runs; i++) {
    times.node.push(timeRun(['-e', '0']));
    times.version.push(timeRun([main, '--version']));
    times.validate.push(timeRun([main, 'validate', shader]));
    if (i < Math.ceil(runs / 3)) times.sources.push(timeRun([join(root, 'bin', 'isf.js'), '--version']));
  }
  const dir = mkdtempSync(join(tmpdir(), 'isf-bench-startup-'));
  const ready: number[] = [];
  const readySources: number[] = [];
  try {
    for (let i = 0; i < (options.quick ? 2 : 5); i++) {
      ready.push(childReady(dir, join(root, 'dist', 'index.js'), false, shader));
      readySources.push(childReady(dir, join(root, 'src', 'index.ts'), true, shader));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const node = median(times.node);
  const version = median(times.version);
  const validate = median(times.validate);
  const result: StartupResult = {
    runs,
    node_ms: round(node, 1),
    version_ms: round(version, 1),
    validate_ms: round(validate, 1),
    version_from_sources_ms: round(median(times.sources), 1),
    startup_ratio_version: round(version / node, 2),
    startup_ratio_validate: round(validate / node, 2),
    isolated_child_ready_ms: round(median(ready), 1),
    isolated_child_ready_from_sources_ms: round(median(readySources), 1),
  };
  log(
    `start-up: node ${result.node_ms} ms, --version x${result.startup_ratio_version}, validate x${result.startup_ratio_validate}, child ready ${result.isolated_child_ready_ms} ms`,
  );
  return result;
}
