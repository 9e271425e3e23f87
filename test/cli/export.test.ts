/** `abitrace export`: Parquet files that read back with the database's rows and values. */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/store/database.ts';
import { REPO, runCli } from './cli-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'abitrace-export-'));
const db = join(dir, 'x.duckdb');
const TRACE = join(REPO, 'traces/generated/two-vm.perf.txt.gz');

async function one<T>(sql: string): Promise<T> {
  const d = await Database.open(':memory:');
  try {
    return (await d.readObjects<T>(sql))[0]!;
  } finally {
    d.close();
  }
}

beforeAll(async () => {
  expect((await runCli(['import', TRACE, '--db', db, '--quiet'])).code).toBe(0);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('abitrace export', () => {
  it('writes every existing public relation as Parquet with the same rows and exact 64-bit values', async () => {
    const out = join(dir, 'pq');
    const r = await runCli(['export', '--db', db, '-o', out, '--format', 'json']);
    expect(r.code).toBe(0);
    const listed = JSON.parse(r.stdout) as Array<{ relation: string; rows: number; path: string }>;
    expect(listed.map((x) => x.relation)).toEqual(expect.arrayContaining(['accesses_decoded', 'irq_events', 'imports', 'vms', 'vm_blocks', 'registers']));
    expect(listed.map((x) => x.relation)).not.toContain('findings'); // no check run yet: skipped, not an error
    const d = await Database.open(db, { readOnly: true });
    let expected: { n: bigint; s: bigint; m: bigint };
    try {
      expected = (await d.readObjects<{ n: bigint; s: bigint; m: bigint }>(
        `SELECT count(*) AS n, sum(addr) AS s, max(value) AS m FROM accesses_decoded`))[0]!;
    } finally {
      d.close();
    }
    const got = await one<{ n: bigint; s: bigint; m: bigint }>(
      `SELECT count(*) AS n, sum(addr) AS s, max(value) AS m FROM '${join(out, 'accesses_decoded.parquet')}'`);
    expect(got).toEqual(expected);
    expect(listed.find((x) => x.relation === 'accesses_decoded')!.rows).toBe(Number(expected.n));
    expect(readdirSync(out).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('partitions the access rows hive-style and filters them with --where', async () => {
    const out = join(dir, 'part');
    const r = await runCli(['export', '--db', db, '-o', out, '--tables', 'accesses_decoded,irq_events', '--partition-by', 'vm', '--where', "op = 'W'", '--format', 'json']);
    expect(r.code, r.stderr).toBe(0);
    // the condition names `op`, which irq_events does not have: exported whole, and the output says so
    expect((JSON.parse(r.stdout) as Array<{ relation: string; filtered: boolean }>).map((x) => [x.relation, x.filtered]))
      .toEqual([['accesses_decoded', true], ['irq_events', false]]);
    const vms = readdirSync(join(out, 'accesses_decoded')).sort();
    expect(vms).toHaveLength(2);
    expect(vms.every((v) => v.startsWith('vm='))).toBe(true);
    const got = await one<{ ops: string[] }>(
      `SELECT list(DISTINCT op) AS ops FROM read_parquet('${join(out, 'accesses_decoded')}/*/*.parquet', hive_partitioning = true)`);
    expect(got.ops).toEqual(['W']);
  });

  it('refuses to overwrite without --force and names an unknown table', async () => {
    const out = join(dir, 'again');
    expect((await runCli(['export', '--db', db, '-o', out, '--tables', 'vms'])).code).toBe(0);
    const again = await runCli(['export', '--db', db, '-o', out, '--tables', 'vms']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^abitrace: E_OUTPUT_WRITE: .*vms\.parquet exists; pass --force/);
    expect((await runCli(['export', '--db', db, '-o', out, '--tables', 'vms', '--force'])).code).toBe(0);
    const bad = await runCli(['export', '--db', db, '-o', out, '--tables', 'nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/E_USAGE: --tables: no relation 'nope'/);
    expect(existsSync(join(out, 'nope.parquet'))).toBe(false);
  });
});
