/**
 * The Arrow cache is found from the database's own path, never from a stored absolute path;
 * replay checks a file found there belongs to the import; migration 5 → 6 makes old absolute
 * `imports.arrow_path` values relative.
 */
import { makeVersion6Layouts } from './helpers/old-schemas.ts';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readAccessesArrow, type AccessesArrow } from '../../src/arrow/read-accesses.ts';
import { resolveLayouts } from '../../src/gic/layout.ts';
import { VmLayoutTable } from '../../src/gic/vm-layout-table.ts';
import { accessesFromArrow, listImports } from '../../src/replay/sources.ts';
import { arrowCacheMismatch, arrowDirFor, arrowFileFor } from '../../src/store/arrow-cache.ts';
import { Database } from '../../src/store/database.ts';
import { ImportWriter } from '../../src/store/import-writer.ts';
import { ensureSchema, readSchemaVersion, SCHEMA_VERSION } from '../../src/store/schema.ts';
import { makeBatch } from './helpers/batch-fixtures.ts';
import { fakeSummary } from './helpers/summary-fixture.ts';

const root = mkdtempSync(join(tmpdir(), 'abitrace-arrow-cache-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const tempDir = (name: string): string => {
  mkdirSync(join(root, name));
  return join(root, name);
};

const VMS = ['4242', '5151'];
const SOURCES = ['kvm_mmio', 'kvm_sys_access'];

async function importRows(db: Database, source: string, rows: number, arrowCache = true): Promise<void> {
  const w = await ImportWriter.begin(db, arrowCache, source);
  await w.sink.accesses(makeBatch(0, rows, 2, 2), VMS, SOURCES);
  const summary = fakeSummary(rows, VMS, SOURCES);
  await w.commit(summary, VmLayoutTable.of(resolveLayouts(summary, {})), {
    path: source, sha256: 'ab'.repeat(32), headSha256: 'cd'.repeat(32), bytes: 123, startedAt: new Date(),
  });
}

async function arrowPaths(db: Database): Promise<Array<string | null>> {
  return (await db.readObjects<{ p: string | null }>('SELECT arrow_path AS p FROM imports ORDER BY import_id')).map((r) => r.p);
}

describe('Arrow cache location', () => {
  it('is <db>.arrow/<import_id>.arrow of the database given', () => {
    expect(arrowDirFor('/x/a.duckdb')).toBe('/x/a.duckdb.arrow');
    expect(arrowFileFor('/x/a.duckdb', 3)).toBe('/x/a.duckdb.arrow/3.arrow');
    expect(arrowFileFor(':memory:', 3)).toBeNull();
  });
});

describe('arrowCacheMismatch', () => {
  const file = (importId: number | null, source: string | undefined, rows: number) => ({
    batches: [], rows, vms: [], sources: [], importId,
    metadata: new Map(source === undefined ? [] : [['abitrace.source_path', source]]),
  }) as AccessesArrow;
  const owner = { import_id: 1, path: 'a.log', accesses: 10n };
  it('accepts the import\'s own file and names what differs otherwise', () => {
    expect(arrowCacheMismatch(file(1, 'a.log', 10), owner)).toBeNull();
    expect(arrowCacheMismatch(file(2, 'a.log', 10), owner)).toMatch(/holds import 2/);
    expect(arrowCacheMismatch(file(null, 'a.log', 10), owner)).toMatch(/holds import \(none\)/);
    expect(arrowCacheMismatch(file(1, 'b.log', 10), owner)).toMatch(/"b\.log", not "a\.log"/);
    expect(arrowCacheMismatch(file(1, undefined, 10), owner)).toMatch(/no source path/);
    expect(arrowCacheMismatch(file(1, 'a.log', 9), owner)).toMatch(/9 rows, the import 10/);
  });
});

describe('replay reads the Arrow cache only when it is the import\'s', () => {
  it('own file: arrow; another import\'s or an unreadable one: null with one warning; none written: null, silent', async () => {
    const dir = tempDir('replay');
    const db = await Database.open(join(dir, 'a.duckdb'));
    await ensureSchema(db);
    await importRows(db, 'one.log', 300);
    await importRows(db, 'two.log', 200);
    await importRows(db, 'three.log', 100, false);
    expect(await arrowPaths(db)).toEqual(['1.arrow', '2.arrow', null]);
    const [one, two, three] = await listImports(db);
    const warnings: string[] = [];
    const warn = (m: string) => warnings.push(m);

    expect(accessesFromArrow(db.path, one!, warn)?.via).toBe('arrow');
    expect(accessesFromArrow(db.path, two!, warn)?.via).toBe('arrow');
    expect(accessesFromArrow(db.path, three!, warn)).toBeNull();
    expect(warnings).toEqual([]);

    // import 2's file in import 1's place (a stale cache)
    copyFileSync(arrowFileFor(db.path, 2)!, arrowFileFor(db.path, 1)!);
    expect(readAccessesArrow(arrowFileFor(db.path, 1)!).importId).toBe(2);
    expect(accessesFromArrow(db.path, one!, warn)).toBeNull();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^import 1: Arrow cache .*1\.arrow is stale or foreign \(it holds import 2\); reading the accesses from DuckDB$/);

    writeFileSync(arrowFileFor(db.path, 2)!, 'not arrow');
    expect(accessesFromArrow(db.path, two!, warn)).toBeNull();
    expect(warnings[1]).toMatch(/^import 2: Arrow cache .*2\.arrow is unreadable/);
    db.close();
  });
});

describe('migration 5 → 6', () => {
  it('rewrites an absolute arrow_path to the file name in <db>.arrow/ and keeps NULL', async () => {
    const dir = tempDir('migration');
    const db = await Database.open(join(dir, 'copy.duckdb'));
    await ensureSchema(db);
    await importRows(db, 'one.log', 50);
    await importRows(db, 'two.log', 50, false);
    // what schema 5 stored: the absolute path of the file when written (here: another database's)
    await db.run(`UPDATE imports SET arrow_path = '/somewhere/orig.duckdb.arrow/1.arrow' WHERE import_id = 1`);
    await makeVersion6Layouts(db);
    await db.run(`UPDATE meta SET value = '5' WHERE key = 'schema_version'`);
    await ensureSchema(db);
    expect(await readSchemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBe(7);
    expect(await arrowPaths(db)).toEqual(['1.arrow', null]);
    const [one] = await listImports(db);
    expect(accessesFromArrow(db.path, one!, () => { throw new Error('no warning expected'); })?.via).toBe('arrow');
    db.close();
  });
});
