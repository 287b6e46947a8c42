/**
 * RenderPool worker entry: one GLContext per worker thread (EGL contexts are per thread), jobs one at a time.
 * Started by render-pool.ts through startWorker() (entry-files.ts): directly when built, after registering tsx
 * when it runs from the TypeScript sources.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createContext, type NodeContextOptions } from './context.ts';
import {
  JobRunner,
  type RenderJob,
  serializeError,
  toWireFrame,
  type WorkerRequest,
  type WorkerResponse,
} from './render-job.ts';

interface WorkerOptions {
  contextOptions?: NodeContextOptions;
  maxScenes?: number;
}

const port = parentPort;
if (!port) throw new Error('render-worker.ts runs as a worker thread (RenderPool starts it)');
const options = (workerData ?? {}) as WorkerOptions;
const send = (message: WorkerResponse, transfer: ArrayBuffer[] = []): void =>
  port.postMessage(message, transfer);

let runner: JobRunner;
try {
  runner = new JobRunner(createContext(options.contextOptions ?? {}).initialize(), options.maxScenes);
} catch (e) {
  send({ type: 'init-error', error: serializeError(e) });
  process.exit(1); // in a worker: ends this thread only
}

/** Frees the native context before the thread ends: a thread leaving a live EGL context can crash Mesa. */
function shutdown(): void {
  try {
    runner.clear();
    runner.context.destroy();
  } catch {
    // best effort on the way out
  }
}
// process.exit() and uncaught exceptions in a worker end the thread through 'exit' too.
process.on('exit', shutdown);

/** The hidden test hook: die the way a native crash or a bug would, before rendering. */
function crash(mode: RenderJob['__crash'], attempt: number): boolean {
  if (!mode || (mode.endsWith('-once') && attempt > 1)) return false;
  if (mode.startsWith('exit')) process.exit(70);
  if (mode === 'hang') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  setImmediate(() => {
    throw new Error(`simulated worker crash (__crash: ${mode})`);
  });
  return true;
}

port.on('message', async (message: WorkerRequest) => {
  if (message.type === 'close') {
    shutdown();
    port.close(); // nothing else keeps the thread alive: it ends on its own
    return;
  }
  const { id, attempt, job } = message;
  if (crash(job.__crash, attempt)) return;
  try {
    const frames = (await runner.run(job)).map(toWireFrame);
    const transfer = new Set<ArrayBuffer>();
    for (const f of frames) {
      transfer.add(f.pixels.buffer as ArrayBuffer);
      if (f.floatPixels) transfer.add(f.floatPixels.buffer as ArrayBuffer);
    }
    send({ type: 'done', id, frames }, [...transfer]);
  } catch (e) {
    send({ type: 'failed', id, error: serializeError(e) });
  }
});

send({ type: 'ready' });
