/** Turns the per-VM tallies into result rows: verdicts, rollups, divergences, fidelity. */
import { REGISTER_NAMES } from '../gic/catalogue.ts';
import type { DivergenceRow, FidelityRow, ReplayOptions, ReplayResult, RollupRow, Verdict, VerdictRow, VmSummaryRow } from './types.ts';
import { REPLAY_SCHEMA } from './types.ts';
import type { VmRun } from './vm-run.ts';

const R = REGISTER_NAMES.length;

export function buildResult(runs: VmRun[], revisions: string[], opts: ReplayOptions, stats: ReplayResult['stats']): ReplayResult {
  const verdicts: VerdictRow[] = [];
  const rollup: RollupRow[] = [];
  const divergences: DivergenceRow[] = [];
  const fidelity: FidelityRow[] = [];
  const vms: VmSummaryRow[] = [];
  for (const run of runs) {
    const vm = run.input.name;
    const lostInWindow = countLost(run, opts);
    vms.push({
      vm, platform: run.input.layout.platform, gic_version: run.scan.blocks.gicVersion, nr_irqs: run.nrIrqs,
      nr_irqs_source: run.nrIrqsSource, vcpus: run.nv, its: run.models[0]!.shape.hasIts, state_origin: run.stateOrigin,
      host_revision: run.profiles[run.hostIdx]!.id, host_revision_source: run.hostRevisionSource,
      accesses: run.accesses, replayed: run.replayed, irq_events: run.irqEvents, skipped_not_mmio: run.skippedNotMmio,
      skipped_outside_gic: run.skippedOutside, skipped_unmodelled: run.skippedUnmodelled, writes_without_value: run.writesWithoutValue,
      first_ts_ns: run.scan.firstTs, last_ts_ns: run.scan.lastTs, lost_events_in_window: lostInWindow,
    });
    // Registers reported for every pair: those whose behaviour differs in any compared pair.
    const reported = new Uint8Array(R);
    for (let i = 0; i < run.P * R; i++) if (run.sensitive[i]) reported[i % R] = 1;
    for (let p = 0; p < run.P; p++) {
      const from = revisions[run.pairA[p]!]!;
      const to = revisions[run.pairB[p]!]!;
      const roll: RollupRow = {
        vm, from, to, verdict: 'not-touched', divergent_registers: [], observed_registers: [], unknown_registers: [],
        ignored_registers: [], delivery_divergences: run.deliveryCount[p]!, data_loss: lostInWindow > 0,
      };
      let anyTouched = false;
      for (let r = 0; r < R; r++) {
        const idx = p * R + r;
        const touched = run.touched[r]!;
        const sensitive = run.sensitive[idx] === 1;
        if (touched > 0) anyTouched = true;
        const verdict: Verdict = touched === 0 ? 'not-touched' : run.diverged[idx]! > 0 ? 'diverges' : run.unknown[idx]! > 0 ? 'unknown' : 'touched-identical';
        if (!reported[r] && (verdict === 'not-touched' || verdict === 'touched-identical')) continue;
        const name = REGISTER_NAMES[r]!;
        const ignored = run.ignored[r] === 1;
        const det = run.firstDiverge.get(idx);
        verdicts.push({
          vm, from, to, register: name, verdict, sensitive, ignored, accesses: touched,
          divergent_accesses: run.diverged[idx]!, unknown_accesses: run.unknown[idx]!,
          first_seq: det?.seq ?? null, first_ts_ns: det?.ts ?? null, first_vcpu: det?.vcpu ?? null, first_op: det?.op ?? null,
          first_offset: det?.offset ?? null, recorded_value: det?.recorded ?? null, from_value: det?.from ?? null, to_value: det?.to ?? null,
          latent: det ? !det.observed : false, observed: det?.observed ?? false, observed_seq: det?.observedSeq ?? null,
          observed_by: det?.observedBy ?? null, first_unknown_seq: run.firstUnknown.get(idx) ?? null,
        });
        if (det) {
          divergences.push({
            vm, from, to, register: name, kind: det.kind, seq: det.seq, ts_ns: det.ts, vcpu: det.vcpu, op: det.op, offset: det.offset,
            irq: null, recorded_value: det.recorded, from_value: det.from, to_value: det.to, observed: det.observed, observed_seq: det.observedSeq,
          });
        }
        if (ignored) { if (verdict === 'diverges' || verdict === 'unknown') roll.ignored_registers.push(name); continue; }
        if (verdict === 'diverges') {
          roll.divergent_registers.push(name);
          if (det?.observed) roll.observed_registers.push(name);
        } else if (verdict === 'unknown') roll.unknown_registers.push(name);
      }
      for (const dd of run.deliveries.filter((x) => x.pair === p)) {
        divergences.push({
          vm, from, to, register: null, kind: 'delivery', seq: dd.seq, ts_ns: dd.ts, vcpu: dd.vcpu, op: null, offset: null, irq: dd.irq,
          recorded_value: null, from_value: dd.from, to_value: dd.to, observed: true, observed_seq: dd.seq,
        });
      }
      roll.verdict = roll.divergent_registers.length > 0 || roll.delivery_divergences > 0 ? 'diverges'
        : roll.unknown_registers.length > 0 ? 'unknown' : anyTouched ? 'touched-identical' : 'not-touched';
      rollup.push(roll);
    }
    const host = run.profiles[run.hostIdx]!;
    const format = opts.sourceFormat ?? null;
    fidelity.push({
      vm, revision: host.id, revision_source: run.hostRevisionSource, source_format: format, mismatches_expected: format === 'qemu',
      reads: run.fidReads, compared: run.fidCompared, mismatches: run.fidMismatches, examples: run.fidExamples,
    });
  }
  const story = runs.find((r) => r.explain)?.story ?? null;
  return { schema: REPLAY_SCHEMA, revisions, vms, rollup, verdicts, divergences, fidelity, story, stats };
}

/** Lost-event markers whose time range overlaps the VM's [first, last] timestamps. */
function countLost(run: VmRun, opts: ReplayOptions): number {
  const lost = opts.lost ?? [];
  if (lost.length === 0) return 0;
  const first = run.scan.firstTs;
  const last = run.scan.lastTs;
  let n = 0;
  for (const l of lost) {
    const before = l.tsBeforeNs;
    const after = l.tsAfterNs;
    if (first === null || last === null) { n++; continue; } // no timestamps: cannot exclude it
    const lo = before ?? after ?? first;
    const hi = after ?? before ?? last;
    if (hi >= first && lo <= last) n++;
  }
  return n;
}
