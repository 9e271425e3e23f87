/**
 * What the generator needs from a vGIC model: the value KVM returns for a guest read, the effect
 * of a guest write, and whether an interrupt would be signalled to a vCPU. Implemented by
 * ./emulator-model.ts (the project's emulator, with ./its.ts for the ITS frame); tests inject
 * an independent reference model (test/generate/reference-model) to cross-check it.
 */
import type { U64 } from './u64.ts';

export interface GicConfig {
  version: 2 | 3;
  /** GICD_IIDR revision (vgic.md §2): 1, 2 or 3 (0 models a ≤ 4.18 host). */
  rev: number;
  /** Host kernel as major * 1000 + minor: INVLPIR/INVALLR/SYNCR exist from 5.19. */
  host: number;
  vcpus: number;
  /** Interrupt IDs (multiple of 32, 64..992). */
  nrIrqs: number;
  its: boolean;
  gicd: number;
  /** GICv3: redistributor region base (frame i at + i * 0x20000). */
  gicr: number;
  /** GICv3: a second redistributor region for the vCPUs from `first` on (QEMU virt, > 123 vCPUs). */
  gicrHigh?: { base: number; first: number };
  /** GICv3 with ITS: ITS frame base. */
  gits: number;
  /** GICv2: CPU interface base (hardware GICV page: accesses do not trap). */
  gicc: number;
}

export interface GicValueModel {
  readonly config: GicConfig;
  /** True when `gpa` falls in a frame the in-kernel vGIC claims (so KVM answers, no VMM exit). */
  claims(gpa: number): boolean;
  /** Guest read by vCPU `vcpu`: the value KVM returns, zero-extended, into `out`. */
  read(vcpu: number, gpa: number, len: number, out: U64): void;
  write(vcpu: number, gpa: number, len: number, lo: number, hi: number): void;
  /**
   * Would `intid` be signalled to `vcpu`? Distributor enabled, interrupt enabled, and its group in
   * `groupMask` (bit g = the guest enabled group g in its CPU interface).
   */
  deliverable(vcpu: number, intid: number, groupMask: number): boolean;
}

/** GICD_IIDR for a revision: ProductID 0x4B, Variant 0, Revision r, Implementer 0x43B. */
export function gicdIidr(rev: number): number {
  return (0x4b000000 | ((rev & 0xf) << 12) | 0x43b) >>> 0;
}

/** KVM's default MPIDR affinity of a vCPU in IROUTER layout (Aff2 << 16 | Aff1 << 8 | Aff0). */
export function vcpuAffinity(id: number): number {
  return (((id >>> 12) & 0xff) << 16) | (((id >>> 4) & 0xff) << 8) | (id & 0xf);
}

/** Builds the value model of one generated VM. */
export type GicModelFactory = (config: GicConfig) => GicValueModel;

const RD_FRAME = 0x20000;

/** RD_base of redistributor `rd`: in the high region from its first vCPU on, else the low one. */
export function redistBase(c: GicConfig, rd: number): number {
  const h = c.gicrHigh;
  return h !== undefined && rd >= h.first ? h.base + (rd - h.first) * RD_FRAME : c.gicr + rd * RD_FRAME;
}

/** The redistributor whose 128 KiB frame holds `gpa`, or -1 (GICv3 only). */
export function redistAt(c: GicConfig, gpa: number): number {
  if (c.version !== 3) return -1;
  const h = c.gicrHigh;
  const low = h === undefined ? c.vcpus : Math.min(h.first, c.vcpus);
  if (gpa >= c.gicr && gpa < c.gicr + low * RD_FRAME) return Math.floor((gpa - c.gicr) / RD_FRAME);
  if (h !== undefined && gpa >= h.base && gpa < h.base + (c.vcpus - h.first) * RD_FRAME) return h.first + Math.floor((gpa - h.base) / RD_FRAME);
  return -1;
}
