/**
 * `kvm_handle_sys_reg`: "HSR 0x%08lx" — the ESR of an EC 0x18 (SYS64) trap, emitted before KVM
 * looks the register up, so it is the only record of an access to an encoding KVM does not know
 * (the guest gets an UNDEF and no kvm_sys_access follows; tracepoints.md §2.2–2.3). ISS: Op0
 * [21:20], Op2 [19:17], Op1 [16:14], CRn [13:10], Rt [9:5], CRm [4:1], Direction [0] (1 = read).
 * trace-cmd/perf print `[FAILED TO PARSE] hsr=0x…`.
 */
import { lit, matchLit, NumScratch, parseHex } from '../bytes.ts';
import { sysregEncoding } from '../../model/codes.ts';
import { FieldSet, isFailedToParse, scanFailedFields } from './failed-to-parse.ts';

export const EC_SYS64 = 0x18;

export class HandleSysRegFields {
  encoding = 0;
  isWrite = false;
}

const HSR = lit('HSR ');
const num = new NumScratch();
const failed = new FieldSet(['hsr']);

/** False for lines that do not decode, and for an ESR whose class is not SYS64. */
export function decodeKvmHandleSysReg(buf: Buffer, p: number, end: number, f: HandleSysRegFields): boolean {
  let esr: number;
  if (isFailedToParse(buf, p, end)) {
    scanFailedFields(buf, p, end, failed);
    if (!failed.has(0)) return false;
    esr = failed.lo[0]!;
  } else {
    if (!matchLit(buf, p, end, HSR) || !parseHex(buf, p + HSR.length, end, num)) return false;
    for (let t = num.end; t < end; t++) if (buf[t]! !== 32) return false;
    esr = num.lo;
  }
  if (esr >>> 26 !== EC_SYS64) return false;
  f.encoding = sysregEncoding((esr >>> 20) & 3, (esr >>> 14) & 7, (esr >>> 10) & 15, (esr >>> 1) & 15, (esr >>> 17) & 7);
  f.isWrite = (esr & 1) === 0;
  return true;
}
