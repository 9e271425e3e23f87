/**
 * What AccessBatch and IrqBatch do alike with their typed-array columns and validity bitmaps:
 * zero them for reuse, list their buffers for a postMessage transfer.
 */

/** Zeroes every column and bitmap, as in a newly allocated batch. */
export function zeroBuffers(columns: readonly ArrayBufferView[], bitmaps: readonly Uint8Array[]): void {
  for (const a of columns) new Uint8Array(a.buffer, a.byteOffset, a.byteLength).fill(0);
  for (const b of bitmaps) b.fill(0);
}

/** The ArrayBuffers behind the columns and bitmaps, for a postMessage transfer list. */
export function transferList(columns: readonly ArrayBufferView[], bitmaps: readonly Uint8Array[]): ArrayBuffer[] {
  const out = columns.map((a) => a.buffer as ArrayBuffer);
  for (const b of bitmaps) out.push(b.buffer as ArrayBuffer);
  return out;
}
