/**
 * AccessBatch → the packed access_rows columns (access-row-layout.ts), on the DuckDB side of the
 * import: the batch keeps its 15 columns for Arrow and the replayer; DuckDB gets 10. Packing runs
 * on the main thread (a few ns a row), not in the parse worker, which is the import's critical
 * path. Reuses its arrays: the appender copies them into DuckDB before the next pack().
 * host_cpu and vcpu are non-negative when present (the row writers keep -1 for "none").
 */
import type { AccessBatch } from '../model/access-batch.ts';
import { KIND_LEN_SHIFT, KIND_SOURCE_SHIFT, KIND_SPACE_SHIFT } from './access-row-layout.ts';
import { RowKeys } from './row-keys.ts';

export type PackedValidity = 'ts_ns' | 'addr' | 'value' | 'pc' | 'imm';

export class PackedAccessRows {
  length = 0;
  row_key = new BigInt64Array(0);
  cpus = new Uint32Array(0);
  kind = new Uint32Array(0);
  // the batch's own columns
  ts_ns!: BigInt64Array;
  tid!: Int32Array;
  vm!: Int32Array;
  addr!: BigUint64Array;
  value!: BigUint64Array;
  pc!: BigUint64Array;
  imm!: Uint32Array;
  validity!: Record<PackedValidity, Uint8Array>;
  private readonly keys: RowKeys;

  constructor(importId: number) {
    this.keys = new RowKeys(importId, 'access_rows');
  }

  /** Packs rows [0, b.length) of `b`; valid until the next pack(). */
  pack(b: AccessBatch): this {
    const n = b.length;
    this.row_key = this.keys.fill(b.seq32, n);
    if (n > this.cpus.length) {
      this.cpus = new Uint32Array(n);
      this.kind = new Uint32Array(n);
    }
    const cpus = this.cpus;
    const kind = this.kind;
    const host = b.host_cpu;
    const vcpu = b.vcpu;
    const source = b.source;
    const space = b.space;
    const op = b.op;
    const len = b.len;
    const vHost = b.validity.host_cpu;
    const vVcpu = b.validity.vcpu;
    const vLen = b.validity.len;
    for (let i = 0; i < n; i++) {
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
}
