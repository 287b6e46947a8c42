/**
 * `isf worker --redis redis://host:6379 [--concurrency N] [--device auto|gpu|cpu|index] [--timeout MS]`: a
 * long-running render farm worker (see docs/farm.md). Every job runs in an isolated child under a per-frame
 * time limit (at most --timeout). SIGTERM or Ctrl-C lets the active job finish within --grace (default 60 s),
 * then exits 0, also when Redis has gone; a second signal exits at once and the job's lock expires, so
 * another worker takes it up.
 *
 * For tests and tuning, ISF_FARM_LOCK_MS, ISF_FARM_STALLED_INTERVAL_MS and ISF_FARM_MAX_STALLED set BullMQ's
 * lock and stall settings; ISF_FARM_WRITE_DELAY_MS slows every frame write (tests kill a worker mid-job).
 */
import { type Command, Option } from 'commander';
import { ISFError } from '../core/errors.ts';
import { DEFAULT_QUEUE } from '../node/farm/jobs.ts';
import type { FarmDevice, FarmWorker } from '../node/farm/worker.ts';
import { EXIT } from './exit-codes.ts';
import { importNeeding } from './optional.ts';
import { printError } from './output.ts';

interface WorkerFlags {
  redis: string;
  queue: string;
  concurrency: string;
  device: string;
  timeout?: string;
  grace: string;
  quiet?: boolean;
}

function positive(flag: string, text: string): number {
  const n = Number(text);
  if (text.trim() === '' || !(n > 0) || !Number.isFinite(n)) {
    throw new ISFError(
      'BAD_ARGUMENT',
      `Expected ${flag} as a positive number of milliseconds but received "${text}"`,
    );
  }
  return n;
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
    .option(
      '--timeout <ms>',
      "the ceiling of any job's time per frame (a job may ask for less with isf render --timeout); default 300000",
    )
    .option('--grace <ms>', 'on SIGTERM, how long the active job may take to finish', '60000')
    .option('-q, --quiet', 'no log lines')
    .action(async (flags: WorkerFlags) => {
      process.exitCode = await workerCommand(flags);
    });
}

async function workerCommand(flags: WorkerFlags): Promise<number> {
  const log = (m: string) => {
    if (!flags.quiet) process.stderr.write(`isf worker: ${m}\n`);
  };
  let worker: FarmWorker;
  let graceMs: number;
  try {
    // Loaded when a worker starts, not on every `isf` command: BullMQ takes a noticeable time to import, and it
    // is an optional peer (PACKAGE_MISSING naming it when absent, exit 4, as for --redis).
    const { FarmWorker } = await importNeeding(
      'bullmq',
      'isf worker',
      () => import('../node/farm/worker.ts'),
    );
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
    graceMs = positive('--grace', flags.grace);
    worker = await FarmWorker.start({
      redis: flags.redis,
      queue: flags.queue,
      concurrency,
      device,
      ...(flags.timeout !== undefined ? { timeoutMs: positive('--timeout', flags.timeout) } : {}),
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
    `ready (pid ${process.pid}, queue ${flags.queue}, concurrency ${flags.concurrency}, device ${worker.device}, at most ${worker.timeoutMs} ms per frame)`,
  );
  return await new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        log(`${signal} again: leaving now; the active job goes back to the queue when its lock expires`);
        void worker.kill().finally(() => resolve(EXIT.INTERRUPTED));
        return;
      }
      stopping = true;
      log(`${signal}: finishing the active job, then exiting`);
      // Resolves even when Redis is gone: past the grace period (at once when idle) it stops waiting for BullMQ.
      worker.close(graceMs).then(
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
