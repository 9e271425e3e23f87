/**
 * `kvm_mmio`: "mmio %s len %u gpa 0x%llx val 0x%llx" with %s = unsatisfied-read | read | write,
 * or `[FAILED TO PARSE] type=<0|1|2> len= gpa= val=`.
 */
import { U32_FIELD, HEX_VALUE } from '../bytes.ts';
import { FieldSet, isFailedToParse, scanFailedFields } from './failed-to-parse.ts';

export const MMIO_UNSATISFIED_READ = 0;
export const MMIO_READ = 1;
export const MMIO_WRITE = 2;

export class MmioFields {
  type = 0;
  len = 0;
  gpaLo = U32_FIELD;
  gpaHi = U32_FIELD;
  valLo = U32_FIELD;
  valHi = U32_FIELD;
}

const failed = new FieldSet(['type', 'len', 'gpa', 'val']);

/**
 * Hot path (most lines of a guest trace): literal byte compares and inlined hex loops, no calls
 * except for the rare `[FAILED TO PARSE]` form and values of more than 13 hex digits.
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
  // up to 13 digits accumulate exactly in a double; longer numbers take the u32-pair loop
  let hs = p;
  let v = 0;
  for (; p < end; p++) {
    const d = hexValue[buf[p]!]!;
    if (d < 0) break;
    v = v * 16 + d;
  }
  if (p === hs) return false;
  if (p - hs <= 13) {
    f.gpaLo = v >>> 0;
    f.gpaHi = (v / 4294967296) >>> 0;
  } else if (!wideHex(buf, hs, p, wide)) {
    return false;
  } else {
    f.gpaLo = wide.lo;
    f.gpaHi = wide.hi;
  }
  // " val 0x<hex>"
  if (p + 6 > end || buf[p]! !== 32 || buf[p + 1]! !== 118 || buf[p + 2]! !== 97 || buf[p + 3]! !== 108 || buf[p + 4]! !== 32) return false;
  p += 5;
  if (buf[p]! === 48 && buf[p + 1]! === 120) p += 2;
  hs = p;
  v = 0;
  for (; p < end; p++) {
    const d = hexValue[buf[p]!]!;
    if (d < 0) break;
    v = v * 16 + d;
  }
  if (p === hs || (p < end && buf[p]! !== 32)) return false;
  if (p - hs <= 13) {
    f.valLo = v >>> 0;
    f.valHi = (v / 4294967296) >>> 0;
  } else if (!wideHex(buf, hs, p, wide)) {
    return false;
  } else {
    f.valLo = wide.lo;
    f.valHi = wide.hi;
  }
  f.len = len;
  return true;
}

const wide = { lo: 0, hi: 0 };

// little-endian words of the literals, for DataView compares
const W_MMIO = 0x6f696d6d; // "mmio"
const W_WRIT = 0x74697277; // "writ"
const W_E_LE = 0x656c2065; // "e le"
const W_READ = 0x64616572; // "read"
const W_SP_LEN = 0x6e656c20; // " len"
const W_UNSA = 0x61736e75; // "unsa"
const W_TISF = 0x66736974; // "tisf"
const W_IED_ = 0x2d646569; // "ied-"
const W_SP_GPA = 0x61706720; // " gpa"
const W_SP_VAL = 0x6c617620; // " val"

/**
 * decodeKvmMmio for a line whose `dv` views `buf`: the literal parts of the canonical form are
 * compared as 32-bit words; anything else (other spellings, `[FAILED TO PARSE]`, short lines)
 * goes to decodeKvmMmio. Same result as decodeKvmMmio.
 */
export function decodeKvmMmioView(buf: Buffer, dv: DataView<ArrayBufferLike>, p: number, end: number, f: MmioFields): boolean {
  if (p + 30 > end || dv.getInt32(p, true) !== W_MMIO || buf[p + 4]! !== 32) return decodeKvmMmio(buf, p, end, f);
  let q: number;
  let type: number;
  const w = dv.getInt32(p + 5, true);
  if (w === W_WRIT && dv.getInt32(p + 9, true) === W_E_LE && buf[p + 13]! === 110 && buf[p + 14]! === 32) {
    type = MMIO_WRITE;
    q = p + 15;
  } else if (w === W_READ && dv.getInt32(p + 9, true) === W_SP_LEN && buf[p + 13]! === 32) {
    type = MMIO_READ;
    q = p + 14;
  } else if (w === W_UNSA && dv.getInt32(p + 9, true) === W_TISF && dv.getInt32(p + 13, true) === W_IED_
    && dv.getInt32(p + 17, true) === W_READ && dv.getInt32(p + 21, true) === W_SP_LEN && buf[p + 25]! === 32) {
    type = MMIO_UNSATISFIED_READ;
    q = p + 26;
  } else {
    return decodeKvmMmio(buf, p, end, f);
  }
  const hexValue = HEX_VALUE;
  let len = 0;
  const ls = q;
  for (; q < end; q++) {
    const d = buf[q]!;
    if (d < 48 || d > 57) break;
    len = len * 10 + (d - 48);
  }
  if (q === ls || q - ls > 3 || q + 7 > end || dv.getInt32(q, true) !== W_SP_GPA || buf[q + 4]! !== 32) return decodeKvmMmio(buf, p, end, f);
  q += 5;
  if (buf[q]! === 48 && buf[q + 1]! === 120) q += 2;
  let hs = q;
  let v = 0;
  for (; q < end; q++) {
    const d = hexValue[buf[q]!]!;
    if (d < 0) break;
    v = v * 16 + d;
  }
  if (q === hs || q - hs > 13 || q + 6 > end || dv.getInt32(q, true) !== W_SP_VAL || buf[q + 4]! !== 32) return decodeKvmMmio(buf, p, end, f);
  const gpa = v;
  q += 5;
  if (buf[q]! === 48 && buf[q + 1]! === 120) q += 2;
  hs = q;
  v = 0;
  for (; q < end; q++) {
    const d = hexValue[buf[q]!]!;
    if (d < 0) break;
    v = v * 16 + d;
  }
  if (q === hs || q - hs > 13 || (q < end && buf[q]! !== 32)) return decodeKvmMmio(buf, p, end, f);
  f.type = type;
  f.len = len;
  f.gpaLo = gpa >>> 0;
  f.gpaHi = (gpa / 4294967296) >>> 0;
  f.valLo = v >>> 0;
  f.valHi = (v / 4294967296) >>> 0;
  return true;
}

/** Hex digits buf[p, end) as exact u32 halves; false beyond 64 significant bits. */
function wideHex(buf: Buffer, p: number, end: number, out: { lo: number; hi: number }): boolean {
  const hexValue = HEX_VALUE;
  let lo = 0;
  let hi = 0;
  for (; p < end; p++) {
    if (hi >>> 28 !== 0) return false; // would exceed 64 bits
    hi = ((hi << 4) | (lo >>> 28)) >>> 0;
    lo = ((lo << 4) | hexValue[buf[p]!]!) >>> 0;
  }
  out.lo = lo;
  out.hi = hi;
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
