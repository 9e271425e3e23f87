/**
 * A VM's GIC blocks, for the per-access address lookup in the hot loop: a 64 KiB page table
 * (addresses below 4 GiB) whose entries already hold the block kind, the redistributor index and
 * the offset of the page within its frame, so a lookup is one load and a shift. Pages a block
 * covers only in part resolve through 4 KiB granules (GICv2's 4/8 KiB frames); anything else —
 * addresses above 4 GiB, overlapping or unaligned blocks — through a scan in layout order, which
 * is the reference semantics (first block containing the address wins).
 */
import { redistRegions, type VmLayout } from '../gic/layout.ts';
import { gicdVersionForSize } from '../gic/decode.ts';

export const BLOCK_GICD = 0;
export const BLOCK_GICR = 1;
export const BLOCK_GICC = 2;
export const BLOCK_GITS = 3;
export const BLOCK_GICV2M = 4;
const KIND: Record<string, number> = { GICD: BLOCK_GICD, GICR: BLOCK_GICR, GICC: BLOCK_GICC, GITS: BLOCK_GITS, GICV2M: BLOCK_GICV2M };

/*
 * Location info, one int32: bits 0–2 block kind + 1 (0 = no block), bits 3–11 the page's or
 * granule's offset in its frame in 4 KiB units, bits 12–30 the redistributor index.
 */
const MAX_FRAME_OFFSET = 0x1ff << 12;
const MAX_REDIST = (1 << 19) - 1;
/** Page-table entry: resolve through the scan (`lookup()`); -2 - g: granule table g. */
export const PAGE_SCAN = -1;

/** The info word of a location, or -1 when it does not fit the encoding. */
function pack(kind: number, frameOffset: number, redist: number): number {
  if (frameOffset % 4096 !== 0 || frameOffset > MAX_FRAME_OFFSET || redist > MAX_REDIST) return -1;
  return (kind + 1) | ((frameOffset >>> 12) << 3) | (redist << 12);
}

export class VmBlocks {
  readonly n: number;
  readonly base: Float64Array;
  readonly size: Float64Array;
  readonly stride: Float64Array;
  /** GICR blocks: index of the block's first redistributor (redistRegions); 0 otherwise. */
  readonly firstRedist: Float64Array;
  /** Index of the first redistributor of the highest GICR region (0 with one region). */
  readonly lastRegionFirstRedist: number;
  readonly kind: Uint8Array;
  /** GIC version the distributor block implies (4 KiB = GICv2), or the layout's. */
  readonly gicVersion: 2 | 3;
  /**
   * 64 KiB page (address bits 16–31) → location info (> 0), 0 = no block, -2 - g = see granule
   * table g, PAGE_SCAN = ask lookup(). The hot loop reads it directly: offset = frame offset +
   * (addr & 0xffff).
   */
  readonly pages: Int32Array;
  /**
   * 4 KiB granules of the pages blocks share or cover in part (GICv2's 4/8 KiB frames): 16
   * entries per table, same encoding (offset = frame offset + (addr & 0xfff)), PAGE_SCAN = scan.
   */
  readonly granules: Int32Array;
  // Result of the last find()/findLoHi()/lookup().
  offset = 0;
  redist = 0;

  constructor(layout: VmLayout) {
    const blocks = layout.blocks;
    this.n = blocks.length;
    this.base = new Float64Array(blocks.map((b) => b.base));
    this.size = new Float64Array(blocks.map((b) => b.size));
    this.stride = new Float64Array(blocks.map((b) => b.stride ?? b.size));
    const regions = redistRegions(blocks);
    this.firstRedist = new Float64Array(blocks.map((b) => (b.block === 'GICR' ? regions.find((r) => r.base === b.base)!.first : 0)));
    this.lastRegionFirstRedist = regions.at(-1)?.first ?? 0;
    this.kind = new Uint8Array(blocks.map((b) => KIND[b.block]!));
    this.pages = new Int32Array(65536);
    const granules: number[] = [];
    const seen = new Set<number>();
    for (const b of blocks) {
      if (b.base >= 2 ** 32) continue;
      const last = Math.min(Math.floor((b.base + b.size - 1) / 65536), 65535);
      for (let p = Math.floor(b.base / 65536); p <= last; p++) {
        if (seen.has(p)) continue;
        seen.add(p);
        const info = this.uniform(p * 65536, 65536);
        if (info > 0) this.pages[p] = info;
        else {
          this.pages[p] = -2 - granules.length / 16;
          for (let k = 0; k < 16; k++) granules.push(this.uniform(p * 65536 + k * 4096, 4096));
        }
      }
    }
    this.granules = Int32Array.from(granules);
    const gicd = blocks.find((b) => b.block === 'GICD');
    this.gicVersion = gicd ? gicdVersionForSize(gicd.size) : (layout.gicVersion ?? 3);
  }

  /**
   * Location info valid for every address of [start, start + n): the block find() returns is the
   * same one throughout and the range stays within one redistributor. 0 = no block anywhere in
   * the range, -1 = not uniform (use the scan).
   */
  private uniform(start: number, n: number): number {
    const end = start + n;
    let first = -1;
    let any = false;
    for (let b = 0; b < this.n; b++) {
      const lo = this.base[b]!;
      const hi = lo + this.size[b]!;
      if (hi <= start || lo >= end) continue;
      any = true;
      if (first < 0) first = b;
    }
    if (!any) return 0;
    const b = first;
    const base = this.base[b]!;
    // The first block must cover the range whole (else part of it falls to a later block or none).
    if (base > start || base + this.size[b]! < end) return -1;
    const rel = start - base;
    const kind = this.kind[b]!;
    if (kind !== BLOCK_GICR) return pack(kind, rel, 0);
    const stride = this.stride[b]!;
    const redist = Math.floor(rel / stride);
    const within = rel - redist * stride;
    if (within + n > stride) return -1;
    return pack(kind, within, this.firstRedist[b]! + redist);
  }

  /**
   * Location info of `hi:lo` for the addresses the page table does not answer directly; sets
   * `offset` (and block/redist). 0 = outside every block.
   */
  lookup(lo: number, hi: number): number {
    if (hi === 0) {
      const p = this.pages[lo >>> 16]!;
      const info = p >= PAGE_SCAN ? p : this.granules[(-2 - p) * 16 + ((lo >>> 12) & 15)]!;
      if (info > 0) {
        this.offset = (((info >>> 3) & 0x1ff) << 12) + (lo & (p > 0 ? 0xffff : 0xfff));
        this.redist = info >>> 12;
        return info;
      }
      if (info === 0) return 0;
    }
    const kind = this.find(hi * 4294967296 + lo);
    if (kind < 0) return 0;
    // The offset is in this.offset (the info's offset bits are unused on this path); an index
    // beyond the encoding is beyond any vCPU too, so it stays out of range when capped.
    return (kind + 1) | (Math.min(this.redist, MAX_REDIST) << 12);
  }

  /** Finds the block of the address `hi:lo`; sets offset/redist and returns the block kind or -1. */
  findLoHi(lo: number, hi: number): number {
    if (hi === 0) {
      const info = this.pages[lo >>> 16]!;
      if (info > 0) {
        this.offset = (((info >>> 3) & 0x1ff) << 12) + (lo & 0xffff);
        this.redist = info >>> 12;
        return (info & 7) - 1;
      }
      if (info === 0) return -1;
    }
    const info = this.lookup(lo, hi);
    return (info & 7) - 1;
  }

  /** Finds the block containing `addr`; sets offset/redist and returns the block kind or -1. */
  find(addr: number): number {
    for (let b = 0; b < this.n; b++) {
      const rel = addr - this.base[b]!;
      if (rel >= 0 && rel < this.size[b]!) {
        const kind = this.kind[b]!;
        if (kind === BLOCK_GICR) {
          const stride = this.stride[b]!;
          const r = Math.floor(rel / stride);
          this.offset = rel - r * stride;
          this.redist = this.firstRedist[b]! + r;
        } else {
          this.redist = 0;
          this.offset = rel;
        }
        return kind;
      }
    }
    return -1;
  }
}

/** One VmBlocks per distinct layout (VMs of one VMM and size share their page table). */
export class VmBlocksCache {
  private readonly byKey = new Map<string, VmBlocks>();

  get(layout: VmLayout): VmBlocks {
    const key = JSON.stringify([layout.gicVersion, layout.blocks.map((b) => [b.block, b.base, b.size, b.stride ?? null])]);
    let v = this.byKey.get(key);
    if (!v) {
      v = new VmBlocks(layout);
      this.byKey.set(key, v);
    }
    return v;
  }
}
