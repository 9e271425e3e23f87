/**
 * Trace timestamps to exact int64 nanoseconds without BigInt. Monotonic trace clocks stay far below
 * 2^53 ns, but QEMU logs carry wall-clock seconds (1795388560.339579 s = 1.8e18 ns), where a double
 * is off by up to 256 ns; the product is therefore formed in 16/32-bit pieces that doubles hold
 * exactly.
 */
import { CH_0, CH_9, CH_COLON, CH_DOT, isDigit, U32_FIELD } from './bytes.ts';

const TWO32 = 4294967296;
/** Largest whole seconds for which secs * 1e9 + 999_999_999 < 2^53. */
const SAFE_SECS = 9007198;
/** Seconds beyond this would overflow u64 nanoseconds. */
const MAX_SECS = 18446744072;

/** Powers of ten that scale an n-digit fraction to nanoseconds. */
export const FRAC_SCALE = [0, 1e8, 1e7, 1e6, 1e5, 1e4, 1e3, 1e2, 1e1, 1];

export class TimeScratch {
  lo = U32_FIELD;
  hi = U32_FIELD;
  /** Position just after the timestamp (on the ':' for trace layouts). */
  end = 0;
}

/** Writes secs * 1e9 + fracNs into out.lo/out.hi exactly. Returns false when it does not fit. */
export function nsFromSeconds(secs: number, fracNs: number, out: TimeScratch): boolean {
  if (secs <= SAFE_SECS) {
    const n = secs * 1e9 + fracNs;
    out.lo = n >>> 0;
    out.hi = (n / TWO32) >>> 0;
    return true;
  }
  if (secs > MAX_SECS) return false;
  // secs = sH * 2^16 + sL; every partial product below stays < 2^53.
  const sH = Math.floor(secs / 65536);
  const sL = secs - sH * 65536;
  const a = sH * 1e9; // < 2^48
  const b = sL * 1e9 + fracNs; // < 2^47
  const aHi = Math.floor(a / 65536);
  const aLo = a - aHi * 65536;
  const t = aLo * 65536 + b; // a * 2^16 = aHi * 2^32 + aLo * 2^16
  const carry = Math.floor(t / TWO32);
  out.lo = t - carry * TWO32;
  out.hi = aHi + carry;
  return out.hi < TWO32;
}

/**
 * `<secs>.<frac>` (any 1–9 fraction digits; more are truncated) or a bare integer (counter
 * clocks, stored as is). Stops at the first byte that is not part of the number; out.end points at
 * it. Returns false when there is no number.
 */
export function parseSecondsDotFraction(buf: Buffer, p: number, end: number, out: TimeScratch): boolean {
  const start = p;
  let secs = 0;
  for (; p < end; p++) {
    const c = buf[p]!;
    if (c < CH_0 || c > CH_9) break;
    secs = secs * 10 + (c - CH_0);
  }
  const nInt = p - start;
  if (nInt === 0 || nInt > 20) return false;
  let frac = 0;
  if (p < end && buf[p]! === CH_DOT) {
    p++;
    const fs = p;
    for (; p < end; p++) {
      const c = buf[p]!;
      if (c < CH_0 || c > CH_9) break;
      if (p - fs < 9) frac = frac * 10 + (c - CH_0);
    }
    const nFrac = p - fs;
    if (nFrac === 0) return false;
    frac *= FRAC_SCALE[nFrac > 9 ? 9 : nFrac]!;
  } else {
    // counter clock: the integer is the timestamp itself
    if (secs >= 2 ** 53) return false;
    out.lo = secs >>> 0;
    out.hi = (secs / TWO32) >>> 0;
    out.end = p;
    return true;
  }
  out.end = p;
  return nsFromSeconds(secs, frac, out);
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
export function daysFromCivil(y: number, m: number, d: number): number {
  y -= m <= 2 ? 1 : 0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function digits(buf: Buffer, p: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = buf[p + i]!;
    if (!isDigit(c)) return -1;
    v = v * 10 + (c - CH_0);
  }
  return v;
}

/**
 * ISO-8601 UTC timestamp as QEMU 10.1+ `qemu_log` prints it: `2025-07-21T18:43:28.089797Z`
 * (fraction optional, 1–9 digits). Returns false unless the text has exactly that shape.
 */
export function parseIsoUtc(buf: Buffer, p: number, end: number, out: TimeScratch): boolean {
  if (p + 20 > end) return false;
  if (buf[p + 4]! !== 45 || buf[p + 7]! !== 45 || buf[p + 10]! !== 84 || buf[p + 13]! !== CH_COLON || buf[p + 16]! !== CH_COLON) {
    return false;
  }
  const y = digits(buf, p, 4);
  const mo = digits(buf, p + 5, 2);
  const d = digits(buf, p + 8, 2);
  const h = digits(buf, p + 11, 2);
  const mi = digits(buf, p + 14, 2);
  const s = digits(buf, p + 17, 2);
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) return false;
  let q = p + 19;
  let frac = 0;
  if (q < end && buf[q]! === CH_DOT) {
    q++;
    const fs = q;
    for (; q < end && isDigit(buf[q]!); q++) if (q - fs < 9) frac = frac * 10 + (buf[q]! - CH_0);
    const n = q - fs;
    if (n === 0) return false;
    frac *= FRAC_SCALE[n > 9 ? 9 : n]!;
  }
  if (q >= end || buf[q]! !== 90 /* Z */) return false;
  const secs = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
  if (secs < 0) return false;
  out.end = q + 1;
  return nsFromSeconds(secs, frac, out);
}

/** lo/hi words to a bigint, for the low-volume consumers (irq rows, lost-event records). */
export function toBigInt(lo: number, hi: number): bigint {
  return (BigInt(hi) << 32n) | BigInt(lo);
}
