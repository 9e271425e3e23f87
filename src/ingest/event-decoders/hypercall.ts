/**
 * `kvm_hvc_arm64`: "HVC at 0x%016lx (r0: 0x%016lx, imm: 0x%lx)" (8-digit before 5.9), and the
 * proposed SMC twin `kvm_smc_arm64` ("SMC at ..."). `[FAILED TO PARSE] vcpu_pc= r0= imm=`.
 */
import { U32_FIELD, CH_RPAREN, lit, matchLit, NumScratch, parseHex } from '../bytes.ts';
import { FieldSet, isFailedToParse, scanFailedFields } from './failed-to-parse.ts';

export class HypercallFields {
  pcLo = U32_FIELD;
  pcHi = U32_FIELD;
  r0Lo = U32_FIELD;
  r0Hi = U32_FIELD;
  imm = 0;
}

const HVC_AT = lit('HVC at ');
const SMC_AT = lit('SMC at ');
const R0 = lit(' (r0: ');
const IMM = lit(', imm: ');

const num = new NumScratch();
const failed = new FieldSet(['vcpu_pc', 'r0', 'imm']);

export function decodeHypercall(buf: Buffer, p: number, end: number, f: HypercallFields): boolean {
  if (!matchLit(buf, p, end, HVC_AT) && !matchLit(buf, p, end, SMC_AT)) {
    return isFailedToParse(buf, p, end) && decodeFailed(buf, p, end, f);
  }
  if (!parseHex(buf, p + 7, end, num)) return false;
  f.pcLo = num.lo;
  f.pcHi = num.hi;
  p = num.end;
  if (!matchLit(buf, p, end, R0) || !parseHex(buf, p + R0.length, end, num)) return false;
  f.r0Lo = num.lo;
  f.r0Hi = num.hi;
  p = num.end;
  if (!matchLit(buf, p, end, IMM) || !parseHex(buf, p + IMM.length, end, num)) return false;
  if (num.hi !== 0) return false;
  f.imm = num.lo;
  return num.end < end && buf[num.end]! === CH_RPAREN;
}

function decodeFailed(buf: Buffer, p: number, end: number, f: HypercallFields): boolean {
  scanFailedFields(buf, p, end, failed);
  if (!failed.hasAll(0b111) || failed.hi[2]! !== 0) return false;
  f.pcLo = failed.lo[0]!;
  f.pcHi = failed.hi[0]!;
  f.r0Lo = failed.lo[1]!;
  f.r0Hi = failed.hi[1]!;
  f.imm = failed.lo[2]!;
  return true;
}
