/**
 * Batches given back on this thread, for the writers of this and later parses to fill again: a
 * directory of small traces allocates its batches once, not once a file. One pool per batch kind
 * per thread (module state of the writer that uses it).
 */
export class BatchPool<B extends { readonly capacity: number; length: number; clear(): void }> {
  private readonly spare: B[] = [];

  constructor(private readonly max: number) {}

  give(b: B): void {
    if (this.spare.length < this.max) this.spare.push(b);
  }

  /** An empty batch of `capacity` rows: a given-back one, zeroed, else `make(capacity)`. */
  next(capacity: number, make: (capacity: number) => B): B {
    const b = this.take(capacity) ?? make(capacity);
    if (b.length !== 0) b.clear();
    return b;
  }

  /** A batch of exactly `capacity` rows, or undefined. */
  private take(capacity: number): B | undefined {
    const s = this.spare;
    for (let k = s.length - 1; k >= 0; k--) {
      if (s[k]!.capacity === capacity) return s.splice(k, 1)[0];
    }
    return undefined;
  }
}
