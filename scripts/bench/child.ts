/**
 * Child processes of the bench: one measurement per process (clean RSS, a driver with no earlier state).
 *   node --import tsx --expose-gc scripts/bench/child.ts <task> '<json args>'
 * prints the task's result as one JSON line. runChild() is the parent's side.
 */
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { entryFile } from '../../src/node/entry-files.ts';

const SELF = entryFile(import.meta.url, './child');

export function runChild<T>(
  task: string,
  args: Record<string, unknown>,
  env: Record<string, string> = {},
  timeoutMs = 300_000,
): Promise<T> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [...SELF.execArgv, '--expose-gc', SELF.path, task, JSON.stringify(args)],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const last = out.trim().split('\n').pop() ?? '';
      if (code === 0 && last.startsWith('{')) {
        done(JSON.parse(last) as T);
        return;
      }
      fail(
        new Error(`bench child "${task}" failed (${signal ?? `exit ${code}`}): ${err.trim().slice(-2000)}`),
      );
    });
  });
}

async function main(): Promise<void> {
  const [task, json] = process.argv.slice(2);
  const args = JSON.parse(json ?? '{}');
  let result: unknown;
  switch (task) {
    case 'memory-contexts':
      result = await (await import('./memory.ts')).memoryContexts(args);
      break;
    case 'memory-frames':
      result = await (await import('./memory.ts')).memoryFrames(args);
      break;
    case 'memory-long':
      result = await (await import('./memory.ts')).memoryLongRun(args);
      break;
    case 'compile':
      result = await (await import('./compile.ts')).compileTimes(args);
      break;
    case 'mp4-variant':
      result = await (await import('./mp4-variant.ts')).mp4Variant(args);
      break;
    default:
      throw new Error(`unknown bench child task ${task}`);
  }
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === SELF.path) {
  await main();
}
