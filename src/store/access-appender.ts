/**
 * The DuckDB hot path: copies AccessBatch columns into ONE reused raw data chunk with
 * `copy_data_to_vector` (a memcpy per column per 2048 rows) and appends it (tooling-notes §2,
 * (b3)). Vector handles are fetched once; the chunk is never reset (only VARCHAR needs that,
 * and access_rows has none). Validity bitmaps are copied as whole u64 words: a slice starts at
 * a multiple of 2048 = 32 words, so its bitmap starts on a byte (even a word) boundary.
 *
 * Close the appender (close()) before COMMIT: closing flushes the last rows into the
 * connection's open transaction.
 */
import duckdb from '@duckdb/node-bindings';
import { DuckDBDataChunk, type DuckDBAppender } from '@duckdb/node-api';
import type { AccessBatch, NullableColumn } from '../model/access-batch.ts';
import type { Database } from './database.ts';
import { translateDuckDBError } from './database.ts';

type Column = Exclude<keyof AccessBatch, 'capacity' | 'length' | 'validity' | 'full' | 'reserve' | 'setValid'
  | 'isValid' | 'transferables' | 'toBuffers' | 'seq32' | 'ts32' | 'addr32' | 'value32' | 'pc32'>;

/** access_rows columns after import_id, in table order, with their validity (if nullable). */
const COLUMNS: ReadonlyArray<{ name: Column; nullable: NullableColumn | null }> = [
  { name: 'seq', nullable: null },
  { name: 'ts_ns', nullable: 'ts_ns' },
  { name: 'host_cpu', nullable: 'host_cpu' },
  { name: 'tid', nullable: null },
  { name: 'vm', nullable: null },
  { name: 'vcpu', nullable: 'vcpu' },
  { name: 'source', nullable: null },
  { name: 'space', nullable: null },
  { name: 'op', nullable: null },
  { name: 'addr', nullable: 'addr' },
  { name: 'len', nullable: 'len' },
  { name: 'value', nullable: 'value' },
  { name: 'pc', nullable: 'pc' },
  { name: 'imm', nullable: 'imm' },
];

export class AccessAppender {
  /** Rows appended so far. */
  rows = 0;
  private readonly chunkRows: number;
  private readonly importIds: Int32Array;
  private readonly vectors: duckdb.Vector[];
  private closed = false;

  private constructor(
    private readonly db: Database,
    private readonly appender: DuckDBAppender,
    private readonly chunk: DuckDBDataChunk,
    importId: number,
  ) {
    this.chunkRows = duckdb.vector_size();
    this.importIds = new Int32Array(this.chunkRows).fill(importId);
    this.vectors = [];
    for (let c = 0; c <= COLUMNS.length; c++) this.vectors.push(duckdb.data_chunk_get_vector(chunk.chunk, c));
    for (let c = 0; c < COLUMNS.length; c++) {
      if (COLUMNS[c]!.nullable) duckdb.vector_ensure_validity_writable(this.vectors[c + 1]!);
    }
  }

  /** Opens an appender on `access_rows` for one import, inside the connection's transaction. */
  static async create(db: Database, importId: number, table = 'access_rows'): Promise<AccessAppender> {
    try {
      const appender = await db.connection.createAppender(table);
      const types = [];
      for (let c = 0; c < appender.columnCount; c++) types.push(appender.columnType(c));
      if (types.length !== COLUMNS.length + 1) {
        throw new Error(`${table} has ${types.length} columns, expected ${COLUMNS.length + 1}`);
      }
      const chunk = DuckDBDataChunk.create(types);
      return new AccessAppender(db, appender, chunk, importId);
    } catch (err) {
      throw translateDuckDBError(err, db.path);
    }
  }

  /** Appends rows [0, batch.length) in 2048-row slices. Synchronous: no await on the hot path. */
  append(batch: AccessBatch): void {
    const n = batch.length;
    const step = this.chunkRows;
    const vecs = this.vectors;
    const chunk = this.chunk.chunk;
    try {
      for (let start = 0; start < n; start += step) {
        const rows = Math.min(step, n - start);
        duckdb.data_chunk_set_size(chunk, rows);
        duckdb.copy_data_to_vector(vecs[0]!, 0, this.importIds.buffer as ArrayBuffer, 0, rows * 4);
        const validityBytes = Math.ceil(rows / 64) * 8;
        const validityStart = start >>> 3;
        for (let c = 0; c < COLUMNS.length; c++) {
          const col = COLUMNS[c]!;
          const arr = batch[col.name];
          const bpe = arr.BYTES_PER_ELEMENT;
          const vec = vecs[c + 1]!;
          duckdb.copy_data_to_vector(vec, 0, arr.buffer as ArrayBuffer, arr.byteOffset + start * bpe, rows * bpe);
          if (col.nullable) {
            const bits = batch.validity[col.nullable];
            duckdb.copy_data_to_vector_validity(vec, 0, bits.buffer as ArrayBuffer, bits.byteOffset + validityStart, validityBytes);
          }
        }
        this.appender.appendDataChunk(this.chunk);
        this.rows += rows;
      }
    } catch (err) {
      throw translateDuckDBError(err, this.db.path);
    }
  }

  /** Flushes and closes. Must precede COMMIT. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.appender.closeSync();
    } catch (err) {
      throw translateDuckDBError(err, this.db.path);
    }
  }
}
