/**
 * Sorted runs of fixed-size records of doubles in one spill file, for tables that go to disk past
 * a size (SpilledPairs, SpilledIdReads), and the buffered readers their k-way merges take records
 * from.
 */
import { SpillFile } from './spill-file.ts';

/** Runs kept before a table merges them into one (each holds a read buffer while merged). */
export const MAX_RUNS = 32;

interface Run {
  /** Word offset in the file, and records. */
  at: number;
  n: number;
}

export class SpillRuns {
  private file: SpillFile | null = null;
  private runs: Run[] = [];

  /** recordDoubles: doubles per record. */
  constructor(private readonly recordDoubles: number, private readonly dir?: string) {}

  get count(): number {
    return this.runs.length;
  }

  /** Appends `n` records from `src` (at least n × recordDoubles doubles) as part of the run begun last. */
  append(src: Float64Array, n: number): void {
    this.file!.append(new Int32Array(src.buffer, src.byteOffset, n * this.recordDoubles * 2), 0, n * this.recordDoubles * 2);
    this.runs[this.runs.length - 1]!.n += n;
  }

  /** Starts a new run (records then come through append()). */
  begin(): void {
    this.file ??= new SpillFile(this.dir);
    this.runs.push({ at: this.file.words, n: 0 });
  }

  /** A reader of each run, in order, `bufferRecords` records at a time. */
  readers(bufferRecords: number): RunReader[] {
    return this.runs.map((r) => new RunReader(this.file!, r.at, r.n, this.recordDoubles, bufferRecords));
  }

  /**
   * Replaces every run by the one `write` produces (a merge of them, written through append()),
   * in a new file: the old one is mostly records merged away.
   */
  compact(write: (into: SpillRuns) => void): void {
    const into = new SpillRuns(this.recordDoubles, this.dir);
    into.begin();
    write(into);
    this.close();
    this.file = into.file;
    this.runs = into.runs;
  }

  /** Drops every run and the file. */
  close(): void {
    this.file?.close();
    this.file = null;
    this.runs = [];
  }
}

/** One run's records through a buffer: `buf` holds records [pos, len) of the current fill. */
export class RunReader {
  readonly buf: Float64Array;
  pos = 0;
  len = 0;
  private next = 0;

  constructor(private readonly file: SpillFile, private readonly at: number, private readonly n: number,
    private readonly recordDoubles: number, private readonly bufferRecords: number) {
    this.buf = new Float64Array(bufferRecords * recordDoubles);
    this.fill();
  }

  /** Whether a record is at `pos`. */
  get more(): boolean {
    return this.pos < this.len;
  }

  /** Moves past the record at `pos`, reading the next buffer when this one is done. */
  advance(): void {
    if (++this.pos === this.len) this.fill();
  }

  private fill(): void {
    const m = Math.min(this.bufferRecords, this.n - this.next);
    const words = this.recordDoubles * 2;
    if (m > 0) this.file.read(this.at + this.next * words, m * words, new Int32Array(this.buf.buffer), 0);
    this.next += m;
    this.pos = 0;
    this.len = m;
  }
}

/**
 * A table that goes to disk past a size, as sorted runs of its records: what SpilledPairs and
 * SpilledIdReads share (writing and compacting runs, streaming or gathering their merge). Chunks
 * `C` are what the merge yields and what the whole table is returned as.
 */
export abstract class SpilledTable<C> {
  protected readonly runs: SpillRuns;

  constructor(recordDoubles: number, spillDir?: string) {
    this.runs = new SpillRuns(recordDoubles, spillDir);
  }

  /** Runs written so far (tests). */
  get runCount(): number {
    return this.runs.count;
  }

  /** Writes the records in memory as a run (none when empty) and empties the table. */
  protected abstract writeRun(): void;
  /** Appends a chunk of the merge to `into`'s current run. */
  protected abstract appendChunk(into: SpillRuns, chunk: C): void;
  /** What is in memory, as one chunk, when no run was written; the table is empty afterwards. */
  protected abstract takeTable(): C;
  /** The k-way merge of the runs, in order, a chunk at a time (each new). */
  protected abstract mergeChunks(): Generator<C>;

  protected spill(): void {
    this.writeRun();
    if (this.runs.count >= MAX_RUNS) this.runs.compact((into) => {
      for (const c of this.mergeChunks()) this.appendChunk(into, c);
    });
  }

  /** Drops the runs and their file (the table has been read out). */
  protected dropRuns(): void {
    this.runs.close();
  }

  /**
   * The whole table a chunk at a time, merged from the runs as it is consumed: a million VMs'
   * evidence need not be in memory at once. The table is empty afterwards.
   */
  *stream(): Generator<C> {
    if (this.runs.count === 0) {
      yield this.takeTable();
      return;
    }
    this.spill();
    try {
      yield* this.mergeChunks();
    } finally {
      this.dropRuns();
    }
  }

  /** The whole table in one chunk of exactly its size (two passes over the runs: count, then fill). */
  protected whole(size: (c: C) => number, make: (n: number) => C, put: (out: C, c: C, at: number) => void): C {
    if (this.runs.count === 0) return this.takeTable();
    this.spill();
    let n = 0;
    for (const c of this.mergeChunks()) n += size(c);
    const out = make(n);
    let at = 0;
    for (const c of this.mergeChunks()) {
      put(out, c, at);
      at += size(c);
    }
    this.dropRuns();
    return out;
  }
}
