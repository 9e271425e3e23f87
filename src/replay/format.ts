/** Printing register values whose bits may be unknown: hex digits, '?' for a nibble not fully known. */
export function formatMasked(lo: number, hi: number, klo: number, khi: number, len: number): string {
  const digits = Math.max(1, Math.min(len, 8)) * 2;
  let out = '';
  for (let d = digits - 1; d >= 0; d--) {
    const word = d >= 8 ? hi : lo;
    const known = d >= 8 ? khi : klo;
    const shift = (d & 7) * 4;
    const k = (known >>> shift) & 0xf;
    out += k === 0xf ? ((word >>> shift) & 0xf).toString(16) : '?';
  }
  return `0x${out}`;
}

export function hex(v: number, len = 4): string {
  return `0x${(v >>> 0).toString(16).padStart(Math.min(len, 4) * 2, '0')}`;
}

export function hex64(lo: number, hi: number, len: number): string {
  return formatMasked(lo, hi, -1, -1, len);
}
