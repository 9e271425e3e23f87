/** TidCpuTable against a Map: pid-range tids in its array, any other tid beside it. */
import { describe, expect, it } from 'vitest';
import { TidCpuTable } from '../../src/ingest/tid-cpu-table.ts';

describe('TidCpuTable', () => {
  it('holds what a Map holds through random sets and deletes, in and past the pid range', () => {
    const table = new TidCpuTable();
    const model = new Map<number, number>();
    let seed = 12345;
    const rnd = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    const tidOf = () => [rnd(64), rnd(1 << 22), (1 << 22) + rnd(1000), -1 - rnd(5), 0x7fffffff - rnd(3)][rnd(5)]!;
    for (let i = 0; i < 20_000; i++) {
      const tid = tidOf();
      if (rnd(3) === 0) {
        table.delete(tid);
        model.delete(tid);
      } else {
        const v = 1 + rnd(32769);
        table.set(tid, v);
        model.set(tid, v);
      }
      if (i % 997 === 0) expect(table.size).toBe(model.size);
    }
    const got = new Map<number, number>();
    table.forEach((tid, v) => {
      expect(got.has(tid)).toBe(false);
      got.set(tid, v);
    });
    expect(got).toEqual(model);
    expect(table.size).toBe(model.size);
  });

  it('deleting an absent tid changes nothing', () => {
    const table = new TidCpuTable();
    table.delete(5);
    table.set(5, 2);
    table.delete(6);
    table.delete(1 << 23);
    expect(table.size).toBe(1);
    const seen: Array<[number, number]> = [];
    table.forEach((t, v) => seen.push([t, v]));
    expect(seen).toEqual([[5, 2]]);
  });
});
