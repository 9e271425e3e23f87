/**
 * DuckDB values → plain JS values, the form the output reporters take: integers stay exact
 * (number up to 32 bits, bigint for 64/128-bit types), lists become arrays, structs and maps
 * objects, everything else (timestamps, decimals, intervals, UUIDs, blobs) DuckDB's own text.
 */
import { DuckDBListValue, DuckDBStructValue, DuckDBArrayValue, DuckDBMapValue, type DuckDBValue } from '@duckdb/node-api';

export function toPlainValue(v: DuckDBValue): unknown {
  if (v === null || typeof v === 'number' || typeof v === 'bigint' || typeof v === 'string' || typeof v === 'boolean') {
    return v;
  }
  if (v instanceof DuckDBListValue || v instanceof DuckDBArrayValue) return v.items.map(toPlainValue);
  if (v instanceof DuckDBStructValue) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v.entries)) o[k] = toPlainValue(x);
    return o;
  }
  if (v instanceof DuckDBMapValue) {
    const o: Record<string, unknown> = {};
    for (const e of v.entries) o[String(toPlainValue(e.key))] = toPlainValue(e.value);
    return o;
  }
  return String(v);
}
