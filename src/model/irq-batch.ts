/**
 * Host-side interrupt injections (`vgic_update_irq_pending`, tracepoints.md §2.9): not guest
 * register accesses, but the replayer applies them in order to decide how an interrupt would be
 * signalled. They fire on every timer tick of every vCPU and on every device interrupt — in host
 * traces as often as MMIO — so they travel like accesses: a columnar `IrqBatch` of typed arrays,
 * filled without per-event allocation, transferred between threads and memcpy'd into DuckDB
 * (`irq_rows`), with the same conventions as AccessBatch (u32 lo/hi views of the 64-bit columns,
 * validity bitmaps in whole u64 words, `vm`/`source` as dictionary codes).
 *
 * `IrqEventRow` is the one-object-per-event form, for tests and small hand-made inputs only.
 */
import { transferList, zeroBuffers } from './batch-buffers.ts';
import { DEFAULT_BATCH_ROWS } from './access-batch.ts';

export interface IrqEventRow {
  seq: number;
  ts_ns: bigint | null;
  host_cpu: number | null;
  tid: number;
  vm: number; // dictionary code, as AccessBatch.vm
  vcpu: number; // the event's own VCPU field
  irq: number;
  level: boolean;
  source: number; // dictionary code of the event name
}

export const IRQ_NULLABLE_COLUMNS = ['ts_ns', 'host_cpu'] as const;
export type IrqNullableColumn = (typeof IRQ_NULLABLE_COLUMNS)[number];

export interface IrqBatchBuffers {
  capacity: number;
  length: number;
  seq: BigInt64Array;
  ts_ns: BigInt64Array;
  host_cpu: Int16Array;
  tid: Int32Array;
  vm: Int32Array;
  vcpu: Int16Array;
  irq: Int32Array;
  /** 0 or 1 (DuckDB's BOOLEAN is one byte). */
  level: Uint8Array;
  source: Uint8Array;
  validity: Record<IrqNullableColumn, Uint8Array>;
}

export class IrqBatch implements IrqBatchBuffers {
  readonly capacity: number;
  length = 0;
  readonly seq: BigInt64Array;
  readonly ts_ns: BigInt64Array;
  readonly host_cpu: Int16Array;
  readonly tid: Int32Array;
  readonly vm: Int32Array;
  readonly vcpu: Int16Array;
  readonly irq: Int32Array;
  readonly level: Uint8Array;
  readonly source: Uint8Array;
  readonly validity: Record<IrqNullableColumn, Uint8Array>;
  // u32 lo/hi views of the 64-bit columns, for writers and the replay loop.
  readonly seq32: Uint32Array;
  readonly ts32: Uint32Array;

  constructor(capacity = DEFAULT_BATCH_ROWS, from?: IrqBatchBuffers) {
    this.capacity = capacity;
    if (from) {
      this.length = from.length;
      this.seq = from.seq;
      this.ts_ns = from.ts_ns;
      this.host_cpu = from.host_cpu;
      this.tid = from.tid;
      this.vm = from.vm;
      this.vcpu = from.vcpu;
      this.irq = from.irq;
      this.level = from.level;
      this.source = from.source;
      this.validity = from.validity;
    } else {
      this.seq = new BigInt64Array(capacity);
      this.ts_ns = new BigInt64Array(capacity);
      this.host_cpu = new Int16Array(capacity);
      this.tid = new Int32Array(capacity);
      this.vm = new Int32Array(capacity);
      this.vcpu = new Int16Array(capacity);
      this.irq = new Int32Array(capacity);
      this.level = new Uint8Array(capacity);
      this.source = new Uint8Array(capacity);
      const bytes = Math.ceil(capacity / 64) * 8; // whole u64 words, as DuckDB's validity masks
      this.validity = { ts_ns: new Uint8Array(bytes), host_cpu: new Uint8Array(bytes) };
    }
    this.seq32 = new Uint32Array(this.seq.buffer, this.seq.byteOffset, this.capacity * 2);
    this.ts32 = new Uint32Array(this.ts_ns.buffer, this.ts_ns.byteOffset, this.capacity * 2);
  }

  get full(): boolean {
    return this.length >= this.capacity;
  }

  isValid(column: IrqNullableColumn, i: number): boolean {
    return (this.validity[column][i >>> 3]! & (1 << (i & 7))) !== 0;
  }

  /** Zeroes every column and bitmap, as in a new batch (for reuse). */
  clear(): void {
    this.length = 0;
    zeroBuffers(this.columns(), this.bitmaps());
  }

  /** The ArrayBuffers to list in a postMessage transfer list. */
  transferables(): ArrayBuffer[] {
    return transferList(this.columns(), this.bitmaps());
  }

  private bitmaps(): Uint8Array[] {
    return IRQ_NULLABLE_COLUMNS.map((k) => this.validity[k]);
  }

  private columns(): ArrayBufferView[] {
    return [this.seq, this.ts_ns, this.host_cpu, this.tid, this.vm, this.vcpu, this.irq, this.level, this.source];
  }

  /** Plain-object form for postMessage (structured clone keeps the typed arrays). */
  toBuffers(): IrqBatchBuffers {
    return {
      capacity: this.capacity, length: this.length, seq: this.seq, ts_ns: this.ts_ns, host_cpu: this.host_cpu, tid: this.tid,
      vm: this.vm, vcpu: this.vcpu, irq: this.irq, level: this.level, source: this.source, validity: this.validity,
    };
  }

  static fromBuffers(b: IrqBatchBuffers): IrqBatch {
    return new IrqBatch(b.capacity, b);
  }

  /** Appends one event given as an object (tests, small inputs); returns false when full. */
  push(r: IrqEventRow): boolean {
    if (this.length >= this.capacity) return false;
    const i = this.length++;
    const bit = 1 << (i & 7);
    const byte = i >>> 3;
    this.seq[i] = BigInt(r.seq);
    if (r.ts_ns !== null) {
      this.ts_ns[i] = r.ts_ns;
      this.validity.ts_ns[byte]! |= bit;
    } else {
      this.ts_ns[i] = 0n;
      this.validity.ts_ns[byte]! &= ~bit;
    }
    if (r.host_cpu !== null) {
      this.host_cpu[i] = r.host_cpu;
      this.validity.host_cpu[byte]! |= bit;
    } else {
      this.host_cpu[i] = 0;
      this.validity.host_cpu[byte]! &= ~bit;
    }
    this.tid[i] = r.tid;
    this.vm[i] = r.vm;
    this.vcpu[i] = r.vcpu;
    this.irq[i] = r.irq;
    this.level[i] = r.level ? 1 : 0;
    this.source[i] = r.source;
    return true;
  }

  /** Row i as an object (tests, golden renderings; not for loops over many rows). */
  row(i: number): IrqEventRow {
    return {
      seq: this.seq32[2 * i + 1]! * 4294967296 + this.seq32[2 * i]!,
      ts_ns: this.isValid('ts_ns', i) ? this.ts_ns[i]! : null,
      host_cpu: this.isValid('host_cpu', i) ? this.host_cpu[i]! : null,
      tid: this.tid[i]!,
      vm: this.vm[i]!,
      vcpu: this.vcpu[i]!,
      irq: this.irq[i]!,
      level: this.level[i]! !== 0,
      source: this.source[i]!,
    };
  }

  /** Batches holding `rows` in order. */
  static fromRows(rows: readonly IrqEventRow[], capacity = DEFAULT_BATCH_ROWS): IrqBatch[] {
    const out: IrqBatch[] = [];
    let cur: IrqBatch | null = null;
    for (const r of rows) {
      if (cur === null || !cur.push(r)) {
        cur = new IrqBatch(Math.max(1, Math.min(capacity, rows.length)));
        out.push(cur);
        cur.push(r);
      }
    }
    return out;
  }
}

/** Every row of `batches` as objects, in order (tests and renderings). */
export function irqRowsOf(batches: readonly IrqBatch[]): IrqEventRow[] {
  const out: IrqEventRow[] = [];
  for (const b of batches) for (let i = 0; i < b.length; i++) out.push(b.row(i));
  return out;
}
