/**
 * Batches given back on this thread, for the writers of this and later parses to fill again: a
 * directory of small traces allocates its batches once, not once a file. One pool per batch kind
 * per thread (module state of the writer that uses it).
 */
export class BatchPool<B extends { readonly capacity: number }> {
  private readonly spare: B[] = [];

  constructor(private readonly max: number) {}

  give(b: B): void {
    if (this.spare.length < this.max) this.spare.push(b);
  }

  /** A batch of exactly `capacity` rows, or undefined. */
  take(capacity: number): B | undefined {
    const s = this.spare;
    for (let k = s.length - 1; k >= 0; k--) {
      if (s[k]!.capacity === capacity) return s.splice(k, 1)[0];
    }
    return undefined;
  }
}
