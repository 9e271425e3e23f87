/**
 * Decoding a guest-physical address against a VM's layout: block, register, offset, redistributor
 * and INTID. The SQL view `accesses_decoded` computes exactly the same (test/gic/decode-sql.test.ts
 * sweeps both). A GICD block of at most 4 KiB decodes as a GICv2 distributor, larger as GICv3
 * (KVM_VGIC_V2_DIST_SIZE vs KVM_VGIC_V3_DIST_SIZE) — the rule SQL also uses.
 */
import type { FrameDef, RegisterDescriptor } from './descriptor.ts';
import { firstIntid } from './descriptor.ts';
import { frameFor, lookupOffset } from './catalogue.ts';
import { firstRedistIndex, type BlockRange, type GicBlock } from './layout.ts';

export interface DecodedAddress {
  block: GicBlock | 'OTHER';
  /** Register name (architectural, without `<n>`), null for holes in a frame and non-GIC addresses. */
  reg: string | null;
  /** Offset from the block base; for GICR from the accessed redistributor's RD_base. */
  offset: number | null;
  /** Redistributor index (GICR only). */
  redist: number | null;
  /** First INTID the access covers (per-IRQ registers only). */
  irq: number | null;
  frame: FrameDef | null;
  descriptor: RegisterDescriptor | null;
  base: number | null;
}

/** GICv2 distributor iff the block is at most 4 KiB. */
export function gicdVersionForSize(size: number): 2 | 3 {
  return size <= 0x1000 ? 2 : 3;
}

export function blockFrame(b: BlockRange): FrameDef {
  const version: 2 | 3 = b.block === 'GICD' ? gicdVersionForSize(b.size) : b.block === 'GICC' || b.block === 'GICV2M' ? 2 : 3;
  return frameFor(b.block, version);
}

export function decodeAddress(blocks: readonly BlockRange[], gpa: number): DecodedAddress {
  for (const b of blocks) {
    if (gpa < b.base || gpa >= b.base + b.size) continue;
    const rel = gpa - b.base;
    const stride = b.block === 'GICR' ? (b.stride ?? 0x20000) : 0;
    const offset = stride ? rel % stride : rel;
    const frame = blockFrame(b);
    const d = lookupOffset(frame, offset) ?? null;
    const irq = d && d.bitsPerIrq > 0 ? firstIntid(d, offset) : null;
    const redist = stride ? firstRedistIndex(blocks, b) + Math.floor(rel / stride) : null;
    return { block: b.block, reg: d?.name ?? null, offset, redist, irq, frame, descriptor: d, base: b.base };
  }
  return { block: 'OTHER', reg: null, offset: null, redist: null, irq: null, frame: null, descriptor: null, base: null };
}
