/**
 * `imports.id`: the schema names the import's key `id`; every other table says
 * `import_id`. Both are there; migration 4 → 5 adds `id` to older databases.
 */
import { makeVersion6Layouts } from './helpers/old-schemas.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Database } from '../../src/store/database.ts';
import { ensureSchema, readSchemaVersion, SCHEMA_VERSION } from '../../src/store/schema.ts';
import { REPO, runCli } from '../cli/cli-helpers.ts';

const FTRACE = join(REPO, 'test/fixtures/cli/small-ftrace.txt');
const AT = join(REPO, 'test/fixtures/ingest/qemu-at-prefix.txt');

async function ids(db: string): Promise<unknown[]> {
  const r = await runCli(['query', 'SELECT id, import_id, path FROM imports ORDER BY import_id', '--db', db, '--format', 'json']);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as unknown[];
}

describe('imports.id', () => {
  it('equals import_id in new imports and after migrating a schema-4 database', async () => {
    const db = join(mkdtempSync(join(tmpdir(), 'abitrace-id-')), 'a.duckdb');
    expect((await runCli(['import', FTRACE, AT, '--db', db, '--quiet'])).code).toBe(0);
    const want = [{ id: 1, import_id: 1, path: FTRACE }, { id: 2, import_id: 2, path: AT }];
    expect(await ids(db)).toEqual(want);

    // what schema 4 had: no id column
    const d = await Database.open(db);
    await d.run('ALTER TABLE imports DROP COLUMN id');
    await makeVersion6Layouts(d);
    await d.run(`UPDATE meta SET value = '4' WHERE key = 'schema_version'`);
    await ensureSchema(d);
    expect(await readSchemaVersion(d)).toBe(SCHEMA_VERSION);
    d.close();
    expect(await ids(db)).toEqual(want);
    // and the next import, appended after the migration, fills it too
    expect((await runCli(['import', join(REPO, 'test/fixtures/ingest/qemu-iso-prefix.txt'), '--db', db, '--quiet'])).code).toBe(0);
    expect(((await ids(db)) as Array<{ id: number }>).map((r) => r.id)).toEqual([1, 2, 3]);
  });
});
