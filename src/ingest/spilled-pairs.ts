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
    const pairs = this.table.sortedPairs();
    this.table = new NumberTable();
    if (pairs.length === 0) return;
    this.file ??= new SpillFile(this.spillDir);
    const words = new Int32Array(pairs.buffer, pairs.byteOffset, pairs.length * 2);
    this.runs.push({ at: this.file.append(words, 0, words.length), n: pairs.length / 2 });
    if (this.runs.length >= MAX_RUNS) this.compact();
  }

  /** Merges every run into one, in a new file. */
  private compact(): void {
    const into = new SpillFile(this.spillDir);
    const buf = new Float64Array(READ_PAIRS * 2);
    const words = new Int32Array(buf.buffer);
    let n = 0;
    let total = 0;
    const at = into.words;
    this.mergeRuns((key, value) => {
      buf[n * 2] = key;
      buf[n * 2 + 1] = value;
      if (++n === READ_PAIRS) {
        into.append(words, 0, n * 4);
        total += n;
        n = 0;
      }
    });
    into.append(words, 0, n * 4);
    total += n;
    this.file!.close();
    this.file = into;
    this.runs.length = 0;
    this.runs.push({ at, n: total });
  }

  /** [key, value] pairs sorted by key, each key once; the table is empty afterwards. */
  sortedPairs(): Float64Array {
    if (this.runs.length === 0) {
      const out = this.table.sortedPairs();
      this.table = new NumberTable();
      return out;
    }
    this.spill();
    // two passes over the runs: count the distinct keys, then fill an array of exactly that size
    let distinct = 0;
    this.mergeRuns(() => distinct++);
    const out = new Float64Array(distinct * 2);
    let i = 0;
    this.mergeRuns((key, value) => {
      out[i++] = key;
      out[i++] = value;
    });
    this.file!.close();
    this.file = null;
    this.runs.length = 0;
    return out;
  }

  /** K-way merge of the runs: `emit` gets each key once, in order, with its merged value. */
  private mergeRuns(emit: (key: number, value: number) => void): void {
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
    for (;;) {
      let key = Infinity;
      for (let r = 0; r < k; r++) if (pos[r]! < len[r]!) key = Math.min(key, bufs[r]![pos[r]! * 2]!);
      if (key === Infinity) return;
      let value = -1;
      for (let r = 0; r < k; r++) {
        if (pos[r]! >= len[r]! || bufs[r]![pos[r]! * 2] !== key) continue;
        const v = bufs[r]![pos[r]! * 2 + 1]!;
        value = value < 0 ? v : this.merge(value, v);
        if (++pos[r]! === len[r]!) fill(r);
      }
      emit(key, value);
    }
  }
}
