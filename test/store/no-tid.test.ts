/**
 * Rows of traces that name no thread (QEMU 10.1+ ISO-8601 logs, logs without `-msg timestamp=on`)
 * have tid NULL in `accesses` and in Arrow files; the code tables keep NO_TID (-1). Schema 3
 * stored 0 for them: migration 3 → 4 turns those rows into NO_TID and nothing else.
 */
import { makeVersion6Layouts } from './helpers/old-schemas.ts';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/store/database.ts';
import { accessesView, ensureSchema, readSchemaVersion, SCHEMA_VERSION } from '../../src/store/schema.ts';
import { REPO, runCli } from '../cli/cli-helpers.ts';

const ISO = join(REPO, 'test/fixtures/ingest/qemu-iso-prefix.txt');
const AT = join(REPO, 'test/fixtures/ingest/qemu-at-prefix.txt');
const FTRACE = join(REPO, 'test/fixtures/cli/small-ftrace.txt');
const dir = mkdtempSync(join(tmpdir(), 'abitrace-notid-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function rows(db: string, sql: string): Promise<Array<Record<string, unknown>>> {
  const r = await runCli(['query', sql, '--db', db, '--format', 'json']);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as Array<Record<string, unknown>>;
}

const PER_IMPORT = `SELECT import_id, count(*)::INTEGER AS n, count(tid)::INTEGER AS with_tid, count(vcpu)::INTEGER AS with_vcpu, min(tid) AS min_tid
  FROM accesses GROUP BY import_id ORDER BY import_id`;

describe('a trace without thread ids', () => {
  const db = join(dir, 'a.duckdb');

  it('imports with tid NULL (QEMU ISO-8601 prefix), tid kept where the trace has one (QEMU <tid>@, ftrace)', async () => {
    for (const f of [ISO, AT, FTRACE]) expect((await runCli(['import', f, '--db', db, '--quiet'])).code).toBe(0);
    const got = await rows(db, PER_IMPORT);
    expect(got).toHaveLength(3);
    const [iso, at, ft] = got as Array<{ n: number; with_tid: number; with_vcpu: number; min_tid: number | null }>;
    expect(iso!.n).toBeGreaterThan(0);
    expect(iso!.with_tid).toBe(0);
    expect(iso!.with_vcpu).toBe(iso!.n); // the vCPU still comes from QEMU's `cpu N`
    expect(at!.with_tid).toBe(at!.n);
    expect(at!.min_tid).toBeGreaterThan(0);
    expect(ft!.with_tid).toBe(ft!.n);
  });

  it('convert writes tid as NULL in the Arrow file', async () => {
    const out = join(dir, 'iso.arrow');
    const c = await runCli(['convert', ISO, '-o', out]);
    expect(c.code).toBe(0);
    const t = tableFromIPC(readFileSync(out));
    const tid = t.getChild('tid')!;
    expect(t.numRows).toBeGreaterThan(0);
    expect(tid.nullCount).toBe(t.numRows);
    expect(t.schema.fields.find((f) => f.name === 'tid')!.nullable).toBe(true);
    const outAt = join(dir, 'at.arrow');
    expect((await runCli(['convert', AT, '-o', outAt])).code).toBe(0);
    const tAt = tableFromIPC(readFileSync(outAt));
    expect(tAt.getChild('tid')!.nullCount).toBe(0);
  });

  it('migration 3 → 4 turns the tid 0 of schema 3 QEMU rows into NULL and leaves other imports alone', async () => {
    const want = await rows(db, PER_IMPORT);
    // what schema 3 stored: tid 0 and a view without NULLIF
    const d = await Database.open(db);
    await d.run('UPDATE access_rows SET tid = 0 WHERE tid = -1');
    await d.run('UPDATE access_rows SET tid = 0 WHERE row_key = (SELECT min(row_key) FROM access_codes WHERE import_id = 3)');
    await d.run('DROP VIEW accesses');
    await d.run(accessesView('access_codes').replace('NULLIF(r.tid, -1) AS tid', 'r.tid'));
    await makeVersion6Layouts(d);
    await d.run(`UPDATE meta SET value = '3' WHERE key = 'schema_version'`);
    const before = await d.readObjects<{ n: bigint }>('SELECT count(*) AS n FROM accesses WHERE tid = 0');
    expect(Number(before[0]!.n)).toBe(Number(want[0]!.n) + 1);
    await ensureSchema(d);
    expect(await readSchemaVersion(d)).toBe(SCHEMA_VERSION);
    d.close();
    const after = await rows(db, PER_IMPORT);
    expect(after[0]).toEqual(want[0]);
    expect(after[1]).toEqual(want[1]);
    // an ftrace row with tid 0 (the idle task) is not a QEMU row: it stays 0
    expect((after[2] as { min_tid: number }).min_tid).toBe(0);
  });
});
