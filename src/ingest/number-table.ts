/**
 * A hash map from integer keys (exact in a double: |k| < 2^53) to non-negative int32 values, in
 * two typed arrays: linear probing, deletion by backward shift (no tombstones). For tables of
 * millions of entries a JS Map costs ~40 bytes and a boxed key per entry and leaves garbage as
 * entries come and go; this costs 8 or 12 bytes per slot at a load of at most three quarters, and
 * none.
 *
 * An int32-keyed table whose keys are nearly all in [0, 2^22) — tids and tgids (at most pid_max,
 * 4,194,304), VM codes — turns into a plain array of values indexed by key once that array is no
 * bigger than the hashed one would be (past ~a million pids: 16 MiB at most instead of 64–96 MiB
 * for 4 M), keeping any other keys in a small hashed table beside it.
 */
import { grownArray, newArray, PID_LIMIT, pidScaleLength } from './page-arrays.ts';

const DENSE_KEYS = PID_LIMIT;
const inDenseRange = (key: number): boolean => key >= 0 && key < DENSE_KEYS;

export class NumberTable {
  private keys: Float64Array | Int32Array;
  /** value + 1; 0 = empty slot. Dense: indexed by key. */
  private vals = new Int32Array(64);
  private mask = 63;
  private count = 0;
  private dense = false;
  /** Hashed: keys outside [0, DENSE_KEYS) now. Both: the largest key inside it ever set. */
  private outsideCount = 0;
  private maxKey = -1;
  /** Dense: keys below it are in `vals`, which may be longer (pidScaleLength: all of DENSE_KEYS once it takes pages). */
  private denseLimit = 0;
  /** Dense: the keys outside [0, DENSE_KEYS). */
  private outside: NumberTable | null = null;

  /** int32Keys: every key is an int32 (a tid, a tgid): 8 bytes per slot instead of 12. */
  constructor(private readonly int32Keys = false, private readonly mayBeDense = int32Keys) {
    this.keys = int32Keys ? new Int32Array(64) : new Float64Array(64);
  }

  get size(): number {
    return this.count;
  }

  /** Whether it is a direct array now (tests). */
  get isDense(): boolean {
    return this.dense;
  }

  private slotOf(key: number): number {
    // mix the low and high words: keys are tids, or (code << 32) + tid
    const lo = key | 0;
    const hi = (key / 4294967296) | 0;
    return Math.imul(lo ^ Math.imul(hi, 0x85ebca6b), 0x9e3779b1) >>> 0 & this.mask;
  }

  /** The value for `key`, or -1. */
  get(key: number): number {
    if (this.dense) {
      if (inDenseRange(key)) return (this.vals[key] ?? 0) - 1;
      return this.outside === null ? -1 : this.outside.get(key);
    }
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
    if (this.dense) return this.setDense(key, value);
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
    if (!inDenseRange(key)) this.outsideCount++;
    else if (key > this.maxKey) this.maxKey = key;
    // at most three quarters full: the tables of a host trace's millions of threads and VMs are
    // looked up off the hot path (behind per-line caches), so bytes count more than probes
    if (++this.count * 4 > this.mask * 3) this.grow();
    return true;
  }

  /** Removes `key`; returns its value, or -1 when absent. */
  delete(key: number): number {
    if (this.dense) {
      let v = -1;
      if (inDenseRange(key)) {
        v = (this.vals[key] ?? 0) - 1;
        if (v >= 0) this.vals[key] = 0;
      } else if (this.outside !== null) v = this.outside.delete(key);
      if (v >= 0) this.count--;
      return v;
    }
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
    if (!inDenseRange(key)) this.outsideCount--;
    return value;
  }

  /** Removes every entry, keeping the arrays (a table filled and emptied again and again allocates nothing more). */
  clear(): void {
    // dense: only the keys ever set (the array's pages past them were never touched: page-arrays.ts)
    this.vals.fill(0, 0, this.dense ? this.maxKey + 1 : this.vals.length);
    this.count = 0;
    this.outsideCount = 0;
    this.maxKey = -1;
    this.outside = null;
  }

  /**
   * Every entry as [key, value] pairs sorted by key, in one array: the keys are sorted in its first
   * half, then spread into pairs from the last one down (pair i lands at 2i ≥ i, over keys already
   * spread), so no second array of a million keys is needed.
   */
  sortedPairs(into?: Float64Array): Float64Array {
    const n = this.count;
    // into: a scratch array to fill instead of a new one, when big enough (a view of it is returned)
    const out = into !== undefined && into.length >= 2 * n ? into.subarray(0, 2 * n) : newArray(Float64Array, 2 * n);
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
    if (this.dense) {
      const vals = this.vals;
      const end = Math.min(vals.length, this.maxKey + 1);
      for (let k = 0; k < end; k++) if (vals[k] !== 0) fn(k, vals[k]! - 1);
      this.outside?.forEach(fn);
      return;
    }
    for (let i = 0; i <= this.mask; i++) if (this.vals[i] !== 0) fn(this.keys[i]!, this.vals[i]! - 1);
  }

  private setDense(key: number, value: number): boolean {
    if (!inDenseRange(key)) {
      this.outside ??= new NumberTable(true, false);
      const added = this.outside.set(key, value);
      if (added) this.count++;
      return added;
    }
    if (key >= this.denseLimit) {
      const length = Math.max(this.denseLimit * 2, denseLength(key));
      // a table whose entries come and go (a cache's index) may have few keys but a high one: hashed again
      if (length * 4 > 2 * hashedSlots(this.count + 1) * 8) {
        this.rehash();
        return this.set(key, value);
      }
      if (length > this.vals.length) this.vals = grownArray(this.vals, pidScaleLength(length, 4));
      this.denseLimit = length;
    }
    if (key > this.maxKey) this.maxKey = key;
    const added = this.vals[key] === 0;
    this.vals[key] = value + 1;
    if (added) this.count++;
    return added;
  }

  /** Dense back to hashed, sized for the entries it has. */
  private rehash(): void {
    const entries: number[] = [];
    this.forEach((k, v) => entries.push(k, v));
    const size = hashedSlots(this.count + 1);
    this.dense = false;
    this.outside = null;
    this.keys = newArray(Int32Array, size);
    this.vals = newArray(Int32Array, size);
    this.mask = size - 1;
    this.count = 0;
    this.outsideCount = 0;
    this.maxKey = -1;
    for (let i = 0; i < entries.length; i += 2) this.set(entries[i]!, entries[i + 1]!);
  }

  private grow(): void {
    const keys = this.keys;
    const vals = this.vals;
    const size = (this.mask + 1) * 2;
    // dense when that array is no bigger than the hashed one and nearly every key fits it
    if (this.mayBeDense && this.outsideCount * 8 < this.count && denseLength(this.maxKey) * 4 <= size * 8) {
      this.dense = true;
      this.keys = new Int32Array(0);
      this.denseLimit = denseLength(this.maxKey);
      this.vals = newArray(Int32Array, pidScaleLength(this.denseLimit, 4));
      this.count = 0;
      for (let i = 0; i < vals.length; i++) if (vals[i] !== 0) this.setDense(keys[i]!, vals[i]! - 1);
      return;
    }
    this.keys = this.int32Keys ? newArray(Int32Array, size) : newArray(Float64Array, size);
    this.vals = newArray(Int32Array, size);
    this.mask = size - 1;
    this.count = 0;
    this.outsideCount = 0;
    for (let i = 0; i < vals.length; i++) if (vals[i] !== 0) this.set(keys[i]!, vals[i]! - 1);
  }
}

/** The dense array's length for keys up to `key`: a power of two (at least 64, at most DENSE_KEYS). */
function denseLength(key: number): number {
  let n = 64;
  while (n <= key) n *= 2;
  return n;
}

/** Hashed slots for `count` entries at most three quarters full (a power of two, at least 64). */
function hashedSlots(count: number): number {
  let n = 64;
  while (count * 4 > (n - 1) * 3) n *= 2;
  return n;
}
