/**
 * `trap_reg`: "%s %s reg %d (0x%016llx)" — fn (trap_bvr, trap_bcr, trap_wvr, trap_wcr,
 * trap_debug_regs), "write to" | "read from", reg, write_value (8 hex digits before 5.9). The
 * value is the register's after the access, for reads too (tracepoints.md §2.4). trace-cmd/perf
 * print `[FAILED TO PARSE] fn=0x… reg= is_write= write_value=` (fn is then a pointer).
 */
import { CH_SPACE, lit, matchLit, NumScratch, parseHex, parseSmallDec, U32_FIELD } from '../bytes.ts';
import { FieldSet, isFailedToParse, scanFailedFields } from './failed-to-parse.ts';

/** The debug-register family `fn` names; FN_OTHER for trap_debug_regs and unknown names. */
export const FN_OTHER = -1;
export const FN_BVR = 4; // op2 of DBGBVR<n>_EL1 (2,0,0,n,4)
export const FN_BCR = 5;
export const FN_WVR = 6;
export const FN_WCR = 7;

export class TrapRegFields {
  /** FN_BVR…FN_WCR (the op2 of the register, whose CRm is `reg`), or FN_OTHER. */
  fn = FN_OTHER;
  reg = 0;
  isWrite = false;
  valLo = U32_FIELD;
  valHi = U32_FIELD;
}

const FNS: Array<[Uint8Array, number]> = [
  [lit('trap_bvr '), FN_BVR], [lit('trap_bcr '), FN_BCR], [lit('trap_wvr '), FN_WVR], [lit('trap_wcr '), FN_WCR],
];
const WRITE_TO = lit('write to reg ');
const READ_FROM = lit('read from reg ');
const num = new NumScratch();
const failed = new FieldSet(['reg', 'is_write', 'write_value']);

export function decodeTrapReg(buf: Buffer, p: number, end: number, f: TrapRegFields): boolean {
  if (isFailedToParse(buf, p, end)) {
    scanFailedFields(buf, p, end, failed);
    if (!failed.hasAll(0b111)) return false;
    f.fn = FN_OTHER;
    f.reg = failed.n[0]!;
    f.isWrite = failed.n[1]! !== 0;
    f.valLo = failed.lo[2]!;
    f.valHi = failed.hi[2]!;
    return true;
  }
  let q = p;
  while (q < end && buf[q]! !== CH_SPACE) q++;
  if (q >= end) return false;
  f.fn = FN_OTHER;
  for (const [name, fn] of FNS) if (q + 1 - p === name.length && matchLit(buf, p, end, name)) f.fn = fn;
  q++;
  if (matchLit(buf, q, end, WRITE_TO)) { f.isWrite = true; q += WRITE_TO.length; }
  else if (matchLit(buf, q, end, READ_FROM)) { f.isWrite = false; q += READ_FROM.length; }
  else return false;
  const reg = parseSmallDec(buf, q, end, num);
  if (reg < 0) return false;
  f.reg = reg;
  q = num.end;
  // " (0x<hex>)"
  if (q + 4 > end || buf[q]! !== CH_SPACE || buf[q + 1]! !== 40 || buf[q + 2]! !== 48 || buf[q + 3]! !== 120) return false;
  if (!parseHex(buf, q + 4, end, num) || num.end >= end || buf[num.end]! !== 41 /* ) */) return false;
  for (let t = num.end + 1; t < end; t++) if (buf[t]! !== CH_SPACE) return false;
  f.valLo = num.lo;
  f.valHi = num.hi;
  return true;
}
