/**
 * A database copied with its `.arrow/` directory uses its own Arrow files: `forget` on the copy
 * leaves the original's file, and `replay` on the copy reads the copy's data even after the
 * original re-used the import id for other content (imports.arrow_path was absolute).
 */
import { cpSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, runCli } from './cli-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'abitrace-arrow-copy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SMALL = join(REPO, 'test/fixtures/cli/small-ftrace.txt');
const PERF = join(REPO, 'traces/generated/two-vm.perf.txt.gz');

/** Imports SMALL into `<name>/orig.duckdb` and copies database + Arrow directory to copy.duckdb. */
async function origAndCopy(name: string): Promise<{ orig: string; copy: string }> {
  const orig = join(dir, name, 'orig.duckdb');
  const copy = join(dir, name, 'copy.duckdb');
  mkdirSync(join(dir, name));
  expect((await runCli(['import', SMALL, '--db', orig, '--quiet'])).code).toBe(0);
  copyFileSync(orig, copy);
  cpSync(`${orig}.arrow`, `${copy}.arrow`, { recursive: true });
  return { orig, copy };
}

async function replayJson(db: string): Promise<{ stderr: string; doc: { imports: Array<Record<string, unknown>>; vms: unknown[]; rollup: unknown[] } }> {
  const r = await runCli(['replay', '--db', db, '--format', 'json', '--no-store']);
  expect(r.code, r.stderr).not.toBe(2);
  return { stderr: r.stderr, doc: JSON.parse(r.stdout) };
}

describe('a copied database and its Arrow cache', () => {
  it('forget on the copy deletes the copy\'s Arrow file, not the original\'s', async () => {
    const { orig, copy } = await origAndCopy('forget');
    expect((await runCli(['forget', '1', '--db', copy])).code).toBe(0);
    expect(existsSync(`${orig}.arrow/1.arrow`)).toBe(true);
    expect(existsSync(`${copy}.arrow/1.arrow`)).toBe(false);
  });

  it('replay on the copy reads the copy\'s data after the original re-used import id 1; a foreign file is refused with a warning', async () => {
    const { orig, copy } = await origAndCopy('replay');
    const before = await replayJson(copy);
    expect(before.stderr).toBe('');
    expect(before.doc.imports[0]).toMatchObject({ import_id: 1, path: SMALL, read_via: 'arrow', accesses: 5 });

    expect((await runCli(['forget', '1', '--db', orig])).code).toBe(0);
    expect((await runCli(['import', PERF, '--db', orig, '--quiet'])).code).toBe(0);
    expect((await replayJson(orig)).doc.imports[0]).toMatchObject({ import_id: 1, path: PERF, accesses: 1085 });

    const after = await replayJson(copy);
    expect(after.stderr).toBe('');
    expect(after.doc.imports[0]).toMatchObject({ import_id: 1, path: SMALL, read_via: 'arrow', accesses: 5 });
    expect(after.doc.vms).toEqual(before.doc.vms);
    expect(after.doc.rollup).toEqual(before.doc.rollup);

    // the original's (other) import 1 file in the copy's place: not read, said once on stderr
    copyFileSync(`${orig}.arrow/1.arrow`, `${copy}.arrow/1.arrow`);
    const foreign = await replayJson(copy);
    expect(foreign.stderr).toMatch(/^abitrace: warning: import 1: Arrow cache \S+copy\.duckdb\.arrow\/1\.arrow is stale or foreign \(it was written for "[^"]+two-vm\.perf\.txt\.gz", not "[^"]+small-ftrace\.txt"\); reading the accesses from DuckDB\n$/);
    expect(foreign.doc.imports[0]).toMatchObject({ import_id: 1, read_via: 'duckdb', accesses: 5 });
    expect(foreign.doc.vms).toEqual(before.doc.vms);
    expect(foreign.doc.rollup).toEqual(before.doc.rollup);
  });
});
