/**
 * The `isf` command line: validate, info, render (and serve, for the live preview page; worker, for the farm).
 *
 * Start-up time is most of a short command's time, so only the command that runs is loaded: `isf validate x.fs`
 * never imports the renderer's image codecs or the farm, and `isf --version` imports no command at all. Help,
 * `isf help <command>` and unknown commands load them all (to list them, or to suggest the nearest one).
 */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';

type Register = (program: Command) => void;

const COMMANDS: Record<string, () => Promise<Register>> = {
  validate: async () => (await import('./validate.ts')).registerValidate,
  info: async () => (await import('./info.ts')).registerInfo,
  render: async () => (await import('./render.ts')).registerRender,
  serve: async () => (await import('./serve.ts')).registerServe,
  worker: async () => (await import('./worker.ts')).registerWorker,
  convert: async () => (await import('./convert.ts')).registerConvert,
  thumbnails: async () => (await import('./thumbnails.ts')).registerThumbnails,
};

// package.json is two folders up from both src/cli/main.ts and dist/cli/main.js.
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

const program = new Command();
program
  .name('isf')
  .description('Validate, inspect and render ISF (Interactive Shader Format) shaders, headless.')
  .version(version)
  .showHelpAfterError()
  .configureOutput({ outputError: (str, write) => write(`isf: ${str.replace(/^error: /, '')}`) })
  .exitOverride((err) => {
    // commander's own usage errors get the documented usage exit status (2)
    process.exit(err.exitCode === 0 ? 0 : 2);
  });

const first = process.argv[2];
const needed =
  first === '--version' || first === '-V'
    ? []
    : first !== undefined && COMMANDS[first]
      ? [first]
      : Object.keys(COMMANDS);
for (const register of await Promise.all(needed.map((name) => COMMANDS[name]?.()))) register?.(program);

await program.parseAsync(process.argv);
