/**
 * `abitrace query "<SQL>" | -f file.sql`: runs SQL against the database, read-only unless
 * --write, and prints the last statement's result through the chosen reporter (streamed).
 */
import { readFileSync } from 'node:fs';
import { AbitraceError, E } from '../../errors.ts';
import { Database } from '../../store/database.ts';
import { checkQueryable } from '../../store/schema.ts';
import { DB_OPTION, OUTPUT_FORMAT_OPTION, type CommandSpec } from '../command-spec.ts';
import { createReporter, writeStreamed } from '../output/index.ts';

export function readSqlArgument(sql: string | undefined, file: string | undefined): string {
  if (sql !== undefined && file !== undefined) throw new AbitraceError(E.USAGE, 'give the SQL either as an argument or with -f FILE, not both');
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new AbitraceError(E.FILE_NOT_FOUND, `cannot read SQL file ${file}: ${(err as Error).message}`);
    }
    // comments only count as nothing too (DuckDB answers an empty script with an opaque error)
    if (text.replace(/--[^\n]*|\/\*[\s\S]*?\*\//g, '').trim() === '') throw new AbitraceError(E.USAGE, `${file} holds no SQL statement`);
    return text;
  }
  if (sql === undefined || sql.trim() === '') throw new AbitraceError(E.USAGE, 'no SQL given: abitrace query "<SQL>" or abitrace query -f FILE');
  return sql;
}

export const queryCommand: CommandSpec = {
  name: 'query',
  summary: 'run SQL against the database (read-only unless --write); prints the last statement\'s result',
  args: '[sql]',
  options: [
    DB_OPTION,
    { flags: '-f, --file <file>', description: 'read the SQL from a file (may hold several statements; the last one is printed)' },
    OUTPUT_FORMAT_OPTION,
    { flags: '--write', description: 'open the database read-write so statements may change it', default: false },
  ],
  async run(args, opts) {
    const sql = readSqlArgument(args[0], opts.file as string | undefined);
    const db = await Database.open(String(opts.db), { readOnly: !opts.write, create: false });
    try {
      await checkQueryable(db, opts.write === true);
      const result = await db.streamScript(sql);
      const reporter = createReporter(String(opts.format));
      await writeStreamed(reporter, result.columns, result.batches());
      reporter.finish();
    } finally {
      db.close();
    }
    return 0;
  },
};
