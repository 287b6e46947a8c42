/**
 * Departures from the ISF spec that some real host accepts (docs/dialects.md).
 *
 * By default the renderer accepts them and reports each one as a located warning that names the hosts that would
 * refuse the file; with `strict` each becomes an ISF_STRICT error carrying the same location, the warning's code
 * (`departure`) and the hosts. `compatibility()` sums the departures of one file up per host, for
 * `isf validate --json`.
 */
import type { Diagnostic, ISFWarningCode } from './errors.ts';
import { ISFError } from './errors.ts';

/** The hosts whose behaviour the departures are described against. */
export const HOSTS = ['VVISF', 'ISF editor', 'ossia score', 'Vuo', 'MadMapper'] as const;
export type Host = (typeof HOSTS)[number];

/** Warning codes that mark a departure (a warning with one of these codes and `refusedBy` set). */
export const DEPARTURE_CODES: ReadonlySet<ISFWarningCode> = new Set<ISFWarningCode>([
  'W_JSON_LENIENT',
  'W_COERCED',
  'W_HOST_TYPE',
  'W_HEADER',
  'W_GLSL_DIALECT',
  'W_RENAMED_INPUT',
  'W_HOST_MODE',
  'W_IMPLICIT_CONVERSION',
]);

const HOST_TEXT: Record<Host, string> = {
  VVISF: 'VVISF (VDMX)',
  'ISF editor': 'the ISF editor',
  'ossia score': 'ossia score',
  Vuo: 'Vuo',
  MadMapper: 'MadMapper',
};

/** "VVISF (VDMX) and the ISF editor would refuse this file" (or what the spec says when no host is known to). */
export function refusalText(refusedBy: readonly Host[]): string {
  if (refusedBy.length === 0) return 'the ISF spec does not allow this, though the hosts tested accept it';
  const names = refusedBy.map((h) => HOST_TEXT[h]);
  const list =
    names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `${list} would refuse this file`;
}

/** The message of a departure warning: what was accepted, then who would refuse it. */
export function departureMessage(what: string, refusedBy: readonly Host[]): string {
  return `${what.charAt(0).toUpperCase()}${what.slice(1)}: ${refusalText(refusedBy)}`;
}

/** The ISF_STRICT error a departure warning becomes under `strict`. */
export function strictDiagnostic(warning: Diagnostic): Diagnostic {
  const d: Diagnostic = {
    ...warning,
    severity: 'error',
    code: 'ISF_STRICT',
    message: `${warning.message} (refused by --strict)`,
    departure: warning.code as ISFWarningCode,
  };
  return d;
}

export function isDeparture(d: Diagnostic): boolean {
  return (
    d.severity === 'warning' && d.refusedBy !== undefined && DEPARTURE_CODES.has(d.code as ISFWarningCode)
  );
}

/** Under strict, departures become errors; everything else passes through. */
export function applyStrict(diagnostics: Diagnostic[], strict: boolean | undefined): Diagnostic[] {
  if (strict !== true) return diagnostics;
  return diagnostics.map((d) => (isDeparture(d) ? strictDiagnostic(d) : d));
}

/** Throws the first departure as ISF_STRICT (for stages that report warnings in a list, like generateShaders). */
export function throwIfStrict(diagnostics: Diagnostic[], strict: boolean | undefined): void {
  if (strict !== true) return;
  const first = diagnostics.find(isDeparture);
  if (first === undefined) return;
  const d = strictDiagnostic(first);
  const opts: ConstructorParameters<typeof ISFError>[2] = { diagnostics: applyStrict(diagnostics, true) };
  if (d.file !== undefined) opts.file = d.file;
  if (d.line !== undefined) opts.line = d.line;
  if (d.column !== undefined) opts.column = d.column;
  opts.details = { departure: d.departure, refusedBy: d.refusedBy };
  throw new ISFError('ISF_STRICT', d.message, opts);
}

/**
 * A checked file's errors and warnings with its compatibility summed up; under strict its departure warnings
 * move to the errors as ISF_STRICT. One lenient check gives both answers (`isf validate --json`).
 */
export function withCompatibility<T extends { ok: boolean; errors: Diagnostic[]; warnings: Diagnostic[] }>(
  report: T,
  strict: boolean | undefined,
): T & { compatibility: Compatibility } {
  const compat = compatibility([...report.errors, ...report.warnings]);
  if (strict !== true) return { ...report, compatibility: compat };
  const moved = report.warnings.filter(isDeparture).map(strictDiagnostic);
  const errors = [...report.errors, ...moved].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  const warnings = report.warnings.filter((d) => !isDeparture(d));
  return { ...report, ok: report.ok && moved.length === 0, errors, warnings, compatibility: compat };
}

export interface Compatibility {
  /** True when the file has no departure at all (it passes --strict). */
  strict: boolean;
  /** Departure codes found, in file order, without repeats. */
  departures: ISFWarningCode[];
  /** Per host: false when some departure is one that host would refuse. */
  hosts: Record<Host, boolean>;
}

/** Sums up a file's departures (warnings, or the ISF_STRICT errors they became). */
export function compatibility(diagnostics: readonly Diagnostic[]): Compatibility {
  const hosts = Object.fromEntries(HOSTS.map((h) => [h, true])) as Record<Host, boolean>;
  const departures: ISFWarningCode[] = [];
  for (const d of diagnostics) {
    const code =
      d.code === 'ISF_STRICT' ? d.departure : isDeparture(d) ? (d.code as ISFWarningCode) : undefined;
    if (code === undefined) continue;
    if (!departures.includes(code)) departures.push(code);
    for (const h of d.refusedBy ?? []) if (h in hosts) hosts[h as Host] = false;
  }
  return { strict: departures.length === 0, departures, hosts };
}
