/**
 * `isf validate <files or folders...> [--json] [--compile]`: reports every error and warning of each shader,
 * with the user's own line numbers. Exit 0 when all are valid, 3 when any is not.
 */
import type { Command } from 'commander';
import type { Diagnostic } from '../core/errors.ts';
import { ISFError } from '../core/errors.ts';
import { generateShaders } from '../core/glsl/index.ts';
import { createContext } from '../node/context.ts';
import { validateFile } from '../node/load.ts';
import type { GLContext } from '../render/context.ts';
import { EXIT } from './exit-codes.ts';
import { expandShaderPaths } from './files.ts';
import { run } from './output.ts';

export interface ValidationReport {
  file: string;
  ok: boolean;
  kind: string | null;
  errors: Diagnostic[];
  warnings: Diagnostic[];
}

export function registerValidate(program: Command): void {
  program
    .command('validate')
    .description('check ISF shaders: JSON, inputs, passes, expressions (and GLSL with --compile)')
    .argument('<paths...>', '.fs files or folders (searched recursively)')
    .option('--json', 'print a JSON array of { file, ok, kind, errors, warnings }')
    .option('--compile', 'also compile the generated GLSL on a real GL context')
    .action(async (paths: string[], opts: { json?: boolean; compile?: boolean }) => {
      await run(!!opts.json, async () => {
        const files = await expandShaderPaths(paths);
        let context: GLContext | undefined;
        const reports: ValidationReport[] = [];
        try {
          for (const file of files) {
            if (opts.compile) context ??= createContext().initialize();
            reports.push(await validateOne(file, context));
          }
        } finally {
          context?.destroy();
        }
        if (opts.json) process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
        else printReports(reports);
        return reports.every((r) => r.ok) ? EXIT.OK : EXIT.SHADER;
      });
    });
}

export async function validateOne(file: string, context?: GLContext): Promise<ValidationReport> {
  const result = await validateFile(file);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  const warnings = result.diagnostics.filter((d) => d.severity === 'warning');
  const doc = result.document;
  if (doc && errors.length === 0 && context) {
    try {
      const shaders = generateShaders(doc);
      warnings.push(...shaders.warnings);
      context.programs.release(
        context.programs.acquire(shaders, { fragment: doc.path, vertex: doc.vertexPath }),
      );
    } catch (e) {
      if (!(e instanceof ISFError)) throw e;
      if (e.diagnostics.length > 0) errors.push(...e.diagnostics.filter((d) => d.severity === 'error'));
      if (!errors.length) errors.push(e.toDiagnostic());
    }
  } else if (doc && errors.length === 0) {
    try {
      warnings.push(...generateShaders(doc).warnings);
    } catch (e) {
      if (!(e instanceof ISFError)) throw e;
      errors.push(e.toDiagnostic());
    }
  }
  return { file, ok: errors.length === 0, kind: doc?.kind ?? null, errors, warnings };
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
  }
  const bad = reports.filter((r) => !r.ok).length;
  process.stdout.write(`${reports.length - bad} valid, ${bad} invalid\n`);
}
