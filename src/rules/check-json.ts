/**
 * The versioned JSON document `abitrace check --format json` prints (schema "abitrace.check/1",
 * documented in README). Additive changes keep the version; renaming or removing a key bumps it.
 * 64-bit timestamps are decimal strings: wall-clock nanoseconds exceed 2^53.
 */
import type { CheckReport } from './check-run.ts';
import type { ChangeSummary } from './check-summary.ts';

export const CHECK_SCHEMA = 'abitrace.check/1';

export interface CheckJson {
  schema: typeof CHECK_SCHEMA;
  run_id: number;
  fail_on: string;
  host_kernel: string | null;
  exit_code: number;
  rules: Array<{
    rule: string; change: string; title: string; level: string; severity: string; compares: string;
    kernels: string; status: string; reason: string | null; findings: number;
  }>;
  changes: ChangeSummary[];
  findings: Array<{
    rule: string; change: string; level: string; severity: string; title: string; import_id: number | null;
    vm: string; vcpu: number | null; first_ts_ns: string | null; last_ts_ns: string | null; count: number;
    example_seq: number | null; detail: string;
  }>;
}

export function checkJson(report: CheckReport): CheckJson {
  return {
    schema: CHECK_SCHEMA,
    run_id: report.runId,
    fail_on: report.failOn,
    host_kernel: report.hostKernel,
    exit_code: report.exitCode,
    rules: report.results.map((r) => ({
      rule: r.rule.id, change: r.rule.change, title: r.rule.title, level: r.rule.level, severity: r.rule.severity,
      compares: r.rule.compares, kernels: r.rule.kernels, status: r.status, reason: r.reason, findings: r.findings,
    })),
    changes: report.changes,
    findings: report.findings.map((f) => ({
      rule: f.rule, change: f.change, level: f.level, severity: f.severity, title: f.title, import_id: f.import_id,
      vm: f.vm, vcpu: f.vcpu, first_ts_ns: f.first_ts_ns === null ? null : f.first_ts_ns.toString(),
      last_ts_ns: f.last_ts_ns === null ? null : f.last_ts_ns.toString(), count: f.count,
      example_seq: f.example_seq, detail: f.detail,
    })),
  };
}
