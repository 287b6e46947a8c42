/**
 * A Shadertoy shader as the converter sees it, whatever it came from: one `.glsl` file, a folder of pass files with a
 * channel map, or any of the API JSON variants described in ../shared/corpus/shadertoy/README.md (the
 * `{"Shader": {...}}` answer, the site's bare `{ver, info, renderpass}`, "export all" `{shaders: [...]}`).
 */
import { type Diagnostic, ISFError } from '../errors.ts';

export type ChannelKind =
  | 'buffer'
  | 'texture'
  | 'cubemap'
  | 'keyboard'
  | 'music'
  | 'video'
  | 'webcam'
  | 'volume'
  | 'mic';

export type BufferLetter = 'A' | 'B' | 'C' | 'D';

export interface ChannelSampler {
  filter?: 'nearest' | 'linear' | 'mipmap';
  wrap?: 'clamp' | 'repeat';
  /** Shadertoy's "vflip": true (the default for textures) shows an image upright. */
  vflip?: boolean;
}

export interface ChannelInput extends ChannelSampler {
  channel: 0 | 1 | 2 | 3;
  kind: ChannelKind;
  /** For buffer channels: the buffer read. */
  buffer?: BufferLetter;
  /** For textures: where the image came from (a site path or a local file name), used for the input's label. */
  src?: string;
}

export type PassKind = 'common' | 'buffer' | 'image' | 'sound' | 'cubemap';

export interface ShadertoyPass {
  kind: PassKind;
  /** "Buffer A", "Image", ... */
  name: string;
  code: string;
  /** For buffer passes: the buffer written. */
  output?: BufferLetter;
  inputs: ChannelInput[];
  /** Where the code came from, for located warnings (a file, or "file.json#Buffer A"). */
  file?: string;
}

export interface ShadertoyInfo {
  id?: string;
  name?: string;
  username?: string;
  description?: string;
  tags?: string[];
}

export interface ShadertoyProject {
  info: ShadertoyInfo;
  passes: ShadertoyPass[];
}

/** Output ids of the API JSON: numeric (variant 1) and the site's string ids (variant 2). */
const OUTPUT_IDS: Record<string, BufferLetter | 'image' | 'sound' | 'cubemap'> = {
  '37': 'image',
  '257': 'A',
  '258': 'B',
  '259': 'C',
  '260': 'D',
  '41': 'cubemap',
  '38': 'sound',
  '4dfGRr': 'image',
  '4dXGR8': 'A',
  XsXGR8: 'B',
  '4sXGR8': 'C',
  XdfGR8: 'D',
  XsfGRr: 'sound',
};
const KEYBOARD_ID = '4dXGRr';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function bad(message: string, file?: string): ISFError {
  return new ISFError('CONVERT_SOURCE', message, file === undefined ? {} : { file });
}

/** The letter in "Buffer A", "Buf B", "buffer-c", "bufferD". */
export function bufferLetterOf(name: string): BufferLetter | undefined {
  const m = /^buf(?:fer)?[\s_-]*([a-d])$/i.exec(name.trim());
  return m ? (m[1]!.toUpperCase() as BufferLetter) : undefined;
}

export function parseSampler(raw: unknown): ChannelSampler {
  const sampler: ChannelSampler = {};
  if (!isObject(raw)) return sampler;
  const filter = text(raw.filter);
  if (filter === 'nearest' || filter === 'linear' || filter === 'mipmap') sampler.filter = filter;
  const wrap = text(raw.wrap);
  if (wrap === 'clamp' || wrap === 'repeat') sampler.wrap = wrap;
  if (raw.vflip !== undefined) sampler.vflip = raw.vflip === true || raw.vflip === 'true';
  return sampler;
}

function channelKind(raw: string | undefined): ChannelKind | undefined {
  switch (raw) {
    case 'buffer':
    case 'texture':
    case 'cubemap':
    case 'keyboard':
    case 'music':
    case 'video':
    case 'webcam':
    case 'volume':
    case 'mic':
      return raw;
    case 'musicstream':
      return 'music';
    default:
      return undefined;
  }
}

function apiInput(raw: unknown, file: string | undefined, warnings: Diagnostic[]): ChannelInput | undefined {
  if (!isObject(raw)) return undefined;
  const channel = Number(raw.channel);
  if (!(channel === 0 || channel === 1 || channel === 2 || channel === 3)) return undefined;
  const id = raw.id === undefined ? undefined : String(raw.id);
  let kind = channelKind(text(raw.ctype) ?? text(raw.type));
  const target = id === undefined ? undefined : OUTPUT_IDS[id];
  if (kind === undefined && id === KEYBOARD_ID) kind = 'keyboard';
  if (kind === undefined && (target === 'A' || target === 'B' || target === 'C' || target === 'D'))
    kind = 'buffer';
  if (kind === undefined) {
    warnings.push({
      severity: 'warning',
      code: 'W_CONVERT',
      message: `iChannel${channel}: unknown channel type ${JSON.stringify(raw.ctype ?? raw.type ?? null)}; treated as a texture`,
      ...(file === undefined ? {} : { file }),
    });
    kind = 'texture';
  }
  const input: ChannelInput = { channel, kind, ...parseSampler(raw.sampler) };
  if (kind === 'buffer') {
    if (target === 'A' || target === 'B' || target === 'C' || target === 'D') input.buffer = target;
    else if (target === 'cubemap') input.kind = 'cubemap';
  }
  const src = text(raw.src) ?? text(raw.filepath);
  if (src !== undefined) input.src = src;
  return input;
}

function passKind(raw: Json, outputTarget: string | undefined): PassKind | undefined {
  const type = text(raw.type);
  if (type === 'common' || type === 'buffer' || type === 'image' || type === 'sound' || type === 'cubemap')
    return type;
  if (outputTarget === 'image' || outputTarget === 'sound' || outputTarget === 'cubemap') return outputTarget;
  if (outputTarget !== undefined) return 'buffer';
  return undefined;
}

function apiPass(raw: unknown, index: number, source: string, warnings: Diagnostic[]): ShadertoyPass {
  if (!isObject(raw)) throw bad(`renderpass[${index}] is not an object`, source);
  const name = text(raw.name) ?? `pass ${index}`;
  const file = `${source}#${name}`;
  const outputs = Array.isArray(raw.outputs) ? raw.outputs : [];
  const outId = isObject(outputs[0]) && outputs[0].id !== undefined ? String(outputs[0].id) : undefined;
  const outputTarget = outId === undefined ? undefined : OUTPUT_IDS[outId];
  const kind = passKind(raw, outputTarget);
  if (kind === undefined) throw bad(`renderpass "${name}" has no type Shadertoy defines`, source);
  const code = text(raw.code);
  if (code === undefined) {
    const external = text(raw.filename);
    throw bad(
      external
        ? `renderpass "${name}" keeps its code in ${external}, not in the JSON: convert the folder of pass files instead`
        : `renderpass "${name}" has no code`,
      source,
    );
  }
  const pass: ShadertoyPass = { kind, name, code, inputs: [], file };
  if (kind === 'buffer') {
    const letter =
      outputTarget === 'A' || outputTarget === 'B' || outputTarget === 'C' || outputTarget === 'D'
        ? outputTarget
        : bufferLetterOf(name);
    if (letter === undefined) throw bad(`buffer pass "${name}" writes no buffer A-D`, source);
    pass.output = letter;
  }
  for (const input of Array.isArray(raw.inputs) ? raw.inputs : []) {
    const parsed = apiInput(input, file, warnings);
    if (parsed) pass.inputs.push(parsed);
  }
  return pass;
}

function apiInfo(raw: unknown): ShadertoyInfo {
  const info: ShadertoyInfo = {};
  if (!isObject(raw)) return info;
  for (const key of ['id', 'name', 'username', 'description'] as const) {
    const v = text(raw[key]);
    if (v !== undefined && v.trim() !== '') info[key] = v.trim();
  }
  if (Array.isArray(raw.tags)) info.tags = raw.tags.filter((t): t is string => typeof t === 'string');
  return info;
}

/** True when a parsed JSON value looks like Shadertoy API JSON (any variant). */
export function isShadertoyJson(value: unknown): boolean {
  if (!isObject(value)) return false;
  if (isObject(value.Shader)) return true;
  if (Array.isArray(value.renderpass)) return true;
  return Array.isArray(value.shaders) || Array.isArray(value.Shaders);
}

/** Every shader an API JSON holds (one, or several for "export all"). */
export function projectsFromJson(
  value: unknown,
  source: string,
): { projects: ShadertoyProject[]; warnings: Diagnostic[] } {
  const warnings: Diagnostic[] = [];
  if (!isObject(value)) throw bad('the JSON is not a Shadertoy shader object', source);
  const list: unknown[] = Array.isArray(value.shaders)
    ? value.shaders
    : Array.isArray(value.Shaders)
      ? value.Shaders
      : [value];
  const projects = list.map((entry, i) => {
    const shader = isObject(entry) && isObject(entry.Shader) ? entry.Shader : entry;
    if (!isObject(shader) || !Array.isArray(shader.renderpass)) {
      throw bad(`shader ${i} has no "renderpass" list: this is not Shadertoy API JSON`, source);
    }
    return {
      info: apiInfo(shader.info),
      passes: shader.renderpass.map((p, k) => apiPass(p, k, source, warnings)),
    };
  });
  return { projects, warnings };
}

/** A folder's channel map (`channels.json`) entry for one input, as the corpus writes it. */
export function channelFromMap(channelName: string, raw: unknown): ChannelInput | undefined {
  const m = /^iChannel([0-3])$/.exec(channelName);
  if (!m || !isObject(raw)) return undefined;
  const kind = channelKind(text(raw.type)) ?? 'texture';
  const input: ChannelInput = { channel: Number(m[1]) as 0 | 1 | 2 | 3, kind, ...parseSampler(raw) };
  if (kind === 'buffer') {
    const letter = bufferLetterOf(text(raw.source) ?? '');
    if (letter) input.buffer = letter;
  }
  const src = text(raw.src) ?? text(raw.path) ?? text(raw.file);
  if (src !== undefined) input.src = src;
  return input;
}
