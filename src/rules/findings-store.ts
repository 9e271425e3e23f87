/**
 * Where `check` keeps its results: `check_runs` (one row per run), `check_rules` (one row per
 * rule per run: evaluated or not, and why) and `findings` (the rows rules returned, with the rule's
 * metadata copied in so the table reads on its own). Tables are created on first use; every
 * run appends, nothing is overwritten, so findings of earlier runs stay comparable.
 */
import type { Database } from '../store/database.ts';
import { FINDING_COLUMNS, type RuleFile, type RuleLevel, type RuleSeverity } from './rule-file.ts';

export const FINDINGS_DDL = [
  `CREATE TABLE IF NOT EXISTS check_runs (
     run_id INTEGER PRIMARY KEY, started_at TIMESTAMP, finished_at TIMESTAMP, rule_dirs VARCHAR,
     changes VARCHAR, fail_on VARCHAR, host_kernel VARCHAR, rules_evaluated INTEGER,
     rules_not_evaluated INTEGER, findings BIGINT, exit_code INTEGER)`,
  `CREATE TABLE IF NOT EXISTS check_rules (
     run_id INTEGER, rule VARCHAR, change VARCHAR, title VARCHAR, kernels VARCHAR, compares VARCHAR,
     level VARCHAR, severity VARCHAR, status VARCHAR, reason VARCHAR, findings BIGINT,
     elapsed_ms DOUBLE, path VARCHAR)`,
  `CREATE TABLE IF NOT EXISTS findings (
     run_id INTEGER, rule VARCHAR, change VARCHAR, level VARCHAR, severity VARCHAR, title VARCHAR,
     import_id INTEGER, vm VARCHAR, vcpu SMALLINT, first_ts_ns BIGINT, last_ts_ns BIGINT,
     count BIGINT, example_seq BIGINT, detail VARCHAR)`,
];

/** A stored finding as read back: 64-bit timestamps stay bigint (wall-clock ns exceed 2^53). */
export interface Finding {
  rule: string;
  change: string;
  level: RuleLevel;
  severity: RuleSeverity;
  title: string;
  import_id: number | null;
  vm: string;
  vcpu: number | null;
  first_ts_ns: bigint | null;
  last_ts_ns: bigint | null;
  count: number;
  example_seq: number | null;
  detail: string;
}

export interface RunInfo {
  ruleDirs: readonly string[];
  changes: readonly string[];
  failOn: string;
  hostKernel: string | null;
}

export function sqlString(s: string | null): string {
  return s === null ? 'NULL' : `'${s.replaceAll("'", "''")}'`;
}

export async function ensureFindingsTables(db: Database): Promise<void> {
  for (const ddl of FINDINGS_DDL) await db.run(ddl);
}

/** Starts a run and returns its id (one more than the highest so far). */
export async function beginRun(db: Database, info: RunInfo): Promise<number> {
  await ensureFindingsTables(db);
  const [row] = await db.readObjects<{ id: number }>('SELECT (coalesce(max(run_id), 0) + 1)::INTEGER AS id FROM check_runs');
  const runId = row!.id;
  await db.run(`INSERT INTO check_runs (run_id, started_at, rule_dirs, changes, fail_on, host_kernel)
    VALUES (${runId}, now()::TIMESTAMP, ${sqlString(info.ruleDirs.join(','))}, ${sqlString(info.changes.join(','))},
            ${sqlString(info.failOn)}, ${sqlString(info.hostKernel)})`);
  return runId;
}

export async function finishRun(db: Database, runId: number, totals: { evaluated: number; notEvaluated: number; findings: number; exitCode: number }): Promise<void> {
  await db.run(`UPDATE check_runs SET finished_at = now()::TIMESTAMP, rules_evaluated = ${totals.evaluated},
    rules_not_evaluated = ${totals.notEvaluated}, findings = ${totals.findings}, exit_code = ${totals.exitCode}
    WHERE run_id = ${runId}`);
}

export async function recordRuleStatus(db: Database, runId: number, rule: RuleFile,
  status: 'evaluated' | 'not-evaluated', reason: string | null, findings: number, elapsedMs: number): Promise<void> {
  await db.run(`INSERT INTO check_rules VALUES (${runId}, ${sqlString(rule.id)}, ${sqlString(rule.change)},
    ${sqlString(rule.title)}, ${sqlString(rule.kernels)}, ${sqlString(rule.compares)}, ${sqlString(rule.level)},
    ${sqlString(rule.severity)}, ${sqlString(status)}, ${sqlString(reason)}, ${findings}, ${elapsedMs}, ${sqlString(rule.path)})`);
}

/**
 * The INSERT that stores a rule's rows without a round trip through JS. `hasImportId`: whether the
 * rule returns the optional import_id column.
 */
export function insertFindingsSql(rule: RuleFile, runId: number, hasImportId: boolean): string {
  const [vm, vcpu, first, last, count, seq, detail] = FINDING_COLUMNS.map((c) => `r."${c}"`);
  return `INSERT INTO findings
    SELECT ${runId}, ${sqlString(rule.id)}, ${sqlString(rule.change)}, ${sqlString(rule.level)}, ${sqlString(rule.severity)},
           ${sqlString(rule.title)}, ${hasImportId ? 'r.import_id::INTEGER' : 'NULL::INTEGER'}, ${vm}::VARCHAR, ${vcpu}::SMALLINT,
           ${first}::BIGINT, ${last}::BIGINT, ${count}::BIGINT, ${seq}::BIGINT, ${detail}::VARCHAR
    FROM (${rule.sql}\n) AS r`;
}

/** Findings of one run, worst first, then by change, rule, VM and vCPU. */
export async function readFindings(db: Database, runId: number): Promise<Finding[]> {
  const rows = await db.readObjects<Record<string, unknown>>(`SELECT rule, change, level, severity, title, import_id, vm, vcpu,
      first_ts_ns, last_ts_ns, count, example_seq, detail
    FROM findings WHERE run_id = ${runId}
    ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warn' THEN 1 ELSE 2 END, change, rule, import_id, vm, vcpu NULLS FIRST,
      first_ts_ns, example_seq, detail`);
  return rows.map((r) => ({
    rule: String(r.rule), change: String(r.change), level: r.level as RuleLevel, severity: r.severity as RuleSeverity,
    title: String(r.title), import_id: r.import_id === null ? null : Number(r.import_id), vm: String(r.vm),
    vcpu: r.vcpu === null ? null : Number(r.vcpu),
    first_ts_ns: r.first_ts_ns === null ? null : BigInt(r.first_ts_ns as bigint),
    last_ts_ns: r.last_ts_ns === null ? null : BigInt(r.last_ts_ns as bigint),
    count: Number(r.count ?? 0), example_seq: r.example_seq === null ? null : Number(r.example_seq),
    detail: String(r.detail ?? ''),
  }));
}
