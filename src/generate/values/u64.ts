/** 64-bit register values as exact u32 halves (no BigInt on the generator's hot path). */
export class U64 {
  lo = 0;
  hi = 0;

  set(lo: number, hi: number): this {
    this.lo = lo >>> 0;
    this.hi = hi >>> 0;
    return this;
  }
}

/**
 * Applies a guest write of `len` bytes at byte `offset` (0 or 4) within a 64-bit register, as
 * KVM's update_64bit_reg(): 8-byte writes replace both halves, 4-byte writes one half.
 */
export function update64(reg: U64, offset: number, len: number, lo: number, hi: number): void {
  if (len === 8) reg.set(lo, hi);
  else if (offset === 0) reg.lo = lo >>> 0;
  else reg.hi = lo >>> 0;
}

/** Reads `len` bytes at byte `offset` of a 64-bit value into out (KVM's extract_bytes()). */
export function extract64(lo: number, hi: number, offset: number, len: number, out: U64): void {
  if (len === 8) out.set(lo, hi);
  else if (len === 4) out.set(offset === 0 ? lo : hi, 0);
  else {
    // 1- or 2-byte extraction (only byte-accessible registers use it).
    const word = offset < 4 ? lo : hi;
    const shift = (offset & 3) * 8;
    const mask = len === 1 ? 0xff : 0xffff;
    out.set((word >>> shift) & mask, 0);
  }
}

/** Field helpers on the high or low word. */
export function field(word: number, shift: number, bits: number): number {
  return (word >>> shift) & ((1 << bits) - 1);
}

export function withField(word: number, shift: number, bits: number, v: number): number {
  const mask = ((1 << bits) - 1) << shift;
  return ((word & ~mask) | ((v << shift) & mask)) >>> 0;
}
