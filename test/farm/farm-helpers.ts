/**
 * Test helpers for the render farm: a Redis to talk to (ISF_TEST_REDIS_URL, else a redis-server of our own on
 * a free loopback port, else a reason to skip) and `isf worker` processes whose log lines we can watch.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer, Socket } from 'node:net';
import { Queue } from 'bullmq';
import { redisConnection } from '../../src/node/farm/jobs.ts';
import { ISF_BIN, REPO } from '../helpers.ts';

export const BIN = ISF_BIN;

export interface TestRedis {
  url: string;
  stop(): Promise<void>;
}

const NO_REDIS_SERVER = 'redis-server is not installed (apt-get install redis-server)';

/** A redis-server of the test's own (one it may kill), or a message saying why there is none. */
export async function startOwnRedis(): Promise<(TestRedis & { kill(): void }) | string> {
  if (!hasRedisServer()) return NO_REDIS_SERVER;
  const { url, proc, exited } = await spawnRedis();
  return {
    url,
    kill: () => proc.kill('SIGKILL'),
    stop: async () => {
      proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** A Redis for the tests, or a message saying why there is none. */
export async function startTestRedis(): Promise<TestRedis | string> {
  const fromEnv = process.env.ISF_TEST_REDIS_URL;
  if (fromEnv) {
    const u = new URL(fromEnv);
    let up = false;
    for (let i = 0; i < 20 && !up; i++) {
      up = await ping(u.hostname, Number(u.port || 6379));
      if (!up) await sleep(100);
    }
    if (!up) {
      throw new Error(`ISF_TEST_REDIS_URL=${fromEnv} is set but no Redis answers there`);
    }
    return { url: fromEnv, stop: async () => {} };
  }
  if (!hasRedisServer()) return `${NO_REDIS_SERVER}, and ISF_TEST_REDIS_URL is not set`;
  const { url, proc, exited } = await spawnRedis();
  return {
    url,
    stop: async () => {
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version']).status === 0;
}

/** A redis-server on a free loopback port, once it answers PING (no persistence: a test's data only). */
async function spawnRedis(): Promise<{ url: string; proc: ChildProcess; exited: Promise<void> }> {
  const port = await freePort();
  const proc = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  for (let i = 0; i < 100; i++) {
    if (await ping('127.0.0.1', port)) return { url: `redis://127.0.0.1:${port}`, proc, exited };
    await sleep(50);
  }
  proc.kill('SIGKILL');
  throw new Error(`redis-server did not answer on port ${port}`);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function ping(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
    socket.connect(port, host, () => socket.write('PING\r\n'));
  });
}

/** Removes a test queue and everything in it from Redis. */
export async function dropQueue(url: string, name: string): Promise<void> {
  const queue = new Queue(name, { connection: redisConnection(url) });
  try {
    await queue.obliterate({ force: true });
  } finally {
    await queue.close();
  }
}

/** An `isf worker` process; `lines` grows with its log lines. */
export class TestWorker {
  readonly proc: ChildProcess;
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  private readonly waiters: { test: RegExp; resolve: (line: string) => void }[] = [];

  constructor(
    url: string,
    queue: string,
    env: Record<string, string> = {},
    device = 'cpu',
    args: string[] = [],
  ) {
    this.proc = spawn(
      process.execPath,
      [BIN, 'worker', '--redis', url, '--queue', queue, '--device', device, ...args],
      {
        cwd: REPO,
        env: { ...process.env, ...env },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let buffered = '';
    this.proc.stderr!.on('data', (d: Buffer) => {
      buffered += d.toString();
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const line of parts) {
        this.lines.push(line);
        for (const w of [...this.waiters]) {
          if (w.test.test(line)) {
            this.waiters.splice(this.waiters.indexOf(w), 1);
            w.resolve(line);
          }
        }
      }
    });
    this.exited = new Promise((r) => this.proc.once('exit', (code) => r(code)));
  }

  /** The first log line (past or future) matching `test`. */
  waitFor(test: RegExp, timeoutMs = 30_000): Promise<string> {
    const seen = this.lines.find((l) => test.test(l));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`worker never logged ${test}; its log:\n${this.lines.join('\n')}`)),
        timeoutMs,
      );
      this.waiters.push({
        test,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
      void this.exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`worker exited before logging ${test}; its log:\n${this.lines.join('\n')}`));
      });
    });
  }

  async stop(): Promise<number | null> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGTERM');
    return await this.exited;
  }
}

/** Runs `isf ...` to the end, without blocking the event loop (workers' logs keep flowing). */
export function isfAsync(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): { proc: ChildProcess; done: Promise<{ status: number | null; stdout: string; stderr: string }> } {
  const proc = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  proc.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  proc.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) =>
    proc.once('close', (status) => resolve({ status, stdout, stderr })),
  );
  return { proc, done };
}
