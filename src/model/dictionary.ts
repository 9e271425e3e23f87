/**
 * Append-only string dictionary: code i names entry i for the lifetime of an import. Producers
 * (parse workers) send `entriesSince(n)` with each batch so consumers can extend their copy.
 */
export class Dictionary {
  private readonly codes = new Map<string, number>();
  readonly entries: string[] = [];

  constructor(initial: readonly string[] = []) {
    for (const s of initial) this.intern(s);
  }

  intern(s: string): number {
    let c = this.codes.get(s);
    if (c === undefined) {
      c = this.entries.length;
      this.entries.push(s);
      this.codes.set(s, c);
    }
    return c;
  }

  get size(): number {
    return this.entries.length;
  }

  name(code: number): string {
    const s = this.entries[code];
    if (s === undefined) throw new RangeError(`dictionary code ${code} out of range (${this.entries.length})`);
    return s;
  }

  entriesSince(n: number): string[] {
    return this.entries.slice(n);
  }

  extend(more: readonly string[]): void {
    for (const s of more) this.intern(s);
  }
}
