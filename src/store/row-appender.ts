/**
 * Row-at-a-time appends for the small per-import tables (imports, issues, events, lost markers,
 * vms, blocks, irq events): plain JS values converted by the target column's type. Not for the
 * hot path — access rows go through AccessAppender.
 */
import {
  listValue, structValue, timestampValue, type DuckDBType, type DuckDBValue,
} from '@duckdb/node-api';
import type { Database } from './database.ts';
import { translateDuckDBError } from './database.ts';

/** Accepted per cell: null, number, bigint, string, boolean, Date, arrays of plain objects (LIST of STRUCT). */
export type Cell = null | number | bigint | string | boolean | Date | ReadonlyArray<Record<string, unknown>>;

function toDuckDB(v: Exclude<Cell, null>): DuckDBValue {
  if (v instanceof Date) return timestampValue(BigInt(v.getTime()) * 1000n);
  if (Array.isArray(v)) {
    return listValue(v.map((o: Record<string, unknown>) => structValue(Object.fromEntries(
      Object.entries(o).map(([k, x]) => [k, x === undefined ? null : (x as DuckDBValue)]),
    ))));
  }
  return v as DuckDBValue;
}

/** Appends `rows` (each in table column order) to `table` in the connection's current transaction. */
export async function appendRows(db: Database, table: string, rows: readonly (readonly Cell[])[]): Promise<void> {
  if (rows.length === 0) return;
  try {
    const appender = await db.connection.createAppender(table);
    const types: DuckDBType[] = [];
    for (let c = 0; c < appender.columnCount; c++) types.push(appender.columnType(c));
    for (const row of rows) {
      if (row.length !== types.length) throw new Error(`${table}: row has ${row.length} values, table has ${types.length} columns`);
      for (let c = 0; c < row.length; c++) {
        const v = row[c];
        if (v === null || v === undefined) appender.appendNull();
        else appender.appendValue(toDuckDB(v), types[c]);
      }
      appender.endRow();
    }
    appender.closeSync();
  } catch (err) {
    throw translateDuckDBError(err, db.path);
  }
}
