/**
 * Shadertoy → ISF, on tokens.
 *
 * The result is one ISF fragment shader:
 * - Buffers A-D become PERSISTENT FLOAT passes (targets bufferA..bufferD) in Shadertoy's order, Image last. Our
 *   Scene's pass semantics are Shadertoy's: a pass reading a buffer that an earlier pass wrote this frame gets this
 *   frame's pixels; a buffer read by itself or by an earlier pass gets last frame's (see docs/convert.md).
 * - Each pass's code is kept as written, its `mainImage` renamed per pass, and `main()` calls the one of the current
 *   PASSINDEX with gl_FragCoord. The Common tab is included once, before the passes. Top-level names that several
 *   passes declare are renamed per pass; each pass's macros are #undef'd after it.
 * - Uniforms: iTime/iGlobalTime → TIME, iTimeDelta → TIMEDELTA, iFrame → FRAMEINDEX, iDate → DATE,
 *   iResolution → vec3(RENDERSIZE, 1.0), iMouse → a vec4 in pixels built from the `mouse` point2D input (normalised
 *   0-1) and the `mouseDown` bool (zw = +xy while down, -xy when up, as Shadertoy), iChannelResolution[n] → the
 *   channel's IMG_SIZE, iChannelTime → TIME, iSampleRate → 44100, iFrameRate → 1/TIMEDELTA.
 * - iChannelN → the buffer target / image input of the channel map; texture()/texture2D() on a channel → IMG_NORM_PIXEL
 *   with the channel's wrap (repeat → fract) and filter (nearest → texel centre) emulated, texelFetch on an image →
 *   IMG_PIXEL at the texel centre, textureSize → IMG_SIZE. What cannot be kept is a located W_CONVERT warning.
 */
import type { Diagnostic } from '../errors.ts';
import { ISFError } from '../errors.ts';
import { normalizeNewlines, type Token, tokenize } from '../glsl/tokenize.ts';
import type { BufferLetter, ChannelInput, ShadertoyPass, ShadertoyProject } from './project.ts';
import {
  blankKeepingLines,
  declaredNames,
  firstWord,
  matchBracket,
  nextCode,
  prevCode,
  rangeText,
  soleIdentifier,
  splitArguments,
  type TopLevelItem,
  topLevelItems,
} from './tokens.ts';
import {
  type ConvertResult,
  ISF_BUILTIN_NAMES,
  type ISFInputJson,
  isfHeader,
  leadingComment,
  sourceNameFor,
  warn,
} from './write.ts';

/** Shadertoy's built-in uniforms: declarations of these in adapted copies are dropped. */
const SHADERTOY_UNIFORMS = new Set([
  'iResolution',
  'iTime',
  'iGlobalTime',
  'iTimeDelta',
  'iFrame',
  'iFrameRate',
  'iMouse',
  'iDate',
  'iSampleRate',
  'iChannelTime',
  'iChannelResolution',
  'iChannel0',
  'iChannel1',
  'iChannel2',
  'iChannel3',
]);

const SIMPLE_MAP: Record<string, string> = {
  iTime: 'TIME',
  iGlobalTime: 'TIME',
  iTimeDelta: 'TIMEDELTA',
  iFrame: 'FRAMEINDEX',
  iDate: 'DATE',
  iResolution: '(vec3(RENDERSIZE, 1.0))',
  iSampleRate: '44100.0',
  iFrameRate: '(TIMEDELTA > 0.0 ? 1.0 / TIMEDELTA : 60.0)',
};

const SAMPLING = new Set([
  'texture',
  'texture2D',
  'textureLod',
  'texture2DLod',
  'texelFetch',
  'textureSize',
  'textureGrad',
  'textureProj',
]);

const PASS_TAGS: Record<string, string> = { A: 'bufA', B: 'bufB', C: 'bufC', D: 'bufD' };

/** What a channel of a pass is bound to in the ISF document. */
interface Binding {
  /** The ISF name sampled (a target or an image input), or undefined when the channel is not bound. */
  name?: string;
  input: ChannelInput;
  /** Buffers are pass targets (GL orientation, no flip helpers needed for texelFetch). */
  isBuffer: boolean;
}

interface PassPlan {
  pass: ShadertoyPass;
  tag: string;
  tokens: Token[];
  items: TopLevelItem[];
  bindings: Map<number, Binding>;
}

export interface ShadertoyOptions {
  /** Name for the CREDIT/DESCRIPTION when the source has no info (e.g. the file name). */
  name?: string;
  /**
   * For a texture channel with a `src`: the IMPORTED path to use (a file the caller copies next to the output),
   * or undefined to declare an image input instead.
   */
  importTexture?: (src: string) => string | undefined;
}

function passOrder(p: ShadertoyPass): number {
  if (p.kind === 'buffer') return 'ABCD'.indexOf(p.output ?? 'A');
  return p.kind === 'image' ? 10 : 20;
}

/** Converts a Shadertoy project to ISF source. Throws CONVERT_SOURCE when there is nothing to convert. */
export function convertShadertoy(project: ShadertoyProject, options: ShadertoyOptions = {}): ConvertResult {
  const warnings: Diagnostic[] = [];
  const common = project.passes.filter((p) => p.kind === 'common');
  const drawn: ShadertoyPass[] = [];
  for (const p of project.passes) {
    if (p.kind === 'sound' || p.kind === 'cubemap') {
      warnings.push(
        warn(
          `the ${p.kind === 'sound' ? 'Sound' : 'Cube A'} pass "${p.name}" was dropped: ISF has no ${p.kind === 'sound' ? 'sound output' : 'cube map pass'}`,
          p.file,
        ),
      );
    } else if (p.kind !== 'common') drawn.push(p);
  }
  drawn.sort((a, b) => passOrder(a) - passOrder(b));
  const images = drawn.filter((p) => p.kind === 'image');
  if (images.length !== 1) {
    throw new ISFError(
      'CONVERT_SOURCE',
      images.length === 0
        ? 'the Shadertoy shader has no Image pass'
        : 'the Shadertoy shader has more than one Image pass',
    );
  }
  const buffers = new Set(drawn.filter((p) => p.kind === 'buffer').map((p) => p.output!));

  const allIdents = new Set<string>();
  const plans: PassPlan[] = drawn.map((pass) => {
    const tokens = tokenize(normalizeNewlines(stripBom(pass.code)));
    for (const t of tokens) if (t.kind === 'ident') allIdents.add(t.text);
    return {
      pass,
      tag: pass.kind === 'buffer' ? PASS_TAGS[pass.output!]! : 'image',
      tokens,
      items: topLevelItems(tokens),
      bindings: new Map(),
    };
  });
  const commonTokens = common.map((c) => tokenize(normalizeNewlines(stripBom(c.code))));
  for (const toks of commonTokens) for (const t of toks) if (t.kind === 'ident') allIdents.add(t.text);

  const unique = (base: string): string => {
    let name = base;
    for (let k = 2; allIdents.has(name); k++) name = `${base}${k}`;
    allIdents.add(name);
    return name;
  };

  // ISF inputs and imports for the channels, shared between passes that read the same texture.
  const inputs: ISFInputJson[] = [];
  const imported: Record<string, { PATH: string }> = {};
  const textureNames = new Map<string, string>();
  const targetName = (letter: BufferLetter): string => `buffer${letter}`;
  for (const plan of plans) {
    const used = usedChannels(plan.tokens);
    const declared = new Map<number, ChannelInput>(plan.pass.inputs.map((i) => [i.channel, i]));
    for (const ch of used) {
      if (!declared.has(ch)) declared.set(ch, { channel: ch as 0 | 1 | 2 | 3, kind: 'texture' });
    }
    for (const [ch, input] of declared) {
      if (!used.has(ch)) continue;
      const binding: Binding = { input, isBuffer: false };
      if (input.kind === 'buffer') {
        if (input.buffer && buffers.has(input.buffer)) {
          binding.name = targetName(input.buffer);
          binding.isBuffer = true;
        } else {
          warnings.push(
            warn(
              `iChannel${ch} reads ${input.buffer ? `Buffer ${input.buffer}` : 'a buffer'}, which this shader does not have; it reads transparent black`,
              plan.pass.file,
            ),
          );
        }
      } else {
        if (input.kind === 'cubemap' || input.kind === 'volume') {
          warnings.push(
            warn(
              `iChannel${ch} is a ${input.kind === 'cubemap' ? 'cube map' : '3D texture'}: not converted; bind it by hand (it reads black)`,
              plan.pass.file,
            ),
          );
          continue;
        }
        if (input.kind === 'keyboard' || input.kind === 'music' || input.kind === 'mic') {
          warnings.push(
            warn(
              `iChannel${ch} is Shadertoy's ${input.kind} texture; it becomes an image input that reads black unless you set one`,
              plan.pass.file,
            ),
          );
        }
        const key = input.src ?? `${plan.tag}:${ch}`;
        let name = textureNames.get(key);
        if (name === undefined) {
          name = unique(`iChannel${ch}Image`);
          textureNames.set(key, name);
          const path = input.src !== undefined ? options.importTexture?.(input.src) : undefined;
          if (path !== undefined) imported[name] = { PATH: path };
          else {
            const label = input.src ? `iChannel${ch} (${input.src.split('/').pop()})` : `iChannel${ch}`;
            inputs.push({ NAME: name, TYPE: 'image', LABEL: label });
          }
        }
        binding.name = name;
      }
      if (input.filter === 'mipmap') {
        warnings.push(
          warn(
            `iChannel${ch}: mipmap filtering is not available for ISF images; linear is used`,
            plan.pass.file,
          ),
        );
      }
      plan.bindings.set(ch, binding);
    }
  }

  // iMouse: a normalised point2D and a bool, as Shadertoy's vec4 in pixels.
  const usesMouse = [...plans.map((p) => p.tokens), ...commonTokens].some((toks) =>
    toks.some((t) => t.kind === 'ident' && t.text === 'iMouse'),
  );
  const mouseFn = usesMouse ? unique('st_iMouse') : '';
  let mouseInput = '';
  let mouseDownInput = '';
  if (usesMouse) {
    mouseInput = unique('mouse');
    mouseDownInput = unique('mouseDown');
    inputs.push(
      {
        NAME: mouseInput,
        TYPE: 'point2D',
        LABEL: 'Mouse (iMouse, 0-1)',
        DEFAULT: [0, 0],
        MIN: [0, 0],
        MAX: [1, 1],
      },
      { NAME: mouseDownInput, TYPE: 'bool', LABEL: 'Mouse button down (iMouse.zw)', DEFAULT: false },
    );
  }

  // Top-level names several passes declare would collide in one shader: rename them per pass.
  const declaredBy = new Map<string, number>();
  for (const plan of plans) {
    for (const name of topLevelNames(plan.tokens, plan.items))
      declaredBy.set(name, (declaredBy.get(name) ?? 0) + 1);
  }
  const collisions = new Set([...declaredBy].filter(([, n]) => n > 1).map(([name]) => name));
  collisions.delete('mainImage');
  // A pass that declares a name Common declares too (harnesses that #include common only where needed allow
  // it) keeps its own version under a per-pass name.
  const commonNames = new Set<string>();
  for (const toks of commonTokens)
    for (const n of topLevelNames(toks, topLevelItems(toks))) commonNames.add(n);

  const usesHw = [...plans.map((p) => p.tokens), ...commonTokens].some((toks) =>
    toks.some((t) => t.kind === 'ident' && t.text === 'HW_PERFORMANCE'),
  );

  let body = '';
  if (usesHw) body += '#define HW_PERFORMANCE 1\n';
  if (usesMouse) {
    body += `vec4 ${mouseFn}() { vec2 m = ${mouseInput} * RENDERSIZE; return vec4(m, ${mouseDownInput} ? m : -m); }\n`;
  }
  const ctx: RewriteContext = { mouseFn, warnings, bindings: new Map(), renames: new Map(), file: undefined };
  const commonMacros = new Map<string, string>();
  for (let c = 0; c < common.length; c++) {
    const toks = commonTokens[c]!;
    const rewritten = rewritePass(toks, topLevelItems(toks), { ...ctx, file: common[c]!.file }, false);
    body += `// ---- Common ----\n${rewritten}\n`;
    for (const [name, text] of macroDefinitions(tokenize(rewritten))) commonMacros.set(name, text);
  }
  // A pass may redefine a Common macro (harnesses that #include common per pass allow it): #undef it for that
  // pass and restore Common's definition after it.
  const mains: string[] = [];
  for (const plan of plans) {
    const mainName = unique(`st_mainImage_${plan.tag}`);
    mains.push(mainName);
    const renames = new Map<string, string>([['mainImage', mainName]]);
    for (const name of collisions) renames.set(name, `${name}_${plan.tag}`);
    for (const name of topLevelNames(plan.tokens, plan.items)) {
      if (commonNames.has(name) && name !== 'mainImage') renames.set(name, `${name}_${plan.tag}`);
    }
    const passCtx: RewriteContext = { ...ctx, bindings: plan.bindings, renames, file: plan.pass.file };
    if (!plan.tokens.some((t) => t.kind === 'ident' && t.text === 'mainImage')) {
      throw new ISFError('CONVERT_SOURCE', `the ${plan.pass.name} pass has no mainImage() function`, {
        ...(plan.pass.file === undefined ? {} : { file: plan.pass.file }),
      });
    }
    const macros = definedMacros(plan.tokens);
    for (const macro of macros) if (commonMacros.has(macro)) body += `#undef ${macro}\n`;
    body += `// ---- ${plan.pass.name} ----\n${rewritePass(plan.tokens, plan.items, passCtx, true)}\n`;
    for (const macro of macros) {
      body += `#undef ${macro}\n`;
      const restore = commonMacros.get(macro);
      if (restore !== undefined) body += `${restore}\n`;
    }
  }

  body += '\nvoid main() {\n\tvec4 st_color = vec4(0.0);\n';
  if (plans.length === 1) {
    body += `\t${mains[0]}(st_color, gl_FragCoord.xy);\n\tst_color.a = 1.0;\n`;
  } else {
    plans.forEach((plan, k) => {
      const call = `${mains[k]}(st_color, gl_FragCoord.xy);`;
      if (plan.pass.kind === 'image') body += `\telse { ${call} st_color.a = 1.0; }\n`;
      else body += `\t${k === 0 ? 'if' : 'else if'} (PASSINDEX == ${k}) ${call}\n`;
    });
  }
  body += '\tgl_FragColor = st_color;\n}\n';

  const passes = plans
    .filter((p) => p.pass.kind === 'buffer')
    .map((p) => ({ TARGET: targetName(p.pass.output!), PERSISTENT: true, FLOAT: true }));
  const info = project.info;
  const description =
    info.description ?? leadingComment(common[0]?.code ?? plans[plans.length - 1]!.pass.code);
  const credit = info.username
    ? `${info.name ? `"${info.name}" ` : ''}by ${info.username}${info.id ? ` (Shadertoy ${info.id})` : ''}`
    : undefined;
  const header = isfHeader({
    ...(description ? { DESCRIPTION: description } : {}),
    ...(credit ? { CREDIT: credit } : {}),
    CATEGORIES: ['Shadertoy', ...(info.tags ?? [])],
    INPUTS: inputs,
    ...(passes.length > 0 ? { PASSES: [...passes, {}] } : {}),
    ...(Object.keys(imported).length > 0 ? { IMPORTED: imported } : {}),
  });
  return { source: `${header}\n${body}`, warnings, from: 'shadertoy' };
}

function stripBom(code: string): string {
  return code.charCodeAt(0) === 0xfeff ? code.slice(1) : code;
}

function usedChannels(tokens: readonly Token[]): Set<number> {
  const used = new Set<number>();
  for (const t of tokens) {
    const m = t.kind === 'ident' ? /^iChannel([0-3])$/.exec(t.text) : null;
    if (m) used.add(Number(m[1]));
  }
  return used;
}

/** Each `#define` of a token list: name → the directive's text (line continuations folded). */
function macroDefinitions(tokens: readonly Token[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.directive < 0 || t.text !== '#') continue;
    const word = nextCode(tokens, i + 1);
    const name = tokens[nextCode(tokens, word + 1)];
    if (tokens[word]?.text !== 'define' || name?.kind !== 'ident' || name.directive !== t.directive) continue;
    let j = i;
    while (j < tokens.length && tokens[j]!.directive === t.directive) j++;
    out.set(name.text, rangeText(tokens, i, j).replace(/\\\n/g, ' ').trim());
  }
  return out;
}

function definedMacros(tokens: readonly Token[]): string[] {
  const names: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.directive < 0 || t.text !== '#') continue;
    const word = nextCode(tokens, i + 1);
    if (tokens[word]?.text !== 'define') continue;
    const name = tokens[nextCode(tokens, word + 1)];
    if (name?.kind === 'ident' && name.directive === t.directive) names.push(name.text);
  }
  return [...new Set(names)];
}

/** Functions, global variables and structs a pass declares at top level (not macros: those are #undef'd). */
function topLevelNames(tokens: readonly Token[], items: readonly TopLevelItem[]): Set<string> {
  const names = new Set<string>();
  for (const item of items) {
    if (item.kind === 'function' && item.nameIndex !== undefined) names.add(tokens[item.nameIndex]!.text);
    else if (item.kind === 'statement') {
      const word = firstWord(tokens, item);
      if (word === 'precision' || word === 'uniform') continue;
      if (word === 'struct') {
        const n = tokens[nextCode(tokens, nextCode(tokens, item.start) + 1)];
        if (n?.kind === 'ident') names.add(n.text);
      }
      for (const n of declaredNames(tokens, item)) names.add(n.text);
    }
  }
  return names;
}

interface RewriteContext {
  mouseFn: string;
  warnings: Diagnostic[];
  bindings: Map<number, Binding>;
  renames: Map<string, string>;
  file: string | undefined;
}

/**
 * One pass's code with the Shadertoy names mapped. Dropped items (Shadertoy uniform declarations, a desktop
 * tool's `void main()` wrapper and its `out vec4`, `#include` of the common file) become blank lines.
 */
function rewritePass(
  tokens: Token[],
  items: readonly TopLevelItem[],
  ctx: RewriteContext,
  isPass: boolean,
): string {
  const dropped: Array<[number, number]> = [];
  const hasMainImage = tokens.some((t) => t.kind === 'ident' && t.text === 'mainImage');
  for (const item of items) {
    if (item.kind === 'directive') {
      const word = tokens[nextCode(tokens, item.start + 1)]?.text;
      if (word === 'include') {
        dropped.push([item.start, item.end]);
        ctx.warnings.push(
          warn(
            `dropped ${rangeText(tokens, item.start, item.end).trim()}: the Common tab is included once for every pass`,
            ctx.file,
            tokens[item.start]!,
          ),
        );
      } else if (word === 'extension') {
        dropped.push([item.start, item.end]);
      }
      continue;
    }
    if (item.kind === 'statement') {
      const word = firstWord(tokens, item);
      const names = declaredNames(tokens, item).map((n) => n.text);
      if (word === 'uniform' && names.length > 0 && names.every((n) => SHADERTOY_UNIFORMS.has(n))) {
        dropped.push([item.start, item.end]);
      } else if (
        isPass &&
        hasMainImage &&
        item.conditionDepth === 0 &&
        word === 'out' &&
        items.some(
          (f) => f.kind === 'function' && f.nameIndex !== undefined && tokens[f.nameIndex]!.text === 'main',
        )
      ) {
        dropped.push([item.start, item.end]);
      }
      continue;
    }
    if (
      item.nameIndex !== undefined &&
      tokens[item.nameIndex]!.text === 'main' &&
      hasMainImage &&
      item.conditionDepth === 0
    ) {
      dropped.push([item.start, item.end]);
      ctx.warnings.push(
        warn(
          'dropped the main() wrapper around mainImage(): ISF calls mainImage itself',
          ctx.file,
          tokens[item.start]!,
        ),
      );
    }
    for (const fn of ['mainVR', 'mainSound', 'mainCubemap']) {
      if (item.nameIndex !== undefined && tokens[item.nameIndex]!.text === fn) {
        ctx.warnings.push(
          warn(`${fn}() is not used: ISF renders mainImage() only`, ctx.file, tokens[item.nameIndex]!),
        );
      }
    }
  }
  let out = '';
  let i = 0;
  for (const [start, end] of dropped.sort((a, b) => a[0] - b[0])) {
    out += rewriteRange(tokens, i, start, ctx);
    out += blankKeepingLines(tokens, start, end);
    i = end;
  }
  return out + rewriteRange(tokens, i, tokens.length, ctx);
}

function rewriteRange(tokens: Token[], from: number, to: number, ctx: RewriteContext): string {
  let out = '';
  for (let i = from; i < to; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'ident') {
      out += t.text;
      continue;
    }
    const prev = tokens[prevCode(tokens, i)];
    if (prev?.text === '.') {
      out += t.text; // a field or swizzle, not a name
      continue;
    }
    if (SAMPLING.has(t.text)) {
      const call = rewriteSampling(tokens, i, to, ctx);
      if (call) {
        out += call.text;
        i = call.end - 1;
        continue;
      }
    }
    const mapped = SIMPLE_MAP[t.text];
    if (mapped !== undefined) {
      out += mapped;
      continue;
    }
    if (t.text === 'iMouse') {
      out += `${ctx.mouseFn}()`;
      continue;
    }
    if (t.text === 'iChannelResolution' || t.text === 'iChannelTime') {
      const r = rewriteChannelArray(tokens, i, to, ctx);
      out += r.text;
      i = r.end - 1;
      continue;
    }
    const ch = /^iChannel([0-3])$/.exec(t.text);
    if (ch) {
      const b = ctx.bindings.get(Number(ch[1]));
      if (b?.name) {
        out += b.name;
        if (!b.isBuffer || b.input.wrap === 'repeat' || b.input.filter === 'nearest') {
          ctx.warnings.push(
            warn(
              `${t.text} is passed on as a sampler: samples taken through it skip ISF's image helpers (orientation, wrap and filter of the channel are not emulated)`,
              ctx.file,
              t,
            ),
          );
        }
      } else out += 'st_unbound_channel';
      continue;
    }
    out += ctx.renames.get(t.text) ?? (ISF_BUILTIN_NAMES.has(t.text) ? sourceNameFor(t.text) : t.text);
  }
  return out;
}

/** `iChannelResolution[n]` / `iChannelTime[n]` with a literal index, else the whole array as a constructor. */
function rewriteChannelArray(
  tokens: Token[],
  i: number,
  to: number,
  ctx: RewriteContext,
): { text: string; end: number } {
  const isTime = tokens[i]!.text === 'iChannelTime';
  const channelValue = (ch: number): string => {
    if (isTime) return 'TIME';
    const b = ctx.bindings.get(ch);
    return b?.name ? `vec3(IMG_SIZE(${b.name}), 1.0)` : 'vec3(0.0)';
  };
  const open = nextCode(tokens, i + 1);
  if (open < to && tokens[open]!.text === '[') {
    const close = matchBracket(tokens, open);
    const index = rangeText(tokens, open + 1, close).trim();
    if (close > 0 && /^[0-3]$/.test(index))
      return { text: `(${channelValue(Number(index))})`, end: close + 1 };
  }
  const type = isTime ? 'float' : 'vec3';
  return { text: `${type}[4](${[0, 1, 2, 3].map(channelValue).join(', ')})`, end: i + 1 };
}

/** texture(iChannelN, ...) and friends on a bound channel; undefined when the call is not on a channel. */
function rewriteSampling(
  tokens: Token[],
  i: number,
  to: number,
  ctx: RewriteContext,
): { text: string; end: number } | undefined {
  const fn = tokens[i]!.text;
  const open = nextCode(tokens, i + 1);
  if (open >= to || tokens[open]!.text !== '(') return undefined;
  const close = matchBracket(tokens, open);
  if (close < 0 || close >= to) return undefined;
  const args = splitArguments(tokens, open, close);
  const first = args[0] ? soleIdentifier(tokens, args[0]) : undefined;
  const ch = first ? /^iChannel([0-3])$/.exec(first.text) : null;
  if (!ch) return undefined;
  const binding = ctx.bindings.get(Number(ch[1]));
  const argText = args.slice(1).map(([s, e]) => rewriteRange(tokens, s, e, ctx).trim());
  const end = close + 1;
  if (!binding?.name) {
    // Unbound (a missing buffer, a cube map): what Shadertoy gives for an empty channel.
    if (fn === 'textureSize') return { text: 'ivec2(0)', end };
    return { text: 'vec4(0.0)', end };
  }
  const name = binding.name;
  const { input } = binding;
  if (fn === 'textureSize') return { text: `ivec2(IMG_SIZE(${name}))`, end };
  if (fn === 'texelFetch') {
    if (binding.isBuffer) return { text: `texelFetch(${name}, ${argText.join(', ')})`, end };
    return { text: `IMG_PIXEL(${name}, vec2(${argText[0]}) + 0.5)`, end };
  }
  if (fn === 'textureGrad' || fn === 'textureProj') {
    ctx.warnings.push(
      warn(
        `${fn} on ${first!.text} is kept as it is: the channel's orientation, wrap and filter are not emulated`,
        ctx.file,
        tokens[i]!,
      ),
    );
    return { text: `${fn}(${name}, ${argText.join(', ')})`, end };
  }
  if ((fn === 'textureLod' || fn === 'texture2DLod') && !binding.isBuffer) {
    ctx.warnings.push(
      warn(
        `${fn} on ${first!.text}: ISF images have no mipmaps; the level of detail is ignored`,
        ctx.file,
        tokens[i]!,
      ),
    );
  }
  let uv = `(${argText[0] ?? 'vec2(0.0)'})`;
  if (input.vflip === false && !binding.isBuffer) uv = `(vec2(${uv}.x, 1.0 - ${uv}.y))`;
  if (input.wrap === 'repeat' || (input.wrap === undefined && !binding.isBuffer)) uv = `fract${uv}`;
  if (input.filter === 'nearest') uv = `((floor(${uv} * IMG_SIZE(${name})) + 0.5) / IMG_SIZE(${name}))`;
  const bias = (fn === 'texture' || fn === 'texture2D') && argText[1] !== undefined ? `, ${argText[1]}` : '';
  return { text: `IMG_NORM_PIXEL(${name}, ${uv}${bias})`, end };
}
