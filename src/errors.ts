/**
 * Errors a user can act on. Every one carries a stable code (printed first, greppable in CI logs)
 * and the exit code the CLI returns: 2 for usage or input errors, 1 reserved for "findings".
 */
export class AbitraceError extends Error {
  readonly code: string;
  readonly exitCode: number;

  constructor(code: string, message: string, exitCode = 2) {
    super(message);
    this.name = 'AbitraceError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** Stable error codes. Add here, never rename: scripts match on them. */
export const E = {
  USAGE: 'E_USAGE',
  FILE_NOT_FOUND: 'E_FILE_NOT_FOUND',
  FORMAT_UNKNOWN: 'E_FORMAT_UNKNOWN',
  EMPTY_INPUT: 'E_EMPTY_INPUT',
  BINARY_INPUT: 'E_BINARY_INPUT',
  TRUNCATED_INPUT: 'E_TRUNCATED_INPUT',
  LINE_TOO_LONG: 'E_LINE_TOO_LONG',
  MALFORMED_LINE: 'E_MALFORMED_LINE',
  ZSTD_MISSING: 'E_ZSTD_MISSING',
  DB_LOCKED: 'E_DB_LOCKED',
  DB_OPEN: 'E_DB_OPEN',
  DB_NOT_FOUND: 'E_DB_NOT_FOUND',
  SQL: 'E_SQL',
  READ_ONLY: 'E_READ_ONLY',
  BAD_ADDRESS: 'E_BAD_ADDRESS',
  PLATFORM_UNKNOWN: 'E_PLATFORM_UNKNOWN',
  REGISTER_UNKNOWN: 'E_REGISTER_UNKNOWN',
  RULE_INVALID: 'E_RULE_INVALID',
  RULE_UNKNOWN: 'E_RULE_UNKNOWN',
  REVISION_UNKNOWN: 'E_REVISION_UNKNOWN',
  PROFILE_UNKNOWN: 'E_PROFILE_UNKNOWN',
  NO_DATA: 'E_NO_DATA',
  ARROW: 'E_ARROW',
  DB_SCHEMA: 'E_DB_SCHEMA',
  FILE_READ: 'E_FILE_READ',
  OUTPUT_WRITE: 'E_OUTPUT_WRITE',
  INTERRUPTED: 'E_INTERRUPTED',
} as const;

/** Exit codes of a run stopped by a signal: 128 + the signal's number, as a shell reports it. */
export const SIGNAL_EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

/** What aborts a command's AbortSignal when SIGINT/SIGTERM arrives (the CLI's signal handler). */
export function interruptedBy(signal: keyof typeof SIGNAL_EXIT_CODES): AbitraceError {
  return new AbitraceError(E.INTERRUPTED, `interrupted (${signal})`, SIGNAL_EXIT_CODES[signal]);
}

/**
 * The E_INTERRUPTED error of an aborted signal, `detail` (what was cleaned up) appended to its
 * message: the abort's reason when it is one (the CLI's), else a plain "interrupted", exit 130.
 */
export function interruption(signal: AbortSignal, detail?: string): AbitraceError {
  const reason = signal.reason;
  const base = reason instanceof AbitraceError && reason.code === E.INTERRUPTED ? reason : new AbitraceError(E.INTERRUPTED, 'interrupted', SIGNAL_EXIT_CODES.SIGINT);
  return detail ? new AbitraceError(E.INTERRUPTED, `${base.message}; ${detail}`, base.exitCode) : base;
}
