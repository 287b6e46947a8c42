/**
 * Assembles an ISFDocument from the parsed JSON: top-level metadata, inputs, v1 buffers, passes, imports, then the
 * checks that need all of them (one name space, conventions, version).
 */
import type { ISFDocument, ISFInput, ISFKind, ParseOptions } from '../document.ts';
import { isES300Reserved } from '../glsl/rename.ts';
import type { BlobLocation } from './blob.ts';
import type { ParseContext } from './context.ts';
import { recogniseBody } from './formats.ts';
import { parseImported } from './imported.ts';
import { type ParsedInput, parseInputs } from './inputs.ts';
import { describeJson, type JsonObject, member } from './json.ts';
import { checkKeys, TOP_LEVEL_KEYS } from './keys.ts';
import { nameProblem } from './names.ts';
import { parsePasses, parseV1Buffers } from './passes.ts';
import { stemPath } from './posix-path.ts';
import { readOptionalString } from './values.ts';
import { isVertexShaderArt, parseVertexShaderArt, VSA_KEYS } from './vsa.ts';

export function buildDocument(
  ctx: ParseContext,
  root: JsonObject,
  blob: BlobLocation,
  options: ParseOptions,
): ISFDocument {
  checkKeys(
    ctx,
    root,
    isVertexShaderArt(root) ? [...TOP_LEVEL_KEYS, ...VSA_KEYS] : TOP_LEVEL_KEYS,
    'the top-level JSON',
  );
  const source = ctx.source;

  const parsedInputs = parseInputs(ctx, root);
  const inputs = parsedInputs.map((p) => p.input);
  const v1 = parseV1Buffers(ctx, root, inputs);
  const parsedPasses = parsePasses(ctx, root, inputs, v1);
  const parsedImported = parseImported(ctx, root, options);

  checkNames(ctx, parsedInputs, [
    ...parsedImported.map((p) => ({ name: p.imported.name, offset: p.nameOffset, what: 'imported image' })),
    ...[...v1].map(([name, b]) => ({ name, offset: b.offset, what: 'persistent buffer' })),
    ...parsedPasses
      .filter((p) => p.targetOffset !== undefined && !p.targetsV1Buffer)
      .map((p) => ({ name: p.pass.target!, offset: p.targetOffset!, what: 'pass TARGET' })),
  ]);
  checkConventions(ctx, parsedInputs);

  const passes = parsedPasses.map((p) => p.pass);
  if (passes.length === 0) passes.push({ persistent: false, float: false });

  const fragmentBody = source.slice(blob.bodyStart);
  const foreign = recogniseBody(fragmentBody, blob.bodyStart);
  if (foreign !== undefined) ctx.error('ISF_NOT_ISF', foreign.message, foreign.offset);
  const doc: ISFDocument = {
    name: options.path === undefined ? 'untitled' : stemPath(options.path),
    isfVersion: 2,
    categories: readCategories(ctx, root),
    kind: inferKind(inputs),
    inputs,
    passes,
    imported: parsedImported.map((p) => p.imported),
    fragmentSource: source,
    fragmentBody,
    fragmentBodyLine: blob.bodyLine,
    json: root.value,
    warnings: [],
  };
  const vsa = parseVertexShaderArt(ctx, root);
  if (vsa) doc.vertexShaderArt = vsa;
  if (options.path !== undefined) doc.path = options.path;
  if (options.importRoot !== undefined) doc.importRoot = options.importRoot;
  if (options.allowImportOutsideFolder === true) doc.importAnywhere = true;
  if (options.strict === true) doc.strict = true;

  const extra = [...v1.values()].filter((b) => !b.used);
  for (const b of extra) {
    ctx.warn(
      'W_V1_CONVERTED',
      `Persistent buffer "${b.pass.target}" is declared but no pass renders into it: it stays transparent black`,
      b.offset,
    );
  }
  if (extra.length > 0) doc.extraPersistentBuffers = extra.map((b) => b.pass);

  let vsnM = member(root, 'ISFVSN');
  const altM = member(root, 'ISF_VERSION');
  if (vsnM === undefined && altM !== undefined) {
    ctx.depart(
      'W_HEADER',
      '"ISF_VERSION" is read as "ISFVSN"',
      altM.keyStart,
      ['VVISF', 'ISF editor'],
      'Write "ISFVSN"',
    );
    vsnM = altM;
  } else if (altM !== undefined) {
    ctx.warn('W_UNKNOWN_KEY', '"ISF_VERSION" is ignored: the document has "ISFVSN"', altM.keyStart);
  }
  if (vsnM !== undefined) {
    if (vsnM.node.type === 'string' || vsnM.node.type === 'number') doc.isfvsn = String(vsnM.node.value);
    else
      ctx.warn(
        'W_IGNORED_VALUE',
        `ISFVSN must be a string like "2" but is ${describeJson(vsnM.node)}`,
        vsnM.node.start,
      );
  }
  const pbM = member(root, 'PERSISTENT_BUFFERS');
  const v1Names = /(?<![A-Za-z0-9_])vv_(FragNormCoord|vertShaderInit)\b/;
  const usesV1Names =
    v1Names.test(fragmentBody) || (options.vertexSource !== undefined && v1Names.test(options.vertexSource));
  if (doc.isfvsn === undefined && (pbM !== undefined || usesV1Names)) {
    doc.isfVersion = 1;
    ctx.warn(
      'W_V1_CONVERTED',
      `ISF v1 document (no ISFVSN, ${pbM !== undefined ? 'PERSISTENT_BUFFERS' : 'vv_ names'}): converted to v2 the way VVISF does`,
      pbM?.keyStart ?? blob.jsonStart - 2,
      'Add "ISFVSN": "2", move PERSISTENT_BUFFERS into the passes as "PERSISTENT": true and rename vv_ to isf_',
    );
  } else if (doc.isfvsn !== undefined && /^1(\.|$)/.test(doc.isfvsn.trim())) {
    doc.isfVersion = 1;
  } else if (pbM !== undefined) {
    ctx.warn('W_V1_CONVERTED', 'PERSISTENT_BUFFERS is ISF v1; converted to persistent passes', pbM.keyStart);
  }

  const strings: Array<['description' | 'credit' | 'vsn', string]> = [
    ['description', 'DESCRIPTION'],
    ['credit', 'CREDIT'],
    ['vsn', 'VSN'],
  ];
  for (const [field, key] of strings) {
    const v = readOptionalString(ctx, root, key, 'the document');
    if (v !== undefined) doc[field] = v;
  }
  if (options.vertexSource !== undefined) doc.vertexSource = options.vertexSource;
  if (options.vertexPath !== undefined) doc.vertexPath = options.vertexPath;
  return doc;
}

function readCategories(ctx: ParseContext, root: JsonObject): string[] {
  const m = member(root, 'CATEGORIES');
  if (m === undefined) return [];
  if (m.node.type !== 'array') {
    ctx.warn(
      'W_IGNORED_VALUE',
      `CATEGORIES must be an array of strings but is ${describeJson(m.node)}`,
      m.node.start,
    );
    return [];
  }
  const out: string[] = [];
  for (const item of m.node.items) {
    if (item.type === 'string') out.push(item.value);
    else
      ctx.warn(
        'W_IGNORED_VALUE',
        `CATEGORIES entry ${describeJson(item)} is ignored: categories are strings`,
        item.start,
      );
  }
  return out;
}

/** VVISF: an image named inputImage makes a filter (checked first); startImage+endImage images and a float progress make a transition. */
export function inferKind(inputs: ISFInput[]): ISFKind {
  const has = (name: string, type: ISFInput['type']): boolean =>
    inputs.some((i) => i.name === name && i.type === type);
  if (has('inputImage', 'image')) return 'filter';
  if (has('startImage', 'image') && has('endImage', 'image') && has('progress', 'float')) return 'transition';
  return 'generator';
}

const CONVENTIONS: Record<string, ISFInput['type']> = {
  inputImage: 'image',
  startImage: 'image',
  endImage: 'image',
  progress: 'float',
};

function checkConventions(ctx: ParseContext, inputs: ParsedInput[]): void {
  for (const { input, typeOffset } of inputs) {
    const want = CONVENTIONS[input.name];
    if (want !== undefined && Object.hasOwn(CONVENTIONS, input.name) && input.type !== want) {
      ctx.warn(
        'W_CONVENTION_TYPE',
        `Input "${input.name}" is a ${input.type}, but by ISF convention "${input.name}" is a ${want} input; the document is not typed by it`,
        typeOffset,
        `Make it "TYPE": "${want}" or rename it`,
      );
    }
  }
}

/** Inputs, imported images, persistent buffers and pass targets all become uniforms: one valid, unique name each. */
function checkNames(
  ctx: ParseContext,
  inputs: ParsedInput[],
  others: Array<{ name: string; offset: number; what: string }>,
): void {
  const all = [
    ...inputs.map((p) => ({ name: p.input.name, offset: p.nameOffset, what: 'input' })),
    ...others,
  ].sort((a, b) => a.offset - b.offset);
  const seen = new Map<string, { offset: number; what: string }>();
  for (const entry of all) {
    const problem = nameProblem(entry.name);
    if (problem?.severity === 'error' && isES300Reserved(entry.name)) {
      // Free in GLSL 1.10 / ES 1.00 (what ISF shaders are written against), taken by GLSL 1.30+ / ES 3.00:
      // the generator renames the uniform and every use (W_RENAMED), so the file works here and in GL 2 hosts.
      ctx.depart(
        'W_RENAMED_INPUT',
        `The ${entry.what} name "${entry.name}" ${problem.reason} in GLSL ES 3.00; its uniform is renamed isf_user_${entry.name} along with every use`,
        entry.offset,
        ['ossia score'],
        'Rename it',
      );
    } else if (problem?.severity === 'error') {
      ctx.error(
        'ISF_INPUT_NAME',
        `The ${entry.what} name ${JSON.stringify(entry.name)} ${problem.reason}`,
        entry.offset,
        'Rename it',
      );
      continue;
    } else if (problem !== undefined)
      ctx.warn('W_DIALECT', `The ${entry.what} name "${entry.name}" ${problem.reason}`, entry.offset);
    const first = seen.get(entry.name);
    if (first !== undefined) {
      const line = ctx.lines.at(first.offset).line;
      ctx.error(
        'ISF_INPUT_DUPLICATE',
        `The ${entry.what} name "${entry.name}" is already used by the ${first.what} on line ${line}`,
        entry.offset,
        'Inputs, pass targets and imported images share one name space; rename one of them',
      );
    } else seen.set(entry.name, entry);
  }
}
