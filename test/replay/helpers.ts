/** Building replay inputs in tests: AccessBatches from plain rows, and the bundled QEMU capture. */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { AccessBatch, setU64FromNumber } from '../../src/model/access-batch.ts';
import { OP_READ, OP_WRITE, SPACE_MMIO, SPACE_SYSREG } from '../../src/model/codes.ts';
import type { IrqEventRow } from '../../src/model/irq-batch.ts';
import { platformById } from '../../src/gic/platforms.ts';
import type { VmLayout } from '../../src/gic/layout.ts';

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

const CAPTURE_PATHS = [
  new URL('../../traces/qemu-virt-gicv3-linux6.1-smp2/trace.log.gz', import.meta.url).pathname,
  '/work/shared/traces/qemu-virt-gicv3-linux6.1-smp2/trace.log.gz',
];

export function capturePath(): string | null {
  return CAPTURE_PATHS.find((p) => existsSync(p)) ?? null;
}

/**
 * A tiny reader for the QEMU capture's `memory_region_ops_read|write` lines (tracepoints.md §7):
 * enough to replay it without the full ingest pipeline.
 */
export function readQemuCapture(path: string): Row[] {
  const text = gunzipSync(readFileSync(path)).toString('latin1');
  const re = /memory_region_ops_(read|write) cpu (\d+) mr 0x[0-9a-f]+ addr 0x([0-9a-f]+) value 0x([0-9a-f]+) size (\d+)/;
  const rows: Row[] = [];
  let line = 0;
  for (const l of text.split('\n')) {
    line++;
    const m = re.exec(l);
    if (!m) continue;
    const value = BigInt(`0x${m[4]}`);
    rows.push({
      seq: line, op: m[1] === 'read' ? 'R' : 'W', vcpu: Number(m[2]), addr: parseInt(m[3]!, 16), len: Number(m[5]),
      value: Number(value & 0xffffffffn), hi: Number(value >> 32n),
    });
  }
  return rows;
}
