/**
 * Checking one shader file: parse (every error and warning), generate GLSL, optionally compile it on a context
 * and draw one tiny frame. `isf validate` runs this in-process (--no-isolate) or in the isolated child.
 *
 * The draw catches what only shows at draw time: a loop that never ends, a driver crash, pass sizes over the
 * limits. It is 8x8 so that a normal shader costs a millisecond or two.
 */
import type { ISFDocument, ParseOptions } from '../../core/document.ts';
import { ISFError, inReadingOrder } from '../../core/errors.ts';
import { generateShaders } from '../../core/glsl/index.ts';
import type { GLContext } from '../../render/context.ts';
import { Scene, type SceneOptions } from '../../render/scene.ts';
import { validateFile } from '../load.ts';
import type { ShaderReport } from './protocol.ts';

export const CHECK_FRAME_SIZE = 8;

export interface CheckOptions {
  parse?: Omit<ParseOptions, 'path'>;
  /** Also draw one CHECK_FRAME_SIZE frame with default values (needs a context). */
  draw?: boolean;
  /** Scene options for the draw (platform for IMPORTED images, limits). */
  scene?: SceneOptions;
  /** Called once the document parsed, before any GL work (the isolated child reports it to its parent). */
  onParsed?: (doc: ISFDocument) => void;
}

export async function checkShaderFile(
  file: string,
  context?: GLContext,
  options: CheckOptions = {},
): Promise<ShaderReport> {
  const result = await validateFile(file, options.parse);
  const errors = result.diagnostics.filter((d) => d.severity === 'error');
  const warnings = result.diagnostics.filter((d) => d.severity === 'warning');
  const doc = result.document;
  const fail = (e: unknown): void => {
    if (!(e instanceof ISFError)) throw e;
    if (e.diagnostics.length > 0) errors.push(...e.diagnostics.filter((d) => d.severity === 'error'));
    if (!errors.length) errors.push(e.toDiagnostic());
  };
  if (doc && errors.length === 0) {
    options.onParsed?.(doc);
    try {
      const shaders = generateShaders(doc);
      warnings.push(...shaders.warnings);
      if (context) {
        // Strict ES 3.00 first, as a browser would compile it (the draw below may then fall back to ES 3.10).
        context.programs.release(
          context.programs.acquire(shaders, { fragment: doc.path, vertex: doc.vertexPath }),
        );
        if (options.draw) await drawOnce(context, doc, options.scene);
      }
    } catch (e) {
      fail(e);
    }
  }
  // Parse and GLSL diagnostics were found stage by stage: report them as the file reads.
  return {
    ok: errors.length === 0,
    kind: doc?.kind ?? null,
    errors: inReadingOrder(errors, doc?.path),
    warnings: inReadingOrder(warnings, doc?.path),
  };
}

async function drawOnce(context: GLContext, doc: ISFDocument, options: SceneOptions = {}): Promise<void> {
  const scene = new Scene(context, options);
  try {
    await scene.useDoc(doc);
    scene.render({ width: CHECK_FRAME_SIZE, height: CHECK_FRAME_SIZE, date: new Date(0) });
  } finally {
    scene.destroy();
  }
}
