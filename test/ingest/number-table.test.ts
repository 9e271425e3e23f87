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

describe('NumberTable of pids and codes (dense past ~a million keys)', () => {
  it.each([[1_000_000, 400_000], [3000, 20000]])('agrees with a Map through random operations over keys below %i, a few of them negative or ≥ 2^22', (range, ops) => {
    let seed = 777;
    const rnd = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const t = new NumberTable(true);
    const m = new Map<number, number>();
    const key = () => (rnd(50) === 0 ? (rnd(2) === 0 ? -1 - rnd(100) : (1 << 22) + rnd(1 << 20)) : rnd(range));
    let wrong = 0; // counted, not expect()ed per operation: a million expect() calls take seconds
    for (let i = 0; i < ops; i++) {
      const k = key();
      const op = rnd(10);
      if (op < 7) {
        const v = rnd(1 << 30);
        if (t.set(k, v) !== !m.has(k)) wrong++;
        m.set(k, v);
      } else if (op < 8) {
        if (t.delete(k) !== (m.get(k) ?? -1)) wrong++;
        m.delete(k);
      } else if (t.get(k) !== (m.get(k) ?? -1)) wrong++;
    }
    expect(wrong).toBe(0);
    expect(t.size).toBe(m.size);
    expect(t.isDense).toBe(true);
    expect([...m].filter(([k, v]) => t.get(k) !== v)).toEqual([]);
    expect(t.get(range + 5)).toBe(-1);
    const seen = new Map<number, number>();
    t.forEach((k, v) => seen.set(k, v));
    expect(seen).toEqual(m);
    expect(Array.from(t.sortedPairs())).toEqual([...m].sort((a, b) => a[0] - b[0]).flat());
  });

  it('dense at pid scale: every key up to pid_max - 1 kept, forEach and clear see exactly the keys set', () => {
    const t = new NumberTable(true);
    for (let k = 0; k < 300_000; k++) t.set(k, k % 1000);
    expect(t.isDense).toBe(true);
    const high = [(1 << 22) - 1, 3_000_000, 1_000_001];
    for (const k of high) t.set(k, 7);
    t.set(1 << 22, 9); // past the dense range: beside it
    let n = 0;
    let sum = 0;
    t.forEach((k, v) => {
      n++;
      sum += v;
      if (k >= 300_000) expect([...high, 1 << 22]).toContain(k);
    });
    expect(n).toBe(300_004);
    expect(t.size).toBe(300_004);
    expect(sum).toBe(300 * 499_500 + 3 * 7 + 9);
    t.clear();
    expect([t.size, t.get(5), t.get((1 << 22) - 1), t.get(1 << 22)]).toEqual([0, -1, -1, -1]);
    t.set(2_500_000, 3);
    const after: number[] = [];
    t.forEach((k, v) => after.push(k, v));
    expect(after).toEqual([2_500_000, 3]);
  });

  it('stays hashed while its keys are few and far apart, or mostly negative', () => {
    const sparse = new NumberTable(true);
    for (let i = 0; i < 1000; i++) sparse.set(4_000_000 - i * 3000, i);
    expect(sparse.isDense).toBe(false);
    const negative = new NumberTable(true);
    for (let i = 0; i < 100_000; i++) negative.set(-1 - i, i);
    expect(negative.isDense).toBe(false);
    expect(negative.get(-500)).toBe(499);
    // a cache's index: 200,000 low tids at first (dense), then a window of 2,000 sliding up to pid_max
    const window = new NumberTable(true);
    for (let k = 0; k < 200_000; k++) window.set(k, 1);
    expect(window.isDense).toBe(true);
    for (let k = 0; k < 200_000; k++) window.delete(k);
    for (let k = 200_000; k < 4_000_000; k += 7) {
      window.set(k, k & 0xffff);
      if (k - 14_000 >= 200_000) window.delete(k - 14_000);
    }
    expect(window.isDense).toBe(false);
    expect(window.size).toBe(2000);
    const last = 4_000_000 - 1 - ((4_000_000 - 1 - 200_000) % 7);
    expect(window.get(last)).toBe(last & 0xffff);
    expect(window.get(last - 14_000)).toBe(-1);
    expect(window.get(last - 13_993)).toBe((last - 13_993) & 0xffff);
    const doubles = new NumberTable();
    for (let i = 0; i < 100_000; i++) doubles.set(i, i);
    expect(doubles.isDense).toBe(false);
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

describe('NumberTable.clear', () => {
  for (const [name, int32, keyOf] of [
    ['hashed (VM × 2^32 + page keys)', false, (i: number) => (i % 977) * 4294967296 + i],
    ['dense (pids)', true, (i: number) => (i * 7) % 1_500_000],
  ] as const) {
    it(`${name}: empty afterwards, and filled again like a new table; sortedPairs into a scratch array`, () => {
      const t = new NumberTable(int32);
      for (let i = 0; i < 300_000; i++) t.set(keyOf(i), i);
      t.clear();
      expect(t.size).toBe(0);
      expect(t.get(keyOf(5))).toBe(-1);
      const fresh = new NumberTable(int32);
      for (let i = 0; i < 50_000; i++) {
        t.set(keyOf(i * 3), i);
        fresh.set(keyOf(i * 3), i);
      }
      expect(t.size).toBe(fresh.size);
      const scratch = new Float64Array(2 * t.size + 10);
      const pairs = t.sortedPairs(scratch);
      expect(pairs.buffer).toBe(scratch.buffer);
      expect(Array.from(pairs)).toEqual(Array.from(fresh.sortedPairs()));
    });
  }
});
