/**
 * Register descriptors: one sorted table per GIC frame, in the style of Linux's
 * `vgic-mmio-v3.c` (`struct vgic_register_region`). The same tables drive the emulator
 * (handler kind + access rules), the SQL decode view (names, offsets, bits per IRQ) and the
 * `registers` command, so a register is described exactly once.
 */

/** What a register does when the emulator reads or writes it. The emulator switches on these. */
export const H = {
  RAZ_WI: 0, // reads 0, writes ignored
  RAO_WI: 1, // reads all ones, writes ignored (GICD_STATUSR)
  CONST: 2, // reads `constValue`, writes ignored (PIDR2, GICR_IIDR, GICC_IIDR)
  D_CTLR: 3, // GICD_CTLR (v3 and v2 flavours)
  D_TYPER: 4,
  D_IIDR: 5, // 0x4B00r43B, r from the revision profile
  D_TYPER2: 6,
  GROUP: 7,
  ENABLE_SET: 8,
  ENABLE_CLEAR: 9,
  PEND_SET: 10,
  PEND_CLEAR: 11,
  ACTIVE_SET: 12,
  ACTIVE_CLEAR: 13,
  PRIORITY: 14,
  CONFIG: 15,
  TARGETS: 16, // GICv2 ITARGETSR
  ROUTER: 17, // GICv3 IROUTER
  SGIR: 18, // GICv2 GICD_SGIR
  SGI_PEND_CLEAR: 19, // GICv2 CPENDSGIR
  SGI_PEND_SET: 20, // GICv2 SPENDSGIR
  R_CTLR: 21,
  R_TYPER: 22,
  PROPBASER: 23,
  PENDBASER: 24,
  INVLPIR: 25,
  INVALLR: 26,
  SYNCR: 27,
  GICC_DIR: 28, // GICv2 GICC_DIR, trapped on 6.19+ hosts
  UNMODELLED: 29, // real register the emulator does not model (ITS, GICv2m, GICC): value not predicted
} as const;
export type HandlerKind = (typeof H)[keyof typeof H];
export const HANDLER_NAMES: readonly string[] = Object.keys(H);

/** Host features that make a register exist at all (no region before ⇒ RAZ/WI). */
export type HostFeature = 'lpi-invalidation' /* 5.19+: INVLPIR/INVALLR/SYNCR */ | 'gicv-dir-trap' /* 6.19+: GICC_DIR */;

export type AccessWidth = 8 | 32 | 64;

export interface RegisterDescriptor {
  /** Architectural name without the `<n>` index: GICD_IGROUPR, GICR_IGROUPR0, GICD_IROUTER. */
  name: string;
  /** Byte offset from the frame base (GICR: from RD_base, so SGI_base registers are 0x1xxxx). */
  offset: number;
  /** Bytes covered. */
  length: number;
  /** Bits per interrupt for per-IRQ arrays; 0 for fixed registers. */
  bitsPerIrq: number;
  /** Allowed access sizes in bits. 16-bit accesses are never allowed (vgic.md §1.2). */
  widths: readonly AccessWidth[];
  handler: HandlerKind;
  /** First INTID covered by the register at `offset` (GICv3 distributor arrays start at 0; GICR_ICFGR1 at 16). */
  irqBase?: number;
  /** Per-IRQ arrays whose private part (INTIDs 0–31) is RAZ/WI in this frame (GICv3 distributor). */
  privateRaz?: boolean;
  /** Value for H.CONST. */
  constValue?: number;
  /** Present only on hosts with this feature; otherwise the offset falls in a RAZ/WI hole. */
  hostFeature?: HostFeature;
  /** false: architectural name KVM has no region for (RAZ/WI), kept so accesses are named. */
  implemented?: boolean;
  summary: string;
}

/** Access-size bitmask indexed by the access length in bytes: bit 1, bit 4, bit 8. */
export function accessMask(widths: readonly AccessWidth[]): number {
  let m = 0;
  for (const w of widths) m |= 1 << (w >>> 3);
  return m;
}

/** Shorthands that keep the tables one line per register. */
export function fixed(name: string, offset: number, length: number, handler: HandlerKind, widths: readonly AccessWidth[], summary: string,
  extra: Partial<RegisterDescriptor> = {}): RegisterDescriptor {
  return { name, offset, length, bitsPerIrq: 0, widths, handler, summary, ...extra };
}

/** A per-IRQ array covering 1024 INTIDs (`REGISTER_DESC_WITH_BITS_PER_IRQ`): bpi × 1024 / 8 bytes. */
export function perIrq(name: string, offset: number, bpi: number, handler: HandlerKind, widths: readonly AccessWidth[], summary: string,
  extra: Partial<RegisterDescriptor> = {}): RegisterDescriptor {
  return { name, offset, length: (bpi * 1024) / 8, bitsPerIrq: bpi, widths, handler, irqBase: 0, summary, ...extra };
}

/** The PIDR/CIDR block at base..base+0x2F (0xFFD0 on GICv3 frames; PIDR5–7 are reserved slots). */
export function idRegisters(prefix: string, pidr2: number, handler: HandlerKind = H.CONST, implemented = true, base = 0xffd0): RegisterDescriptor[] {
  const names = ['PIDR4', 'PIDR5', 'PIDR6', 'PIDR7', 'PIDR0', 'PIDR1', 'PIDR2', 'PIDR3', 'CIDR0', 'CIDR1', 'CIDR2', 'CIDR3'];
  return names.map((n, i) =>
    fixed(`${prefix}_${n}`, base + 4 * i, 4, handler, [32], n === 'PIDR2' ? 'Peripheral ID 2: ArchRev in [7:4]' : 'ID register',
      { constValue: n === 'PIDR2' ? pidr2 : 0, implemented }),
  );
}

/** A frame: one register table plus where it sits. */
export interface FrameDef {
  /** Stable frame id used in SQL (`register_offsets.frame`) and the emulator. */
  id: FrameId;
  block: 'GICD' | 'GICR' | 'GITS' | 'GICC' | 'GICV2M';
  gicVersion: 2 | 3;
  /** Bytes the frame spans (GICR: one redistributor, RD_base + SGI_base). */
  size: number;
  registers: readonly RegisterDescriptor[];
}
export type FrameId = 'gicd-v3' | 'gicr-v3' | 'gits-v3' | 'gicd-v2' | 'gicc-v2' | 'gicv2m';

/** Checks a table is sorted and non-overlapping (run by tests and at start-up of the offset tables). */
export function validateTable(frame: FrameDef): void {
  let end = 0;
  for (const r of frame.registers) {
    if (r.offset < end) throw new Error(`${frame.id}: ${r.name} at 0x${r.offset.toString(16)} overlaps or is out of order`);
    if (r.offset + r.length > frame.size) throw new Error(`${frame.id}: ${r.name} runs past the frame`);
    if (r.offset % 4 !== 0 || r.length % 4 !== 0) throw new Error(`${frame.id}: ${r.name} not word-aligned`);
    end = r.offset + r.length;
  }
}

/**
 * Precomputed dispatch: word index (offset >> 2) → descriptor index, -1 for holes. Every
 * descriptor starts and ends on a word boundary, so byte accesses resolve through their word.
 */
export function buildOffsetTable(frame: FrameDef): Int16Array {
  validateTable(frame);
  const t = new Int16Array(frame.size >>> 2).fill(-1);
  frame.registers.forEach((r, i) => t.fill(i, r.offset >>> 2, (r.offset + r.length) >>> 2));
  return t;
}

/** Binary search, the kernel's `vgic_find_mmio_region`, for callers without an offset table. */
export function findRegister(frame: FrameDef, offset: number): RegisterDescriptor | undefined {
  const regs = frame.registers;
  let lo = 0;
  let hi = regs.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const r = regs[mid]!;
    if (offset < r.offset) hi = mid - 1;
    else if (offset >= r.offset + r.length) lo = mid + 1;
    else return r;
  }
  return undefined;
}

/** First INTID an access at `offset` covers, or -1 for fixed registers (`VGIC_ADDR_TO_INTID`). */
export function firstIntid(r: RegisterDescriptor, offset: number): number {
  if (r.bitsPerIrq === 0) return -1;
  return (r.irqBase ?? 0) + Math.floor(((offset - r.offset) * 8) / r.bitsPerIrq);
}

/** Which register index an access names: IGROUPR<n>, IPRIORITYR<n>, IROUTER<n>; -1 for fixed registers. */
export function registerIndex(r: RegisterDescriptor, offset: number): number {
  if (!isRegisterArray(r)) return -1;
  return Math.floor((offset - r.offset) / indexStep(r));
}

/**
 * Bytes between `<n>` and `<n+1>` of a register array: 8 for GICD_IROUTER<n> and 64-bit
 * registers (GITS_BASER<n>), else 4.
 */
export function indexStep(r: RegisterDescriptor): number {
  if (r.bitsPerIrq > 0) return r.bitsPerIrq === 64 ? 8 : 4;
  return Math.max(...r.widths) >= 64 ? 8 : 4;
}

/** Whether `<n>` names exist: per-IRQ arrays and fixed arrays (GICD_CPENDSGIR<n>, GICC_APR<n>, GITS_BASER<n>). */
export function isRegisterArray(r: RegisterDescriptor): boolean {
  return r.bitsPerIrq > 0 || r.length > indexStep(r);
}
