/** UnitPool (thread-spill.ts): blocks of 1, 2 and 4 units never overlap, however they are split and reused. */
import { describe, expect, it } from 'vitest';
import { UNIT_WORDS, UnitPool } from '../../src/ingest/thread-spill.ts';

describe('UnitPool', () => {
  it('hands out aligned, disjoint blocks through random allocations and releases, and reuses freed space', () => {
    let seed = 4242;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    const pool = new UnitPool();
    const live = new Map<number, { units: 1 | 2 | 4; stamp: number }>();
    let stamp = 1;
    let bad = 0;
    const words = (block: number, units: number) => {
      const w = pool.chunk(block);
      const o = pool.offset(block);
      return w.subarray(o, o + units * UNIT_WORDS);
    };
    let peakUnits = 0;
    let liveUnits = 0;
    for (let i = 0; i < 300_000; i++) {
      // phases: mostly 2-unit blocks, then mostly 1-unit ones (threads mid-read, then done), then mixed
      const phase = Math.floor(i / 100_000);
      if (live.size > 0 && rnd(100) < (i % 100_000 < 60_000 ? 35 : 65)) {
        const keys = [...live.keys()];
        const block = keys[rnd(Math.min(keys.length, 64))]!;
        const b = live.get(block)!;
        if (!words(block, b.units).every((x) => x === b.stamp)) bad++;
        pool.release(block, b.units);
        live.delete(block);
        liveUnits -= b.units;
      } else {
        const units = ([[2, 2, 2, 1], [1, 1, 1, 2], [1, 2, 4, 1]] as const)[phase]![rnd(4)]!;
        const block = pool.alloc(units);
        if (block % units !== 0) bad++;
        const s = stamp++;
        words(block, units).fill(s);
        live.set(block, { units, stamp: s });
        liveUnits += units;
        peakUnits = Math.max(peakUnits, liveUnits);
      }
    }
    expect(bad).toBe(0);
    for (const [block, b] of live) expect(words(block, b.units).every((x) => x === b.stamp)).toBe(true);
    // freed space is reused: the chunks hold at most twice the peak of live units
    expect(pool.chunks.length * (1 << 14)).toBeLessThanOrEqual(2 * peakUnits + (1 << 14));
  });
});
