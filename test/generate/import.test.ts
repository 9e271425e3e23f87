/**
 * Generated traces import cleanly with the project's own parser (src/ingest): no malformed lines,
 * no unpaired reads, every event counted, one VM per generated VM and --vcpus vCPUs in each, for
 * every layout (trace-cmd through its .tgids side map, qemu one file per VM).
 */
import { describe, expect, it } from 'vitest';
import { vmInfoList } from '../../src/ingest/vm-evidence.ts';
import { formatTgidMap } from '../../src/generate/generate.ts';
import { parseTgidMap } from '../../src/ingest/tgid-map.ts';
import { generateQemuTexts, generateText, importText, tempDir, writeTemp, type Imported, type Opts } from './helpers/generate.ts';

const FLEET: Opts = {
  profiles: [{ name: 'linux-gicv3-5.19+', weight: 3 }, { name: 'linux-gicv3', weight: 1 }, { name: 'linux-gicv2', weight: 1 }, { name: 'freebsd', weight: 1 }, { name: 'zephyr-secure', weight: 1 }],
  vmm: [{ name: 'qemu', weight: 2 }, { name: 'firecracker', weight: 1 }, { name: 'kvmtool', weight: 1 }],
  vms: 7,
  vcpus: 3,
  durationSec: 0.35,
  seed: 11,
};

function expectClean(imp: Imported, result: { eventCounts: Record<string, number>; lines: number; vms: unknown[] }, vms: number, vcpus: number): void {
  const s = imp.summary;
  expect(s.issues.filter((i) => i.severity !== 'info'), JSON.stringify(s.issues)).toEqual([]);
  expect(Object.fromEntries(s.eventCounts)).toEqual(result.eventCounts);
  expect(s.accesses).toBe(imp.rows);
  expect(s.vms).toHaveLength(vms);
  expect(imp.vcpusByVm.size).toBe(vms);
  for (const [, set] of imp.vcpusByVm) expect([...set].sort((a, b) => a - b)).toEqual(Array.from({ length: vcpus }, (_, i) => i));
}

describe('generated traces import cleanly with src/ingest', () => {
  const dir = tempDir();

  it('raw ftrace with tgids: VMs separate by tgid, VMM kinds from thread names', async () => {
    const { text, result } = await generateText({ ...FLEET, format: 'ftrace' });
    const imp = await importText(writeTemp(dir, 'fleet.ftrace', text));
    expectClean(imp, result, 7, 3);
    expect(imp.summary.variant).toBe('ftrace-tgid');
    // completed reads + writes + sysreg + hvc = access rows
    const c = result.eventCounts;
    expect(imp.rows).toBe(c.kvm_guest_fault! + c.kvm_sys_access! + c.kvm_hvc_arm64!);
    const byTgid = new Map(result.vms.map((v) => [String(v.tgid), v.vmm]));
    for (const info of vmInfoList(imp.summary.vmInfo)) expect(info.vmm).toBe(byTgid.get(imp.summary.vms.at(info.vm)!));
  });

  it('trace-cmd report with the .tgids side map', async () => {
    const { text, result } = await generateText({ ...FLEET, format: 'trace-cmd' });
    const map = parseTgidMap(formatTgidMap(result.threads));
    expect(map.badLines).toEqual([]);
    const imp = await importText(writeTemp(dir, 'fleet.trace-cmd', text), map.map);
    expectClean(imp, result, 7, 3);
    expect(imp.summary.variant).toBe('trace-cmd');
  });

  it('perf script with pid/tid', async () => {
    const { text, result } = await generateText({ ...FLEET, format: 'perf' });
    const imp = await importText(writeTemp(dir, 'fleet.perf', text));
    expectClean(imp, result, 7, 3);
  });

  it('qemu logs, one per VM', async () => {
    const { texts, result } = await generateQemuTexts({ ...FLEET, vmm: undefined, vms: 2 });
    let total = 0;
    for (let vm = 0; vm < texts.length; vm++) {
      const imp = await importText(writeTemp(dir, `q${vm}.log`, texts[vm]!));
      expect(imp.summary.issues.filter((i) => i.severity !== 'info')).toEqual([]);
      expect(imp.summary.vms).toHaveLength(1);
      expect([...imp.vcpusByVm.values()][0]!.size).toBe(3);
      total += imp.rows;
    }
    expect(total).toBe(result.lines);
  });
});
