/**
 * Interns short byte strings (comms, event names, QEMU region names) to dense integer ids without
 * creating a string per line: FNV-1a over the bytes, open addressing, byte-for-byte verification,
 * and a one-slot cache for the common "same as last time" case.
 */

import { newArray } from './page-arrays.ts';

export class ByteInterner {
  /** id → the decoded name. */
  readonly names: string[] = [];
  private readonly keys: Buffer[] = [];
  private readonly hashes: number[] = [];
  private table = new Int32Array(256); // id + 1, 0 = empty
  private mask = 255;
  /** Direct-mapped cache on (length, middle byte, last byte): a hit costs one byte compare loop. */
  private readonly quick = new Int32Array(1024);

  get size(): number {
    return this.names.length;
  }

  /** True when the bytes equal those of `id`. */
  equals(id: number, buf: Buffer, start: number, end: number): boolean {
    const k = this.keys[id]!;
    const n = end - start;
    if (k.length !== n) return false;
    for (let i = 0; i < n; i++) if (k[i]! !== buf[start + i]!) return false;
    return true;
  }

  intern(buf: Buffer, start: number, end: number): number {
    const n = end - start;
    const qk = n > 0 ? ((n << 5) ^ buf[end - 1]! ^ (buf[start + (n >> 1)]! << 2)) & 1023 : 0;
    const q = this.quick[qk]! - 1;
    if (q >= 0 && this.equals(q, buf, start, end)) return q;
    const id = this.lookup(buf, start, end, true);
    this.quick[qk] = id + 1;
    return id;
  }

  /** The id of the bytes, or -1 when they were never interned. */
  find(buf: Buffer, start: number, end: number): number {
    return this.lookup(buf, start, end, false);
  }

  private lookup(buf: Buffer, start: number, end: number, insert: boolean): number {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    h >>>= 0;
    const table = this.table;
    const mask = this.mask;
    let slot = h & mask;
    for (;;) {
      const v = table[slot]!;
      if (v === 0) break;
      const id = v - 1;
      if (this.hashes[id] === h && this.equals(id, buf, start, end)) return id;
      slot = (slot + 1) & mask;
    }
    if (!insert) return -1;
    const id = this.names.length;
    const key = Buffer.from(buf.subarray(start, end)); // copy: the line buffer is reused
    this.keys.push(key);
    this.hashes.push(h);
    this.names.push(key.toString('utf8'));
    table[slot] = id + 1;
    if ((id + 1) * 2 > mask) this.grow();
    this.onNew(id);
    return id;
  }

  /** Interns a JS string (setup paths only). */
  internString(s: string): number {
    const b = Buffer.from(s, 'utf8');
    return this.intern(b, 0, b.length);
  }

  /** Hook for subclasses that keep per-id side tables. */
  protected onNew(_id: number): void {}

  private grow(): void {
    const size = this.table.length * 2;
    const table = newArray(Int32Array, size);
    const mask = size - 1;
    for (let id = 0; id < this.hashes.length; id++) {
      let slot = this.hashes[id]! & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
      table[slot] = id + 1;
    }
    this.table = table;
    this.mask = mask;
  }
}
