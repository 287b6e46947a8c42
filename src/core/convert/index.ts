/**
 * `isf convert` in the core: Shadertoy (one `.glsl`, pass files with a channel map, or API JSON) and GLSL Sandbox
 * shaders to ISF. Pure: files in as strings, `.fs` text out; reading folders and writing files is src/node/convert.ts.
 */
import { ISFError } from '../errors.ts';
import { normalizeNewlines, tokenize } from '../glsl/tokenize.ts';
import { isShadertoyJson, projectsFromJson, type ShadertoyProject } from './project.ts';
import { convertSandbox } from './sandbox.ts';
import { convertShadertoy, type ShadertoyOptions } from './shadertoy.ts';
import type { ConvertResult, SourceKind } from './write.ts';

export type { ChannelInput, ShadertoyPass, ShadertoyProject } from './project.ts';
export { bufferLetterOf, channelFromMap, isShadertoyJson, projectsFromJson } from './project.ts';
export { convertSandbox } from './sandbox.ts';
export { convertShadertoy, type ShadertoyOptions } from './shadertoy.ts';
export type { ConvertResult, SourceKind } from './write.ts';

const SANDBOX_UNIFORMS = new Set(['time', 'resolution', 'mouse', 'backbuffer', 'surfaceSize']);

/** What a text is: Shadertoy code or API JSON, GLSL Sandbox code, ISF already, or none of these. */
export type DetectedKind = SourceKind | 'shadertoy-json' | 'isf' | 'unknown';

/** Detects the kind of a shader source from its tokens (never from plain text matches inside comments). */
export function detectSourceKind(text: string): DetectedKind {
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (trimmed.startsWith('{')) {
    try {
      if (isShadertoyJson(JSON.parse(trimmed))) return 'shadertoy-json';
    } catch {
      // not JSON: look at it as GLSL
    }
  }
  if (/^\/\*\s*\{/.test(trimmed)) return 'isf';
  const idents = new Set<string>();
  const tokens = tokenize(normalizeNewlines(trimmed)).filter((t) => t.kind !== 'ws' && t.kind !== 'comment');
  let sandboxUniform = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'ident') continue;
    idents.add(t.text);
    // `uniform float time;` / `uniform vec2 resolution;`: the sandbox's own uniforms, even when the code
    // wraps a pasted Shadertoy mainImage() in its main().
    if (t.text === 'uniform' && SANDBOX_UNIFORMS.has(tokens[i + 2]?.text ?? '')) sandboxUniform = true;
  }
  if (sandboxUniform && idents.has('main')) return 'sandbox';
  if (idents.has('mainImage')) return 'shadertoy';
  if (idents.has('main') && (idents.has('resolution') || idents.has('time') || idents.has('backbuffer')))
    return 'sandbox';
  return 'unknown';
}

export interface ConvertOptions extends ShadertoyOptions {
  /** Force the source kind instead of detecting it. */
  from?: SourceKind;
  /** The source's file, for located warnings and errors. */
  file?: string;
}

/**
 * Converts one source text. API JSON holding several shaders gives one result each; anything else gives one.
 * Throws CONVERT_SOURCE for text that is none of the supported kinds.
 */
export function convertSource(text: string, options: ConvertOptions = {}): ConvertResult[] {
  const kind = detectSourceKind(text);
  const where = options.file === undefined ? {} : { file: options.file };
  if (kind === 'shadertoy-json') {
    const { projects, warnings } = projectsFromJson(
      JSON.parse(text.replace(/^\uFEFF/, '')),
      options.file ?? '<json>',
    );
    return projects.map((p, i) => {
      const r = convertShadertoy(p, options);
      if (i === 0) r.warnings.unshift(...warnings);
      return r;
    });
  }
  const from = options.from ?? (kind === 'shadertoy' || kind === 'sandbox' ? kind : undefined);
  if (from === undefined) {
    throw new ISFError(
      'CONVERT_SOURCE',
      kind === 'isf'
        ? 'this file is ISF already (it starts with a /*{ JSON header }*/): nothing to convert'
        : 'this is neither a Shadertoy shader (no mainImage function) nor a GLSL Sandbox shader (no main() using time/resolution)',
      { ...where, suggestion: 'Pass --from shadertoy or --from sandbox if you know what it is' },
    );
  }
  if (from === 'sandbox') return [convertSandbox(text, where)];
  const project: ShadertoyProject = {
    info: {},
    passes: [{ kind: 'image', name: 'Image', code: text, inputs: [], ...where }],
  };
  return [convertShadertoy(project, options)];
}

/** Extensions under which a Shadertoy or GLSL Sandbox source is converted on load (`isf render shader.glsl`). */
export const CONVERTIBLE_EXTENSIONS = ['.glsl', '.frag', '.json', '.txt'];

/**
 * For loaders: the ISF text of a Shadertoy or GLSL Sandbox source, converted on the fly, or undefined when the text
 * is not one (ISF, or anything else: the ISF parser then says what is wrong). API JSON with several shaders is
 * refused: which one to render is not for a loader to guess.
 */
export function convertForLoading(text: string, file: string): ConvertResult | undefined {
  const kind = detectSourceKind(text);
  if (kind === 'isf' || kind === 'unknown') return undefined;
  const results = convertSource(text, { file });
  if (results.length !== 1) {
    throw new ISFError('CONVERT_SOURCE', `${file} holds ${results.length} shaders; convert them first`, {
      file,
      suggestion: `isf convert ${file} -o <folder>`,
    });
  }
  return results[0];
}
