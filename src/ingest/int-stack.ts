/**
 * A stack of int32 values in a typed array that doubles as it fills: free lists and tid lists of
 * millions of threads (a JS array of a million numbers left its growth as garbage).
 */
import { grownArray, newArray } from './page-arrays.ts';

export class IntStack {
  private items: Int32Array;
  length = 0;

  /** capacity: the most it will hold when known (one array, no growth left behind as garbage). */
  constructor(capacity = 1024) {
    this.items = newArray(Int32Array, Math.max(capacity, 16));
  }

  push(v: number): void {
    if (this.length === this.items.length) {
      this.items = grownArray(this.items, this.length * 2);
    }
    this.items[this.length++] = v;
  }

  /** The top value, removed (the stack must not be empty). */
  pop(): number {
    return this.items[--this.length]!;
  }

  at(i: number): number {
    return this.items[i]!;
  }
}
