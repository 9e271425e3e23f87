/**
 * Executes rules against an abitrace database. Per rule: check its requirements (a rule that
 * joins replay results is "not evaluated" until `abitrace replay` has run, never an error),
 * check that the body is one SELECT with the finding columns, then store its rows with one
 * INSERT … SELECT so large results never pass through JS.
 */
import type { DuckDBPreparedStatement } from '@duckdb/node-api';
import { AbitraceError, E } from '../errors.ts';
import { translateDuckDBError, type Database } from '../store/database.ts';
import { FINDING_COLUMNS, OPTIONAL_FINDING_COLUMNS, type RuleFile, type RuleRequirement } from './rule-file.ts';
import { insertFindingsSql, recordRuleStatus } from './findings-store.ts';

export type RuleStatus = 'evaluated' | 'not-evaluated';

export interface RuleResult {
  rule: RuleFile;
  status: RuleStatus;
  /** Why a rule was not evaluated, with what to run to evaluate it. */
  reason: string | null;
  findings: number;
  elapsedMs: number;
}

/** Tables each requirement needs, the one that must hold rows, and what the user runs to fill them. */
const REQUIREMENT_TABLES: Record<RuleRequirement, { tables: string[]; filled: string; remedy: string }> = {
  replay: { tables: ['replay_runs', 'replay_verdicts'], filled: 'replay_verdicts', remedy: 'run `abitrace replay`' },
};

/** `compares: vgic-revA..vgic-revB` names the revisions a replay must have compared. */
const REVISIONS_RE = /^vgic-rev(\d+)\.\.vgic-rev(\d+)$/;

/** null when the rule can run; otherwise the reason it cannot ("not evaluated — run …"). */
export async function unmetRequirement(db: Database, rule: RuleFile): Promise<string | null> {
  for (const req of rule.requires) {
    const { tables, filled, remedy } = REQUIREMENT_TABLES[req];
    const present = await db.readObjects<{ name: string }>(
      `SELECT table_name AS name FROM information_schema.tables WHERE table_name IN (${tables.map((t) => `'${t}'`).join(', ')})`);
    const missing = tables.filter((t) => !present.some((p) => p.name === t));
    if (missing.length > 0) return `not evaluated — ${remedy} (no ${missing.join(', ')} table)`;
    const [row] = await db.readObjects<{ n: bigint }>(`SELECT count(*) AS n FROM ${filled}`);
    if (Number(row!.n) === 0) return `not evaluated — ${remedy} (${filled} is empty)`;
    const revs = req === 'replay' ? REVISIONS_RE.exec(rule.compares) : null;
    if (revs) {
      const [a, b] = [revs[1]!, revs[2]!];
      const [hit] = await db.readObjects<{ n: bigint }>(
        `SELECT count(*) AS n FROM replay_runs WHERE list_has_all(string_split(revisions, ','), ['${a}', '${b}'])`);
      if (Number(hit!.n) === 0) return `not evaluated — run \`abitrace replay --revisions ${a},${b}\` (no replay compared revisions ${a} and ${b})`;
    }
  }
  return null;
}

/**
 * The rule body's output columns, after checking it is exactly one SELECT returning every finding
 * column and nothing unknown. E_RULE_INVALID names the file and what is wrong; SQL errors
 * (unknown table or column, syntax) are E_SQL prefixed with the file and line.
 */
export async function ruleColumns(db: Database, rule: RuleFile): Promise<string[]> {
  let prepared: DuckDBPreparedStatement;
  try {
    const statements = await db.connection.extractStatements(rule.sql);
    if (statements.count !== 1) {
      throw new AbitraceError(E.RULE_INVALID, `${rule.path}: the body must be exactly one SELECT statement (found ${statements.count})`);
    }
    prepared = await statements.prepare(0);
  } catch (err) {
    throw sqlError(rule, err);
  }
  const columns = Array.from({ length: prepared.columnCount }, (_, i) => prepared.columnName(i));
  prepared.destroySync();
  const missing = FINDING_COLUMNS.filter((c) => !columns.includes(c));
  const allowed: readonly string[] = [...FINDING_COLUMNS, ...OPTIONAL_FINDING_COLUMNS];
  const extra = columns.filter((c) => !allowed.includes(c));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [];
    if (missing.length > 0) parts.push(`missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`);
    if (extra.length > 0) parts.push(`unexpected column${extra.length > 1 ? 's' : ''} ${extra.join(', ')}`);
    throw new AbitraceError(E.RULE_INVALID,
      `${rule.path}: result has ${parts.join(' and ')}; a rule returns ${FINDING_COLUMNS.join(', ')} (and optionally ${OPTIONAL_FINDING_COLUMNS.join(', ')})`);
  }
  return columns;
}

function sqlError(rule: RuleFile, err: unknown): AbitraceError {
  if (err instanceof AbitraceError && err.code !== E.SQL) return err;
  const e = translateDuckDBError(err, '');
  return new AbitraceError(E.SQL, `rule ${rule.id} (${rule.path}:${rule.sqlLine}): ${e.message}`);
}

/** Runs one rule and stores its findings under runId. Call inside the check's transaction. */
export async function runRule(db: Database, rule: RuleFile, runId: number): Promise<RuleResult> {
  const started = performance.now();
  const reason = await unmetRequirement(db, rule);
  if (reason !== null) {
    await recordRuleStatus(db, runId, rule, 'not-evaluated', reason, 0, 0);
    return { rule, status: 'not-evaluated', reason, findings: 0, elapsedMs: 0 };
  }
  const columns = await ruleColumns(db, rule);
  let findings: number;
  try {
    const result = await db.connection.run(insertFindingsSql(rule, runId, columns.includes('import_id')));
    findings = result.rowsChanged;
  } catch (err) {
    throw sqlError(rule, err);
  }
  const elapsedMs = performance.now() - started;
  await recordRuleStatus(db, runId, rule, 'evaluated', null, findings, elapsedMs);
  return { rule, status: 'evaluated', reason: null, findings, elapsedMs };
}
