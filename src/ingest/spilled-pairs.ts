/**
 * A counting table (NumberTable) that goes to disk past a size: its pairs are written sorted as a
 * run to a spill file and the table starts empty, so a trace of millions of VMs holds at most
 * `maxEntries` in memory (one (VM, page) entry per VM of pid_max VMs was 0.1 GB). At the end the
 * runs and what is left are merged, equal keys combined by `merge`, into the one sorted array the
 * summary carries, built without the table beside it.
 */
import { NumberTable } from './number-table.ts';
import { SpillFile } from './spill-file.ts';

/** Pairs read from a run at a time during the merge. */
const READ_PAIRS = 8192;
/** Runs kept before they are merged into one (each holds a 128 KiB buffer while merged). */
const MAX_RUNS = 32;

interface Run {
  /** Word offset in the file, and pairs. */
  at: number;
  n: number;
}

export class SpilledPairs {
  private table = new NumberTable();
  private file: SpillFile | null = null;
  private readonly runs: Run[] = [];
  private scratch: Float64Array | null = null;

  /** merge(a, b): the value of a key counted a in one run and b in another (both ≥ 0). */
  constructor(private readonly merge: (a: number, b: number) => number, private readonly maxEntries: number,
    private readonly spillDir?: string) {}

  /** Entries in memory now. */
  get size(): number {
    return this.table.size;
  }

  /** Runs written so far (tests). */
  get runCount(): number {
    return this.runs.length;
  }

  /** The value for `key` counted since the last run was written, or -1. */
  get(key: number): number {
    return this.table.get(key);
  }

  set(key: number, value: number): void {
    this.table.set(key, value);
    if (this.table.size >= this.maxEntries) this.spill();
  }

  private spill(): void {
    // the table and the sorted run's array are kept for the next run: allocated once, not per run
    // (memory freed and allocated again per run stayed in the process, fragmented)
    this.scratch ??= new Float64Array(2 * this.maxEntries);
    const pairs = this.table.sortedPairs(this.scratch);
    this.table.clear();
    if (pairs.length === 0) return;
    this.file ??= new SpillFile(this.spillDir);
    const words = new Int32Array(pairs.buffer, pairs.byteOffset, pairs.length * 2);
    this.runs.push({ at: this.file.append(words, 0, words.length), n: pairs.length / 2 });
    if (this.runs.length >= MAX_RUNS) this.compact();
  }

  /** Merges every run into one, in a new file. */
  private compact(): void {
    const into = new SpillFile(this.spillDir);
    let total = 0;
    for (const chunk of this.mergeChunks()) {
      into.append(new Int32Array(chunk.buffer, chunk.byteOffset, chunk.length * 2), 0, chunk.length * 2);
      total += chunk.length / 2;
    }
    this.file!.close();
    this.file = into;
    this.runs.length = 0;
    this.runs.push({ at: 0, n: total });
  }

  /** [key, value] pairs sorted by key, each key once; the table is empty afterwards. */
  sortedPairs(): Float64Array {
    if (this.runs.length === 0) return this.takeTable();
    this.spill();
    // two passes over the runs: count, then fill an array of exactly that size
    let n = 0;
    for (const c of this.mergeChunks()) n += c.length;
    const out = new Float64Array(n);
    let at = 0;
    for (const c of this.mergeChunks()) {
      out.set(c, at);
      at += c.length;
    }
    this.file!.close();
    this.file = null;
    this.runs.length = 0;
    this.scratch = null;
    return out;
  }

  /**
   * The pairs sortedPairs() would give, a chunk at a time (each a new array): a million VMs'
   * evidence need not be in memory at once. The table is empty afterwards.
   */
  *stream(): Generator<Float64Array> {
    if (this.runs.length === 0) {
      yield this.takeTable();
      return;
    }
    this.spill();
    try {
      yield* this.mergeChunks();
    } finally {
      this.file?.close();
      this.file = null;
      this.runs.length = 0;
      this.scratch = null;
    }
  }

  private takeTable(): Float64Array {
    const out = this.table.sortedPairs();
    this.table = new NumberTable();
    return out;
  }

  /** K-way merge of the runs: each key once, in order, with its merged value, READ_PAIRS pairs a chunk. */
  private *mergeChunks(): Generator<Float64Array> {
    const file = this.file!;
    const k = this.runs.length;
    const bufs = this.runs.map(() => new Float64Array(READ_PAIRS * 2));
    const next = new Float64Array(k); // the pair index of each run's buffer start
    const pos = new Int32Array(k); // in the buffer, in pairs
    const len = new Int32Array(k); // pairs in the buffer
    const fill = (r: number): void => {
      const run = this.runs[r]!;
      const n = Math.min(READ_PAIRS, run.n - next[r]!);
      if (n > 0) file.read(run.at + next[r]! * 4, n * 4, new Int32Array(bufs[r]!.buffer), 0);
      next[r] = next[r]! + n;
      pos[r] = 0;
      len[r] = n;
    };
    for (let r = 0; r < k; r++) fill(r);
    let out = new Float64Array(READ_PAIRS * 2);
    let n = 0;
    for (;;) {
      let key = Infinity;
      for (let r = 0; r < k; r++) if (pos[r]! < len[r]!) key = Math.min(key, bufs[r]![pos[r]! * 2]!);
      if (key === Infinity) break;
      let value = -1;
      for (let r = 0; r < k; r++) {
        if (pos[r]! >= len[r]! || bufs[r]![pos[r]! * 2] !== key) continue;
        const v = bufs[r]![pos[r]! * 2 + 1]!;
        value = value < 0 ? v : this.merge(value, v);
        if (++pos[r]! === len[r]!) fill(r);
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
