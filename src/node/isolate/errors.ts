/** The typed error of a job stopped at its time limit. */
import { ISFError } from '../../core/errors.ts';

export type IsolatedOperation = 'Rendering' | 'Compiling' | 'Validating';

/** An ISFError with code RENDER_TIMEOUT: `instanceof ISFError` and `err.code` work as for every other error. */
export class RenderTimeout extends ISFError {
  override name = 'RenderTimeout';

  constructor(
    /** The shader's path (or name, for a document given as text). */
    readonly shader: string,
    readonly timeoutMs: number,
    operation: IsolatedOperation = 'Rendering',
    details: Record<string, unknown> = {},
  ) {
    super(
      'RENDER_TIMEOUT',
      `${operation} ${shader} did not finish within ${timeoutMs} ms; the worker was stopped`,
      {
        suggestion:
          'the shader may loop forever or do far too much work per pixel; raise the limit only for shaders you trust',
        details: { shader, timeoutMs, operation: operation.toLowerCase(), ...details },
      },
    );
  }
}

/** True for a RENDER_TIMEOUT from any source (IsolatedRenderer, RenderPool, or one that crossed a process). */
export function isRenderTimeout(e: unknown): e is ISFError {
  return e instanceof ISFError && e.code === 'RENDER_TIMEOUT';
}
