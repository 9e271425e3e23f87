/**
 * The first file's parse starts before the database is open (EarlyParse): the rows are the same
 * as a parse started afterwards, a duplicate or a database that cannot be opened cancels it
 * cleanly, and nothing is left behind.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importFiles } from '../../src/importer/import-files.ts';
import { parseTraceFile, type TraceParseFn } from '../../src/importer/trace-parser-bridge.ts';
import { AUTO_WORKER_MIN_BYTES } from '../../src/ingest/parse-file.ts';
import { Database } from '../../src/store/database.ts';

const dir = mkdtempSync(join(tmpdir(), 'abitrace-early-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A raw-ftrace trace (tgid column) over the worker threshold: writes and read pairs of 3 vCPU threads. */
function bigTrace(path: string): number {
  const lines: string[] = [];
  let rows = 0;
  let ts = 100_000_000;
  for (let i = 0; rows < 40_000; i++) {
    const v = i % 3;
    const head = `       CPU ${v}/KVM-${4001 + v}    (   4000) [00${v}] .....  `;
    const t = () => `${Math.floor(ts / 1e6)}.${String(ts++ % 1e6).padStart(6, '0')}`;
    const gpa = (0x8000000 + ((i * 4) % 0x1000)).toString(16);
    if (i % 2 === 0) {
      lines.push(`${head}${t()}: kvm_mmio: mmio write len 4 gpa 0x${gpa} val 0x${(i & 0xffff).toString(16)}`);
    } else {
      lines.push(`${head}${t()}: kvm_mmio: mmio unsatisfied-read len 4 gpa 0x${gpa} val 0x0`);
      lines.push(`${head}${t()}: kvm_mmio: mmio read len 4 gpa 0x${gpa} val 0x${(i * 7).toString(16)}`);
    }
    rows++;
  }
  const text = `${lines.join('\n')}\n`;
  expect(text.length).toBeGreaterThan(AUTO_WORKER_MIN_BYTES);
  writeFileSync(path, text);
  return rows;
}

async function rowDigest(db: string): Promise<{ imports: number; rows: number; digest: string }> {
  const d = await Database.open(db, { readOnly: true });
  try {
    const r = await d.readObjects<{ imports: bigint; rows: bigint; digest: bigint }>(
      `SELECT (SELECT count(*) FROM imports) AS imports, count(*) AS rows,
              sum(hash(seq, ts_ns, vm, vcpu, op, addr, value)) AS digest FROM access_codes`);
    return { imports: Number(r[0]!.imports), rows: Number(r[0]!.rows), digest: String(r[0]!.digest) };
  } finally {
    d.close();
  }
}

describe('early parse', () => {
  const trace = join(dir, 'big.log');
  const rows = bigTrace(trace);

  it('imports the same rows as a parse started after the database is open', async () => {
    const early = join(dir, 'early.duckdb');
    const r1 = await importFiles([trace], { db: early });
    expect(r1.results[0]!.status).toBe('imported');
    // any other TraceParseFn takes the ordinary path
    const late: TraceParseFn = (...a) => parseTraceFile(...a);
    const plain = join(dir, 'late.duckdb');
    const r2 = await importFiles([trace], { db: plain }, late);
    expect(r2.results[0]!.status).toBe('imported');
    const a = await rowDigest(early);
    const b = await rowDigest(plain);
    expect(a.rows).toBe(rows);
    expect(a).toEqual(b);
  });

  it('a duplicate cancels the early parse and adds nothing', async () => {
    const db = join(dir, 'dup.duckdb');
    await importFiles([trace], { db });
    const before = await rowDigest(db);
    const again = await importFiles([trace], { db });
    expect(again.results.map((r) => r.status)).toEqual(['duplicate']);
    expect(await rowDigest(db)).toEqual(before);
    // and a forced re-import still parses it
    const forced = await importFiles([trace], { db, force: true });
    expect(forced.results.map((r) => r.status)).toEqual(['imported']);
    expect((await rowDigest(db)).rows).toBe(2 * rows);
  });

  it('a database that cannot be opened fails the run; the early parse is dropped', async () => {
    const bad = join(dir, 'no-such-dir', 'x.duckdb');
    await expect(importFiles([trace], { db: bad })).rejects.toThrow();
  });
});

describe('parseFile abort signal', () => {
  it('rejects and ends the worker when aborted, without handing the sink anything', async () => {
    const { parseFile } = await import('../../src/ingest/parse-file.ts');
    const path = join(dir, 'exits.log');
    // kvm_exit lines only: no access batch would be posted before the end of the file
    const line = '       CPU 0/KVM-4251    (   4242) [003] ...1.  100.000001: kvm_exit: TRAP: HSR_EC: 0x0024 (DABT_LOW), PC: 0xffff800080a1b3e8\n';
    writeFileSync(path, line.repeat(Math.ceil((AUTO_WORKER_MIN_BYTES * 4) / line.length)));
    const ac = new AbortController();
    let batches = 0;
    const done = parseFile(path, { path, fallbackVm: 'x', strict: false }, {
      accesses: () => { batches++; },
      irqs: () => { batches++; },
    }, { worker: true, signal: ac.signal });
    ac.abort();
    await expect(done).rejects.toThrow(/aborted/);
    expect(batches).toBe(0);
  });
});
