/**
 * `abitrace forget <import-id>...`: removes imports and everything derived from them, in one
 * transaction — their access and irq rows, summaries, dictionaries, issues, lost-event markers,
 * stored findings and replay results (every table with an import_id column) — then their Arrow
 * cache files. A `DELETE FROM imports` alone left all of that behind, and `check` still counted
 * the VMs. Use it to redo an import made with the wrong options: forget it, import again.
 */
import { existsSync, rmSync } from 'node:fs';
import { AbitraceError, E } from '../../errors.ts';
import { Database } from '../../store/database.ts';
import { rowKeyCondition } from '../../store/access-row-layout.ts';
import { arrowFileFor } from '../../store/arrow-cache.ts';
import { upgradeSchema } from '../../store/schema.ts';
import { DB_OPTION, OUTPUT_FORMAT_OPTION, type CommandSpec } from '../command-spec.ts';
import { createReporter, writeResult } from '../output/index.ts';

/** Tables keyed by row_key (import_id << 40 | seq) rather than an import_id column. */
const ROW_KEY_TABLES = ['access_rows', 'irq_rows'];

export const forgetCommand: CommandSpec = {
  name: 'forget',
  summary: 'remove imports and everything derived from them (rows, summaries, findings, replay results, Arrow files)',
  args: '<import-id...>',
  options: [DB_OPTION, OUTPUT_FORMAT_OPTION],
  async run(args, opts) {
    const ids = args.map((a) => {
      const n = Number(a);
      if (!Number.isInteger(n) || n < 1) throw new AbitraceError(E.USAGE, `forget expects import ids (positive integers), got "${a}"`);
      return n;
    });
    const db = await Database.open(String(opts.db), { create: false });
    const removed: unknown[][] = [];
    const arrowFiles: string[] = [];
    try {
      await upgradeSchema(db);
      const known = await db.readObjects<{ import_id: number; path: string }>(
        `SELECT import_id, path FROM imports WHERE import_id IN (${ids.join(', ')}) ORDER BY import_id`);
      const missing = ids.filter((id) => !known.some((k) => k.import_id === id));
      if (missing.length > 0) {
        throw new AbitraceError(E.USAGE, `no import ${missing.join(', ')} in ${db.path} (\`abitrace stats\` lists the imports)`);
      }
      const tables = (await db.readObjects<{ t: string }>(
        `SELECT DISTINCT c.table_name AS t FROM duckdb_columns() c JOIN duckdb_tables() tb
           ON tb.table_name = c.table_name AND tb.database_name = c.database_name AND tb.schema_name = c.schema_name
         WHERE c.database_name = current_database() AND c.column_name = 'import_id' AND c.table_name <> 'imports'
         ORDER BY 1`)).map((r) => r.t);
      await db.transaction(async () => {
        for (const k of known) {
          const [c] = await db.readObjects<{ n: bigint }>(`SELECT count(*) AS n FROM access_rows WHERE ${rowKeyCondition(k.import_id)}`);
          for (const t of ROW_KEY_TABLES) await db.run(`DELETE FROM ${t} WHERE ${rowKeyCondition(k.import_id)}`);
          for (const t of tables) await db.run(`DELETE FROM "${t}" WHERE import_id = ${k.import_id}`);
          await db.run(`DELETE FROM imports WHERE import_id = ${k.import_id}`);
          // our own <db>.arrow/ file, never a path from the table: before schema 6 it held the
          // absolute path where the file was first written, so a copy's rows named the original's
          const f = arrowFileFor(db.path, k.import_id);
          if (f !== null) arrowFiles.push(f);
          removed.push([k.import_id, k.path, Number(c?.n ?? 0)]);
        }
      });
    } finally {
      db.close();
    }
    for (const f of arrowFiles) if (existsSync(f)) rmSync(f, { force: true });
    const reporter = createReporter(String(opts.format));
    writeResult(reporter, [{ name: 'import_id', type: 'INTEGER' }, { name: 'path', type: 'VARCHAR' }, { name: 'accesses', type: 'BIGINT' }], removed);
    reporter.finish();
    return 0;
  },
};
