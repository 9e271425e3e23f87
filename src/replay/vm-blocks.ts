/** A VM's GIC blocks as parallel arrays, for the per-access address lookup in the hot loop. */
import type { VmLayout } from '../gic/layout.ts';
import { gicdVersionForSize } from '../gic/decode.ts';

export const BLOCK_GICD = 0;
export const BLOCK_GICR = 1;
export const BLOCK_GICC = 2;
export const BLOCK_GITS = 3;
export const BLOCK_GICV2M = 4;
const KIND: Record<string, number> = { GICD: BLOCK_GICD, GICR: BLOCK_GICR, GICC: BLOCK_GICC, GITS: BLOCK_GITS, GICV2M: BLOCK_GICV2M };

export class VmBlocks {
  readonly n: number;
  readonly base: Float64Array;
  readonly size: Float64Array;
  readonly stride: Float64Array;
  readonly kind: Uint8Array;
  /** log2(stride) when the stride is a power of two (always, for KVM's 128 KiB), else -1. */
  readonly strideShift: Int8Array;
  /** GIC version the distributor block implies (4 KiB = GICv2), or the layout's. */
  readonly gicVersion: 2 | 3;
  /**
   * 64 KiB page → block index + 1 for addresses below 4 GiB (0 = no block, -1 = page shared with
   * a smaller block: fall back to the loop). One load instead of a range scan per access.
   */
  private readonly pages: Int8Array;
  // Result of the last find().
  block = -1;
  offset = 0;
  redist = 0;

  constructor(layout: VmLayout) {
    const blocks = layout.blocks;
    this.n = blocks.length;
    this.base = new Float64Array(blocks.map((b) => b.base));
    this.size = new Float64Array(blocks.map((b) => b.size));
    this.stride = new Float64Array(blocks.map((b) => b.stride ?? b.size));
    this.kind = new Uint8Array(blocks.map((b) => KIND[b.block]!));
    this.strideShift = new Int8Array(blocks.map((b) => {
      const st = b.stride ?? b.size;
      return Number.isInteger(Math.log2(st)) && st <= 2 ** 30 ? Math.log2(st) : -1;
    }));
    this.pages = new Int8Array(65536);
    blocks.forEach((b, i) => {
      if (b.base + b.size > 2 ** 32) return;
      const first = Math.floor(b.base / 65536);
      const last = Math.floor((b.base + b.size - 1) / 65536);
      for (let p = first; p <= last; p++) {
        const whole = b.base <= p * 65536 && b.base + b.size >= (p + 1) * 65536;
        this.pages[p] = this.pages[p] !== 0 || !whole ? -1 : i + 1;
      }
    });
    const gicd = blocks.find((b) => b.block === 'GICD');
    this.gicVersion = gicd ? gicdVersionForSize(gicd.size) : (layout.gicVersion ?? 3);
  }

  /** Finds the block of the address `hi:lo`; sets block/offset/redist and returns the block kind or -1. */
  findLoHi(lo: number, hi: number): number {
    if (hi === 0) {
      const p = this.pages[lo >>> 16]!;
      if (p === 0) { this.block = -1; return -1; }
      if (p > 0) {
        const b = p - 1;
        const rel = lo - this.base[b]!;
        const kind = this.kind[b]!;
        this.block = b;
        const shift = this.strideShift[b]!;
        if (kind !== BLOCK_GICR) {
          this.redist = 0;
          this.offset = rel;
        } else if (shift >= 0) {
          this.redist = rel >>> shift; // rel < 2^32 here, and the shift avoids a division
          this.offset = rel & ((1 << shift) - 1);
        } else {
          const stride = this.stride[b]!;
          this.redist = Math.floor(rel / stride);
          this.offset = rel - this.redist * stride;
        }
        return kind;
      }
    }
    return this.find(hi * 4294967296 + lo);
  }

  /** Finds the block containing `addr`; sets block/offset/redist and returns the block kind or -1. */
  find(addr: number): number {
    for (let b = 0; b < this.n; b++) {
      const rel = addr - this.base[b]!;
      if (rel >= 0 && rel < this.size[b]!) {
        this.block = b;
        const kind = this.kind[b]!;
        if (kind === BLOCK_GICR) {
          const stride = this.stride[b]!;
          this.redist = Math.floor(rel / stride);
          this.offset = rel - this.redist * stride;
        } else {
          this.redist = 0;
          this.offset = rel;
        }
        return kind;
      }
    }
    this.block = -1;
    return -1;
  }
}
