/**
 * A counting table (NumberTable) that goes to disk past a size: its pairs are written sorted as a
 * run to a spill file and the table starts empty, so a trace of millions of VMs holds at most
 * `maxEntries` in memory (one (VM, page) entry per VM of pid_max VMs was 0.1 GB). At the end the
 * runs and what is left are merged, equal keys combined by `merge`, into the one sorted array the
 * summary carries, built without the table beside it, or streamed chunk by chunk (stream()).
 */
import { newArray } from './page-arrays.ts';
import { NumberTable } from './number-table.ts';
import { SpilledTable, type SpillRuns } from './spill-runs.ts';

/** Pairs read from a run at a time during the merge (and per chunk of the merge's output). */
const READ_PAIRS = 8192;

export class SpilledPairs extends SpilledTable<Float64Array> {
  private table = new NumberTable();
  private scratch: Float64Array | null = null;

  /** merge(a, b): the value of a key counted a in one run and b in another (both ≥ 0). */
  constructor(private readonly merge: (a: number, b: number) => number, private readonly maxEntries: number, spillDir?: string) {
    super(2, spillDir);
  }

  /** Entries in memory now. */
  get size(): number {
    return this.table.size;
  }

  /** The value for `key` counted since the last run was written, or -1. */
  get(key: number): number {
    return this.table.get(key);
  }

  set(key: number, value: number): void {
    this.table.set(key, value);
    if (this.table.size >= this.maxEntries) this.spill();
  }

  /** [key, value] pairs sorted by key, each key once; the table is empty afterwards (shared: a summary carries it across threads). */
  sortedPairs(): Float64Array {
    return this.whole((c) => c.length, (n) => newArray(Float64Array, n, true), (out, c, at) => out.set(c, at));
  }

  protected writeRun(): void {
    // the table and the sorted run's array are kept for the next run: allocated once, not per run
    // (memory freed and allocated again per run stayed in the process, fragmented)
    this.scratch ??= newArray(Float64Array, 2 * this.maxEntries);
    const pairs = this.table.sortedPairs(this.scratch);
    this.table.clear();
    if (pairs.length === 0) return;
    this.runs.begin();
    this.runs.append(pairs, pairs.length / 2);
  }

  protected appendChunk(into: SpillRuns, chunk: Float64Array): void {
    into.append(chunk, chunk.length / 2);
  }

  protected override dropRuns(): void {
    super.dropRuns();
    this.scratch = null;
  }

  protected takeTable(): Float64Array {
    const out = this.table.sortedPairs();
    this.table = new NumberTable();
    return out;
  }

  /** K-way merge of the runs: each key once, in order, with its merged value, READ_PAIRS pairs a chunk. */
  protected *mergeChunks(): Generator<Float64Array> {
    const rs = this.runs.readers(READ_PAIRS);
    let out = new Float64Array(READ_PAIRS * 2);
    let n = 0;
    for (;;) {
      let key = Infinity;
      for (const r of rs) if (r.more) key = Math.min(key, r.buf[r.pos * 2]!);
      if (key === Infinity) break;
      let value = -1;
      for (const r of rs) {
        if (!r.more || r.buf[r.pos * 2] !== key) continue;
        const v = r.buf[r.pos * 2 + 1]!;
        value = value < 0 ? v : this.merge(value, v);
        r.advance();
      }
      out[n * 2] = key;
      out[n * 2 + 1] = value;
      if (++n === READ_PAIRS) {
        yield out;
        out = new Float64Array(READ_PAIRS * 2);
        n = 0;
      }
    }
    if (n > 0) yield out.subarray(0, n * 2);
  }
}
