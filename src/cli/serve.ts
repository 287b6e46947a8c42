/**
 * `isf serve <shader.fs | folder> [--port P] [--host H]`: a local HTTP server for the live preview page.
 *
 * The page (src/browser/app) parses, compiles and renders in the browser with the same core and renderer as
 * Node, so errors carry the user's own line numbers. The server only hands out files and news:
 *   GET /                 the page            GET /app.js, /isf.js   its scripts (page.ts: prebuilt, or bundled at start)
 *   GET /api/shaders      the shader list     GET /shader?path=P     { path, source, vertexPath?, vertexSource? }
 *   GET /file?path=P      any served file (TIFF and other images browsers cannot decode are sent as PNG)
 *   GET /events           Server-Sent Events: { type: 'change', path } and { type: 'list' } when files change
 * Paths are relative to the served folder; anything that resolves outside it (.., absolute, symlinks) is refused.
 */
import { createReadStream } from 'node:fs';
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Command } from 'commander';
import { ISFError } from '../core/errors.ts';
import { run } from './output.ts';
import { pageBundles } from './page.ts';

export interface ServeOptions {
  /** A .fs file (served with its folder, listed alone) or a folder (every .fs/.frag below it). */
  path: string;
  /** Port (default 8080; 0 picks a free one). */
  port?: number;
  /** Interface to listen on (default 127.0.0.1: the page reads your files, so keep it local). */
  host?: string;
  /** Progress lines (default: none). */
  log?: (line: string) => void;
}

export interface ServeHandle {
  url: string;
  root: string;
  close(): Promise<void>;
}

export interface ShaderEntry {
  /** Path relative to the served folder, with forward slashes. */
  path: string;
  name: string;
}

const SHADER_EXTENSIONS = new Set(['.fs', '.frag']);
const VERTEX_EXTENSIONS = ['.vs', '.vert'];
const MAX_DEPTH = 16;

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
};
/** Images browsers cannot decode; sharp turns them into PNG. */
const CONVERTED_IMAGES = new Set(['.tif', '.tiff', '.heic', '.heif', '.jp2']);

function toPosix(p: string): string {
  return p.split(sep).join('/');
}

function ignoredName(name: string): boolean {
  return name.startsWith('.') || name === 'node_modules';
}

/** Every .fs/.frag below root, relative, sorted (dot folders and node_modules skipped). */
export async function listShaders(root: string): Promise<ShaderEntry[]> {
  const out: ShaderEntry[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      if (ignoredName(e.name)) continue;
      const full = join(dir, e.name);
      if (e.isDirectory()) {
        if (depth < MAX_DEPTH) await walk(full, depth + 1);
      } else if (SHADER_EXTENSIONS.has(extname(e.name).toLowerCase())) {
        out.push({ path: toPosix(relative(root, full)), name: basename(e.name, extname(e.name)) });
      }
    }
  };
  await walk(root, 0);
  return out;
}

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

/** Resolves a page-supplied relative path inside root (symlinks included); throws 403/404 otherwise. */
async function safePath(root: string, rel: string | null): Promise<string> {
  if (!rel || rel.includes('\0')) throw new HttpError(400, 'missing ?path=');
  if (isAbsolute(rel) || /^[A-Za-z]:/.test(rel))
    throw new HttpError(403, `absolute paths are refused: ${rel}`);
  const inside = (p: string): boolean => p === root || p.startsWith(root + sep);
  const abs = resolve(root, rel);
  if (!inside(abs)) throw new HttpError(403, `${rel} is outside the served folder`);
  let real: string;
  try {
    real = await realpath(abs);
  } catch {
    throw new HttpError(404, `${rel} does not exist`);
  }
  if (!inside(real)) throw new HttpError(403, `${rel} leads outside the served folder`);
  return real;
}

async function readVertex(
  fsPath: string,
  root: string,
): Promise<{ vertexPath: string; vertexSource: string } | undefined> {
  const stem = fsPath.slice(0, fsPath.length - extname(fsPath).length);
  for (const ext of VERTEX_EXTENSIONS) {
    try {
      const vertexSource = await readFile(stem + ext, 'utf8');
      return { vertexPath: toPosix(relative(root, stem + ext)), vertexSource };
    } catch {
      // no vertex shader with this extension
    }
  }
  return undefined;
}

function send(res: ServerResponse, status: number, type: string, body: string | Uint8Array): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
}

function sendJSON(res: ServerResponse, body: unknown, status = 200): void {
  send(res, status, 'application/json; charset=utf-8', JSON.stringify(body));
}

/** Starts the server; resolves once it listens. */
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
  const root = await realpath(st.isDirectory() ? target : dirname(target));
  const single = st.isDirectory() ? undefined : toPosix(relative(root, await realpath(target)));
  const log = options.log ?? (() => {});
  const bundles = await pageBundles();

  const clients = new Set<ServerResponse>();
  const broadcast = (event: Record<string, unknown>): void => {
    const line = `data: ${JSON.stringify(event)}\n\n`;
    for (const c of clients) c.write(line);
  };

  const shaders = async (): Promise<ShaderEntry[]> =>
    single ? [{ path: single, name: basename(single, extname(single)) }] : listShaders(root);

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
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
        send(res, 200, 'text/html; charset=utf-8', PAGE);
        return;
      case '/favicon.ico':
        res.writeHead(204).end();
        return;
      case '/api/shaders':
        sendJSON(res, { root: basename(root), single: single ?? null, shaders: await shaders() });
        return;
      case '/shader': {
        const abs = await safePath(root, url.searchParams.get('path'));
        if (!SHADER_EXTENSIONS.has(extname(abs).toLowerCase()))
          throw new HttpError(403, 'only .fs/.frag files');
        const source = await readFile(abs, 'utf8');
        sendJSON(res, { path: toPosix(relative(root, abs)), source, ...(await readVertex(abs, root)) });
        return;
      }
      case '/file':
        await sendFile(res, await safePath(root, url.searchParams.get('path')));
        return;
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

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      const status = e instanceof HttpError ? e.status : 500;
      if (!res.headersSent) send(res, status, 'text/plain; charset=utf-8', (e as Error).message);
      else res.end();
    });
  });
  // SSE keeps connections open; don't let them hold close() up.
  server.keepAliveTimeout = 5000;

  const { watch } = await import('chokidar');
  const watcher = watch(root, {
    ignoreInitial: true,
    depth: MAX_DEPTH,
    ignored: (p: string) => {
      const rel = relative(root, p);
      return rel !== '' && rel.split(sep).some(ignoredName);
    },
    // Editors write in several steps; announce a file once it stopped changing.
    awaitWriteFinish: { stabilityThreshold: 60, pollInterval: 20 },
  });
  watcher.on('all', (event, p) => {
    const rel = toPosix(relative(root, p));
    if (event === 'change' || event === 'add') broadcast({ type: 'change', path: rel });
    if (event === 'add' || event === 'unlink' || event === 'addDir' || event === 'unlinkDir') {
      broadcast({ type: 'list' });
    }
  });
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
      await watcher.close();
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
    },
  };
}

async function sendFile(res: ServerResponse, abs: string): Promise<void> {
  const ext = extname(abs).toLowerCase();
  if (!(await stat(abs)).isFile()) throw new HttpError(404, `${basename(abs)} is not a file`);
  if (CONVERTED_IMAGES.has(ext)) {
    const { default: sharp } = await import('sharp');
    send(res, 200, 'image/png', await sharp(abs).png().toBuffer());
    return;
  }
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[ext] ?? 'application/octet-stream',
    'cache-control': 'no-store',
  });
  createReadStream(abs).pipe(res);
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description(
      'live preview in the browser: controls for every input, reload on save, errors with line numbers',
    )
    .argument('<path>', 'a .fs file, or a folder of shaders to switch between')
    .option('-p, --port <port>', 'port to listen on (0: any free port)', '8080')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .action(async (path: string, opts: { port: string; host: string }) => {
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
          log: (l) => process.stdout.write(`${l}\n`),
        });
        process.stdout.write('Press Ctrl-C to stop.\n');
        await new Promise<void>((done) => {
          const stop = (): void => {
            void server.close().then(done);
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        });
      });
    });
}

/** The name the lead asked for. */
export const serveCommand = registerServe;
