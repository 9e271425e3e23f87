/**
 * IdReadTable past a size goes to disk: its reads are written as a run (sorted by VM, file order
 * within a VM) and a new table starts, so a million booting VMs (5 identification reads each,
 * 0.1 GB) hold at most `maxReads` in memory. At the end the runs are merged VM by VM, earlier runs
 * first, keeping the first read of each address and size and at most maxPerVm, as one table
 * would have.
 */
import { newArray } from './page-arrays.ts';
import { IdReadTable, NO_ID_READ_COLUMNS, type IdReadColumns } from './id-read-table.ts';
import { SpilledTable, type SpillRuns } from './spill-runs.ts';

/** Reads read from a run at a time during the merge; a read is 4 doubles (vm, gpa, len, value). */
const READ_RECORDS = 4096;
const REC = 4;

export class SpilledIdReads extends SpilledTable<IdReadColumns> {
  private readonly table: IdReadTable;
  /** appendChunk()'s record buffer. */
  private recs: Float64Array | null = null;

  constructor(private readonly maxPerVm: number, private readonly maxReads: number, spillDir?: string) {
    super(REC, spillDir);
    this.table = new IdReadTable(maxPerVm);
  }

  /** Reads in memory now. */
  get size(): number {
    return this.table.size;
  }

  add(vm: number, gpa: number, len: number, value: number): void {
    this.table.add(vm, gpa, len, value);
    if (this.table.size >= this.maxReads) this.spill();
  }

  /** The reads as IdReadTable.columns() gives them; the table is empty afterwards (shared: a summary carries them across threads). */
  columns(): IdReadColumns {
    return this.whole((c) => c.vm.length,
      (n) => (n === 0 ? NO_ID_READ_COLUMNS : { vm: newArray(Int32Array, n, true), gpa: newArray(Float64Array, n, true), len: newArray(Uint8Array, n, true), value: newArray(Float64Array, n, true) }),
      (out, c, at) => {
        out.vm.set(c.vm, at);
        out.gpa.set(c.gpa, at);
        out.len.set(c.len, at);
        out.value.set(c.value, at);
      });
  }

  protected writeRun(): void {
    const c = this.table.columns();
    this.table.clear(); // its arrays are kept for the next run (allocated once, not per run)
    if (c.vm.length === 0) return;
    this.runs.begin();
    this.appendChunk(this.runs, c);
  }

  /** Reads as records of 4 doubles (vm, gpa, len, value), through a small buffer. */
  protected appendChunk(into: SpillRuns, c: IdReadColumns): void {
    const buf = (this.recs ??= new Float64Array(READ_RECORDS * REC));
    const n = c.vm.length;
    for (let from = 0; from < n; from += READ_RECORDS) {
      const m = Math.min(READ_RECORDS, n - from);
      for (let i = 0; i < m; i++) {
        buf[i * REC] = c.vm[from + i]!;
        buf[i * REC + 1] = c.gpa[from + i]!;
        buf[i * REC + 2] = c.len[from + i]!;
        buf[i * REC + 3] = c.value[from + i]!;
      }
      into.append(buf, m);
    }
  }

  protected takeTable(): IdReadColumns {
    const c = this.table.columns();
    this.table.clear();
    return c;
  }

  /** Every VM's kept reads in VM order (runs in order within a VM, first of each (gpa, len), at most maxPerVm), READ_RECORDS a chunk. */
  protected *mergeChunks(): Generator<IdReadColumns> {
    const rs = this.runs.readers(READ_RECORDS);
    const chunk = (): IdReadColumns => ({ vm: new Int32Array(READ_RECORDS), gpa: new Float64Array(READ_RECORDS),
      len: new Uint8Array(READ_RECORDS), value: new Float64Array(READ_RECORDS) });
    let out = chunk();
    let n = 0;
    // this VM's kept reads, to drop a later run's repeat of an address and size
    const keptGpa: number[] = [];
    const keptLen: number[] = [];
    for (;;) {
      let vm = Infinity;
      for (const r of rs) if (r.more) vm = Math.min(vm, r.buf[r.pos * REC]!);
      if (vm === Infinity) break;
      keptGpa.length = 0;
      keptLen.length = 0;
      for (const r of rs) {
        while (r.more && r.buf[r.pos * REC] === vm) {
          const o = r.pos * REC;
          const gpa = r.buf[o + 1]!;
          const l = r.buf[o + 2]!;
          let seen = keptGpa.length >= this.maxPerVm;
          for (let j = 0; !seen && j < keptGpa.length; j++) seen = keptGpa[j] === gpa && keptLen[j] === l;
          if (!seen) {
            keptGpa.push(gpa);
            keptLen.push(l);
            out.vm[n] = vm;
            out.gpa[n] = gpa;
            out.len[n] = l;
            out.value[n] = r.buf[o + 3]!;
            if (++n === READ_RECORDS) {
              yield out;
              out = chunk();
              n = 0;
            }
          }
          r.advance();
        }
      }
    }
    if (n > 0) yield { vm: out.vm.subarray(0, n), gpa: out.gpa.subarray(0, n), len: out.len.subarray(0, n), value: out.value.subarray(0, n) };
  }
}
