/**
 * `isf render ... --redis URL` and `isf validate ... --redis URL`: the same commands, run by `isf worker`s
 * through a BullMQ queue (docs/farm.md). One progress bar for the whole farm; the same files, messages and
 * exit codes as on one machine.
 */
import { ISFError } from '../core/errors.ts';
import { type FarmRenderOptions, farmRender, farmValidate } from '../node/farm/client.ts';
import { EXIT } from './exit-codes.ts';
import { progressBar } from './output.ts';
import type { CheckedReport } from './validation-report.ts';

/** Farm settings a test or a slow network may want to change (retries, backoff). */
function farmEnv(): { attempts?: number; backoffMs?: number } {
  const out: { attempts?: number; backoffMs?: number } = {};
  const attempts = process.env.ISF_FARM_ATTEMPTS;
  const backoff = process.env.ISF_FARM_BACKOFF_MS;
  if (attempts) out.attempts = Number(attempts);
  if (backoff) out.backoffMs = Number(backoff);
  return out;
}

function chunkOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) {
    throw new ISFError(
      'BAD_ARGUMENT',
      `Expected --chunk as a positive integer number of frames but received "${text}"`,
    );
  }
  return n;
}

/** Runs a render on the farm; prints like `isf render` and returns the exit status. */
export async function farmRenderCommand(
  options: Omit<FarmRenderOptions, 'chunk' | 'signal' | 'onProgress' | 'onNotice'> & {
    chunk?: string;
    json?: boolean;
    notices: boolean;
  },
): Promise<number> {
  const { json, notices, chunk, ...rest } = options;
  const frames = rest.frames ?? 1;
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const bar = progressBar('farm', frames, notices);
  const t0 = performance.now();
  let started = false;
  try {
    const result = await farmRender({
      ...rest,
      ...farmEnv(),
      chunk: chunkOf(chunk),
      signal: controller.signal,
      onProgress: (done, total) => {
        if (!started) bar?.start(total, 0, { fps: '0.0' });
        started = true;
        bar?.update(done, { fps: (done / ((performance.now() - t0) / 1000)).toFixed(1) });
      },
      onNotice: (m) => {
        if (notices) process.stderr.write(`${bar ? '\n' : ''}isf: ${m}\n`);
      },
    });
    bar?.stop();
    const fps = result.frames / (result.totalMs / 1000);
    if (json) {
      process.stdout.write(
        `${JSON.stringify({ ok: !result.interrupted, shader: rest.shader, ...result, fps })}\n`,
      );
    } else if (notices) {
      const what = result.files.length === 1 ? result.files[0] : `${result.files.length} files`;
      process.stderr.write(
        result.interrupted
          ? 'isf: interrupted: jobs not started yet were taken off the queue\n'
          : `isf: wrote ${what} (${result.frames} frame(s) ${result.width}x${result.height} in ${(result.totalMs / 1000).toFixed(2)} s, ${result.jobs} farm job(s)${result.stalled ? `, ${result.stalled} taken up again after a worker stopped` : ''})\n`,
      );
    }
    return result.interrupted ? EXIT.INTERRUPTED : EXIT.OK;
  } finally {
    bar?.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

/** Validates files on the farm, as validateOne would one by one; undefined when interrupted. */
export async function farmValidateReports(options: {
  redis: string;
  queue?: string;
  files: string[];
  compile?: boolean;
  isolate?: boolean;
  timeout?: string;
}): Promise<CheckedReport[] | undefined> {
  const timeoutMs = options.timeout === undefined ? undefined : Number(options.timeout);
  if (timeoutMs !== undefined && !(timeoutMs > 0)) {
    throw new ISFError(
      'BAD_ARGUMENT',
      `Expected a positive number of milliseconds for --timeout but received "${options.timeout}"`,
    );
  }
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const { reports, interrupted } = await farmValidate<CheckedReport>({
      ...options,
      timeoutMs,
      ...farmEnv(),
      signal: controller.signal,
      // A job that failed for good (its workers died, say) leaves its files reported, as not validated.
      lost: (file, error) => ({
        file,
        ok: false,
        kind: null,
        errors: [
          {
            severity: 'error',
            code: 'WORKER_FAILED',
            message: `not validated: the farm job failed: ${error.message}`,
            file,
          },
        ],
        warnings: [],
      }),
    });
    // Workers saw absolute paths; report each file as it was named here, as a local validate does.
    return interrupted ? undefined : reports.map((r, i) => ({ ...r, file: options.files[i] ?? r.file }));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
