/**
 * abitrace command-line entry: builds commander commands from the declarative table in
 * ./commands/index.ts and maps errors to stable codes and exit codes.
 */
import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { AbitraceError, SIGNAL_EXIT_CODES, interruptedBy } from '../errors.ts';
import type { CommandSpec } from './command-spec.ts';
import { loadCommands } from './commands/index.ts';

/** The package version (`abitrace --version`). */
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function buildProgram(commands: readonly CommandSpec[]): Command {
  const program = new Command('abitrace')
    .description('Do real guests touch behaviour a KVM/arm64 host kernel change affects? Import traces, query, check, replay.')
    .version(VERSION)
    // Usage errors carry the same stable-code prefix as every other error.
    .configureOutput({ outputError: (msg, write) => write(`abitrace: E_USAGE: ${msg.replace(/^error: /, '')}`) })
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  for (const spec of commands) {
    const cmd = program.command(spec.name).description(spec.summary).exitOverride();
    if (spec.args) for (const a of spec.args.split(/\s+/).filter(Boolean)) cmd.argument(a);
    for (const o of spec.options) {
      const opt = new Option(o.flags, o.description);
      if (o.choices) opt.choices(o.choices as string[]);
      if (o.repeatable) opt.argParser(collect);
      if (o.default !== undefined) opt.default(o.default);
      cmd.addOption(opt);
    }
    cmd.action(async (...params: unknown[]) => {
      // commander passes declared arguments, then the options object, then the command.
      const opts = params[params.length - 2] as Record<string, unknown>;
      const args = params.slice(0, -2).flatMap((p) => (Array.isArray(p) ? p.map(String) : p === undefined ? [] : [String(p)]));
      const controller = new AbortController();
      const release = spec.interruptible ? trapSignals(controller) : () => {};
      try {
        process.exitCode = await spec.run(args, opts, { signal: controller.signal });
      } finally {
        release();
      }
    });
  }
  return program;
}

/**
 * Turns the first SIGINT or SIGTERM into an abort of `controller` (reason: E_INTERRUPTED with the
 * signal's exit code) and gives both signals back their default at once, so a second Ctrl-C
 * during the clean-up kills the process. Returns the function that removes the handlers.
 */
function trapSignals(controller: AbortController): () => void {
  const handlers: Array<[NodeJS.Signals, () => void]> = [];
  const release = (): void => {
    for (const [sig, h] of handlers) process.removeListener(sig, h);
    handlers.length = 0;
  };
  for (const sig of Object.keys(SIGNAL_EXIT_CODES) as Array<keyof typeof SIGNAL_EXIT_CODES>) {
    const h = (): void => {
      release();
      controller.abort(interruptedBy(sig));
    };
    handlers.push([sig, h]);
    process.on(sig, h);
  }
  return release;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const program = buildProgram(await loadCommands(argv));
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version exit 0; everything else is a usage error (2)
      return err.exitCode === 0 ? 0 : 2;
    }
    if (err instanceof AbitraceError) {
      process.stderr.write(`abitrace: ${err.code}: ${printable(err.message)}\n`);
      return err.exitCode;
    }
    const e = err as Error;
    process.stderr.write(`abitrace: E_INTERNAL: ${e?.stack ?? String(err)}\n`);
    return 70;
  }
}

const isEntry = process.argv[1] !== undefined && /main\.ts$/.test(process.argv[1]);
if (isEntry) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}

/** Control characters from inputs (a trace line, a file name) escaped, so an error cannot drive the terminal. */
function printable(message: string): string {
  // eslint-disable-next-line no-control-regex
  return message.replace(/[\u0000-\u0008\u000b-\u001f\u007f\u0080-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
