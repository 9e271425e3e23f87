/**
 * Bench child, the comparison: writes the imported rows to CSV (DuckDB COPY, not timed) in their
 * logical form (one column per field, strings as codes: access_codes), then
 * times `CREATE TABLE ... AS SELECT * FROM read_csv(..., columns = {explicit types})` into a
 * fresh file database.
 */
import { rmSync, statSync } from 'node:fs';
import { DuckDBInstance } from '@duckdb/node-api';

const [srcDb, csv, dstDb] = process.argv.slice(2) as [string, string, string];
const w0 = performance.now();
{
  const inst = await DuckDBInstance.create(srcDb, { access_mode: 'READ_ONLY' });
  const con = await inst.connect();
  // the rows in their logical form: the 15 code columns of access_codes (what `accesses` names)
  await con.run(`COPY (SELECT * EXCLUDE (row_key) FROM access_codes ORDER BY row_key) TO '${csv}' (HEADER, DELIMITER ',')`);
  con.closeSync();
  inst.closeSync();
}
const writeSeconds = (performance.now() - w0) / 1000;
for (const p of [dstDb, `${dstDb}.wal`]) rmSync(p, { force: true });
const columns = `{'import_id': 'INTEGER', 'seq': 'BIGINT', 'ts_ns': 'BIGINT', 'host_cpu': 'SMALLINT', 'tid': 'INTEGER',
  'vm': 'INTEGER', 'vcpu': 'SMALLINT', 'source': 'UTINYINT', 'space': 'UTINYINT', 'op': 'UTINYINT', 'addr': 'UBIGINT',
  'len': 'UTINYINT', 'value': 'UBIGINT', 'pc': 'UBIGINT', 'imm': 'UINTEGER'}`;
const inst = await DuckDBInstance.create(dstDb);
const con = await inst.connect();
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await con.run(`CREATE TABLE access_rows AS SELECT * FROM read_csv('${csv}', header = true, columns = ${columns})`);
con.closeSync();
inst.closeSync(); // includes the checkpoint, as the import's COMMIT does
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const inst2 = await DuckDBInstance.create(dstDb, { access_mode: 'READ_ONLY' });
const con2 = await inst2.connect();
const rows = Number((await con2.runAndReadAll('SELECT count(*) FROM access_rows')).getRows()[0]![0]);
console.log(JSON.stringify({
  seconds, rows, writeSeconds, csvBytes: statSync(csv).size, maxRssKb: process.resourceUsage().maxRSS, cpuMs: (cpu.user + cpu.system) / 1000,
}));
