/**
 * How the CLI reports: errors as "isf: file:line:col: message" plus a suggestion on stderr, or as one JSON
 * object with --json; the exit status comes from the error code (exit-codes.ts).
 */
import { SingleBar } from 'cli-progress';
import { ISFError } from '../core/errors.ts';
import { ioReason } from '../node/confine.ts';
import { EXIT, exitCodeForError } from './exit-codes.ts';

/**
 * A failed system call that escaped as a plain Node error (it should not: each file operation reports its own) is
 * still an I/O error, not a bug: IO_ERROR with the errno's message.
 */
export function asISFError(e: unknown): unknown {
  const errno = e as NodeJS.ErrnoException;
  if (e instanceof Error && !(e instanceof ISFError) && typeof errno.code === 'string' && errno.syscall) {
    return new ISFError(
      'IO_ERROR',
      `${ioReason(e)}${errno.path ? `: ${errno.path}` : ''} (${errno.syscall})`,
      {
        file: errno.path,
        cause: e,
      },
    );
  }
  return e;
}

export function printError(error: unknown, json: boolean): number {
  const e = asISFError(error);
  const status = exitCodeForError(e);
  if (json) {
    const body =
      e instanceof ISFError ? e.toJSON() : { code: 'INTERNAL', message: String((e as Error)?.message ?? e) };
    process.stdout.write(`${JSON.stringify({ ok: false, error: body })}\n`);
  } else if (e instanceof ISFError) {
    process.stderr.write(`isf: ${e.located}\n`);
    for (const d of e.diagnostics.slice(1, 6)) {
      process.stderr.write(`  ${d.file ?? ''}${d.line !== undefined ? `:${d.line}` : ''}: ${d.message}\n`);
    }
    if (e.suggestion) process.stderr.write(`  hint: ${e.suggestion}\n`);
  } else {
    process.stderr.write(`isf: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
  }
  return status;
}

/** Runs a command body; maps thrown errors to a message and an exit status. */
export async function run(json: boolean, body: () => Promise<unknown>): Promise<void> {
  try {
    const status = await body();
    process.exitCode = typeof status === 'number' ? status : EXIT.OK;
  } catch (e) {
    process.exitCode = printError(e, json);
  }
}

/** A progress bar (frames done, fps, ETA) on a terminal; none when stderr is not a TTY or notices are off. */
export function progressBar(label: string, frames: number, notices: boolean): SingleBar | undefined {
  if (!notices || !process.stderr.isTTY || frames <= 1) return undefined;
  return new SingleBar({
    format: `${label} [{bar}] {value}/{total} frames | {fps} fps | ETA {eta_formatted}`,
    stream: process.stderr,
    hideCursor: true,
  });
}
