/**
 * A hash map from integer keys (exact in a double: |k| < 2^53) to non-negative int32 values, in
 * two typed arrays: linear probing, deletion by backward shift (no tombstones). For tables of
 * millions of entries a JS Map costs ~40 bytes and a boxed key per entry and leaves garbage as
 * entries come and go; this costs 8 or 12 bytes per slot at a load of at most three quarters, and
 * none.
 */
export class NumberTable {
  private keys: Float64Array | Int32Array;
  /** value + 1; 0 = empty slot. */
  private vals = new Int32Array(64);
  private mask = 63;
  private count = 0;

  /** int32Keys: every key is an int32 (a tid, a tgid): 8 bytes per slot instead of 12. */
  constructor(private readonly int32Keys = false) {
    this.keys = int32Keys ? new Int32Array(64) : new Float64Array(64);
  }

  get size(): number {
    return this.count;
  }

  private slotOf(key: number): number {
    // mix the low and high words: keys are tids, or (code << 32) + tid
    const lo = key | 0;
    const hi = (key / 4294967296) | 0;
    return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> 0 & this.mask;
  }

  /** The value for `key`, or -1. */
  get(key: number): number {
    let i = this.slotOf(key);
    for (;;) {
      const v = this.vals[i]!;
      if (v === 0) return -1;
      if (this.keys[i] === key) return v - 1;
      i = (i + 1) & this.mask;
    }
  }

  /** Sets `key` to `value` (≥ 0). Returns true when the key was new. */
  set(key: number, value: number): boolean {
    let i = this.slotOf(key);
    for (;;) {
      const v = this.vals[i]!;
      if (v === 0) break;
      if (this.keys[i] === key) {
        this.vals[i] = value + 1;
        return false;
      }
      i = (i + 1) & this.mask;
    }
    this.keys[i] = key;
    this.vals[i] = value + 1;
    // at most three quarters full: the tables of a host trace's millions of threads and VMs are
    // looked up off the hot path (behind per-line caches), so bytes count more than probes
    if (++this.count * 4 > this.mask * 3) this.grow();
    return true;
  }

  /** Removes `key`; returns its value, or -1 when absent. */
  delete(key: number): number {
    let i = this.slotOf(key);
    for (;;) {
      const v = this.vals[i]!;
      if (v === 0) return -1;
      if (this.keys[i] === key) break;
      i = (i + 1) & this.mask;
    }
    const value = this.vals[i]! - 1;
    // backward shift: move later members of the probe run into the hole when their home allows it
    const mask = this.mask;
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (this.vals[j] === 0) break;
      const home = this.slotOf(this.keys[j]!);
      // j's entry may fill the hole unless its home lies cyclically in (hole, j]
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        this.keys[hole] = this.keys[j]!;
        this.vals[hole] = this.vals[j]!;
        hole = j;
      }
    }
    this.vals[hole] = 0;
    this.count--;
    return value;
  }

  /**
   * Every entry as [key, value] pairs sorted by key, in one array: the keys are sorted in its first
   * half, then spread into pairs from the last one down (pair i lands at 2i ≥ i, over keys already
   * spread), so no second array of a million keys is needed.
   */
  sortedPairs(): Float64Array {
    const n = this.count;
    const out = new Float64Array(2 * n);
    let k = 0;
    this.forEach((key) => (out[k++] = key));
    out.subarray(0, n).sort();
    for (let i = n - 1; i >= 0; i--) {
      const key = out[i]!;
      out[2 * i] = key;
      out[2 * i + 1] = this.get(key);
    }
    return out;
  }

  /** Calls fn(key, value) for every entry (the table must not change meanwhile). */
  forEach(fn: (key: number, value: number) => void): void {
    for (let i = 0; i <= this.mask; i++) if (this.vals[i] !== 0) fn(this.keys[i]!, this.vals[i]! - 1);
  }

  private grow(): void {
    const keys = this.keys;
    const vals = this.vals;
    const size = (this.mask + 1) * 2;
    this.keys = this.int32Keys ? new Int32Array(size) : new Float64Array(size);
    this.vals = new Int32Array(size);
    this.mask = size - 1;
    this.count = 0;
    for (let i = 0; i < vals.length; i++) if (vals[i] !== 0) this.set(keys[i]!, vals[i]! - 1);
  }
}
