/**
 * IrqBatch → the packed irq_rows columns (irq-row-layout.ts), on the main thread like
 * access-packer.ts. Reuses its arrays: the appender copies them before the next pack().
 */
import type { IrqBatch } from '../model/irq-batch.ts';
import { AbitraceError, E } from '../errors.ts';
import { MAX_PACKED_IMPORT_ID, SEQ_BITS } from './access-row-layout.ts';

export class PackedIrqRows {
  length = 0;
  row_key: BigInt64Array;
  cpus: Uint32Array;
  kind: Uint16Array;
  // the batch's own columns
  ts_ns!: BigInt64Array;
  tid!: Int32Array;
  vm!: Int32Array;
  irq!: Int32Array;
  validity!: Record<'ts_ns', Uint8Array>;
  private key32: Uint32Array;
  private readonly keyHigh: number;

  constructor(importId: number) {
    if (!Number.isInteger(importId) || importId < 0 || importId > MAX_PACKED_IMPORT_ID) {
      throw new AbitraceError(E.DB_SCHEMA, `import id ${importId} does not fit irq_rows.row_key (at most ${MAX_PACKED_IMPORT_ID})`);
    }
    this.keyHigh = importId << (SEQ_BITS - 32);
    this.row_key = new BigInt64Array(0);
    this.key32 = new Uint32Array(0);
    this.cpus = new Uint32Array(0);
    this.kind = new Uint16Array(0);
  }

  /** Packs rows [0, b.length) of `b`; valid until the next pack(). */
  pack(b: IrqBatch): this {
    const n = b.length;
    if (n > this.cpus.length) this.grow(n);
    const key = this.key32;
    const cpus = this.cpus;
    const kind = this.kind;
    const seq = b.seq32;
    const host = b.host_cpu;
    const vcpu = b.vcpu;
    const level = b.level;
    const source = b.source;
    const vHost = b.validity.host_cpu;
    const kh = this.keyHigh;
    for (let i = 0; i < n; i++) {
      const lo = 2 * i;
      const seqHi = seq[lo + 1]!;
      if (seqHi > 0xff) throw new AbitraceError(E.DB_SCHEMA, `row ${seq[lo]! + seqHi * 4294967296} of one file: beyond irq_rows' ${SEQ_BITS}-bit seq`);
      key[lo] = seq[lo]!;
      key[lo + 1] = kh | seqHi;
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

  private grow(n: number): void {
    this.row_key = new BigInt64Array(n);
    this.key32 = new Uint32Array(this.row_key.buffer);
    this.cpus = new Uint32Array(n);
    this.kind = new Uint16Array(n);
  }
}
