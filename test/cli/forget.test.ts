/** `abitrace forget`: an import and everything derived from it go; other imports stay as they were. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, runCli } from './cli-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'abitrace-forget-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PERF = join(REPO, 'traces/generated/two-vm.perf.txt.gz');
const SMALL = join(REPO, 'test/fixtures/cli/small-ftrace.txt');

async function json(db: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const r = await runCli(['query', sql, '--db', db, '--format', 'json']);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as Array<Record<string, unknown>>;
}

/** Rows per import in every table that has an import_id column, plus the views over the packed rows. */
async function perImport(db: string): Promise<Record<string, unknown>> {
  const tables = (await json(db, `SELECT DISTINCT c.table_name AS t FROM duckdb_columns() c JOIN duckdb_tables() tb USING (table_name)
    WHERE c.column_name = 'import_id' ORDER BY 1`)).map((r) => String(r.t));
  const all = [...tables, 'accesses', 'irq_events'];
  const rows = await json(db, all.map((t) => `SELECT '${t}' AS t, import_id, count(*) AS n FROM "${t}" GROUP BY import_id`).join(' UNION ALL ')
    + ' ORDER BY t, import_id');
  const out: Record<string, unknown> = {};
  for (const t of all) out[t] = rows.filter((r) => r.t === t).map((r) => ({ import_id: r.import_id, n: r.n }));
  return out;
}

describe('abitrace forget', () => {
  it('removes every row of the import, its findings and replay results and its Arrow file; a plain re-import then works', async () => {
    const db = join(dir, 'f.duckdb');
    expect((await runCli(['import', SMALL, PERF, '--db', db, '--quiet'])).code).toBe(0);
    await runCli(['check', '--db', db, '--format', 'json']);
    expect((await runCli(['replay', '--db', db, '--format', 'json'])).code).not.toBe(2);
    const before = await perImport(db);
    expect(JSON.stringify(before.findings)).toContain('"import_id":2');
    expect(JSON.stringify(before.replay_vms)).toContain('"import_id":2');
    const r = await runCli(['forget', '2', '--db', db, '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([{ import_id: 2, path: PERF, accesses: 1085 }]);
    const after = await perImport(db);
    for (const [t, rows] of Object.entries(after)) {
      expect(rows, t).toEqual((before[t] as Array<{ import_id: number }>).filter((x) => x.import_id !== 2));
    }
    expect(existsSync(`${db}.arrow/2.arrow`)).toBe(false);
    expect(existsSync(`${db}.arrow/1.arrow`)).toBe(true);
    const again = await runCli(['import', PERF, '--db', db]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/as import \d+: 1,085 accesses/);
  });

  it('an unknown import id is a usage error and removes nothing', async () => {
    const db = join(dir, 'g.duckdb');
    await runCli(['import', SMALL, '--db', db, '--quiet']);
    const r = await runCli(['forget', '1', '7', '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/E_USAGE: no import 7/);
    expect(await json(db, 'SELECT count(*) AS n FROM accesses')).toEqual([{ n: '5' }]);
  });
});
