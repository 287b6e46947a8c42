/**
 * `isf thumbnails <folder> -o <out> [--timeout ms] [--size WxH] [--animated]`: a PNG (and with --animated a
 * WebP) per shader, index.html and manifest.json in <out>; only what changed since the last run is rendered
 * (node/thumbnails.ts). Each shader is isolated and time-limited as `isf validate --compile` is. Exit 0 when every
 * shader got its thumbnail, 3 when any failed (listed in index.html and the summary), 130 when interrupted.
 */
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { ISFError } from '../core/errors.ts';
import { IsolatedRenderer } from '../node/isolate/renderer.ts';
import {
  DEFAULT_THUMBNAIL_SETTINGS,
  DEFAULT_THUMBNAIL_TIMEOUT_MS,
  generateThumbnails,
  type ThumbnailEntry,
} from '../node/thumbnails.ts';
import { EXIT } from './exit-codes.ts';
import { listShaders } from './files.ts';
import { run } from './output.ts';
import { parseSize } from './render.ts';

interface ThumbnailFlags {
  output: string;
  timeout: string;
  size: string;
  time: string;
  animated?: boolean;
  frames: string;
  fps: string;
  json?: boolean;
  quiet?: boolean;
}

export function registerThumbnails(program: Command): void {
  program
    .command('thumbnails')
    .description(
      'a thumbnail per shader of a folder and an index.html contact sheet, each shader isolated and time-limited; only changed files are rendered again',
    )
    .argument('<folder>', 'the shaders (.fs/.frag, searched recursively)')
    .requiredOption('-o, --output <folder>', 'where the thumbnails, index.html and manifest.json go')
    .option(
      '--timeout <ms>',
      'time limit per shader (a shader over it is listed as RENDER_TIMEOUT)',
      String(DEFAULT_THUMBNAIL_TIMEOUT_MS),
    )
    .option(
      '--size <WxH>',
      'thumbnail size',
      `${DEFAULT_THUMBNAIL_SETTINGS.width}x${DEFAULT_THUMBNAIL_SETTINGS.height}`,
    )
    .option('--time <seconds>', 'TIME of the still thumbnail', String(DEFAULT_THUMBNAIL_SETTINGS.time))
    .option('--animated', 'also an animated WebP per shader')
    .option('--frames <n>', 'frames of the animated WebP', String(DEFAULT_THUMBNAIL_SETTINGS.frames))
    .option('--fps <f>', 'frame rate of the animated WebP', String(DEFAULT_THUMBNAIL_SETTINGS.fps))
    .option('--json', 'print one JSON summary on stdout')
    .option('-q, --quiet', 'no progress')
    .action(async (folder: string, flags: ThumbnailFlags) => {
      await run(!!flags.json, () => thumbnailsCommand(folder, flags));
    });
}

function positive(flag: string, text: string, integer: boolean): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new ISFError(
      'BAD_ARGUMENT',
      `Expected a positive ${integer ? 'integer' : 'number'} for ${flag} but received "${text}"`,
    );
  }
  return n;
}

async function thumbnailsCommand(folder: string, flags: ThumbnailFlags): Promise<number> {
  const { width, height } = parseSize(flags.size);
  const timeoutMs = positive('--timeout', flags.timeout, false);
  const time = Number(flags.time);
  if (flags.time.trim() === '' || !Number.isFinite(time)) {
    throw new ISFError(
      'BAD_ARGUMENT',
      `Expected a number of seconds for --time but received "${flags.time}"`,
    );
  }
  const frames = positive('--frames', flags.frames, true);
  const fps = positive('--fps', flags.fps, false);
  if (frames > 600)
    throw new ISFError(
      'BAD_ARGUMENT',
      `Expected --frames 1..600 for an animated thumbnail but received ${frames}`,
    );
  const root = resolve(folder);
  const st = await stat(root).catch(() => undefined);
  if (!st?.isDirectory()) {
    throw new ISFError('IO_ERROR', `Cannot make thumbnails of ${folder}: not a folder`, { file: folder });
  }
  const files = (await listShaders(root)).map((s) => s.path);
  if (files.length === 0) throw new ISFError('BAD_ARGUMENT', `no .fs/.frag shaders in ${folder}`);
  const notices = !flags.quiet && !flags.json;
  // The same isolation as `isf validate --compile`: UNTRUSTED_LIMITS, a child killed and replaced at the limit.
  // Started on the first shader that needs rendering: a run where nothing changed starts no GL at all.
  const renderer = new IsolatedRenderer({ timeoutMs });
  const controller = new AbortController();
  const onSignal = () => {
    controller.abort();
    void renderer.close();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const bar =
    notices && process.stderr.isTTY
      ? new SingleBar({
          format: 'thumbnails [{bar}] {value}/{total} | {shader}',
          stream: process.stderr,
          hideCursor: true,
        })
      : undefined;
  bar?.start(files.length, 0, { shader: '' });
  const line = (done: number, total: number, entry: ThumbnailEntry, rendered: boolean): void => {
    if (bar) {
      bar.update(done, { shader: entry.path });
      return;
    }
    if (!notices) return;
    const what = !rendered ? 'unchanged' : entry.ok ? 'ok' : `FAIL ${entry.error?.code ?? ''}`;
    process.stderr.write(`isf: [${done}/${total}] ${entry.path}: ${what}\n`);
  };
  try {
    const summary = await generateThumbnails({
      root,
      files,
      out: resolve(flags.output),
      renderer,
      timeoutMs,
      settings: { width, height, time, animated: !!flags.animated, frames, fps },
      signal: controller.signal,
      onShader: line,
    }).catch((e: unknown) => {
      if (controller.signal.aborted) return undefined;
      throw e;
    });
    bar?.stop();
    if (!summary) return EXIT.INTERRUPTED;
    if (flags.json) {
      process.stdout.write(
        `${JSON.stringify({ ok: summary.failed.length === 0 && !summary.interrupted, ...summary })}\n`,
      );
    } else if (notices) {
      process.stderr.write(
        `isf: ${summary.rendered.length} rendered, ${summary.unchanged.length} unchanged, ${summary.failed.length} failed; ${summary.index}\n`,
      );
      for (const e of summary.entries.filter((x) => x.error)) {
        process.stderr.write(
          `  ${e.path}${e.error!.line !== undefined ? `:${e.error!.line}` : ''}: ${e.error!.code}: ${e.error!.message}\n`,
        );
      }
    }
    if (summary.interrupted) return EXIT.INTERRUPTED;
    return summary.failed.length > 0 ? EXIT.SHADER : EXIT.OK;
  } finally {
    bar?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await renderer.close();
  }
}
