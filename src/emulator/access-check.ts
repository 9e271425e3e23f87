/**
 * KVM's dispatch rules (vgic.md §1.2, `vgic-mmio.c` `check_region`): which descriptor an access
 * reaches, or -1 when it is RAZ/WI (hole, 2-byte or disallowed width, misaligned, first INTID of a
 * per-IRQ access ≥ nr_irqs). The same for every revision, so the engine runs it once per access.
 */
import { FLAG_PER_IRQ, type CompiledFrame } from './compiled-frame.ts';

/** Result slot for the INTID of the last resolved access (no allocation per call). */
export const resolved = { intid: -1 };

export function resolveAccess(cf: CompiledFrame, offset: number, len: number, nrIrqs: number): number {
  resolved.intid = -1;
  if (offset < 0 || offset >= cf.frame.size) return -1;
  const d = cf.table[offset >>> 2]!;
  if (d < 0) return -1;
  if (len > 8 || ((cf.access[d]! >>> len) & 1) === 0) return -1; // 2-byte accesses never pass
  if ((offset & (len - 1)) !== 0) return -1;
  if ((cf.flags[d]! & FLAG_PER_IRQ) !== 0) {
    const intid = cf.irqBase[d]! + (((offset - cf.offset[d]!) * 8) >>> cf.bpiShift[d]!);
    if (intid >= nrIrqs) return -1;
    resolved.intid = intid;
  }
  return d;
}
