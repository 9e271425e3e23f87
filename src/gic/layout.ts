/**
 * Where each VM's GIC frames live in guest-physical space, and how that was decided.
 * CONTRACT between the importer (stores `vm_blocks` rows), the decode view and the replayer.
 *
 * STUB: owned by the register-catalogue work; replace the body of resolveLayouts with real
 * platform tables (qemu-virt, firecracker, cloud-hypervisor, kvmtool) and detection.
 */
import type { ParseSummary, VmmKind } from '../ingest/types.ts';

export const GIC_BLOCKS = ['GICD', 'GICR', 'GITS', 'GICC', 'GICV2M'] as const;
export type GicBlock = (typeof GIC_BLOCKS)[number];

export interface BlockRange {
  block: GicBlock;
  base: number;
  /** Bytes covered by the block (for GICR: the whole redistributor region). */
  size: number;
  /** GICR only: distance between redistributors (0x20000 for GICv3). */
  stride?: number;
}

export interface VmLayout {
  vm: string;
  vmm: VmmKind | null;
  /** 'qemu-virt' | 'firecracker' | 'cloud-hypervisor' | 'kvmtool' | 'custom' */
  platform: string;
  gicVersion: 2 | 3 | null;
  blocks: BlockRange[];
  /** How the layout was chosen: 'flags', 'platform-flag', 'qemu-regions', 'detected', 'vmm-default'. */
  source: string;
}

export interface LayoutOverrides {
  platform?: string;
  gicdBase?: number;
  gicrBase?: number;
  itsBase?: number;
  giccBase?: number;
  gicVersion?: 2 | 3;
}

export function resolveLayouts(summary: ParseSummary, overrides: LayoutOverrides): VmLayout[] {
  // Minimal stand-in: everything is qemu-virt GICv3.
  return summary.vms.map((vm) => ({
    vm,
    vmm: null,
    platform: overrides.platform ?? 'qemu-virt',
    gicVersion: 3 as const,
    blocks: [
      { block: 'GICD' as const, base: overrides.gicdBase ?? 0x08000000, size: 0x10000 },
      { block: 'GITS' as const, base: overrides.itsBase ?? 0x08080000, size: 0x20000 },
      { block: 'GICR' as const, base: overrides.gicrBase ?? 0x080a0000, size: 0xf60000, stride: 0x20000 },
    ],
    source: 'vmm-default',
  }));
}
