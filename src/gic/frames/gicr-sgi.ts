/**
 * GICv3 redistributor SGI_base registers, at RD_base + 0x10000 (vgic.md §6.2). KVM describes them
 * as fixed-length regions; they carry bits-per-IRQ here so decoding can name the INTID.
 */
import { H, type RegisterDescriptor } from '../descriptor.ts';

const SGI = 0x10000;
const banked = (name: string, off: number, bpi: number, length: number, handler: RegisterDescriptor['handler'],
  widths: RegisterDescriptor['widths'], summary: string, irqBase = 0): RegisterDescriptor =>
  ({ name, offset: SGI + off, length, bitsPerIrq: bpi, widths, handler, irqBase, summary });

export const GICR_SGI_REGISTERS: readonly RegisterDescriptor[] = [
  banked('GICR_IGROUPR0', 0x0080, 1, 4, H.GROUP, [32], 'group of SGIs/PPIs; writability per revision'),
  banked('GICR_ISENABLER0', 0x0100, 1, 4, H.ENABLE_SET, [32], '1 = enable; reset 0x0000FFFF'),
  banked('GICR_ICENABLER0', 0x0180, 1, 4, H.ENABLE_CLEAR, [32], '1 = disable'),
  banked('GICR_ISPENDR0', 0x0200, 1, 4, H.PEND_SET, [32], '1 = set pending'),
  banked('GICR_ICPENDR0', 0x0280, 1, 4, H.PEND_CLEAR, [32], '1 = clear pending'),
  banked('GICR_ISACTIVER0', 0x0300, 1, 4, H.ACTIVE_SET, [32], '1 = set active'),
  banked('GICR_ICACTIVER0', 0x0380, 1, 4, H.ACTIVE_CLEAR, [32], '1 = clear active'),
  banked('GICR_IPRIORITYR', 0x0400, 8, 32, H.PRIORITY, [8, 32], 'priority byte & 0xF8'),
  banked('GICR_ICFGR0', 0x0c00, 2, 4, H.CONFIG, [32], 'SGIs edge: reads 0xAAAAAAAA, read-only'),
  banked('GICR_ICFGR1', 0x0c04, 2, 4, H.CONFIG, [32], 'PPIs level: reads 0, read-only', 16),
  banked('GICR_IGRPMODR0', 0x0d00, 1, 4, H.RAZ_WI, [32], 'RAZ/WI (DS = 1)'),
  banked('GICR_NSACR', 0x0e00, 2, 4, H.RAZ_WI, [32], 'RAZ/WI'),
];
