/**
 * Conformance against the reference implementation (VVISF-GL): renders each shader of ../shared/corpus under
 * ../shared/reference/PROTOCOL.md (320x180, TIME = k/30, frame F saved, inputImage/startImage = input-a,
 * endImage = input-b, other image inputs unbound) and compares with the reference PNG.
 *
 * Used by `npm run conformance` (writes conformance.md/.json) and by the conformance test.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { ISFDocument } from '../core/document.ts';
import { ISFError } from '../core/errors.ts';
import type { GLContext } from '../render/context.ts';
import type { RawImage } from '../render/images.ts';
import { Scene } from '../render/scene.ts';
import { decodeImage } from './images.ts';
import { loadISF } from './load.ts';
import { nodePlatform } from './platform.ts';

export interface ManifestRow {
  corpus: 'tests' | 'isf-files';
  file: string;
  frames: number;
  width: number;
  height: number;
  status: string;
  note: string;
}

export interface ImageDiff {
  /** Mean absolute difference per channel value (0..255), over RGBA. */
  mean: number;
  /** Largest absolute difference of any channel. */
  max: number;
  /** Fraction of pixels with any channel differing by more than 8. */
  badPixels: number;
}

export interface ConformanceEntry {
  corpus: string;
  file: string;
  frames: number | null;
  parse: 'ok' | 'error';
  compile: 'ok' | 'error' | 'skipped';
  render: 'ok' | 'error' | 'skipped';
  error?: { code: string; message: string; line?: number };
  reference: 'compared' | 'none' | 'skipped-date' | 'skipped-audio' | 'reference-error' | 'unbound-inputs';
  diff?: ImageDiff;
  ms?: number;
}

export function readManifest(shared: string): ManifestRow[] {
  const text = readFileSync(join(shared, 'reference/vvisf/manifest.tsv'), 'utf8');
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [corpus, file, frames, width, height, status, note] = line.split('\t');
      return {
        corpus: corpus as ManifestRow['corpus'],
        file: file!,
        frames: Number(frames),
        width: Number(width),
        height: Number(height),
        status: status!,
        note: note ?? '',
      };
    });
}

export function corpusDir(shared: string, corpus: string): string {
  return join(shared, 'corpus', corpus === 'tests' ? 'isf-tests' : 'isf-files');
}

export function referenceImagePath(
  shared: string,
  row: Pick<ManifestRow, 'corpus' | 'file' | 'frames'>,
): string {
  return join(shared, 'reference/vvisf', row.corpus, `${basename(row.file, '.fs')}.f${row.frames}.png`);
}

export function compareImages(a: RawImage, b: RawImage): ImageDiff {
  if (a.width !== b.width || a.height !== b.height) {
    return { mean: 255, max: 255, badPixels: 1 };
  }
  let sum = 0;
  let max = 0;
  let bad = 0;
  const n = a.width * a.height;
  for (let p = 0; p < n; p++) {
    let worst = 0;
    for (let c = 0; c < 4; c++) {
      const d = Math.abs(a.data[p * 4 + c]! - b.data[p * 4 + c]!);
      sum += d;
      if (d > worst) worst = d;
    }
    if (worst > max) max = worst;
    if (worst > 8) bad += 1;
  }
  return { mean: sum / (n * 4), max, badPixels: bad / n };
}

/** Binds the protocol's inputs: inputImage/startImage = input-a, endImage = input-b; others stay unbound. */
export async function bindProtocolInputs(scene: Scene, doc: ISFDocument, shared: string): Promise<string[]> {
  const a = await decodeImage(join(shared, 'reference/inputs/input-a.png'));
  const b = await decodeImage(join(shared, 'reference/inputs/input-b.png'));
  const unbound: string[] = [];
  for (const input of doc.inputs) {
    if (input.type !== 'image') continue;
    if (input.name === 'inputImage' || input.name === 'startImage') scene.setImageData(input.name, a);
    else if (input.name === 'endImage') scene.setImageData(input.name, b);
    else unbound.push(input.name);
  }
  return unbound;
}

/** Renders frame F (1-based count) of a document under the protocol, frames one after another in one scene. */
export async function renderProtocol(
  context: GLContext,
  doc: ISFDocument,
  shared: string,
  frames: number,
  size = { width: 320, height: 180 },
): Promise<{ image: RawImage; unbound: string[] }> {
  const scene = new Scene(context, { platform: nodePlatform });
  try {
    await scene.useDoc(doc);
    const unbound = await bindProtocolInputs(scene, doc, shared);
    let last: RawImage | undefined;
    for (let k = 0; k < frames; k++) {
      const f = scene.render({ ...size, time: k / 30, date: new Date(2020, 0, 1, 12, 0, 0) });
      last = { width: f.width, height: f.height, data: f.pixels };
    }
    return { image: last!, unbound };
  } finally {
    scene.destroy();
  }
}

/** Every .fs of the corpus, with the manifest's frame counts (frames 1 when the reference has none). */
export function corpusShaders(
  shared: string,
): { corpus: string; file: string; frames: number[]; row?: ManifestRow[] }[] {
  const manifest = readManifest(shared);
  const out: { corpus: string; file: string; frames: number[]; row?: ManifestRow[] }[] = [];
  for (const corpus of ['tests', 'isf-files']) {
    const dir = corpusDir(shared, corpus);
    if (!existsSync(dir)) continue;
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.fs'))
      .sort()) {
      const rows = manifest.filter((r) => r.corpus === corpus && r.file === file);
      out.push({ corpus, file, frames: rows.length ? rows.map((r) => r.frames) : [1], row: rows });
    }
  }
  return out;
}

/** Runs the whole conformance check. */
export async function runConformance(
  context: GLContext,
  shared: string,
  onEntry?: (e: ConformanceEntry) => void,
): Promise<ConformanceEntry[]> {
  const entries: ConformanceEntry[] = [];
  for (const shader of corpusShaders(shared)) {
    const path = join(corpusDir(shared, shader.corpus), shader.file);
    let doc: ISFDocument | undefined;
    try {
      doc = await loadISF(path);
    } catch (e) {
      const entry = errorEntry(shader.corpus, shader.file, null, 'parse', e);
      entries.push(entry);
      onEntry?.(entry);
      continue;
    }
    for (const frames of shader.frames) {
      const row = shader.row?.find((r) => r.frames === frames);
      const t0 = performance.now();
      let entry: ConformanceEntry;
      try {
        const { image, unbound } = await renderProtocol(context, doc, shared, frames);
        entry = {
          corpus: shader.corpus,
          file: shader.file,
          frames,
          parse: 'ok',
          compile: 'ok',
          render: 'ok',
          reference: 'none',
        };
        if (row?.status === 'ok') {
          const ref = await decodeImage(referenceImagePath(shared, row));
          entry.diff = compareImages(image, ref);
          entry.reference = unbound.length ? 'unbound-inputs' : 'compared';
        } else if (row?.status === 'skipped-date') entry.reference = 'skipped-date';
        else if (row?.status === 'skipped-audio') entry.reference = 'skipped-audio';
      } catch (e) {
        const stage = e instanceof ISFError && e.code.startsWith('GLSL_') ? 'compile' : 'render';
        entry = errorEntry(shader.corpus, shader.file, frames, stage, e);
      }
      entry.ms = Math.round(performance.now() - t0);
      entries.push(entry);
      onEntry?.(entry);
    }
  }
  return entries;
}

function errorEntry(
  corpus: string,
  file: string,
  frames: number | null,
  stage: 'parse' | 'compile' | 'render',
  e: unknown,
): ConformanceEntry {
  const err = e instanceof ISFError ? e : undefined;
  return {
    corpus,
    file,
    frames,
    parse: stage === 'parse' ? 'error' : 'ok',
    compile: stage === 'parse' ? 'skipped' : stage === 'compile' ? 'error' : 'ok',
    render: stage === 'render' ? 'error' : 'skipped',
    error: {
      code: err?.code ?? 'INTERNAL',
      message: err?.message ?? String((e as Error)?.message ?? e),
      ...(err?.line !== undefined ? { line: err.line } : {}),
    },
    reference: 'none',
  };
}
