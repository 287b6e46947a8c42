/**
 * `isf serve <shader.fs | folder> [--port P] [--host H]`: a local HTTP server for the live preview page.
 *
 * The page (src/browser/app) parses, compiles and renders in the browser with the same core and renderer as
 * Node, so errors carry the user's own line numbers. The server only hands out files and news:
 *   GET /                 the page            GET /app.js, /isf.js   its scripts (page.ts: prebuilt, or bundled at start)
 *   GET /api/shaders      the shader list     GET /shader?path=P     { path, source, vertexPath?, vertexSource? }
 *   GET /file?path=P      any served file (TIFF and other images browsers cannot decode are sent as PNG)
 *   GET /events           Server-Sent Events: { type: 'change', path } and { type: 'list' } when files change
 *   GET /api/preload      { images: [{ name, label }] }: the image inputs the page starts on (`--image name=path`)
 *   GET /preload?name=N   that image's bytes (the operator's own file, from wherever it is; nothing else by path)
 *   GET /                 serving a folder: the gallery (node/thumbnails.ts: a thumbnail per shader, made on the
 *                         first visit and again for what changed, each linking to /?shader=P, the live page)
 *   GET /thumbnail?path=T a gallery thumbnail, from the thumbnails folder (outside the served one) through the
 *                         same check as every other file
 * Every file goes through one check (servedFile): a relative path without dot-entries, inside the served folder once
 * symlinks are resolved (confinePath), a regular file (opened without blocking, so a FIFO cannot hold a thread)
 * within the size limit, read with a time limit. Serving one .fs serves that file and the files it names (.vs,
 * IMPORTED, #include), nothing else. Requests whose Host (or Origin) is not this server's own address or
 * localhost are refused, against DNS rebinding. Threat model: docs/browser.md.
 *
 * The page fetches `#include` files through /file (so through that one check) and converts Shadertoy / GLSL
 * Sandbox sources itself (core's converter); the server only lists such sources and hands them out as shaders.
 */
import { createHash } from 'node:crypto';
import { mkdir, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type AddressInfo, isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { detectSourceKind } from '../core/convert/index.ts';
import { ISFError } from '../core/errors.ts';
import { DEFAULT_MAX_BYTES, parseISF } from '../core/parse/index.ts';
import { confinePath, ioReason, openRegularFile, readRegularFile } from '../node/confine.ts';
import { type GalleryLinks, galleryHtml } from '../node/gallery-page.ts';
import { checkImageHeader, MAX_DECODE_SIDE } from '../node/images.ts';
import { IsolatedRenderer } from '../node/isolate/renderer.ts';
import {
  DEFAULT_THUMBNAIL_TIMEOUT_MS,
  generateThumbnails,
  type ThumbnailSummary,
} from '../node/thumbnails.ts';
import { EXIT } from './exit-codes.ts';
import {
  CONVERTED_EXTENSIONS,
  ignoredName,
  listShaders,
  MAX_DEPTH,
  type ShaderEntry,
  toPosix,
} from './files.ts';
import { run } from './output.ts';
import { pageBundles } from './page.ts';
import { collect, pairs } from './render.ts';

export { listShaders, type ShaderEntry };

export interface ServeOptions {
  /**
   * A .fs file (served with its folder, listed alone) or a folder (every .fs/.frag below it, and the Shadertoy /
   * GLSL Sandbox sources among its .glsl/.json/.txt files).
   */
  path: string;
  /** Port (default 8080; 0 picks a free one). */
  port?: number;
  /** Interface to listen on (default 127.0.0.1: the page reads your files, so keep it local). */
  host?: string;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
  /** Largest file handed out (default 64 MiB); larger ones are refused with 413 before reading. */
  maxFileBytes?: number;
  /** A read that takes longer than this fails with 504 (default 10 s): a hung network mount cannot wedge it. */
  readTimeoutMs?: number;
  /**
   * Where the gallery's thumbnails are kept (default: a folder per served root under the system's temp folder,
   * so a restart renders only what changed). Must be outside the served folder.
   */
  thumbnails?: string;
  /** Time limit per shader of a gallery thumbnail (default 10 s, as `isf thumbnails`). */
  thumbnailTimeoutMs?: number;
  /**
   * Image files the page's image inputs start on, by input name (`isf serve x.fs --image inputImage=photo.jpg`),
   * in place of the test pattern; the page's pickers still change them. They are the operator's own files, so they
   * may lie outside the served folder; the server hands out exactly these, by name (GET /preload?name=N).
   */
  images?: Record<string, string>;
}

export interface ServeHandle {
  url: string;
  root: string;
  close(): Promise<void>;
}

const SHADER_EXTENSIONS = new Set(['.fs', '.frag']);
/** Shadertoy / GLSL Sandbox sources are detected on at most this much text. */
const MAX_DETECT_BYTES = 4 * 1024 * 1024;
const VERTEX_EXTENSIONS = ['.vs', '.vert'];
const DEFAULT_MAX_FILE_BYTES = 64 * 1024 * 1024;
const DEFAULT_READ_TIMEOUT_MS = 10_000;
/** `#include "file"` lines name files too (resolved relative to the file that includes them). */
const INCLUDE = /^[ \t]*#[ \t]*include[ \t]+"([^"\n]+)"/gm;

const CONTENT_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.bmp': 'image/bmp',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.ogg': 'audio/ogg',
  '.fs': 'text/plain; charset=utf-8',
  '.frag': 'text/plain; charset=utf-8',
  '.vs': 'text/plain; charset=utf-8',
  '.vert': 'text/plain; charset=utf-8',
  '.json': 'application/json',
  '.glsl': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};
/** Images browsers cannot decode; sharp turns them into PNG. */
const CONVERTED_IMAGES = new Set(['.tif', '.tiff', '.heic', '.heif', '.jp2']);

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>isf serve</title>
<link rel="icon" href="data:,">
</head>
<body>
<script type="module" src="/app.js"></script>
</body>
</html>
`;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The HTTP status for an error of the shared file checks. */
function statusOf(e: ISFError): number {
  if (e.code === 'LIMIT_EXCEEDED') return 413;
  if (e.code === 'ISF_IMPORTED_PATH') return 403;
  if (/no data after/.test(e.message)) return 504;
  if (/no such file|not a directory/.test(e.message)) return 404;
  return 403;
}

function httpError(e: unknown): unknown {
  return e instanceof ISFError ? new HttpError(statusOf(e), e.message) : e;
}

/**
 * The one check for every file the server reads: `rel` (as the page sent it) must be relative, without dot-entries
 * (`.git`, `.env`, `..`), and lead to a path inside root once symlinks are resolved, whose own path below root has
 * no dot-entries either (a link `x.png -> .env` is refused). Returns the real path; regular-file, size and time
 * checks happen when it is opened (openServed / readServed).
 */
async function servedPath(root: string, rel: string | null): Promise<string> {
  if (!rel || rel.includes('\0')) throw new HttpError(400, 'missing ?path=');
  if (rel.startsWith('/') || rel.includes('\\') || /^[A-Za-z]:/.test(rel)) {
    throw new HttpError(403, `absolute paths are refused: ${rel}`);
  }
  if (rel.split('/').some((part) => part.startsWith('.'))) {
    throw new HttpError(403, `${rel}: paths with dot-entries (., .., .git, .env...) are not served`);
  }
  const abs = resolve(root, rel);
  let confined: Awaited<ReturnType<typeof confinePath>>;
  try {
    confined = await confinePath(abs, { folder: root }, { label: 'request', written: rel });
  } catch {
    throw new HttpError(403, `${rel} leads outside the served folder`);
  }
  if (confined === undefined) throw new HttpError(404, `${rel} does not exist`);
  if (toPosix(relative(root, confined.real)).split('/').some(ignoredName)) {
    throw new HttpError(403, `${rel} leads to a hidden file`);
  }
  return confined.real;
}

function send(res: ServerResponse, status: number, type: string, body: string | Uint8Array): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

function sendJSON(res: ServerResponse, body: unknown, status = 200): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

/** Host names a request may carry: localhost, the bound address, any IP literal when bound to all interfaces. */
export function hostAllowed(header: string | undefined, bound: string, boundName: string): boolean {
  if (!header) return false;
  let hostname: string;
  try {
    hostname = new URL(`http://${header}`).hostname.toLowerCase();
  } catch {
    return false;
  }
  const bare = hostname.replace(/^\[|\]$/g, '');
  if (bare === 'localhost' || bare === '127.0.0.1' || bare === '::1') return true;
  if (bare === bound.toLowerCase() || bare === boundName.toLowerCase()) return true;
  // Bound to every interface: any address of this machine works, but never a DNS name (that is how rebinding
  // reaches a local server).
  return (bound === '0.0.0.0' || bound === '::') && isIP(bare) !== 0;
}

/** Starts the server; resolves once it listens. */
/**
 * Checks the --image files before serving: each must be a regular file the page can show (a browser image, or
 * one the server converts to PNG). Returns input name -> real path.
 */
async function preloadedImages(images: Record<string, string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [name, path] of Object.entries(images)) {
    const flag = `--image ${name}=${path}`;
    const ext = extname(path).toLowerCase();
    if (!CONTENT_TYPES[ext]?.startsWith('image/') && !CONVERTED_IMAGES.has(ext)) {
      throw new ISFError(
        'BAD_ARGUMENT',
        `${flag}: the page shows still images only, not ${ext || 'a file without an extension'}`,
        {
          suggestion:
            'give a .png, .jpg, .webp, .gif, .bmp, .avif or .tif file (isf render takes videos as image inputs)',
        },
      );
    }
    let real: string;
    try {
      real = await realpath(path);
    } catch {
      throw new ISFError('ISF_FILE_NOT_FOUND', `${flag}: no such file`);
    }
    const st = await stat(real);
    if (!st.isFile()) throw new ISFError('BAD_ARGUMENT', `${flag}: it is not a regular file`);
    out.set(name, real);
  }
  return out;
}

export async function serve(options: ServeOptions): Promise<ServeHandle> {
  const target = resolve(options.path);
  let st: Awaited<ReturnType<typeof stat>>;
  try {
    st = await stat(target);
  } catch {
    throw new ISFError('ISF_FILE_NOT_FOUND', `Cannot serve ${options.path}: no such file or folder`, {
      suggestion: 'give a .fs file or a folder of them',
    });
  }
  if (!st.isDirectory() && !st.isFile()) {
    throw new ISFError('BAD_ARGUMENT', `Cannot serve ${options.path}: it is not a file or a folder`);
  }
  const root = await realpath(st.isDirectory() ? target : dirname(target));
  const single = st.isDirectory() ? undefined : toPosix(relative(root, await realpath(target)));
  const log = options.log ?? (() => {});
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const timeoutMs = options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS;
  const preloads = await preloadedImages(options.images ?? {});
  const bundles = await pageBundles();

  const clients = new Set<ServerResponse>();
  const broadcast = (event: Record<string, unknown>): void => {
    const line = `data: ${JSON.stringify(event)}\n\n`;
    for (const c of clients) c.write(line);
  };

  /** Reads a served file as text (regular, within the limit, with the time limit). */
  const readServed = async (real: string, maxBytes = maxFileBytes): Promise<string> => {
    try {
      const what = 'served file';
      return new TextDecoder().decode(await readRegularFile(real, { maxBytes, what, timeoutMs }));
    } catch (e) {
      throw httpError(e);
    }
  };

  /** A convertible file that holds a Shadertoy or GLSL Sandbox source (read through the one check). */
  const isSource = async (rel: string): Promise<boolean> => {
    try {
      const kind = detectSourceKind(await readServed(await servedPath(root, rel), MAX_DETECT_BYTES));
      return kind !== 'unknown' && kind !== 'isf';
    } catch {
      return false; // unreadable, too large, or outside: not listed (and not served either)
    }
  };

  const shaders = async (): Promise<ShaderEntry[]> =>
    single ? [{ path: single, name: basename(single, extname(single)) }] : listShaders(root, isSource);

  const vertexOf = async (
    fsReal: string,
  ): Promise<{ vertexPath: string; vertexSource: string } | undefined> => {
    const stem = fsReal.slice(0, fsReal.length - extname(fsReal).length);
    for (const ext of VERTEX_EXTENSIONS) {
      const rel = toPosix(relative(root, stem + ext));
      let real: string;
      try {
        real = await servedPath(root, rel);
      } catch (e) {
        if (e instanceof HttpError && e.status === 404) continue; // no vertex shader with this extension
        throw e; // a .vs linked outside the folder is refused, not silently skipped
      }
      return { vertexPath: rel, vertexSource: await readServed(real, DEFAULT_MAX_BYTES) };
    }
    return undefined;
  };

  /**
   * Serving one shader: the files it names (its .vs/.vert, IMPORTED, #include, recursively), worked out from the
   * files as they are now, relative to root. A shader that does not parse names nothing but its vertex shader.
   */
  const namedBySingle = async (): Promise<Set<string>> => {
    const named = new Set<string>([single!]);
    const stem = single!.slice(0, single!.length - extname(single!).length);
    for (const ext of VERTEX_EXTENSIONS) named.add(stem + ext);
    const queue: string[] = [single!];
    while (queue.length > 0 && named.size < 256) {
      const rel = queue.shift()!;
      let text: string;
      try {
        text = await readServed(await servedPath(root, rel), DEFAULT_MAX_BYTES);
      } catch {
        continue;
      }
      const base = dirname(rel);
      const add = (written: string): void => {
        const p = toPosix(relative(root, resolve(root, base, written)));
        if (!named.has(p)) {
          named.add(p);
          if (/\.(glsl|fs|frag|vs|vert|inc|h)$/i.test(p)) queue.push(p);
        }
      };
      for (const m of text.matchAll(INCLUDE)) add(m[1]!);
      if (rel === single) {
        try {
          const doc = parseISF(text, { path: rel });
          for (const imp of doc.imported) for (const path of imp.cube?.paths ?? [imp.path]) add(path);
        } catch {
          // a broken shader names no images; the page shows its error
        }
      }
    }
    return named;
  };

  /** The real path of a requested file, after the one check and (serving one shader) the list it names. */
  const requested = async (rel: string | null): Promise<string> => {
    const real = await servedPath(root, rel);
    if (single !== undefined && !(await namedBySingle()).has(toPosix(relative(root, real)))) {
      throw new HttpError(
        403,
        `${rel} is not named by ${single}; serving one shader serves only its own files`,
      );
    }
    return real;
  };

  const sendFile = async (res: ServerResponse, real: string): Promise<void> => {
    const ext = extname(real).toLowerCase();
    let opened: Awaited<ReturnType<typeof openRegularFile>>;
    try {
      opened = await openRegularFile(real, { maxBytes: maxFileBytes, what: 'served file' });
    } catch (e) {
      throw httpError(e);
    }
    const { handle } = opened;
    if (CONVERTED_IMAGES.has(ext)) {
      let bytes: Buffer;
      try {
        bytes = await handle.readFile();
      } finally {
        await handle.close();
      }
      try {
        // Width and height from the header before libvips decodes anything.
        await checkImageHeader(bytes, basename(real), real, MAX_DECODE_SIDE);
        const { default: sharp } = await import('sharp');
        send(res, 200, 'image/png', await sharp(bytes).png().toBuffer());
      } catch (e) {
        throw e instanceof ISFError ? new HttpError(e.code === 'LIMIT_EXCEEDED' ? 413 : 415, e.message) : e;
      }
      return;
    }
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
      'content-length': String(opened.stat.size),
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    // Streamed from the handle that passed the checks, never reopened by name; a client that stops reading
    // holds no more than the socket's buffer.
    const stream = handle.createReadStream({ end: Math.max(0, opened.stat.size - 1) });
    const timer = setTimeout(() => stream.destroy(new Error('read timed out')), timeoutMs * 6);
    stream.on('close', () => clearTimeout(timer));
    stream.on('error', () => res.destroy());
    res.on('close', () => stream.destroy());
    if (opened.stat.size === 0) {
      stream.destroy();
      res.end();
      return;
    }
    stream.pipe(res);
  };

  let boundHost = options.host ?? '127.0.0.1';
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // DNS rebinding: a page on another site whose name now points here still sends its own name as Host.
    const name = options.host ?? '127.0.0.1';
    if (!hostAllowed(req.headers.host, boundHost, name)) {
      throw new HttpError(
        421,
        `Host "${req.headers.host ?? ''}" is not this server; use ${name} or localhost`,
      );
    }
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== 'null') {
      let originHost: string | undefined;
      try {
        originHost = new URL(origin).host;
      } catch {
        originHost = undefined;
      }
      if (!hostAllowed(originHost, boundHost, name)) {
        throw new HttpError(403, `requests from ${origin} are refused`);
      }
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'GET' && req.method !== 'HEAD')
      throw new HttpError(405, `${req.method} is not supported`);
    const route = url.pathname;
    const bundle = bundles.get(route);
    if (bundle) {
      send(res, 200, route.endsWith('.map') ? 'application/json' : 'text/javascript; charset=utf-8', bundle);
      return;
    }
    switch (route) {
      case '/':
      case '/index.html':
        // A folder starts on its gallery; ?shader=P (where the gallery links) is the live page of P.
        if (single === undefined && !url.searchParams.has('shader')) {
          send(res, 200, 'text/html; charset=utf-8', await gallery.page());
          return;
        }
        send(res, 200, 'text/html; charset=utf-8', PAGE);
        return;
      case '/thumbnail': {
        if (single !== undefined) throw new HttpError(404, 'serving one shader has no gallery');
        const rel = url.searchParams.get('path');
        if (!rel || !/\.(png|webp)$/i.test(rel)) throw new HttpError(403, 'only thumbnail images');
        await sendFile(res, await servedPath(await gallery.folder(), rel));
        return;
      }
      case '/favicon.ico':
        res.writeHead(204).end();
        return;
      case '/api/shaders':
        sendJSON(res, { root: basename(root), single: single ?? null, shaders: await shaders() });
        return;
      case '/shader': {
        const abs = await requested(url.searchParams.get('path'));
        const ext = extname(abs).toLowerCase();
        if (!SHADER_EXTENSIONS.has(ext) && !CONVERTED_EXTENSIONS.has(ext)) {
          throw new HttpError(
            403,
            `only shaders: ${[...SHADER_EXTENSIONS, ...CONVERTED_EXTENSIONS].join(' ')}`,
          );
        }
        const source = await readServed(abs, DEFAULT_MAX_BYTES);
        sendJSON(res, { path: toPosix(relative(root, abs)), source, ...(await vertexOf(abs)) });
        return;
      }
      case '/file':
        await sendFile(res, await requested(url.searchParams.get('path')));
        return;
      case '/api/preload':
        sendJSON(res, { images: [...preloads].map(([name, real]) => ({ name, label: basename(real) })) });
        return;
      case '/preload': {
        const real = preloads.get(url.searchParams.get('name') ?? '');
        if (real === undefined)
          throw new HttpError(404, 'no image was given for that input (--image name=path)');
        await sendFile(res, real);
        return;
      }
      case '/events':
        res.writeHead(200, {
          'content-type': 'text/event-stream',
          'cache-control': 'no-store',
          connection: 'keep-alive',
        });
        res.write(': connected\n\n');
        clients.add(res);
        req.on('close', () => clients.delete(res));
        return;
      default:
        throw new HttpError(404, `${route} not found`);
    }
  };

  const gallery = new Gallery(root, options, shaders);

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      if (!res.headersSent) send(res, status, 'text/plain; charset=utf-8', (e as Error).message);
      else res.destroy();
    });
  });
  // SSE keeps connections open; don't let them hold close() up. A client that sends its request slowly is cut.
  server.keepAliveTimeout = 5000;
  server.headersTimeout = 20_000;
  server.requestTimeout = 30_000;

  const { watch } = await import('chokidar');
  const watcher = watch(root, {
    ignoreInitial: true,
    depth: MAX_DEPTH,
    // A link to /proc or to a huge tree elsewhere is not watched (nor served).
    followSymlinks: false,
    ignored: (p: string) => {
      const rel = relative(root, p);
      return rel !== '' && rel.split(sep).some(ignoredName);
    },
    // Editors write in several steps; announce a file once it stopped changing.
    awaitWriteFinish: { stabilityThreshold: 60, pollInterval: 20 },
  });
  watcher.on('all', (event, p) => {
    const rel = toPosix(relative(root, p));
    gallery.stale();
    if (event === 'change' || event === 'add') broadcast({ type: 'change', path: rel });
    if (event === 'add' || event === 'unlink' || event === 'addDir' || event === 'unlinkDir') {
      broadcast({ type: 'list' });
    }
  });
  // An unreadable folder or a vanished link: said, and the server keeps serving (and watching the rest).
  watcher.on('error', (e: unknown) => log(`isf serve: watcher: ${(e as Error).message ?? String(e)}`));
  const heartbeat = setInterval(() => {
    for (const c of clients) c.write(': ping\n\n');
  }, 15000);
  heartbeat.unref();
  await new Promise<void>((resolveReady) => watcher.once('ready', () => resolveReady()));

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      void watcher.close();
      reject(
        new ISFError(
          'IO_ERROR',
          `Cannot listen on ${options.host ?? '127.0.0.1'}:${options.port ?? 8080}: ${e.message}`,
          {
            suggestion:
              e.code === 'EADDRINUSE' ? 'pick another --port (or --port 0 for any free one)' : undefined,
            cause: e,
          },
        ),
      );
    });
    server.listen(options.port ?? 8080, options.host ?? '127.0.0.1', () => resolveListen());
  });
  const address = server.address() as AddressInfo;
  boundHost = address.address;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}/`;
  log(`Serving ${single ? join(root, single) : `${root}${sep}`} at ${url}`);

  return {
    url,
    root,
    async close(): Promise<void> {
      clearInterval(heartbeat);
      for (const c of clients) c.end();
      clients.clear();
      const closed = new Promise<void>((r) => server.close(() => r()));
      // Open keep-alive and event-stream connections would hold close() up: cut them now.
      server.closeAllConnections();
      await Promise.all([closed, watcher.close(), gallery.close()]);
    },
  };
}

/**
 * The gallery of a served folder: thumbnails made by generateThumbnails (as `isf thumbnails` makes them, each
 * shader isolated and time-limited) into a folder outside the served tree, on the first visit and again after
 * files changed (incremental: only changed shaders are rendered). One generation at a time; visitors meanwhile
 * wait for it.
 */
class Gallery {
  private renderer: IsolatedRenderer | undefined;
  private running: Promise<ThumbnailSummary> | undefined;
  private last: ThumbnailSummary | undefined;
  private dirty = true;
  private real: string | undefined;
  private closed = false;

  constructor(
    private readonly root: string,
    private readonly options: ServeOptions,
    /** The served shaders (the list the page shows). */
    private readonly list: () => Promise<ShaderEntry[]>,
  ) {}

  /** The thumbnails folder (created), checked to be outside the served one. */
  async folder(): Promise<string> {
    if (this.real) return this.real;
    const wanted = resolve(
      this.options.thumbnails ??
        join(
          tmpdir(),
          'isf-serve-thumbnails',
          createHash('sha256').update(this.root).digest('hex').slice(0, 16),
        ),
    );
    try {
      await mkdir(wanted, { recursive: true });
    } catch (e) {
      throw new ISFError('IO_ERROR', `Cannot create the thumbnails folder ${wanted}: ${ioReason(e)}`, {
        cause: e,
      });
    }
    const real = await realpath(wanted);
    if (real === this.root || real.startsWith(this.root + sep)) {
      throw new HttpError(
        500,
        `the thumbnails folder ${real} is inside the served folder; choose one outside it`,
      );
    }
    this.real = real;
    return real;
  }

  stale(): void {
    this.dirty = true;
  }

  async page(): Promise<string> {
    const summary = await this.summary();
    return galleryHtml(`isf serve: ${basename(this.root)}`, summary.entries, LINKS);
  }

  private async summary(): Promise<ThumbnailSummary> {
    if (this.running) return this.running;
    if (this.last && !this.dirty) return this.last;
    this.dirty = false;
    this.running = (async () => {
      const out = await this.folder();
      if (this.closed) throw new HttpError(503, 'the server is stopping');
      this.renderer ??= new IsolatedRenderer({ timeoutMs: this.timeoutMs });
      const files = (await this.list()).map((s) => s.path);
      return generateThumbnails({
        root: this.root,
        files,
        out,
        renderer: this.renderer,
        timeoutMs: this.timeoutMs,
        links: LINKS,
        title: `isf serve: ${basename(this.root)}`,
      });
    })();
    try {
      this.last = await this.running;
      return this.last;
    } catch (e) {
      this.dirty = true;
      throw e;
    } finally {
      this.running = undefined;
    }
  }

  private get timeoutMs(): number {
    return this.options.thumbnailTimeoutMs ?? DEFAULT_THUMBNAIL_TIMEOUT_MS;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.renderer?.close();
  }
}

/** The gallery's links: each card to the shader's live page, each image through /thumbnail. */
const LINKS: GalleryLinks = {
  shaderHref: (entry) => `/?shader=${encodeURIComponent(entry.path)}`,
  imageSrc: (file) => `/thumbnail?path=${encodeURIComponent(file)}`,
};

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'live preview in the browser: controls for every input, reload on save, errors with line numbers',
    )
    .argument(
      '<path>',
      'a .fs file (or a Shadertoy / GLSL Sandbox .glsl/.json), or a folder of shaders to switch between',
    )
    .option('-p, --port <port>', 'port to listen on (0: any free port)', '8080')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option(
      '--thumbnails <folder>',
      "where the gallery's thumbnails are kept, outside the served folder (default: a folder under the temp folder)",
    )
    .option(
      '--image <name=path>',
      'start an image input on this file instead of the test pattern (repeatable)',
      collect,
      [],
    )
    .action(
      async (path: string, opts: { port: string; host: string; thumbnails?: string; image: string[] }) => {
        await run(false, async () => {
          const port = Number(opts.port);
          if (!Number.isInteger(port) || port < 0 || port > 65535) {
            throw new ISFError(
              'BAD_ARGUMENT',
              `Expected a port number 0-65535 for --port but received "${opts.port}"`,
            );
          }
          const server = await serve({
            path,
            port,
            host: opts.host,
            images: pairs('--image', opts.image),
            ...(opts.thumbnails !== undefined ? { thumbnails: opts.thumbnails } : {}),
            log: (l) => process.stdout.write(`${l}\n`),
          });
          process.stdout.write('Press Ctrl-C to stop.\n');
          return new Promise<number>((done) => {
            let stopping = false;
            const stop = (): void => {
              // A second Ctrl-C, or a close that does not finish within 3 s, ends the process regardless.
              if (stopping) process.exit(EXIT.INTERRUPTED);
              stopping = true;
              setTimeout(() => process.exit(EXIT.INTERRUPTED), 3000).unref();
              void server.close().then(() => done(EXIT.OK));
            };
            process.on('SIGINT', stop);
            process.on('SIGTERM', stop);
          });
        });
      },
    );
}

/** The name the lead asked for. */
export const serveCommand = registerServe;
