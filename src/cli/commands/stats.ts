/**
 * `abitrace stats`: what each import brought in — rows, lines, skipped lines, lost events, parse
 * issues (with the first sample), event counts, and the VMs with their GIC layout source. One
 * reporter section per table. Exit 1 when the database holds no import.
 */
import { AbitraceError, E } from '../../errors.ts';
import { Database } from '../../store/database.ts';
import { checkSchema } from '../../store/schema.ts';
import { DB_OPTION, OUTPUT_FORMAT_OPTION, type CommandSpec } from '../command-spec.ts';
import { createReporter, writeResult } from '../output/index.ts';

/**
 * The imports section: every column for json/csv; for a terminal table the columns that fit, with
 * the file's name instead of its full path (the path is one `--format json` away).
 */
function importsSql(where: string, compact: boolean): string {
  if (compact) {
    return `SELECT import_id AS id, regexp_extract(path, '[^/]*$') AS file, variant, platform, lines, accesses, irq_events AS irqs,
        skipped, lost_events AS lost, issues, round((epoch_ms(finished_at) - epoch_ms(started_at)) / 1000.0, 2) AS secs
      FROM imports ${where} ORDER BY import_id`;
  }
  return `SELECT import_id, path, format, variant, platform, vmm, lines, accesses, irq_events, other_events,
        skipped, lost_events, lost_markers, issues,
        round((epoch_ms(finished_at) - epoch_ms(started_at)) / 1000.0, 3) AS seconds,
        strftime(finished_at, '%Y-%m-%d %H:%M:%S') AS imported_at
      FROM imports ${where} ORDER BY import_id`;
}

function sections(where: string, compact: boolean): Array<[title: string, sql: string]> {
  return [
    ['imports', importsSql(where, compact)],
    ['vms', `SELECT import_id, vm, vmm, platform, gic_version, threads, accesses, layout_source
      FROM vms ${where} ORDER BY import_id, accesses DESC, vm`],
    ['events', `SELECT import_id, event, count FROM import_events ${where} ORDER BY import_id, count DESC, event`],
    ['issues', `SELECT import_id, kind, severity, count, samples[1].line AS first_line, samples[1].text AS first_sample
      FROM import_issues ${where} ORDER BY import_id, count DESC, kind`],
    ['lost_events', `SELECT import_id, line, host_cpu, count, ts_before_ns, ts_after_ns
      FROM lost_events ${where} ORDER BY import_id, line`],
  ];
}

export const statsCommand: CommandSpec = {
  name: 'stats',
  summary: 'per-import statistics: rows, lines, skipped lines, lost events, issues, event counts, VMs',
  options: [
    DB_OPTION,
    OUTPUT_FORMAT_OPTION,
    { flags: '--import <id>', description: 'only this import' },
  ],
  async run(_args, opts) {
    let where = '';
    if (opts.import !== undefined) {
      const id = Number(opts.import);
      if (!Number.isInteger(id) || id < 1) throw new AbitraceError(E.USAGE, `--import expects an import id (a positive integer), got "${String(opts.import)}"`);
      where = `WHERE import_id = ${id}`;
    }
    const db = await Database.open(String(opts.db), { readOnly: true });
    let imports = 0;
    try {
      await checkSchema(db);
      const reporter = createReporter(String(opts.format));
      for (const [title, sql] of sections(where, opts.format === 'table')) {
        const r = await db.runAndReadAll(sql);
        if (title === 'imports') imports = r.rows.length;
        writeResult(reporter, r.columns, r.rows, title);
      }
      reporter.finish();
    } finally {
      db.close();
    }
    if (imports === 0) {
      process.stderr.write(`abitrace: no imports in ${String(opts.db)}${where ? ` (${where})` : ''}\n`);
      return 1;
    }
    return 0;
  },
};
