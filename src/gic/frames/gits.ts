/** ITS control frame (128 KiB incl. the translation page). Named for decoding; not emulated (vgic.md scope). */
import { fixed, H, idRegisters, type FrameDef } from '../descriptor.ts';

const its = (name: string, offset: number, length: number, widths: readonly (32 | 64)[], summary: string) =>
  fixed(name, offset, length, H.UNMODELLED, widths, summary);
/** Named for decoding, but KVM's its_registers[] has no region for it: RAZ/WI (vgic.md §1.2). */
const absent = (name: string, offset: number, length: number, widths: readonly (32 | 64)[], summary: string) =>
  fixed(name, offset, length, H.UNMODELLED, widths, summary, { implemented: false });

export const GITS_V3: FrameDef = {
  id: 'gits-v3',
  block: 'GITS',
  gicVersion: 3,
  size: 0x20000,
  registers: [
    its('GITS_CTLR', 0x0000, 4, [32], 'Enabled (bit 0), Quiescent (bit 31)'),
    its('GITS_IIDR', 0x0004, 4, [32], 'ITS implementer'),
    its('GITS_TYPER', 0x0008, 8, [32, 64], 'ITS features'),
    absent('GITS_MPAMIDR', 0x0010, 4, [32], 'MPAM (not implemented by KVM)'),
    absent('GITS_PARTIDR', 0x0014, 4, [32], 'MPAM (not implemented by KVM)'),
    absent('GITS_MPIDR', 0x0018, 4, [32], 'GICv4.1 (not implemented by KVM)'),
    absent('GITS_STATUSR', 0x0040, 4, [32], 'error status (not implemented by KVM)'),
    absent('GITS_UMSIR', 0x0048, 8, [32, 64], 'unmapped MSI (not implemented by KVM)'),
    its('GITS_CBASER', 0x0080, 8, [32, 64], 'command queue base'),
    its('GITS_CWRITER', 0x0088, 8, [32, 64], 'command queue write pointer'),
    its('GITS_CREADR', 0x0090, 8, [32, 64], 'command queue read pointer'),
    its('GITS_BASER', 0x0100, 0x40, [32, 64], 'device/collection table bases (8 × 64-bit)'),
    ...idRegisters('GITS', 0x3b, H.UNMODELLED),
    absent('GITS_TRANSLATER', 0x10040, 4, [32], 'MSI doorbell: devices signal MSIs through the VMM (KVM_SIGNAL_MSI); a guest access is RAZ/WI'),
  ],
};
