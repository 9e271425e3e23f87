/** UnitPool (thread-spill.ts): blocks of 1, 2 and 4 units never overlap, however they are split and reused. */
import { describe, expect, it } from 'vitest';
import { UNIT_WORDS, UnitPool } from '../../src/ingest/thread-spill.ts';

describe('UnitPool', () => {
  it('hands out aligned, disjoint blocks through random allocations and releases, and reuses freed space', () => {
    let seed = 4242;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    const pool = new UnitPool();
    // live blocks as parallel arrays (swap-remove: a Map's keys spread per release made it quadratic)
    const blocks: number[] = [];
    const units: Array<1 | 2 | 4> = [];
    const stamps: number[] = [];
    let stamp = 1;
    let bad = 0;
    const words = (block: number, n: number) => {
      const w = pool.chunk(block);
      const o = pool.offset(block);
      return w.subarray(o, o + n * UNIT_WORDS);
    };
    const intact = (k: number) => words(blocks[k]!, units[k]!).every((x) => x === stamps[k]);
    let peakUnits = 0;
    let liveUnits = 0;
    for (let i = 0; i < 300_000; i++) {
      // phases: mostly 2-unit blocks, then mostly 1-unit ones (threads mid-read, then done), then mixed
      const phase = Math.floor(i / 100_000);
      if (blocks.length > 0 && rnd(100) < (i % 100_000 < 60_000 ? 35 : 65)) {
        const k = rnd(blocks.length);
        if (!intact(k)) bad++;
        pool.release(blocks[k]!, units[k]!);
        liveUnits -= units[k]!;
        const last = blocks.length - 1;
        [blocks[k], units[k], stamps[k]] = [blocks[last]!, units[last]!, stamps[last]!];
        blocks.pop();
        units.pop();
        stamps.pop();
      } else {
        const n = ([[2, 2, 2, 1], [1, 1, 1, 2], [1, 2, 4, 1]] as const)[phase]![rnd(4)]!;
        const block = pool.alloc(n);
        if (block % n !== 0) bad++;
        const s = stamp++;
        words(block, n).fill(s);
        blocks.push(block);
        units.push(n);
        stamps.push(s);
        liveUnits += n;
        peakUnits = Math.max(peakUnits, liveUnits);
      }
    }
    expect(bad).toBe(0);
    expect(blocks.filter((_, k) => !intact(k))).toEqual([]);
    // freed space is reused: the chunks hold at most twice the peak of live units
    expect(pool.chunks.length * (1 << 14)).toBeLessThanOrEqual(2 * peakUnits + (1 << 14));
  });
});
