/**
 * SpilledPairs and SpilledIdReads: spilled to runs (and runs merged into one past 32), they give
 * what one table in memory gives.
 */
import { describe, expect, it } from 'vitest';
import { IdReadTable } from '../../src/ingest/id-read-table.ts';
import { NumberTable } from '../../src/ingest/number-table.ts';
import { SpilledIdReads } from '../../src/ingest/spilled-id-reads.ts';
import { SpilledPairs } from '../../src/ingest/spilled-pairs.ts';
import { LayoutCollector } from '../../src/ingest/import-stats.ts';
import { evidenceByVm, evidenceOfStreams } from '../../src/ingest/vm-evidence.ts';

function rng(seed: number): (n: number) => number {
  // (the high bits: an LCG's low bits repeat with a short period, and consecutive draws correlate)
  return (n) => (((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) % n);
}

describe('SpilledPairs', () => {
  for (const maxEntries of [1, 7, 100, 1 << 20]) {
    it(`counts like one table with ${maxEntries} entries in memory`, () => {
      const rnd = rng(maxEntries);
      const cap = 1000;
      const add = (a: number, b: number) => Math.min(cap, a + b);
      const spilled = new SpilledPairs(add, maxEntries);
      const plain = new NumberTable();
      for (let i = 0; i < 20_000; i++) {
        // keys past 2^32 (VM × 2^32 + page), a few hot ones
        const key = rnd(4) === 0 ? 5 * 4294967296 + 7 : rnd(300) * 4294967296 + rnd(40);
        const n = 1 + rnd(30);
        for (const t of [spilled, plain]) {
          const had = t.get(key);
          t.set(key, had < 0 ? n : add(had, n));
        }
      }
      if (maxEntries < 100) expect(spilled.runCount).toBeGreaterThan(0);
      expect(Array.from(spilled.sortedPairs())).toEqual(Array.from(plain.sortedPairs()));
      expect(spilled.size).toBe(0);
    });
  }
});

describe('SpilledIdReads', () => {
  for (const maxReads of [1, 5, 64, 1 << 20]) {
    it(`keeps the first read of each address and size, at most maxPerVm, with ${maxReads} reads in memory`, () => {
      const rnd = rng(maxReads + 1);
      const maxPerVm = 6;
      const spilled = new SpilledIdReads(maxPerVm, maxReads);
      const plain = new IdReadTable(maxPerVm);
      for (let i = 0; i < 5000; i++) {
        const vm = rnd(50);
        const gpa = 0x08000000 + rnd(10) * 4;
        const len = rnd(3) === 0 ? 8 : 4;
        const value = i; // which of the repeats was kept shows
        spilled.add(vm, gpa, len, value);
        plain.add(vm, gpa, len, value);
      }
      if (maxReads < 64) expect(spilled.runCount).toBeGreaterThan(0);
      const a = spilled.columns();
      const b = plain.columns();
      expect(b.vm.length).toBeGreaterThan(200);
      expect([Array.from(a.vm), Array.from(a.gpa), Array.from(a.len), Array.from(a.value)])
        .toEqual([Array.from(b.vm), Array.from(b.gpa), Array.from(b.len), Array.from(b.value)]);
    });
  }
});

describe('LayoutCollector with spilled evidence', () => {
  it('gives the same page counts, frames and identification reads as with all in memory', () => {
    const feed = (c: LayoutCollector) => {
      const rnd = rng(99);
      // 3 passes over 40k (VM, page) pairs: more than the page cache's slots, so counts are evicted
      // to the table (and to runs) more than once per key
      for (let pass = 0; pass < 3; pass++) {
        for (let i = 0; i < 40_000; i++) {
          const vm = i % 2000;
          const gpa = 0x08000000 + (i % 20) * 0x1000 + [0x4, 0x8, 0x800, 0xf00, 0xfe8, 0x100][rnd(6)]!;
          c.mmio(vm, gpa, 0, rnd(2) === 0, 4, i, 0);
        }
      }
    };
    const small = new LayoutCollector(undefined, { pages: 100, v2: 50, idReads: 64 });
    const big = new LayoutCollector();
    feed(small);
    feed(big);
    const a = small.finish();
    const b = big.finish();
    let total = 0;
    for (let i = 1; i < b.layoutPages.length; i += 2) total += b.layoutPages[i]!;
    expect(total).toBe(120_000);
    expect(Array.from(a.layoutPages)).toEqual(Array.from(b.layoutPages));
    expect(Array.from(a.layoutV2)).toEqual(Array.from(b.layoutV2));
    expect(Array.from(a.layoutIdReads.value)).toEqual(Array.from(b.layoutIdReads.value));
    expect(Array.from(a.layoutIdReads.vm)).toEqual(Array.from(b.layoutIdReads.vm));
  });

  it('streams the evidence of each VM as the arrays give it', () => {
    const feed = (c: LayoutCollector) => {
      const rnd = rng(7);
      for (let i = 0; i < 60_000; i++) {
        const vm = rnd(3000);
        c.mmio(vm, 0x08000000 + rnd(24) * 0x1000 + [0x4, 0x8, 0x800, 0xf00, 0xfe8, 0x100][rnd(6)]!, 0, rnd(2) === 0, 4, i, 0);
        if (rnd(50) === 0) c.sysreg(vm, 0x30c0a); // counted or not, the same in both
      }
    };
    const small = new LayoutCollector(undefined, { pages: 100, v2: 50, idReads: 64 });
    const big = new LayoutCollector();
    feed(small);
    feed(big);
    const streamed = [...evidenceOfStreams(small.finishStreams())];
    const fromArrays = [...evidenceByVm(big.finish())];
    expect(fromArrays.length).toBeGreaterThan(2500);
    expect(streamed).toEqual(fromArrays);
  });
});
