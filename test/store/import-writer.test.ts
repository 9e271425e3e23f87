import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readAccessesArrow } from '../../src/arrow/read-accesses.ts';
import { resolveLayouts } from '../../src/gic/layout.ts';
import { VmLayoutTable } from '../../src/gic/vm-layout-table.ts';
import { Database } from '../../src/store/database.ts';
import { IrqBatch } from '../../src/model/irq-batch.ts';
import { ImportWriter } from '../../src/store/import-writer.ts';
import { ensureSchema } from '../../src/store/schema.ts';
import { makeBatch } from './helpers/batch-fixtures.ts';
import { fakeSummary } from './helpers/summary-fixture.ts';
import { vmInfoTable } from '../../src/ingest/vm-evidence.ts';

const dir = mkdtempSync(join(tmpdir(), 'abitrace-iw-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const VMS = ['4242', '5151'];
const SOURCES = ['kvm_mmio', 'kvm_sys_access'];
const info = (path: string) => ({ path, sha256: 'ab'.repeat(32), headSha256: 'cd'.repeat(32), bytes: 123, startedAt: new Date() });

async function count(db: Database, table: string): Promise<number> {
  const r = await db.readObjects<{ n: bigint }>(`SELECT count(*) AS n FROM ${table}`);
  return Number(r[0]!.n);
}

const TABLES = ['imports', 'import_issues', 'import_events', 'lost_events', 'vms', 'vm_blocks', 'irq_events', 'irq_rows', 'vm_labels', 'event_sources', 'access_rows'];

describe('ImportWriter', () => {
  it('commits every table and the Arrow cache for one import', async () => {
    const path = join(dir, 'ok.duckdb');
    const db = await Database.open(path);
    await ensureSchema(db);
    const w = await ImportWriter.begin(db, true, 'trace.log');
    expect(w.importId).toBe(1);
    await w.sink.accesses(makeBatch(0, 5000, 2, 2), VMS, SOURCES);
    await w.sink.irqs(IrqBatch.fromRows([{ seq: 77, ts_ns: 5n, host_cpu: 1, tid: 9, vm: 1, vcpu: 0, irq: 27, level: true, source: 0 }])[0]!, VMS, SOURCES);
    const summary = fakeSummary(5000, VMS, SOURCES);
    const done = await w.commit(summary, VmLayoutTable.of(resolveLayouts(summary, {})), info('trace.log'));
    expect(done.arrowPath).toBe(join(`${db.path}.arrow`, '1.arrow'));
    expect(existsSync(done.arrowPath!)).toBe(true);
    expect(readAccessesArrow(done.arrowPath!).rows).toBe(5000);
    for (const t of TABLES) expect(await count(db, t), t).toBeGreaterThan(0);
    const imp = await db.readObjects<Record<string, unknown>>(`SELECT * FROM imports`);
    expect(imp[0]).toMatchObject({ import_id: 1, path: 'trace.log', accesses: 5000n, lines: 5010n, lost_events: 1834n, lost_markers: 1n, issues: 2n, vmm: 'qemu', arrow_path: '1.arrow' });
    const perVm = await db.readObjects<{ vm: string; accesses: bigint }>(`SELECT vm, accesses FROM vms ORDER BY vm`);
    expect(perVm.map((r) => [r.vm, Number(r.accesses)])).toEqual([['4242', 2500], ['5151', 2500]]);
    const view = await db.readObjects<{ vm: string; source: string; space: string; op: string }>(
      `SELECT vm, source, space, op FROM accesses WHERE seq = 4`); // row index 3
    expect(view[0]).toEqual({ vm: '5151', source: 'kvm_sys_access', space: 'smc', op: 'W' });
    const irq = await db.readObjects<Record<string, unknown>>(`SELECT vm, source, irq, level FROM irq_events`);
    expect(irq[0]).toEqual({ vm: '5151', source: 'kvm_mmio', irq: 27, level: true });
    const issue = await db.readObjects<{ t: string }>(`SELECT samples[1].text AS t FROM import_issues`);
    expect(issue[0]!.t).toBe('garbage, "quoted"');
    // The catalogue (H3) ran after the base tables.
    expect(await count(db, 'accesses_decoded')).toBe(5000);
    db.close();
  });

  it('writes vms and vm_blocks per VM from its layout, VmInfo and accesses, in code order', async () => {
    const db = await Database.open(join(dir, 'vms.duckdb'));
    await ensureSchema(db);
    const w = await ImportWriter.begin(db, false, 'trace.log');
    const vms = ['4242', '5151', '6000'];
    await w.sink.accesses(makeBatch(0, 3000, 3, 2), vms, SOURCES);
    const summary = fakeSummary(3000, vms, SOURCES);
    summary.vmInfo = vmInfoTable([{ vm: 0, vmm: 'qemu', threads: 3, vcpus: 2 }, { vm: 1, vmm: 'firecracker', threads: 5, vcpus: 4 },
      { vm: 2, vmm: null, threads: 1, vcpus: 0 }]);
    const layouts = resolveLayouts(summary, {});
    await w.commit(summary, VmLayoutTable.of(layouts), info('trace.log'));
    const got = await db.readObjects<Record<string, unknown>>('SELECT vm, vmm, platform, gic_version, threads, accesses, first_ts_ns, last_ts_ns, layout_source FROM vms');
    const stats = await db.readObjects<{ vm: string; n: bigint; first: bigint; last: bigint }>(
      'SELECT vm, count(*) AS n, min(ts_ns) AS first, max(ts_ns) AS last FROM accesses GROUP BY vm ORDER BY vm');
    expect(got).toEqual(layouts.map((l, code) => ({
      vm: l.vm, vmm: l.vmm ?? [ 'qemu', 'firecracker', null ][code], platform: l.platform, gic_version: l.gicVersion,
      threads: [3, 5, 1][code], accesses: stats[code]!.n, first_ts_ns: stats[code]!.first, last_ts_ns: stats[code]!.last, layout_source: l.source,
    })));
    expect(new Set(layouts.map((l) => l.platform)).size).toBe(2); // two maps shared out
    const blocks = await db.readObjects<Record<string, unknown>>('SELECT vm, block, base, size, stride, source FROM vm_blocks');
    expect(blocks).toEqual(layouts.flatMap((l) => l.blocks.map((b) => ({
      vm: l.vm, block: b.block, base: BigInt(b.base), size: BigInt(b.size), stride: b.stride === undefined ? null : BigInt(b.stride), source: l.source,
    }))));
    db.close();
  });

  it('a failure before COMMIT leaves no row in any table and no Arrow file', async () => {
    const path = join(dir, 'fail.duckdb');
    const db = await Database.open(path);
    await ensureSchema(db);
    const w = await ImportWriter.begin(db, true, 'bad.log');
    await w.sink.accesses(makeBatch(0, 70000, 2, 2), VMS, SOURCES);
    const summary = fakeSummary(70000, VMS, SOURCES);
    // A summary row the imports table cannot take (negative size into a BIGINT is fine, so break the VARCHAR→layout instead).
    const layouts = resolveLayouts(summary, {});
    layouts[0]!.blocks = [{ ...layouts[0]!.blocks[0]!, base: Number.NaN }]; // BigInt(NaN) throws inside commit (blocks are shared: replace, never mutate)
    await expect(w.commit(summary, VmLayoutTable.of(layouts), info('bad.log'))).rejects.toThrow();
    for (const t of TABLES) expect(await count(db, t), t).toBe(0);
    expect(readdirSync(`${db.path}.arrow`)).toEqual([]);
    // The connection is usable again and the next import gets id 1.
    const w2 = await ImportWriter.begin(db, true, 'good.log');
    expect(w2.importId).toBe(1);
    await w2.rollback();
    db.close();
  });
});

describe('schema version', () => {
  it('refuses a newer or an unmigratable older database, and a foreign DuckDB file', async () => {
    const { checkSchema } = await import('../../src/store/schema.ts');
    const path = join(dir, 'ver.duckdb');
    const db = await Database.open(path);
    await ensureSchema(db);
    await db.run(`UPDATE meta SET value = '99' WHERE key = 'schema_version'`);
    await expect(checkSchema(db)).rejects.toMatchObject({ code: 'E_DB_SCHEMA', message: expect.stringMatching(/version 99, newer/) });
    await expect(ensureSchema(db)).rejects.toMatchObject({ code: 'E_DB_SCHEMA' });
    await db.run(`UPDATE meta SET value = '0' WHERE key = 'schema_version'`);
    await expect(ensureSchema(db)).rejects.toMatchObject({ code: 'E_DB_SCHEMA', message: expect.stringMatching(/older .* re-import/) });
    db.close();
    const foreign = await Database.open(join(dir, 'foreign.duckdb'));
    await foreign.run('CREATE TABLE t (x INTEGER)');
    await expect(ensureSchema(foreign)).rejects.toMatchObject({ code: 'E_DB_SCHEMA', message: expect.stringMatching(/not an abitrace one/) });
    foreign.close();
  });
});
