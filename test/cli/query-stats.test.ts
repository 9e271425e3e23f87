import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, buildSyntheticDb, expectGolden, runCli } from './cli-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'abitrace-cli-'));
const db = join(dir, 'q.duckdb');
const golden = (name: string) => join(REPO, 'test/fixtures/cli', name);
const SQL = `SELECT seq, vm, source, space, op, addr, len, value, pc, imm, ts_ns FROM accesses WHERE seq <= 8 ORDER BY seq`;

beforeAll(async () => {
  await buildSyntheticDb(db);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('abitrace query', () => {
  it('prints a table that fits 120 columns (golden)', async () => {
    const r = await runCli(['query', SQL, '--db', db]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const line of r.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(120);
    expectGolden(r.stdout, golden('query-table.txt'));
  });

  it('prints JSON with hex strings for addresses/values and every other 64-bit integer as a decimal string (golden)', async () => {
    const r = await runCli(['query', SQL, '--db', db, '--format', 'json']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(8);
    expect(rows[0]).toMatchObject({ seq: '1', vm: '4242', source: 'kvm_mmio', space: 'mmio', op: 'R', addr: '0xffffffffffffffff', len: 1 });
    expect(rows[0]!.ts_ns).toBe('9007199254740993'); // 2^53 + 1: a string, not a rounded number
    expect(rows[1]!.value).toBe('0x8000000000000001');
    expect(rows[2]!.imm).toBe(4294967295);
    expectGolden(r.stdout, golden('query-json.txt'));
  });

  it('prints RFC 4180 CSV (golden)', async () => {
    const r = await runCli(['query', `SELECT vm, 'a"b' AS q, 'x\ny' AS nl, NULL AS n, '' AS e, addr FROM accesses WHERE seq IN (1, 2) ORDER BY seq`, '--db', db, '--format', 'csv']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\r\n')[0]).toBe('vm,q,nl,n,e,addr');
    expect(r.stdout).toContain('"guest,""b""","a""b","x\ny",,"",');
    expectGolden(r.stdout, golden('query-csv.txt'));
  });

  it('runs a -f file with several statements and prints the last result', async () => {
    const f = join(dir, 'two.sql');
    writeFileSync(f, `CREATE TEMP TABLE t AS SELECT 41 AS x;\nSELECT x + 1 AS answer FROM t;\n`);
    const r = await runCli(['query', '-f', f, '--db', db, '--format', 'csv']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('answer\r\n42\r\n');
  });

  it('is read-only unless --write: E_READ_ONLY, then the write succeeds with --write', async () => {
    const ro = await runCli(['query', `DELETE FROM import_events WHERE event = 'kvm_exit'`, '--db', db]);
    expect(ro.code).toBe(2);
    expect(ro.stderr).toMatch(/^abitrace: E_READ_ONLY: .*--write/);
    const rw = await runCli(['query', `DELETE FROM import_events WHERE event = 'kvm_exit'`, '--db', db, '--write', '--format', 'csv']);
    expect(rw.stderr).toBe('');
    expect(rw.code).toBe(0);
    expect(rw.stdout).toBe('Count\r\n1\r\n');
  });

  it('an SQL file without a statement and an empty --db are usage errors', async () => {
    const empty = join(dir, 'comments.sql');
    writeFileSync(empty, '-- only a comment\n/* and another */\n');
    const r = await runCli(['query', '-f', empty, '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/E_USAGE: .*comments\.sql holds no SQL statement/);
    const d = await runCli(['query', 'SELECT 1', '--db', '']);
    expect(d.code).toBe(2);
    expect(d.stderr).toMatch(/E_USAGE: --db is empty/);
  });

  it('refuses a DuckDB file abitrace did not write, and one of a newer schema (E_DB_SCHEMA)', async () => {
    const other = join(dir, 'other.duckdb');
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const inst = await DuckDBInstance.create(other);
    const con = await inst.connect();
    await con.run('CREATE TABLE customers (a INTEGER)');
    con.closeSync();
    inst.closeSync();
    const r = await runCli(['query', 'SELECT count(*) FROM customers', '--db', other]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/E_DB_SCHEMA: .*other\.duckdb is not an abitrace database/);
    const newer = join(dir, 'newer.duckdb');
    await buildSyntheticDb(newer, 4);
    expect((await runCli(['query', "UPDATE meta SET value = '99' WHERE key = 'schema_version'", '--db', newer, '--write'])).code).toBe(0);
    const n = await runCli(['query', 'SELECT count(*) FROM accesses', '--db', newer]);
    expect(n.code).toBe(2);
    expect(n.stderr).toMatch(/E_DB_SCHEMA: .*schema version 99, newer than this abitrace/);
  });

  it('bad SQL → E_SQL with DuckDB\'s message; missing DB → E_DB_NOT_FOUND; no SQL → E_USAGE', async () => {
    const [bad, missing, none] = await Promise.all([
      runCli(['query', 'SELEC 1', '--db', db]),
      runCli(['query', 'SELECT 1', '--db', join(dir, 'nope.duckdb')]),
      runCli(['query', '--db', db]),
    ]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^abitrace: E_SQL: Parser Error: syntax error at or near "SELEC"/);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^abitrace: E_DB_NOT_FOUND: database .*nope\.duckdb does not exist/);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^abitrace: E_USAGE: no SQL given/);
  });

  it('a database held by another process → E_DB_LOCKED naming the path', async () => {
    const lockDb = join(dir, 'locked.duckdb');
    await buildSyntheticDb(lockDb, 4);
    const holder = spawn(process.execPath, ['-e', `
      const { DuckDBInstance } = require('@duckdb/node-api');
      DuckDBInstance.create(${JSON.stringify(lockDb)}).then(() => { console.log('ready'); setTimeout(() => {}, 60000); });
    `], { cwd: REPO, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => holder.stdout!.on('data', (d) => String(d).includes('ready') && resolve()));
      const r = await runCli(['query', 'SELECT 1', '--db', lockDb]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^abitrace: E_DB_LOCKED: database .*locked\.duckdb is locked by .*PID \d+/);
    } finally {
      holder.kill('SIGKILL');
    }
  });
});

describe('abitrace stats', () => {
  it('reports imports, VMs, events, issues and lost events as JSON sections', async () => {
    const r = await runCli(['stats', '--db', db, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(Object.keys(s)).toEqual(['imports', 'vms', 'events', 'issues', 'lost_events']);
    expect(s.imports[0]).toMatchObject({ import_id: 1, path: 'synthetic.log', format: 'ftrace', lines: '50', accesses: '40', skipped: '3', lost_events: '1834', lost_markers: '1', issues: '2' });
    expect(s.issues[0]).toMatchObject({ kind: 'malformed_line', count: '2', first_line: '3', first_sample: 'garbage, "quoted"' });
    expect(s.lost_events[0]).toMatchObject({ line: '5', host_cpu: 3, count: '1834' });
    expect(s.vms.map((v: { vm: string }) => v.vm).sort()).toEqual(['4242', 'guest,"b"']);
  });

  it('table output has one titled section per table; an empty database exits 1', async () => {
    const r = await runCli(['stats', '--db', db]);
    expect(r.code).toBe(0);
    for (const t of ['imports', 'vms', 'events', 'issues', 'lost_events']) expect(r.stdout).toMatch(new RegExp(`^${t}$`, 'm'));
    const empty = join(dir, 'empty.duckdb');
    const { Database } = await import('../../src/store/database.ts');
    const { ensureSchema } = await import('../../src/store/schema.ts');
    const d = await Database.open(empty);
    await ensureSchema(d);
    d.close();
    const e = await runCli(['stats', '--db', empty, '--format', 'csv']);
    expect(e.code).toBe(1);
    expect(e.stderr).toContain('no imports');
  });
});
