/**
 * The committed per-file conformance baseline (conformance-baseline.json, written by
 * `npm run conformance:baseline`) and its comparison: a render's difference from the VVISF-GL reference may
 * only go down, and a render in the baseline may not leave the compared set.
 */
import { fileURLToPath } from 'node:url';
import type { ConformanceEntry } from '../../src/node/conformance.ts';

export const BASELINE_FILE = fileURLToPath(new URL('conformance-baseline.json', import.meta.url));

export interface BaselineFigures {
  mean: number;
  max: number;
  badPixels: number;
}

/** `corpus/file@frames` -> figures, for every entry compared with a reference image. */
export type Baseline = Record<string, BaselineFigures>;

export const keyOf = (e: ConformanceEntry): string => `${e.corpus}/${e.file}@${e.frames}`;

export function baselineOf(entries: ConformanceEntry[]): Baseline {
  const out: Baseline = {};
  for (const e of entries) {
    if (e.reference !== 'compared' || !e.diff) continue;
    out[keyOf(e)] = { mean: e.diff.mean, max: e.diff.max, badPixels: e.diff.badPixels };
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Relative slack for float summation order only (the figures are sums over the same pixels). */
const EPSILON = 1e-9;

/** Every regression against the baseline, one line each; and the renders that improved or are new. */
export function compareBaseline(
  baseline: Baseline,
  current: Baseline,
): { regressions: string[]; improved: string[]; added: string[] } {
  const regressions: string[] = [];
  const improved: string[] = [];
  for (const [key, was] of Object.entries(baseline)) {
    const now = current[key];
    if (!now) {
      regressions.push(
        `${key}: no longer compared with its reference image (was mean ${was.mean.toFixed(4)})`,
      );
      continue;
    }
    const worse = (['mean', 'max', 'badPixels'] as const).filter(
      (f) => now[f] > was[f] + EPSILON * Math.max(1, was[f]),
    );
    if (worse.length > 0) {
      regressions.push(`${key}: ${worse.map((f) => `${f} ${was[f]} -> ${now[f]}`).join(', ')}`);
    } else if (now.mean < was.mean || now.max < was.max || now.badPixels < was.badPixels) {
      improved.push(key);
    }
  }
  const added = Object.keys(current).filter((k) => !(k in baseline));
  return { regressions, improved, added };
}
