/** Every CLI command, in `--help` order. One line per command: add yours here. */
import type { CommandSpec } from '../command-spec.ts';

export const COMMANDS: CommandSpec[] = [];
