import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '../../src/store/database.ts';
import { openAccessAppender } from '../../src/store/access-appender.ts';
import { openIrqAppender } from '../../src/store/irq-appender.ts';
import { ACCESS_ROWS_DDL, IRQ_ROWS_DDL } from '../../src/store/schema.ts';
import { expectedRow, makeBatch } from './helpers/batch-fixtures.ts';

const COLS = 'seq, ts_ns, host_cpu, tid, vm, vcpu, source, space, op, addr, len, value, pc, imm';

let db: Database;
beforeEach(async () => {
  db = await Database.open(':memory:');
  await db.run(ACCESS_ROWS_DDL);
});
afterEach(() => db.close());

async function readBack(importId: number) {
  const r = await db.readObjects<Record<string, unknown>>(
    `SELECT ${COLS} FROM access_rows WHERE import_id = ${importId} ORDER BY seq`);
  return r;
}

function normalise(r: ReturnType<typeof expectedRow>) {
  return { ...r };
}

describe('AccessAppender (ChunkAppender over access_rows)', () => {
  it('round-trips NULLs and 64-bit values exactly across 2048-row chunk boundaries and partial batches', async () => {
    // 3 batches: 5000 rows (2 full chunks + 904), 2048 rows exactly, 1 row; capacity larger than length.
    const sizes = [5000, 2048, 1];
    const appender = await openAccessAppender(db, 7);
    let first = 0;
    for (const n of sizes) {
      appender.append(makeBatch(first, n, 3, 5, n + 100));
      first += n;
    }
    appender.close();
    expect(appender.rows).toBe(first);
    const rows = await readBack(7);
    expect(rows.length).toBe(first);
    for (let i = 0; i < first; i++) {
      const got = rows[i]!;
      const want = normalise(expectedRow(i, 3, 5));
      // SMALLINT/INTEGER/UTINYINT/UINTEGER arrive as number, BIGINT/UBIGINT as bigint.
      if (JSON.stringify(got, big) !== JSON.stringify(want, big)) {
        expect(got, `row ${i}`).toEqual(want);
      }
    }
    // Spot checks that would catch a double or a signed conversion.
    const max = await db.readObjects<{ m: bigint; t: bigint }>(`SELECT max(addr) AS m, max(ts_ns) AS t FROM access_rows`);
    expect(max[0]!.m > 0xffff_ffff_ffff_f000n).toBe(true);
    const high = await db.readObjects<{ n: bigint }>(`SELECT count(*) AS n FROM access_rows WHERE value = '0x8000000000000001'::UBIGINT`);
    expect(Number(high[0]!.n)).toBeGreaterThan(0);
    expect(max[0]!.t > (1n << 53n)).toBe(true);
    const nulls = await db.readObjects<{ n: bigint }>(`SELECT count(*) AS n FROM access_rows WHERE ts_ns IS NULL`);
    expect(Number(nulls[0]!.n)).toBe(Array.from({ length: first }, (_, i) => i).filter((i) => i % 7 === 3).length);
  });

  it('reuses the chunk: stale validity from a previous slice does not leak into the next', async () => {
    const appender = await openAccessAppender(db, 1);
    // First batch: all values present. Second: every value NULL.
    const a = makeBatch(0, 2048, 1, 1);
    for (let i = 0; i < 2048; i++) a.setValid('value', i);
    appender.append(a);
    const b = makeBatch(2048, 100, 1, 1);
    b.validity.value.fill(0);
    appender.append(b);
    appender.close();
    const r = await db.readObjects<{ n: bigint; nn: bigint }>(
      `SELECT count(*) FILTER (WHERE seq > 2048 AND value IS NULL) AS n, count(*) FILTER (WHERE seq <= 2048 AND value IS NULL) AS nn FROM access_rows`);
    expect(Number(r[0]!.n)).toBe(100);
    expect(Number(r[0]!.nn)).toBe(0);
  });

  it('appends inside an explicit transaction and disappears on ROLLBACK', async () => {
    await db.run('BEGIN TRANSACTION');
    const appender = await openAccessAppender(db, 2);
    appender.append(makeBatch(0, 3000, 2, 2));
    appender.close();
    const inside = await db.readObjects<{ n: bigint }>(`SELECT count(*) AS n FROM access_rows`);
    expect(Number(inside[0]!.n)).toBe(3000);
    await db.run('ROLLBACK');
    const after = await db.readObjects<{ n: bigint }>(`SELECT count(*) AS n FROM access_rows`);
    expect(Number(after[0]!.n)).toBe(0);
  });
});

describe('ChunkAppender column checks', () => {
  it('refuses a table whose column count or widths do not fit the batch', async () => {
    await db.run(IRQ_ROWS_DDL);
    await expect(openAccessAppender(db, 1, 'irq_rows')).rejects.toThrow(/irq_rows has 10 columns, expected 15/);
    // same count, one column of another width: caught before any row is copied
    await db.run(`CREATE TABLE narrow AS SELECT * FROM access_rows LIMIT 0`);
    await db.run(`ALTER TABLE narrow ALTER COLUMN tid TYPE SMALLINT`);
    const a = await openAccessAppender(db, 1, 'narrow');
    expect(() => a.append(makeBatch(0, 10, 1, 1))).toThrow(/narrow\.tid: 4-byte values for a 2-byte column/);
    a.close();
    await expect(openIrqAppender(db, 1, 'access_rows')).rejects.toThrow(/access_rows has 15 columns, expected 10/);
  });
});

function big(_k: string, v: unknown) {
  return typeof v === 'bigint' ? `${v}n` : v;
}
