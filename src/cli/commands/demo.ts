/**
 * `abitrace demo` (`npm run demo`): imports the bundled traces into demo.duckdb, runs replay and
 * check, and prints a plain-language verdict plus commands to dig further.
 */
import { runDemo } from '../../demo/run-demo.ts';
import type { CommandSpec } from '../command-spec.ts';

export const demoCommand: CommandSpec = {
  name: 'demo',
  summary: 'import the bundled traces, replay and check them, and explain the verdict in plain language',
  args: '[traces...]',
  options: [
    { flags: '--db <file>', description: 'demo database (recreated on every run)', default: 'demo.duckdb' },
    { flags: '--quiet', description: 'no progress lines', default: false },
  ],
  async run(args, opts) {
    const quiet = opts.quiet === true;
    const result = await runDemo({
      db: String(opts.db),
      ...(args.length > 0 ? { traces: args } : {}),
      log: (line) => { if (!quiet) process.stderr.write(`${line}\n`); },
    });
    process.stdout.write(`${result.lines.join('\n')}\n`);
    if (!quiet) process.stderr.write(`demo finished in ${result.seconds.toFixed(1)} s\n`);
    return 0;
  },
};
