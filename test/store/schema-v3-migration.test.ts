import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/store/database.ts';
import { checkSchema, ensureSchema, readSchemaVersion, SCHEMA_VERSION } from '../../src/store/schema.ts';
import { appendRows, type Cell } from '../../src/store/row-appender.ts';
import { expectedRow } from './helpers/batch-fixtures.ts';
import { makeVersion2 } from './helpers/old-schemas.ts';

const dir = mkdtempSync(join(tmpdir(), 'abitrace-v3-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('schema version 2 → 3 (access_rows packed into 10 columns, irq_rows into 7)', () => {
  it('an import-time open migrates the rows: accesses, accesses_decoded and irq_events read exactly what they read before', async () => {
    const db = await Database.open(join(dir, 'v2.duckdb'));
    await makeVersion2(db);
    await db.run(`INSERT INTO vm_labels VALUES (1, 0, 'a'), (1, 1, 'b'), (2, 0, 'c')`);
    await db.run(`INSERT INTO event_sources VALUES (1, 0, 'kvm_mmio'), (1, 1, 'kvm_sys_access'), (2, 0, 'kvm_hvc_arm64')`);
    // every nullable column NULL somewhere, 64-bit values past 2^53 and 2^63, two imports
    const rows: Cell[][] = [];
    for (let i = 0; i < 300; i++) {
      const r = expectedRow(i, 2, 2);
      const imp = i < 200 ? 1 : 2;
      rows.push([imp, r.seq, r.ts_ns, r.host_cpu, r.tid, imp === 1 ? r.vm : 0, r.vcpu, imp === 1 ? r.source : 0, r.space, r.op,
        r.addr, r.len, r.value, r.pc, r.imm]);
    }
    await appendRows(db, 'access_rows', rows);
    const irqs: Cell[][] = [];
    for (let i = 0; i < 100; i++) {
      irqs.push([1 + (i % 2), 1000 + i, i % 9 === 0 ? null : BigInt(i) * 1000n + (1n << 60n), i % 7 === 0 ? null : i % 64, 4000 + (i % 5),
        0, i % 11 === 0 ? -1 : i % 4, 27 + i, i % 3 === 0, i % 2 === 0 ? 1 : 0]);
    }
    await appendRows(db, 'irq_rows', irqs);
    const irqBefore = await db.readObjects<Record<string, unknown>>('SELECT * FROM irq_events ORDER BY import_id, seq');
    expect(irqBefore).toHaveLength(100);
    const before = await db.readObjects<Record<string, unknown>>('SELECT * FROM accesses ORDER BY import_id, seq');
    const decodedBefore = await db.readObjects<Record<string, unknown>>('SELECT * FROM accesses_decoded ORDER BY import_id, seq');
    expect(before).toHaveLength(300);
    expect(before.filter((r) => r.vm === null || r.source === null)).toHaveLength(0);

    await expect(checkSchema(db)).rejects.toMatchObject({ code: 'E_DB_SCHEMA', message: expect.stringMatching(/version 2, older/) });
    await ensureSchema(db);
    expect(await readSchemaVersion(db)).toBe(SCHEMA_VERSION); // and on through 3 → 4
    const cols = await db.readObjects<{ column_name: string }>(
      `SELECT column_name FROM duckdb_columns() WHERE table_name = 'access_rows' ORDER BY column_index`);
    expect(cols.map((c) => c.column_name)).toEqual(['row_key', 'ts_ns', 'tid', 'vm', 'cpus', 'kind', 'addr', 'value', 'pc', 'imm']);
    expect(await db.readObjects('SELECT * FROM accesses ORDER BY import_id, seq')).toEqual(before);
    expect(await db.readObjects('SELECT * FROM accesses_decoded ORDER BY import_id, seq')).toEqual(decodedBefore);
    const irqCols = await db.readObjects<{ column_name: string }>(
      `SELECT column_name FROM duckdb_columns() WHERE table_name = 'irq_rows' ORDER BY column_index`);
    expect(irqCols.map((c) => c.column_name)).toEqual(['row_key', 'ts_ns', 'tid', 'vm', 'cpus', 'irq', 'kind']);
    expect(await db.readObjects('SELECT * FROM irq_events ORDER BY import_id, seq')).toEqual(irqBefore);
    await checkSchema(db);
    db.close();
  });
});
