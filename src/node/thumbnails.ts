/**
 * Thumbnails of a folder of shaders (`isf thumbnails`, and `isf serve`'s gallery): one PNG per shader (and an
 * animated WebP when asked), an index.html contact sheet and a manifest that makes the next run incremental.
 *
 * Each shader goes through the isolated child exactly as `isf validate --compile` does (IsolatedRenderer.validate:
 * parse, compile and draw 8x8 under the untrusted limits and the time limit, a hang or a driver crash being that
 * file's error), then, when valid, IsolatedRenderer.renderFiles renders its thumbnail under the same limits (a
 * filter or a transition is fed the built-in test patterns, as `isf render` does; a transition is shown at
 * progress 0.5, or animating 0 → 1 in the WebP). Nothing here touches GL.
 *
 * Incremental: manifest.json records, per shader, a hash of its file (and its sibling .vs/.vert) and what came
 * of it; the renderer's version and the settings (size, time, animation) are recorded once. A shader whose hash,
 * renderer version and settings are unchanged and whose files are still there is not rendered again (a failure
 * is not retried either, except a timeout under a longer limit). IMPORTED images and #include files are not
 * hashed: touch the shader to re-render it after changing them.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, relative, resolve, sep } from 'node:path';
import { ISFError } from '../core/errors.ts';
import { DEFAULT_MAX_BYTES } from '../core/parse/index.ts';
import { readRegularFile, statOrUndefined } from './confine.ts';
import { writeFileAtomic } from './files.ts';
import { type GalleryEntry, type GalleryLinks, galleryHtml } from './gallery-page.ts';
import { loadSharp } from './images.ts';
import type { IsolatedRenderer } from './isolate/renderer.ts';

export const MANIFEST_FILE = 'manifest.json';
export const INDEX_FILE = 'index.html';
const MANIFEST_FORMAT = 1;

// package.json is two folders up from both src/node/thumbnails.ts and dist/node/thumbnails.js.
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};
/** Recorded in the manifest: thumbnails made by another version of the renderer are made again. */
export const RENDERER_VERSION = `isf-renderer@${version}`;

export interface ThumbnailSettings {
  width: number;
  height: number;
  /** TIME of the still thumbnail (seconds). */
  time: number;
  /** Also an animated WebP of `frames` frames at `fps` from TIME 0. */
  animated: boolean;
  frames: number;
  fps: number;
}

/** The default time limit per shader, as `isf validate --compile`'s. */
export const DEFAULT_THUMBNAIL_TIMEOUT_MS = 10_000;

export const DEFAULT_THUMBNAIL_SETTINGS: ThumbnailSettings = {
  width: 320,
  height: 180,
  time: 1,
  animated: false,
  frames: 24,
  fps: 12,
};

export interface ThumbnailError {
  code: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
}

/** A shader's line in the manifest: what the gallery shows of it, and what makes the next run incremental. */
export interface ThumbnailEntry extends GalleryEntry {
  /** sha256 of the file and its sibling vertex shader. */
  hash: string;
  ok: boolean;
  error?: ThumbnailError;
  /** The time limit a RENDER_TIMEOUT happened under (a longer limit tries again). */
  timeoutMs?: number;
}

interface Manifest {
  format: number;
  renderer: string;
  settings: ThumbnailSettings;
  entries: Record<string, ThumbnailEntry>;
}

export interface ThumbnailRun {
  /** The folder the shaders are in. */
  root: string;
  /** The shaders, relative to root with forward slashes (cli/files.ts listShaders). */
  files: string[];
  /** The thumbnails folder (PNG/WebP files, index.html, manifest.json). */
  out: string;
  /** The isolated renderer (untrusted limits and the time limit): the caller's, so it can be shared and closed. */
  renderer: IsolatedRenderer;
  timeoutMs: number;
  settings?: Partial<ThumbnailSettings>;
  /** The index.html title. */
  title?: string;
  /** Links in index.html (default: relative paths from the thumbnails folder to the shader and image files). */
  links?: GalleryLinks;
  signal?: AbortSignal;
  onShader?: (done: number, total: number, entry: ThumbnailEntry, rendered: boolean) => void;
}

export interface ThumbnailSummary {
  out: string;
  index: string;
  manifest: string;
  renderer: string;
  total: number;
  /** Shaders rendered (or found failing) in this run. */
  rendered: string[];
  /** Shaders whose thumbnails (or failure) from an earlier run stand. */
  unchanged: string[];
  failed: string[];
  entries: ThumbnailEntry[];
  /** Milliseconds each rendered shader took in this run (checking it and rendering its thumbnails). */
  durations: Record<string, number>;
  interrupted: boolean;
}

/** Errors of the machine or the run, not of one shader: they end the run. */
const NOT_THE_FILES_FAULT = new Set(['RESOURCE_DESTROYED', 'BAD_ARGUMENT', 'GL_UNAVAILABLE']);

function toPosix(p: string): string {
  return p.split(sep).join('/');
}

async function readManifest(path: string): Promise<Manifest | undefined> {
  try {
    const m = JSON.parse(await readFile(path, 'utf8')) as Manifest;
    if (m?.format !== MANIFEST_FORMAT || typeof m.entries !== 'object' || m.entries === null)
      return undefined;
    return m;
  } catch {
    return undefined; // none yet, or unreadable: everything is rendered
  }
}

/** sha256 of the shader and its sibling .vs/.vert (what the render reads besides IMPORTED/#include files). */
async function hashOf(abs: string): Promise<string> {
  const h = createHash('sha256');
  h.update(
    await readRegularFile(abs, { maxBytes: DEFAULT_MAX_BYTES, what: 'ISF file', code: 'ISF_FILE_NOT_FOUND' }),
  );
  const stem = abs.slice(0, abs.length - extname(abs).length);
  for (const ext of ['.vs', '.vert']) {
    if ((await statOrUndefined(stem + ext))?.isFile()) {
      h.update(`\u0000${ext}\u0000`);
      h.update(await readRegularFile(stem + ext, { maxBytes: DEFAULT_MAX_BYTES, what: 'vertex shader' }));
    }
  }
  return h.digest('hex');
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() === true;
}

/** A path of ours inside `out` (a manifest that was edited cannot make us delete anything else). */
function inside(out: string, rel: string): string | undefined {
  const abs = resolve(out, rel);
  return abs.startsWith(out + sep) ? abs : undefined;
}

function errorOf(
  e: ISFError | { code: string; message: string; file?: string; line?: number; column?: number },
): ThumbnailError {
  return {
    code: e.code,
    message: e.message,
    ...(e.file !== undefined ? { file: e.file } : {}),
    ...(e.line !== undefined ? { line: e.line } : {}),
    ...(e.column !== undefined ? { column: e.column } : {}),
  };
}

function defaultLinks(root: string, out: string): GalleryLinks {
  const url = (rel: string) => rel.split('/').map(encodeURIComponent).join('/');
  return {
    shaderHref: (entry) => url(toPosix(relative(out, join(root, entry.path)))),
    imageSrc: (file) => url(file),
  };
}

/** Renders what changed, writes index.html and manifest.json, and says what it did. */
export async function generateThumbnails(run: ThumbnailRun): Promise<ThumbnailSummary> {
  const root = resolve(run.root);
  const out = resolve(run.out);
  const settings: ThumbnailSettings = { ...DEFAULT_THUMBNAIL_SETTINGS, ...run.settings };
  const manifestPath = join(out, MANIFEST_FILE);
  const old = await readManifest(manifestPath);
  const sameSettings =
    old !== undefined &&
    old.renderer === RENDERER_VERSION &&
    JSON.stringify(old.settings) === JSON.stringify(settings);
  const entries: ThumbnailEntry[] = [];
  const rendered: string[] = [];
  const unchanged: string[] = [];
  const durations: Record<string, number> = Object.create(null);
  let interrupted = false;
  const scratch = settings.animated ? await mkdtemp(join(tmpdir(), 'isf-thumbnails-')) : undefined;
  try {
    for (const rel of run.files) {
      if (run.signal?.aborted) {
        interrupted = true;
        break;
      }
      const abs = join(root, rel);
      const name = rel.slice(rel.lastIndexOf('/') + 1).replace(/\.[^.]+$/, '');
      let hash = '';
      let entry: ThumbnailEntry;
      const t0 = performance.now();
      try {
        hash = await hashOf(abs);
        const previous = sameSettings ? old.entries[rel] : undefined;
        if (previous && previous.hash === hash && (await stillGood(previous, out, run.timeoutMs))) {
          entries.push(previous);
          unchanged.push(rel);
          run.onShader?.(entries.length, run.files.length, previous, false);
          continue;
        }
        entry = await thumbnailOf(run, abs, rel, name, hash, out, settings, scratch);
      } catch (e) {
        if (!(e instanceof ISFError) || NOT_THE_FILES_FAULT.has(e.code) || e.details.startup === true)
          throw e;
        if (e.details.interrupted === true) {
          interrupted = true;
          break;
        }
        entry = { path: rel, name, hash, ok: false, kind: null, error: errorOf(e) };
      }
      entries.push(entry);
      rendered.push(rel);
      durations[rel] = Math.round(performance.now() - t0);
      run.onShader?.(entries.length, run.files.length, entry, true);
    }
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
  // What an earlier run made for shaders that are gone (or renamed) is removed with them.
  const kept = new Set(entries.flatMap((e) => [e.thumbnail, e.animated]).filter((f) => f !== undefined));
  const listed = new Set(run.files);
  for (const [rel, e] of Object.entries(old?.entries ?? {})) {
    if (interrupted && listed.has(rel)) continue;
    for (const file of [e.thumbnail, e.animated]) {
      const abs = typeof file === 'string' && !kept.has(file) ? inside(out, file) : undefined;
      if (abs) await rm(abs, { force: true });
    }
  }
  const manifestEntries: Record<string, ThumbnailEntry> = Object.create(null);
  // An interrupted run keeps what it had for the shaders it did not reach.
  if (interrupted && sameSettings)
    for (const [rel, e] of Object.entries(old.entries)) if (listed.has(rel)) manifestEntries[rel] = e;
  for (const e of entries) manifestEntries[e.path] = e;
  const manifest: Manifest = {
    format: MANIFEST_FORMAT,
    renderer: RENDERER_VERSION,
    settings,
    entries: manifestEntries,
  };
  await writeFileAtomic(manifestPath, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
  const indexPath = join(out, INDEX_FILE);
  const html = galleryHtml(run.title ?? `Shaders in ${root}`, entries, run.links ?? defaultLinks(root, out));
  await writeFileAtomic(indexPath, Buffer.from(html));
  return {
    out,
    index: indexPath,
    manifest: manifestPath,
    renderer: RENDERER_VERSION,
    total: run.files.length,
    rendered,
    unchanged,
    failed: entries.filter((e) => !e.ok).map((e) => e.path),
    entries,
    durations,
    interrupted,
  };
}

/** An earlier result that still stands: its files are there, and a timeout is not retried under the same limit. */
async function stillGood(previous: ThumbnailEntry, out: string, timeoutMs: number): Promise<boolean> {
  if (previous.error?.code === 'RENDER_TIMEOUT' && (previous.timeoutMs ?? 0) < timeoutMs) return false;
  for (const file of [previous.thumbnail, previous.animated]) {
    if (file === undefined) continue;
    const abs = inside(out, file);
    if (!abs || !(await exists(abs))) return false;
  }
  return true;
}

async function thumbnailOf(
  run: ThumbnailRun,
  abs: string,
  rel: string,
  name: string,
  hash: string,
  out: string,
  settings: ThumbnailSettings,
  scratch: string | undefined,
): Promise<ThumbnailEntry> {
  const call = { timeoutMs: run.timeoutMs };
  // Exactly `isf validate --compile`'s check of the file, with the document's metadata for the gallery.
  const report = await run.renderer.validate(abs, { ...call, info: true });
  const base = { path: rel, name, hash, kind: report.kind, ...(report.info ? { info: report.info } : {}) };
  const first = report.errors[0];
  if (!report.ok) {
    const error = first ? errorOf(first) : { code: 'ISF_INVALID', message: 'invalid shader' };
    return {
      ...base,
      ok: false,
      error,
      ...(error.code === 'RENDER_TIMEOUT' ? { timeoutMs: run.timeoutMs } : {}),
    };
  }
  const set: Record<string, string> = report.kind === 'transition' ? { progress: '0.5' } : {};
  const common = { width: settings.width, height: settings.height, fps: settings.fps, workers: 1 };
  const thumbnail = `${rel}.png`;
  try {
    await run.renderer.renderFiles(
      abs,
      { ...common, output: join(out, thumbnail), start: settings.time, frames: 1, set },
      call,
    );
    let animated: string | undefined;
    if (settings.animated) {
      animated = `${rel}.webp`;
      const frames = join(scratch!, `${hash.slice(0, 16)}-%04d.png`);
      // A transition animates progress 0 → 1 over the frames (no --set progress), as `isf render` does.
      const result = await run.renderer.renderFiles(
        abs,
        { ...common, output: frames, start: 0, frames: settings.frames },
        call,
      );
      await writeFileAtomic(join(out, animated), await animatedWebp(result.files, settings));
      await Promise.all(result.files.map((f) => rm(f, { force: true })));
    }
    return {
      ...base,
      ok: true,
      thumbnail,
      ...(animated ? { animated } : {}),
      width: settings.width,
      height: settings.height,
    };
  } catch (e) {
    if (
      !(e instanceof ISFError) ||
      NOT_THE_FILES_FAULT.has(e.code) ||
      e.details.startup === true ||
      e.details.interrupted === true
    ) {
      throw e;
    }
    await rm(join(out, thumbnail), { force: true });
    return {
      ...base,
      ok: false,
      error: errorOf(e),
      ...(e.code === 'RENDER_TIMEOUT' ? { timeoutMs: run.timeoutMs } : {}),
    };
  }
}

/** An animated WebP (looping, lossless) from the frames' PNG files, through sharp's multi-page raw input. */
async function animatedWebp(files: string[], settings: ThumbnailSettings): Promise<Buffer> {
  const sharp = await loadSharp();
  const { width, height } = settings;
  const frame = width * height * 4;
  const raw = Buffer.alloc(frame * files.length);
  for (let i = 0; i < files.length; i++) {
    const pixels = await sharp(files[i]!).ensureAlpha().raw().toBuffer();
    pixels.copy(raw, i * frame, 0, frame);
  }
  return sharp(raw, { raw: { width, height: height * files.length, channels: 4, pageHeight: height } })
    .webp({ loop: 0, delay: files.map(() => Math.round(1000 / settings.fps)), lossless: true })
    .toBuffer();
}
