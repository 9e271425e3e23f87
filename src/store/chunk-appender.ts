/**
 * The DuckDB hot path for columnar batches (AccessBatch → access_rows, IrqBatch → irq_rows):
 * copies the batch's typed-array columns into ONE reused raw data chunk with
 * `copy_data_to_vector` (a memcpy per column per 2048 rows) and appends it (tooling-notes §2,
 * (b3)). Vector handles are fetched once; the chunk is never reset (only VARCHAR needs that, and
 * these tables have none: strings are codes). Validity bitmaps are copied as whole u64 words: a
 * slice starts at a multiple of 2048 = 32 words, so its bitmap starts on a byte (even a word)
 * boundary. The tables carry the import id inside their row_key (access-row-layout.ts), so a
 * chunk is exactly the batch's columns.
 *
 * Close the appender (close()) before COMMIT: closing flushes the last rows into the
 * connection's open transaction.
 */
import duckdb from '@duckdb/node-bindings';
import { DuckDBDataChunk, DuckDBTypeId, type DuckDBAppender } from '@duckdb/node-api';
import type { Database } from './database.ts';
import { translateDuckDBError } from './database.ts';

export type ColumnData = BigInt64Array | BigUint64Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array;

/** What ChunkAppender needs of a batch: a row count and a validity bitmap per nullable column. */
export interface ColumnarBatch {
  readonly length: number;
  readonly validity: Readonly<Record<string, Uint8Array>>;
}

/** The batch's typed-array properties. */
export type ColumnKey<B> = { [K in keyof B]-?: B[K] extends ColumnData ? K : never }[keyof B] & string;

/** One table column after import_id: the batch property it comes from; `nullable` — its bitmap is `validity[name]`. */
export interface ChunkColumn<B> {
  readonly name: ColumnKey<B>;
  readonly nullable: boolean;
}

/** Bytes per value of the DuckDB types these tables use (what a typed array must match). */
const WIDTH: Partial<Record<DuckDBTypeId, number>> = {
  [DuckDBTypeId.BOOLEAN]: 1, [DuckDBTypeId.TINYINT]: 1, [DuckDBTypeId.UTINYINT]: 1,
  [DuckDBTypeId.SMALLINT]: 2, [DuckDBTypeId.USMALLINT]: 2,
  [DuckDBTypeId.INTEGER]: 4, [DuckDBTypeId.UINTEGER]: 4,
  [DuckDBTypeId.BIGINT]: 8, [DuckDBTypeId.UBIGINT]: 8,
};

export class ChunkAppender<B extends ColumnarBatch> {
  /** Rows appended so far. */
  rows = 0;
  private readonly chunkRows: number;
  private readonly vectors: duckdb.Vector[];
  private closed = false;

  private constructor(
    private readonly db: Database,
    private readonly table: string,
    private readonly columns: readonly ChunkColumn<B>[],
    private readonly widths: readonly number[],
    private readonly appender: DuckDBAppender,
    private readonly chunk: DuckDBDataChunk,
  ) {
    this.chunkRows = duckdb.vector_size();
    this.vectors = [];
    for (let c = 0; c < columns.length; c++) this.vectors.push(duckdb.data_chunk_get_vector(chunk.chunk, c));
    for (let c = 0; c < columns.length; c++) {
      if (columns[c]!.nullable) duckdb.vector_ensure_validity_writable(this.vectors[c]!);
    }
  }

  /** Opens an appender on `table` (columns: `columns` in order), inside the connection's transaction. */
  static async open<B extends ColumnarBatch>(db: Database, table: string, columns: readonly ChunkColumn<B>[]): Promise<ChunkAppender<B>> {
    try {
      const appender = await db.connection.createAppender(table);
      const types = [];
      for (let c = 0; c < appender.columnCount; c++) types.push(appender.columnType(c));
      if (types.length !== columns.length) {
        throw new Error(`${table} has ${types.length} columns, expected ${columns.length}`);
      }
      const widths = types.map((t, c) => {
        const w = WIDTH[t.typeId];
        if (w === undefined) throw new Error(`${table} column ${c + 1} (${columns[c]!.name}) has type ${t.toString()}, not a fixed-width integer`);
        return w;
      });
      return new ChunkAppender<B>(db, table, columns, widths, appender, DuckDBDataChunk.create(types));
    } catch (err) {
      throw translateDuckDBError(err, db.path);
    }
  }

  /** Appends rows [0, batch.length) in 2048-row slices. Synchronous: no await on the hot path. */
  append(batch: B): void {
    const n = batch.length;
    const step = this.chunkRows;
    const vecs = this.vectors;
    const cols = this.columns;
    const chunk = this.chunk.chunk;
    const data: ColumnData[] = [];
    for (let c = 0; c < cols.length; c++) {
      const arr = batch[cols[c]!.name] as ColumnData;
      if (arr.BYTES_PER_ELEMENT !== this.widths[c]) {
        throw new Error(`${this.table}.${cols[c]!.name}: ${arr.BYTES_PER_ELEMENT}-byte values for a ${this.widths[c]}-byte column`);
      }
      data.push(arr);
    }
    try {
      for (let start = 0; start < n; start += step) {
        const rows = Math.min(step, n - start);
        duckdb.data_chunk_set_size(chunk, rows);
        const validityBytes = Math.ceil(rows / 64) * 8;
        const validityStart = start >>> 3;
        for (let c = 0; c < cols.length; c++) {
          const arr = data[c]!;
          const bpe = arr.BYTES_PER_ELEMENT;
          const vec = vecs[c]!;
          duckdb.copy_data_to_vector(vec, 0, arr.buffer as ArrayBuffer, arr.byteOffset + start * bpe, rows * bpe);
          if (cols[c]!.nullable) {
            const bits = batch.validity[cols[c]!.name]!;
            duckdb.copy_data_to_vector_validity(vec, 0, bits.buffer as ArrayBuffer, bits.byteOffset + validityStart, validityBytes);
          }
        }
        this.appender.appendDataChunk(this.chunk);
        this.rows += rows;
      }
      // Hand the rows to the table now, while the parser is still busy on the other core: left
      // buffered, up to ~200 K rows were flushed by close(), on the import's serial tail.
      this.appender.flushSync();
    } catch (err) {
      throw translateDuckDBError(err, this.db.path);
    }
  }

  /** Writes the rows appended so far into the open transaction (visible to queries on this connection). */
  flush(): void {
    try {
      this.appender.flushSync();
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
