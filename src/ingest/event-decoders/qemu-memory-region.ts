/**
 * QEMU `memory_region_ops_read` / `memory_region_ops_write`:
 * "cpu %d mr %p addr 0x%"PRIx64" value 0x%"PRIx64" size %u name '%s'". `cpu -1` means no CPU;
 * older QEMUs print no `cpu` and/or no `name`. `addr` is the absolute guest-physical address.
 */
import { U32_FIELD, CH_DASH, CH_QUOTE, CH_SPACE, lastIndexOfByte, lit, matchLit, NumScratch, parseHex, parseSmallDec } from '../bytes.ts';

export class MemoryRegionFields {
  /** -1 when absent or `cpu -1`. */
  cpu = -1;
  addrLo = U32_FIELD;
  addrHi = U32_FIELD;
  valLo = U32_FIELD;
  valHi = U32_FIELD;
  size = 0;
  /** Region name bytes, nameStart === nameEnd when absent. */
  nameStart = 0;
  nameEnd = 0;
}

const CPU = lit('cpu ');
const MR = lit('mr ');
const ADDR = lit('addr ');
const VALUE = lit(' value ');
const SIZE = lit(' size ');
const NAME = lit(" name '");

const num = new NumScratch();

export function decodeMemoryRegionOps(buf: Buffer, p: number, end: number, f: MemoryRegionFields): boolean {
  f.cpu = -1;
  if (matchLit(buf, p, end, CPU)) {
    p += 4;
    const neg = buf[p]! === CH_DASH;
    if (neg) p++;
    const cpu = parseSmallDec(buf, p, end, num);
    if (cpu < 0 || cpu > 32767 || num.end >= end || buf[num.end]! !== CH_SPACE) return false; // vcpu is SMALLINT
    f.cpu = neg ? -1 : cpu;
    p = num.end + 1;
  }
  if (matchLit(buf, p, end, MR)) {
    p += 3;
    while (p < end && buf[p]! !== CH_SPACE) p++;
    p++;
  }
  if (!matchLit(buf, p, end, ADDR) || !parseHex(buf, p + 5, end, num)) return false;
  f.addrLo = num.lo;
  f.addrHi = num.hi;
  p = num.end;
  if (!matchLit(buf, p, end, VALUE) || !parseHex(buf, p + VALUE.length, end, num)) return false;
  f.valLo = num.lo;
  f.valHi = num.hi;
  p = num.end;
  if (!matchLit(buf, p, end, SIZE)) return false;
  const size = parseSmallDec(buf, p + SIZE.length, end, num);
  if (size < 0) return false;
  f.size = size;
  p = num.end;
  f.nameStart = f.nameEnd = p;
  if (matchLit(buf, p, end, NAME)) {
    const s = p + NAME.length;
    const q = lastIndexOfByte(buf, s, end, CH_QUOTE);
    f.nameStart = s;
    f.nameEnd = q >= 0 ? q : end;
  } else if (p !== end && buf[p]! !== CH_SPACE) {
    return false;
  }
  return true;
}
