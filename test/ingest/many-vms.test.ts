/**
 * A host trace of many short-lived VMs: per-VM state stays small and exact. The page counters
 * are one shared direct-mapped cache (colliding VMs evict into their own maps), and thread counts
 * come from one Set of (VM, tid) pairs.
 */
import { describe, expect, it } from 'vitest';
import { evidenceByVm, vmInfoList } from '../../src/ingest/vm-evidence.ts';
import { parseBytes } from './helpers/render.ts';

describe('many VMs in one trace', () => {
  it('counts every VM\'s pages and threads exactly', () => {
    const lines: string[] = ['# tracer: nop', '#'];
    const N = 5000;
    let t = 0;
    const at = () => `${1234 + Math.floor(t / 1e6)}.${String(t++ % 1e6).padStart(6, '0')}`;
    for (let i = 0; i < N; i++) {
      const tgid = 100000 + 10 * i;
      // every VM: 3 writes to its distributor page, 1 to a redistributor page; odd VMs on 2 threads
      for (let k = 0; k < 3; k++) lines.push(`       CPU 0/KVM-${tgid + 1}    ( ${tgid}) [003] .....  ${at()}: kvm_mmio: mmio write len 4 gpa 0x${(0x8000000 + 4 * k).toString(16)} val 0x1`);
      const tid = i % 2 === 1 ? tgid + 2 : tgid + 1;
      lines.push(`       CPU ${i % 2}/KVM-${tid}    ( ${tgid}) [003] .....  ${at()}: kvm_mmio: mmio write len 4 gpa 0x80b0100 val 0x1`);
    }
    const p = parseBytes(Buffer.from(`${lines.join('\n')}\n`), { format: 'ftrace' });
    expect(p.summary.vms).toHaveLength(N);
    const info = new Map(vmInfoList(p.summary.vmInfo).map((v) => [p.summary.vms.at(v.vm)!, v]));
    const ev = new Map([...evidenceByVm(p.summary)].map((e) => [p.summary.vms.at(e.vm)!, e]));
    for (let i = 0; i < N; i++) {
      const name = String(100000 + 10 * i);
      expect(info.get(name)!.threads, name).toBe(i % 2 === 1 ? 2 : 1);
      expect([...ev.get(name)!.pages], name).toEqual([[0x8000, 3], [0x80b0, 1]]);
    }
  });
});
