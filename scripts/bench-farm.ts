/**
 * Render-farm throughput: the same frames through 1, 2 and 3 local `isf worker` processes on one Redis
 * (ISF_TEST_REDIS_URL, else a redis-server of our own on a free loopback port).
 *
 *   node --import tsx scripts/bench-farm.ts [--quick] [--device cpu|gpu|N]
 *
 * Frames per second count a whole farm render after a warm-up render on the same workers (each has compiled
 * the shader): from the client's first job added to the last frame on disk. All workers share this machine's
 * cores, and Mesa's llvmpipe already spreads one frame over them, so on a CPU the figures show the farm's
 * overhead and what extra processes add on one box, not what extra machines would.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { farmRender } from '../src/node/farm/client.ts';
import { dropQueue, startTestRedis, TestWorker } from '../test/farm/farm-helpers.ts';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));

export interface FarmBenchOptions {
  quick?: boolean;
  device?: 'cpu' | 'gpu' | number;
  /** Default ../shared/corpus/bench/heavy-fbm.fs at 320x180. */
  shader?: string;
  width?: number;
  height?: number;
  /** Frames per measured render (default 90, 30 with quick). */
  frames?: number;
  /** Frames per job (default 5: enough jobs to keep three workers busy to the end). */
  chunk?: number;
}

export interface FarmBenchRow {
  workers: 1 | 2 | 3;
  fps: number;
}

export async function benchFarm(options: FarmBenchOptions = {}): Promise<FarmBenchRow[]> {
  const redis = await startTestRedis();
  if (typeof redis === 'string') throw new Error(redis);
  const shader = options.shader ?? resolve(ROOT, '..', 'shared', 'corpus', 'bench', 'heavy-fbm.fs');
  const width = options.width ?? 320;
  const height = options.height ?? 180;
  const frames = options.frames ?? (options.quick ? 30 : 90);
  const chunk = options.chunk ?? 5;
  const dir = await mkdtemp(join(tmpdir(), 'isf-bench-farm-'));
  const rows: FarmBenchRow[] = [];
  try {
    for (const n of [1, 2, 3] as const) {
      const queue = `isf-bench-${process.pid}-${n}`;
      const workers = Array.from(
        { length: n },
        () => new TestWorker(redis.url, queue, {}, String(options.device ?? 'cpu')),
      );
      try {
        await Promise.all(workers.map((w) => w.waitFor(/ready/, 60_000)));
        const render = (output: string, count: number, size: number) =>
          farmRender({
            redis: redis.url,
            queue,
            shader,
            output: join(dir, output, 'f-%04d.png'),
            width,
            height,
            frames: count,
            chunk: size,
          });
        // Warm-up: one-frame jobs, so that every worker compiles the shader before the clock starts.
        await render(`warm-${n}`, 4 * n, 1);
        const result = await render(`run-${n}`, frames, chunk);
        rows.push({ workers: n, fps: Math.round((frames / (result.totalMs / 1000)) * 10) / 10 });
        process.stderr.write(`farm: ${n} worker(s): ${rows.at(-1)!.fps} fps\n`);
      } finally {
        await Promise.all(workers.map((w) => w.stop()));
        await dropQueue(redis.url, queue);
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
    await redis.stop();
  }
  return rows;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const deviceArg = argv.includes('--device') ? argv[argv.indexOf('--device') + 1] : 'cpu';
  const device = deviceArg === 'cpu' || deviceArg === 'gpu' ? deviceArg : Number(deviceArg);
  const rows = await benchFarm({ quick: argv.includes('--quick'), device });
  process.stdout.write(`render farm, ${availableParallelism()} cores, heavy-fbm 320x180:\n`);
  for (const r of rows) process.stdout.write(`  ${r.workers} worker(s): ${r.fps} fps\n`);
}
