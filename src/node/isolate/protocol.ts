/**
 * Messages between IsolatedRenderer (parent) and its child process (child.ts), sent over the IPC channel with
 * 'advanced' serialization so pixel arrays travel as typed arrays. One request runs at a time; the child
 * answers each with exactly one `done` or `failed`, and may send `progress` before that (the parent restarts
 * the request's time limit on each one: the limit is per frame).
 */
import type { Diagnostic } from '../../core/errors.ts';
import type { ContextStats } from '../../render/context.ts';
import type { BatchOptions, BatchResult } from '../batch.ts';
import type { ChildFault } from '../faults.ts';
import type { RenderJob, WireError, WireFrame } from '../render-job.ts';
import type { UntrustedLimits } from './limits.ts';

/** What the child is started with (argv[2], JSON). */
export interface ChildInit {
  /** Absent: a trusted shader, isolated only against driver crashes (no untrusted limits). */
  limits?: UntrustedLimits;
  /** The parent's pid: the child exits when it is no longer its parent. */
  parentPid: number;
  device?: 'cpu' | 'gpu' | number;
  allowImportOutsideFolder?: boolean;
  /** Trusted (no limits) only: the tree IMPORTED paths may climb into (ParseOptions.importRoot). */
  importRoot?: string;
  /** The parent's stdout, as this descriptor of the child: where a `files` request with output '-' writes. */
  stdoutFd?: number;
  /** Compiled scenes the child keeps, by document (default 8). */
  maxScenes?: number;
}

/** A shader document by path, or by text (`path` then only names it and anchors IMPORTED files). */
export interface ShaderRef {
  path?: string;
  source?: string;
  vertexSource?: string;
}

/** The part of BatchOptions that can cross a process boundary (no signal, no callbacks). */
export type FilesOptions = Omit<BatchOptions, 'signal' | 'onFrame' | 'onNotice' | 'writeFile' | 'outputFd'>;

export interface ShaderReport {
  ok: boolean;
  kind: string | null;
  errors: Diagnostic[];
  warnings: Diagnostic[];
  /** The document's metadata, when asked for (`info: true`) and the document parsed. */
  info?: ShaderInfo;
}

/** What a gallery shows of a shader: its metadata as the document states it (untrusted text). */
export interface ShaderInfo {
  name: string;
  kind: string;
  description?: string;
  credit?: string;
  categories: string[];
  inputs: { name: string; type: string; label?: string }[];
}

export type ChildRequest =
  | { type: 'compile'; id: number; doc: ShaderRef; fault?: ChildFault }
  | { type: 'render'; id: number; job: RenderJob; fault?: ChildFault }
  | { type: 'validate'; id: number; file: string; draw: boolean; info?: boolean; fault?: ChildFault }
  | {
      type: 'files';
      id: number;
      doc: ShaderRef;
      options: FilesOptions;
      fault?: ChildFault;
      /** Tests only (faults.ts): slow every write by this long. */
      writeDelayMs?: number;
    }
  | { type: 'stats'; id: number; fault?: ChildFault }
  /** Stop a running `files` request after its current frame (Ctrl-C in the CLI). */
  | { type: 'abort'; id: number };

export interface CompileResult {
  name: string;
  kind: string;
  warnings: Diagnostic[];
}

export type FilesResult = Omit<BatchResult, 'last'>;

export type ChildResult =
  | { type: 'compile'; value: CompileResult }
  | { type: 'render'; value: WireFrame[] }
  | { type: 'validate'; value: ShaderReport }
  | { type: 'files'; value: FilesResult }
  | { type: 'stats'; value: ContextStats };

export type ChildMessage =
  | { type: 'ready'; pid: number; startupMs: number }
  | { type: 'init-error'; error: WireError }
  /** The document parsed (names the shader in later errors) or a frame finished (restarts the time limit). */
  | {
      type: 'progress';
      id: number;
      name?: string;
      kind?: string;
      done?: number;
      total?: number;
      /** With `done`: the file that frame was written to, when it was. */
      file?: string;
      notice?: string;
    }
  | { type: 'done'; id: number; result: ChildResult }
  | { type: 'failed'; id: number; error: WireError };
