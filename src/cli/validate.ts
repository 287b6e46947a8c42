/**
 * `isf validate <files or folders...> [--json] [--compile]`: reports every error and warning of each shader,
 * with the user's own line numbers. Exit 0 when all are valid, 3 when any is not.
 */
import type { Command } from 'commander';
import { withCompatibility } from '../core/dialects.ts';
import type { ISFErrorCode } from '../core/errors.ts';
import { ISFError } from '../core/errors.ts';
import { DEFAULT_QUEUE } from '../node/farm/jobs.ts';
import { checkShaderFile } from '../node/isolate/check.ts';
import { IsolatedRenderer } from '../node/isolate/renderer.ts';
import type { GLContext } from '../render/context.ts';
import { EXIT, exitCodeFor } from './exit-codes.ts';
import { expandShaderPaths } from './files.ts';
import { importNeeding } from './optional.ts';
import { run } from './output.ts';
import type { CheckedReport, ValidationReport } from './validation-report.ts';

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check ISF shaders: JSON, inputs, passes, expressions (and GLSL with --compile)')
    .argument('<paths...>', '.fs files or folders (searched recursively)')
    .option('--json', 'print a JSON array of { file, ok, kind, errors, warnings, compatibility }')
    .option(
      '--strict',
      'refuse every departure from the ISF spec that is otherwise accepted with a warning (docs/dialects.md)',
    )
    .option(
      '--compile',
      "also compile the GLSL and draw one 8x8 frame, each file in an isolated process under a time limit (a driver crash is reported as that file's GL_DRIVER_CRASH)",
    )
    .option(
      '--timeout <ms>',
      'with --compile: time limit per file (a file over it is reported as RENDER_TIMEOUT)',
      '10000',
    )
    .option(
      '--no-isolate',
      'with --compile: compile only, without the untrusted limits, drawing or a time limit (faster); still in a child process that a driver crash cannot take this one down with',
    )
    .option('--redis <url>', 'validate on a farm of `isf worker`s through this Redis (docs/farm.md)')
    .option('--queue <name>', 'the farm queue, with --redis', DEFAULT_QUEUE)
    .action(async (paths: string[], opts: ValidateFlags) => {
      await run(!!opts.json, async () => {
        const files = await expandShaderPaths(paths);
        if (opts.redis !== undefined) {
          // BullMQ only when asked for (and an optional peer)
          const { farmValidateReports } = await importNeeding(
            'bullmq',
            'isf validate --redis',
            () => import('./farm.ts'),
          );
          const farm = await farmValidateReports({ ...opts, redis: opts.redis, files });
          return farm ? finish(farm, opts) : EXIT.INTERRUPTED;
        }
        if (!opts.compile) {
          const reports: CheckedReport[] = [];
          for (const file of files) reports.push(await validateOne(file));
          return finish(reports, opts);
        }
        const timeoutMs = Number(opts.timeout);
        if (opts.isolate && !(timeoutMs > 0)) {
          throw new ISFError(
            'BAD_ARGUMENT',
            `Expected a positive number of milliseconds for --timeout but received "${opts.timeout}"`,
          );
        }
        const reports = await validateIsolated(files, opts.isolate ? { timeoutMs } : undefined);
        return reports ? finish(reports, opts) : EXIT.INTERRUPTED;
      });
    });
}

interface ValidateFlags {
  json?: boolean;
  compile?: boolean;
  timeout: string;
  isolate: boolean;
  redis?: string;
  queue: string;
  strict?: boolean;
}

function finish(checked: CheckedReport[], opts: ValidateFlags): number {
  const json = !!opts.json;
  const reports = checked.map((r) => withCompatibility(r, opts.strict));
  if (json) process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
  else printReports(reports);
  if (reports.every((r) => r.ok)) return EXIT.OK;
  // A file that could not be read is an I/O failure (exit 4), not an invalid shader, as for every command.
  const unreadable = reports.some((r) =>
    r.errors.some((d) => exitCodeFor(d.code as ISFErrorCode) === EXIT.IO),
  );
  return unreadable ? EXIT.IO : EXIT.SHADER;
}

export async function validateOne(file: string, context?: GLContext): Promise<CheckedReport> {
  return { file, ...(await checkShaderFile(file, context)) };
}

/**
 * --compile: every file in a child process that is killed and replaced when a file runs past the limit or
 * crashes the driver, so one pathological file is reported as such (RENDER_TIMEOUT, GL_DRIVER_CRASH,
 * LIMIT_EXCEEDED) and the rest are still validated. `untrusted` undefined (--no-isolate): compile only, no
 * limits, in the same kind of child. Undefined when interrupted (Ctrl-C kills the child at once).
 */
async function validateIsolated(
  files: string[],
  untrusted: { timeoutMs: number } | undefined,
): Promise<CheckedReport[] | undefined> {
  const renderer = new IsolatedRenderer(untrusted ?? { limits: 'none', timeoutMs: Number.POSITIVE_INFINITY });
  const reports: CheckedReport[] = [];
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    void renderer.close();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    for (const file of files) {
      reports.push({ file, ...(await renderer.validate(file, { draw: untrusted !== undefined })) });
    }
  } catch (e) {
    if (!interrupted) throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await renderer.close();
  }
  return interrupted ? undefined : reports;
}

function printReports(reports: ValidationReport[]): void {
  for (const r of reports) {
    process.stdout.write(`${r.ok ? 'ok  ' : 'FAIL'} ${r.file}${r.kind ? ` (${r.kind})` : ''}\n`);
    for (const d of [...r.errors, ...r.warnings]) {
      const where = `${d.file ?? r.file}${d.line !== undefined ? `:${d.line}` : ''}${d.column !== undefined ? `:${d.column}` : ''}`;
      process.stdout.write(
        `  ${d.severity === 'error' ? 'error' : 'warning'} ${d.code} ${where}: ${d.message}\n`,
      );
    }
    const refused = Object.entries(r.compatibility.hosts).filter(([, ok]) => !ok);
    if (!r.compatibility.strict) {
      process.stdout.write(
        `  departs from the ISF spec (${r.compatibility.departures.join(', ')})${refused.length ? `; refused by ${refused.map(([h]) => h).join(', ')}` : ''}\n`,
      );
    }
  }
  const bad = reports.filter((r) => !r.ok).length;
  process.stdout.write(`${reports.length - bad} valid, ${bad} invalid\n`);
}
