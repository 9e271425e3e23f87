/**
 * `kvm_mmio`: "mmio %s len %u gpa 0x%llx val 0x%llx" with %s = unsatisfied-read | read | write,
 * or `[FAILED TO PARSE] type=<0|1|2> len= gpa= val=`.
 */
import { HEX_VALUE } from '../bytes.ts';
import { FieldSet, isFailedToParse, scanFailedFields } from './failed-to-parse.ts';

export const MMIO_UNSATISFIED_READ = 0;
export const MMIO_READ = 1;
export const MMIO_WRITE = 2;

export class MmioFields {
  type = 0;
  len = 0;
  gpaLo = 0;
  gpaHi = 0;
  valLo = 0;
  valHi = 0;
}

const failed = new FieldSet(['type', 'len', 'gpa', 'val']);

/**
 * Hot path (most lines of a guest trace): literal byte compares and inlined hex loops, no calls
 * except for the rare `[FAILED TO PARSE]` form.
 */
export function decodeKvmMmio(buf: Buffer, p: number, end: number, f: MmioFields): boolean {
  const hexValue = HEX_VALUE;
  // "mmio "
  if (p + 30 > end || buf[p]! !== 109 || buf[p + 1]! !== 109 || buf[p + 2]! !== 105 || buf[p + 3]! !== 111 || buf[p + 4]! !== 32) {
    return isFailedToParse(buf, p, end) && decodeFailed(buf, p, end, f);
  }
  p += 5;
  const c = buf[p]!;
  // "write " | "read " | "unsatisfied-read "
  if (c === 119 && buf[p + 5]! === 32 && buf[p + 4]! === 101 && buf[p + 1]! === 114) {
    f.type = MMIO_WRITE;
    p += 6;
  } else if (c === 114 && buf[p + 4]! === 32 && buf[p + 3]! === 100 && buf[p + 1]! === 101) {
    f.type = MMIO_READ;
    p += 5;
  } else if (c === 117 && buf[p + 16]! === 32 && buf[p + 11]! === 45 && buf[p + 15]! === 100) {
    f.type = MMIO_UNSATISFIED_READ;
    p += 17;
  } else {
    return false;
  }
  // "len <dec>"
  if (buf[p]! !== 108 || buf[p + 1]! !== 101 || buf[p + 2]! !== 110 || buf[p + 3]! !== 32) return false;
  p += 4;
  let len = 0;
  const ls = p;
  for (; p < end; p++) {
    const d = buf[p]!;
    if (d < 48 || d > 57) break;
    len = len * 10 + (d - 48);
  }
  if (p === ls || p - ls > 3) return false;
  // " gpa 0x<hex>"
  if (p + 7 > end || buf[p]! !== 32 || buf[p + 1]! !== 103 || buf[p + 2]! !== 112 || buf[p + 3]! !== 97 || buf[p + 4]! !== 32) return false;
  p += 5;
  if (buf[p]! === 48 && buf[p + 1]! === 120) p += 2;
  let lo = 0;
  let hi = 0;
  let hs = p;
  for (; p < end; p++) {
    const d = hexValue[buf[p]!]!;
    if (d < 0) break;
    if (hi >>> 28 !== 0) return false;
    hi = ((hi << 4) | (lo >>> 28)) >>> 0;
    lo = ((lo << 4) | d) >>> 0;
  }
  if (p === hs) return false;
  f.gpaLo = lo;
  f.gpaHi = hi;
  // " val 0x<hex>"
  if (p + 6 > end || buf[p]! !== 32 || buf[p + 1]! !== 118 || buf[p + 2]! !== 97 || buf[p + 3]! !== 108 || buf[p + 4]! !== 32) return false;
  p += 5;
  if (buf[p]! === 48 && buf[p + 1]! === 120) p += 2;
  lo = 0;
  hi = 0;
  hs = p;
  for (; p < end; p++) {
    const d = hexValue[buf[p]!]!;
    if (d < 0) break;
    if (hi >>> 28 !== 0) return false;
    hi = ((hi << 4) | (lo >>> 28)) >>> 0;
    lo = ((lo << 4) | d) >>> 0;
  }
  if (p === hs || (p < end && buf[p]! !== 32)) return false;
  f.len = len;
  f.valLo = lo;
  f.valHi = hi;
  return true;
}

function decodeFailed(buf: Buffer, p: number, end: number, f: MmioFields): boolean {
  scanFailedFields(buf, p, end, failed);
  if (!failed.hasAll(0b111)) return false;
  const type = failed.n[0]!;
  if (type !== 0 && type !== 1 && type !== 2) return false;
  f.type = type;
  f.len = failed.n[1]!;
  f.gpaLo = failed.lo[2]!;
  f.gpaHi = failed.hi[2]!;
  // `val` is 0 for an unsatisfied read; be lenient if it is missing there
  if (failed.has(3)) {
    f.valLo = failed.lo[3]!;
    f.valHi = failed.hi[3]!;
  } else if (type === MMIO_UNSATISFIED_READ) {
    f.valLo = 0;
    f.valHi = 0;
  } else {
    return false;
  }
  return true;
}
