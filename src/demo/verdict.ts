/**
 * The demo's plain-language verdict, composed only from replay results and the check report —
 * nothing here knows which traces are bundled, so the same text explains any database.
 */
import type { CheckReport } from '../rules/check-run.ts';
import type { ImportReplay } from '../replay/run-replay.ts';
import type { VerdictRow } from '../replay/types.ts';

export interface DemoImport {
  importId: number;
  path: string;
  variant: string;
  vms: number;
  accesses: number;
}

export interface DemoInput {
  dbPath: string;
  imports: DemoImport[];
  replay: ImportReplay[];
  check: CheckReport;
  /** CLI prefix for suggested commands, e.g. 'npx abitrace'. */
  cli: string;
}

const IGROUPR = ['GICD_IGROUPR', 'GICR_IGROUPR0'];
const LPI_INVALIDATION_RULE = 'direct-lpi-invalidation';

const n = (x: number) => x.toLocaleString('en-US');
const plural = (k: number, one: string, many = `${one}s`) => `${n(k)} ${k === 1 ? one : many}`;

interface VmKey {
  importId: number;
  vm: string;
}
const keyOf = (v: VmKey) => `${v.importId}\u0000${v.vm}`;

/** Every verdict row of every import, tagged with its import. */
function allVerdicts(replay: readonly ImportReplay[]): Array<VerdictRow & { importId: number }> {
  return replay.flatMap((r) => r.result.verdicts.map((v) => ({ ...v, importId: r.importId })));
}

function vmLabel(importId: number, vm: string, replay: readonly ImportReplay[]): string {
  const r = replay.find((x) => x.importId === importId);
  const info = r?.result.vms.find((v) => v.vm === vm);
  const shape = info ? `, ${info.platform}, GICv${info.gic_version}, ${plural(info.vcpus, 'vCPU')}` : '';
  return `vm ${vm} (import ${importId}${shape})`;
}

/**
 * One diverging VM in words: what it wrote, what each revision made of it, and where (if at all)
 * the guest could tell — a later read or an interrupt signalled in another group.
 */
function explainIgrouprDivergence(key: VmKey, first: VerdictRow, replay: readonly ImportReplay[],
  verdicts: ReadonlyArray<VerdictRow & { importId: number }>): string[] {
  const rows = verdicts.filter((v) => v.importId === key.importId && v.vm === key.vm && v.from === first.from && v.to === first.to
    && IGROUPR.includes(v.register) && v.verdict === 'diverges');
  const writes = rows.reduce((s, r) => s + r.divergent_accesses, 0);
  const lines = [`   - ${vmLabel(key.importId, key.vm, replay)}: ${plural(writes, 'IGROUPR access', 'IGROUPR accesses')} `
    + `(${rows.map((r) => r.register).join(', ')}) diverge; the first, at line ${first.first_seq}${first.first_vcpu !== null ? ` on vCPU ${first.first_vcpu}` : ''}, `
    + `${first.first_op === 'W' ? `writes ${first.recorded_value} to ${first.register}` : `reads ${first.register}`}.`];
  lines.push(`     Under rev ${first.from} the register then reads ${first.from_value}; under rev ${first.to} it reads ${first.to_value}.`);
  const result = replay.find((r) => r.importId === key.importId)?.result;
  const delivery = result?.divergences.find((d) => d.vm === key.vm && d.kind === 'delivery' && d.from === first.from && d.to === first.to);
  const observed = rows.filter((r) => r.observed).sort((a, b) => (a.observed_seq ?? Infinity) - (b.observed_seq ?? Infinity))[0];
  if (delivery) {
    lines.push(`     The guest sees it at line ${delivery.seq}: IRQ ${delivery.irq} on vCPU ${delivery.vcpu ?? '?'} is signalled as `
      + `${delivery.from_value} under rev ${first.from} but ${delivery.to_value} under rev ${first.to}`
      + ' — a guest that enables only Group 1 never takes it there.');
  } else if (observed) {
    lines.push(`     The guest sees it at line ${observed.observed_seq}: ${observed.observed_by ?? 'a later access'}.`);
  } else {
    lines.push('     Nothing later in the trace shows the difference to the guest (latent).');
  }
  return lines;
}

/** Per VM, the verdict rows of a register set for one revision pair. */
function byVm(rows: ReadonlyArray<VerdictRow & { importId: number }>, registers: readonly string[], from: string, to: string) {
  const out = new Map<string, Array<VerdictRow & { importId: number }>>();
  for (const r of rows) {
    if (r.from !== from || r.to !== to || !registers.includes(r.register)) continue;
    const k = keyOf({ importId: r.importId, vm: r.vm });
    let list = out.get(k);
    if (!list) out.set(k, (list = []));
    list.push(r);
  }
  return out;
}

export function composeVerdict(input: DemoInput): string[] {
  const { replay, check, imports, cli, dbPath } = input;
  const out: string[] = [];
  const verdicts = allVerdicts(replay);
  const revisions = replay[0]?.result.revisions ?? [];
  const totalVms = replay.reduce((s, r) => s + r.result.vms.length, 0);
  const totalAccesses = imports.reduce((s, i) => s + i.accesses, 0);

  out.push(`Imported ${plural(imports.length, 'trace')} into ${dbPath}: ${plural(imports.reduce((s, i) => s + i.vms, 0), 'VM')}, ${n(totalAccesses)} guest register accesses.`);
  for (const i of imports) out.push(`  import ${i.importId}: ${i.path} (${i.variant}, ${plural(i.vms, 'VM')}, ${n(i.accesses)} accesses)`);
  out.push(`Replayed the GIC accesses of ${plural(totalVms, 'VM')} against the emulated KVM vGIC under GICD_IIDR revisions ${revisions.join(', ')}.`);
  out.push('');

  // 1. IGROUPR: rev 1 ignores guest writes, rev >= 2 stores them.
  const pairs = revisions.flatMap((a, i) => revisions.slice(i + 1).map((b) => [a, b] as const));
  const grp = new Map<string, { key: VmKey; touched: boolean; diverges: VerdictRow | null; unknown: boolean }>();
  for (const [a, b] of pairs) {
    for (const [k, rows] of byVm(verdicts, IGROUPR, a, b)) {
      const e = grp.get(k) ?? { key: { importId: rows[0]!.importId, vm: rows[0]!.vm }, touched: false, diverges: null, unknown: false };
      for (const r of rows) {
        if (r.verdict !== 'not-touched') e.touched = true;
        if (r.verdict === 'unknown') e.unknown = true;
        if (r.verdict === 'diverges' && (e.diverges === null || (r.first_seq ?? Infinity) < (e.diverges.first_seq ?? Infinity))) e.diverges = r;
      }
      grp.set(k, e);
    }
  }
  const touched = [...grp.values()].filter((e) => e.touched);
  const diverging = touched.filter((e) => e.diverges !== null);
  const unknown = touched.filter((e) => e.diverges === null && e.unknown);
  const identical = touched.length - diverging.length - unknown.length;
  out.push('1. IGROUPR writability (GICD_IIDR rev 1 ignores guest IGROUPR writes; rev 2 and 3 store them)');
  out.push(`   ${n(touched.length)} of ${plural(totalVms, 'VM')} touched GICD_IGROUPR or GICR_IGROUPR0.`);
  out.push(`   ${n(identical)} of them saw an identical outcome under every revision: they write 0xffffffff,`
    + ' which rev 1 ignores, but the register already reads all-ones (Group 1).');
  if (diverging.length > 0) {
    out.push(`   ${plural(diverging.length, 'VM diverges', 'VMs diverge')}:`);
    for (const e of diverging) out.push(...explainIgrouprDivergence(e.key, e.diverges!, replay, verdicts));
  } else {
    out.push('   No VM saw a different outcome.');
  }
  if (unknown.length > 0) {
    out.push(`   ${plural(unknown.length, 'VM is', 'VMs are')} unknown: the trace starts mid-life and never reads IGROUPR back`
      + ` (${unknown.map((e) => e.key.vm).join(', ')}); replay --from-reset if they were traced from boot.`);
  }
  out.push('');

  // 2. GICR_CTLR.{IR,CES}: advertised from rev 3.
  const [lo, hi] = revisions.includes('2') && revisions.includes('3') ? ['2', '3'] : [revisions[0] ?? '', revisions[1] ?? ''];
  const ctlr = [...byVm(verdicts, ['GICR_CTLR'], lo, hi).values()].map((rows) => rows[0]!).filter((r) => r.verdict !== 'not-touched');
  const ctlrDiverge = ctlr.filter((r) => r.verdict === 'diverges');
  out.push(`2. GICR_CTLR.{IR,CES} (advertised from rev 3; compared rev ${lo} with rev ${hi})`);
  out.push(`   ${n(ctlr.length)} of ${plural(totalVms, 'VM')} read GICR_CTLR; ${n(ctlrDiverge.length)} read a different value under rev ${lo} and rev ${hi}.`);
  const byValues = new Map<string, string[]>();
  for (const r of ctlrDiverge) {
    const k = `rev ${lo} ${r.from_value}, rev ${hi} ${r.to_value}`;
    byValues.set(k, [...(byValues.get(k) ?? []), r.vm]);
  }
  for (const [k, vms] of byValues) out.push(`   - first read: ${k} (${plural(vms.length, 'VM')}: ${vms.join(', ')})`);
  const lpi = [...new Set(check.findings.filter((f) => f.rule === LPI_INVALIDATION_RULE).map((f) => f.vm))];
  if (lpi.length > 0) {
    out.push(`   ${plural(lpi.length, 'VM')} then invalidated LPIs through GICR_INVLPIR/GICR_SYNCR, as Linux >= 5.19 does when it`
      + ` sees IR (${lpi.join(', ')}): a rollback to a pre-5.19 host silently drops those invalidations.`);
  } else {
    out.push('   No VM used GICR_INVLPIR/GICR_INVALLR/GICR_SYNCR, so none depends on IR being set.');
  }
  out.push('');

  // 3. IIDR: every read differs, by construction.
  const iidr = [...byVm(verdicts, ['GICD_IIDR'], lo, hi).values()].map((rows) => rows[0]!).filter((r) => r.verdict !== 'not-touched');
  out.push(`3. GICD_IIDR: ${n(iidr.length)} of ${plural(totalVms, 'VM')} read it, so each of them sees the revision change itself`
    + ' (Linux uses it only for quirk matching, and no quirk matches KVM); set it aside with --ignore GICD_IIDR.');
  out.push('');

  // 4. The rule packs' view of every ABI change.
  out.push(`4. Other ABI changes (abitrace check, ${plural(check.results.length, 'rule')}):`);
  for (const c of check.changes) {
    const parts = [`${n(c.touched)} touched`];
    if (c.outcome_evaluated !== null) parts.push(`${n(c.differs)} with a different outcome`);
    if (c.unknown > 0) parts.push(`${n(c.unknown)} unknown`);
    parts.push(`${n(c.unseen_full_coverage)} not seen with full coverage`);
    if (c.unseen_with_gaps > 0) parts.push(`${n(c.unseen_with_gaps)} not seen but with lost events`);
    if (c.unseen_not_observable > 0) parts.push(`${n(c.unseen_not_observable)} not observable in their trace`);
    out.push(`   - ${c.change}: ${parts.join(', ')} (of ${n(c.vms)})`);
  }
  const errors = check.findings.filter((f) => f.severity === 'error').length;
  const warns = check.findings.filter((f) => f.severity === 'warn').length;
  out.push(`   ${plural(check.findings.length, 'finding')} (${n(errors)} error, ${n(warns)} warn); in CI, \`abitrace check --fail-on error\` exits 1 on them.`);
  out.push('');

  // 5. Where to dig.
  const example = diverging[0]?.key ?? ctlrDiverge[0] ?? null;
  out.push('Dig further:');
  if (example) {
    const imp = 'importId' in example ? example.importId : null;
    out.push(`  ${cli} replay --db ${dbPath}${imp !== null ? ` --import ${imp}` : ''} --explain ${example.vm}`);
  }
  out.push(`  ${cli} query --db ${dbPath} "SELECT vm, reg, printf('0x%08x', value) AS value, count(*) AS writes FROM accesses_decoded WHERE reg IN ('GICD_IGROUPR', 'GICR_IGROUPR0') AND op = 'W' GROUP BY ALL ORDER BY vm"`);
  out.push(`  ${cli} query --db ${dbPath} "SELECT vm, from_rev, to_rev, register, verdict, first_seq, observed FROM replay_verdicts WHERE verdict = 'diverges' ORDER BY vm, register"`);
  out.push(`  ${cli} query --db ${dbPath} -f queries/investigations/guest-fingerprint.sql`);
  return out;
}
