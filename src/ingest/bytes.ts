/**
 * Byte-level scanning helpers for the trace tokenizers. Everything works on a Buffer and a
 * [pos, end) range and reports results through a reusable scratch object, so the hot loops never
 * allocate, never build per-line strings and never create a BigInt. 64-bit numbers are returned as
 * exact u32 lo/hi halves (the AccessBatch `*32` views take them directly).
 */

export const CH_TAB = 9;
export const CH_LF = 10;
export const CH_CR = 13;
export const CH_SPACE = 32;
export const CH_QUOTE = 39; // '
export const CH_LPAREN = 40;
export const CH_RPAREN = 41;
export const CH_COMMA = 44;
export const CH_DASH = 45;
export const CH_DOT = 46;
export const CH_SLASH = 47;
export const CH_0 = 48;
export const CH_9 = 57;
export const CH_COLON = 58;
export const CH_EQ = 61;
export const CH_AT = 64;
export const CH_LBRACKET = 91;
export const CH_RBRACKET = 93;
export const CH_HASH = 35;
export const CH_LT = 60;
export const CH_X = 120;

/** Hex digit value per byte, -1 for non-hex bytes. */
export const HEX_VALUE: Int8Array = (() => {
  const t = new Int8Array(256).fill(-1);
  for (let c = 0; c < 10; c++) t[48 + c] = c;
  for (let c = 0; c < 6; c++) {
    t[65 + c] = 10 + c;
    t[97 + c] = 10 + c;
  }
  return t;
})();

/** 1 for bytes allowed in an event / tracepoint name ([A-Za-z0-9_]). */
export const NAME_CHAR: Uint8Array = (() => {
  const t = new Uint8Array(256);
  for (let c = 48; c <= 57; c++) t[c] = 1;
  for (let c = 65; c <= 90; c++) t[c] = 1;
  for (let c = 97; c <= 122; c++) t[c] = 1;
  t[95] = 1;
  return t;
})();

const TWO32 = 4294967296;

/** Results of the number parsers: the value (exact lo/hi words, and a double) and where it ended. */
export class NumScratch {
  lo = 0;
  hi = 0;
  /** The value as a double (exact below 2^53). */
  n = 0;
  /** Position just after the last digit. */
  end = 0;
}

export function isDigit(c: number): boolean {
  return c >= CH_0 && c <= CH_9;
}

export function skipSpaces(buf: Buffer, p: number, end: number): number {
  while (p < end && buf[p]! === CH_SPACE) p++;
  return p;
}

/**
 * Hex number with an optional `0x`/`0X` prefix (C printf `%#x` prints a zero as plain `0`; the
 * kvm_sys_access PC and trace-cmd's zero-padded fields have no prefix at all). Any number of digits
 * up to 64 significant bits; more is a parse failure, not a silent truncation.
 */
export function parseHex(buf: Buffer, p: number, end: number, out: NumScratch): boolean {
  if (p + 1 < end && buf[p]! === CH_0 && (buf[p + 1]! === CH_X || buf[p + 1]! === 88)) p += 2;
  const start = p;
  let lo = 0;
  let hi = 0;
  for (; p < end; p++) {
    const d = HEX_VALUE[buf[p]!]!;
    if (d < 0) break;
    if (hi >>> 28 !== 0) return false; // would exceed 64 bits
    hi = ((hi << 4) | (lo >>> 28)) >>> 0;
    lo = ((lo << 4) | d) >>> 0;
  }
  if (p === start) return false;
  out.lo = lo;
  out.hi = hi;
  out.n = hi * TWO32 + lo;
  out.end = p;
  return true;
}

/** Unsigned decimal, exact to 64 bits through lo/hi words. */
export function parseDec(buf: Buffer, p: number, end: number, out: NumScratch): boolean {
  const start = p;
  let lo = 0;
  let hi = 0;
  for (; p < end; p++) {
    const c = buf[p]!;
    if (c < CH_0 || c > CH_9) break;
    lo = lo * 10 + (c - CH_0);
    hi *= 10;
    if (lo >= TWO32) {
      const carry = Math.floor(lo / TWO32);
      lo -= carry * TWO32;
      hi += carry;
    }
    if (hi >= TWO32) return false;
  }
  if (p === start) return false;
  out.lo = lo;
  out.hi = hi;
  out.n = hi * TWO32 + lo;
  out.end = p;
  return true;
}

/**
 * A small non-negative decimal (pid, cpu, len, encoding fields): returns the value, or -1 when
 * there is no digit or more than 15 of them. `out.end` is set on success.
 */
export function parseSmallDec(buf: Buffer, p: number, end: number, out: NumScratch): number {
  const start = p;
  let v = 0;
  for (; p < end; p++) {
    const c = buf[p]!;
    if (c < CH_0 || c > CH_9) break;
    v = v * 10 + (c - CH_0);
  }
  if (p === start || p - start > 15) return -1;
  out.end = p;
  return v;
}

/** A field value in `[FAILED TO PARSE]` output: libtraceevent prints longs as 0x-hex, others decimal. */
export function parseAnyInt(buf: Buffer, p: number, end: number, out: NumScratch): boolean {
  let neg = false;
  if (p < end && buf[p]! === CH_DASH) {
    neg = true;
    p++;
  }
  const ok =
    p + 1 < end && buf[p]! === CH_0 && (buf[p + 1]! === CH_X || buf[p + 1]! === 88)
      ? parseHex(buf, p, end, out)
      : parseDec(buf, p, end, out);
  if (ok && neg) {
    // two's complement, as the kernel stored it
    out.n = -out.n;
    const lo = (~out.lo + 1) >>> 0;
    out.hi = (~out.hi + (lo === 0 ? 1 : 0)) >>> 0;
    out.lo = lo;
  }
  return ok;
}

/** True when buf[p..] starts with the literal. */
export function matchLit(buf: Buffer, p: number, end: number, lit: Uint8Array): boolean {
  const n = lit.length;
  if (p + n > end) return false;
  for (let i = 0; i < n; i++) if (buf[p + i]! !== lit[i]!) return false;
  return true;
}

/** Position of the first occurrence of `lit` in [p, end), or -1. */
export function findLit(buf: Buffer, p: number, end: number, lit: Uint8Array): number {
  const n = lit.length;
  const first = lit[0]!;
  const last = end - n;
  for (let i = p; i <= last; i++) {
    if (buf[i]! !== first) continue;
    let k = 1;
    while (k < n && buf[i + k]! === lit[k]!) k++;
    if (k === n) return i;
  }
  return -1;
}

/** Position of the last occurrence of byte `c` in [p, end), or -1. */
export function lastIndexOfByte(buf: Buffer, p: number, end: number, c: number): number {
  for (let i = end - 1; i >= p; i--) if (buf[i]! === c) return i;
  return -1;
}

export function lit(s: string): Uint8Array {
  return Buffer.from(s, 'latin1');
}

/** Text of a line for messages and samples, cut to `max` characters. */
export function sampleText(buf: Uint8Array, start: number, end: number, max = 200): string {
  const stop = Math.min(end, start + max * 4);
  const s = Buffer.from(buf.buffer, buf.byteOffset + start, stop - start).toString('utf8');
  return s.length > max ? s.slice(0, max) : s;
}

/** `0x`-prefixed lower-case hex of a u32 lo/hi pair (for messages and samples, not hot paths). */
export function hex64(lo: number, hi: number): string {
  return hi === 0 ? `0x${lo.toString(16)}` : `0x${hi.toString(16)}${lo.toString(16).padStart(8, '0')}`;
}

/**
 * Initial value of an object field that holds u32 halves (`>>> 0` results): -0 is a heap number,
 * so V8 gives the field a double representation from the start. Starting from the small integer
 * 0, the first value ≥ 2^31 changed the field's representation and deoptimized every compiled
 * function that touched the object (the parser's hottest ones, recompiled on helper threads).
 */
export const U32_FIELD = -0;
