/**
 * Typed errors and diagnostics shared by every layer.
 *
 * Every failure the library reports carries a stable `code` from the closed union below, a message a person
 * can act on, and (where it is about a file) the file, 1-based line and 1-based column in the user's own source.
 * Layers above core throw subclasses of `ISFError` so `instanceof ISFError` and `err.code` always work.
 */

/** Stable error codes. Adding one is an API change: document it in README's error table. */
export type ISFErrorCode =
  // --- document parsing (core/parse) ---
  | 'ISF_EMPTY' // empty or whitespace-only file
  | 'ISF_NOT_TEXT' // binary garbage / not valid UTF-8 text
  | 'ISF_TOO_LARGE' // document larger than the configured limit
  | 'ISF_MISSING_COMMENT' // no /* ... */ JSON blob
  | 'ISF_UNTERMINATED_COMMENT' // "/*" without a closing "*/"
  | 'ISF_JSON_SYNTAX' // the blob is not strict JSON
  | 'ISF_JSON_TOO_DEEP' // nesting deeper than the limit
  | 'ISF_JSON_NOT_OBJECT' // the blob parses, but is not a JSON object
  | 'ISF_INPUTS_INVALID' // INPUTS is not an array
  | 'ISF_INPUT_INVALID' // an INPUTS entry is not an object or has no NAME
  | 'ISF_INPUT_NAME' // NAME is not a valid GLSL identifier / reserved
  | 'ISF_INPUT_DUPLICATE' // two inputs (or input and target/import) share a name
  | 'ISF_INPUT_TYPE' // TYPE missing or unknown
  | 'ISF_INPUT_VALUE' // DEFAULT/MIN/MAX/IDENTITY/VALUES/LABELS of the wrong shape
  | 'ISF_PASSES_INVALID' // PASSES is not an array
  | 'ISF_PASS_INVALID' // a pass entry is malformed (TARGET not a string, ...)
  | 'ISF_EXPRESSION' // a WIDTH/HEIGHT expression that does not parse or evaluate
  | 'ISF_IMPORTED_INVALID' // IMPORTED malformed (PATH missing, wrong type)
  | 'ISF_IMPORTED_PATH' // IMPORTED path escapes the document's folder (or is absolute) and that is not allowed
  | 'ISF_IMPORTED_MISSING' // IMPORTED file not found / cannot be decoded
  | 'ISF_FILE_NOT_FOUND' // loadISF path does not exist / cannot be read
  | 'ISF_IMG_ARGS' // IMG_* call with the wrong number of arguments
  | 'ISF_VSA_INVALID' // a VERTEX_SHADER_ART setting (POINT_COUNT, PRIMITIVE_MODE, LINE_SIZE, BACKGROUND_COLOR) is malformed
  | 'ISF_GLSL_SYNTAX' // GLSL body problem the generator itself detects (unbalanced parens in IMG_* ...)
  | 'ISF_STRICT' // a departure from the ISF spec that some host accepts, refused because of --strict / strict
  | 'ISF_HOST_TYPE' // an input TYPE another host defines that has no faithful mapping here (Vuo lists, ossia ...)
  | 'ISF_NOT_ISF' // the file is another format (Shadertoy, GLSL Sandbox, MadMapper material, a bare vertex shader)
  | 'ISF_INCLUDE' // #include that cannot be resolved: missing, cyclic, too deep, outside the folder
  // --- GLSL compile/link (render) ---
  | 'GLSL_COMPILE'
  | 'GLSL_LINK'
  // --- GL backend and context lifecycle (gl, node) ---
  | 'GL_UNAVAILABLE' // libEGL/libGLESv2 missing, no EGL display or context
  | 'GL_CONTEXT_LOST'
  | 'GL_ERROR' // glGetError returned something during an operation
  | 'GL_UNSUPPORTED' // a required capability is missing (e.g. float render targets)
  | 'CONTEXT_STATE' // operation not allowed in the context's current state (destroyed, cleaning...)
  | 'CONTEXT_REF_HELD' // cleanup refused/timed out because references are held
  | 'REF_UNDERFLOW' // releaseRef without a matching acquireRef
  | 'RESOURCE_DESTROYED' // use of a destroyed scene/buffer/context
  // --- scene inputs and rendering (render) ---
  | 'NO_DOCUMENT' // render before useDoc
  | 'INPUT_UNKNOWN' // setValue with a name the document does not declare
  | 'INPUT_VALUE' // a value that cannot be coerced to the input's type
  | 'IMAGE_DECODE' // image source cannot be decoded
  | 'AUDIO_DECODE' // audio source cannot be decoded
  | 'SIZE_OUT_OF_RANGE' // render/pass size <= 0, NaN, or above the limit
  | 'LIMIT_EXCEEDED' // a resource limit (texture memory, passes, document size...) was exceeded
  | 'RENDER_TIMEOUT' // a render/compile ran past its time limit
  | 'WORKER_FAILED' // a worker thread/process died and the job could not be completed
  | 'GL_DRIVER_CRASH' // the GL driver crashed (a native fault killed the isolated process) compiling or drawing a shader
  // --- I/O and tools (node, cli) ---
  | 'IO_ERROR'
  | 'OUTPUT_CLOSED' // the program reading a stream output (-o -) closed it before the last frame (EPIPE)
  | 'FFMPEG_MISSING'
  | 'PACKAGE_MISSING' // an optional peer dependency (bullmq, for the farm) is not installed
  | 'FFMPEG_FAILED'
  | 'CONVERT_SOURCE' // isf convert: the input is not a Shadertoy / GLSL Sandbox shader it can convert
  | 'BAD_ARGUMENT'; // CLI / API argument that is invalid (message says which and what is expected)

/** Warning codes: never thrown, only reported in `diagnostics`. */
export type ISFWarningCode =
  | 'W_UNKNOWN_KEY'
  | 'W_KEY_CASE'
  | 'W_DEFAULT_RANGE'
  | 'W_LABELS_VALUES'
  | 'W_MINMAX_PAIR'
  | 'W_CONVENTION_TYPE'
  | 'W_IGNORED_VALUE'
  | 'W_V1_CONVERTED'
  | 'W_CODE_AFTER_COMMENT'
  | 'W_UNKNOWN_VARIABLE' // WIDTH/HEIGHT expression names something that is not WIDTH, HEIGHT or a scalar input
  | 'W_DIALECT'
  | 'W_RENAMED'
  | 'W_IMPLICIT_CONVERSION'
  | 'W_HOST_MODE' // a host-specific MODE (ossia score's VERTEX_SHADER_ART) that other hosts do not render
  | 'W_FLOAT_FALLBACK'
  | 'W_LONG_LOOP'
  | 'W_IMPORT_OUTSIDE_FOLDER' // a trusted document's IMPORTED/.vs/#include reaches above its own folder
  // departures from the spec that some host accepts (docs/dialects.md); ISF_STRICT under --strict
  | 'W_JSON_LENIENT' // JSON that is not strict JSON: trailing comma, `1.`, raw tab/line break in a string, comment
  | 'W_COERCED' // a value of the wrong JSON type that hosts coerce ("MAX": "1024", label strings in VALUES)
  | 'W_HOST_TYPE' // an input TYPE another host defines, mapped (int → long, point3D/point4D → vec3/vec4)
  | 'W_HEADER' // no ISFVSN, ISF_VERSION instead, text before the JSON comment
  | 'W_GLSL_DIALECT' // GLSL the spec does not define but hosts accept (#include, #extension, IMG_THIS_PIXEL(img, p))
  | 'W_CONVERT' // isf convert: something the source does that the ISF output cannot do exactly
  | 'W_RENAMED_INPUT'; // an input named with a GLSL keyword, renamed in its uniform and every use

export type Severity = 'error' | 'warning';

/** A located message, shaped after esbuild's `Message`: 1-based line and column, in the user's own file. */
export interface Diagnostic {
  severity: Severity;
  code: ISFErrorCode | ISFWarningCode;
  message: string;
  /** Path of the file the location is in (the .fs, its .vs, or the path passed to parseISF). */
  file?: string;
  /** 1-based line in `file`. */
  line?: number;
  /** 1-based column in `file`. */
  column?: number;
  /** What to do about it, when there is an obvious fix. */
  suggestion?: string;
  /** On a departure from the spec (docs/dialects.md): the hosts that would refuse the file. */
  refusedBy?: string[];
  /** On an ISF_STRICT error: the code of the departure warning it was. */
  departure?: ISFWarningCode;
}

/**
 * Diagnostics in reading order: those of `mainFile` (and those naming no file) first, then each other file in the
 * order it first appears (an #include), by line and column within a file. Array.prototype.sort is stable, so
 * messages at one place keep the order they were found in. Returns a new array.
 */
export function inReadingOrder(diagnostics: readonly Diagnostic[], mainFile?: string): Diagnostic[] {
  const rank = new Map<string | undefined, number>([[undefined, 0]]);
  if (mainFile !== undefined) rank.set(mainFile, 0);
  for (const d of diagnostics) if (!rank.has(d.file)) rank.set(d.file, rank.size);
  return [...diagnostics].sort(
    (a, b) =>
      rank.get(a.file)! - rank.get(b.file)! ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.column ?? 0) - (b.column ?? 0),
  );
}

export interface ISFErrorOptions {
  file?: string;
  line?: number;
  column?: number;
  suggestion?: string;
  /** Further located messages (e.g. every line of a GLSL compile log). */
  diagnostics?: Diagnostic[];
  /** Free-form details for tools (driver log, limit values...). Never the generated GLSL dumped at the user. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class ISFError extends Error {
  override name = 'ISFError';
  readonly code: ISFErrorCode;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly suggestion: string | undefined;
  readonly diagnostics: Diagnostic[];
  readonly details: Record<string, unknown>;

  constructor(code: ISFErrorCode, message: string, options: ISFErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.file = options.file;
    this.line = options.line;
    this.column = options.column;
    this.suggestion = options.suggestion;
    this.diagnostics = options.diagnostics ?? [];
    this.details = options.details ?? {};
  }

  /** "file:line:col: message" when located, else the message. */
  get located(): string {
    return formatLocation(this.file, this.line, this.column) + this.message;
  }

  toDiagnostic(): Diagnostic {
    const d: Diagnostic = { severity: 'error', code: this.code, message: this.message };
    if (this.file !== undefined) d.file = this.file;
    if (this.line !== undefined) d.line = this.line;
    if (this.column !== undefined) d.column = this.column;
    if (this.suggestion !== undefined) d.suggestion = this.suggestion;
    return d;
  }

  toJSON(): Record<string, unknown> {
    return { ...this.toDiagnostic(), diagnostics: this.diagnostics, details: this.details };
  }
}

export function formatLocation(file?: string, line?: number, column?: number): string {
  if (file === undefined && line === undefined) return '';
  let s = file ?? '<input>';
  if (line !== undefined) s += `:${line}`;
  if (line !== undefined && column !== undefined) s += `:${column}`;
  return `${s}: `;
}

export function isISFError(e: unknown): e is ISFError {
  return e instanceof ISFError;
}

/** Builds the "Expected X for NAME but received Y of type T" message used by every public setter (sharp style). */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string')
    return `${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)} of type string`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) return `a ${value.constructor.name} of ${value.byteLength} bytes`;
  if (typeof value === 'object') return `an object (${value.constructor?.name ?? 'Object'})`;
  return `${String(value)} of type ${typeof value}`;
}

export function invalidParameter(
  what: string,
  expected: string,
  value: unknown,
  code: ISFErrorCode = 'BAD_ARGUMENT',
): ISFError {
  return new ISFError(code, `Expected ${expected} for ${what} but received ${describeValue(value)}`);
}
