/**
 * `isf render a.fs --sweep "amount=0:1:5" --sweep "mode=0,1,2" -o sheet.png`: every combination of the swept
 * values (core/sweep.ts) rendered, each cell as one render of the supervised child (IsolatedRenderer.renderFiles,
 * like any `isf render`), then composed into a labelled contact sheet here, or written one file per cell with
 * an output pattern (cells/%02d.png, %d being the cell index).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ISFDocument } from '../core/document.ts';
import { ISFError } from '../core/errors.ts';
import { parseSweepSpec, type SweepCell, sweepCells, sweepColumns } from '../core/sweep.ts';
import type { InputValue } from '../core/values.ts';
import { type BatchOptions, frameFileName, isPattern } from '../node/batch.ts';
import { cellPosition, composeSheet, sheetLayout } from '../node/contact-sheet.ts';
import { isVideoPath } from '../node/ffmpeg.ts';
import { writeFileAtomic } from '../node/files.ts';
import { imageFormatForPath } from '../node/images.ts';
import type { IsolatedRenderer } from '../node/isolate/renderer.ts';

export interface SweepRun {
  doc: ISFDocument;
  shader: string;
  specs: string[];
  /** Everything of the render but the output and the per-cell values. */
  options: Omit<BatchOptions, 'output'>;
  output: string;
  renderer: IsolatedRenderer;
  onCell?: (done: number, total: number) => void;
}

export interface SweepCellReport {
  index: number;
  values: Record<string, InputValue>;
  label: string;
  file: string;
  /** Position of the cell's image in the sheet (sheet output only). */
  row?: number;
  column?: number;
  x?: number;
  y?: number;
  width: number;
  height: number;
}

export interface SweepResult {
  output: string;
  sheet?: { width: number; height: number; columns: number; rows: number };
  cells: SweepCellReport[];
  interrupted: boolean;
}

/** Checks the specs and the output before any rendering (BAD_ARGUMENT / INPUT_UNKNOWN). */
export function planSweep(doc: ISFDocument, specs: string[], set: Record<string, string>, output: string) {
  const sweeps = specs.map((s) => parseSweepSpec(doc, s));
  for (const s of sweeps) {
    if (set[s.name] !== undefined) {
      throw new ISFError('BAD_ARGUMENT', `"${s.name}" is given both --set and --sweep; keep one`);
    }
  }
  if (isVideoPath(output) || !imageFormatForPath(output)) {
    throw new ISFError(
      'BAD_ARGUMENT',
      `A sweep writes images: use a .png, .jpg or .webp sheet, or a pattern like cells/%02d.png, not ${output}`,
    );
  }
  const cells = sweepCells(sweeps);
  return { sweeps, cells, columns: sweepColumns(sweeps, cells.length) };
}

function labelOf(cell: SweepCell): string {
  return Object.entries(cell.values)
    .map(([name, v]) => `${name}=${v.label}`)
    .join('  ');
}

export async function renderSweep(run: SweepRun): Promise<SweepResult> {
  const { width, height } = run.options;
  const { cells, columns } = planSweep(run.doc, run.specs, run.options.set ?? {}, run.output);
  const pattern = isPattern(run.output);
  const layout = pattern ? undefined : sheetLayout(cells.length, columns, width, height);
  const scratch = pattern ? undefined : await mkdtemp(join(tmpdir(), 'isf-sweep-'));
  const reports: SweepCellReport[] = [];
  try {
    for (const cell of cells) {
      if (run.options.signal?.aborted) break;
      const set = { ...run.options.set };
      for (const [name, v] of Object.entries(cell.values)) set[name] = v.text;
      const file = pattern ? frameFileName(run.output, cell.index) : join(scratch!, `${cell.index}.png`);
      const result = await run.renderer.renderFiles(run.shader, {
        ...run.options,
        // The sheet is 8-bit; one file per cell keeps the depth asked for.
        ...(pattern ? {} : { depth: 8 as const }),
        set,
        output: file,
      });
      if (result.interrupted) break;
      const values: Record<string, InputValue> = {};
      for (const [name, v] of Object.entries(cell.values)) values[name] = v.value;
      reports.push({
        index: cell.index,
        values,
        label: labelOf(cell),
        file,
        ...(layout ? cellPosition(layout, cell.index) : {}),
        width,
        height,
      });
      run.onCell?.(reports.length, cells.length);
    }
    const interrupted = reports.length < cells.length;
    if (interrupted || !layout) return { output: run.output, cells: reports, interrupted };
    const sheet = await composeSheet(
      layout,
      reports.map((r) => ({ image: r.file, label: r.label })),
      imageFormatForPath(run.output)!,
    );
    await writeFileAtomic(run.output, sheet);
    return {
      output: run.output,
      sheet: { width: layout.width, height: layout.height, columns: layout.columns, rows: layout.rows },
      cells: reports.map((r) => ({ ...r, file: run.output })),
      interrupted: false,
    };
  } finally {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  }
}
