/**
 * Row-at-a-time appends for the small per-import tables (imports, issues, events, lost markers,
 * vms, blocks, irq events): plain JS values converted by the target column's type. Not for the
 * hot path — access rows go through AccessAppender.
 */
import {
  DuckDBTypeId, listValue, structValue, timestampValue, type DuckDBAppender, type DuckDBType, type DuckDBValue,
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

type CellWriter = (a: DuckDBAppender, v: Exclude<Cell, null>) => void;

const asBigInt = (v: Exclude<Cell, null>): bigint => (typeof v === 'bigint' ? v : BigInt(v as number));

/**
 * The appender call for a column's type when the cell is a plain number, bigint or string: a
 * summary of tens of thousands of VMs is a few hundred thousand cells, and the generic
 * appendValue converts each through a DuckDBValue (most of the time those tables took).
 */
function writerFor(t: DuckDBType): CellWriter {
  const generic: CellWriter = (a, v) => a.appendValue(toDuckDB(v), t);
  const num = (f: (a: DuckDBAppender, n: number) => void): CellWriter => (a, v) => (typeof v === 'number' ? f(a, v) : generic(a, v));
  switch (t.typeId) {
    case DuckDBTypeId.TINYINT: return num((a, n) => a.appendTinyInt(n));
    case DuckDBTypeId.SMALLINT: return num((a, n) => a.appendSmallInt(n));
    case DuckDBTypeId.INTEGER: return num((a, n) => a.appendInteger(n));
    case DuckDBTypeId.UTINYINT: return num((a, n) => a.appendUTinyInt(n));
    case DuckDBTypeId.USMALLINT: return num((a, n) => a.appendUSmallInt(n));
    case DuckDBTypeId.UINTEGER: return num((a, n) => a.appendUInteger(n));
    case DuckDBTypeId.BIGINT:
      return (a, v) => (typeof v === 'number' || typeof v === 'bigint' ? a.appendBigInt(asBigInt(v)) : generic(a, v));
    case DuckDBTypeId.UBIGINT:
      return (a, v) => (typeof v === 'number' || typeof v === 'bigint' ? a.appendUBigInt(asBigInt(v)) : generic(a, v));
    case DuckDBTypeId.VARCHAR: return (a, v) => (typeof v === 'string' ? a.appendVarchar(v) : generic(a, v));
    case DuckDBTypeId.BOOLEAN: return (a, v) => (typeof v === 'boolean' ? a.appendBoolean(v) : generic(a, v));
    default: return generic;
  }
}

/**
 * Appends `rows` (each in table column order) to `table` in the connection's current transaction.
 * An iterable lets a large per-VM table be written row by row, never held whole.
 */
export async function appendRows(db: Database, table: string, rows: Iterable<readonly Cell[]>): Promise<void> {
  if (Array.isArray(rows) && rows.length === 0) return;
  try {
    const appender = await db.connection.createAppender(table);
    const writers: CellWriter[] = [];
    for (let c = 0; c < appender.columnCount; c++) writers.push(writerFor(appender.columnType(c)));
    for (const row of rows) {
      if (row.length !== writers.length) throw new Error(`${table}: row has ${row.length} values, table has ${writers.length} columns`);
      for (let c = 0; c < row.length; c++) {
        const v = row[c];
        if (v === null || v === undefined) appender.appendNull();
        else writers[c]!(appender, v);
      }
      appender.endRow();
    }
    appender.closeSync();
  } catch (err) {
    throw translateDuckDBError(err, db.path);
  }
}
