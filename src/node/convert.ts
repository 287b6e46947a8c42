/**
 * `isf convert` on disk: reads a Shadertoy `.glsl`, a folder of Shadertoy pass files (`common.glsl`,
 * `buffer-a.glsl`..`buffer-d.glsl`, `image.glsl`, optional `channels.json`), Shadertoy API JSON, or a GLSL Sandbox
 * file, and converts it with the pure core converter. Nothing is fetched: channel textures that are local files
 * next to the source are copied beside the output and IMPORTED; the rest become image inputs.
 */
import { existsSync, statSync } from 'node:fs';
import { copyFile, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import {
  type ChannelInput,
  type ConvertResult,
  channelFromMap,
  convertShadertoy,
  convertSource,
  type ShadertoyPass,
  type ShadertoyProject,
  type SourceKind,
} from '../core/convert/index.ts';
import { ISFError } from '../core/errors.ts';
import { writeFileAtomic } from './files.ts';

export interface ConvertFileOptions {
  from?: SourceKind;
}

export interface ConvertedShader extends ConvertResult {
  /** A file name for the shader (from its Shadertoy name or the source file). */
  name: string;
  /** Local texture files to copy next to the output: IMPORTED path → source file. */
  copies: Map<string, string>;
}

const PASS_FILES: Array<{
  file: string;
  kind: ShadertoyPass['kind'];
  name: string;
  output?: 'A' | 'B' | 'C' | 'D';
}> = [
  { file: 'common.glsl', kind: 'common', name: 'Common' },
  { file: 'buffer-a.glsl', kind: 'buffer', name: 'Buffer A', output: 'A' },
  { file: 'buffer-b.glsl', kind: 'buffer', name: 'Buffer B', output: 'B' },
  { file: 'buffer-c.glsl', kind: 'buffer', name: 'Buffer C', output: 'C' },
  { file: 'buffer-d.glsl', kind: 'buffer', name: 'Buffer D', output: 'D' },
  { file: 'image.glsl', kind: 'image', name: 'Image' },
];

const MAX_SOURCE_BYTES = 4 * 1024 * 1024;

async function readText(path: string): Promise<string> {
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new ISFError('IO_ERROR', `${path} is not a regular file`, { file: path });
    size = st.size;
  } catch (e) {
    if (e instanceof ISFError) throw e;
    throw new ISFError('ISF_FILE_NOT_FOUND', `Cannot read ${path}: ${(e as Error).message}`, { file: path });
  }
  if (size > MAX_SOURCE_BYTES) {
    throw new ISFError(
      'ISF_TOO_LARGE',
      `${path} is ${size} bytes; shader sources are limited to ${MAX_SOURCE_BYTES}`,
      {
        file: path,
      },
    );
  }
  return readFile(path, 'utf8');
}

/** A texture channel's `src` as a local file next to the source, when there is one (never fetched). */
function localTexture(sourceDir: string, copies: Map<string, string>) {
  return (src: string): string | undefined => {
    if (/^[a-z]+:\/\//i.test(src)) return undefined;
    const file = resolve(sourceDir, src.replace(/^\/+/, ''));
    if (!file.startsWith(resolve(sourceDir)) || !existsSync(file) || !statSync(file).isFile())
      return undefined;
    const name = basename(file);
    copies.set(name, file);
    return name;
  };
}

/** A folder of pass files as a project; `channels.json` (optional) says what each iChannelN reads. */
async function folderProject(dir: string): Promise<ShadertoyProject> {
  const names = new Set(await readdir(dir));
  let map: { name?: string; passes?: Array<{ file?: string; inputs?: Record<string, unknown> }> } = {};
  if (names.has('channels.json')) {
    try {
      map = JSON.parse(await readText(join(dir, 'channels.json')));
    } catch (e) {
      if (e instanceof ISFError) throw e;
      throw new ISFError('CONVERT_SOURCE', `channels.json is not valid JSON: ${(e as Error).message}`, {
        file: join(dir, 'channels.json'),
      });
    }
  }
  const passes: ShadertoyPass[] = [];
  for (const spec of PASS_FILES) {
    if (!names.has(spec.file)) continue;
    const file = join(dir, spec.file);
    const inputs: ChannelInput[] = [];
    const entry = map.passes?.find((p) => p.file === spec.file);
    for (const [channel, raw] of Object.entries(entry?.inputs ?? {})) {
      const input = channelFromMap(channel, raw);
      if (input) inputs.push(input);
    }
    const pass: ShadertoyPass = {
      kind: spec.kind,
      name: spec.name,
      code: await readText(file),
      inputs,
      file,
    };
    if (spec.output) pass.output = spec.output;
    passes.push(pass);
  }
  if (!passes.some((p) => p.kind === 'image')) {
    throw new ISFError(
      'CONVERT_SOURCE',
      `${dir} has no image.glsl: a Shadertoy folder needs its Image pass`,
      {
        file: dir,
        suggestion: 'Name the pass files common.glsl, buffer-a.glsl ... buffer-d.glsl and image.glsl',
      },
    );
  }
  return { info: map.name ? { name: map.name } : {}, passes };
}

function safeName(name: string): string {
  return name.replace(/[^\w.-]+/g, '_').replace(/^_+|_+$/g, '') || 'shader';
}

/** Converts a file or folder; several results for API JSON that holds several shaders. */
export async function convertPath(
  path: string,
  options: ConvertFileOptions = {},
): Promise<ConvertedShader[]> {
  const abs = resolve(path);
  let isDir = false;
  try {
    isDir = (await stat(abs)).isDirectory();
  } catch (e) {
    throw new ISFError('ISF_FILE_NOT_FOUND', `Cannot read ${path}: ${(e as Error).message}`, { file: path });
  }
  const copies = new Map<string, string>();
  if (isDir) {
    const project = await folderProject(abs);
    const result = convertShadertoy(project, { importTexture: localTexture(abs, copies) });
    return [{ ...result, name: safeName(project.info.name ?? basename(abs)), copies }];
  }
  const text = await readText(abs);
  const results = convertSource(text, {
    file: abs,
    ...(options.from ? { from: options.from } : {}),
    importTexture: localTexture(dirname(abs), copies),
  });
  const stem = basename(abs, extname(abs));
  return results.map((r, i) => {
    const title = /"DESCRIPTION"|"CREDIT"/.test(r.source) ? creditName(r.source) : undefined;
    return { ...r, name: safeName(results.length > 1 ? (title ?? `${stem}-${i + 1}`) : stem), copies };
  });
}

/** The quoted shader name in a converted CREDIT ("Name" by user), to name files of a multi-shader JSON. */
function creditName(source: string): string | undefined {
  const m = /"CREDIT":\s*"\\"([^"\\]+)\\"/.exec(source);
  return m?.[1];
}

/**
 * Writes converted shaders: one result to `out` (a .fs path, or a folder), several to the folder `out`, one
 * `<name>.fs` each. Files are written atomically; textures are copied beside them.
 */
export async function writeConverted(results: ConvertedShader[], out: string): Promise<string[]> {
  const toFolder =
    results.length > 1 || extname(out) === '' || (existsSync(out) && statSync(out).isDirectory());
  if (results.length > 1 && extname(out) === '.fs') {
    throw new ISFError(
      'BAD_ARGUMENT',
      `the source holds ${results.length} shaders: give a folder for -o, not ${out}`,
    );
  }
  const written: string[] = [];
  const used = new Set<string>();
  for (const r of results) {
    let name = r.name;
    for (let k = 2; used.has(name); k++) name = `${r.name}-${k}`;
    used.add(name);
    const file = toFolder ? join(out, `${name}.fs`) : out;
    await mkdir(dirname(file), { recursive: true });
    for (const [target, source] of r.copies) await copyFile(source, join(dirname(file), target));
    await writeFileAtomic(file, Buffer.from(r.source, 'utf8'));
    written.push(file);
  }
  return written;
}
