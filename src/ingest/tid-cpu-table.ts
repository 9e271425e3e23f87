/**
 * tid → host CPU + 2 (1..32769: a perf line without a CPU column has CPU -1) of the threads whose
 * packed state on disk is open (ThreadSpill):
 * two bytes per pid in one array of pid_max entries, any other tid in a NumberTable beside it.
 * pid_max threads mid-read took 16 MiB in a NumberTable; this takes 8, and a trace of a few
 * high pids only the pages they fall in (the array's pages are mapped as touched: page-arrays.ts).
 */
import { NumberTable } from './number-table.ts';
import { newArray, PID_LIMIT } from './page-arrays.ts';

export class TidCpuTable {
  private dense: Uint16Array | null = null;
  private readonly other = new NumberTable(true, false);
  /** Entries in `dense`, and one past the highest tid ever set there (forEach's scan). */
  private denseCount = 0;
  private denseEnd = 0;

  get size(): number {
    return this.denseCount + this.other.size;
  }

  /** Sets `tid`'s CPU + 2 (non-zero, 16 bits). */
  set(tid: number, cpu2: number): void {
    if (tid < 0 || tid >= PID_LIMIT) {
      this.other.set(tid, cpu2);
      return;
    }
    const d = (this.dense ??= newArray(Uint16Array, PID_LIMIT));
    if (d[tid] === 0) this.denseCount++;
    d[tid] = cpu2;
    if (tid >= this.denseEnd) this.denseEnd = tid + 1;
  }

  delete(tid: number): void {
    if (tid < 0 || tid >= PID_LIMIT) {
      this.other.delete(tid);
      return;
    }
    const d = this.dense;
    if (d === null || d[tid] === 0) return;
    d[tid] = 0;
    this.denseCount--;
  }

  /** Calls fn(tid, cpu + 2) for every entry (the table must not change meanwhile). */
  forEach(fn: (tid: number, cpu2: number) => void): void {
    const d = this.dense;
    if (d !== null && this.denseCount > 0) {
      for (let tid = 0; tid < this.denseEnd; tid++) if (d[tid] !== 0) fn(tid, d[tid]!);
    }
    this.other.forEach(fn);
  }
}
