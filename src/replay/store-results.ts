/**
 * Replay results as DuckDB tables, so SQL rules can join them with the accesses: one row per run
 * in `replay_runs`, and per-run rows in `replay_vms`, `replay_rollup`, `replay_verdicts`,
 * `divergences` and `replay_fidelity` (README.md documents the columns). `from_rev`/`to_rev`
 * are the JSON's `from`/`to` (SQL keywords).
 */
import type { Database } from '../store/database.ts';
import { appendRows, type Cell } from '../store/row-appender.ts';
import type { ReplayResult } from './types.ts';

export const REPLAY_TABLES_DDL = [
  `CREATE TABLE IF NOT EXISTS replay_runs (run_id INTEGER, started_at TIMESTAMP, revisions VARCHAR, host_revision VARCHAR,
     where_sql VARCHAR, from_reset BOOLEAN, nr_irqs INTEGER, ignored VARCHAR, import_ids VARCHAR, accesses BIGINT, seconds DOUBLE)`,
  `CREATE TABLE IF NOT EXISTS replay_vms (run_id INTEGER, import_id INTEGER, vm VARCHAR, platform VARCHAR, gic_version TINYINT,
     nr_irqs INTEGER, nr_irqs_source VARCHAR, vcpus INTEGER, its BOOLEAN, state_origin VARCHAR, host_revision VARCHAR,
     host_revision_source VARCHAR, accesses BIGINT, replayed BIGINT, irq_events BIGINT, skipped_not_mmio BIGINT,
     skipped_outside_gic BIGINT, skipped_unmodelled BIGINT, writes_without_value BIGINT, lost_events_in_window BIGINT)`,
  `CREATE TABLE IF NOT EXISTS replay_rollup (run_id INTEGER, import_id INTEGER, vm VARCHAR, from_rev VARCHAR, to_rev VARCHAR,
     verdict VARCHAR, divergent_registers VARCHAR[], observed_registers VARCHAR[], unknown_registers VARCHAR[],
     ignored_registers VARCHAR[], delivery_divergences BIGINT, data_loss BOOLEAN)`,
  `CREATE TABLE IF NOT EXISTS replay_verdicts (run_id INTEGER, import_id INTEGER, vm VARCHAR, from_rev VARCHAR, to_rev VARCHAR,
     register VARCHAR, verdict VARCHAR, sensitive BOOLEAN, ignored BOOLEAN, accesses BIGINT, divergent_accesses BIGINT,
     unknown_accesses BIGINT, first_seq BIGINT, first_ts_ns BIGINT, first_vcpu SMALLINT, first_op VARCHAR, first_offset BIGINT,
     recorded_value VARCHAR, from_value VARCHAR, to_value VARCHAR, latent BOOLEAN, observed BOOLEAN, observed_seq BIGINT,
     observed_by VARCHAR, first_unknown_seq BIGINT)`,
  `CREATE TABLE IF NOT EXISTS divergences (run_id INTEGER, import_id INTEGER, vm VARCHAR, from_rev VARCHAR, to_rev VARCHAR,
     register VARCHAR, kind VARCHAR, seq BIGINT, ts_ns BIGINT, vcpu SMALLINT, op VARCHAR, "offset" BIGINT, irq INTEGER,
     recorded_value VARCHAR, from_value VARCHAR, to_value VARCHAR, observed BOOLEAN, observed_seq BIGINT)`,
  `CREATE TABLE IF NOT EXISTS replay_fidelity (run_id INTEGER, import_id INTEGER, vm VARCHAR, revision VARCHAR,
     revision_source VARCHAR, source_format VARCHAR, mismatches_expected BOOLEAN, reads BIGINT, compared BIGINT,
     mismatches BIGINT, examples VARCHAR)`,
];

export interface RunInfo {
  revisions: string[];
  hostRevision: string | null;
  where: string | null;
  fromReset: boolean;
  nrIrqs: number | null;
  ignore: string[];
  importIds: number[];
}

const list = (xs: readonly string[]): Cell => `[${xs.map((x) => `'${x}'`).join(', ')}]`;

/** Writes one run; returns its run_id. Results per import carry their import id. */
export async function storeReplay(db: Database, info: RunInfo, results: Array<{ importId: number; result: ReplayResult }>): Promise<number> {
  return db.transaction(async () => {
    for (const ddl of REPLAY_TABLES_DDL) await db.run(ddl);
    const r = await db.readObjects<{ n: number | null }>('SELECT max(run_id) AS n FROM replay_runs');
    const runId = Number(r[0]?.n ?? 0) + 1;
    const accesses = results.reduce((s, x) => s + x.result.stats.accesses, 0);
    const seconds = results.reduce((s, x) => s + x.result.stats.seconds, 0);
    await appendRows(db, 'replay_runs', [[runId, new Date(), info.revisions.join(','), info.hostRevision, info.where, info.fromReset,
      info.nrIrqs, info.ignore.join(','), info.importIds.join(','), accesses, seconds]]);
    for (const { importId, result } of results) {
      await appendRows(db, 'replay_vms', result.vms.map((v) => [runId, importId, v.vm, v.platform, v.gic_version, v.nr_irqs, v.nr_irqs_source,
        v.vcpus, v.its, v.state_origin, v.host_revision, v.host_revision_source, v.accesses, v.replayed, v.irq_events, v.skipped_not_mmio,
        v.skipped_outside_gic, v.skipped_unmodelled, v.writes_without_value, v.lost_events_in_window]));
      await appendRows(db, 'replay_verdicts', result.verdicts.map((v) => [runId, importId, v.vm, v.from, v.to, v.register, v.verdict, v.sensitive,
        v.ignored, v.accesses, v.divergent_accesses, v.unknown_accesses, v.first_seq, v.first_ts_ns, v.first_vcpu, v.first_op, v.first_offset,
        v.recorded_value, v.from_value, v.to_value, v.latent, v.observed, v.observed_seq, v.observed_by, v.first_unknown_seq]));
      await appendRows(db, 'divergences', result.divergences.map((d) => [runId, importId, d.vm, d.from, d.to, d.register, d.kind, d.seq,
        d.ts_ns, d.vcpu, d.op, d.offset, d.irq, d.recorded_value, d.from_value, d.to_value, d.observed, d.observed_seq]));
      await appendRows(db, 'replay_fidelity', result.fidelity.map((f) => [runId, importId, f.vm, f.revision, f.revision_source, f.source_format,
        f.mismatches_expected, f.reads, f.compared, f.mismatches, JSON.stringify(f.examples)]));
      // LIST columns through SQL literals (the row appender takes lists of structs only).
      for (const x of result.rollup) {
        await db.run(`INSERT INTO replay_rollup VALUES (?, ?, ?, ?, ?, ?, ${list(x.divergent_registers)}, ${list(x.observed_registers)},
          ${list(x.unknown_registers)}, ${list(x.ignored_registers)}, ?, ?)`,
        [runId, importId, x.vm, x.from, x.to, x.verdict, x.delivery_divergences, x.data_loss]);
      }
    }
    return runId;
  });
}
