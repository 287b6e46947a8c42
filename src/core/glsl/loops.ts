/**
 * W_LONG_LOOP: loops a CPU render will not run in full.
 *
 * Mesa llvmpipe stops a fragment invocation after about 65,000 loop iterations and returns silently (measured:
 * a 30,000-iteration loop ran, 65,000 returned at once with the loop's result zero; ../shared/docs/perf-notes.md),
 * so such a shader renders differently on the CPU and on a GPU, where it may also run for a very long time.
 * Only what the tokens show is flagged: `for (...; i < N; ...)` with a literal N above the cap, and `while (true)`.
 */
import type { Diagnostic } from '../errors.ts';
import { isSignificant, type Token } from './tokenize.ts';

export const LLVMPIPE_LOOP_CAP = 65_000;

export function longLoopWarnings(
  tokens: readonly Token[],
  file: string | undefined,
  lineOffset: number,
): Diagnostic[] {
  const t = tokens.filter(isSignificant);
  const out: Diagnostic[] = [];
  const warn = (at: Token, what: string) => {
    out.push({
      severity: 'warning',
      code: 'W_LONG_LOOP',
      message: `${what}: Mesa llvmpipe (CPU rendering) stops fragment loops after about ${LLVMPIPE_LOOP_CAP.toLocaleString('en')} iterations and returns wrong pixels without an error; a GPU runs it in full and may take very long`,
      file,
      line: at.line + lineOffset,
      column: at.column,
    });
  };
  for (let i = 0; i < t.length; i++) {
    const tok = t[i]!;
    if (tok.kind !== 'ident') continue;
    if (
      tok.text === 'while' &&
      t[i + 1]?.text === '(' &&
      t[i + 2]?.text === 'true' &&
      t[i + 3]?.text === ')'
    ) {
      warn(tok, 'while (true) loop');
    } else if (tok.text === 'for' && t[i + 1]?.text === '(') {
      // The condition sits between the first and second ';' of the header.
      let j = i + 2;
      while (j < t.length && t[j]!.text !== ';' && t[j]!.text !== '{') j++;
      const cond = t.slice(j + 1, j + 4);
      const [, op, bound] = cond;
      if (cond[0]?.kind === 'ident' && (op?.text === '<' || op?.text === '<=') && bound?.kind === 'number') {
        const n = Number.parseFloat(bound.text);
        if (n > LLVMPIPE_LOOP_CAP) warn(tok, `loop of up to ${bound.text} iterations`);
      }
    }
  }
  return out;
}
