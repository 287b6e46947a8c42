/**
 * The isolated child process: one GL context, requests from IsolatedRenderer one at a time over IPC.
 *
 * It exists so that a shader that never finishes, or a driver that crashes, costs this process and nothing
 * else: the parent SIGKILLs it at the time limit (a thread blocked in a GL call cannot be stopped any other
 * way) and starts a fresh one. Started by IsolatedRenderer (through tsx when it runs from the sources) with the
 * ChildInit as JSON in argv[2].
 *
 * Each job gets a fresh Scene (a fresh frame stream, as RenderPool jobs do); compiled programs stay in the
 * context's program cache, so a shader rendered again does not recompile.
 */
import type { ISFDocument, ParseOptions } from '../../core/document.ts';
import { ISFError } from '../../core/errors.ts';
import { parseISF } from '../../core/parse/index.ts';
import type { GLContext } from '../../render/context.ts';
import { checkRawImage, type RawImage } from '../../render/images.ts';
import { Scene, type SceneOptions } from '../../render/scene.ts';
import { renderToFiles } from '../batch.ts';
import { createContext } from '../context.ts';
import type { ChildFault } from '../faults.ts';
import { writeFileAtomic } from '../files.ts';
import { STREAM_OUTPUT } from '../frame-stream.ts';
import { loadISF } from '../load.ts';
import { dieWithParent } from '../parent-death.ts';
import { nodePlatform } from '../platform.ts';
import {
  checkJob,
  type RenderJob,
  renderJobFrames,
  serializeError,
  toWireFrame,
  type WireFrame,
} from '../render-job.ts';
import { checkShaderFile } from './check.ts';
import { guardedPlatform } from './guard.ts';
import { parseLimitsOf, sceneLimitsOf } from './limits.ts';
import type {
  ChildInit,
  ChildMessage,
  ChildRequest,
  ChildResult,
  CompileResult,
  FilesOptions,
  FilesResult,
  ShaderInfo,
  ShaderRef,
} from './protocol.ts';

/** Idle pooled targets above this are freed after a job, so one huge frame does not pin its memory. */
const KEEP_IDLE_BYTES = 256 * 1024 * 1024;

if (!process.send) throw new Error('isolate/child.ts runs as a child process (IsolatedRenderer forks it)');
const init = JSON.parse(process.argv[2] ?? '{}') as ChildInit;
const send = (m: ChildMessage): void => {
  process.send?.(m);
};

dieWithParent(init.parentPid);
// The terminal's Ctrl-C reaches the whole process group: the parent decides what happens, and says 'abort'.
process.on('SIGINT', () => {});

// Without limits (a trusted shader, isolated only against driver crashes) it renders as in-process code does.
const limits = init.limits;
const parseOptions: Omit<ParseOptions, 'path'> = limits
  ? { ...parseLimitsOf(limits), allowImportOutsideFolder: init.allowImportOutsideFolder === true }
  : init.importRoot !== undefined
    ? { importRoot: init.importRoot }
    : {};
const sceneOptions: SceneOptions = limits
  ? {
      platform: guardedPlatform({
        allowImportOutsideFolder: init.allowImportOutsideFolder === true,
        maxImageSide: limits.maxImageSide,
      }),
      limits: sceneLimitsOf(limits),
    }
  : { platform: nodePlatform };

let context: GLContext;
try {
  context = createContext({
    ...(init.device !== undefined ? { device: init.device } : {}),
    ...(limits ? { maxSize: limits.maxRenderSize } : {}),
  }).initialize();
} catch (e) {
  send({ type: 'init-error', error: serializeError(e) });
  process.disconnect();
  process.exit(1);
}

/** The request running now; frames finished report progress to it (the parent's per-frame clock). */
let current: number | undefined;
const aborts = new Map<number, AbortController>();
const afterFrame = context.afterFrame.bind(context);
// Scenes call afterFrame() once per rendered frame, whichever code path renders (jobs, renderToFiles); a
// heartbeat there gives the parent a per-frame time limit without threading callbacks through every layer.
context.afterFrame = () => {
  afterFrame();
  if (current !== undefined) send({ type: 'progress', id: current });
};

function infoOf(doc: ISFDocument): ShaderInfo {
  return {
    name: doc.name,
    kind: doc.kind,
    ...(doc.description !== undefined ? { description: doc.description } : {}),
    ...(doc.credit !== undefined ? { credit: doc.credit } : {}),
    categories: [...doc.categories],
    inputs: doc.inputs.map((i) => ({
      name: i.name,
      type: i.type,
      ...(i.label !== undefined ? { label: i.label } : {}),
    })),
  };
}

function named(id: number, doc: ISFDocument): void {
  send({ type: 'progress', id, name: doc.path ?? doc.name, kind: doc.kind });
}

async function loadDoc(ref: ShaderRef): Promise<ISFDocument> {
  if (ref.source !== undefined) {
    return parseISF(ref.source, {
      ...parseOptions,
      ...(ref.path !== undefined ? { path: ref.path } : {}),
      ...(ref.vertexSource !== undefined ? { vertexSource: ref.vertexSource } : {}),
    });
  }
  if (ref.path === undefined) throw new ISFError('BAD_ARGUMENT', 'A shader needs `path` or `source`');
  return loadISF(ref.path, {
    ...parseOptions,
    ...(ref.vertexSource !== undefined ? { vertexSource: ref.vertexSource } : {}),
  });
}

async function compile(id: number, ref: ShaderRef): Promise<CompileResult> {
  const doc = await loadDoc(ref);
  named(id, doc);
  const scene = new Scene(context, sceneOptions);
  try {
    await scene.useDoc(doc);
    return { name: doc.name, kind: doc.kind, warnings: [...scene.warnings] };
  } finally {
    scene.destroy();
  }
}

async function render(id: number, job: RenderJob): Promise<WireFrame[]> {
  checkJob(job);
  const doc = await loadDoc(job);
  named(id, doc);
  const scene = new Scene(context, sceneOptions);
  try {
    await scene.useDoc(doc);
    const checkImage = limits
      ? (name: string, image: RawImage) => checkRawImage(name, image, limits.maxImageSide)
      : undefined;
    return renderJobFrames(scene, job, checkImage).map(toWireFrame);
  } finally {
    scene.destroy();
  }
}

async function files(
  id: number,
  ref: ShaderRef,
  options: FilesOptions,
  writeDelayMs: number | undefined,
): Promise<FilesResult> {
  const doc = await loadDoc(ref);
  named(id, doc);
  if (options.output === STREAM_OUTPUT && init.stdoutFd === undefined) {
    throw new ISFError(
      'BAD_ARGUMENT',
      "output '-' writes to stdout: create the IsolatedRenderer with { shareStdout: true }",
    );
  }
  const controller = new AbortController();
  aborts.set(id, controller);
  try {
    const { last: _last, ...result } = await renderToFiles(context, doc, {
      ...options,
      ...(init.stdoutFd !== undefined ? { outputFd: init.stdoutFd } : {}),
      ...(writeDelayMs
        ? {
            writeFile: async (path: string, bytes: Uint8Array) => {
              await new Promise((r) => setTimeout(r, writeDelayMs));
              await writeFileAtomic(path, bytes);
            },
          }
        : {}),
      scene: sceneOptions,
      // --workers threads on this child's device (the threads live in this process, under its supervision).
      ...(init.device !== undefined ? { workerContext: { device: init.device } } : {}),
      signal: controller.signal,
      onFrame: (done, total, file) =>
        send({ type: 'progress', id, done, total, ...(file !== undefined ? { file } : {}) }),
      onNotice: (notice) => send({ type: 'progress', id, notice }),
    });
    return result;
  } finally {
    aborts.delete(id);
  }
}

async function run(request: Exclude<ChildRequest, { type: 'abort' }>): Promise<ChildResult> {
  switch (request.type) {
    case 'compile':
      return { type: 'compile', value: await compile(request.id, request.doc) };
    case 'render':
      return { type: 'render', value: await render(request.id, request.job) };
    case 'validate': {
      let info: ShaderInfo | undefined;
      const value = await checkShaderFile(request.file, context, {
        parse: parseOptions,
        draw: request.draw,
        scene: sceneOptions,
        onParsed: (doc) => {
          named(request.id, doc);
          if (request.info) info = infoOf(doc);
        },
      });
      return { type: 'validate', value: info ? { ...value, info } : value };
    }
    case 'files':
      return {
        type: 'files',
        value: await files(request.id, request.doc, request.options, request.writeDelayMs),
      };
    case 'stats':
      return { type: 'stats', value: context.stats() };
  }
}

/** Test hooks: die, block or lose the context the way a bad driver would. */
function fault(kind: ChildFault | undefined): void {
  if (kind === 'crash') process.kill(process.pid, 'SIGSEGV');
  if (kind === 'hang') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
  if (kind === 'lose-context') context.simulateLoss();
}

function isLoss(e: unknown): boolean {
  if (!(e instanceof ISFError)) return false;
  if (e.code === 'GL_CONTEXT_LOST') return true;
  // GLES 3.2 / KHR_robustness report a reset as the GL error GL_CONTEXT_LOST (0x0507).
  const errors = e.details.errors;
  return (
    e.code === 'GL_ERROR' &&
    Array.isArray(errors) &&
    errors.some((x) => /CONTEXT_LOST|0x507\b/.test(String(x)))
  );
}

/**
 * A GPU reset (or any loss) surfaces as GL_CONTEXT_LOST for the job that saw it; the context is recreated here
 * so the next job runs normally. When even that fails, this process is of no further use: exit, and the
 * parent starts a fresh one.
 */
function recover(e: unknown): unknown {
  const lost = isLoss(e) || context.state === 'lost' || context.validate().lost;
  if (!lost) return e;
  try {
    context.reinitialize();
  } catch {
    setImmediate(() => process.exit(75));
  }
  if (e instanceof ISFError && e.code === 'GL_CONTEXT_LOST') return e;
  return new ISFError('GL_CONTEXT_LOST', `The GL context was lost (GPU reset?): ${(e as Error).message}`, {
    cause: e,
    suggestion: 'the isolated worker recreated its context; the next job runs on the new one',
  });
}

process.on('message', async (request: ChildRequest) => {
  if (request.type === 'abort') {
    aborts.get(request.id)?.abort();
    return;
  }
  current = request.id;
  try {
    fault(request.fault);
    const result = await run(request);
    current = undefined;
    send({ type: 'done', id: request.id, result });
  } catch (e) {
    current = undefined;
    send({ type: 'failed', id: request.id, error: serializeError(recover(e)) });
  } finally {
    if (context.state === 'ready' && context.pool.stats().bytes > KEEP_IDLE_BYTES) context.pool.purge();
  }
});

send({ type: 'ready', pid: process.pid, startupMs: Math.round(performance.now()) });
