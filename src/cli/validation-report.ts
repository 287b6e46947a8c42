/**
 * What `isf validate` reports per file, whichever way it was checked (here, isolated, or on the farm by
 * cli/farm.ts): the shared shape that validate.ts prints and farm.ts collects.
 */
import type { Compatibility } from '../core/dialects.ts';
import type { Diagnostic } from '../core/errors.ts';

export interface ValidationReport {
  file: string;
  ok: boolean;
  kind: string | null;
  errors: Diagnostic[];
  warnings: Diagnostic[];
  /** Departures from the spec (docs/dialects.md): would it pass --strict, and which hosts would refuse it. */
  compatibility: Compatibility;
}

/** A file's report before its compatibility is worked out (withCompatibility). */
export type CheckedReport = Omit<ValidationReport, 'compatibility'>;
