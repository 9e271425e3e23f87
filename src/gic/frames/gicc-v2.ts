/**
 * GICv2 CPU interface (GICC). Backed by the hardware GICV page, so guest accesses normally never
 * trap; only GICC_DIR (second 4 KiB page) is trapped, on 6.19+ hosts (vgic.md §7.2).
 */
import { fixed, H, type FrameDef } from '../descriptor.ts';

const hw = { implemented: false } as const;

export const GICC_V2: FrameDef = {
  id: 'gicc-v2',
  block: 'GICC',
  gicVersion: 2,
  size: 0x2000,
  registers: [
    fixed('GICC_CTLR', 0x00, 4, H.UNMODELLED, [32], 'hardware GICV (not trapped)', hw),
    fixed('GICC_PMR', 0x04, 4, H.UNMODELLED, [32], 'hardware GICV (not trapped)', hw),
    fixed('GICC_BPR', 0x08, 4, H.UNMODELLED, [32], 'hardware GICV (not trapped)', hw),
    fixed('GICC_IAR', 0x0c, 4, H.UNMODELLED, [32], 'hardware GICV (not trapped)', hw),
    fixed('GICC_EOIR', 0x10, 4, H.UNMODELLED, [32], 'hardware GICV (not trapped)', hw),
    fixed('GICC_RPR', 0x14, 4, H.UNMODELLED, [32], 'hardware GICV (not trapped)', hw),
    fixed('GICC_HPPIR', 0x18, 4, H.UNMODELLED, [32], 'hardware GICV (not trapped)', hw),
    fixed('GICC_ABPR', 0x1c, 4, H.UNMODELLED, [32], 'hardware GICV (not trapped)', hw),
    fixed('GICC_AIAR', 0x20, 4, H.UNMODELLED, [32], 'hardware GICV (not trapped)', hw),
    fixed('GICC_AEOIR', 0x24, 4, H.UNMODELLED, [32], 'hardware GICV (not trapped)', hw),
    fixed('GICC_AHPPIR', 0x28, 4, H.UNMODELLED, [32], 'hardware GICV (not trapped)', hw),
    fixed('GICC_APR', 0xd0, 16, H.UNMODELLED, [32], 'hardware GICV (not trapped)', hw),
    fixed('GICC_NSAPR', 0xe0, 16, H.UNMODELLED, [32], 'hardware GICV (not trapped)', hw),
    fixed('GICC_IIDR', 0xfc, 4, H.UNMODELLED, [32], 'hardware GICV; userspace value 0x04B2043B', hw),
    fixed('GICC_DIR', 0x1000, 4, H.GICC_DIR, [32], 'deactivate (EOImode 1); trapped on 6.19+ hosts', { hostFeature: 'gicv-dir-trap' }),
  ],
};
