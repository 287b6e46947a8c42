/**
 * A labelled contact sheet: equal-sized images in a grid, each with a line of text under it, composed by sharp
 * (labels are SVG text rendered by librsvg, so no font or canvas dependency beyond sharp's own).
 */
import { ISFError } from '../core/errors.ts';
import { type ImageFormat, loadSharp } from './images.ts';

/** Largest sheet side: libvips and the image formats handle it, and a sheet beyond it is not looked at anyway. */
export const MAX_SHEET_SIDE = 16384;

export interface SheetLayout {
  columns: number;
  rows: number;
  cellWidth: number;
  cellHeight: number;
  /** Height of the label strip under each cell. */
  labelHeight: number;
  gap: number;
  width: number;
  height: number;
}

/** Where cell `index` lies (its image's top-left corner). */
export function cellPosition(
  layout: SheetLayout,
  index: number,
): { row: number; column: number; x: number; y: number } {
  const row = Math.floor(index / layout.columns);
  const column = index % layout.columns;
  return {
    row,
    column,
    x: layout.gap + column * (layout.cellWidth + layout.gap),
    y: layout.gap + row * (layout.cellHeight + layout.labelHeight + layout.gap),
  };
}

/** The grid for `cells` cells of cellWidth x cellHeight; BAD_ARGUMENT when the sheet would be too large. */
export function sheetLayout(
  cells: number,
  columns: number,
  cellWidth: number,
  cellHeight: number,
): SheetLayout {
  const cols = Math.max(1, Math.min(columns, cells));
  const rows = Math.ceil(cells / cols);
  const labelHeight = Math.min(32, Math.max(14, Math.round(cellHeight * 0.12)));
  const gap = 4;
  const width = gap + cols * (cellWidth + gap);
  const height = gap + rows * (cellHeight + labelHeight + gap);
  if (width > MAX_SHEET_SIDE || height > MAX_SHEET_SIDE) {
    throw new ISFError(
      'BAD_ARGUMENT',
      `a contact sheet of ${rows} x ${cols} cells of ${cellWidth}x${cellHeight} would be ${width}x${height}, above ${MAX_SHEET_SIDE} per side`,
      { suggestion: 'use a smaller --size, or an output pattern (cells/%02d.png) for one file per cell' },
    );
  }
  return { columns: cols, rows, cellWidth, cellHeight, labelHeight, gap, width, height };
}

/** Text for SVG: labels come from shader input names and values (untrusted), so every markup character is escaped. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function labelSvg(text: string, width: number, height: number): Buffer {
  const size = Math.round(height * 0.62);
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
      `<text x="3" y="${Math.round(height * 0.75)}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="${size}" fill="#f0f0f0">${escapeXml(text)}</text></svg>`,
  );
}

/** Composes the sheet: `images` are encoded image files (paths or bytes) of cellWidth x cellHeight, in cell order. */
export async function composeSheet(
  layout: SheetLayout,
  cells: { image: string | Buffer; label: string }[],
  format: ImageFormat,
): Promise<Buffer> {
  const sharp = await loadSharp();
  const layers = cells.flatMap((cell, index) => {
    const { x, y } = cellPosition(layout, index);
    return [
      { input: cell.image, left: x, top: y },
      {
        input: labelSvg(cell.label, layout.cellWidth, layout.labelHeight),
        left: x,
        top: y + layout.cellHeight,
      },
    ];
  });
  const sheet = sharp({
    create: {
      width: layout.width,
      height: layout.height,
      channels: 4,
      background: { r: 30, g: 30, b: 30, alpha: 1 },
    },
  }).composite(layers);
  return format === 'jpeg' ? sheet.jpeg({ quality: 92 }).toBuffer() : sheet.toFormat(format).toBuffer();
}
