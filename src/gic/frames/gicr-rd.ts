/** GICv3 redistributor RD_base registers (first 64 KiB of each 128 KiB frame), vgic.md §6.1. */
import { fixed, H, idRegisters, type RegisterDescriptor } from '../descriptor.ts';

export const GICR_RD_REGISTERS: readonly RegisterDescriptor[] = [
  fixed('GICR_CTLR', 0x0000, 4, H.R_CTLR, [32], 'EnableLPIs (bit 0); CES|IR (bits 1,2) under rev >= 3'),
  fixed('GICR_IIDR', 0x0004, 4, H.CONST, [32], '0x4B00043B whatever the revision', { constValue: 0x4b00043b }),
  fixed('GICR_TYPER', 0x0008, 8, H.R_TYPER, [32, 64], 'affinity [55:32], processor number [23:8], Last (4), PLPIS (0)'),
  fixed('GICR_STATUSR', 0x0010, 4, H.RAZ_WI, [32], 'RAZ/WI'),
  fixed('GICR_WAKER', 0x0014, 4, H.RAZ_WI, [32], 'RAZ/WI: ChildrenAsleep reads 0'),
  fixed('GICR_SETLPIR', 0x0040, 8, H.RAZ_WI, [32, 64], 'not implemented', { implemented: false }),
  fixed('GICR_CLRLPIR', 0x0048, 8, H.RAZ_WI, [32, 64], 'not implemented', { implemented: false }),
  fixed('GICR_PROPBASER', 0x0070, 8, H.PROPBASER, [32, 64], 'VM-wide LPI configuration table; sanitised'),
  fixed('GICR_PENDBASER', 0x0078, 8, H.PENDBASER, [32, 64], 'LPI pending table; PTZ reads 0'),
  fixed('GICR_INVLPIR', 0x00a0, 8, H.INVLPIR, [32, 64], 'invalidate one LPI (5.19+ hosts)', { hostFeature: 'lpi-invalidation' }),
  fixed('GICR_INVALLR', 0x00b0, 8, H.INVALLR, [32, 64], 'invalidate all LPIs (5.19+ hosts)', { hostFeature: 'lpi-invalidation' }),
  fixed('GICR_SYNCR', 0x00c0, 4, H.SYNCR, [32], 'Busy (bit 0), reads 0 (5.19+ hosts)', { hostFeature: 'lpi-invalidation' }),
  ...idRegisters('GICR', 0x3b),
];
