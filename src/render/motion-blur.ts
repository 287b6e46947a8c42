/**
 * Motion blur: the TIMEs of a frame's sub-frames and their average. Pure (no GL): the sub-frames are rendered by
 * whoever renders the sequence (src/node/batch.ts, through its FramePipeline) and added here one by one.
 */
import { type FrameData, floatToBytes } from './frame.ts';

/**
 * The TIMEs of the N sub-frames of a frame at `time`: spread over the shutter interval that opens at the frame's
 * own TIME (time + shutter * j / (N * fps), j = 0..N-1), so N = 1 is exactly the plain frame.
 */
export function subFrameTimes(time: number, n: number, shutter: number, fps: number): number[] {
  return Array.from({ length: n }, (_, j) => time + (shutter * j) / (n * fps));
}

/**
 * Averages the sub-frames of one frame at a time, in float (a Float64 sum): 8-bit output is the rounded mean of
 * the 8-bit sub-frames, float output the mean of the float ones (its 8-bit view converted as GL does). The sum
 * is reused from one frame to the next.
 */
export class FrameAverager {
  private sum: Float64Array | undefined;
  private count = 0;
  private width = 0;
  private height = 0;
  private float = false;

  constructor(readonly n: number) {}

  /** Adds a sub-frame; returns the average once `n` have been added (and starts the next frame), else undefined. */
  add(frame: FrameData): FrameData | undefined {
    const float = frame.floatPixels !== undefined;
    const length = frame.width * frame.height * 4;
    if (this.count === 0) {
      if (this.sum?.length !== length) this.sum = new Float64Array(length);
      else this.sum.fill(0);
      this.width = frame.width;
      this.height = frame.height;
      this.float = float;
    }
    const sum = this.sum!;
    const src = float ? frame.floatPixels! : frame.pixels;
    for (let i = 0; i < length; i++) sum[i]! += src[i]!;
    this.count += 1;
    if (this.count < this.n) return undefined;
    this.count = 0;
    return this.average(sum);
  }

  private average(sum: Float64Array): FrameData {
    const { width, height, n } = this;
    if (this.float) {
      const floatPixels = new Float32Array(sum.length);
      for (let i = 0; i < sum.length; i++) floatPixels[i] = sum[i]! / n;
      return { width, height, pixels: floatToBytes(floatPixels), floatPixels };
    }
    const pixels = new Uint8Array(sum.length);
    for (let i = 0; i < sum.length; i++) pixels[i] = Math.round(sum[i]! / n);
    return { width, height, pixels, floatPixels: undefined };
  }
}
