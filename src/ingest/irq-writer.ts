/**
 * Appends `vgic_update_irq_pending` events to the current IrqBatch through the u32 lo/hi views
 * and hands each full batch to `onFull` — RowWriter's contract for irq events: a fresh batch
 * follows every hand-off (newly allocated, or one the consumer gave back with `reuse`, zeroed),
 * so validity bits and high words are only written when set. No allocation per event.
 */
import { IrqBatch } from '../model/irq-batch.ts';
import { BatchPool } from './batch-pool.ts';

/** Batches given back on this thread (batch-pool.ts). */
const SPARE = new BatchPool<IrqBatch>(3);

const TWO32 = 4294967296;

export class IrqWriter {
  private batch!: IrqBatch;
  private seq32!: Uint32Array;
  private ts32!: Uint32Array;
  private hostCpu!: Int16Array;
  private tid!: Int32Array;
  private vm!: Int32Array;
  private vcpu!: Int16Array;
  private irq!: Int32Array;
  private level!: Uint8Array;
  private source!: Uint8Array;
  private vTs!: Uint8Array;
  private vHostCpu!: Uint8Array;
  private n = 0;

  constructor(
    private readonly capacity: number,
    private readonly onFull: (batch: IrqBatch) => void,
  ) {}

  /** Whether a batch is there to write into: taken at the first event after a hand-off (RowWriter's reason). */
  private ready = false;

  /** A batch the consumer is done with; used for a later hand-off, by this writer or the next one on this thread. */
  reuse(b: IrqBatch): void {
    SPARE.give(b);
  }

  private fresh(): void {
    this.ready = true;
    const b = SPARE.next(this.capacity, (c) => new IrqBatch(c));
    this.batch = b;
    this.seq32 = b.seq32;
    this.ts32 = b.ts32;
    this.hostCpu = b.host_cpu;
    this.tid = b.tid;
    this.vm = b.vm;
    this.vcpu = b.vcpu;
    this.irq = b.irq;
    this.level = b.level;
    this.source = b.source;
    this.vTs = b.validity.ts_ns;
    this.vHostCpu = b.validity.host_cpu;
    this.n = 0;
  }

  get rows(): number {
    return this.n;
  }

  /** One event. `tsValid` false and `hostCpu` < 0 leave those columns NULL. */
  add(seq: number, tsValid: boolean, tsLo: number, tsHi: number, hostCpu: number, tid: number, vm: number,
    vcpu: number, irq: number, level: boolean, source: number): void {
    if (!this.ready) this.fresh();
    const i = this.n;
    const byte = i >>> 3;
    const bit = 1 << (i & 7);
    this.seq32[2 * i] = seq >>> 0;
    if (seq >= TWO32) this.seq32[2 * i + 1] = (seq / TWO32) >>> 0; // a fresh batch is zeroed
    if (tsValid) {
      this.ts32[2 * i] = tsLo;
      this.ts32[2 * i + 1] = tsHi;
      this.vTs[byte]! |= bit;
    }
    if (hostCpu >= 0) {
      this.hostCpu[i] = hostCpu;
      this.vHostCpu[byte]! |= bit;
    }
    this.tid[i] = tid;
    this.vm[i] = vm;
    this.vcpu[i] = vcpu;
    this.irq[i] = irq;
    if (level) this.level[i] = 1;
    this.source[i] = source;
    this.n = i + 1;
    if (i + 1 === this.capacity) this.flush();
  }

  /** Hands off the current batch if it has rows. */
  flush(): void {
    if (this.n === 0) return;
    const b = this.batch;
    b.length = this.n;
    this.ready = false;
    this.n = 0;
    this.onFull(b);
  }
}
