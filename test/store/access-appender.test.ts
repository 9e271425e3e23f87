import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Database } from '../../src/store/database.ts';
import { openAccessAppender } from '../../src/store/access-appender.ts';
import { openIrqAppender } from '../../src/store/irq-appender.ts';
import { IRQ_CODES_VIEW, IRQ_ROWS_DDL } from '../../src/store/irq-row-layout.ts';
import { IrqBatch } from '../../src/model/irq-batch.ts';
import { ACCESS_CODES_VIEW, ACCESS_ROWS_DDL, MAX_PACKED_IMPORT_ID, MAX_SEQ, rowKeyCondition } from '../../src/store/access-row-layout.ts';
import { AccessBatch } from '../../src/model/access-batch.ts';
import { rejectionOf, thrownBy } from '../helpers/errors.ts';
import { expectedRow, makeBatch } from './helpers/batch-fixtures.ts';

const COLS = 'seq, ts_ns, host_cpu, tid, vm, vcpu, source, space, op, addr, len, value, pc, imm';

let db: Database;
beforeEach(async () => {
  db = await Database.open(':memory:');
  await db.run(ACCESS_ROWS_DDL);
  await db.run(ACCESS_CODES_VIEW);
});
afterEach(() => db.close());

async function readBack(importId: number) {
  const r = await db.readObjects<Record<string, unknown>>(
    `SELECT ${COLS} FROM access_codes WHERE import_id = ${importId} ORDER BY seq`);
  return r;
}

function normalise(r: ReturnType<typeof expectedRow>) {
  return { ...r };
}

describe('AccessAppender (packed columns through ChunkAppender into access_rows, read back through access_codes)', () => {
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
      `SELECT count(*) FILTER (WHERE seq > 2048 AND value IS NULL) AS n, count(*) FILTER (WHERE seq <= 2048 AND value IS NULL) AS nn FROM access_codes`);
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
    await expect(openAccessAppender(db, 1, 'irq_rows')).rejects.toThrow(/irq_rows has 7 columns, expected 10/);
    await db.run(`CREATE TABLE short AS SELECT * EXCLUDE (imm) FROM access_rows LIMIT 0`);
    await expect(openAccessAppender(db, 1, 'short')).rejects.toThrow(/short has 9 columns, expected 10/);
    await db.run(`CREATE TABLE narrow AS SELECT * FROM access_rows LIMIT 0`);
    await db.run(`ALTER TABLE narrow ALTER COLUMN imm TYPE USMALLINT`);
    const a = await openAccessAppender(db, 1, 'narrow');
    expect(() => a.append(makeBatch(0, 10, 1, 1))).toThrow(/narrow\.imm: 4-byte values for a 2-byte column/);
    a.close();
    await expect(openIrqAppender(db, 1, 'short')).rejects.toThrow(/short has 9 columns, expected 7/);
    // as many columns, one of another width: caught before any row is copied
    await db.run(`CREATE TABLE odd AS SELECT * EXCLUDE (imm, pc, value) FROM access_rows LIMIT 0`);
    const wrong = await openIrqAppender(db, 1, 'odd');
    expect(() => wrong.append(new IrqBatch(4))).toThrow(/odd\.kind: 2-byte values for a 8-byte column/);
    wrong.close();
  });
});

function big(_k: string, v: unknown) {
  return typeof v === 'bigint' ? `${v}n` : v;
}

describe('access_rows packing (access-row-layout.ts)', () => {
  it('keeps every field at the edges of its bit range, and one import per row_key range', async () => {
    const b = new AccessBatch(4);
    const rows = [
      // seq, host_cpu, tid, vm, vcpu, source, space, op, len
      [MAX_SEQ, 32767, 2147483647, 2147483647, 32767, 255, 3, 1, 255],
      [2, null, 7, 1, null, 9, 2, 0, null],
      [1, 0, 0, 0, 0, 0, 0, 0, 0],
    ] as const;
    for (const [seq, host, tid, vm, vcpu, source, space, op, len] of rows) {
      const i = b.reserve();
      b.seq[i] = BigInt(seq);
      b.tid[i] = tid;
      b.vm[i] = vm;
      b.source[i] = source;
      b.space[i] = space;
      b.op[i] = op;
      if (host !== null) { b.host_cpu[i] = host; b.setValid('host_cpu', i); }
      if (vcpu !== null) { b.vcpu[i] = vcpu; b.setValid('vcpu', i); }
      if (len !== null) { b.len[i] = len; b.setValid('len', i); }
    }
    for (const id of [MAX_PACKED_IMPORT_ID, 1]) {
      const a = await openAccessAppender(db, id);
      a.append(b);
      a.close();
    }
    for (const id of [MAX_PACKED_IMPORT_ID, 1]) {
      const got = await db.readObjects<Record<string, unknown>>(
        `SELECT import_id, seq, host_cpu, tid, vm, vcpu, source, space, op, len FROM access_codes WHERE ${rowKeyCondition(id)} ORDER BY seq DESC`);
      expect(got.map((r) => Object.values(r).map((v) => (v === null ? null : Number(v))))).toEqual(
        rows.map((r) => [id, ...r.map((v) => (v === null ? null : Number(v)))]));
    }
  });

  it('refuses an import id or a seq that does not fit row_key', async () => {
    expect((await rejectionOf(openAccessAppender(db, MAX_PACKED_IMPORT_ID + 1))).message).toMatch(/import id 8388608 does not fit/);
    const a = await openAccessAppender(db, 3);
    const b = new AccessBatch(1);
    b.seq[b.reserve()] = BigInt(MAX_SEQ) + 1n;
    expect(thrownBy(() => a.append(b)).message).toMatch(/beyond the 40-bit seq of access_rows.row_key/);
    a.close();
  });
});

describe('irq_rows packing (irq-row-layout.ts)', () => {
  it('keeps negative VCPU fields, NULL host CPUs, both levels and every source code', async () => {
    await db.run(IRQ_ROWS_DDL);
    await db.run(IRQ_CODES_VIEW);
    const rows = [
      // seq, host_cpu, tid, vm, vcpu, irq, level, source
      [3, 32767, 2147483647, 2147483647, -32768, 2147483647, 1, 255],
      [2, null, 7, 1, -1, 27, 0, 9],
      [1, 0, 0, 0, 32767, 0, 1, 0],
    ] as const;
    const b = new IrqBatch(4);
    for (const [seq, host, tid, vm, vcpu, irq, level, source] of rows) {
      const i = b.length++;
      b.seq[i] = BigInt(seq);
      b.tid[i] = tid;
      b.vm[i] = vm;
      b.vcpu[i] = vcpu;
      b.irq[i] = irq;
      b.level[i] = level;
      b.source[i] = source;
      if (host !== null) { b.host_cpu[i] = host; b.validity.host_cpu[i >>> 3]! |= 1 << (i & 7); }
    }
    const a = await openIrqAppender(db, MAX_PACKED_IMPORT_ID);
    a.append(b);
    a.close();
    const got = await db.readObjects<Record<string, unknown>>(
      `SELECT import_id, seq, host_cpu, tid, vm, vcpu, irq, level, source FROM irq_codes ORDER BY seq DESC`);
    expect(got.map((r) => Object.values(r).map((v) => (v === null ? null : typeof v === 'boolean' ? Number(v) : Number(v))))).toEqual(
      rows.map(([seq, host, tid, vm, vcpu, irq, level, source]) => [MAX_PACKED_IMPORT_ID, seq, host, tid, vm, vcpu, irq, level, source]));
  });
});
