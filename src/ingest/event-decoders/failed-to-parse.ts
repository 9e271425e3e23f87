/**
 * libtraceevent's fallback when it cannot evaluate an event's print format (trace-cmd report,
 * perf script): `[FAILED TO PARSE] field=value field=value ...`. Fields are decoded by NAME, in
 * any order; unsigned longs print as 0x-hex, other integers as decimal, so both are accepted.
 */
import { CH_EQ, CH_SPACE, lit, matchLit, NumScratch, parseAnyInt, skipSpaces } from '../bytes.ts';

export const FAILED_TO_PARSE = lit('[FAILED TO PARSE]');

export function isFailedToParse(buf: Buffer, p: number, end: number): boolean {
  return buf[p]! === 91 && matchLit(buf, p, end, FAILED_TO_PARSE);
}

/** A set of field names to look for, and the values found on the last scan. */
export class FieldSet {
  readonly names: Uint8Array[];
  readonly lo: number[];
  readonly hi: number[];
  readonly n: number[];
  /** Bit i set when field i was present with a numeric value. */
  found = 0;

  constructor(names: readonly string[]) {
    this.names = names.map((s) => lit(s));
    this.lo = names.map(() => 0);
    this.hi = names.map(() => 0);
    this.n = names.map(() => 0);
  }

  has(i: number): boolean {
    return (this.found & (1 << i)) !== 0;
  }

  /** True when every field in `mask` was found. */
  hasAll(mask: number): boolean {
    return (this.found & mask) === mask;
  }
}

const num = new NumScratch();

/** Scans `name=value` pairs after the `[FAILED TO PARSE]` marker at p. Returns the found mask. */
export function scanFailedFields(buf: Buffer, p: number, end: number, fields: FieldSet): number {
  p += FAILED_TO_PARSE.length;
  fields.found = 0;
  const names = fields.names;
  while (p < end) {
    p = skipSpaces(buf, p, end);
    const ns = p;
    while (p < end && buf[p]! !== CH_EQ && buf[p]! !== CH_SPACE) p++;
    if (p >= end || buf[p]! !== CH_EQ) {
      continue; // a token without '=': ignore it
    }
    const ne = p;
    p++;
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      if (name.length !== ne - ns || !matchLit(buf, ns, ne, name)) continue;
      if (parseAnyInt(buf, p, end, num) && (num.end >= end || buf[num.end]! === CH_SPACE)) {
        fields.lo[i] = num.lo;
        fields.hi[i] = num.hi;
        fields.n[i] = num.n;
        fields.found |= 1 << i;
      }
      break;
    }
    while (p < end && buf[p]! !== CH_SPACE) p++;
  }
  return fields.found;
}
