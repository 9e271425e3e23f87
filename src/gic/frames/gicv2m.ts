/** GICv2m MSI frame (4 KiB; QEMU `virt` and kvmtool emulate it in userspace). Named, not emulated. */
import { fixed, H, type FrameDef } from '../descriptor.ts';

export const GICV2M: FrameDef = {
  id: 'gicv2m',
  block: 'GICV2M',
  gicVersion: 2,
  size: 0x1000,
  registers: [
    fixed('MSI_TYPER', 0x008, 4, H.UNMODELLED, [32], 'first SPI [25:16], number of SPIs [9:0]'),
    fixed('MSI_SETSPI_NS', 0x040, 4, H.UNMODELLED, [32], 'write an SPI number to trigger it'),
    fixed('MSI_IIDR', 0xfcc, 4, H.UNMODELLED, [32], 'frame identification'),
  ],
};
