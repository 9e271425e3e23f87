/**
 * The register catalogue tables and decode views are rebuilt on a read-write open only when they
 * would differ (or are missing): an unchanged catalogue is left alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/store/database.ts';
import { ensureSchema } from '../../src/store/schema.ts';

const dir = mkdtempSync(join(tmpdir(), 'abitrace-cat-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function withDb<T>(path: string, f: (db: Database) => Promise<T>): Promise<T> {
  const db = await Database.open(path);
  try {
    await ensureSchema(db);
    return await f(db);
  } finally {
    db.close();
  }
}

const marked = async (db: Database) =>
  Number((await db.readObjects<{ n: bigint }>(`SELECT count(*) AS n FROM registers WHERE name = 'MARKER'`))[0]!.n);

describe('catalogue refresh', () => {
  it('keeps an unchanged catalogue, rebuilds a stale or damaged one', async () => {
    const path = join(dir, 'c.duckdb');
    const total = await withDb(path, async (db) => {
      await db.run(`INSERT INTO registers (name) VALUES ('MARKER')`);
      return Number((await db.readObjects<{ n: bigint }>(`SELECT count(*) AS n FROM registers`))[0]!.n);
    });
    expect(total).toBeGreaterThan(100);
    // unchanged: not rebuilt, so the marker row is still there
    expect(await withDb(path, marked)).toBe(1);
    // another abitrace version's catalogue: rebuilt
    await withDb(path, (db) => db.run(`UPDATE meta SET value = 'other' WHERE key = 'catalogue_sha256'`));
    expect(await withDb(path, marked)).toBe(0);
    // a catalogue object dropped by hand comes back
    await withDb(path, (db) => db.run(`DROP VIEW accesses_decoded`));
    const views = await withDb(path, async (db) =>
      Number((await db.readObjects<{ n: bigint }>(`SELECT count(*) AS n FROM duckdb_views() WHERE view_name = 'accesses_decoded'`))[0]!.n));
    expect(views).toBe(1);
  });
});
