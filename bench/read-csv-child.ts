/**
 * Bench child, the comparison: writes the imported rows to CSV (DuckDB COPY, not timed), then
 * times `CREATE TABLE ... AS SELECT * FROM read_csv(..., columns = {explicit types})` into a
 * fresh file database. Two forms of the same rows (argument `form`):
 *   schema  the rows as the `accesses` schema defines them (what a user would load: `vm`,
 *           `source`, `space`, `op` as text) — the issue's comparison;
 *   codes   every column an integer (access_codes: strings as dictionary codes) — a stricter
 *           comparison, since it spares read_csv the strings abitrace itself stores as codes.
 */
import { rmSync, statSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [srcDb, csv, dstDb, form] = process.argv.slice(2) as [string, string, string, 'schema' | 'codes'];
if (form !== 'schema' && form !== 'codes') throw new Error(`form must be schema or codes, got ${form}`);
const w0 = performance.now();
let columns: string;
{
  const inst = await DuckDBInstance.create(srcDb, { access_mode: 'READ_ONLY' });
  const con = await inst.connect();
  const view = form === 'schema' ? 'accesses' : 'access_codes';
  const types = (await con.runAndReadAll(`SELECT column_name, data_type FROM duckdb_columns()
    WHERE table_name = '${view}' AND column_name <> 'row_key' ORDER BY column_index`)).getRows();
  columns = `{${types.map(([n, t]) => `'${String(n)}': '${String(t)}'`).join(', ')}}`;
  const select = form === 'schema'
    ? 'SELECT * FROM accesses ORDER BY import_id, seq'
    : 'SELECT * EXCLUDE (row_key) FROM access_codes ORDER BY row_key';
  await con.run(`COPY (${select}) TO '${csv}' (HEADER, DELIMITER ',')`);
  con.closeSync();
  inst.closeSync();
}
const writeSeconds = (performance.now() - w0) / 1000;
for (const p of [dstDb, `${dstDb}.wal`]) rmSync(p, { force: true });
const inst = await DuckDBInstance.create(dstDb);
const con = await inst.connect();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await con.run(`CREATE TABLE accesses AS SELECT * FROM read_csv('${csv}', header = true, columns = ${columns})`);
con.closeSync();
inst.closeSync(); // includes the checkpoint, as the import's COMMIT does
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const inst2 = await DuckDBInstance.create(dstDb, { access_mode: 'READ_ONLY' });
const con2 = await inst2.connect();
const rows = Number((await con2.runAndReadAll('SELECT count(*) FROM accesses')).getRows()[0]![0]);
console.log(JSON.stringify({
  seconds, rows, writeSeconds, csvBytes: statSync(csv).size, maxRssKb: process.resourceUsage().maxRSS, cpuMs: (cpu.user + cpu.system) / 1000,
}));
