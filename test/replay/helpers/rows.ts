/** Building replay inputs in tests: AccessBatches from plain rows. */
import { AccessBatch, setU64FromNumber } from '../../../src/model/access-batch.ts';
import { OP_READ, OP_WRITE, SPACE_MMIO, SPACE_SYSREG } from '../../../src/model/codes.ts';
import type { IrqEventRow } from '../../../src/model/irq-batch.ts';
import { platformById } from '../../../src/gic/platforms.ts';
import type { VmLayout } from '../../../src/gic/layout.ts';

export interface Row {
  vm?: number;
  vcpu?: number | null;
  op: 'R' | 'W';
  addr: number;
  len?: number;
  value?: number | null;
  /** High word of a 64-bit value. */
  hi?: number;
  space?: 'mmio' | 'sysreg';
  seq?: number;
}

export function batchFromRows(rows: Row[]): AccessBatch {
  const b = new AccessBatch(Math.max(1, rows.length));
  rows.forEach((r, n) => {
    const i = b.reserve();
    setU64FromNumber(b.seq32, i, r.seq ?? n + 1);
    setU64FromNumber(b.ts32, i, 1_000_000 * (n + 1));
    b.setValid('ts_ns', i);
    b.vm[i] = r.vm ?? 0;
    b.tid[i] = 100 + (r.vcpu ?? 0);
    if (r.vcpu !== null) { b.vcpu[i] = r.vcpu ?? 0; b.setValid('vcpu', i); }
    b.space[i] = r.space === 'sysreg' ? SPACE_SYSREG : SPACE_MMIO;
    b.op[i] = r.op === 'R' ? OP_READ : OP_WRITE;
    setU64FromNumber(b.addr32, i, r.addr);
    b.setValid('addr', i);
    b.len[i] = r.len ?? 4;
    b.setValid('len', i);
    if (r.value !== null && r.value !== undefined) {
      b.value32[2 * i] = r.value >>> 0;
      b.value32[2 * i + 1] = (r.hi ?? 0) >>> 0;
      b.setValid('value', i);
    }
  });
  return b;
}

export function irq(seq: number, irqNum: number, level: boolean, vcpu = 0, vm = 0): IrqEventRow {
  return { seq, ts_ns: null, host_cpu: null, tid: 0, vm, vcpu, irq: irqNum, level, source: 0 };
}

export function qemuVirtLayout(vm = 'vm', gicVersion: 2 | 3 = 3, nrVcpus = 2): VmLayout {
  return {
    vm, vmm: 'qemu', platform: 'qemu-virt', gicVersion, source: 'test',
    blocks: platformById('qemu-virt')!.blocks({ gicVersion, nrVcpus, its: true }),
  };
}

