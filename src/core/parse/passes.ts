/**
 * PASSES (v2) and PERSISTENT_BUFFERS (v1) → ISFPass list, VVISF-style: PERSISTENT/FLOAT accept true, numbers > 0 and
 * the strings "yes"/"true"; WIDTH/HEIGHT are numbers or expressions, compiled here so mistakes surface at load time.
 */
import type { ISFInput, ISFPass } from '../document.ts';
import { isISFError } from '../errors.ts';
import { compileExpression } from '../expr/index.ts';
import type { ParseContext } from './context.ts';
import { describeJson, type JsonMember, type JsonNode, type JsonObject, member } from './json.ts';
import { checkKeys, PASS_KEYS, PERSISTENT_BUFFER_KEYS } from './keys.ts';
import { readOptionalString } from './values.ts';

export interface ParsedPass {
  pass: ISFPass;
  /** Offset of the TARGET string, when the pass has a target. */
  targetOffset?: number;
  /** The pass renders into a v1 PERSISTENT_BUFFERS entry (that declaration owns the name). */
  targetsV1Buffer: boolean;
}

export interface V1Buffer {
  pass: ISFPass;
  offset: number;
  used: boolean;
}

/** Reads a PERSISTENT/FLOAT flag; undefined when the key is absent. */
function readFlag(ctx: ParseContext, m: JsonMember | undefined, where: string): boolean | undefined {
  if (m === undefined) return undefined;
  const n = m.node;
  if (n.type === 'boolean') return n.value;
  if (n.type === 'number') return n.value > 0;
  if (n.type === 'string') {
    if (n.value === 'yes' || n.value === 'true') return true;
    if (n.value === 'no' || n.value === 'false') return false;
    const lower = n.value.toLowerCase();
    if (lower === 'yes' || lower === 'true' || lower === 'no' || lower === 'false') {
      ctx.warn(
        'W_KEY_CASE',
        `${m.key} ${JSON.stringify(n.value)} of ${where} is read as ${lower === 'yes' || lower === 'true'}, but VVISF only understands lowercase "${lower}"`,
        n.start,
        `Write ${lower === 'yes' || lower === 'true' ? 'true' : 'false'}`,
      );
      return lower === 'yes' || lower === 'true';
    }
    ctx.warn(
      'W_IGNORED_VALUE',
      `${m.key} ${JSON.stringify(n.value)} of ${where} is not a flag; read as false`,
      n.start,
      'Use true or false',
    );
    return false;
  }
  if (n.type === 'null') {
    ctx.warn('W_IGNORED_VALUE', `${m.key} of ${where} is null; read as false`, n.start);
    return false;
  }
  ctx.error(
    'ISF_PASS_INVALID',
    `${m.key} of ${where} must be true or false but is ${describeJson(n)}`,
    n.start,
  );
  return undefined;
}

/** Scalar inputs are the only ones exprtk can see in VVISF. */
function isScalar(input: ISFInput): boolean {
  return input.type === 'event' || input.type === 'bool' || input.type === 'long' || input.type === 'float';
}

/** Reads WIDTH or HEIGHT: a number becomes its decimal text; a string is compiled now to report errors in place. */
function readSize(
  ctx: ParseContext,
  m: JsonMember | undefined,
  where: string,
  inputs: ISFInput[],
): string | undefined {
  if (m === undefined) return undefined;
  const n = m.node;
  if (n.type === 'number') return String(n.value);
  if (n.type !== 'string') {
    ctx.error(
      'ISF_PASS_INVALID',
      `${m.key} of ${where} must be a number or an expression string but is ${describeJson(n)}`,
      n.start,
    );
    return undefined;
  }
  try {
    const compiled = compileExpression(n.value);
    for (const v of compiled.variables) checkVariable(ctx, v, n, m.key, where, inputs);
  } catch (e) {
    if (!isISFError(e) || e.code !== 'ISF_EXPRESSION') throw e;
    const col = typeof e.details.expressionColumn === 'number' ? e.details.expressionColumn : 1;
    // Escapes make string offsets differ from source offsets; then point at the string itself.
    const offset = n.verbatim ? n.start + col : n.start;
    ctx.error('ISF_EXPRESSION', `${m.key} of ${where}: ${e.message}`, offset);
    return undefined;
  }
  return n.value;
}

function checkVariable(
  ctx: ParseContext,
  name: string,
  n: JsonNode,
  key: string,
  where: string,
  inputs: ISFInput[],
): void {
  const lower = name.toLowerCase();
  if (lower === 'width' || lower === 'height') return;
  const input = inputs.find((i) => i.name === name) ?? inputs.find((i) => i.name.toLowerCase() === lower);
  if (input !== undefined && isScalar(input)) return;
  const at = n.type === 'string' && n.verbatim ? locateName(n.value, name, n.start) : n.start;
  const why =
    input === undefined
      ? 'it is not WIDTH, HEIGHT or an input; it evaluates to 0'
      : `input "${input.name}" is a ${input.type}; only event, bool, long and float inputs can be used (it evaluates to 0)`;
  ctx.warn('W_UNKNOWN_VARIABLE', `${key} of ${where} uses "${name}": ${why}`, at);
}

/** Offset of the first use of `name` in a verbatim expression string starting at `stringStart` (its quote). */
function locateName(expr: string, name: string, stringStart: number): number {
  const stripped = expr.replace(/\$/g, '');
  const m = new RegExp(`(?<![A-Za-z0-9_])${name}(?![A-Za-z0-9_])`).exec(stripped);
  if (m === null) return stringStart;
  // Map the stripped index back over the removed `$` signs.
  let kept = -1;
  for (let i = 0; i < expr.length; i++) {
    if (expr[i] === '$') continue;
    kept++;
    if (kept === m.index) {
      // Point at the `$` the user wrote before the name, if any.
      let j = i;
      while (j > 0 && expr[j - 1] === '$') j--;
      return stringStart + 1 + j;
    }
  }
  return stringStart;
}

/** v1 top-level PERSISTENT_BUFFERS: an array of names, or a dict name → { WIDTH, HEIGHT, FLOAT }. */
export function parseV1Buffers(
  ctx: ParseContext,
  root: JsonObject,
  inputs: ISFInput[],
): Map<string, V1Buffer> {
  const buffers = new Map<string, V1Buffer>();
  const m = member(root, 'PERSISTENT_BUFFERS');
  if (m === undefined) return buffers;
  const add = (name: string, offset: number, pass: ISFPass): void => {
    if (buffers.has(name)) {
      ctx.error('ISF_INPUT_DUPLICATE', `PERSISTENT_BUFFERS declares "${name}" twice`, offset);
      return;
    }
    buffers.set(name, { pass, offset, used: false });
  };
  const n = m.node;
  if (n.type === 'array') {
    for (const item of n.items) {
      if (item.type === 'string')
        add(item.value, item.start, { target: item.value, persistent: true, float: false });
      else
        ctx.error(
          'ISF_PASSES_INVALID',
          `PERSISTENT_BUFFERS entries must be buffer names (strings) but one is ${describeJson(item)}`,
          item.start,
        );
    }
  } else if (n.type === 'object') {
    for (const entry of n.members) {
      const where = `persistent buffer "${entry.key}"`;
      const desc = entry.node;
      if (desc.type !== 'object') {
        ctx.error(
          'ISF_PASSES_INVALID',
          `${where} must be an object with WIDTH/HEIGHT/FLOAT but is ${describeJson(desc)}`,
          desc.start,
        );
        continue;
      }
      checkKeys(ctx, desc, PERSISTENT_BUFFER_KEYS, where);
      const pass: ISFPass = { target: entry.key, persistent: true, float: false };
      const width = readSize(ctx, member(desc, 'WIDTH'), where, inputs);
      if (width !== undefined) pass.width = width;
      const height = readSize(ctx, member(desc, 'HEIGHT'), where, inputs);
      if (height !== undefined) pass.height = height;
      const floatM = member(desc, 'FLOAT');
      if (floatM !== undefined) {
        // VVISF reads a v1 FLOAT only when it is a JSON number.
        if (floatM.node.type === 'number') pass.float = floatM.node.value !== 0;
        else {
          ctx.warn(
            'W_IGNORED_VALUE',
            `FLOAT of ${where} is ignored: VVISF reads a v1 FLOAT only as a number (use 1)`,
            floatM.node.start,
          );
        }
      }
      add(entry.key, entry.keyStart, pass);
    }
  } else {
    ctx.error(
      'ISF_PASSES_INVALID',
      `PERSISTENT_BUFFERS must be an array of names or an object of name → { WIDTH, HEIGHT, FLOAT } but is ${describeJson(n)}`,
      n.start,
    );
  }
  return buffers;
}

export function parsePasses(
  ctx: ParseContext,
  root: JsonObject,
  inputs: ISFInput[],
  v1: Map<string, V1Buffer>,
): ParsedPass[] {
  const m = member(root, 'PASSES');
  if (m === undefined) return [];
  if (m.node.type !== 'array') {
    ctx.error(
      'ISF_PASSES_INVALID',
      `PASSES must be an array of pass objects but is ${describeJson(m.node)}`,
      m.node.start,
    );
    return [];
  }
  const out: ParsedPass[] = [];
  for (const [i, node] of m.node.items.entries()) {
    const where = `PASSES[${i}]`;
    if (node.type !== 'object') {
      ctx.error('ISF_PASS_INVALID', `${where} must be an object but is ${describeJson(node)}`, node.start);
      continue;
    }
    checkKeys(ctx, node, PASS_KEYS, where);
    const parsed = parsePass(ctx, node, where, inputs, v1);
    if (parsed !== undefined) out.push(parsed);
  }
  return out;
}

function parsePass(
  ctx: ParseContext,
  node: JsonObject,
  where: string,
  inputs: ISFInput[],
  v1: Map<string, V1Buffer>,
): ParsedPass | undefined {
  const targetM = member(node, 'TARGET');
  let target: string | undefined;
  if (targetM !== undefined) {
    if (targetM.node.type !== 'string') {
      ctx.error(
        'ISF_PASS_INVALID',
        `TARGET of ${where} must be a buffer name (string) but is ${describeJson(targetM.node)}`,
        targetM.node.start,
      );
      return undefined;
    }
    target = targetM.node.value === '' ? undefined : targetM.node.value;
  }
  const label = target === undefined ? where : `${where} (TARGET "${target}")`;
  const persistent = readFlag(ctx, member(node, 'PERSISTENT'), label);
  const float = readFlag(ctx, member(node, 'FLOAT'), label);
  const width = readSize(ctx, member(node, 'WIDTH'), label, inputs);
  const height = readSize(ctx, member(node, 'HEIGHT'), label, inputs);
  const description = readOptionalString(ctx, node, 'DESCRIPTION', label);

  if (target === undefined) {
    // VVISF reads these only for a pass with a TARGET: an output pass renders at the requested size and cannot
    // persist. FLOAT is kept (VVISF drops it) so a renderer can still give that pass float precision; the corpus
    // has one such file (RE RGB Gradient Generator) and the corpus index counts it as float.
    for (const key of ['PERSISTENT', 'WIDTH', 'HEIGHT']) {
      const km = member(node, key);
      if (km !== undefined)
        ctx.warn('W_IGNORED_VALUE', `${key} of ${where} is ignored: the pass has no TARGET`, km.keyStart);
    }
    const pass: ISFPass = { persistent: false, float: float ?? false };
    if (description !== undefined) pass.description = description;
    return { pass, targetsV1Buffer: false };
  }
  const buffer = v1.get(target);
  // A pass into a v1 persistent buffer inherits its declaration; values written on the pass win.
  const pass: ISFPass = {
    persistent: buffer !== undefined || persistent === true,
    float: float ?? buffer?.pass.float ?? false,
  };
  if (target !== undefined) pass.target = target;
  const w = width ?? buffer?.pass.width;
  if (w !== undefined) pass.width = w;
  const h = height ?? buffer?.pass.height;
  if (h !== undefined) pass.height = h;
  if (description !== undefined) pass.description = description;
  if (buffer !== undefined) buffer.used = true;
  const parsed: ParsedPass = { pass, targetsV1Buffer: buffer !== undefined };
  if (targetM !== undefined) parsed.targetOffset = targetM.node.start;
  return parsed;
}
