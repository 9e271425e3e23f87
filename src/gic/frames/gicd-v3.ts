/**
 * GICv3 distributor (64 KiB), KVM's `vgic_v3_dist_registers` (vgic.md §5). The per-IRQ arrays are
 * `REGISTER_DESC_WITH_BITS_PER_IRQ_SHARED`: the private part (INTIDs 0–31) is RAZ/WI here because
 * private interrupts live in the redistributors.
 */
import { fixed, H, idRegisters, perIrq, type FrameDef } from '../descriptor.ts';

const shared = { privateRaz: true } as const;

export const GICD_V3: FrameDef = {
  id: 'gicd-v3',
  block: 'GICD',
  gicVersion: 3,
  size: 0x10000,
  registers: [
    fixed('GICD_CTLR', 0x0000, 4, H.D_CTLR, [32], 'EnableGrp1A (bit 1) r/w; ARE_NS and DS read 1; reset 0x50'),
    fixed('GICD_TYPER', 0x0004, 4, H.D_TYPER, [32], 'ITLinesNumber, IDbits, LPIS from the VM shape'),
    fixed('GICD_IIDR', 0x0008, 4, H.D_IIDR, [32], '0x4B00r43B, r = implementation revision'),
    fixed('GICD_TYPER2', 0x000c, 4, H.D_TYPER2, [32], 'nASSGIcap (bit 8) with GICv4.1 vSGIs, else 0'),
    fixed('GICD_STATUSR', 0x0010, 4, H.RAO_WI, [32], 'reads all ones, writes ignored'),
    fixed('GICD_SETSPI_NSR', 0x0040, 4, H.RAZ_WI, [32], 'no MBI support: RAZ/WI', { implemented: false }),
    fixed('GICD_CLRSPI_NSR', 0x0048, 4, H.RAZ_WI, [32], 'no MBI support: RAZ/WI', { implemented: false }),
    fixed('GICD_SETSPI_SR', 0x0050, 4, H.RAZ_WI, [32], 'no MBI support: RAZ/WI', { implemented: false }),
    fixed('GICD_CLRSPI_SR', 0x0058, 4, H.RAZ_WI, [32], 'no MBI support: RAZ/WI', { implemented: false }),
    perIrq('GICD_IGROUPR', 0x0080, 1, H.GROUP, [32], 'group per IRQ; writability per revision', shared),
    perIrq('GICD_ISENABLER', 0x0100, 1, H.ENABLE_SET, [32], '1 = enable', shared),
    perIrq('GICD_ICENABLER', 0x0180, 1, H.ENABLE_CLEAR, [32], '1 = disable', shared),
    perIrq('GICD_ISPENDR', 0x0200, 1, H.PEND_SET, [32], '1 = set pending latch', shared),
    perIrq('GICD_ICPENDR', 0x0280, 1, H.PEND_CLEAR, [32], '1 = clear pending latch', shared),
    perIrq('GICD_ISACTIVER', 0x0300, 1, H.ACTIVE_SET, [32], '1 = set active', shared),
    perIrq('GICD_ICACTIVER', 0x0380, 1, H.ACTIVE_CLEAR, [32], '1 = clear active', shared),
    perIrq('GICD_IPRIORITYR', 0x0400, 8, H.PRIORITY, [8, 32], 'priority byte & 0xF8', shared),
    perIrq('GICD_ITARGETSR', 0x0800, 8, H.RAZ_WI, [8, 32], 'RAZ/WI with affinity routing', shared),
    perIrq('GICD_ICFGR', 0x0c00, 2, H.CONFIG, [32], '0b10 = edge; SPIs only', shared),
    perIrq('GICD_IGRPMODR', 0x0d00, 1, H.RAZ_WI, [32], 'RAZ/WI (DS = 1)', shared),
    perIrq('GICD_NSACR', 0x0e00, 2, H.RAZ_WI, [32], 'no region: RAZ/WI', { ...shared, implemented: false }),
    fixed('GICD_SGIR', 0x0f00, 4, H.RAZ_WI, [32], 'not present with affinity routing', { implemented: false }),
    fixed('GICD_CPENDSGIR', 0x0f10, 16, H.RAZ_WI, [8, 32], 'not present with affinity routing', { implemented: false }),
    fixed('GICD_SPENDSGIR', 0x0f20, 16, H.RAZ_WI, [8, 32], 'not present with affinity routing', { implemented: false }),
    perIrq('GICD_IROUTER', 0x6000, 64, H.ROUTER, [32, 64], 'Aff2.Aff1.Aff0 of the target; upper word RAZ/WI', shared),
    ...idRegisters('GICD', 0x3b),
  ],
};
