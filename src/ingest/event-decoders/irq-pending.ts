/**
 * `vgic_update_irq_pending`: "VCPU: %ld, IRQ %d, level: %d" (`[FAILED TO PARSE] vcpu_id= irq=
 * level=`). Not to be confused with `kvm_timer_update_irq` ("... level %d", no colon), which is
 * dispatched by its own event name and only counted.
 */
import { CH_DASH, lit, matchLit, NumScratch, parseSmallDec } from '../bytes.ts';
import { FieldSet, isFailedToParse, scanFailedFields } from './failed-to-parse.ts';

export class IrqPendingFields {
  vcpu = 0;
  irq = 0;
  level = false;
}

const VCPU = lit('VCPU: ');
const IRQ = lit(', IRQ ');
const LEVEL = lit(', level: ');

const num = new NumScratch();
const failed = new FieldSet(['vcpu_id', 'irq', 'level']);

export function decodeVgicUpdateIrqPending(buf: Buffer, p: number, end: number, f: IrqPendingFields): boolean {
  if (!matchLit(buf, p, end, VCPU)) {
    if (!isFailedToParse(buf, p, end)) return false;
    scanFailedFields(buf, p, end, failed);
    if (!failed.hasAll(0b111)) return false;
    f.vcpu = failed.n[0]!;
    f.irq = failed.n[1]!;
    f.level = failed.n[2]! !== 0;
    return true;
  }
  p += VCPU.length;
  let sign = 1;
  if (buf[p]! === CH_DASH) {
    sign = -1;
    p++;
  }
  const vcpu = parseSmallDec(buf, p, end, num);
  if (vcpu < 0 || !matchLit(buf, num.end, end, IRQ)) return false;
  const irq = parseSmallDec(buf, num.end + IRQ.length, end, num);
  if (irq < 0 || !matchLit(buf, num.end, end, LEVEL)) return false;
  const level = parseSmallDec(buf, num.end + LEVEL.length, end, num);
  if (level < 0) return false;
  f.vcpu = sign * vcpu;
  f.irq = irq;
  f.level = level !== 0;
  return true;
}
