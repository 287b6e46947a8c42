/**
 * RenderPool worker entry: one GLContext per worker (EGL contexts are per thread), jobs one at a time. Runs as
 * a worker thread (started through startWorker() of entry-files.ts: directly when built, after registering tsx
 * from the TypeScript sources) or as a child process (`slots: 'process'`, options as JSON in argv[2]).
 */
import { parentPort, threadId, workerData } from 'node:worker_threads';
import { createContext, type NodeContextOptions } from './context.ts';
import type { PoolFault } from './faults.ts';
import { dieWithParent } from './parent-death.ts';
import {
  JobRunner,
  serializeError,
  toWireFrame,
  type WorkerRequest,
  type WorkerResponse,
} from './render-job.ts';

interface WorkerOptions {
  contextOptions?: NodeContextOptions;
  maxScenes?: number;
  parentPid?: number;
}

const thread = parentPort;
if (!thread && !process.send) {
  throw new Error('render-worker.ts runs as a worker thread or a child process (RenderPool starts it)');
}
const options = (thread ? workerData : JSON.parse(process.argv[2] ?? '{}')) as WorkerOptions;
const send = (message: WorkerResponse, transfer: ArrayBuffer[] = []): void => {
  if (thread) thread.postMessage(message, transfer);
  else process.send?.(message);
};

let runner: JobRunner;
try {
  runner = new JobRunner(createContext(options.contextOptions ?? {}).initialize(), options.maxScenes);
} catch (e) {
  send({ type: 'init-error', error: serializeError(e) });
  process.exit(1); // in a worker: ends this thread only
}

/** Frees the native context before the worker ends: a thread leaving a live EGL context can crash Mesa. */
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

/** The test faults (faults.ts): die the way a native crash or a bug would, before rendering. */
function crash(mode: PoolFault | undefined, attempt: number): boolean {
  if (!mode || (mode.endsWith('-once') && attempt > 1)) return false;
  if (mode.startsWith('exit')) process.exit(70);
  if (mode.startsWith('segv')) process.kill(process.pid, 'SIGSEGV');
  if (mode === 'hang') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  setImmediate(() => {
    throw new Error(`simulated worker crash (fault: ${mode})`);
  });
  return true;
}

async function onRequest(message: WorkerRequest): Promise<void> {
  if (message.type === 'close') {
    shutdown();
    thread?.close(); // nothing else keeps the thread alive: it ends on its own
    if (!thread) process.exit(0);
    return;
  }
  const { id, attempt, job } = message;
  if (crash(message.fault, attempt)) return;
  try {
    const frames = (await runner.run(job)).map(toWireFrame);
    const transfer = new Set<ArrayBuffer>();
    for (const f of frames) {
      transfer.add(f.pixels.buffer as ArrayBuffer);
      if (f.floatPixels) transfer.add(f.floatPixels.buffer as ArrayBuffer);
    }
    send({ type: 'done', id, frames, worker: thread ? threadId : process.pid }, [...transfer]);
  } catch (e) {
    send({ type: 'failed', id, error: serializeError(e) });
  }
}

if (thread) {
  thread.on('message', onRequest);
} else {
  process.on('message', onRequest);
  // The pool closes a process worker by disconnecting (exit runs shutdown); a parent that died does the same.
  dieWithParent(options.parentPid);
  // The terminal's Ctrl-C reaches the whole process group: the pool's owner decides what happens.
  process.on('SIGINT', () => {});
}

send({ type: 'ready' });
