/**
 * One `check`: run the selected rules inside a single transaction (a failing rule leaves no
 * half-stored findings), record the run, summarise coverage per ABI change, and decide the exit
 * code from the worst finding against `--fail-on`. The CLI command and the demo both call this.
 */
import { AbitraceError, E } from '../errors.ts';
import type { Database } from '../store/database.ts';
import { severityRank, type RuleFile, type RuleSeverity } from './rule-file.ts';
import { runRule, type RuleResult } from './rule-runner.ts';
import { beginRun, finishRun, readFindings, type Finding } from './findings-store.ts';
import { summarizeChanges, type ChangeSummary } from './check-summary.ts';

export const FAIL_ON = ['info', 'warn', 'error', 'never'] as const;
export type FailOn = (typeof FAIL_ON)[number];

export interface CheckOptions {
  failOn: FailOn;
  hostKernel: string | null;
  /** Recorded in check_runs. */
  ruleDirs: readonly string[];
  changes: readonly string[];
}

export interface CheckReport {
  runId: number;
  results: RuleResult[];
  changes: ChangeSummary[];
  findings: Finding[];
  failOn: FailOn;
  hostKernel: string | null;
  /** 1 when a finding at or above failOn exists, else 0. */
  exitCode: number;
}

/** Tables and views every rule may read; a database without them was not made by `abitrace import`. */
const BASE_RELATIONS = ['accesses', 'accesses_decoded', 'imports', 'vms', 'lost_events'];

async function assertImported(db: Database): Promise<void> {
  const present = await db.readObjects<{ name: string }>(
    `SELECT table_name AS name FROM information_schema.tables WHERE table_name IN (${BASE_RELATIONS.map((t) => `'${t}'`).join(', ')})`);
  const missing = BASE_RELATIONS.filter((t) => !present.some((p) => p.name === t));
  if (missing.length > 0) {
    throw new AbitraceError(E.NO_DATA, `database ${db.path} has no ${missing.join(', ')}: import a trace first (\`abitrace import <trace> --db ${db.path}\`)`);
  }
  // An empty database would pass every CI gate; say so instead.
  const [row] = await db.readObjects<{ n: bigint }>('SELECT count(*) AS n FROM imports');
  if (Number(row!.n) === 0) {
    throw new AbitraceError(E.NO_DATA, `database ${db.path} holds no import: nothing to check (\`abitrace import <trace> --db ${db.path}\`)`);
  }
}

export function exitCodeFor(findings: readonly Pick<Finding, 'severity'>[], failOn: FailOn): number {
  if (failOn === 'never') return 0;
  const bar = severityRank(failOn as RuleSeverity);
  return findings.some((f) => severityRank(f.severity) >= bar) ? 1 : 0;
}

export async function runCheck(db: Database, rules: readonly RuleFile[], options: CheckOptions): Promise<CheckReport> {
  await assertImported(db);
  return db.transaction(async () => {
    const runId = await beginRun(db, options);
    const results: RuleResult[] = [];
    for (const rule of rules) results.push(await runRule(db, rule, runId));
    const findings = await readFindings(db, runId);
    const changes = await summarizeChanges(db, runId, results, { hostKernel: options.hostKernel });
    const exitCode = exitCodeFor(findings, options.failOn);
    await finishRun(db, runId, {
      evaluated: results.filter((r) => r.status === 'evaluated').length,
      notEvaluated: results.filter((r) => r.status === 'not-evaluated').length,
      findings: findings.length,
      exitCode,
    });
    return { runId, results, changes, findings, failOn: options.failOn, hostKernel: options.hostKernel, exitCode };
  });
}
