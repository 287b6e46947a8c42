/**
 * Shaders for the untrusted-input tests, and the isolated children of this process (the other process checks
 * are in test/helpers.ts).
 *
 * Mesa's llvmpipe caps every fragment invocation at about 65,000 loop iterations in total (a `while (true)`
 * or a billion-iteration loop returns early, silently), so an "endless" shader that is to hang on the CPU too
 * needs a loop body that is expensive in itself: 256 dependent sin() per iteration (a macro expansion) makes
 * even the capped loop take about 4 s for an 8x8 frame and minutes for 64x64. On a GPU the loop is endless
 * as written: x stays in [-1, 1], so `x > 2.0` never breaks it, and the compiler cannot prove the loop ends.
 */

import { readFileSync } from 'node:fs';
import { childrenOf } from '../helpers.ts';

const HEAVY_BODY = [
  '#define STEP1 x = sin(x * 1.0001 + seed);',
  '#define STEP4 STEP1 STEP1 STEP1 STEP1',
  '#define STEP16 STEP4 STEP4 STEP4 STEP4',
  '#define STEP64 STEP16 STEP16 STEP16 STEP16',
  '#define STEP256 STEP64 STEP64 STEP64 STEP64',
].join('\n');

export const ENDLESS = `/*{ "ISFVSN": "2", "DESCRIPTION": "never finishes",
  "INPUTS": [ { "NAME": "seed", "TYPE": "float", "DEFAULT": 0.5 } ] }*/
${HEAVY_BODY}
void main() {
  float x = seed + isf_FragNormCoord.x + TIME;
  while (true) {
    STEP256
    if (x > 2.0) break;
  }
  gl_FragColor = vec4(x, 0.0, 0.0, 1.0);
}
`;

/** ENDLESS on four lanes: four times the work per iteration, so even an 8x8 draw takes ~15 s on llvmpipe. */
export const DRAW_HANG = `/*{ "ISFVSN": "2", "INPUTS": [ { "NAME": "seed", "TYPE": "float", "DEFAULT": 0.5 } ] }*/
${HEAVY_BODY.replace('x = sin(x * 1.0001 + seed);', 'x = sin(x * 1.0001 + vec4(seed, 0.1, 0.2, 0.3));')}
void main() {
  vec4 x = vec4(seed + isf_FragNormCoord.x + TIME);
  while (true) {
    STEP256
    if (x.x > 2.0) break;
  }
  gl_FragColor = x;
}
`;

/** A constant color: every pixel is exactly [64, 128, 191, 255]. */
export const VALID = `/*{ "ISFVSN": "2", "INPUTS": [ { "NAME": "level", "TYPE": "float", "DEFAULT": 0.5 } ] }*/
void main() {
  gl_FragColor = vec4(0.25, level, 0.75, 1.0);
}
`;
export const VALID_PIXEL = [64, 128, 191, 255];

/**
 * A compile that never ends on Mesa: 4^7 = 16,384 dependent statements from nested macros (a few bytes of
 * source). Measured: no result after 60 s, memory flat at ~250 MB.
 */
export const COMPILE_BOMB = `/*{ "ISFVSN": "2", "INPUTS": [ { "NAME": "seed", "TYPE": "float", "DEFAULT": 0.5 } ] }*/
#define A0 x = fract(x * 1.0001 + seed);
#define A1 A0 A0 A0 A0
#define A2 A1 A1 A1 A1
#define A3 A2 A2 A2 A2
#define A4 A3 A3 A3 A3
#define A5 A4 A4 A4 A4
#define A6 A5 A5 A5 A5
#define A7 A6 A6 A6 A6
void main() {
  float x = isf_FragNormCoord.x;
  A7
  gl_FragColor = vec4(x, 0.0, 0.0, 1.0);
}
`;

/**
 * A shader that crashes Mesa's compiler (SIGSEGV, measured on this machine's Mesa in about a second): a
 * constant-bounded loop that the compiler unrolls, whose body is 2,000 dependent sin() calls (written out:
 * through macros the preprocessor alone takes seconds).
 * On another driver it may compile; tests that need the crash check for it first (driverCrashes()).
 */
export const DRIVER_CRASH = `/*{ "ISFVSN": "2", "DESCRIPTION": "crashes the GL driver's compiler" }*/
void main() {
  float x = isf_FragNormCoord.x;
  for (int i = 0; i < 100; i++) {
${Array.from({ length: 2000 }, (_, k) => `    x = sin(x * 1.01 + ${k % 7}.0);`).join('\n')}
  }
  gl_FragColor = vec4(x, 0.0, 0.0, 1.0);
}
`;

/** A valid shader number k (distinct sources, so none is served from another's compile). */
export function validShader(k: number): string {
  return `/*{ "ISFVSN": "2", "DESCRIPTION": "fixture ${k}",
  "INPUTS": [ { "NAME": "amount", "TYPE": "float", "DEFAULT": ${(k % 10) / 10} } ] }*/
void main() {
  gl_FragColor = vec4(isf_FragNormCoord.x * amount, ${(k % 7) / 7}, 0.5, 1.0);
}
`;
}

/** Pids of the live isolated children of this process (Linux /proc), for "nothing left behind" checks. */
export async function isolatedChildren(): Promise<number[]> {
  return childrenOf(process.pid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('isolate/child.ts');
    } catch {
      return false; // gone meanwhile
    }
  });
}
