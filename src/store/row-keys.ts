/**
 * The row_key column of access_rows and irq_rows: import_id << 40 | seq (access-row-layout.ts),
 * filled from a batch's seq column (u32 lo/hi pairs) into a reused array.
 */
import { AbitraceError, E } from '../errors.ts';
import { MAX_PACKED_IMPORT_ID, SEQ_BITS } from './access-row-layout.ts';

export class RowKeys {
  private keys: BigInt64Array<ArrayBuffer> = new BigInt64Array(0);
  private key32 = new Uint32Array(0);
  /** import_id in a key's high word, above seq's top 8 bits. */
  private readonly high: number;

  constructor(importId: number, private readonly table: string) {
    if (!Number.isInteger(importId) || importId < 0 || importId > MAX_PACKED_IMPORT_ID) {
      throw new AbitraceError(E.DB_SCHEMA, `import id ${importId} does not fit ${table}.row_key (at most ${MAX_PACKED_IMPORT_ID})`);
    }
    this.high = importId << (SEQ_BITS - 32);
  }

  /** The keys of rows [0, n) with the seqs in `seq32`; valid until the next fill(). */
  fill(seq32: Uint32Array, n: number): BigInt64Array<ArrayBuffer> {
    if (n > this.keys.length) {
      this.keys = new BigInt64Array(n);
      this.key32 = new Uint32Array(this.keys.buffer);
    }
    const key = this.key32;
    const high = this.high;
    for (let lo = 0; lo < 2 * n; lo += 2) {
      const seqHi = seq32[lo + 1]!;
      if (seqHi > 0xff) {
        throw new AbitraceError(E.DB_SCHEMA, `row ${seq32[lo]! + seqHi * 4294967296} of one file: beyond the ${SEQ_BITS}-bit seq of ${this.table}.row_key`);
      }
      key[lo] = seq32[lo]!;
      key[lo + 1] = high | seqHi;
    }
    return this.keys;
  }
}
