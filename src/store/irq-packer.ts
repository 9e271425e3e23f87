/**
 * IrqBatch → the packed irq_rows columns (irq-row-layout.ts), on the main thread like
 * access-packer.ts. Reuses its arrays: the appender copies them before the next pack().
 */
import type { IrqBatch } from '../model/irq-batch.ts';
import { RowKeys } from './row-keys.ts';

export class PackedIrqRows {
  length = 0;
  row_key = new BigInt64Array(0);
  cpus = new Uint32Array(0);
  kind = new Uint16Array(0);
  // the batch's own columns
  ts_ns!: BigInt64Array;
  tid!: Int32Array;
  vm!: Int32Array;
  irq!: Int32Array;
  validity!: Record<'ts_ns', Uint8Array>;
  private readonly keys: RowKeys;

  constructor(importId: number) {
    this.keys = new RowKeys(importId, 'irq_rows');
  }

  /** Packs rows [0, b.length) of `b`; valid until the next pack(). */
  pack(b: IrqBatch): this {
    const n = b.length;
    this.row_key = this.keys.fill(b.seq32, n);
    if (n > this.cpus.length) {
      this.cpus = new Uint32Array(n);
      this.kind = new Uint16Array(n);
    }
    const cpus = this.cpus;
    const kind = this.kind;
    const host = b.host_cpu;
    const vcpu = b.vcpu;
    const level = b.level;
    const source = b.source;
    const vHost = b.validity.host_cpu;
    for (let i = 0; i < n; i++) {
      const h = (vHost[i >>> 3]! & (1 << (i & 7))) !== 0 ? (host[i]! & 0xffff) + 1 : 0;
      cpus[i] = (h | ((vcpu[i]! & 0xffff) << 16)) >>> 0;
      kind[i] = (level[i]! & 1) | (source[i]! << 1);
    }
    this.length = n;
    this.ts_ns = b.ts_ns;
    this.tid = b.tid;
    this.vm = b.vm;
    this.irq = b.irq;
    this.validity = b.validity;
    return this;
  }
}
