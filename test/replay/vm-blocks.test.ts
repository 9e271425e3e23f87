/**
 * The replay's address look-up: the page table (64 KiB pages, 4 KiB granules where blocks share
 * or part-cover a page) must give exactly what the reference scan in layout order gives — block
 * kind, offset in the frame and redistributor index — for every platform and odd layouts.
 */
import { describe, expect, it } from 'vitest';
import type { BlockRange, VmLayout } from '../../src/gic/layout.ts';
import { PLATFORMS } from '../../src/gic/platforms.ts';
import { VmBlocks, VmBlocksCache } from '../../src/replay/vm-blocks.ts';
import { prng } from './helpers/random-trace.ts';

const layout = (blocks: BlockRange[], gicVersion: 2 | 3 | null = null): VmLayout =>
  ({ vm: 'vm', vmm: null, platform: 'custom', gicVersion, blocks, source: 'test' });

/** Addresses around every block edge, every redistributor edge, and random ones inside and near. */
function probes(blocks: BlockRange[], seed: number): number[] {
  const rnd = prng(seed);
  const out: number[] = [0, 0xffffffff, 0x1_0000_0000];
  for (const b of blocks) {
    const stride = b.stride ?? b.size;
    for (let at = b.base; at <= b.base + b.size; at += stride)
      for (const d of [-4097, -4096, -4, -1, 0, 1, 4, 0xfff, 0x1000, 0xffff, 0x10000, 0x10004]) out.push(at + d);
    for (let k = 0; k < 300; k++) out.push(b.base - 0x20000 + Math.floor(rnd() * (b.size + 0x40000)));
  }
  return out.filter((a) => a >= 0);
}

function agree(l: VmLayout, seed: number): number {
  const fast = new VmBlocks(l);
  const ref = new VmBlocks(l);
  let n = 0;
  for (const addr of probes(l.blocks, seed)) {
    const lo = addr % 2 ** 32;
    const hi = Math.floor(addr / 2 ** 32);
    const kind = fast.findLoHi(lo, hi);
    const want = ref.find(addr);
    expect(kind, `0x${addr.toString(16)}`).toBe(want);
    if (want >= 0) {
      expect(fast.offset, `offset of 0x${addr.toString(16)}`).toBe(ref.offset);
      expect(fast.redist, `redistributor of 0x${addr.toString(16)}`).toBe(ref.redist);
    }
    n++;
  }
  return n;
}

describe('VmBlocks page table = scan in layout order', () => {
  for (const p of PLATFORMS) {
    for (const gicVersion of [2, 3] as const) {
      for (const nrVcpus of [1, 3, 8]) {
        it(`${p.id} GICv${gicVersion}, ${nrVcpus} vCPUs`, () => {
          expect(agree(layout(p.blocks({ gicVersion, nrVcpus, its: true }), gicVersion), nrVcpus)).toBeGreaterThan(100);
        });
      }
    }
  }

  it('odd layouts: unaligned bases, overlaps (first block wins), a 96 KiB stride, blocks above 4 GiB and across it', () => {
    agree(layout([{ block: 'GICD', base: 0x1234_5000, size: 0x10000 }, { block: 'GICR', base: 0x1235_5800, size: 3 * 0x18000, stride: 0x18000 }]), 1);
    agree(layout([{ block: 'GICR', base: 0x0800_0000, size: 4 * 0x20000, stride: 0x20000 }, { block: 'GICD', base: 0x0802_0000, size: 0x10000 }]), 2);
    agree(layout([{ block: 'GICD', base: 0x0800_0000, size: 0x1000 }, { block: 'GICC', base: 0x0800_1000, size: 0x2000 },
      { block: 'GICV2M', base: 0x0800_3800, size: 0x1000 }], 2), 3);
    agree(layout([{ block: 'GICD', base: 0x40_0000_0000, size: 0x10000 }, { block: 'GICR', base: 0xffff_0000, size: 4 * 0x20000, stride: 0x20000 }]), 4);
  });

  it('VMs with the same layout share one table', () => {
    const cache = new VmBlocksCache();
    const fc = PLATFORMS.find((p) => p.id === 'firecracker')!; // its redistributors move with the vCPU count
    const l = fc.blocks({ gicVersion: 3, nrVcpus: 4, its: true });
    expect(cache.get(layout(l, 3))).toBe(cache.get(layout(l.map((b) => ({ ...b })), 3)));
    expect(cache.get(layout(l, 3))).not.toBe(cache.get(layout(fc.blocks({ gicVersion: 3, nrVcpus: 5, its: true }), 3)));
  });
});
