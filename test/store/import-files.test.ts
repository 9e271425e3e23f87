/**
 * Orchestration tests with a stand-in parser (the trace parsers have their own tests): one
 * transaction per file, failures roll back completely, duplicates are skipped unless forced, and
 * a SIGKILLed import leaves the database consistent and without the import.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AbitraceError, E } from '../../src/errors.ts';
import { importFiles } from '../../src/importer/import-files.ts';
import type { TraceParseFn } from '../../src/importer/trace-parser-bridge.ts';
import { Database } from '../../src/store/database.ts';
import { makeBatch } from './helpers/batch-fixtures.ts';
import { fakeSummary } from './helpers/summary-fixture.ts';

const dir = mkdtempSync(join(tmpdir(), 'abitrace-imp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** "Parses" a file whose text is `rows=<n>`; a line `fail-after` makes it throw after the rows. */
const standIn: TraceParseFn = async (path, _opts, sink) => {
  const text = readFileSync(path, 'utf8');
  const n = Number(/rows=(\d+)/.exec(text)?.[1] ?? NaN);
  if (!Number.isFinite(n)) throw new AbitraceError(E.FORMAT_UNKNOWN, `${path}: not a stand-in trace`);
  for (let first = 0; first < n; first += 65536) {
    await sink.accesses(makeBatch(first, Math.min(65536, n - first), 2, 2), ['a', 'b'], ['kvm_mmio', 'kvm_sys_access']);
  }
  if (text.includes('fail-after')) throw new AbitraceError(E.MALFORMED_LINE, `${path}:2: boom`);
  return { summary: fakeSummary(n, ['a', 'b'], ['kvm_mmio', 'kvm_sys_access']), sha256: null };
};

async function counts(db: string) {
  const d = await Database.open(db, { readOnly: true });
  try {
    // vm_blocks: per import, some rows for each of its 2 VMs (how many is the layout's business).
    const r = await d.readObjects<{ imports: bigint; rows: bigint; issues: bigint; blockImports: bigint; labels: bigint }>(
      `SELECT (SELECT count(*) FROM imports) AS imports, (SELECT count(*) FROM access_rows) AS rows,
              (SELECT count(*) FROM import_issues) AS issues,
              (SELECT count(DISTINCT (import_id, vm)) FROM vm_blocks) AS blockImports,
              (SELECT count(*) FROM vm_labels) AS labels`);
    return Object.fromEntries(Object.entries(r[0]!).map(([k, v]) => [k, Number(v)]));
  } finally {
    d.close();
  }
}

describe('importFiles', () => {
  it('imports a directory in sorted order, reports a failing trace, skips non-traces and keeps nothing of either', async () => {
    const tdir = join(dir, 'traces');
    mkdirSync(join(tdir, 'sub'), { recursive: true });
    writeFileSync(join(tdir, 'b.log'), 'rows=100\n');
    writeFileSync(join(tdir, 'sub', 'c.log'), 'rows=70000\nfail-after\n');
    writeFileSync(join(tdir, 'a.log'), 'rows=3000\n');
    writeFileSync(join(tdir, 'z.txt'), 'not a trace\n');
    const db = join(dir, 'dir.duckdb');
    const report = await importFiles([tdir], { db }, standIn);
    expect(report.results.map((r) => [r.path.slice(tdir.length + 1), r.status])).toEqual([
      ['a.log', 'imported'], ['b.log', 'imported'], ['sub/c.log', 'failed'], ['z.txt', 'not-a-trace'],
    ]);
    expect(report.failed).toBe(1);
    expect(report.notTraces).toBe(1);
    const failed = report.results[2]!;
    expect(failed.status === 'failed' && failed.error.code).toBe('E_MALFORMED_LINE');
    expect(await counts(db)).toEqual({ imports: 2, rows: 3100, issues: 2, blockImports: 4, labels: 4 });
    expect(readdirSync(`${db}.arrow`).sort()).toEqual(['1.arrow', '2.arrow']);
  });

  it('--strict stops at the first failing file', async () => {
    const db = join(dir, 'strict.duckdb');
    const f1 = join(dir, 's1.log');
    const f2 = join(dir, 's2.log');
    writeFileSync(f1, 'rows=10\nfail-after\n');
    writeFileSync(f2, 'rows=10\n');
    await expect(importFiles([f1, f2], { db, strict: true }, standIn)).rejects.toMatchObject({ code: 'E_MALFORMED_LINE' });
    // the run created the database and imported nothing: it is removed again
    expect(existsSync(db)).toBe(false);
    // into an existing database: nothing is added, the database stays
    await importFiles([f2], { db }, standIn);
    await expect(importFiles([f1, f2], { db, strict: true, force: true }, standIn)).rejects.toMatchObject({ code: 'E_MALFORMED_LINE' });
    expect((await counts(db)).imports).toBe(1);
  });

  it('an aborted signal (Ctrl-C) mid-file: that file is rolled back, earlier ones stay, later ones are not tried; E_INTERRUPTED', async () => {
    const controller = new AbortController();
    // aborts once the file's rows are in the open transaction (an in-thread parse does not watch the signal)
    const abortingParse: TraceParseFn = async (path, opts, sink, onProgress) => {
      const r = await standIn(path, opts, sink, onProgress);
      if (path.endsWith('i2.log')) controller.abort(new AbitraceError(E.INTERRUPTED, 'interrupted (SIGTERM)', 143));
      return r;
    };
    const files = ['i1.log', 'i2.log', 'i3.log'].map((n) => join(dir, n));
    for (const [i, f] of files.entries()) writeFileSync(f, `rows=${(i + 1) * 1000}
`);
    const db = join(dir, 'interrupted.duckdb');
    const seen: string[] = [];
    const err = await importFiles(files, { db, signal: controller.signal, onResult: (r) => seen.push(r.status) }, abortingParse)
      .then(() => null, (e: unknown) => e as AbitraceError);
    expect(err).toMatchObject({ code: 'E_INTERRUPTED', exitCode: 143, message: `interrupted (SIGTERM); ${files[1]} rolled back, 1 file imported before it stays` });
    expect(seen).toEqual(['imported']); // the interrupted file is not reported as failed
    expect(await counts(db)).toMatchObject({ imports: 1, rows: 1000 });
    expect(readdirSync(`${db}.arrow`)).toEqual(['1.arrow']);

    // on a database the run created, nothing made it in: the database goes too
    const fresh = join(dir, 'interrupted-fresh.duckdb');
    const again = new AbortController();
    const abortFirst: TraceParseFn = async (path, opts, sink, onProgress) => {
      const r = await standIn(path, opts, sink, onProgress);
      again.abort();
      return r;
    };
    await expect(importFiles(files, { db: fresh, signal: again.signal }, abortFirst)).rejects
      .toMatchObject({ code: 'E_INTERRUPTED', exitCode: 130, message: `interrupted; ${files[0]} rolled back, ${fresh} removed` });
    expect(readdirSync(dir).filter((n) => n.startsWith('interrupted-fresh'))).toEqual([]);
    // already aborted: nothing is opened or created
    await expect(importFiles(files, { db: fresh, signal: again.signal }, standIn)).rejects.toMatchObject({ code: 'E_INTERRUPTED' });
    expect(existsSync(fresh)).toBe(false);
  });

  it('skips identical content (sha256), re-imports with force, and imports same-size different content', async () => {
    const db = join(dir, 'dup.duckdb');
    const f = join(dir, 'd1.log');
    writeFileSync(f, 'rows=500\n');
    const copy = join(dir, 'd1-copy.log');
    writeFileSync(copy, 'rows=500\n');
    const sameSize = join(dir, 'd2.log');
    writeFileSync(sameSize, 'rows=501\n');
    const first = await importFiles([f], { db }, standIn);
    expect(first.imported).toBe(1);
    const again = await importFiles([copy, sameSize], { db }, standIn);
    expect(again.results.map((r) => r.status)).toEqual(['duplicate', 'imported']);
    expect(again.results[0]!.status === 'duplicate' && again.results[0]!.importId).toBe(1);
    const forced = await importFiles([copy], { db, force: true }, standIn);
    expect(forced.imported).toBe(1);
    expect((await counts(db)).imports).toBe(3);
  });

  it('a SIGKILLed import leaves no trace of itself; the next run cleans the temporary Arrow file', async () => {
    const db = join(dir, 'kill.duckdb');
    // One committed import first, so we can check it survives.
    const ok = join(dir, 'k0.log');
    writeFileSync(ok, 'rows=1000\n');
    await importFiles([ok], { db }, standIn);
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'helpers', 'kill-child.ts'), db], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d) => {
        out += d;
        if (/appended \d+/.test(out) && Number(/appended (\d+)/g.exec(out.split('\n').filter(Boolean).at(-1)!)?.[1]) >= 1_500_000) resolve();
      });
      child.on('exit', () => reject(new Error(`child exited early: ${out}`)));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    expect(readdirSync(`${db}.arrow`).some((n) => n.includes('.tmp-'))).toBe(true);
    expect(await counts(db)).toEqual({ imports: 1, rows: 1000, issues: 1, blockImports: 2, labels: 2 });
    const d = await Database.open(db, { readOnly: true });
    const check = await d.readObjects<{ ok: boolean }>(`SELECT count(*) = 1000 AS ok FROM accesses`);
    expect(check[0]!.ok).toBe(true);
    d.close();
    const next = join(dir, 'k1.log');
    writeFileSync(next, 'rows=10\n');
    const r = await importFiles([next], { db }, standIn);
    expect(r.imported).toBe(1);
    expect(readdirSync(`${db}.arrow`).sort()).toEqual(['1.arrow', '2.arrow']);
    expect(existsSync(join(`${db}.arrow`, '2.arrow'))).toBe(true);
  });
});
