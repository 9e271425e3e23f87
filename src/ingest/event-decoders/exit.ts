/**
 * Context events whose fields the parser uses but does not store:
 * `kvm_exit` "%s: HSR_EC: 0x%04x (%s), PC: 0x%016lx" (`[FAILED TO PARSE] ret= esr_ec= vcpu_pc=`)
 * gives the guest PC for the following accesses on the thread and flags SMC64 exits;
 * `kvm_guest_fault` "ipa %#llx, hsr %#08lx, hxfar %#08lx, pc %#016lx" gives the PC as well.
 */
import { U32_FIELD, findLit, HEX_VALUE, lit, NumScratch, parseHex } from '../bytes.ts';
import { FieldSet, isFailedToParse, scanFailedFields } from './failed-to-parse.ts';

/** ESR_ELx.EC of a trapped SMC from AArch64. */
export const EC_SMC64 = 0x17;

export class ExitFields {
  hasEc = false;
  ec = 0;
  pcValid = false;
  pcLo = U32_FIELD;
  pcHi = U32_FIELD;
}

const FAULT_PC = lit(', pc ');

const num = new NumScratch();
const failedExit = new FieldSet(['ret', 'esr_ec', 'vcpu_pc']);
const failedFault = new FieldSet(['vcpu_pc']);

/** False when neither the EC nor the PC could be read. */
export function decodeKvmExit(buf: Buffer, p: number, end: number, f: ExitFields): boolean {
  f.hasEc = false;
  f.pcValid = false;
  if (isFailedToParse(buf, p, end)) {
    scanFailedFields(buf, p, end, failedExit);
    f.hasEc = failedExit.has(1);
    f.ec = failedExit.n[1]!;
    f.pcValid = failedExit.has(2);
    f.pcLo = failedExit.lo[2]!;
    f.pcHi = failedExit.hi[2]!;
    return f.hasEc || f.pcValid;
  }
  // "...EC: 0x<hex> (<name>), PC: 0x<hex>": scan for "EC: " then "PC: " (literal bytes: hot path)
  const hexValue = HEX_VALUE;
  let q = p + 2;
  for (; q + 4 <= end; q++) {
    if (buf[q]! === 58 /* : */ && buf[q - 1]! === 67 /* C */ && buf[q - 2]! === 69 /* E */ && buf[q + 1]! === 32) break;
  }
  if (q + 4 <= end) {
    q += 2;
    if (buf[q]! === 48 && buf[q + 1]! === 120) q += 2;
    let v = 0;
    const hs = q;
    for (; q < end; q++) {
      const d = hexValue[buf[q]!]!;
      if (d < 0) break;
      v = v * 16 + d;
    }
    if (q > hs && q - hs <= 8) {
      f.hasEc = true;
      f.ec = v;
      p = q;
    }
  }
  q = p + 2;
  for (; q + 4 <= end; q++) {
    if (buf[q]! === 58 /* : */ && buf[q - 1]! === 67 /* C */ && buf[q - 2]! === 80 /* P */ && buf[q + 1]! === 32) break;
  }
  if (q + 4 <= end) {
    q += 2;
    if (buf[q]! === 48 && buf[q + 1]! === 120) q += 2;
    let lo = 0;
    let hi = 0;
    const hs = q;
    for (; q < end; q++) {
      const d = hexValue[buf[q]!]!;
      if (d < 0) break;
      if (hi >>> 28 !== 0) break;
      hi = ((hi << 4) | (lo >>> 28)) >>> 0;
      lo = ((lo << 4) | d) >>> 0;
    }
    if (q > hs) {
      f.pcValid = true;
      f.pcLo = lo;
      f.pcHi = hi;
    }
  }
  return f.hasEc || f.pcValid;
}

export function decodeKvmGuestFault(buf: Buffer, p: number, end: number, f: ExitFields): boolean {
  f.hasEc = false;
  f.pcValid = false;
  if (isFailedToParse(buf, p, end)) {
    scanFailedFields(buf, p, end, failedFault);
    f.pcValid = failedFault.has(0);
    f.pcLo = failedFault.lo[0]!;
    f.pcHi = failedFault.hi[0]!;
    return f.pcValid;
  }
  const q = findLit(buf, p, end, FAULT_PC);
  if (q < 0 || !parseHex(buf, q + FAULT_PC.length, end, num)) return false;
  f.pcValid = true;
  f.pcLo = num.lo;
  f.pcHi = num.hi;
  return true;
}
