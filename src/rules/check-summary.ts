/**
 * Per-ABI-change coverage summary of a check run: of the VMs in the data, which touched the
 * change, which saw a different outcome, which are unknown, and — for the rest — whether "no
 * finding" means "not touched" (full coverage) or proves nothing: lost events inside the VM's
 * window on a host CPU it ran on (tracepoints.md §8), or a trace that cannot show the signature
 * at all (no accesses of that kind for the VM, or a host kernel that does not trap them).
 */
import type { Database } from '../store/database.ts';
import { compareKernelVersions, type RuleCoverage, type RuleFile } from './rule-file.ts';
import type { RuleResult } from './rule-runner.ts';

export const VM_STATUSES = ['differs', 'unknown', 'touched', 'unseen-full-coverage', 'unseen-with-gaps', 'unseen-not-observable'] as const;
export type VmStatusName = (typeof VM_STATUSES)[number];

export interface VmStatus {
  import_id: number | null;
  vm: string;
  status: VmStatusName;
  touched: boolean;
  differs: boolean;
  unknown: boolean;
  /** Lost-event markers that overlap the VM's window on its host CPUs. */
  lost_markers: number;
}

export interface ChangeSummary {
  change: string;
  rules: string[];
  vms: number;
  /** VMs with a touch- or outcome-level finding. */
  touched: number;
  /** VMs with an outcome-level finding. */
  differs: number;
  /** VMs with an unknown-level finding and no outcome-level finding. */
  unknown: number;
  /** VMs without any finding, split by what their absence proves. */
  unseen_full_coverage: number;
  unseen_with_gaps: number;
  unseen_not_observable: number;
  /**
   * False when an outcome-level rule of this change could not be evaluated (e.g. no replay yet);
   * null when the change has no outcome-level rule (touch evidence only).
   */
  outcome_evaluated: boolean | null;
  notes: string[];
  vm_status: VmStatus[];
}

/** What the trace holds for one VM (see readVmCoverage). */
export interface VmCoverage {
  import_id: number;
  vm: string;
  coverage: Record<RuleCoverage, boolean>;
  lost_markers: number;
}

/** Per-kind test on the joined row of `vm_list` (v) and the GIC-MMIO VM set (g). */
const COVERAGE_SQL: Record<RuleCoverage, string> = {
  'gic-mmio': 'g.vm IS NOT NULL',
  sysreg: 'v.sysreg',
  hypercall: 'v.hypercall',
};

const COVERAGE_WORDS: Record<RuleCoverage, string> = {
  'gic-mmio': 'GIC MMIO accesses',
  sysreg: 'trapped system-register accesses (kvm_sys_access)',
  hypercall: 'hypercalls (kvm_hvc_arm64 / SMC exits)',
};

/**
 * Every VM (from `vms`, plus any VM that has accesses but no `vms` row) with its coverage flags and
 * the lost-event markers that fall in its window: same import, a host CPU the VM ran on (any CPU
 * when either side's CPU is unknown), and [ts_before, ts_after] overlapping [first_ts, last_ts]
 * (an unknown bound overlaps everything). Reads `accesses` and `vm_blocks` with hash joins only:
 * one aggregation pass, no per-row register decoding.
 */
export async function readVmCoverage(db: Database): Promise<VmCoverage[]> {
  const kinds = Object.keys(COVERAGE_SQL) as RuleCoverage[];
  const rows = await db.readObjects<Record<string, unknown>>(`
    WITH acc AS (
      SELECT import_id, vm, min(ts_ns) AS first_ts_ns, max(ts_ns) AS last_ts_ns,
             bool_or(space = 'sysreg') AS sysreg, bool_or(space IN ('hvc', 'smc')) AS hypercall,
             list(DISTINCT host_cpu) FILTER (WHERE host_cpu IS NOT NULL) AS cpus,
             bool_or(host_cpu IS NULL) AS cpu_unknown
      FROM accesses GROUP BY import_id, vm
    ),
    gic_vms AS (
      SELECT DISTINCT a.import_id, a.vm
      FROM accesses a JOIN vm_blocks b ON a.import_id = b.import_id AND a.vm = b.vm
      WHERE a.space = 'mmio' AND a.addr >= b.base AND a.addr < b.base + b.size
    ),
    vm_list AS (
      SELECT coalesce(v.import_id, a.import_id) AS import_id, coalesce(v.vm, a.vm) AS vm,
             coalesce(v.first_ts_ns, a.first_ts_ns) AS first_ts_ns, coalesce(v.last_ts_ns, a.last_ts_ns) AS last_ts_ns,
             coalesce(a.sysreg, false) AS sysreg, coalesce(a.hypercall, false) AS hypercall,
             a.cpus, coalesce(a.cpu_unknown, true) OR a.cpus IS NULL AS cpu_unknown
      FROM vms v FULL OUTER JOIN acc a ON v.import_id = a.import_id AND v.vm = a.vm
    ),
    gaps AS (
      SELECT v.import_id, v.vm, count(*) AS markers
      FROM vm_list v JOIN lost_events l ON l.import_id = v.import_id
      WHERE (l.host_cpu IS NULL OR v.cpu_unknown OR list_contains(v.cpus, l.host_cpu))
        AND (v.first_ts_ns IS NULL OR l.ts_after_ns IS NULL OR l.ts_after_ns >= v.first_ts_ns)
        AND (v.last_ts_ns IS NULL OR l.ts_before_ns IS NULL OR l.ts_before_ns <= v.last_ts_ns)
      GROUP BY v.import_id, v.vm
    )
    SELECT v.import_id, v.vm, ${kinds.map((k) => `${COVERAGE_SQL[k]} AS "${k}"`).join(', ')},
           coalesce(x.markers, 0) AS lost_markers
    FROM vm_list v
    LEFT JOIN gic_vms g ON g.import_id = v.import_id AND g.vm = v.vm
    LEFT JOIN gaps x ON x.import_id = v.import_id AND x.vm = v.vm
    ORDER BY v.import_id, v.vm`);
  return rows.map((r) => ({
    import_id: Number(r.import_id),
    vm: String(r.vm),
    coverage: Object.fromEntries(kinds.map((k) => [k, r[k] === true])) as Record<RuleCoverage, boolean>,
    lost_markers: Number(r.lost_markers),
  }));
}

interface FindingKey { change: string; level: string; import_id: number | null; vm: string }

export interface SummaryOptions {
  /** Host kernel the traces were taken on (`--host-kernel`), or null when unknown. */
  hostKernel: string | null;
}

/** Builds one summary per change of the rules that were run, in rule order. */
export async function summarizeChanges(db: Database, runId: number, results: readonly RuleResult[],
  options: SummaryOptions): Promise<ChangeSummary[]> {
  const vms = await readVmCoverage(db);
  const keys = await db.readObjects<FindingKey>(
    `SELECT DISTINCT change, level, import_id, vm FROM findings WHERE run_id = ${runId}`);
  const changes = [...new Set(results.map((r) => r.rule.change))];
  return changes.map((change) => summarizeChange(change, results.filter((r) => r.rule.change === change), vms,
    keys.filter((k) => k.change === change), options));
}

export function summarizeChange(change: string, results: readonly RuleResult[], vms: readonly VmCoverage[],
  keys: readonly FindingKey[], options: SummaryOptions): ChangeSummary {
  const rules: RuleFile[] = results.map((r) => r.rule);
  const needs = [...new Set(rules.flatMap((r) => r.coverage))];
  const visibleFrom = rules.map((r) => r.visibleFrom).filter((v): v is string => v !== null)
    .sort(compareKernelVersions).at(-1) ?? null;
  const hostHidesIt = visibleFrom !== null
    && (options.hostKernel === null || compareKernelVersions(options.hostKernel, visibleFrom) < 0);

  // A finding without import_id (the column is optional for rules) matches the VM name in any import.
  const hits = new Set(keys.map((k) => `${k.level}\0${k.import_id === null ? '*' : Number(k.import_id)}\0${k.vm}`));
  const has = (vm: VmCoverage, level: string): boolean =>
    hits.has(`${level}\0${vm.import_id}\0${vm.vm}`) || hits.has(`${level}\0*\0${vm.vm}`);

  const status: VmStatus[] = vms.map((vm) => {
    const differs = has(vm, 'outcome');
    const touched = differs || has(vm, 'touch');
    const unknown = has(vm, 'unknown');
    let s: VmStatusName;
    if (differs) s = 'differs';
    else if (unknown) s = 'unknown';
    else if (touched) s = 'touched';
    else if (hostHidesIt || needs.some((n) => !vm.coverage[n])) s = 'unseen-not-observable';
    else if (vm.lost_markers > 0) s = 'unseen-with-gaps';
    else s = 'unseen-full-coverage';
    return { import_id: vm.import_id, vm: vm.vm, status: s, touched, differs, unknown, lost_markers: vm.lost_markers };
  });
  const count = (pred: (v: VmStatus) => boolean): number => status.filter(pred).length;

  const notes: string[] = [];
  if (visibleFrom !== null) {
    notes.push(options.hostKernel === null
      ? `absence proves nothing unless the host kernel is ≥ ${visibleFrom} (older hosts do not trap these accesses); pass --host-kernel to say which it was`
      : compareKernelVersions(options.hostKernel, visibleFrom) < 0
        ? `host kernel ${options.hostKernel} < ${visibleFrom} does not trap these accesses: absence proves nothing`
        : `host kernel ${options.hostKernel} ≥ ${visibleFrom} traps these accesses`);
  }
  for (const n of needs) {
    const blind = status.filter((v, i) => v.status === 'unseen-not-observable' && !vms[i]!.coverage[n]).length;
    if (blind > 0) notes.push(`${blind} VM(s) have no ${COVERAGE_WORDS[n]} in the trace: absence proves nothing for them`);
  }
  const gapped = count((v) => v.status === 'unseen-with-gaps');
  if (gapped > 0) notes.push(`${gapped} VM(s) have lost-event markers inside their window: absence is not proof`);
  const skipped = results.filter((r) => r.status === 'not-evaluated');
  for (const r of skipped) notes.push(`${r.rule.id} (${r.rule.level}): ${r.reason}`);

  return {
    change,
    rules: rules.map((r) => r.id),
    vms: status.length,
    touched: count((v) => v.touched),
    differs: count((v) => v.differs),
    unknown: count((v) => v.unknown && !v.differs),
    unseen_full_coverage: count((v) => v.status === 'unseen-full-coverage'),
    unseen_with_gaps: gapped,
    unseen_not_observable: count((v) => v.status === 'unseen-not-observable'),
    outcome_evaluated: rules.some((r) => r.level === 'outcome') ? !skipped.some((r) => r.rule.level === 'outcome') : null,
    notes,
    vm_status: status,
  };
}
