/**
 * End to end with the rest of abitrace: a generated fleet, parsed by src/ingest, placed by
 * resolveLayouts and replayed by src/replay under the revision it was generated with, shows no
 * fidelity mismatch (every recorded read is what the model returns), and the replay's verdicts
 * separate the guest that depends on the IGROUPR semantics (zephyr-secure) from those that only
 * touch them.
 */
import { labelArray } from '../../src/ingest/vm-labels.ts';
import { describe, expect, it } from 'vitest';
import { platformForVmm } from '../../src/gic/platforms.ts';
import { resolveLayouts, type VmLayout } from '../../src/gic/layout.ts';
import type { AccessBatch } from '../../src/model/access-batch.ts';
import type { IrqBatch } from '../../src/model/irq-batch.ts';
import { parseFile } from '../../src/ingest/parse-file.ts';
import { replay } from '../../src/replay/engine.ts';
import { generateText, tempDir, writeTemp } from './helpers/generate.ts';

async function pipeline(rev: 1 | 2 | 3) {
  const { text, result } = await generateText({
    profiles: ['linux-gicv3-5.19+', 'linux-gicv3', 'freebsd', 'edk2', 'zephyr-secure', 'linux-gicv2'].map((name) => ({ name, weight: 1 })),
    vmm: [{ name: 'qemu', weight: 1 }, { name: 'firecracker', weight: 1 }, { name: 'kvmtool', weight: 1 }],
    vms: 6, vcpus: 2, durationSec: 0.8, seed: 4, revision: rev, hostKernel: '6.6',
  });
  const path = writeTemp(tempDir(), 'fleet.txt', text);
  const batches: AccessBatch[] = [];
  const irqs: IrqBatch[] = [];
  const summary = await parseFile(path, { path, fallbackVm: 'x', strict: true }, { accesses: (b) => void batches.push(b), irqs: (b) => void irqs.push(b) }, { worker: false });
  const detected = resolveLayouts(summary, {});
  // The generator knows each VM's true layout; replay on it (the detected one is checked below).
  const truth: VmLayout[] = labelArray(summary.vms).map((name) => {
    const vm = result.vms.find((v) => String(v.tgid) === name)!;
    const p = platformForVmm(vm.vmm);
    return { vm: name, vmm: vm.vmm, platform: p.id, gicVersion: vm.gic.version, source: 'test', blocks: p.blocks({ gicVersion: vm.gic.version, nrVcpus: 2, its: vm.gic.its }) };
  });
  const out = replay(truth.map((l, code) => ({ code, name: l.vm, layout: l })), batches, irqs, { hostRevision: String(rev) });
  const profileOf = (vm: string): string => result.vms.find((v) => String(v.tgid) === vm)!.profiles.join('>');
  return { result, detected, truth, out, profileOf };
}

describe('generated traces through import, layout detection and replay', () => {
  it('the importer places every VM, GICv2 ones included, where the generator put it', async () => {
    const { detected, truth } = await pipeline(3);
    expect(truth.some((l) => l.gicVersion === 2)).toBe(true);
    for (const t of truth) {
      const d = detected.find((l) => l.vm === t.vm)!;
      expect(d.platform).toBe(t.platform);
      expect(d.gicVersion, t.vm).toBe(t.gicVersion);
      for (const b of t.blocks) expect(d.blocks.find((x) => x.block === b.block)?.base, `${t.vm} ${b.block}`).toBe(b.base);
    }
    expect(new Set(truth.map((l) => l.platform))).toEqual(new Set(['qemu-virt', 'firecracker', 'kvmtool']));
  });

  it.each([1, 2, 3] as const)('rev %i: no fidelity mismatch in any VM; only zephyr-secure diverges on IGROUPR and delivery', async (rev) => {
    const { out, profileOf } = await pipeline(rev);
    expect(out.fidelity).toHaveLength(6);
    for (const f of out.fidelity) {
      expect(f.revision).toBe(String(rev));
      expect(f.compared).toBeGreaterThan(0);
      expect(f.mismatches, `${profileOf(f.vm)}: ${JSON.stringify(f.examples)}`).toBe(0);
    }
    for (const r of out.rollup) {
      const zephyr = profileOf(r.vm) === 'zephyr-secure';
      const groupsDiffer = r.from === '1' || r.to === '1';
      expect(r.divergent_registers.includes('GICD_IGROUPR'), `${profileOf(r.vm)} ${r.from}->${r.to}`).toBe(zephyr && groupsDiffer);
      expect(r.delivery_divergences > 0, `${profileOf(r.vm)} ${r.from}->${r.to}`).toBe(zephyr && groupsDiffer);
    }
  });
});
