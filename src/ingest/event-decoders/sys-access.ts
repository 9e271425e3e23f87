/**
 * `kvm_sys_access`: "PC: %lx %s (%d,%d,%d,%d,%d) %s" — PC without 0x; the register name may
 * contain spaces and parentheses (pre-6.5 PMU entries), so the encoding is the LAST
 * `(d,d,d,d,d)` and the name is never split. The proposed (Odaki, 2025) variant adds the value as
 * bare hex before read/write. trace-cmd/perf print `[FAILED TO PARSE] vcpu_pc= is_write= name=
 * Op0= Op1= CRn= CRm= Op2=` (plus `regval=` with the value patch).
 */
import { U32_FIELD, CH_COMMA, CH_LPAREN, CH_RPAREN, CH_SPACE, lit, matchLit, NumScratch, parseHex, parseSmallDec } from '../bytes.ts';
import { sysregEncoding } from '../../model/codes.ts';
import { FieldSet, isFailedToParse, scanFailedFields } from './failed-to-parse.ts';

export class SysAccessFields {
  pcValid = false;
  pcLo = U32_FIELD;
  pcHi = U32_FIELD;
  isWrite = false;
  encoding = 0;
  hasValue = false;
  valLo = U32_FIELD;
  valHi = U32_FIELD;
}

const PC = lit('PC: ');
const READ = lit('read');
const WRITE = lit('write');

const ENC = [0, 0, 0, 0, 0];
const num = new NumScratch();
const failed = new FieldSet(['vcpu_pc', 'is_write', 'Op0', 'Op1', 'CRn', 'CRm', 'Op2', 'regval']);

export function decodeKvmSysAccess(buf: Buffer, p: number, end: number, f: SysAccessFields): boolean {
  if (!matchLit(buf, p, end, PC)) return isFailedToParse(buf, p, end) && decodeFailed(buf, p, end, f);
  if (!parseHex(buf, p + 4, end, num) || num.end >= end || buf[num.end]! !== CH_SPACE) return false;
  f.pcValid = true;
  f.pcLo = num.lo;
  f.pcHi = num.hi;
  const nameStart = num.end + 1;
  let e = end;
  while (e > nameStart && buf[e - 1]! === CH_SPACE) e--;
  if (e - 5 >= nameStart && matchLit(buf, e - 5, e, WRITE)) {
    f.isWrite = true;
    e -= 5;
  } else if (e - 4 >= nameStart && matchLit(buf, e - 4, e, READ)) {
    f.isWrite = false;
    e -= 4;
  } else {
    return false;
  }
  if (e <= nameStart || buf[e - 1]! !== CH_SPACE) return false;
  e--;
  // optional bare-hex value between the encoding and read/write
  f.hasValue = false;
  if (buf[e - 1]! !== CH_RPAREN) {
    let t = e - 1;
    while (t > nameStart && buf[t]! !== CH_SPACE) t--;
    if (!parseHex(buf, t + 1, e, num) || num.end !== e) return false;
    f.hasValue = true;
    f.valLo = num.lo;
    f.valHi = num.hi;
    e = t;
    if (buf[e - 1]! !== CH_RPAREN) return false;
  }
  // the last '(' before the final ')'
  let o = e - 2;
  while (o >= nameStart && buf[o]! !== CH_LPAREN) o--;
  if (o < nameStart) return false;
  let q = o + 1;
  const v: number[] = ENC;
  for (let i = 0; i < 5; i++) {
    const x = parseSmallDec(buf, q, e, num);
    if (x < 0) return false;
    v[i] = x;
    q = num.end;
    const want = i < 4 ? CH_COMMA : CH_RPAREN;
    if (q >= e || buf[q]! !== want) return false;
    q++;
  }
  if (q !== e) return false;
  f.encoding = sysregEncoding(v[0]!, v[1]!, v[2]!, v[3]!, v[4]!);
  return true;
}


function decodeFailed(buf: Buffer, p: number, end: number, f: SysAccessFields): boolean {
  scanFailedFields(buf, p, end, failed);
  if (!failed.hasAll(0b1111110)) return false; // is_write and the five encoding fields
  f.pcValid = failed.has(0);
  f.pcLo = failed.lo[0]!;
  f.pcHi = failed.hi[0]!;
  f.isWrite = failed.n[1]! !== 0;
  f.encoding = sysregEncoding(failed.n[2]!, failed.n[3]!, failed.n[4]!, failed.n[5]!, failed.n[6]!);
  f.hasValue = failed.has(7);
  f.valLo = failed.lo[7]!;
  f.valHi = failed.hi[7]!;
  return true;
}
