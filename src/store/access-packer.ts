/**
 * AccessBatch → the packed access_rows columns (access-row-layout.ts), on the DuckDB side of the
 * import: the batch keeps its 15 columns for Arrow and the replayer; DuckDB gets 10. Packing runs
 * on the main thread (a few ns a row), not in the parse worker, which is the import's critical
 * path. Reuses its arrays: the appender copies them into DuckDB before the next pack().
 */
import type { AccessBatch } from '../model/access-batch.ts';
import { AbitraceError, E } from '../errors.ts';
import { KIND_LEN_SHIFT, KIND_SOURCE_SHIFT, KIND_SPACE_SHIFT, MAX_PACKED_IMPORT_ID, SEQ_BITS } from './access-row-layout.ts';

export type PackedValidity = 'ts_ns' | 'addr' | 'value' | 'pc' | 'imm';

export class PackedAccessRows {
  length = 0;
  row_key: BigInt64Array;
  cpus: Uint32Array;
  kind: Uint32Array;
  // the batch's own columns
  ts_ns!: BigInt64Array;
  tid!: Int32Array;
  vm!: Int32Array;
  addr!: BigUint64Array;
  value!: BigUint64Array;
  pc!: BigUint64Array;
  imm!: Uint32Array;
  validity!: Record<PackedValidity, Uint8Array>;
  private key32: Uint32Array;
  /** import_id in row_key's high word, above seq's top 8 bits. */
  private readonly keyHigh: number;

  constructor(importId: number) {
    if (!Number.isInteger(importId) || importId < 0 || importId > MAX_PACKED_IMPORT_ID) {
      throw new AbitraceError(E.DB_SCHEMA, `import id ${importId} does not fit access_rows.row_key (at most ${MAX_PACKED_IMPORT_ID})`);
    }
    this.keyHigh = importId << (SEQ_BITS - 32);
    this.row_key = new BigInt64Array(0);
    this.key32 = new Uint32Array(0);
    this.cpus = new Uint32Array(0);
    this.kind = new Uint32Array(0);
  }

  /** Packs rows [0, b.length) of `b`; valid until the next pack(). */
  pack(b: AccessBatch): this {
    const n = b.length;
    if (n > this.cpus.length) this.grow(n);
    const key = this.key32;
    const cpus = this.cpus;
    const kind = this.kind;
    const seq = b.seq32;
    const host = b.host_cpu;
    const vcpu = b.vcpu;
    const source = b.source;
    const space = b.space;
    const op = b.op;
    const len = b.len;
    const vHost = b.validity.host_cpu;
    const vVcpu = b.validity.vcpu;
    const vLen = b.validity.len;
    const kh = this.keyHigh;
    for (let i = 0; i < n; i++) {
      const lo = 2 * i;
      const seqHi = seq[lo + 1]!;
      if (seqHi > 0xff) throw new AbitraceError(E.DB_SCHEMA, `row ${seq[lo]! + seqHi * 4294967296} of one file: beyond access_rows' ${SEQ_BITS}-bit seq`);
      key[lo] = seq[lo]!;
      key[lo + 1] = kh | seqHi;
      const byte = i >>> 3;
      const bit = 1 << (i & 7);
      const h = (vHost[byte]! & bit) !== 0 ? (host[i]! & 0xffff) + 1 : 0;
      const v = (vVcpu[byte]! & bit) !== 0 ? (vcpu[i]! & 0xffff) + 1 : 0;
      cpus[i] = h | (v << 16);
      const l = (vLen[byte]! & bit) !== 0 ? len[i]! + 1 : 0;
      kind[i] = (op[i]! & 1) | (l << KIND_LEN_SHIFT) | (space[i]! << KIND_SPACE_SHIFT) | (source[i]! << KIND_SOURCE_SHIFT);
    }
    this.length = n;
    this.ts_ns = b.ts_ns;
    this.tid = b.tid;
    this.vm = b.vm;
    this.addr = b.addr;
    this.value = b.value;
    this.pc = b.pc;
    this.imm = b.imm;
    this.validity = b.validity;
    return this;
  }

  private grow(n: number): void {
    this.row_key = new BigInt64Array(n);
    this.key32 = new Uint32Array(this.row_key.buffer);
    this.cpus = new Uint32Array(n);
    this.kind = new Uint32Array(n);
  }
}
