/**
 * GIC memory maps of the VMMs abitrace knows, computed the way each VMM computes them. Where a
 * VMM places the redistributors below the distributor, their base depends on the vCPU count.
 *
 * Sources (looked up in the VMMs' own trees):
 * - QEMU `hw/arm/virt.c` `base_memmap` (VIRT_GIC_DIST 0x08000000, VIRT_GIC_CPU 0x08010000,
 *   VIRT_GIC_V2M 0x08020000, VIRT_GIC_ITS 0x08080000, VIRT_GIC_REDIST 0x080A0000 size 0xF60000);
 *   the spec's abi-changes.md §1 table and the bundled capture's machine.dts agree. The low
 *   region holds 123 redistributors; vCPUs 123 and above get VIRT_HIGH_GIC_REDIST2 (64 MiB, 512
 *   redistributors), the first high-memory region, at 256 GiB when the RAM ends below it
 *   (`virt_set_high_memmap`; KVM region 1, `virt_gicv3_redist_region_count`).
 * - Firecracker `src/vmm/src/arch/aarch64/gic/gicv3/mod.rs`, `gicv2/mod.rs`, `arch/aarch64/layout.rs`
 *   at 81b38b9dad60 (v1.16.0-dev, Aug 2026): MMIO32_MEM_START = 1 GiB; GICv3 dist = 1 GiB − 64 KiB,
 *   redists = dist − n × 128 KiB, ITS ("MSI") = redists − 128 KiB (ITS since 3b943af0e, 2025);
 *   GICv2 dist = 1 GiB − 4 KiB, CPU = dist − 8 KiB. nr_irqs = 32 + 96 (128).
 * - Cloud Hypervisor `arch/src/aarch64/layout.rs` + `devices/src/gic.rs` at ae44c2971c83 (v53.0+):
 *   MAPPED_IO_START 0x0900_0000, GIC_V3_DIST_START = 0x08FF_0000, redists = dist − n × 128 KiB,
 *   ITS = redists − 128 KiB; GICv3 only; nr_irqs 256.
 * - kvmtool `arm/include/arm-common/kvm-arch.h` + `arm/gic.c` at b48735e5d562 (Aug 2024):
 *   ARM_GIC_DIST_BASE = 1 GiB − 64 KiB, ARM_GIC_CPUI_BASE = dist − 128 KiB; GICv3 redists =
 *   dist − n × 128 KiB, ITS = redists − 128 KiB; GICv2m = CPUI − 4 KiB.
 */
import type { VmmKind } from '../ingest/types.ts';
import type { BlockRange } from './layout.ts';

export const PLATFORM_IDS = ['qemu-virt', 'firecracker', 'cloud-hypervisor', 'kvmtool'] as const;
export type PlatformId = (typeof PLATFORM_IDS)[number];

export interface PlatformShape {
  gicVersion: 2 | 3;
  /** vCPUs, for maps that depend on it; the caller passes its best evidence (at least 1). */
  nrVcpus: number;
  its: boolean;
}

export interface PlatformDef {
  id: PlatformId;
  vmm: VmmKind;
  gicVersions: readonly (2 | 3)[];
  /** nr_irqs the VMM configures (a default for the emulator when no GICD_TYPER read is seen). */
  nrIrqs: number;
  /** Whether the redistributor base moves with the vCPU count. */
  redistDependsOnVcpus: boolean;
  /** A second redistributor region for the vCPUs from `firstVcpu` on (QEMU virt). */
  highRedist?: { base: number; firstVcpu: number; maxVcpus: number };
  blocks(shape: PlatformShape): BlockRange[];
  citation: string;
}

const KiB = 1024;
const V3_DIST = 64 * KiB;
const V2_DIST = 4 * KiB; // KVM_VGIC_V2_DIST_SIZE: the in-kernel frame, whatever the VMM reserves
const V2_CPU = 8 * KiB; // KVM_VGIC_V2_CPU_SIZE
const REDIST = 128 * KiB; // KVM_VGIC_V3_REDIST_SIZE
const ITS = 128 * KiB;
const V2M = 4 * KiB;

/** Distributor on top, redistributors right below it, ITS below those (Firecracker, CH, kvmtool). */
function stackedV3(dist: number, shape: PlatformShape): BlockRange[] {
  const n = Math.max(1, shape.nrVcpus);
  const redist = dist - n * REDIST;
  const out: BlockRange[] = [
    { block: 'GICD', base: dist, size: V3_DIST },
    { block: 'GICR', base: redist, size: n * REDIST, stride: REDIST },
  ];
  if (shape.its) out.push({ block: 'GITS', base: redist - ITS, size: ITS });
  return out;
}

const QEMU_REDIST = { base: 0x080a0000, size: 0xf60000 };
const QEMU_HIGH_REDIST = { base: 0x40_0000_0000, firstVcpu: 0xf60000 / REDIST, maxVcpus: 0x4000000 / REDIST };

export const PLATFORMS: readonly PlatformDef[] = [
  {
    id: 'qemu-virt',
    vmm: 'qemu',
    gicVersions: [3, 2],
    nrIrqs: 288,
    redistDependsOnVcpus: false,
    highRedist: QEMU_HIGH_REDIST,
    citation: 'QEMU hw/arm/virt.c base_memmap',
    blocks: (s) =>
      s.gicVersion === 3
        ? [
            { block: 'GICD', base: 0x08000000, size: V3_DIST },
            ...(s.its ? [{ block: 'GITS' as const, base: 0x08080000, size: ITS }] : []),
            { block: 'GICR', base: QEMU_REDIST.base, size: QEMU_REDIST.size, stride: REDIST },
            ...(s.nrVcpus > QEMU_HIGH_REDIST.firstVcpu
              ? [{ block: 'GICR' as const, base: QEMU_HIGH_REDIST.base, stride: REDIST,
                   size: Math.min(s.nrVcpus - QEMU_HIGH_REDIST.firstVcpu, QEMU_HIGH_REDIST.maxVcpus) * REDIST }]
              : []),
          ]
        : [
            { block: 'GICD', base: 0x08000000, size: V2_DIST },
            { block: 'GICC', base: 0x08010000, size: V2_CPU },
            { block: 'GICV2M', base: 0x08020000, size: V2M },
          ],
  },
  {
    id: 'firecracker',
    vmm: 'firecracker',
    gicVersions: [3, 2],
    nrIrqs: 128,
    redistDependsOnVcpus: true,
    citation: 'firecracker src/vmm/src/arch/aarch64/gic/gicv3/mod.rs @81b38b9dad60',
    blocks: (s) =>
      s.gicVersion === 3
        ? stackedV3(0x40000000 - V3_DIST, s)
        : [
            { block: 'GICD', base: 0x40000000 - V2_DIST, size: V2_DIST },
            { block: 'GICC', base: 0x40000000 - V2_DIST - V2_CPU, size: V2_CPU },
          ],
  },
  {
    id: 'cloud-hypervisor',
    vmm: 'cloud-hypervisor',
    gicVersions: [3],
    nrIrqs: 256,
    redistDependsOnVcpus: true,
    citation: 'cloud-hypervisor arch/src/aarch64/layout.rs + devices/src/gic.rs @ae44c2971c83',
    blocks: (s) => stackedV3(0x09000000 - V3_DIST, s),
  },
  {
    id: 'kvmtool',
    vmm: 'kvmtool',
    gicVersions: [3, 2],
    nrIrqs: 256,
    redistDependsOnVcpus: true,
    citation: 'kvmtool arm/include/arm-common/kvm-arch.h + arm/gic.c @b48735e5d562',
    blocks: (s) =>
      s.gicVersion === 3
        ? stackedV3(0x40000000 - V3_DIST, s)
        : [
            { block: 'GICD', base: 0x40000000 - V3_DIST, size: V2_DIST },
            { block: 'GICC', base: 0x40000000 - V3_DIST - 0x20000, size: V2_CPU },
            ...(s.its ? [{ block: 'GICV2M' as const, base: 0x40000000 - V3_DIST - 0x20000 - V2M, size: V2M }] : []),
          ],
  },
];

export function platformById(id: string): PlatformDef | undefined {
  return PLATFORMS.find((p) => p.id === id);
}

export function platformForVmm(vmm: VmmKind): PlatformDef {
  return PLATFORMS.find((p) => p.vmm === vmm)!;
}
