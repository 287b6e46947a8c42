/**
 * Shared test helpers: where ../shared is, one GL context per test file, images made in code, the one way to
 * skip a test whose tool is missing (skip, or fail under ISF_TEST_STRICT=1), timings relative to a baseline, and
 * the process checks of "no child left behind" tests.
 */

import assert from 'node:assert/strict';
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ISFDocument } from '../src/core/document.ts';
import { ISFError } from '../src/core/errors.ts';
import { createContext } from '../src/node/context.ts';
import { loadISF } from '../src/node/load.ts';
import { nodePlatform } from '../src/node/platform.ts';
import type { GLContext } from '../src/render/context.ts';
import type { RawImage } from '../src/render/images.ts';
import { Scene } from '../src/render/scene.ts';

export const REPO = fileURLToPath(new URL('..', import.meta.url));

/** The `isf` command of this checkout (runs the sources through tsx, or dist/ once built). */
export const ISF_BIN = join(REPO, 'bin', 'isf.js');

export interface IsfResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs `isf ...args` in `cwd` as a user would, in a child process; status -1 when it was killed. */
export function runIsf(cwd: string, args: string[]): IsfResult {
  const r = spawnSync(process.execPath, [ISF_BIN, ...args], { encoding: 'utf8', cwd, timeout: 120_000 });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
/**
 * `ffprobe -show_entries stream=<entries>` of the first video stream of `file` as `csv=p=0`, with the frames
 * counted by decoding them (nb_read_frames: what a player gets); the caller asserts on the result.
 */
export function probeVideo(file: string, entries = 'nb_read_frames'): SpawnSyncReturns<string> {
  return spawnSync(
    'ffprobe',
    [
      '-v',
      'error',
      '-count_frames',
      '-select_streams',
      'v:0',
      '-show_entries',
      `stream=${entries}`,
      '-of',
      'csv=p=0',
      file,
    ],
    { encoding: 'utf8' },
  );
}

export const SHARED = join(REPO, '..', 'shared');
export const TESTS_DIR = join(SHARED, 'corpus', 'isf-tests');
export const FILES_DIR = join(SHARED, 'corpus', 'isf-files');

/**
 * The standard-collection shaders written for desktop GL's implicit int → float / uint conversions (`float x = 1;`,
 * `uint c = 0;`, `vec2 / uvec2`): they compile as GLSL ES 3.00 only because src/core/glsl/conversions.ts writes the
 * conversions out. One list for the GLSL corpus test (Node) and the browser test (WebGL2).
 */
export const DESKTOP_GL_SHADERS = [
  'Bordered Box.fs',
  'Doom Screen Transition.fs',
  'Hexagonalize.fs',
  'Highlighter Overlay.fs',
  'Mosaic.fs',
  'Random Characters.fs',
  'Tiny Date Time Overlay.fs',
];

export function testShader(name: string): string {
  return join(TESTS_DIR, `${name}.fs`);
}

let shared: GLContext | undefined;
/** One context per test file (process): created on first use. */
export function context(): GLContext {
  shared ??= createContext().initialize();
  return shared;
}

export async function sceneFor(
  path: string,
  ctx: GLContext = context(),
): Promise<{ scene: Scene; doc: ISFDocument }> {
  const doc = await loadISF(path);
  const scene = new Scene(ctx, { platform: nodePlatform });
  await scene.useDoc(doc);
  return { scene, doc };
}

/** A w x h image where every pixel is `rgba` (0..255). */
export function solid(width: number, height: number, rgba: [number, number, number, number]): RawImage {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < data.length; i += 4) data.set(rgba, i);
  return { width, height, data };
}

/** A w x h image with distinct pixels: r = x ramp, g = y ramp (top row first), b = (x*7+y*13)&255, a = 255. */
export function ramp(width: number, height: number): RawImage {
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = Math.round((x / Math.max(1, width - 1)) * 255);
      data[i + 1] = Math.round((y / Math.max(1, height - 1)) * 255);
      data[i + 2] = (x * 7 + y * 13) & 255;
      data[i + 3] = 255;
    }
  }
  return { width, height, data };
}

export function pixelOf(
  img: { width: number; data?: ArrayLike<number>; pixels?: ArrayLike<number> },
  x: number,
  y: number,
): number[] {
  const d = (img.pixels ?? img.data)!;
  const i = (y * img.width + x) * 4;
  return [d[i]!, d[i + 1]!, d[i + 2]!, d[i + 3]!];
}

export function assertISFError(e: unknown, code: string, message?: RegExp): true {
  if (!(e instanceof ISFError))
    throw new Error(`expected ISFError ${code}, got ${e instanceof Error ? e.stack : e}`);
  if (e.code !== code) throw new Error(`expected code ${code}, got ${e.code}: ${e.message}`);
  if (message && !message.test(e.message))
    throw new Error(`message "${e.message}" does not match ${message}`);
  return true;
}

/**
 * Awaits `p` (or calls it and awaits what it returns): it must fail with an ISFError of `code` whose message
 * matches `message` when given. Returns the error for further checks.
 */
export async function expectISFError(
  p: Promise<unknown> | (() => unknown),
  code: string,
  message?: RegExp,
): Promise<ISFError> {
  let error: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    error = e;
  }
  assert.ok(
    error instanceof ISFError,
    `expected ${code}, got ${error instanceof Error ? error.stack : error}`,
  );
  assert.equal(error.code, code, error.message);
  if (message) assert.match(error.message, message);
  return error;
}

/** Mean absolute difference per channel value between two RGBA buffers of equal size. */
export function meanDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return 255;
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i]! - b[i]!);
  return s / a.length;
}

// --- missing tools: skip, or fail under ISF_TEST_STRICT=1 -----------------------------------------------------

/** ISF_TEST_STRICT=1 (set by .ci/run): a missing tool fails the test instead of skipping it. */
export const STRICT = process.env.ISF_TEST_STRICT === '1';

function strictMessage(missing: string): string {
  return `${missing}; ISF_TEST_STRICT=1 makes a missing tool a failure (install it: scripts/setup-debian.sh --dev)`;
}

/**
 * For a suite or test that needs an external tool (Chromium, ffmpeg, glslang, Redis, the shared corpus, an EGL
 * feature): pass the reason it cannot run, or false when it can, and spread the result into node:test's options,
 * `describe('...', needs(reason), ...)`. A missing tool skips it; under ISF_TEST_STRICT=1 the suite is still
 * skipped (it cannot run) but a failing test naming the missing tool is added, so CI never passes without it.
 */
export function needs(missing: string | false): { skip: string | false } {
  if (missing && STRICT) {
    test(`required tool: ${missing}`, () => {
      assert.fail(strictMessage(missing));
    });
  }
  return { skip: missing };
}

const toolChecks = new Map<string, boolean>();

/**
 * needs() for a command-line tool: `{ skip: needsTool('ffmpeg') }` or `needs(...)`-style, false when
 * `<tool> -version` runs, else the reason (a failure under ISF_TEST_STRICT=1, as needs() does).
 */
export function needsTool(tool: string): string | false {
  let ok = toolChecks.get(tool);
  if (ok === undefined) {
    ok = spawnSync(tool, ['-version'], { stdio: 'ignore' }).status === 0;
    toolChecks.set(tool, ok);
  }
  return needs(!ok && `${tool} is not installed (scripts/setup-debian.sh installs it)`).skip;
}

/**
 * Inside a running test, when it finds its tool missing: skips it, or fails it under ISF_TEST_STRICT=1.
 * Use as `return skipOrFail(t, reason)`.
 */
export function skipOrFail(t: TestContext, missing: string): void {
  if (STRICT) assert.fail(strictMessage(missing));
  t.skip(missing);
}

// --- timings: relative to a baseline measured in the same run, never absolute ---------------------------------

/** The fastest of three runs of `fn`, in ms: a GC pause or a busy core slows one run, not all three. */
export function bestOf(fn: () => unknown): number {
  let best = Number.POSITIVE_INFINITY;
  for (let k = 0; k < 3; k++) {
    const t = performance.now();
    fn();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

/** bestOf() for async work. */
export async function bestOfAsync(fn: () => Promise<unknown>): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let k = 0; k < 3; k++) {
    const t = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

/** Rounds of each side in assertFasterThan(): alternated, so that a busy spell of the machine slows both sides. */
const COMPARE_ROUNDS = 5;

/**
 * Asserts `fn` costs less than `factor` times `baseline`, each the best of five runs alternated with the other's
 * (fn, baseline, fn, baseline...) in this run: a loaded machine slows both alike, so there is no absolute figure to
 * miss. (Absolute figures belong in `npm run bench`.)
 */
export function assertFasterThan(
  fn: () => unknown,
  baseline: () => unknown,
  factor: number,
  what: string,
): void {
  fn(); // warm both up: the first call pays for compilation and lazy loading
  baseline();
  let ms = Number.POSITIVE_INFINITY;
  let base = Number.POSITIVE_INFINITY;
  for (let k = 0; k < COMPARE_ROUNDS; k++) {
    ms = Math.min(ms, timed(fn));
    base = Math.min(base, timed(baseline));
  }
  assert.ok(
    ms < factor * base,
    `${what}: ${ms.toFixed(2)} ms, more than ${factor} x the baseline's ${base.toFixed(2)} ms measured in this run`,
  );
}

function timed(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

async function timedAsync(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** assertFasterThan() for async work. */
export async function assertFasterThanAsync(
  fn: () => Promise<unknown>,
  baseline: () => Promise<unknown>,
  factor: number,
  what: string,
): Promise<void> {
  await fn();
  await baseline();
  let ms = Number.POSITIVE_INFINITY;
  let base = Number.POSITIVE_INFINITY;
  for (let k = 0; k < COMPARE_ROUNDS; k++) {
    ms = Math.min(ms, await timedAsync(fn));
    base = Math.min(base, await timedAsync(baseline));
  }
  assert.ok(
    ms < factor * base,
    `${what}: ${ms.toFixed(2)} ms, more than ${factor} x the baseline's ${base.toFixed(2)} ms measured in this run`,
  );
}

// --- processes (Linux /proc): "no child left behind" checks ---------------------------------------------------

/** Every process now running (from /proc) as pid -> [parent pid, process group]. */
function processTable(): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // After "pid (comm) ": state, ppid, pgrp, ... (comm may hold spaces and parentheses: cut at the last ")").
      const [, ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      out.set(Number(entry), [Number(ppid), Number(pgrp)]);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * The processes descending from `pid` (children, their children...) plus every process in the group `pid`
 * leads (a child whose parent died is re-parented, but keeps its group): what must be gone once `pid` has exited.
 */
export function processTreeOf(pid: number): number[] {
  const table = processTable();
  const found = new Set<number>();
  for (const [p, [, pgrp]] of table) if (pgrp === pid && p !== pid) found.add(p);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [p, [ppid]] of table) {
      if ((ppid === pid || found.has(ppid)) && !found.has(p)) {
        found.add(p);
        grew = true;
      }
    }
  }
  return [...found];
}

/** Whether a process with this id still runs: exited (a zombie not yet reaped by its new parent included) is not. */
export function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return false;
  }
}

/**
 * True while a process with this pid exists (signal 0 only checks): unlike processAlive(), a zombie not yet
 * reaped counts, which is what a check of a child this process itself reaps wants.
 */
export function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids whose parent is `pid`; synchronous, so that a timer can sample them while the parent runs. */
export function childrenOf(pid: number): number[] {
  return [...processTable()].filter(([, [ppid]]) => ppid === pid).map(([p]) => p);
}

/**
 * Pids of every live descendant of `pid` (children, their children...), without processTreeOf()'s group members
 * whose parent has died: "no child left" checks of a pool or a CLI run that is still running.
 */
export async function descendants(pid: number): Promise<number[]> {
  const table = processTable();
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const [child, [parent]] of table) {
      if (parent === p) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}
