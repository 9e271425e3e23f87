/**
 * The real Linux 6.1 capture through the real pipeline: parser (QEMU log), layout detection from
 * its region names, then the replay engine.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveLayouts } from '../../src/gic/layout.ts';
import { parseFile } from '../../src/ingest/parse-file.ts';
import type { AccessBatch } from '../../src/model/access-batch.ts';
import { replay } from '../../src/replay/engine.ts';
import type { ReplayResult } from '../../src/replay/types.ts';

const CAPTURE = new URL('../../traces/qemu-virt-gicv3-linux6.1-smp2/trace.log.gz', import.meta.url).pathname;

describe('Linux 6.1 GICv3 boot (QEMU virt capture)', () => {
  let result: ReplayResult;
  let replayAgain: (ignore: string[]) => ReplayResult;
  beforeAll(async () => {
    const batches: AccessBatch[] = [];
    const summary = await parseFile(CAPTURE, { path: CAPTURE, fallbackVm: 'linux', strict: true },
      { accesses: (b) => void batches.push(b), irqs: () => {} }, { worker: false });
    const [layout] = resolveLayouts(summary, {});
    expect(layout).toMatchObject({ vm: 'linux', platform: 'qemu-virt', gicVersion: 3, source: 'qemu-regions' });
    result = replay([{ code: 0, name: 'linux', layout: layout! }], batches, [], { sourceFormat: 'qemu' });
    replayAgain = (ignore) => replay([{ code: 0, name: 'linux', layout: layout! }], batches, [], { ignore });
  });
  const verdict = (from: string, to: string, register: string) =>
    result.verdicts.find((v) => v.from === from && v.to === to && v.register === register);

  it('replays the GIC accesses and sees the boot', () => {
    const vm = result.vms[0]!;
    expect(vm.replayed).toBeGreaterThan(400);
    expect(vm.state_origin).toMatch(/^reset \(boot probe/);
    expect(vm.vcpus).toBe(2);
    expect(vm.nr_irqs).toBe(256); // QEMU's TCG GIC: TYPER 0x37a0007
    expect(vm.nr_irqs_source).toBe('GICD_TYPER read');
  });

  it('IGROUPR writes (all 0xffffffff) are touched-identical under every revision pair', () => {
    for (const [a, b] of [['1', '2'], ['1', '3'], ['2', '3']] as const) {
      expect(verdict(a, b, 'GICD_IGROUPR')).toMatchObject({ verdict: 'touched-identical', accesses: 7 });
      expect(verdict(a, b, 'GICR_IGROUPR0')).toMatchObject({ verdict: 'touched-identical', accesses: 2 });
    }
  });

  it('the GICD_IIDR read diverges between any two revisions, observed at that read', () => {
    const v = verdict('1', '2', 'GICD_IIDR')!;
    expect(v.verdict).toBe('diverges');
    expect(v.observed).toBe(true);
    expect(v.from_value).toBe('0x4b00143b');
    expect(v.to_value).toBe('0x4b00243b');
    expect(v.recorded_value).toBe('0x0000043b');
  });

  it('GICR_CTLR reads diverge between rev 2 and rev 3 only', () => {
    expect(verdict('2', '3', 'GICR_CTLR')).toMatchObject({ verdict: 'diverges', observed: true });
    expect(verdict('1', '2', 'GICR_CTLR')).toMatchObject({ verdict: 'touched-identical' });
  });

  it('reports QEMU fidelity mismatches as expected, with the IIDR among them', () => {
    const f = result.fidelity[0]!;
    expect(f.mismatches_expected).toBe(true);
    expect(f.revision).toBe('3');
    expect(f.mismatches).toBeGreaterThan(0);
    expect(f.examples.some((e) => e.register === 'GICD_IIDR')).toBe(true);
  });

  it('rolls up to diverges for every pair because of the IIDR read; --ignore sets it aside', () => {
    for (const r of result.rollup) expect(r.divergent_registers).toContain('GICD_IIDR');
    const ignored = replayAgain(['GICD_IIDR', 'GICR_CTLR']);
    const r12 = ignored.rollup.find((r) => r.from === '1' && r.to === '2')!;
    expect(r12.divergent_registers).toEqual([]);
    expect(r12.ignored_registers).toContain('GICD_IIDR');
    expect(r12.verdict).toBe('touched-identical');
  });
});
