/**
 * `isf info <shader.fs> [--json]`: the normalised metadata (kind, version, inputs with defaults and ranges,
 * passes, imported images) as a tool needs it, in one call.
 */
import type { Command } from 'commander';
import type { ISFDocument } from '../core/document.ts';
import { loadISF } from '../node/load.ts';
import { run } from './output.ts';

export function documentInfo(doc: ISFDocument): Record<string, unknown> {
  return {
    file: doc.path ?? null,
    name: doc.name,
    kind: doc.kind,
    isfVersion: doc.isfVersion,
    isfvsn: doc.isfvsn ?? null,
    vsn: doc.vsn ?? null,
    description: doc.description ?? null,
    credit: doc.credit ?? null,
    categories: doc.categories,
    inputs: doc.inputs,
    passes: doc.passes,
    extraPersistentBuffers: doc.extraPersistentBuffers ?? [],
    imported: doc.imported.map((i) => ({ name: i.name, path: i.path, resolvedPath: i.resolvedPath ?? null })),
    vertexShader: doc.vertexPath ?? null,
    warnings: doc.warnings,
  };
}

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('print the normalised metadata of a shader')
    .argument('<shader>', 'the .fs file')
    .option('--json', 'print JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      await run(!!opts.json, async () => {
        const doc = await loadISF(file, { importRoot: process.cwd() });
        const info = documentInfo(doc);
        if (opts.json) {
          process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
          return undefined;
        }
        const out: string[] = [];
        out.push(
          `${doc.name}: ${doc.kind}, ISF v${doc.isfVersion}${doc.isfvsn ? ` (ISFVSN ${doc.isfvsn})` : ''}`,
        );
        if (doc.description) out.push(`  ${doc.description}`);
        if (doc.credit) out.push(`  credit: ${doc.credit}`);
        if (doc.categories.length) out.push(`  categories: ${doc.categories.join(', ')}`);
        out.push(`inputs (${doc.inputs.length}):`);
        for (const i of doc.inputs) {
          const extra: string[] = [];
          if ('default' in i) extra.push(`default ${JSON.stringify(i.default)}`);
          if ('min' in i && i.min !== undefined) extra.push(`min ${JSON.stringify(i.min)}`);
          if ('max' in i && i.max !== undefined) extra.push(`max ${JSON.stringify(i.max)}`);
          if ('labels' in i && i.labels) extra.push(`labels ${i.labels.join('|')}`);
          out.push(`  ${i.name}: ${i.type}${extra.length ? ` (${extra.join(', ')})` : ''}`);
        }
        out.push(`passes (${doc.passes.length}):`);
        doc.passes.forEach((p, k) => {
          const flags = [p.persistent && 'persistent', p.float && 'float'].filter(Boolean).join(', ');
          const size = p.width || p.height ? ` ${p.width ?? '$WIDTH'} x ${p.height ?? '$HEIGHT'}` : '';
          out.push(
            `  ${k}: ${p.target ? `-> ${p.target}` : '-> output'}${size}${flags ? ` [${flags}]` : ''}`,
          );
        });
        for (const imp of doc.imported) out.push(`imported ${imp.name}: ${imp.path}`);
        for (const w of doc.warnings) out.push(`warning ${w.code} line ${w.line ?? '?'}: ${w.message}`);
        process.stdout.write(`${out.join('\n')}\n`);
        return undefined;
      });
    });
}
