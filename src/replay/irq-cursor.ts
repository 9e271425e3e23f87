/**
 * The replay's walk over host interrupt injections: IrqBatches in seq order, one cursor, applied
 * to their VM's run just before the first access with a larger seq. Columnar, like the accesses:
 * millions of timer ticks cost no object each, and the hot loop compares one number per access
 * (`next`, Infinity once every event is applied).
 */
import { IrqBatch, type IrqEventRow } from '../model/irq-batch.ts';
import type { TsSource, VmRun } from './vm-run.ts';
import { getI64 } from '../model/access-batch.ts';

export class IrqCursor implements TsSource {
  /** seq of the next event to apply; Infinity when none is left. */
  next = Infinity;
  private readonly batches: readonly IrqBatch[];
  private bi = 0;
  private i = 0;
  private cur: IrqBatch | null = null;

  /** `irqs`: batches (as loaded or parsed) or event objects (tests); put in seq order if they are not. */
  constructor(irqs: readonly IrqEventRow[] | readonly IrqBatch[]) {
    this.batches = inSeqOrder(irqs);
    this.bi = -1;
    this.nextBatch();
  }

  private nextBatch(): void {
    do this.bi++; while (this.bi < this.batches.length && this.batches[this.bi]!.length === 0);
    this.i = 0;
    this.cur = this.batches[this.bi] ?? null;
    this.next = this.cur === null ? Infinity : seqAt(this.cur, 0);
  }

  /** Exact timestamp of the event being applied (TsSource: read only when a report needs it). */
  exactTs(): bigint | null {
    const b = this.cur;
    if (b === null) return null;
    const i = this.i;
    return (b.validity.ts_ns[i >>> 3]! & (1 << (i & 7))) !== 0 ? getI64(b.ts32, i) : null;
  }

  /** Applies the next event to its VM's run (if that VM is replayed) and moves on. */
  applyNext(runs: readonly (VmRun | undefined)[]): void {
    const b = this.cur;
    if (b === null) return;
    const i = this.i;
    const run = runs[b.vm[i]!];
    if (run !== undefined) {
      run.applyIrq(b.vcpu[i]!, b.irq[i]!, b.level[i]! !== 0, this.next, this);
    }
    if (i + 1 < b.length) {
      this.i = i + 1;
      this.next = seqAt(b, i + 1);
    } else {
      this.nextBatch();
    }
  }

  /** Applies every event with seq < `seq`. */
  applyBefore(seq: number, runs: readonly (VmRun | undefined)[]): void {
    while (this.next < seq) this.applyNext(runs);
  }

  /** Applies whatever is left. */
  applyRest(runs: readonly (VmRun | undefined)[]): void {
    while (this.cur !== null) this.applyNext(runs);
  }
}

function seqAt(b: IrqBatch, i: number): number {
  return b.seq32[2 * i + 1]! * 4294967296 + b.seq32[2 * i]!;
}

/** The events as batches in seq order: as given when already sorted (loaded and parsed ones are), else a stable sort. */
function inSeqOrder(irqs: readonly IrqEventRow[] | readonly IrqBatch[]): readonly IrqBatch[] {
  if (irqs.length === 0) return [];
  if (irqs[0] instanceof IrqBatch) {
    const batches = irqs as readonly IrqBatch[];
    let last = -Infinity;
    let sorted = true;
    for (const b of batches) {
      for (let i = 0; i < b.length && sorted; i++) {
        const s = seqAt(b, i);
        if (s < last) sorted = false;
        last = s;
      }
    }
    if (sorted) return batches;
    const rows: IrqEventRow[] = [];
    for (const b of batches) for (let i = 0; i < b.length; i++) rows.push(b.row(i));
    return IrqBatch.fromRows(rows.sort((a, b) => a.seq - b.seq));
  }
  return IrqBatch.fromRows([...(irqs as readonly IrqEventRow[])].sort((a, b) => a.seq - b.seq));
}
