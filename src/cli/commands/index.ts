/**
 * Every CLI command, in `--help` order: its name, a one-line summary and a loader for its spec.
 * Loading is lazy so `abitrace import` does not pay for compiling the replayer, the rule engine
 * or the generator (start-up is part of every command's wall time). One line per command.
 */
import type { CommandSpec } from '../command-spec.ts';

export interface CommandEntry {
  name: string;
  load(): Promise<CommandSpec>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'import', load: async () => (await import('./import.ts')).importCommand },
  { name: 'convert', load: async () => (await import('./convert.ts')).convertCommand },
  { name: 'query', load: async () => (await import('./query.ts')).queryCommand },
  { name: 'stats', load: async () => (await import('./stats.ts')).statsCommand },
  { name: 'export', load: async () => (await import('./export.ts')).exportCommand },
  { name: 'forget', load: async () => (await import('./forget.ts')).forgetCommand },
  { name: 'rules', load: async () => (await import('./rules.ts')).rulesCommand },
  { name: 'check', load: async () => (await import('./check.ts')).checkCommand },
  { name: 'registers', load: async () => (await import('./registers.ts')).registersCommand },
  { name: 'replay', load: async () => (await import('./replay.ts')).replayCommand },
  { name: 'generate', load: async () => (await import('./generate.ts')).generateCommand },
  { name: 'demo', load: async () => (await import('./demo.ts')).demoCommand },
];

/** The specs a command line needs: only the named command's, or all of them for general help. */
export async function loadCommands(argv: readonly string[]): Promise<CommandSpec[]> {
  const named = COMMANDS.find((c) => c.name === argv[0]);
  if (named) return [await named.load()];
  return Promise.all(COMMANDS.map((c) => c.load()));
}
