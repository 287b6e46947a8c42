/**
 * The published package, as a user gets it: `npm run build`, `npm pack`, and the tarball installed into a fresh
 * project that has neither tsx nor TypeScript. There, with plain node: the Node entry renders, `isf-renderer/core`
 * parses, the installed `isf` binary renders a PNG and serves its prebuilt page, RenderPool workers and the
 * IsolatedRenderer child start from dist/. Then two consumer TypeScript projects type-check against the installed
 * declarations (a Node one without DOM, a browser one with moduleResolution "bundler"), esbuild bundles
 * `isf-renderer/browser` and `isf-renderer/core` (and neither reaches Node modules), the browser bundle renders in
 * Chromium, and publint and attw find nothing wrong with the tarball.
 *
 * npm installs the tarball's dependencies from its cache (--prefer-offline), or from the registry when they are not
 * there.
 */
import assert from 'node:assert/strict';
import { type SpawnSyncOptions, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { build } from 'esbuild';
import sharp from 'sharp';
import { CHROMIUM_MISSING, launchChromium, preparePage } from '../browser/chromium.ts';
import { needs, REPO } from '../helpers.ts';

const WORK = mkdtempSync(join(tmpdir(), 'isf-package-'));
const APP = join(WORK, 'app');
const INSTALLED = join(APP, 'node_modules', 'isf-renderer');
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
// The consumer's processes get none of the test runner's loaders or options.
const ENV = Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'NODE_OPTIONS'));

/** A shader with one colour input, so a render shows the value reached the GPU. */
const SOLID = `/*{ "ISFVSN": "2", "INPUTS": [ { "NAME": "color", "TYPE": "color", "DEFAULT": [0, 0, 0, 1] } ] }*/
void main() { gl_FragColor = color; }
`;

function sh(cmd: string, args: string[], options: SpawnSyncOptions = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env: ENV, timeout: 300_000, ...options });
  assert.equal(
    r.status,
    0,
    `${cmd} ${args.join(' ')} exited ${r.status} ${r.signal ?? ''}\n${r.stdout}\n${r.stderr}`,
  );
  return String(r.stdout);
}

/** Runs a .mjs file written into the consumer project with plain node; returns its last stdout line as JSON. */
function nodeScript(name: string, code: string): Record<string, unknown> {
  writeFileSync(join(APP, name), code);
  const out = sh(process.execPath, [name], { cwd: APP });
  return JSON.parse(out.trim().split('\n').pop() ?? '') as Record<string, unknown>;
}

let packedFiles: string[] = [];
let tarball = '';

before(
  () => {
    sh('npm', ['run', 'build'], { cwd: REPO });
    const packed = JSON.parse(
      sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', WORK], { cwd: REPO }),
    ) as { filename: string; files: { path: string }[] }[];
    tarball = join(WORK, packed[0]!.filename);
    packedFiles = packed[0]!.files.map((f) => f.path);
    mkdirSync(APP);
    writeFileSync(
      join(APP, 'package.json'),
      JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module' }),
    );
    sh('npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund', '--no-package-lock'], {
      cwd: APP,
    });
    writeFileSync(join(APP, 'solid.fs'), SOLID);
  },
  { timeout: 900_000 },
);

after(() => rmSync(WORK, { recursive: true, force: true }));

describe('the packed tarball', () => {
  test('holds dist/ (with the worker, child and page files) and bin/, and no sources, tests or scripts', () => {
    for (const f of [
      'package.json',
      'bin/isf.js',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/index.js.map',
      'dist/core/index.js',
      'dist/browser/index.js',
      'dist/node/render-worker.js',
      'dist/node/isolate/child.js',
      'dist/page/app.js',
      'dist/page/isf.js',
    ]) {
      assert.ok(packedFiles.includes(f), `${f} is not in the tarball`);
    }
    const stray = packedFiles.filter(
      (f) =>
        !(f.startsWith('dist/') || f.startsWith('bin/') || /^(package\.json|README\.md|LICENSE)$/.test(f)) ||
        (f.endsWith('.ts') && !f.endsWith('.d.ts')),
    );
    assert.deepEqual(stray, []);
  });

  test('installs without tsx, TypeScript, esbuild or the optional BullMQ', () => {
    for (const name of ['tsx', 'typescript', 'esbuild', 'bullmq']) {
      assert.equal(existsSync(join(APP, 'node_modules', name)), false, `${name} was installed`);
    }
    assert.ok(existsSync(join(INSTALLED, 'dist', 'index.js')));
  });

  test('publint and attw (ESM-only profile) report no problems', () => {
    sh('npx', ['--no-install', 'publint', 'run', tarball, '--strict'], { cwd: REPO });
    sh('npx', ['--no-install', 'attw', tarball, '--profile', 'esm-only', '--format', 'table-flipped'], {
      cwd: REPO,
    });
  });
});

describe('the installed package under plain node', () => {
  test('the Node entry renders a shader with an input set; isf-renderer/core parses', () => {
    const r = nodeScript(
      'render.mjs',
      `import { createContext, Scene, nodePlatform, parseISF as fromMain } from 'isf-renderer';
import { parseISF } from 'isf-renderer/core';
import { readFileSync } from 'node:fs';
const source = readFileSync('solid.fs', 'utf8');
const doc = parseISF(source, { path: 'solid.fs' });
const context = createContext();
const scene = new Scene(context, { platform: nodePlatform });
await scene.useDoc(fromMain(source, { path: 'solid.fs' }));
scene.setValue('color', [1, 0.5, 0.25, 1]);
const frame = scene.render({ width: 4, height: 3 });
const png = await frame.toPNG();
scene.destroy();
context.destroy();
console.log(JSON.stringify({ inputs: doc.inputs.map((i) => i.name), pixel: [...frame.pixels.slice(0, 4)],
  size: [frame.width, frame.height], png: [...png.slice(1, 4)] }));
`,
    );
    assert.deepEqual(r.inputs, ['color']);
    assert.deepEqual(r.size, [4, 3]);
    const [red, green, blue, alpha] = r.pixel as number[];
    assert.deepEqual([red, alpha], [255, 255]);
    assert.ok(Math.abs(green! - 128) <= 1 && Math.abs(blue! - 64) <= 1, `pixel ${r.pixel}`);
    assert.deepEqual(r.png, [...Buffer.from('PNG')]);
  });

  test('a RenderPool with 2 workers and an IsolatedRenderer start from dist/', () => {
    const r = nodeScript(
      'workers.mjs',
      `import { RenderPool, IsolatedRenderer } from 'isf-renderer';
import { readFileSync } from 'node:fs';
const source = readFileSync('solid.fs', 'utf8');
const pool = new RenderPool({ workers: 2 });
const frames = await Promise.all([[0, 1, 0, 1], [0, 0, 1, 1], [1, 1, 0, 1]].map((color) =>
  pool.render({ source, width: 2, height: 2, values: { color } })));
const stats = pool.stats();
await pool.close();
const isolated = new IsolatedRenderer();
const one = await isolated.render({ source, width: 2, height: 2, values: { color: [1, 0, 1, 1] } });
await isolated.close();
console.log(JSON.stringify({ pool: frames.map((f) => [...f.pixels.slice(0, 4)]), workers: stats.workers,
  restarts: stats.restarts, isolated: [...one.pixels.slice(0, 4)] }));
`,
    );
    assert.deepEqual(r.pool, [
      [0, 255, 0, 255],
      [0, 0, 255, 255],
      [255, 255, 0, 255],
    ]);
    assert.equal(r.workers, 2);
    assert.equal(r.restarts, 0);
    assert.deepEqual(r.isolated, [255, 0, 255, 255]);
  });

  test('npx isf: --version, render to a PNG, and a clear error for the farm without bullmq', async () => {
    assert.equal(sh('npx', ['--no-install', 'isf', '--version'], { cwd: APP }).trim(), VERSION);
    sh(
      'npx',
      ['--no-install', 'isf', 'render', 'solid.fs', '-o', 'x.png', '--size', '6x4', '--set', 'color=#ff8000'],
      {
        cwd: APP,
      },
    );
    const { data, info } = await sharp(join(APP, 'x.png')).raw().toBuffer({ resolveWithObject: true });
    assert.deepEqual([info.width, info.height], [6, 4]);
    assert.deepEqual([...data.subarray(0, 3)], [255, 128, 0]);

    const farm = spawnSync(
      'npx',
      [
        '--no-install',
        'isf',
        'render',
        'solid.fs',
        '-o',
        'f.png',
        '--redis',
        'redis://127.0.0.1:1',
        '--json',
      ],
      { cwd: APP, encoding: 'utf8', env: ENV, timeout: 120_000 },
    );
    assert.equal(farm.status, 4, farm.stderr);
    const { error } = JSON.parse(farm.stdout) as { error: { code: string; message: string } };
    assert.equal(error.code, 'PACKAGE_MISSING');
    assert.match(error.message, /isf render --redis needs the package bullmq/);

    const worker = spawnSync('npx', ['--no-install', 'isf', 'worker', '--redis', 'redis://127.0.0.1:1'], {
      cwd: APP,
      encoding: 'utf8',
      env: ENV,
      timeout: 120_000,
    });
    assert.equal(worker.status, 4, worker.stderr);
    assert.match(worker.stderr, /isf worker needs the package bullmq/);
    assert.match(worker.stderr, /hint: npm install bullmq/);
  });

  test('isf serve hands out the page scripts built at pack time', async () => {
    const server = spawn(join(APP, 'node_modules', '.bin', 'isf'), ['serve', 'solid.fs', '--port', '0'], {
      cwd: APP,
      env: ENV,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const url = await new Promise<string>((done, fail) => {
        let out = '';
        server.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /at (http:\/\/\S+)/.exec(out);
          if (m) done(m[1]!.replace(/\/$/, ''));
        });
        server.once('exit', (code) => fail(new Error(`isf serve exited ${code}: ${out}`)));
      });
      for (const route of ['/app.js', '/isf.js']) {
        const res = await fetch(`${url}${route}`);
        assert.equal(res.status, 200, route);
        assert.match(res.headers.get('content-type') ?? '', /javascript/);
        const body = await res.text();
        assert.equal(body, readFileSync(join(INSTALLED, 'dist', 'page', route.slice(1)), 'utf8'));
      }
      const shader = (await (await fetch(`${url}/shader?path=solid.fs`)).json()) as { source: string };
      assert.equal(shader.source, SOLID);
    } finally {
      server.kill('SIGTERM');
    }
  });
});

describe('consumer TypeScript projects', () => {
  const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');

  function typeCheck(name: string, compilerOptions: Record<string, unknown>, code: string): void {
    const dir = join(APP, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'main.ts'), code);
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          skipLibCheck: false,
          target: 'ES2022',
          exactOptionalPropertyTypes: true,
          ...compilerOptions,
        },
        files: ['main.ts'],
      }),
    );
    sh(process.execPath, [tsc, '-p', dir], { cwd: dir });
  }

  test('a strict Node project (lib ES2022, no DOM, nodenext) type-checks against the package and its core', () => {
    typeCheck(
      'ts-node-project',
      {
        lib: ['ES2022'],
        module: 'nodenext',
        moduleResolution: 'nodenext',
        types: ['node'],
        typeRoots: [join(REPO, 'node_modules', '@types')],
      },
      `import { createContext, IsolatedRenderer, type ISFDocument, nodePlatform, RenderPool, Scene } from 'isf-renderer';
import { ISFError, parseISF, validateISF } from 'isf-renderer/core';

const doc: ISFDocument = parseISF('/*{}*/ void main() { gl_FragColor = vec4(1.0); }', { path: 'a.fs' });
const report = validateISF('/*{}*/');
const ok: boolean = report.ok;
const context = createContext();
const scene = new Scene(context, { platform: nodePlatform });
await scene.useDoc(doc);
const frame = scene.render({ width: 8, height: 8, time: 1 });
const pixels: Uint8Array = frame.pixels;
const png: Uint8Array = await frame.toPNG();
// @ts-expect-error a width is a number: the declarations are real types, not any
scene.render({ width: '8', height: 8 });
const pool = new RenderPool({ workers: 2 });
await pool.render({ source: 'x', width: 2, height: 2 });
await new IsolatedRenderer().close();
const e = new ISFError('BAD_ARGUMENT', 'x');
export const used = [ok, pixels, png, e.code, pool];
`,
    );
  });

  test('a browser project (DOM, moduleResolution bundler) type-checks against isf-renderer/browser', () => {
    typeCheck(
      'ts-browser-project',
      { lib: ['ES2022', 'DOM'], module: 'esnext', moduleResolution: 'bundler', types: [] },
      `import { browserPlatform, createBrowserContext, parseISF, renderToCanvas, Scene } from 'isf-renderer/browser';

const canvas = document.createElement('canvas');
const context = createBrowserContext(canvas);
const scene = new Scene(context, { platform: browserPlatform() });
await scene.useDoc(parseISF('/*{}*/ void main() { gl_FragColor = vec4(1.0); }'));
const shown = renderToCanvas(scene, { width: 8, height: 8 });
const width: number = shown.width;
const pixels: Uint8Array = scene.render({ width: 8, height: 8 }).pixels;
// @ts-expect-error a canvas, not a string
createBrowserContext('canvas');
export const used = [width, pixels];
`,
    );
  });
});

describe('bundling the installed package', () => {
  /** Bundles `code` from the consumer project; returns the output and every input file, relative to the app. */
  async function bundle(
    code: string,
    platform: 'browser' | 'neutral',
  ): Promise<{ js: string; inputs: string[] }> {
    const entry = join(APP, `entry-${platform}.js`);
    writeFileSync(entry, code);
    const result = await build({
      entryPoints: [entry],
      bundle: true,
      format: 'esm',
      platform,
      target: 'es2022',
      write: false,
      metafile: true,
      logLevel: 'silent',
      absWorkingDir: APP,
    });
    return {
      js: result.outputFiles[0]!.text,
      inputs: Object.keys(result.metafile.inputs).map((p) =>
        relative(APP, join(APP, p)).split(sep).join('/'),
      ),
    };
  }

  test('isf-renderer/core bundles for any runtime from dist/core alone', async () => {
    const { inputs } = await bundle(
      `import { parseISF } from 'isf-renderer/core';\nexport const doc = parseISF('/*{}*/ void main() {}');\n`,
      'neutral',
    );
    const outside = inputs.filter(
      (p) => p !== 'entry-neutral.js' && !p.startsWith('node_modules/isf-renderer/dist/core/'),
    );
    assert.deepEqual(outside, []);
  });

  test(
    'an esbuild app of isf-renderer/browser reaches no Node module and renders in Chromium',
    needs(CHROMIUM_MISSING),
    async () => {
      const { js, inputs } = await bundle(
        `import { browserPlatform, createBrowserContext, parseISF, Scene } from 'isf-renderer/browser';
const canvas = document.createElement('canvas');
document.body.append(canvas);
const context = createBrowserContext(canvas);
const scene = new Scene(context, { platform: browserPlatform() });
await scene.useDoc(parseISF(${JSON.stringify(SOLID)}));
scene.setValue('color', [0.25, 0.5, 1, 1]);
const frame = scene.render({ width: 4, height: 4 });
globalThis.result = { pixel: [...frame.pixels.slice(0, 4)], size: [frame.width, frame.height] };
`,
        'browser',
      );
      const allowed = /^node_modules\/isf-renderer\/dist\/(core|gl|render|browser)\//;
      assert.deepEqual(
        inputs.filter((p) => p !== 'entry-browser.js' && !allowed.test(p)),
        [],
      );
      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        const errors = await preparePage(page);
        await page.setContent('<!doctype html><html><body></body></html>');
        await page.addScriptTag({ type: 'module', content: js });
        await page.waitForFunction(() => 'result' in globalThis, undefined, { timeout: 60_000 });
        const result = (await page.evaluate(() => (globalThis as { result?: unknown }).result)) as {
          pixel: number[];
          size: number[];
        };
        assert.deepEqual(errors, []);
        assert.deepEqual(result.size, [4, 4]);
        const [r, g, b, a] = result.pixel;
        assert.ok(
          Math.abs(r! - 64) <= 1 && Math.abs(g! - 128) <= 1 && b === 255 && a === 255,
          `${result.pixel}`,
        );
      } finally {
        await browser.close();
      }
    },
  );
});
