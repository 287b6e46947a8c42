/**
 * ISFDocument → GLSL ES vertex + fragment shader source. The rules are listed in index.ts and docs/glsl.md.
 */

import { throwIfStrict } from '../dialects.ts';
import type { ISFDocument, LineOrigin } from '../document.ts';
import { type Diagnostic, invalidParameter } from '../errors.ts';
import { type CondState, conditionStates } from './conditions.ts';
import { explicitConversions } from './conversions.ts';
import { type ExtensionPlan, planExtensions } from './extensions.ts';
import { forwardingOverloads } from './forwarding.ts';
import { samplerHelpers } from './helpers.ts';
import { hoistGlobalInitializers } from './hoist.ts';
import { longLoopWarnings } from './loops.ts';
import {
  type Declarations,
  findDeclarations,
  findES300Collisions,
  globalFunctionSignatures,
  isES300Reserved,
  RENAME_PREFIX,
} from './rename.ts';
import { type HelperName, type ImageInfo, rewriteTokens } from './rewrite.ts';
import { normalizeNewlines, type Token, tokenize } from './tokenize.ts';
import type { GeneratedShaders, GenerateOptions, GLSLDialect, SamplerInfo } from './types.ts';

/** ISF v1 names, renamed token by token (never inside comments or longer identifiers). */
const V1_RENAMES: ReadonlyArray<[string, string]> = [
  ['vv_FragNormCoord', 'isf_FragNormCoord'],
  ['vv_vertShaderInit', 'isf_vertShaderInit'],
];

/**
 * ES 1.00 texture functions mapped to their ES 3.00 forms with a #define (es300 only), emitted only when the user
 * code mentions the name and does not declare it itself. texture2DRect takes pixel coordinates, so it is mapped
 * to a normalising macro rather than to plain texture().
 */
const ES100_TEXTURE_DEFINES: ReadonlyArray<[string, string]> = [
  ['texture2D', '#define texture2D texture'],
  ['texture2DProj', '#define texture2DProj textureProj'],
  ['texture2DLod', '#define texture2DLod textureLod'],
  ['texture2DProjLod', '#define texture2DProjLod textureProjLod'],
  ['textureCube', '#define textureCube texture'],
  ['textureCubeLod', '#define textureCubeLod textureLod'],
  ['texture2DRect', '#define texture2DRect(s, p) texture(s, (p) / vec2(textureSize(s, 0)))'],
];

/**
 * Default precisions, the same in both stages and every dialect. GLSL ES gives sampler2D and samplerCube a
 * default of lowp (ES 1.00 §4.5.3, ES 3.00 §4.5.4), and Mesa llvmpipe acts on it: a lowp lookup is filtered at
 * lower precision, a highp one in float, as desktop GL (VVISF-GL, the reference implementation) always does.
 * Those are the only sampler types the prelude declares; the others (sampler3D, sampler2DArray, the shadow and
 * integer samplers) have no default in ES 3.00, so a shader that declares one states its own precision, and the
 * forwarding overloads name highp on theirs. Measurements: docs/glsl.md, Precision.
 */
const PRECISION = [
  'precision highp float;',
  'precision highp int;',
  'precision highp sampler2D;',
  'precision highp samplerCube;',
];

const BUILTIN_UNIFORMS = [
  'uniform int PASSINDEX;',
  'uniform vec2 RENDERSIZE;',
  'uniform float TIME;',
  'uniform float TIMEDELTA;',
  'uniform vec4 DATE;',
  'uniform int FRAMEINDEX;',
  // (0, 0) normally (also when left unset); (1, height) when the renderer draws the pass upside down, so that GL's
  // bottom-up readback hands over the rows top row first (the GPU flip: no pass over the pixels on the CPU).
  // See flipDefines().
  'uniform vec2 isf_FlipY;',
];

/**
 * Whether a fragment shader may leave pixels unwritten. Read on the final text (includes expanded), erring towards
 * yes: the word in a comment counts, and so does any `##` (a token pasted together could spell it).
 */
function mayDiscard(fragment: string): boolean {
  return /\bdiscard\b/.test(fragment) || fragment.includes('##');
}

export function generateShaders(doc: ISFDocument, options: GenerateOptions = {}): GeneratedShaders {
  const dialect = options.dialect ?? 'es300';
  if (dialect !== 'es300' && dialect !== 'es100' && dialect !== 'es310') {
    throw invalidParameter('options.dialect', "'es300', 'es100' or 'es310'", dialect);
  }
  const warnings: Diagnostic[] = [];
  const renamed: { from: string; to: string }[] = [];
  const globalRenames = renameDocumentNames(doc, dialect, warnings, renamed);
  const samplers = collectSamplers(doc, globalRenames);
  const images = new Map<string, ImageInfo>(samplers.map((s) => [s.name, { kind: s.kind }]));
  const uniforms = uniformDeclarations(doc, samplers, globalRenames);
  if (doc.vertexShaderArt) {
    const vsa = generateVertexShaderArt(doc, dialect, uniforms, samplers, images, {
      warnings,
      renamed,
      globalRenames,
    });
    throwIfStrict(warnings, options.strict ?? doc.strict);
    return vsa;
  }

  const fsLineOffset = doc.fragmentBodyLine - 1;
  const fs = prepareStage(normalizeNewlines(doc.fragmentBody), 'fragment', dialect, doc.path, fsLineOffset, {
    warnings,
    renamed,
    globalRenames,
  });
  warnings.push(...longLoopWarnings(fs.tokens, doc.path, fsLineOffset));
  const fsUsed = new Set<HelperName>();
  const fsBody = rewriteTokens(fs.tokens, {
    stage: 'fragment',
    file: doc.path,
    lineOffset: fsLineOffset,
    images,
    renames: fs.renames,
    usedHelpers: fsUsed,
    dropDirectives: fs.extensions.drop,
    warnings,
  });

  const f = new Assembler();
  f.add(versionLine(dialect), ...fs.extensions.hoisted, ...PRECISION);
  if (dialect !== 'es100') {
    if (!declaresOwnOutput(fs.tokens, fs.states))
      f.add('out vec4 isf_FragColor;', '#define gl_FragColor isf_FragColor');
    f.add(...compatDefines(fs, 'fragment'));
    f.add('in vec2 isf_FragNormCoord;');
  } else {
    f.add('varying vec2 isf_FragNormCoord;');
  }
  // The forwarders come after flipDefines so that a forwarded dFdy is mirrored back like the user's own calls.
  const fsForwarders = fs.forwarders.join('\n');
  f.add(
    ...uniforms,
    ...flipDefines(`${fsBody}\n${fsForwarders}`),
    ...samplerHelpers(fsUsed, dialect, 'fragment'),
  );
  f.add(...fs.forwarders);
  f.addUser(fsBody, doc.fragmentBodyLine, doc.fragmentOrigins);

  const v = new Assembler();
  let vsBody: string | undefined;
  const vsUsed = new Set<HelperName>();
  let vs: PreparedStage | undefined;
  if (doc.vertexSource !== undefined) {
    vs = prepareStage(normalizeNewlines(doc.vertexSource), 'vertex', dialect, doc.vertexPath, 0, {
      warnings,
      renamed,
      globalRenames,
    });
    vsBody = rewriteTokens(vs.tokens, {
      stage: 'vertex',
      file: doc.vertexPath,
      lineOffset: 0,
      images,
      // The user's main() becomes isf_userMain(), which our main() calls before flipping gl_Position.
      renames: new Map([...vs.renames, ['main', 'isf_userMain']]),
      usedHelpers: vsUsed,
      dropDirectives: vs.extensions.drop,
      warnings,
    });
  }
  v.add(versionLine(dialect), ...(vs?.extensions.hoisted ?? []), ...PRECISION);
  if (dialect !== 'es100') {
    if (vs) v.add(...compatDefines(vs, 'vertex'));
    v.add('layout(location = 0) in vec2 VERTEXDATA;', 'out vec2 isf_FragNormCoord;');
  } else {
    v.add('attribute vec2 VERTEXDATA;', 'varying vec2 isf_FragNormCoord;');
  }
  v.add(
    ...uniforms,
    ...samplerHelpers(vsUsed, dialect, 'vertex'),
    'void isf_vertShaderInit();',
    ...(vs?.forwarders ?? []),
  );
  if (vsBody !== undefined) v.addUser(vsBody, 1, doc.vertexOrigins);
  v.add(
    'void main() {',
    vsBody !== undefined ? '  isf_userMain();' : '  isf_vertShaderInit();',
    '  gl_Position.y *= 1.0 - 2.0 * isf_FlipY.x;',
    '}',
  );
  v.add(
    'void isf_vertShaderInit() {',
    '  gl_Position = vec4(VERTEXDATA, 0.0, 1.0);',
    '  isf_FragNormCoord = (VERTEXDATA + 1.0) * 0.5;',
    '}',
  );

  relocateIncluded(warnings, doc);
  const fragment = withExplicitConversions(f.text(), f.lineMap, 'fragment', dialect, doc.path, warnings);
  const vertex = withExplicitConversions(v.text(), v.lineMap, 'vertex', dialect, doc.vertexPath, warnings);
  throwIfStrict(warnings, options.strict ?? doc.strict);
  return {
    dialect,
    vertex,
    fragment,
    fragmentLineMap: f.lineMap,
    vertexLineMap: v.lineMap,
    ...(f.fileMap ? { fragmentFileMap: f.fileMap } : {}),
    ...(v.fileMap ? { vertexFileMap: v.fileMap } : {}),
    samplers,
    renamed,
    warnings,
    writesEveryPixel: doc.vertexSource === undefined && !mayDiscard(fragment),
  };
}

/**
 * VERTEX_SHADER_ART (ossia score's reading of vertexshaderart.com): the body after the JSON is the vertex shader,
 * run vertexCount times with no vertex data. It sees `vertexId` (float(gl_VertexID)), `vertexCount`, `time`,
 * `resolution`, `background` (BACKGROUND_COLOR), `mouse` (unless an input declares it) and the inputs, and writes
 * gl_Position, gl_PointSize and `v_color`, which the fixed fragment shader outputs. Names the user declares
 * themselves (a vertexshaderart.com original declares `uniform float time;`...) are not declared again.
 */
function generateVertexShaderArt(
  doc: ISFDocument,
  dialect: GLSLDialect,
  uniforms: string[],
  samplers: SamplerInfo[],
  images: Map<string, ImageInfo>,
  out: {
    warnings: Diagnostic[];
    renamed: { from: string; to: string }[];
    globalRenames: Map<string, string>;
  },
): GeneratedShaders {
  const lineOffset = doc.fragmentBodyLine - 1;
  const vs = prepareStage(normalizeNewlines(doc.fragmentBody), 'vertex', dialect, doc.path, lineOffset, out);
  const used = new Set<HelperName>();
  const body = rewriteTokens(vs.tokens, {
    stage: 'vertex',
    file: doc.path,
    lineOffset,
    images,
    renames: vs.renames,
    usedHelpers: used,
  });
  const es100 = dialect === 'es100';
  const own = (name: string) => vs.decls.globals.has(name) || doc.inputs.some((i) => i.name === name);
  const v = new Assembler();
  v.add(versionLine(dialect), ...PRECISION);
  if (!es100) v.add(...compatDefines(vs, 'vertex'));
  v.add(...uniforms);
  for (const [name, decl] of [
    ['vertexCount', 'uniform float vertexCount;'],
    ['time', 'uniform float time;'],
    ['resolution', 'uniform vec2 resolution;'],
    ['background', 'uniform vec4 background;'],
    ['mouse', 'uniform vec2 mouse;'],
    ['v_color', es100 ? 'varying vec4 v_color;' : 'out vec4 v_color;'],
  ] as const) {
    if (!own(name)) v.add(decl);
  }
  if (!own('vertexId')) v.add('#define vertexId float(gl_VertexID)');
  v.add(...samplerHelpers(used, dialect, 'vertex'), ...vs.forwarders);
  v.addUser(body, doc.fragmentBodyLine);

  const f = new Assembler();
  f.add(versionLine(dialect), 'precision highp float;');
  if (es100) f.add('varying vec4 v_color;', 'void main() { gl_FragColor = v_color; }');
  else f.add('in vec4 v_color;', 'out vec4 isf_FragColor;', 'void main() { isf_FragColor = v_color; }');
  return {
    dialect,
    vertex: withExplicitConversions(v.text(), v.lineMap, 'vertex', dialect, doc.path, out.warnings),
    fragment: f.text(),
    fragmentLineMap: f.lineMap,
    vertexLineMap: v.lineMap,
    samplers,
    renamed: out.renamed,
    warnings: out.warnings,
  };
}

/**
 * A pass drawn upside down (isf_FlipY = (1, height)) must look the same to the shader as one drawn upright:
 * gl_FragCoord.y is mirrored back (exactly: y * -1 + height), dFdy changes sign back and gl_FrontFacing (the
 * winding is mirrored) is inverted back. With (0, 0) every expression is exactly the original (y * 1 + 0). Emitted only for
 * what the fragment code (after IMG_* expansion) mentions.
 */
function flipDefines(fsBody: string): string[] {
  const out: string[] = [];
  if (/\bgl_FragCoord\b/.test(fsBody)) {
    out.push(
      'vec4 isf_fragCoord() {',
      '  return vec4(gl_FragCoord.x, gl_FragCoord.y * (1.0 - 2.0 * isf_FlipY.x) + isf_FlipY.y, gl_FragCoord.zw);',
      '}',
      '#define gl_FragCoord isf_fragCoord()',
    );
  }
  if (/\bdFdy\b/.test(fsBody)) out.push('#define dFdy(p) ((1.0 - 2.0 * isf_FlipY.x) * dFdy(p))');
  if (/\bgl_FrontFacing\b/.test(fsBody))
    out.push('#define gl_FrontFacing (gl_FrontFacing == (isf_FlipY.x < 0.5))');
  return out;
}

/** Collects generated lines and, for each, the user line it came from. */
class Assembler {
  readonly lines: string[] = [];
  readonly lineMap: (number | null)[] = [null];
  /** Set once user code comes from several files (#include): the file of each line, null for generated ones. */
  fileMap: (string | null)[] | undefined;

  add(...lines: string[]): void {
    for (const l of lines.flatMap((x) => x.split('\n'))) {
      this.lines.push(l);
      this.lineMap.push(null);
      this.fileMap?.push(null);
    }
  }

  /** Adds user code whose first line is line `firstLine` of the user's file. */
  addUser(text: string, firstLine: number, origins?: readonly LineOrigin[]): void {
    const lines = text.split('\n');
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    if (origins !== undefined) this.fileMap ??= this.lineMap.map(() => null);
    lines.forEach((l, k) => {
      this.lines.push(l);
      const o = origins?.[k];
      this.lineMap.push(origins === undefined ? firstLine + k : (o?.line ?? null));
      this.fileMap?.push(origins === undefined ? null : (o?.file ?? null));
    });
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

/** The first line(s); es310 is one string with a line break, which Assembler.add splits. */
function versionLine(dialect: GLSLDialect): string {
  if (dialect === 'es310') return '#version 310 es\n#extension GL_EXT_shader_implicit_conversions : enable';
  return dialect === 'es300' ? '#version 300 es' : '#version 100';
}

/** The macros the GLSL ES preprocessor predefines for `stage` in `dialect` (those conditions.ts can use). */
function predefinedMacros(stage: 'vertex' | 'fragment', dialect: GLSLDialect): Map<string, number | null> {
  const macros = new Map<string, number | null>([
    ['GL_ES', 1],
    ['__VERSION__', dialect === 'es310' ? 310 : dialect === 'es300' ? 300 : 100],
  ]);
  if (stage === 'fragment') macros.set('GL_FRAGMENT_PRECISION_HIGH', 1);
  return macros;
}

/**
 * Desktop GLSL's implicit int → float / uint conversions written out (conversions.ts), so that the shader compiles
 * under strict GLSL ES (WebGL2). es310 is left as written: it is the retry with the driver's own implicit
 * conversions. One W_IMPLICIT_CONVERSION warning per stage, at the first conversion in the user's code.
 */
function withExplicitConversions(
  text: string,
  lineMap: readonly (number | null)[],
  stage: 'vertex' | 'fragment',
  dialect: GLSLDialect,
  file: string | undefined,
  warnings: Diagnostic[],
): string {
  if (dialect === 'es310') return text;
  const { source, conversions } = explicitConversions(text, predefinedMacros(stage, dialect));
  const user = conversions.filter((c) => lineMap[c.line] != null);
  if (user.length > 0) {
    const first = user[0]!;
    const lines = [...new Set(user.map((c) => lineMap[c.line]!))];
    const w: Diagnostic = {
      severity: 'warning',
      code: 'W_IMPLICIT_CONVERSION',
      message: `the ${stage} shader relies on desktop GLSL's implicit conversions (${first.from} used as ${first.to}${user.length > 1 ? ` and ${user.length - 1} more` : ''}, line${lines.length > 1 ? 's' : ''} ${lines.slice(0, 8).join(', ')}${lines.length > 8 ? ', ...' : ''}); they were made explicit for GLSL ES, where strict drivers (WebGL2) refuse them`,
      line: lineMap[first.line]!,
      column: first.column,
      // A departure no listed host refuses (desktop GL drivers convert): WebGL hosts and strict GLSL ES do.
      refusedBy: [],
    };
    if (file !== undefined) w.file = file;
    warnings.push(w);
  }
  return source;
}

interface PreparedStage {
  /** Tokens after hoisting, ready for rewriteTokens. */
  tokens: Token[];
  states: CondState[];
  decls: Declarations;
  renames: Map<string, string>;
  used: Set<string>;
  extensions: ExtensionPlan;
  /** Forwarding overloads for user functions named like built-ins (forwarding.ts), declared before the user code. */
  forwarders: string[];
}

function prepareStage(
  source: string,
  stage: 'vertex' | 'fragment',
  dialect: GLSLDialect,
  file: string | undefined,
  lineOffset: number,
  out: {
    warnings: Diagnostic[];
    renamed: { from: string; to: string }[];
    globalRenames: Map<string, string>;
  },
): PreparedStage {
  const tokens = tokenize(source);
  const states = conditionStates(tokens, predefinedMacros(stage, dialect));
  const decls = findDeclarations(tokens, states);
  const used = new Set<string>();
  tokens.forEach((t, i) => {
    if (t.kind === 'ident' && states[i] !== 'off') used.add(t.text);
  });
  const renames = new Map<string, string>([...V1_RENAMES, ...out.globalRenames]);
  const forwarders: string[] = [];
  if (dialect !== 'es100') {
    for (const [name, tok] of findES300Collisions(tokens, states, decls, dialect === 'es310')) {
      if (renames.has(name)) continue;
      const to = RENAME_PREFIX + name;
      renames.set(name, to);
      if (!out.renamed.some((r) => r.from === name)) out.renamed.push({ from: name, to });
      // A user function adds overloads to the built-in in the hosts' GLSL; ES 3.00 would hide the built-in's.
      const signatures = globalFunctionSignatures(tokens, states, name);
      const forwarded = signatures.length > 0 ? forwardingOverloads(name, to, stage, signatures) : [];
      forwarders.push(...forwarded);
      const w: Diagnostic = {
        severity: 'warning',
        code: 'W_RENAMED',
        message:
          forwarded.length > 0
            ? `'${name}' is a built-in function, and GLSL ES 3.00 lets a user function of that name hide all its overloads; the ${stage} shader's own '${name}' was renamed to '${to}', and overloads of '${to}' that call the built-in keep calls to the built-in working (as desktop GLSL overloads them)`
            : `'${name}' is reserved or a built-in function in GLSL ES 3.00; the ${stage} shader's own '${name}' was renamed to '${to}'`,
        line: tok.line + lineOffset,
        column: tok.column,
      };
      if (file !== undefined) w.file = file;
      out.warnings.push(w);
    }
  }
  const extensions = planExtensions(tokens, states, dialect, file, lineOffset, out.warnings);
  return {
    tokens: hoistGlobalInitializers(tokens, states),
    states,
    decls,
    renames,
    used,
    extensions,
    forwarders,
  };
}

/**
 * Input, IMPORTED and TARGET names that ES 3.00 rejects as uniform names (Solarize.fs has a bool input called
 * `inverse`): the uniform is declared as isf_user_<name> and user code follows. The companion uniforms keep
 * the ISF name (`_inverse_imgSize` collides with nothing). The renderer looks uniforms up via `renamed`
 * (or `samplers[].uniform`).
 */
function renameDocumentNames(
  doc: ISFDocument,
  dialect: GLSLDialect,
  warnings: Diagnostic[],
  renamed: { from: string; to: string }[],
): Map<string, string> {
  const map = new Map<string, string>();
  if (dialect === 'es100') return map;
  const names = [
    ...doc.inputs.map((i) => i.name),
    ...doc.imported.map((i) => i.name),
    ...doc.passes.map((p) => p.target ?? ''),
  ];
  for (const name of names) {
    if (!isES300Reserved(name, dialect === 'es310') || map.has(name)) continue;
    const to = RENAME_PREFIX + name;
    map.set(name, to);
    renamed.push({ from: name, to });
    const w: Diagnostic = {
      severity: 'warning',
      code: 'W_RENAMED',
      message: `'${name}' is reserved or a built-in function in GLSL ES 3.00; its uniform is declared as '${to}' and the shader code was renamed to match`,
    };
    if (doc.path !== undefined) w.file = doc.path;
    warnings.push(w);
  }
  return map;
}

function compatDefines(stage: PreparedStage, kind: 'vertex' | 'fragment'): string[] {
  const out: string[] = [];
  const free = (name: string) => stage.used.has(name) && !stage.decls.globals.has(name);
  if (kind === 'vertex' && free('attribute')) out.push('#define attribute in');
  if (free('varying')) out.push(kind === 'vertex' ? '#define varying out' : '#define varying in');
  for (const [name, line] of ES100_TEXTURE_DEFINES) if (free(name)) out.push(line);
  return out;
}

/** True when an ES 3.00-style shader declares its own global `out` and never writes gl_FragColor. */
function declaresOwnOutput(tokens: readonly Token[], states: readonly CondState[]): boolean {
  let depth = 0;
  let hasOut = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (states[i] === 'off') continue;
    if (t.kind === 'ident' && (t.text === 'gl_FragColor' || t.text === 'gl_FragData')) return false;
    if (t.directive >= 0) continue;
    if (t.text === '{' || t.text === '(') depth++;
    else if (t.text === '}' || t.text === ')') depth = Math.max(0, depth - 1);
    else if (t.text === 'out' && t.kind === 'ident' && depth === 0) hasOut = true;
  }
  return hasOut;
}

function collectSamplers(doc: ISFDocument, renames: ReadonlyMap<string, string>): SamplerInfo[] {
  const out: SamplerInfo[] = [];
  const seen = new Set<string>();
  const add = (name: string, kind: '2D' | 'cube', source: SamplerInfo['source']) => {
    if (name === '' || seen.has(name)) return;
    seen.add(name);
    out.push({ name, kind, source, uniform: renames.get(name) ?? name });
  };
  for (const input of doc.inputs) {
    if (input.type === 'image' || input.type === 'audio' || input.type === 'audioFFT')
      add(input.name, '2D', 'input');
    else if (input.type === 'cube') add(input.name, 'cube', 'input');
  }
  for (const imp of doc.imported) add(imp.name, imp.cube ? 'cube' : '2D', 'imported');
  for (const pass of doc.passes) if (pass.target) add(pass.target, '2D', 'target');
  // ISF v1 PERSISTENT_BUFFERS may name buffers no pass renders into; they still exist (and read as empty).
  const v1 = doc.json.PERSISTENT_BUFFERS;
  const v1Names = Array.isArray(v1) ? v1 : v1 && typeof v1 === 'object' ? Object.keys(v1) : [];
  for (const name of v1Names)
    if (typeof name === 'string' && /^[A-Za-z_]\w*$/.test(name)) add(name, '2D', 'target');
  return out;
}

function uniformDeclarations(
  doc: ISFDocument,
  samplers: SamplerInfo[],
  renames: ReadonlyMap<string, string>,
): string[] {
  const lines = [...BUILTIN_UNIFORMS];
  const samplerLines = (s: SamplerInfo) =>
    s.kind === 'cube'
      ? [`uniform samplerCube ${s.uniform};`, `uniform vec2 _${s.name}_imgSize;`]
      : [
          `uniform sampler2D ${s.uniform};`,
          `uniform vec4 _${s.name}_imgRect;`,
          `uniform vec2 _${s.name}_imgSize;`,
          `uniform bool _${s.name}_flip;`,
        ];
  // Inputs in document order (as VVISF does), then IMPORTED and pass targets.
  const byName = new Map(samplers.map((s) => [s.name, s]));
  for (const input of doc.inputs) {
    const u = renames.get(input.name) ?? input.name;
    switch (input.type) {
      case 'event':
      case 'bool':
        lines.push(`uniform bool ${u};`);
        break;
      case 'long':
        lines.push(`uniform int ${u};`);
        break;
      case 'float':
        lines.push(`uniform float ${u};`);
        break;
      case 'point2D':
        lines.push(`uniform vec2 ${u};`);
        break;
      case 'point3D':
        lines.push(`uniform vec3 ${u};`);
        break;
      case 'point4D':
        lines.push(`uniform vec4 ${u};`);
        break;
      case 'color':
        lines.push(`uniform vec4 ${u};`);
        break;
      default: {
        const s = byName.get(input.name);
        if (s?.source === 'input') lines.push(...samplerLines(s));
      }
    }
  }
  for (const s of samplers) if (s.source !== 'input') lines.push(...samplerLines(s));
  return lines;
}

/** Warnings located in an expanded body (#include) point at the file and line the code came from. */
function relocateIncluded(warnings: Diagnostic[], doc: ISFDocument): void {
  for (const w of warnings) {
    if (w.line === undefined) continue;
    const origins =
      w.file === doc.path && doc.fragmentOrigins
        ? { list: doc.fragmentOrigins, first: doc.fragmentBodyLine }
        : w.file === doc.vertexPath && doc.vertexOrigins
          ? { list: doc.vertexOrigins, first: 1 }
          : undefined;
    const o = origins?.list[w.line - origins.first];
    if (o === undefined) continue;
    w.file = o.file;
    w.line = o.line;
  }
}
