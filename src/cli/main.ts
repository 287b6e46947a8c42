/**
 * The `isf` command line: validate, info, render (and serve, for the live preview page).
 */
import { Command } from 'commander';
import { registerInfo } from './info.ts';
import { registerRender } from './render.ts';
import { registerServe } from './serve.ts';
import { registerValidate } from './validate.ts';
import { registerWorker } from './worker.ts';

const program = new Command();
program
  .name('isf')
  .description('Validate, inspect and render ISF (Interactive Shader Format) shaders, headless.')
  .version('0.1.0')
  .showHelpAfterError()
  .configureOutput({ outputError: (str, write) => write(`isf: ${str.replace(/^error: /, '')}`) })
  .exitOverride((err) => {
    // commander's own usage errors get the documented usage exit status (2)
    process.exit(err.exitCode === 0 ? 0 : 2);
  });

registerValidate(program);
registerInfo(program);
registerRender(program);
registerServe(program);
registerWorker(program);

await program.parseAsync(process.argv);
