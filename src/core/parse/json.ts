/**
 * JSON (RFC 8259, as nlohmann::json reads it) with source offsets on every value, parsed without recursion
 * so hostile nesting fails fast with ISF_JSON_TOO_DEEP instead of overflowing the stack.
 *
 * Given an `onLenient` callback it also accepts what lenient hosts' readers accept (docs/dialects.md): trailing
 * commas, numbers written `1.` or `.5`, raw tabs and line breaks inside strings, and `//` comments. Each is
 * reported through the callback at its offset; without the callback each is an error at the same offset.
 *
 * Offsets are into the whole .fs text, so diagnostics can point into the user's file directly.
 */

export interface JsonBase {
  /** Offset of the value's first character. */
  start: number;
  /** Offset just past its last character. */
  end: number;
}
export interface JsonMember {
  key: string;
  keyStart: number;
  node: JsonNode;
}
export interface JsonObject extends JsonBase {
  type: 'object';
  members: JsonMember[];
  value: Record<string, unknown>;
}
export interface JsonArray extends JsonBase {
  type: 'array';
  items: JsonNode[];
  value: unknown[];
}
export interface JsonString extends JsonBase {
  type: 'string';
  value: string;
  /** True when the literal has no escapes, so value offsets map 1:1 onto the source after the quote. */
  verbatim: boolean;
}
export interface JsonNumber extends JsonBase {
  type: 'number';
  value: number;
  /** The literal had a fraction or exponent ("1.0" is a float for VVISF's "%f" formatting). */
  isFloat: boolean;
}
export interface JsonBoolean extends JsonBase {
  type: 'boolean';
  value: boolean;
}
export interface JsonNull extends JsonBase {
  type: 'null';
  value: null;
}
export type JsonNode = JsonObject | JsonArray | JsonString | JsonNumber | JsonBoolean | JsonNull;

export class JsonSyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
    readonly tooDeep = false,
  ) {
    super(message);
  }
}

/** Last member with this key (JSON.parse and nlohmann both keep the last duplicate). */
export function member(obj: JsonObject, key: string): JsonMember | undefined {
  for (let i = obj.members.length - 1; i >= 0; i--) if (obj.members[i]!.key === key) return obj.members[i];
  return undefined;
}

export function describeJson(node: JsonNode): string {
  switch (node.type) {
    case 'object':
      return 'an object';
    case 'array':
      return `an array of length ${node.items.length}`;
    case 'string':
      return `the string ${JSON.stringify(node.value.length > 40 ? `${node.value.slice(0, 37)}...` : node.value)}`;
    case 'number':
      return `the number ${node.value}`;
    case 'boolean':
      return `${node.value}`;
    case 'null':
      return 'null';
  }
}

const SIMPLE_ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

const NUMBER_RE = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
/** What lenient readers also take: a fraction without digits after (`1.`) or before (`.5`) the point. */
const LENIENT_NUMBER_RE = /-?(?:(?:0|[1-9]\d*)\.(?!\d)|\.\d+)([eE][+-]?\d+)?/y;

/** Reports one accepted departure from strict JSON: what it is, and where. */
export type LenientHandler = (what: string, offset: number) => void;
const WORD_RE = /[A-Za-z_$][A-Za-z0-9_$]*/y;

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty so a "__proto__" key becomes a plain own property, as with JSON.parse.
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function showChar(c: string | undefined): string {
  if (c === undefined) return 'the end of the comment';
  if (c === '\n' || c === '\r') return 'a line break';
  return JSON.stringify(c);
}

/** Parses `text.slice(start, end)` as one strict JSON value. */
export function parseJson(
  text: string,
  start: number,
  end: number,
  maxDepth: number,
  onLenient?: LenientHandler,
): JsonNode {
  let i = start;
  const charAt = (k: number): string | undefined => (k < end ? text[k] : undefined);
  const fail = (message: string, at: number): never => {
    throw new JsonSyntaxError(message, Math.min(at, end));
  };

  const skipWs = (): void => {
    while (i < end) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else if (c === 47 && text[i + 1] === '/' && onLenient !== undefined) {
        onLenient('// comment inside the JSON', i);
        while (i < end && text[i] !== '\n' && text[i] !== '\r') i++;
      } else if (c === 47 && (text[i + 1] === '/' || text[i + 1] === '*'))
        fail('comments are not allowed in JSON', i);
      else return;
    }
  };

  const parseString = (): JsonString => {
    const s = i;
    i++; // opening quote
    let out = '';
    let chunk = i;
    let verbatim = true;
    let rawReported = false;
    for (;;) {
      if (i >= end) fail('unterminated string (missing closing ")', s);
      const c = text.charCodeAt(i);
      if (c === 34) break;
      if (c < 32) {
        if (onLenient === undefined || (c !== 9 && c !== 10 && c !== 13))
          fail('control characters (line breaks, tabs) must be escaped inside JSON strings', i);
        else if (!rawReported) {
          onLenient(`raw ${c === 9 ? 'tab' : 'line break'} inside a JSON string`, i);
          rawReported = true;
        }
      }
      if (c === 92) {
        verbatim = false;
        out += text.slice(chunk, i);
        const e = charAt(i + 1);
        const simple = e === undefined ? undefined : SIMPLE_ESCAPES[e];
        if (simple !== undefined) {
          out += simple;
          i += 2;
        } else if (e === 'u') {
          const hex = text.slice(i + 2, Math.min(i + 6, end));
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid \\u escape: expected 4 hex digits', i);
          out += String.fromCharCode(Number.parseInt(hex, 16));
          i += 6;
        } else {
          fail(`invalid escape sequence \\${e ?? ''} in string`, i);
        }
        chunk = i;
        continue;
      }
      i++;
    }
    out += text.slice(chunk, i);
    i++; // closing quote
    return { type: 'string', value: out, verbatim, start: s, end: i };
  };

  const parseKey = (): { key: string; keyStart: number } => {
    skipWs();
    const c = charAt(i);
    if (c === '"') {
      const k = parseString();
      return { key: k.value, keyStart: k.start };
    }
    if (c === "'") fail('property names must use double quotes, not single quotes', i);
    return fail(`expected a double-quoted property name but found ${showChar(c)}`, i);
  };

  const expectColon = (): void => {
    skipWs();
    if (charAt(i) !== ':') fail(`expected ":" after the property name but found ${showChar(charAt(i))}`, i);
    i++;
  };

  const parsePrimitive = (): JsonNode => {
    const s = i;
    const c = charAt(i);
    if (c === '"') return parseString();
    if (c === "'") return fail('strings must use double quotes, not single quotes', i);
    if (onLenient !== undefined && (c === '-' || c === '.' || (c !== undefined && c >= '0' && c <= '9'))) {
      LENIENT_NUMBER_RE.lastIndex = i;
      const m = LENIENT_NUMBER_RE.exec(text);
      if (m !== null && m.index === i && s + m[0].length <= end) {
        const after = charAt(i + m[0].length);
        if (after === undefined || !/[0-9A-Za-z_.+-]/.test(after)) {
          onLenient(`the number ${m[0]} (JSON wants a digit on both sides of the ".")`, i);
          i += m[0].length;
          return { type: 'number', value: Number(m[0]), isFloat: true, start: s, end: i };
        }
      }
    }
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      NUMBER_RE.lastIndex = i;
      const m = NUMBER_RE.exec(text);
      if (m === null || m.index !== i || s + m[0].length > end) return fail('invalid number', i);
      const after = charAt(i + m[0].length);
      if (after !== undefined && /[0-9A-Za-z_.+-]/.test(after)) {
        return fail(`invalid number (JSON numbers have no leading zeros, hex, or trailing "${after}")`, i);
      }
      const value = Number(m[0]);
      if (!Number.isFinite(value)) fail(`number ${m[0]} is out of range`, i);
      i += m[0].length;
      return { type: 'number', value, isFloat: m[1] !== undefined || m[2] !== undefined, start: s, end: i };
    }
    WORD_RE.lastIndex = i;
    const w = WORD_RE.exec(text);
    if (w !== null && w.index === i && i + w[0].length <= end) {
      const word = w[0];
      i += word.length;
      if (word === 'true' || word === 'false')
        return { type: 'boolean', value: word === 'true', start: s, end: i };
      if (word === 'null') return { type: 'null', value: null, start: s, end: i };
      if (word === 'NaN' || word === 'Infinity' || word === 'undefined') fail(`${word} is not valid JSON`, s);
      return fail(
        `unexpected word ${JSON.stringify(word)} (JSON literals are true, false and null; strings need double quotes)`,
        s,
      );
    }
    if (c === '+') return fail('JSON numbers cannot start with "+"', i);
    if (c === '.') return fail('JSON numbers need a digit before the "."', i);
    return fail(
      c === undefined ? 'unexpected end of JSON: a value is missing' : `unexpected ${showChar(c)}`,
      i,
    );
  };

  type Container = { node: JsonObject | JsonArray; key: string; keyStart: number };
  const stack: Container[] = [];
  let root: JsonNode | undefined;

  skipWs();
  outer: for (;;) {
    // A value is expected at i.
    skipWs();
    let node: JsonNode;
    const c = charAt(i);
    if (c === '{' || c === '[') {
      if (stack.length + 1 > maxDepth) {
        throw new JsonSyntaxError(`JSON nesting is deeper than the limit of ${maxDepth} levels`, i, true);
      }
      const container: JsonObject | JsonArray =
        c === '{'
          ? { type: 'object', members: [], value: {}, start: i, end: i }
          : { type: 'array', items: [], value: [], start: i, end: i };
      i++;
      skipWs();
      const close = c === '{' ? '}' : ']';
      if (charAt(i) === close) {
        i++;
        container.end = i;
        node = container;
      } else {
        const frame: Container = { node: container, key: '', keyStart: 0 };
        if (container.type === 'object') {
          Object.assign(frame, parseKey());
          expectColon();
        }
        stack.push(frame);
        continue;
      }
    } else {
      node = parsePrimitive();
    }

    // Attach the finished value, closing as many containers as end here.
    for (;;) {
      const top = stack[stack.length - 1];
      if (top === undefined) {
        root = node;
        break outer;
      }
      if (top.node.type === 'object') {
        top.node.members.push({ key: top.key, keyStart: top.keyStart, node });
        setOwn(top.node.value, top.key, node.value);
      } else {
        top.node.items.push(node);
        top.node.value.push(node.value);
      }
      skipWs();
      const d = charAt(i);
      const close = top.node.type === 'object' ? '}' : ']';
      if (d === ',') {
        const comma = i;
        i++;
        skipWs();
        if (charAt(i) === close) {
          if (onLenient === undefined) return fail('trailing comma is not allowed in JSON', comma);
          onLenient('trailing comma', comma);
          i++;
          top.node.end = i;
          stack.pop();
          node = top.node;
          continue;
        }
        if (top.node.type === 'object') {
          Object.assign(top, parseKey());
          expectColon();
        }
        continue outer;
      }
      if (d === close) {
        i++;
        top.node.end = i;
        stack.pop();
        node = top.node;
        continue;
      }
      const what = top.node.type === 'object' ? 'property value' : 'array element';
      if (d === undefined) fail(`unexpected end of JSON: missing "${close}" (the comment closes here)`, i);
      fail(`expected "," or "${close}" after the ${what} but found ${showChar(d)}`, i);
    }
  }
  skipWs();
  if (i < end) fail(`unexpected ${showChar(charAt(i))} after the end of the JSON value`, i);
  return root;
}
