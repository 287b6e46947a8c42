/**
 * `isf convert <file.glsl|file.json|folder> -o <out.fs|folder> [--from shadertoy|sandbox] [--json]`: Shadertoy and
 * GLSL Sandbox shaders to ISF (see docs/convert.md). Every change that could not be made exactly is a warning.
 */
import type { Command } from 'commander';
import type { Diagnostic } from '../core/errors.ts';
import { ISFError } from '../core/errors.ts';
import { convertPath, writeConverted } from '../node/convert.ts';
import { run } from './output.ts';

function formatWarning(d: Diagnostic): string {
  const at = d.file ? `${d.file}${d.line !== undefined ? `:${d.line}:${d.column ?? 1}` : ''}: ` : '';
  return `isf: warning: ${at}${d.message}`;
}

export function registerConvert(program: Command): void {
  program
    .command('convert')
    .description('convert a Shadertoy or GLSL Sandbox shader to ISF')
    .argument('<source>', 'a .glsl file, a Shadertoy API .json, or a folder of Shadertoy pass files')
    .requiredOption('-o, --output <path>', 'the .fs to write (a folder when the JSON holds several shaders)')
    .option('--from <kind>', 'the source kind, instead of detecting it: shadertoy or sandbox')
    .option('--json', 'print one JSON summary on stdout')
    .option('-q, --quiet', 'no warnings on stderr')
    .action(
      async (source: string, opts: { output: string; from?: string; json?: boolean; quiet?: boolean }) => {
        await run(!!opts.json, async () => {
          if (opts.from !== undefined && opts.from !== 'shadertoy' && opts.from !== 'sandbox') {
            throw new ISFError(
              'BAD_ARGUMENT',
              `--from takes shadertoy or sandbox, not ${JSON.stringify(opts.from)}`,
            );
          }
          const results = await convertPath(source, opts.from ? { from: opts.from } : {});
          const files = await writeConverted(results, opts.output);
          if (opts.json) {
            const shaders = results.map((r, i) => ({ file: files[i], from: r.from, warnings: r.warnings }));
            process.stdout.write(`${JSON.stringify({ ok: true, shaders })}\n`);
            return undefined;
          }
          if (!opts.quiet) {
            for (const r of results)
              for (const w of r.warnings) process.stderr.write(`${formatWarning(w)}\n`);
            for (const [i, f] of files.entries())
              process.stderr.write(`isf: wrote ${f} (from ${results[i]!.from})\n`);
          }
          return undefined;
        });
      },
    );
}
