import { describe, expect, it } from 'vitest';
import { IdReadTable } from '../../src/ingest/id-read-table.ts';

describe('IdReadTable', () => {
  it('keeps the first read of each (VM, address, size), sorted by VM in file order, and caps reads per VM', () => {
    const t = new IdReadTable(3);
    const seen: Array<[number, number, number, number]> = [];
    const add = (vm: number, gpa: number, len: number, value: number) => t.add(vm, gpa, len, value);
    add(7, 0x8000004, 4, 1);
    add(2, 0x8000004, 4, 2);
    add(7, 0x8000004, 4, 99); // repeat: dropped
    add(7, 0x8000004, 8, 3); // another size
    add(7, 0x1_0800_0004, 4, 4); // same low 32 bits, other high bits
    add(7, 0x80a0008, 4, 5); // 4th distinct read of VM 7: over the cap
    add(2, 0x3ffff004, 4, 6);
    add(2 + 2 ** 20, 0x8000004, 4, 7); // a large VM code
    seen.push([7, 0x8000004, 4, 1], [7, 0x8000004, 8, 3], [7, 0x1_0800_0004, 4, 4]);
    const c = t.columns();
    const rows = Array.from(c.vm, (vm, i) => [vm, c.gpa[i], c.len[i], c.value[i]]);
    expect(rows).toEqual([[2, 0x8000004, 4, 2], [2, 0x3ffff004, 4, 6], ...seen, [2 + 2 ** 20, 0x8000004, 4, 7]]);
    expect(t.size).toBe(6);
  });

  it('a VM at its cap keeps its reads and takes no more, however often it reads', () => {
    const t = new IdReadTable(100);
    for (let r = 0; r < 3; r++) for (let i = 0; i < 300; i++) t.add(5, 0x8000000 + i * 0x1000 + 4, 4, r * 1000 + i);
    t.add(6, 0x8000004, 4, 1);
    const c = t.columns();
    expect(t.size).toBe(101);
    expect(Array.from(c.value.subarray(0, 100))).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([c.vm[100], c.value[100]]).toEqual([6, 1]);
  });

  it('agrees with a Set of exact keys over many random reads', () => {
    const t = new IdReadTable(1 << 20);
    const want = new Map<number, Array<[number, number]>>();
    const keys = new Set<string>();
    let x = 12345;
    const rnd = (n: number) => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) % n);
    for (let i = 0; i < 20000; i++) {
      const vm = rnd(50);
      const gpa = rnd(4) * 2 ** 32 + 0x8000000 + rnd(64) * 4;
      const len = [1, 2, 4, 8][rnd(4)]!;
      t.add(vm, gpa, len, i);
      const k = `${vm}/${gpa}/${len}`;
      if (keys.has(k)) continue;
      keys.add(k);
      if (!want.has(vm)) want.set(vm, []);
      want.get(vm)!.push([gpa, len]);
    }
    const c = t.columns();
    const got = new Map<number, Array<[number, number]>>();
    c.vm.forEach((vm, i) => {
      if (!got.has(vm)) got.set(vm, []);
      got.get(vm)!.push([c.gpa[i]!, c.len[i]!]);
    });
    expect([...got.keys()]).toEqual([...want.keys()].sort((a, b) => a - b));
    for (const [vm, reads] of want) expect(got.get(vm)).toEqual(reads);
  });
});
