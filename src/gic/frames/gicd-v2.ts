/**
 * GICv2 distributor (4 KiB), KVM's `vgic_v2_dist_registers` (vgic.md §7.1). Per-IRQ arrays include
 * the banked private INTIDs 0–31 of the accessing vCPU.
 */
import { fixed, H, idRegisters, perIrq, type FrameDef } from '../descriptor.ts';

export const GICD_V2: FrameDef = {
  id: 'gicd-v2',
  block: 'GICD',
  gicVersion: 2,
  size: 0x1000,
  registers: [
    fixed('GICD_CTLR', 0x000, 4, H.D_CTLR, [32], 'Enable (bit 0)'),
    fixed('GICD_TYPER', 0x004, 4, H.D_TYPER, [32], 'ITLinesNumber, CPUNumber [7:5]'),
    fixed('GICD_IIDR', 0x008, 4, H.D_IIDR, [32], '0x4B00r43B, r = implementation revision'),
    perIrq('GICD_IGROUPR', 0x080, 1, H.GROUP, [32], 'group per IRQ; rev 0 RAO/WI, rev 1 read-only, rev >= 2 writable'),
    perIrq('GICD_ISENABLER', 0x100, 1, H.ENABLE_SET, [32], '1 = enable'),
    perIrq('GICD_ICENABLER', 0x180, 1, H.ENABLE_CLEAR, [32], '1 = disable'),
    perIrq('GICD_ISPENDR', 0x200, 1, H.PEND_SET, [32], '1 = set pending; SGI bits ignored'),
    perIrq('GICD_ICPENDR', 0x280, 1, H.PEND_CLEAR, [32], '1 = clear pending; SGI bits ignored'),
    perIrq('GICD_ISACTIVER', 0x300, 1, H.ACTIVE_SET, [32], '1 = set active'),
    perIrq('GICD_ICACTIVER', 0x380, 1, H.ACTIVE_CLEAR, [32], '1 = clear active'),
    perIrq('GICD_IPRIORITYR', 0x400, 8, H.PRIORITY, [8, 32], 'priority byte & 0xF8'),
    perIrq('GICD_ITARGETSR', 0x800, 8, H.TARGETS, [8, 32], 'CPU targets; INTIDs 0-31 read 1 << vcpu'),
    perIrq('GICD_ICFGR', 0xc00, 2, H.CONFIG, [32], '0b10 = edge; SPIs only'),
    fixed('GICD_PPISR', 0xd00, 4, H.RAZ_WI, [32], 'no region: RAZ/WI', { implemented: false }),
    fixed('GICD_SPISR', 0xd04, 0x7c, H.RAZ_WI, [32], 'no region: RAZ/WI', { implemented: false }),
    perIrq('GICD_NSACR', 0xe00, 2, H.RAZ_WI, [32], 'no region: RAZ/WI', { implemented: false }),
    fixed('GICD_SGIR', 0xf00, 4, H.SGIR, [32], 'SGIINTID [3:0], CPUTargetList [23:16], TargetListFilter [25:24]'),
    // one byte per SGI (byte i: source CPUs of SGI (offset & 0xF) + i), so each byte names an INTID
    fixed('GICD_CPENDSGIR', 0xf10, 16, H.SGI_PEND_CLEAR, [8, 32], 'SGI source bitmaps, clear', { bitsPerIrq: 8, irqBase: 0 }),
    fixed('GICD_SPENDSGIR', 0xf20, 16, H.SGI_PEND_SET, [8, 32], 'SGI source bitmaps, set', { bitsPerIrq: 8, irqBase: 0 }),
    ...idRegisters('GICD', 0, H.RAZ_WI, false, 0xfd0),
  ],
};
