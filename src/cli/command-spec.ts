/**
 * Declarative command table: each command is one file exporting a CommandSpec; main.ts turns the
 * table into commander commands. Options are data so `--help`, the README and tests agree.
 */
export interface OptionSpec {
  /** commander flags, e.g. '--db <file>' or '-o, --output <file>'. */
  flags: string;
  description: string;
  default?: string | boolean | string[];
  /** Allowed values; commander rejects others with a usage error. */
  choices?: readonly string[];
  /** Repeatable option collected into an array. */
  repeatable?: boolean;
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** commander argument syntax, e.g. '<paths...>' or '[sql]'. */
  args?: string;
  options: readonly OptionSpec[];
  /**
   * SIGINT/SIGTERM abort `ctx.signal` instead of killing the process: the command cleans up (rolls
   * back, removes its temporary files) and throws E_INTERRUPTED (see `interruption()`). A second
   * signal kills at once. Commands without this flag get the default (the process dies).
   */
  interruptible?: boolean;
  /** Returns the process exit code (0 ok, 1 findings/empty where it matters). */
  run(args: string[], opts: Record<string, unknown>, ctx: RunContext): Promise<number>;
}

export interface RunContext {
  /** Aborted (reason: an E_INTERRUPTED AbitraceError) by SIGINT/SIGTERM when the command is `interruptible`. */
  signal: AbortSignal;
}

/** The shared `--db` option. */
export const DB_OPTION: OptionSpec = {
  flags: '--db <file>',
  description: 'DuckDB database file',
  default: 'abitrace.duckdb',
};

export const OUTPUT_FORMAT_OPTION: OptionSpec = {
  flags: '--format <format>',
  description: 'output format',
  default: 'table',
  choices: ['table', 'json', 'csv'],
};
