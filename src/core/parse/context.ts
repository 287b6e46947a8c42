/**
 * Collects located diagnostics while a document is parsed. Parsing always runs to the end in "collect" mode;
 * parseISF then throws the earliest error, validateISF returns them all.
 */
import { departureMessage, type Host, strictDiagnostic } from '../dialects.ts';
import type { Diagnostic, ISFErrorCode, ISFWarningCode } from '../errors.ts';
import { ISFError, inReadingOrder } from '../errors.ts';
import { LineMap } from './lines.ts';

/** Thrown for problems after which nothing more can be checked (no blob, broken JSON...). */
export class FatalParseError extends Error {}

export class ParseContext {
  readonly diagnostics: Diagnostic[] = [];
  readonly lines: LineMap;

  constructor(
    readonly source: string,
    readonly file: string,
    /** Departures from the spec are errors (ISF_STRICT) instead of warnings. */
    readonly strict = false,
  ) {
    this.lines = new LineMap(source);
  }

  private push(
    severity: 'error' | 'warning',
    code: ISFErrorCode | ISFWarningCode,
    message: string,
    offset: number,
    suggestion?: string,
  ): void {
    const { line, column } = this.lines.at(offset);
    const d: Diagnostic = { severity, code, message, file: this.file, line, column };
    if (suggestion !== undefined) d.suggestion = suggestion;
    this.diagnostics.push(d);
  }

  error(code: ISFErrorCode, message: string, offset: number, suggestion?: string): void {
    this.push('error', code, message, offset, suggestion);
  }

  warn(code: ISFWarningCode, message: string, offset: number, suggestion?: string): void {
    this.push('warning', code, message, offset, suggestion);
  }

  /**
   * A departure from the spec that some host accepts (docs/dialects.md): a warning naming the hosts that would
   * refuse the file, or under strict the ISF_STRICT error it turns into.
   */
  depart(
    code: ISFWarningCode,
    what: string,
    offset: number,
    refusedBy: readonly Host[],
    suggestion?: string,
  ): void {
    this.push('warning', code, departureMessage(what, refusedBy), offset, suggestion);
    const d = this.diagnostics[this.diagnostics.length - 1]!;
    d.refusedBy = [...refusedBy];
    if (this.strict) this.diagnostics[this.diagnostics.length - 1] = strictDiagnostic(d);
  }

  /** Records the error and stops the parse. */
  fatal(code: ISFErrorCode, message: string, offset: number, suggestion?: string): never {
    this.error(code, message, offset, suggestion);
    throw new FatalParseError(message);
  }

  hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }

  /** Diagnostics in file order (stable for equal positions). */
  sorted(): Diagnostic[] {
    return inReadingOrder(this.diagnostics, this.file);
  }

  /** The earliest error as an ISFError carrying every diagnostic. */
  toError(): ISFError {
    const all = this.sorted();
    const first = all.find((d) => d.severity === 'error')!;
    const opts: ConstructorParameters<typeof ISFError>[2] = { diagnostics: all, file: first.file };
    if (first.line !== undefined) opts.line = first.line;
    if (first.column !== undefined) opts.column = first.column;
    if (first.suggestion !== undefined) opts.suggestion = first.suggestion;
    return new ISFError(first.code as ISFErrorCode, first.message, opts);
  }
}
