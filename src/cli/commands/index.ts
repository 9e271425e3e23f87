/** Every CLI command, in `--help` order. One line per command: add yours here. */
import type { CommandSpec } from '../command-spec.ts';
import { checkCommand } from './check.ts';
import { convertCommand } from './convert.ts';
import { demoCommand } from './demo.ts';
import { generateCommand } from './generate.ts';
import { importCommand } from './import.ts';
import { queryCommand } from './query.ts';
import { registersCommand } from './registers.ts';
import { replayCommand } from './replay.ts';
import { rulesCommand } from './rules.ts';
import { statsCommand } from './stats.ts';

export const COMMANDS: CommandSpec[] = [
  importCommand,
  convertCommand,
  queryCommand,
  statsCommand,
  rulesCommand,
  checkCommand,
  registersCommand,
  replayCommand,
  generateCommand,
  demoCommand,
];
