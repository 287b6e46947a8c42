/**
 * `isf worker --redis redis://host:6379 [--concurrency N] [--device auto|gpu|cpu|index]`: a long-running render
 * farm worker (see docs/farm.md). SIGTERM or Ctrl-C lets the active job finish, then exits 0; a second signal
 * exits at once and the job's lock expires, so another worker takes it up.
 *
 * For tests and tuning, ISF_FARM_LOCK_MS, ISF_FARM_STALLED_INTERVAL_MS and ISF_FARM_MAX_STALLED set BullMQ's
 * lock and stall settings; ISF_FARM_WRITE_DELAY_MS slows every frame write (tests kill a worker mid-job).
 */
import { type Command, Option } from 'commander';
import { ISFError } from '../core/errors.ts';
import { DEFAULT_QUEUE, type ValidateJob } from '../node/farm/jobs.ts';
import type { FarmDevice, FarmWorker } from '../node/farm/worker.ts';
import type { IsolatedRenderer } from '../node/isolate/renderer.ts';
import type { GLContext } from '../render/context.ts';
import { EXIT } from './exit-codes.ts';
import { importNeeding } from './optional.ts';
import { printError } from './output.ts';
import { validateOne } from './validate.ts';

interface WorkerFlags {
  redis: string;
  queue: string;
  concurrency: string;
  device: string;
  quiet?: boolean;
}

function envNumber(name: string): number | undefined {
  const text = process.env[name];
  if (text === undefined || text === '') return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) {
    throw new ISFError('BAD_ARGUMENT', `Expected ${name} to be a non-negative number but received "${text}"`);
  }
  return n;
}

export function registerWorker(program: Command): void {
  program
    .command('worker')
    .description('run a render farm worker: takes render and validate jobs from a BullMQ queue on Redis')
    .requiredOption('--redis <url>', 'the farm Redis, e.g. redis://host:6379')
    .option('--queue <name>', 'queue name (one farm per name)', DEFAULT_QUEUE)
    .option('--concurrency <n>', 'jobs at once, each on its own GL context', '1')
    .addOption(
      new Option('--device <auto|gpu|cpu|index>', 'GL device: auto uses the GPU when EGL finds one').default(
        'auto',
      ),
    )
    .option('-q, --quiet', 'no log lines')
    .action(async (flags: WorkerFlags) => {
      process.exitCode = await workerCommand(flags);
    });
}

async function workerCommand(flags: WorkerFlags): Promise<number> {
  const log = (m: string) => {
    if (!flags.quiet) process.stderr.write(`isf worker: ${m}\n`);
  };
  // Loaded when a worker starts, not on every `isf` command: BullMQ takes a noticeable time to import (and is
  // an optional peer).
  const { FarmWorker } = await importNeeding('bullmq', 'isf worker', () => import('../node/farm/worker.ts'));
  const { IsolatedRenderer } = await import('../node/isolate/renderer.ts');
  let worker: FarmWorker;
  // `isf validate --compile` jobs run as locally: each file in a child process under a time limit, so a shader
  // that hangs the driver costs its own report, not the worker.
  let isolated: IsolatedRenderer | undefined;
  const validate = async (file: string, job: ValidateJob, context: GLContext) => {
    if (!job.compile) return await validateOne(file);
    if (!job.isolate) return await validateOne(file, context);
    isolated ??= new IsolatedRenderer({ device: worker.device });
    return { file, ...(await isolated.validate(file, { timeoutMs: job.timeoutMs })) };
  };
  try {
    const concurrency = Number(flags.concurrency);
    const device: FarmDevice = /^\d+$/.test(flags.device)
      ? Number(flags.device)
      : (flags.device as FarmDevice);
    if (!['auto', 'cpu', 'gpu'].includes(String(device)) && typeof device !== 'number') {
      throw new ISFError(
        'BAD_ARGUMENT',
        `Expected --device auto, gpu, cpu or an index but received "${flags.device}"`,
      );
    }
    worker = await FarmWorker.start({
      redis: flags.redis,
      queue: flags.queue,
      concurrency,
      device,
      validate,
      lockDurationMs: envNumber('ISF_FARM_LOCK_MS'),
      stalledIntervalMs: envNumber('ISF_FARM_STALLED_INTERVAL_MS'),
      maxStalledCount: envNumber('ISF_FARM_MAX_STALLED'),
      writeDelayMs: envNumber('ISF_FARM_WRITE_DELAY_MS'),
      onLog: log,
    });
  } catch (e) {
    return printError(e, false);
  }
  log(
    `ready (pid ${process.pid}, queue ${flags.queue}, concurrency ${flags.concurrency}, device ${worker.device})`,
  );
  return await new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        log(`${signal} again: leaving now; the active job goes back to the queue when its lock expires`);
        void Promise.allSettled([worker.kill(), isolated?.close()]).finally(() => resolve(EXIT.INTERRUPTED));
        return;
      }
      stopping = true;
      log(`${signal}: finishing the active job, then exiting`);
      worker
        .close()
        .then(() => isolated?.close())
        .then(
          () => {
            log('stopped');
            resolve(EXIT.OK);
          },
          (e: unknown) => resolve(printError(e, false)),
        );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  }).then((code) => {
    // BullMQ's and EGL's handles would keep the process alive; everything is closed by now.
    process.exit(code);
  });
}
