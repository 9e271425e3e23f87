/** The 128 KiB redistributor frame the emulator dispatches on: RD_base then SGI_base. */
import type { FrameDef } from '../descriptor.ts';
import { GICR_RD_REGISTERS } from './gicr-rd.ts';
import { GICR_SGI_REGISTERS } from './gicr-sgi.ts';

export const GICR_V3: FrameDef = {
  id: 'gicr-v3',
  block: 'GICR',
  gicVersion: 3,
  size: 0x20000,
  registers: [...GICR_RD_REGISTERS, ...GICR_SGI_REGISTERS],
};
