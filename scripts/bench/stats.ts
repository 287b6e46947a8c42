/**
 * Measurement helpers for scripts/bench.ts. The machine is shared and noisy, so every comparison runs its
 * variants interleaved in blocks (A B B A ...: slow drift cancels out) and is reported as a ratio of medians
 * measured in the same run; absolute times are only context.
 */

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Linear-interpolated quantile (q in 0..1). */
export function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return s[lo]! + (s[hi]! - s[lo]!) * (at - lo);
}

export function round(x: number, digits = 3): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export interface Variant {
  name: string;
  /** Called before each block of this variant (bind its state, make its context current...). */
  begin?: () => void;
  /** One frame; k counts frames of this variant from 0. */
  frame: (k: number) => unknown;
}

export interface InterleaveOptions {
  /** Blocks per variant; even rounds run the variants in order, odd rounds reversed (A B B A). */
  rounds: number;
  framesPerBlock: number;
  /** Untimed frames per variant before the first round (JIT, first allocations, lazy shader variants). */
  warmup?: number;
}

/** Per-frame times in ms of each variant, measured in interleaved blocks. */
export function interleave(variants: Variant[], options: InterleaveOptions): Map<string, number[]> {
  const times = new Map<string, number[]>(variants.map((v) => [v.name, []]));
  const counters = new Map<string, number>(variants.map((v) => [v.name, 0]));
  const next = (v: Variant): number => {
    const k = counters.get(v.name)!;
    counters.set(v.name, k + 1);
    return k;
  };
  for (const v of variants) {
    v.begin?.();
    for (let i = 0; i < (options.warmup ?? 1); i++) v.frame(next(v));
  }
  for (let r = 0; r < options.rounds; r++) {
    const order = r % 2 === 0 ? variants : [...variants].reverse();
    for (const v of order) {
      v.begin?.();
      const list = times.get(v.name)!;
      for (let i = 0; i < options.framesPerBlock; i++) {
        const k = next(v);
        const t = performance.now();
        v.frame(k);
        list.push(performance.now() - t);
      }
    }
  }
  return times;
}

/** Frames per block so that one block takes about `blockMs`, from the time of one sample frame. */
export function framesFor(sampleMs: number, blockMs: number, min: number, max: number): number {
  return Math.max(min, Math.min(max, Math.round(blockMs / Math.max(sampleMs, 0.01))));
}

/** Time of one call in ms. */
export function timeOnce(fn: () => unknown): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

export async function timeOnceAsync(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** A markdown table (the bench's human output; docs/benchmarks.md pastes it). */
export function table(header: string[], rows: (string | number)[][]): string {
  const cell = (v: string | number): string => (typeof v === 'number' ? formatNumber(v) : v);
  return [
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ].join('\n');
}

export function formatNumber(v: number): string {
  if (!Number.isFinite(v) || Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 100) return v.toFixed(0);
  if (a >= 10) return v.toFixed(1);
  if (a >= 1) return v.toFixed(2);
  return v.toFixed(3);
}

export function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}
