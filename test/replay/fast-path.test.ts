/**
 * The engine's fast path (page tables, packed word tables, shared-state models, inline reads and
 * writes) against its reference path (every access through VmRun's general code on models that
 * share nothing): identical results on untidy multi-VM traces, for several revision sets and
 * options. Anything the fast path skips or shares that matters shows up here as a difference.
 */
import { describe, expect, it } from 'vitest';
import { profileById } from '../../src/emulator/profiles.ts';
import { makeShape } from '../../src/emulator/shape.ts';
import { VgicModel } from '../../src/emulator/vgic-model.ts';
import { replay } from '../../src/replay/engine.ts';
import { stateField, stateKey } from '../../src/replay/state-compare.ts';
import type { ReplayOptions, ReplayResult } from '../../src/replay/types.ts';
import { randomTrace } from './helpers/random-trace.ts';

const withoutStats = (r: ReplayResult): Omit<ReplayResult, 'stats'> => {
  const { stats, ...rest } = r;
  expect(stats.accesses).toBeGreaterThan(0);
  return rest;
};

const CASES: Array<[string, ReplayOptions]> = [
  ['revisions 1,2,3', {}],
  ['revisions 0,1,2,3 on a rev-2 host', { revisions: ['0', '1', '2', '3'], hostRevision: '2' }],
  ['revisions 2,3 (groups shared)', { revisions: ['2', '3'] }],
  ['revisions 3,0, --from-reset, --ignore', { revisions: ['3', '0'], fromReset: true, ignore: ['GICD_IIDR'], nrIrqs: 128 }],
  ['revisions 1,2,3, --explain vm0', { explainVm: 0 }],
];

describe('fast path = reference path', () => {
  for (const seed of [1, 2, 3]) {
    const trace = randomTrace(seed, 30_000);
    it.each(CASES)(`seed ${seed}: %s`, (_name, opts) => {
      const fast = replay(trace.vms, trace.batches, trace.irqs, opts);
      const ref = replay(trace.vms, trace.batches, trace.irqs, { ...opts, reference: true });
      expect(withoutStats(fast)).toEqual(withoutStats(ref));
    });
  }

  it('the trace exercises what the fast path decides on', () => {
    const t = randomTrace(1, 30_000);
    const r = replay(t.vms, t.batches, t.irqs, { revisions: ['0', '1', '2', '3'] });
    const sum = (k: keyof ReplayResult['vms'][number]) => r.vms.reduce((s, v) => s + (v[k] as number), 0);
    for (const k of ['replayed', 'skipped_not_mmio', 'skipped_outside_gic', 'skipped_unmodelled', 'writes_without_value', 'irq_events'] as const)
      expect(sum(k), k).toBeGreaterThan(0);
    expect(new Set(r.vms.map((v) => v.gic_version))).toEqual(new Set([2, 3]));
    expect(r.vms.some((v) => v.state_origin.startsWith('unknown'))).toBe(true);
    expect(r.verdicts.some((v) => v.verdict === 'diverges')).toBe(true);
    expect(r.verdicts.some((v) => v.verdict === 'unknown')).toBe(true);
    expect(r.fidelity.some((f) => f.mismatches > 0)).toBe(true);
    expect(r.divergences.some((d) => d.kind === 'delivery')).toBe(true);
    // The VM above 4 GiB replays too.
    expect(r.vms.find((v) => v.vm === 'vm6')!.replayed).toBeGreaterThan(0);
  });
});

describe('stateField', () => {
  it('is the field (top byte) of every key stateKey gives, for every handler kind', () => {
    const m = new VgicModel(profileById('3'), makeShape(3, 256, 4, true));
    for (let h = 0; h < 32; h++)
      for (const [intid, cpu] of [[0, 0], [27, 3], [40, 1], [255, 2]] as const) expect(stateKey(m, h, intid, cpu) >>> 24, `handler ${h}`).toBe(stateField(h));
  });
});
