/**
 * A columnar batch of guest register accesses: the one in-memory shape shared by the parsers,
 * the Arrow writer, the DuckDB appender and the replayer. Columns are typed arrays so a batch
 * can be transferred between threads, wrapped by Arrow without copying, and memcpy'd into
 * DuckDB vectors.
 *
 * 64-bit columns (seq, ts_ns, addr, value, pc) are BigInt64/BigUint64 arrays for the consumers,
 * with Uint32 lo/hi views (`*32`, index 2*i = low word, 2*i+1 = high word, little-endian) for the
 * writers: the hot loops never create a BigInt.
 *
 * Nullable columns carry an Arrow/DuckDB-compatible validity bitmap (bit i set = row i valid,
 * LSB first). `reserve()` clears the row's validity bits; writers call `setValid*` for present
 * values. `vm` and `source` are codes into dictionaries owned by the producer (see
 * `Dictionaries` in `src/model/dictionary.ts`); the codes are stable for a whole import.
 */
import { transferList, zeroBuffers } from './batch-buffers.ts';

export const DEFAULT_BATCH_ROWS = 65536;

export const NULLABLE_COLUMNS = ['ts_ns', 'host_cpu', 'vcpu', 'addr', 'len', 'value', 'pc', 'imm'] as const;
export type NullableColumn = (typeof NULLABLE_COLUMNS)[number];

export interface AccessBatchBuffers {
  capacity: number;
  length: number;
  seq: BigInt64Array;
  ts_ns: BigInt64Array;
  host_cpu: Int16Array;
  tid: Int32Array;
  vm: Int32Array;
  vcpu: Int16Array;
  source: Uint8Array;
  space: Uint8Array;
  op: Uint8Array;
  addr: BigUint64Array;
  len: Uint8Array;
  value: BigUint64Array;
  pc: BigUint64Array;
  imm: Uint32Array;
  validity: Record<NullableColumn, Uint8Array>;
}

export class AccessBatch implements AccessBatchBuffers {
  readonly capacity: number;
  length = 0;
  readonly seq: BigInt64Array;
  readonly ts_ns: BigInt64Array;
  readonly host_cpu: Int16Array;
  readonly tid: Int32Array;
  readonly vm: Int32Array;
  readonly vcpu: Int16Array;
  readonly source: Uint8Array;
  readonly space: Uint8Array;
  readonly op: Uint8Array;
  readonly addr: BigUint64Array;
  readonly len: Uint8Array;
  readonly value: BigUint64Array;
  readonly pc: BigUint64Array;
  readonly imm: Uint32Array;
  readonly validity: Record<NullableColumn, Uint8Array>;
  // u32 lo/hi views of the 64-bit columns, for writers.
  readonly seq32: Uint32Array;
  readonly ts32: Uint32Array;
  readonly addr32: Uint32Array;
  readonly value32: Uint32Array;
  readonly pc32: Uint32Array;

  constructor(capacity = DEFAULT_BATCH_ROWS, from?: AccessBatchBuffers) {
    this.capacity = capacity;
    if (from) {
      this.length = from.length;
      this.seq = from.seq;
      this.ts_ns = from.ts_ns;
      this.host_cpu = from.host_cpu;
      this.tid = from.tid;
      this.vm = from.vm;
      this.vcpu = from.vcpu;
      this.source = from.source;
      this.space = from.space;
      this.op = from.op;
      this.addr = from.addr;
      this.len = from.len;
      this.value = from.value;
      this.pc = from.pc;
      this.imm = from.imm;
      this.validity = from.validity;
    } else {
      this.seq = new BigInt64Array(capacity);
      this.ts_ns = new BigInt64Array(capacity);
      this.host_cpu = new Int16Array(capacity);
      this.tid = new Int32Array(capacity);
      this.vm = new Int32Array(capacity);
      this.vcpu = new Int16Array(capacity);
      this.source = new Uint8Array(capacity);
      this.space = new Uint8Array(capacity);
      this.op = new Uint8Array(capacity);
      this.addr = new BigUint64Array(capacity);
      this.len = new Uint8Array(capacity);
      this.value = new BigUint64Array(capacity);
      this.pc = new BigUint64Array(capacity);
      this.imm = new Uint32Array(capacity);
      const bytes = Math.ceil(capacity / 64) * 8; // whole u64 words, as DuckDB's validity masks
      this.validity = {
        ts_ns: new Uint8Array(bytes),
        host_cpu: new Uint8Array(bytes),
        vcpu: new Uint8Array(bytes),
        addr: new Uint8Array(bytes),
        len: new Uint8Array(bytes),
        value: new Uint8Array(bytes),
        pc: new Uint8Array(bytes),
        imm: new Uint8Array(bytes),
      };
    }
    this.seq32 = new Uint32Array(this.seq.buffer, this.seq.byteOffset, this.capacity * 2);
    this.ts32 = new Uint32Array(this.ts_ns.buffer, this.ts_ns.byteOffset, this.capacity * 2);
    this.addr32 = new Uint32Array(this.addr.buffer, this.addr.byteOffset, this.capacity * 2);
    this.value32 = new Uint32Array(this.value.buffer, this.value.byteOffset, this.capacity * 2);
    this.pc32 = new Uint32Array(this.pc.buffer, this.pc.byteOffset, this.capacity * 2);
  }

  get full(): boolean {
    return this.length >= this.capacity;
  }

  /** Appends an empty row (all nullable columns NULL) and returns its index. */
  reserve(): number {
    const i = this.length++;
    const byte = i >>> 3;
    const clear = ~(1 << (i & 7)) & 0xff;
    const v = this.validity;
    v.ts_ns[byte]! &= clear;
    v.host_cpu[byte]! &= clear;
    v.vcpu[byte]! &= clear;
    v.addr[byte]! &= clear;
    v.len[byte]! &= clear;
    v.value[byte]! &= clear;
    v.pc[byte]! &= clear;
    v.imm[byte]! &= clear;
    return i;
  }

  setValid(column: NullableColumn, i: number): void {
    this.validity[column][i >>> 3]! |= 1 << (i & 7);
  }

  isValid(column: NullableColumn, i: number): boolean {
    return (this.validity[column][i >>> 3]! & (1 << (i & 7))) !== 0;
  }

  /** The ArrayBuffers to list in a postMessage transfer list. */
  transferables(): ArrayBuffer[] {
    return transferList(this.columns(), this.bitmaps());
  }

  /** Zeroes every column and validity bitmap, as in a new batch (for reuse: writers set only non-zero words). */
  clear(): void {
    this.length = 0;
    zeroBuffers(this.columns(), this.bitmaps());
  }

  private bitmaps(): Uint8Array[] {
    return NULLABLE_COLUMNS.map((k) => this.validity[k]);
  }

  private columns(): ArrayBufferView[] {
    return [this.seq, this.ts_ns, this.host_cpu, this.tid, this.vm, this.vcpu, this.source, this.space,
      this.op, this.addr, this.len, this.value, this.pc, this.imm];
  }

  /** Plain-object form for postMessage (structured clone keeps the typed arrays). */
  toBuffers(): AccessBatchBuffers {
    return {
      capacity: this.capacity, length: this.length, seq: this.seq, ts_ns: this.ts_ns, host_cpu: this.host_cpu,
      tid: this.tid, vm: this.vm, vcpu: this.vcpu, source: this.source, space: this.space, op: this.op,
      addr: this.addr, len: this.len, value: this.value, pc: this.pc, imm: this.imm, validity: this.validity,
    };
  }

  static fromBuffers(b: AccessBatchBuffers): AccessBatch {
    return new AccessBatch(b.capacity, b);
  }
}

/** Writes a non-negative integer below 2^53 into a u32 lo/hi view at row i. */
export function setU64FromNumber(view32: Uint32Array, i: number, n: number): void {
  view32[2 * i] = n >>> 0;
  view32[2 * i + 1] = Math.floor(n / 4294967296) >>> 0;
}

/**
 * Reads a u32 lo/hi pair as an exact signed 64-bit BigInt (timestamps beyond 2^53 ns: wall-clock
 * QEMU logs, hosts up for months). Allocates: for cold paths only.
 */
export function getI64(view32: Uint32Array, i: number): bigint {
  return BigInt.asIntN(64, (BigInt(view32[2 * i + 1]!) << 32n) | BigInt(view32[2 * i]!));
}
