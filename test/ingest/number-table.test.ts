/** NumberTable against a Map under random insertions, updates and deletions (backward-shift deletion is easy to get wrong). */
import { describe, expect, it } from 'vitest';
import { NumberTable } from '../../src/ingest/number-table.ts';

describe('NumberTable', () => {
  it.each([[false], [true]])('agrees with a Map through random operations (int32 keys only: %s)', (int32Keys) => {
    let seed = 12345;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const t = new NumberTable(int32Keys);
    const m = new Map<number, number>();
    // tids (incl. -1) and, for the double-keyed table, (vm, tid) pairs
    const key = () => (!int32Keys && rnd(4) === 0 ? rnd(3000) * 4294967296 + rnd(50) : rnd(5000) - 1 - (rnd(8) === 0 ? 2147483000 : 0));
    for (let i = 0; i < 200000; i++) {
      const k = key();
      const op = rnd(10);
      if (op < 5) {
        const v = rnd(1 << 30);
        expect(t.set(k, v)).toBe(!m.has(k));
        m.set(k, v);
      } else if (op < 8) {
        expect(t.delete(k)).toBe(m.get(k) ?? -1);
        m.delete(k);
      } else {
        expect(t.get(k)).toBe(m.get(k) ?? -1);
      }
      expect(t.size).toBe(m.size);
    }
    const seen = new Map<number, number>();
    t.forEach((k, v) => seen.set(k, v));
    expect(seen).toEqual(m);
  });
});

describe('NumberTable.sortedPairs', () => {
  it('lists every entry as [key, value] pairs in key order', () => {
    const t = new NumberTable();
    const want: Array<[number, number]> = [];
    for (let i = 0; i < 5000; i++) {
      const key = ((i * 7919) % 5003) * 4294967296 + (i % 7);
      if (t.set(key, i)) want.push([key, i]);
      else want.find((p) => p[0] === key)![1] = i;
    }
    want.sort((a, b) => a[0] - b[0]);
    expect(Array.from(t.sortedPairs())).toEqual(want.flat());
    expect(new NumberTable(true).sortedPairs().length).toBe(0);
  });
});
