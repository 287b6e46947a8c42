/**
 * Bench 2: against the official JavaScript renderer, npm `interactive-shader-format` (ISF-JS), in headless
 * Chromium (Debian chromium + playwright-core, SwiftShader WebGL as in the browser tests).
 *
 * - In page: both renderers in the same page, each on its own canvas, each drawing and reading the pixels back
 *   with readPixels into a reused buffer: ours is the browser build (Scene.render({ pixels }) + .pixels, WebGL2),
 *   theirs ISFRenderer.draw(canvas) + gl.readPixels (WebGL1, antialias off: it draws into the canvas itself).
 * - End to end into Node: ours is Scene.render().pixels in Node (EGL); theirs is draw + readPixels in the page
 *   and the RGBA bytes POSTed (fetch, Blob body) to a node:http server in this process, one frame at a time: a
 *   frame counts when Node holds its bytes. (A Blob body was the fastest of the ways tried: a typed-array body,
 *   page.evaluate returning the bytes, or base64 through CDP all took 5 to 20 times longer per 1080p frame.)
 *
 * ISF-JS is a browserify bundle with no global export; the page gets it with its require() kept
 * (`window.__isfRequire = <bundle>`), then takes the entry module's exports (Renderer).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import type { ISFDocument } from '../../src/core/index.ts';
import type { GLContext } from '../../src/render/context.ts';
import { Scene } from '../../src/render/scene.ts';
import { CHROMIUM_MISSING, launchChromium, preparePage } from '../../test/browser/chromium.ts';
import { framesFor, log, median, round } from './stats.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface BrowserShaderResult {
  shader: string;
  width: number;
  height: number;
  frames: number;
  in_page: { ours_ms: number; theirs_ms: number; ours_fps: number; theirs_fps: number; ratio: number };
  /** Ours with lifecycle checks off (gl.getError() is a synchronous round trip to Chromium's GPU process). */
  in_page_ours_no_checks_ms: number;
  /**
   * Preview, no frame readback on either side: ours renderToCanvas (the last pass drawn into the canvas), theirs
   * renderer.draw(canvas); each frame ends with a 1-pixel readPixels, the only call that waits for the GPU process
   * (gl.finish() returns at once in Chromium), so the frame's work is counted. ratio = ours fps / theirs;
   * `frames` per side (its blocks are sized separately from the read-back variants').
   */
  preview: {
    frames: number;
    ours_ms: number;
    theirs_ms: number;
    ratio: number;
    /**
     * The ceiling: the same generated program drawn by bare WebGL2 (uniforms, one drawArrays, the 1-pixel read;
     * no renderer, no clear), and theirs / that. No renderer that draws the shader once per frame beats it.
     */
    bare_ms: number;
    bare_ratio: number;
  };
  end_to_end: { ours_ms: number; theirs_ms: number; ours_fps: number; theirs_fps: number; ratio: number };
  /** Both renderers produced a non-empty opaque image (a sanity check, not a pixel comparison). */
  sane: boolean;
}

export interface BrowserResult {
  chromium: string;
  webgl_renderer: string;
  isf_js_version: string;
  transfer: string;
  shaders: BrowserShaderResult[];
}

export interface BrowserShader {
  name: string;
  source: string;
  doc: ISFDocument;
  width: number;
  height: number;
}

async function pageBundles(): Promise<{ ours: string; theirs: string; version: string }> {
  const esbuild = await import('esbuild');
  const built = await esbuild.build({
    entryPoints: [join(ROOT, 'src/browser/index.ts')],
    bundle: true,
    format: 'iife',
    globalName: 'ISFR',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  const require = createRequire(join(ROOT, 'package.json'));
  const pkgPath = require.resolve('interactive-shader-format/package.json');
  const bundle = readFileSync(join(dirname(pkgPath), 'build', 'build.js'), 'utf8');
  const entry = /\{\},\[(\d+)\]\);?\s*$/.exec(bundle);
  if (!entry) throw new Error('interactive-shader-format/build/build.js: browserify entry module not found');
  const version = (JSON.parse(readFileSync(pkgPath, 'utf8')) as { version: string }).version;
  return {
    ours: built.outputFiles[0]!.text,
    theirs: `window.__isfRequire = ${bundle.trimEnd().replace(/;$/, '')};\nwindow.__isfEntry = ${entry[1]};\n`,
    version,
  };
}

interface FrameSink {
  frames: number;
  bytes: number;
  last: Buffer | undefined;
}

function startServer(bundles: { ours: string; theirs: string }, sink: FrameSink): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/frame') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const frame = Buffer.concat(chunks);
        sink.frames += 1;
        sink.bytes += frame.length;
        sink.last = frame;
        res.end('ok');
      });
      return;
    }
    const js = req.url === '/ours.js' ? bundles.ours : req.url === '/theirs.js' ? bundles.theirs : undefined;
    res.setHeader('content-type', js ? 'text/javascript' : 'text/html');
    res.end(js ?? '<!doctype html><html><head><link rel="icon" href="data:,"></head><body></body></html>');
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Creates both renderers for one shader and size in the page (replacing the previous ones). */
async function setupPage(page: Page, shader: BrowserShader): Promise<void> {
  await page.evaluate(
    ({ source, width, height }) => {
      // biome-ignore lint/suspicious/noExplicitAny: page globals set by the bundles and by this harness
      const g = globalThis as any;
      g.bench?.destroy();
      const canvas = (): HTMLCanvasElement => {
        const c = document.createElement('canvas');
        c.width = width;
        c.height = height;
        return c;
      };
      const doc = g.ISFR.parseISF(source);
      const ours = (checkErrors: boolean) => {
        const context = g.ISFR.createBrowserContext(canvas(), { checkErrors });
        const scene = new g.ISFR.Scene(context).useDocSync(doc);
        const reused = new Uint8Array(width * height * 4);
        const ourGl = context.use('bench') as WebGL2RenderingContext;
        const onePixel = new Uint8Array(4);
        return {
          frame: (k: number) => scene.render({ width, height, time: k / 30, pixels: reused }).pixels,
          preview: (k: number) => {
            g.ISFR.renderToCanvas(scene, { width, height, time: k / 30 });
            ourGl.readPixels(0, 0, 1, 1, ourGl.RGBA, ourGl.UNSIGNED_BYTE, onePixel); // waits for the frame
          },
          destroy: () => {
            scene.destroy();
            context.destroy();
          },
        };
      };
      // The ceiling for any renderer: the same generated program drawn by bare WebGL2 calls (its uniforms set
      // once, then per frame TIME, one drawArrays and the 1-pixel read), no renderer at all.
      const bare = () => {
        const c = canvas();
        const bgl = c.getContext('webgl2', g.ISFR.WEBGL_ATTRIBUTES) as WebGL2RenderingContext;
        const shaders = g.ISFR.generateShaders(doc, { dialect: 'es300' });
        const program = bgl.createProgram()!;
        for (const [type, text] of [
          [bgl.VERTEX_SHADER, shaders.vertex],
          [bgl.FRAGMENT_SHADER, shaders.fragment],
        ] as const) {
          const sh = bgl.createShader(type)!;
          bgl.shaderSource(sh, text);
          bgl.compileShader(sh);
          bgl.attachShader(program, sh);
        }
        bgl.linkProgram(program);
        if (!bgl.getProgramParameter(program, bgl.LINK_STATUS)) {
          throw new Error(`bare WebGL: ${bgl.getProgramInfoLog(program)}`);
        }
        bgl.useProgram(program);
        bgl.bindBuffer(bgl.ARRAY_BUFFER, bgl.createBuffer());
        bgl.bufferData(bgl.ARRAY_BUFFER, new Float32Array([-1, -1, 1, -1, -1, 1, 1, 1]), bgl.STATIC_DRAW);
        bgl.enableVertexAttribArray(0);
        bgl.vertexAttribPointer(0, 2, bgl.FLOAT, false, 0, 0);
        bgl.viewport(0, 0, width, height);
        bgl.uniform2f(bgl.getUniformLocation(program, 'RENDERSIZE'), width, height);
        for (const input of doc.inputs as { name: string; type: string; default?: unknown }[]) {
          if (input.type === 'float' && typeof input.default === 'number') {
            bgl.uniform1f(bgl.getUniformLocation(program, input.name), input.default);
          }
        }
        const time = bgl.getUniformLocation(program, 'TIME');
        const onePixel = new Uint8Array(4);
        return {
          preview: (k: number) => {
            bgl.uniform1f(time, k / 30);
            bgl.drawArrays(bgl.TRIANGLE_STRIP, 0, 4);
            bgl.readPixels(0, 0, 1, 1, bgl.RGBA, bgl.UNSIGNED_BYTE, onePixel);
          },
          destroy: () => bgl.getExtension('WEBGL_lose_context')?.loseContext(),
        };
      };
      const bareGl = bare();
      const withChecks = ours(true);
      const noChecks = ours(false);
      const theirCanvas = canvas();
      const gl = theirCanvas.getContext('webgl', { antialias: false }) as WebGLRenderingContext;
      const { Renderer } = g.__isfRequire(g.__isfEntry);
      const renderer = new Renderer(gl);
      renderer.loadSource(source);
      if (!renderer.valid) throw new Error(`interactive-shader-format: ${String(renderer.error)}`);
      const theirPixels = new Uint8Array(width * height * 4);
      const theirs = (): Uint8Array => {
        renderer.draw(theirCanvas);
        gl.readPixels(0, 0, width, height, gl.RGBA, gl.UNSIGNED_BYTE, theirPixels);
        return theirPixels;
      };
      g.bench = {
        ours: withChecks.frame,
        ours_no_checks: noChecks.frame,
        ours_preview: noChecks.preview,
        bare_preview: bareGl.preview,
        theirs_preview: () => {
          renderer.draw(theirCanvas);
          gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, theirPixels.subarray(0, 4));
        },
        theirs,
        destroy: () => {
          withChecks.destroy();
          noChecks.destroy();
          bareGl.destroy();
          gl.getExtension('WEBGL_lose_context')?.loseContext();
        },
      };
    },
    { source: shader.source, width: shader.width, height: shader.height },
  );
}

/** Per-frame ms of one in-page renderer, measured in the page. */
function inPage(page: Page, which: string, frames: number, k0: number): Promise<number[]> {
  return page.evaluate(
    ({ which, frames, k0 }) => {
      // biome-ignore lint/suspicious/noExplicitAny: harness globals
      const f = (globalThis as any).bench[which] as (k: number) => Uint8Array;
      const times: number[] = [];
      for (let k = 0; k < frames; k++) {
        const t = performance.now();
        f(k0 + k);
        times.push(performance.now() - t);
      }
      return times;
    },
    { which, frames, k0 },
  );
}

/** Theirs end to end: draw + readPixels + POST to Node, per frame, timed in the page up to Node's reply. */
function theirsToNode(page: Page, frames: number): Promise<number[]> {
  return page.evaluate(
    async ({ frames }) => {
      // biome-ignore lint/suspicious/noExplicitAny: harness globals
      const bench = (globalThis as any).bench;
      const times: number[] = [];
      for (let k = 0; k < frames; k++) {
        const t = performance.now();
        const pixels = bench.theirs(k) as Uint8Array;
        const reply = await fetch('/frame', {
          method: 'POST',
          body: new Blob([pixels as Uint8Array<ArrayBuffer>]),
        });
        await reply.text();
        times.push(performance.now() - t);
      }
      return times;
    },
    { frames },
  );
}

/** Not blank: some pixel differs from black and the image is opaque where we look. */
function sane(pixels: Uint8Array | undefined, width: number, height: number): boolean {
  if (!pixels || pixels.length !== width * height * 4) return false;
  let nonBlack = 0;
  for (let i = 0; i < pixels.length; i += 4 * 97) {
    if (pixels[i + 3] !== 255) return false;
    if (pixels[i]! + pixels[i + 1]! + pixels[i + 2]! > 0) nonBlack += 1;
  }
  return nonBlack > 0;
}

export async function benchBrowser(
  context: GLContext,
  shaders: BrowserShader[],
  options: { quick: boolean },
): Promise<BrowserResult | { skipped: string }> {
  if (CHROMIUM_MISSING) return { skipped: CHROMIUM_MISSING };
  let bundles: Awaited<ReturnType<typeof pageBundles>>;
  try {
    bundles = await pageBundles();
  } catch (e) {
    return {
      skipped: `cannot load interactive-shader-format or build the page bundle: ${(e as Error).message}`,
    };
  }
  const sink: FrameSink = { frames: 0, bytes: 0, last: undefined };
  const server = await startServer(bundles, sink);
  const port = (server.address() as { port: number }).port;
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const page = await browser.newPage();
    const errors = await preparePage(page);
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.addScriptTag({ url: '/ours.js' });
    await page.addScriptTag({ url: '/theirs.js' });
    const webglRenderer = await page.evaluate(() => {
      const gl = document.createElement('canvas').getContext('webgl2');
      const ext = gl?.getExtension('WEBGL_debug_renderer_info');
      return gl ? String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER)) : 'none';
    });
    const results: BrowserShaderResult[] = [];
    for (const shader of shaders) {
      const { width, height } = shader;
      await setupPage(page, shader);
      // Warm-up (program compile, lazy shader variants) and one timed frame to size the blocks.
      const sample = median(await inPage(page, 'theirs', 2, 0));
      await inPage(page, 'ours', 2, 0);
      await inPage(page, 'ours_no_checks', 1, 0);
      const frames = framesFor(sample, options.quick ? 300 : 1200, 2, 30);
      const rounds = 2;
      log(`browser ${shader.name} ${width}x${height}: ${rounds} rounds x ${frames} frames per variant`);
      const pageTimes: Record<string, number[]> = {
        ours: [],
        theirs: [],
        ours_no_checks: [],
        ours_preview: [],
        theirs_preview: [],
        bare_preview: [],
      };
      const interleave = async (names: string[], n: number, roundsOf: number): Promise<void> => {
        for (let r = 0; r < roundsOf; r++) {
          for (const which of r % 2 === 0 ? names : [...names].reverse()) {
            pageTimes[which]!.push(...(await inPage(page, which, n, r * n)));
          }
        }
      };
      await interleave(['ours', 'theirs', 'ours_no_checks'], frames, rounds);
      // The preview frames cost a fraction of a read-back one: their blocks are sized on their own sample (the
      // same count on both sides), in twice the rounds, so that the trivial preview is not timed on 4 frames.
      await inPage(page, 'ours_preview', 2, 0);
      await inPage(page, 'bare_preview', 2, 0);
      const previewSample = median(await inPage(page, 'theirs_preview', 2, 0));
      const previewFrames = framesFor(previewSample, options.quick ? 300 : 1200, 4, 60);
      log(`browser ${shader.name} preview: ${2 * rounds} rounds x ${previewFrames} frames per side`);
      await interleave(['ours_preview', 'theirs_preview', 'bare_preview'], previewFrames, 2 * rounds);
      // End to end into Node, interleaved the same way (ours in Node, theirs from the page).
      const scene = new Scene(context).useDocSync(shader.doc);
      const oursNode = (k0: number): number[] => {
        const times: number[] = [];
        for (let k = 0; k < frames; k++) {
          const t = performance.now();
          scene.render({ width, height, time: (k0 + k) / 30 }).pixels;
          times.push(performance.now() - t);
        }
        return times;
      };
      oursNode(0);
      await theirsToNode(page, 1);
      const e2e: Record<string, number[]> = { ours: [], theirs: [] };
      const received0 = sink.frames;
      for (let r = 0; r < rounds; r++) {
        for (const which of r % 2 === 0 ? ['ours', 'theirs'] : ['theirs', 'ours']) {
          if (which === 'ours') e2e.ours!.push(...oursNode(r * frames));
          else e2e.theirs!.push(...(await theirsToNode(page, frames)));
        }
      }
      if (sink.frames - received0 !== rounds * frames) {
        throw new Error(
          `Node received ${sink.frames - received0} frames of ${rounds * frames} from the page`,
        );
      }
      const ourLast = scene.render({ width, height, time: 1 }).pixels;
      scene.destroy();
      const pm = (n: string) => median(pageTimes[n]!);
      const em = (n: string) => median(e2e[n]!);
      results.push({
        shader: shader.name,
        width,
        height,
        frames: rounds * frames,
        in_page: {
          ours_ms: round(pm('ours')),
          theirs_ms: round(pm('theirs')),
          ours_fps: round(1000 / pm('ours'), 2),
          theirs_fps: round(1000 / pm('theirs'), 2),
          ratio: round(pm('theirs') / pm('ours')),
        },
        in_page_ours_no_checks_ms: round(pm('ours_no_checks')),
        preview: {
          frames: 2 * rounds * previewFrames,
          ours_ms: round(pm('ours_preview')),
          theirs_ms: round(pm('theirs_preview')),
          ratio: round(pm('theirs_preview') / pm('ours_preview')),
          bare_ms: round(pm('bare_preview')),
          bare_ratio: round(pm('theirs_preview') / pm('bare_preview')),
        },
        end_to_end: {
          ours_ms: round(em('ours')),
          theirs_ms: round(em('theirs')),
          ours_fps: round(1000 / em('ours'), 2),
          theirs_fps: round(1000 / em('theirs'), 2),
          ratio: round(em('theirs') / em('ours')),
        },
        sane: sane(sink.last, width, height) && sane(ourLast, width, height),
      });
    }
    await page.evaluate(() => {
      // biome-ignore lint/suspicious/noExplicitAny: harness globals
      (globalThis as any).bench?.destroy();
    });
    if (errors.length > 0) log(`page errors: ${errors.join(' | ')}`);
    return {
      chromium: browser.version(),
      webgl_renderer: webglRenderer,
      isf_js_version: bundles.version,
      transfer: 'fetch POST with a Blob body to node:http on 127.0.0.1, one frame at a time',
      shaders: results,
    };
  } finally {
    await browser?.close();
    server.close();
  }
}
