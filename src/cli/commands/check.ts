/**
 * `abitrace check`: runs the rule packs against an imported database, stores the findings
 * (`findings`, `check_rules`, `check_runs`), prints a per-ABI-change coverage summary and the
 * findings, and exits 1 when a finding reaches --fail-on (CI gating), else 0.
 */
import { AbitraceError, E } from '../../errors.ts';
import { FAIL_ON, runCheck, type CheckReport, type FailOn } from '../../rules/check-run.ts';
import { checkJson } from '../../rules/check-json.ts';
import { selectChanges } from '../../rules/rule-loader.ts';
import { Database } from '../../store/database.ts';
import { upgradeSchema } from '../../store/schema.ts';
import { DB_OPTION, type CommandSpec } from '../command-spec.ts';
import { createReporter, writeResult, type OutputColumn } from '../output/index.ts';
import { NO_BUILTIN_RULES_OPTION, RULES_DIR_OPTION, ruleDirsFromOptions, rulesFromOptions } from './rules.ts';

const KERNEL_RE = /^\d+\.\d+(\.\d+)?$/;

function col(name: string, type = 'VARCHAR'): OutputColumn {
  return { name, type };
}

/**
 * Table output: the per-change summary as a table, then notes and findings as indented text so
 * long details stay readable at any terminal width (use --format json for machines).
 */
function printTables(report: CheckReport): void {
  const reporter = createReporter('table');
  writeResult(reporter,
    [col('change'), col('vms', 'INTEGER'), col('touched', 'INTEGER'), col('differs', 'INTEGER'), col('unknown', 'INTEGER'),
      col('unseen:full', 'INTEGER'), col('unseen:gaps', 'INTEGER'), col('unseen:blind', 'INTEGER'), col('outcome')],
    report.changes.map((c) => [c.change, c.vms, c.touched, c.differs, c.unknown, c.unseen_full_coverage, c.unseen_with_gaps,
      c.unseen_not_observable, c.outcome_evaluated === null ? 'no rule' : c.outcome_evaluated ? 'evaluated' : 'NOT evaluated']),
    'changes');
  reporter.finish();
  const out: string[] = [
    'unseen:full = no finding and full trace coverage; unseen:gaps = lost events in the VM\'s window; '
      + 'unseen:blind = the trace cannot show this change for the VM',
  ];
  const notes = report.changes.flatMap((c) => c.notes.map((n) => `  ${c.change}: ${n}`));
  if (notes.length > 0) out.push('', 'notes', ...notes);
  const imports = new Set(report.findings.map((f) => f.import_id)).size;
  const by = (sev: string) => report.findings.filter((f) => f.severity === sev).length;
  out.push('', `findings: ${report.findings.length} (${by('error')} error, ${by('warn')} warn, ${by('info')} info)`);
  for (const f of report.findings) {
    const vm = imports > 1 && f.import_id !== null ? `${f.vm} (import ${f.import_id})` : f.vm;
    out.push(`  ${f.severity.toUpperCase().padEnd(5)} ${f.level.padEnd(7)} ${f.rule}  vm ${vm}${f.vcpu === null ? '' : ` vCPU ${f.vcpu}`}`
      + `  ×${f.count}${f.example_seq === null ? '' : `  first at line ${f.example_seq}`}`);
    out.push(`        ${f.detail}`);
  }
  out.push('', `check run ${report.runId}: --fail-on ${report.failOn} → exit ${report.exitCode}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

export const checkCommand: CommandSpec = {
  name: 'check',
  summary: 'run the ABI-change rules, store findings, summarise coverage per change; exit 1 at --fail-on',
  options: [
    DB_OPTION,
    RULES_DIR_OPTION,
    NO_BUILTIN_RULES_OPTION,
    { flags: '--change <id>', description: 'only the rules of this ABI change; repeatable', repeatable: true },
    { flags: '--fail-on <severity>', description: 'exit 1 when a finding has this severity or worse', default: 'error', choices: FAIL_ON },
    { flags: '--host-kernel <version>', description: 'kernel version of the traced hosts (e.g. 6.1): decides whether absence of cache-geometry / 6.15 trap events proves anything' },
    { flags: '--format <format>', description: 'output format (json: schema abitrace.check/1, see README)', default: 'table', choices: ['table', 'json'] },
  ],
  async run(_args, opts) {
    const hostKernel = opts.hostKernel === undefined ? null : String(opts.hostKernel);
    if (hostKernel !== null && !KERNEL_RE.test(hostKernel)) {
      throw new AbitraceError(E.USAGE, `--host-kernel expects a version like 6.1 or 6.12.3, got "${hostKernel}"`);
    }
    const changes = (opts.change as string[] | undefined) ?? [];
    const rules = selectChanges(rulesFromOptions(opts), changes);
    const db = await Database.open(String(opts.db), { create: false });
    let report: CheckReport;
    try {
      await upgradeSchema(db); // check opens read-write to store findings: bring an older database up to date
      report = await runCheck(db, rules, {
        failOn: opts.failOn as FailOn,
        hostKernel,
        ruleDirs: ruleDirsFromOptions(opts),
        changes,
      });
    } finally {
      db.close();
    }
    if (opts.format === 'json') process.stdout.write(`${JSON.stringify(checkJson(report), null, 2)}\n`);
    else printTables(report);
    return report.exitCode;
  },
};
