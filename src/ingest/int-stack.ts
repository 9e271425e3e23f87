/**
 * A stack of int32 values in a typed array that doubles as it fills: free lists and tid lists of
 * millions of threads (a JS array of a million numbers left its growth as garbage).
 */
export class IntStack {
  private items = new Int32Array(1024);
  length = 0;

  push(v: number): void {
    if (this.length === this.items.length) {
      const grown = new Int32Array(this.length * 2);
      grown.set(this.items);
      this.items = grown;
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
