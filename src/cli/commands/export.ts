/**
 * `abitrace export -o DIR`: the database's public relations as Parquet files, the hand-off format
 * for Spark, Trino or DuckDB on object storage. DuckDB writes them itself (COPY … FORMAT parquet,
 * statically linked, no network); the database is opened read-only. Each file is written under a
 * temporary name and renamed when complete, so a reader never sees half a file.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AbitraceError, E } from '../../errors.ts';
import { Database } from '../../store/database.ts';
import { checkSchema } from '../../store/schema.ts';
import { outputError } from '../../runtime/output-path.ts';
import { DB_OPTION, OUTPUT_FORMAT_OPTION, type CommandSpec } from '../command-spec.ts';
import { createReporter, writeResult } from '../output/index.ts';

/** Relations exported by default, big ones first; those that do not exist yet (no replay, no check) are skipped. */
export const EXPORT_RELATIONS = [
  'accesses_decoded', 'irq_events', 'imports', 'import_issues', 'import_events', 'lost_events', 'vms', 'vm_blocks',
  'registers', 'replay_runs', 'replay_vms', 'replay_rollup', 'replay_verdicts', 'divergences', 'replay_fidelity',
  'check_runs', 'check_rules', 'findings',
] as const;

/** Relations with per-access rows: the ones `--where` and `--partition-by` apply to. */
const ROW_RELATIONS = new Set(['accesses_decoded', 'irq_events']);

const IDENT = /^[a-z_][a-z0-9_]*$/;

function parseList(flag: string, text: string): string[] {
  const items = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const i of items) if (!IDENT.test(i)) throw new AbitraceError(E.USAGE, `${flag}: '${i}' is not a table or column name`);
  return items;
}

/** Whether `where` is a valid condition on `rel` (it may name columns the relation lacks). */
async function binds(db: Database, rel: string, where: string): Promise<boolean> {
  try {
    await db.readObjects(`SELECT 1 FROM ${rel} WHERE ${where} LIMIT 0`);
    return true;
  } catch {
    return false;
  }
}

/** Bytes under a path (a file, or a partitioned directory). */
function sizeOf(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((s, n) => s + sizeOf(join(path, n)), 0);
}

export const exportCommand: CommandSpec = {
  name: 'export',
  summary: 'write the tables and views as Parquet files (for Spark, Trino, DuckDB on object storage)',
  options: [
    DB_OPTION,
    { flags: '-o, --output <dir>', description: 'output directory (created if missing)' },
    { flags: '--tables <list>', description: `relations to export (default: every one that exists of ${EXPORT_RELATIONS.join(', ')})` },
    { flags: '--where <sql>', description: 'condition on accesses_decoded rows, e.g. "import_id = 2"; also applied to irq_events when it names only columns irq_events has' },
    { flags: '--partition-by <columns>', description: 'hive-partition accesses_decoded and irq_events by these columns, e.g. import_id or import_id,vm' },
    { flags: '--compression <codec>', description: 'Parquet compression', default: 'zstd', choices: ['zstd', 'snappy', 'gzip', 'uncompressed'] },
    { flags: '--force', description: 'replace files that already exist', default: false },
    OUTPUT_FORMAT_OPTION,
  ],
  async run(_args, opts) {
    if (opts.output === undefined) throw new AbitraceError(E.USAGE, 'export needs -o DIR (the directory to write the Parquet files to)');
    const dir = String(opts.output);
    const requested = opts.tables === undefined ? null : parseList('--tables', String(opts.tables));
    const partition = opts.partitionBy === undefined ? [] : parseList('--partition-by', String(opts.partitionBy));
    const where = opts.where === undefined ? null : String(opts.where);
    const codec = String(opts.compression);
    const db = await Database.open(String(opts.db), { readOnly: true });
    const written: unknown[][] = [];
    try {
      await checkSchema(db);
      const present = new Set((await db.readObjects<{ name: string }>(
        'SELECT table_name AS name FROM information_schema.tables')).map((r) => r.name));
      if (requested) {
        for (const t of requested) {
          if (!present.has(t)) throw new AbitraceError(E.USAGE, `--tables: no relation '${t}' in ${db.path} (exportable: ${EXPORT_RELATIONS.filter((r) => present.has(r)).join(', ')})`);
        }
      }
      const relations = requested ?? EXPORT_RELATIONS.filter((r) => present.has(r));
      if (existsSync(dir) && !statSync(dir).isDirectory()) {
        throw new AbitraceError(E.OUTPUT_WRITE, `cannot write ${dir}: not a directory (export -o names the directory the Parquet files go to)`);
      }
      try {
        mkdirSync(dir, { recursive: true });
      } catch (err) {
        throw outputError(dir, err);
      }
      for (const rel of relations) {
        const rows = ROW_RELATIONS.has(rel);
        const target = join(dir, rows && partition.length > 0 ? rel : `${rel}.parquet`);
        if (existsSync(target)) {
          if (opts.force !== true) throw new AbitraceError(E.OUTPUT_WRITE, `${target} exists; pass --force to replace it`);
          rmSync(target, { recursive: true, force: true });
        }
        const tmp = `${target}.tmp-${process.pid}`;
        rmSync(tmp, { recursive: true, force: true });
        // --where names columns of accesses_decoded; irq_events gets it only when it has them all.
        const filtered = rows && where !== null && (rel === 'accesses_decoded' || await binds(db, rel, where));
        const select = `SELECT * FROM ${rel}${filtered ? ` WHERE ${where}` : ''}`;
        const options = [`FORMAT parquet`, `COMPRESSION ${codec}`];
        if (rows && partition.length > 0) options.push(`PARTITION_BY (${partition.join(', ')})`);
        const [count] = await db.readObjects<{ n: bigint }>(`SELECT count(*) AS n FROM (${select})`);
        await db.run(`COPY (${select}) TO '${tmp.replaceAll("'", "''")}' (${options.join(', ')})`);
        try {
          renameSync(tmp, target);
        } catch (err) {
          throw outputError(target, err);
        }
        written.push([rel, Number(count?.n ?? 0), filtered, target, sizeOf(target)]);
      }
    } finally {
      db.close();
    }
    const reporter = createReporter(String(opts.format));
    writeResult(reporter, [{ name: 'relation', type: 'VARCHAR' }, { name: 'rows', type: 'BIGINT' }, { name: 'filtered', type: 'BOOLEAN' },
      { name: 'path', type: 'VARCHAR' },
      { name: 'bytes', type: 'BIGINT' }], written);
    reporter.finish();
    return 0;
  },
};
