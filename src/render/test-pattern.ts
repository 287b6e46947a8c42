/**
 * A built-in test image for filters and transitions run without an input: colour bars over a grey ramp,
 * with orientation markers (yellow square top-left, white square bottom-right), so flips and offsets show.
 * `variant` 1 gives a visibly different image (for a transition's endImage).
 */
import type { RawImage } from './images.ts';

const BARS: [number, number, number][] = [
  [192, 192, 192],
  [192, 192, 0],
  [0, 192, 192],
  [0, 192, 0],
  [192, 0, 192],
  [192, 0, 0],
  [0, 0, 192],
  [16, 16, 16],
];

export function testPattern(width: number, height: number, variant: 0 | 1 = 0): RawImage {
  const data = new Uint8Array(width * height * 4);
  const marker = Math.max(1, Math.round(Math.min(width, height) / 8));
  const barsEnd = Math.round(height * 0.75);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      let rgb: [number, number, number];
      if (x < marker && y < marker) rgb = [255, 255, 0];
      else if (x >= width - marker && y >= height - marker) rgb = [255, 255, 255];
      else if (y < barsEnd) {
        const bar = BARS[Math.min(7, Math.floor((x * 8) / width))]!;
        rgb = variant === 0 ? bar : [bar[2], bar[0], bar[1]];
      } else {
        const g = Math.round((x / Math.max(1, width - 1)) * 255);
        rgb = variant === 0 ? [g, g, g] : [255 - g, 255 - g, 255 - g];
      }
      data[i] = rgb[0];
      data[i + 1] = rgb[1];
      data[i + 2] = rgb[2];
      data[i + 3] = 255;
    }
  }
  return { width, height, data };
}
