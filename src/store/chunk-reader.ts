/**
 * The read-side twin of ChunkAppender: streams a query's result into columnar batches by copying
 * DuckDB's vectors straight into typed arrays (tooling-notes §3: `stream` + `fetchChunk` +
 * `vector_get_data`, ~11 M rows/s) — no JS value per cell. The query's columns, in select order,
 * must match the targets' widths (BIGINT/UBIGINT → 8-byte arrays, INTEGER → 4, SMALLINT → 2,
 * UTINYINT/BOOLEAN → 1).
 */
import duckdb from '@duckdb/node-bindings';
import type { ColumnData } from './chunk-appender.ts';
import type { Database } from './database.ts';
import { translateDuckDBError } from './database.ts';

/** Where one result column goes in a batch; `validity` for a nullable column (bit set = row valid). */
export interface ColumnTarget {
  data: ColumnData;
  validity?: Uint8Array;
}

export interface ReadableBatch {
  length: number;
  readonly capacity: number;
}

/**
 * Runs `sql` and fills batches from `make()` (each filled to capacity before the next is made);
 * `targets(b)` lists b's arrays in select order.
 */
export async function readBatches<B extends ReadableBatch>(db: Database, sql: string, make: () => B,
  targets: (b: B) => readonly ColumnTarget[]): Promise<B[]> {
  const streamed = await db.stream(sql);
  const batches: B[] = [];
  let cur = make();
  let curTargets = targets(cur);
  for (;;) {
    let chunk;
    try {
      chunk = await streamed.result.fetchChunk();
    } catch (err) {
      throw translateDuckDBError(err, db.path);
    }
    if (!chunk || chunk.rowCount === 0) break;
    const n = chunk.rowCount;
    let done = 0;
    while (done < n) {
      if (cur.length === cur.capacity) {
        batches.push(cur);
        cur = make();
        curTargets = targets(cur);
      }
      const take = Math.min(n - done, cur.capacity - cur.length);
      copyChunkColumns(chunk.chunk, done, take, cur.length, curTargets);
      cur.length += take;
      done += take;
    }
  }
  if (cur.length > 0) batches.push(cur);
  return batches;
}

/** Copies rows [from, from + n) of each column of `chunk` into its target at row `at`. */
export function copyChunkColumns(chunk: duckdb.DataChunk, from: number, n: number, at: number, targets: readonly ColumnTarget[]): void {
  const total = duckdb.data_chunk_get_size(chunk);
  for (let c = 0; c < targets.length; c++) {
    const t = targets[c]!;
    const width = t.data.BYTES_PER_ELEMENT;
    const vec = duckdb.data_chunk_get_vector(chunk, c);
    const data = duckdb.vector_get_data(vec, total * width);
    new Uint8Array(t.data.buffer, t.data.byteOffset + at * width, n * width).set(data.subarray(from * width, (from + n) * width));
    const bits = t.validity;
    if (!bits) continue;
    const src = duckdb.vector_get_validity(vec, Math.ceil(total / 64) * 8); // null: no NULLs in this vector
    for (let i = 0; i < n; i++) {
      const j = at + i;
      const ok = !src || (src[(from + i) >>> 3]! & (1 << ((from + i) & 7))) !== 0;
      if (ok) bits[j >>> 3]! |= 1 << (j & 7);
      else bits[j >>> 3]! &= ~(1 << (j & 7));
    }
  }
}
