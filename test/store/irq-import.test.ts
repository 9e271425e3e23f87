/**
 * irq events (`vgic_update_irq_pending`) on the streaming path: parser → IrqBatch → worker
 * transfer → ChunkAppender → irq_rows, with the `irq_events` view keeping its columns; the
 * ImportWriter copies each batch as it arrives; v1 databases are migrated.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveLayouts } from '../../src/gic/layout.ts';
import { VmLayoutTable } from '../../src/gic/vm-layout-table.ts';
import { MAX_BATCHES_IN_FLIGHT, parseFile } from '../../src/ingest/parse-file.ts';
import { importFiles } from '../../src/importer/import-files.ts';
import { IrqBatch, irqRowsOf } from '../../src/model/irq-batch.ts';
import { Database } from '../../src/store/database.ts';
import { ImportWriter } from '../../src/store/import-writer.ts';
import { appendRows, type Cell } from '../../src/store/row-appender.ts';
import { runReplay } from '../../src/replay/run-replay.ts';
import { checkSchema, ensureSchema, readSchemaVersion, SCHEMA_VERSION } from '../../src/store/schema.ts';
import { CollectingSink } from '../ingest/helpers/render.ts';
import { writeIrqTrace } from './helpers/irq-trace.ts';
import { makeBatch } from './helpers/batch-fixtures.ts';
import { fakeSummary } from './helpers/summary-fixture.ts';
import { makeVersion2 } from './helpers/old-schemas.ts';

const dir = mkdtempSync(join(tmpdir(), 'abitrace-irq-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const info = (path: string) => ({ path, sha256: 'ab'.repeat(32), headSha256: 'cd'.repeat(32), bytes: 123, startedAt: new Date() });

/** The irq_events table of schema version 1, which the importer filled row by row through appendRows. */
const V1_IRQ_EVENTS = `CREATE TABLE irq_events_v1 (import_id INTEGER, seq BIGINT, ts_ns BIGINT, host_cpu SMALLINT, tid INTEGER,
    vm VARCHAR, vcpu SMALLINT, irq INTEGER, level BOOLEAN, source VARCHAR)`;

async function n(db: Database, sql: string): Promise<number> {
  const r = await db.readObjects<{ n: bigint }>(sql);
  return Number(r[0]!.n);
}

describe('irq events import (streamed)', () => {
  it('imports 200k injections with exactly the rows the row-by-row path stored', async () => {
    const trace = join(dir, 'irq-heavy.trace');
    const written = writeIrqTrace({ path: trace, irqEvents: 200_000, vms: 4, vcpus: 2, seed: 7 });
    const dbPath = join(dir, 'irq-heavy.duckdb');
    const report = await importFiles([trace], { db: dbPath, arrowCache: false, progress: false, strict: true });
    expect(report.imported).toBe(1);
    const r = report.results[0]!;
    if (r.status !== 'imported') throw new Error(r.status);
    expect(r.summary.irqEvents).toBe(written.irqEvents);

    // The old path: the parser's events as objects, appended row by row with names (as
    // ImportWriter.commit did before irq_rows existed), into a table of the old shape.
    const sink = new CollectingSink();
    const summary = await parseFile(trace, { path: trace, fallbackVm: 'x', strict: true }, sink, { worker: false });
    const rows = sink.irqRows;
    expect(rows.length).toBe(200_000);
    const db = await Database.open(dbPath);
    try {
      await db.run(V1_IRQ_EVENTS);
      await appendRows(db, 'irq_events_v1', rows.map((e): Cell[] => [
        r.importId, e.seq, e.ts_ns, e.host_cpu, e.tid, summary.vms.at(e.vm)! ?? String(e.vm), e.vcpu, e.irq, e.level,
        summary.sources[e.source] ?? String(e.source),
      ]));
      expect(await n(db, 'SELECT count(*) AS n FROM irq_events')).toBe(200_000);
      expect(await n(db, 'SELECT count(*) AS n FROM irq_rows')).toBe(200_000);
      expect(await n(db, 'SELECT count(*) AS n FROM (SELECT * FROM irq_events EXCEPT ALL SELECT * FROM irq_events_v1)')).toBe(0);
      expect(await n(db, 'SELECT count(*) AS n FROM (SELECT * FROM irq_events_v1 EXCEPT ALL SELECT * FROM irq_events)')).toBe(0);
      // the fixture exercises what could go wrong: NULL-free timestamps on lines without flags,
      // several VMs, both levels, SPIs from a non-vCPU thread
      expect(await n(db, `SELECT count(DISTINCT vm) AS n FROM irq_events WHERE source = 'vgic_update_irq_pending'`)).toBe(4);
      expect(await n(db, 'SELECT count(*) AS n FROM irq_events WHERE ts_ns IS NULL OR host_cpu IS NULL OR vm IS NULL')).toBe(0);
      expect(await n(db, 'SELECT count(DISTINCT level) AS n FROM irq_events')).toBe(2);
      expect(await n(db, 'SELECT count(*) AS n FROM irq_events WHERE irq >= 32')).toBeGreaterThan(10_000);
      const imp = await db.readObjects<{ irq_events: bigint; accesses: bigint }>('SELECT irq_events, accesses FROM imports');
      expect(imp[0]).toEqual({ irq_events: 200_000n, accesses: BigInt(written.accesses) });
    } finally {
      db.close();
    }
  });

  it('the ImportWriter copies each irq batch into irq_rows as it arrives and keeps no reference to it', async () => {
    const db = await Database.open(join(dir, 'stream.duckdb'));
    await ensureSchema(db);
    const vms = ['4242', '5151'];
    const sources = ['kvm_mmio', 'vgic_update_irq_pending'];
    const w = await ImportWriter.begin(db, false, 'trace.log');
    // ONE batch object, refilled before every call: a writer that kept batches (or rows
    // referring to them) would store the last contents three times.
    const batch = new IrqBatch(5000);
    const fill = (round: number): void => {
      batch.clear();
      for (let i = 0; i < 5000; i++) {
        batch.push({ seq: round * 5000 + i + 1, ts_ns: BigInt(1e9 + round * 5000 + i), host_cpu: i % 7 === 0 ? null : i % 16,
          tid: 100 + round, vm: i & 1, vcpu: (i >> 1) & 3, irq: 27 + round, level: i % 3 !== 0, source: 1 });
      }
    };
    for (let round = 0; round < 3; round++) {
      fill(round);
      await w.sink.irqs(batch, vms, sources);
      expect(w.irqRows).toBe((round + 1) * 5000);
      w.flushIrqs();
      // inside the open transaction the rows are already in the table
      expect(await n(db, 'SELECT count(*) AS n FROM irq_rows')).toBe((round + 1) * 5000);
    }
    await w.sink.accesses(makeBatch(0, 10, 2, 2), vms, sources);
    const summary = fakeSummary(10, vms, sources);
    await w.commit(summary, VmLayoutTable.of(resolveLayouts(summary, {})), info('trace.log'));
    const perRound = await db.readObjects<{ irq: number; tid: number; n: bigint; lo: bigint; hi: bigint }>(
      'SELECT irq, tid, count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM irq_events GROUP BY irq, tid ORDER BY irq');
    expect(perRound).toEqual([0, 1, 2].map((r) => ({ irq: 27 + r, tid: 100 + r, n: 5000n, lo: BigInt(r * 5000 + 1), hi: BigInt(r * 5000 + 5000) })));
    expect(await n(db, 'SELECT count(*) AS n FROM irq_events WHERE host_cpu IS NULL')).toBe(3 * Math.ceil(5000 / 7));
    const one = await db.readObjects<Record<string, unknown>>('SELECT * FROM irq_events WHERE seq = 5003');
    expect(one[0]).toEqual({ import_id: 1, seq: 5003n, ts_ns: BigInt(1e9 + 5002), host_cpu: 2, tid: 101, vm: '4242', vcpu: 1, irq: 28,
      level: true, source: 'vgic_update_irq_pending' });
    db.close();
  });

  it('worker mode: irq batches are transferred under the access batches\' credit; released ones come back zeroed', async () => {
    const trace = join(dir, 'worker.trace');
    writeIrqTrace({ path: trace, irqEvents: 60_000, vms: 3, vcpus: 2, accessEvery: 50, seed: 3 });
    const opts = { path: 'worker.trace', fallbackVm: 'v', strict: false, batchRows: 512 };
    const keep = new CollectingSink();
    await parseFile(trace, opts, keep, { worker: false });
    const copies: IrqBatch[] = [];
    const stats = { maxQueuedBatches: 0 };
    const releasing = {
      releasesBatches: true,
      accesses(): void {},
      async irqs(b: IrqBatch): Promise<void> {
        copies.push(IrqBatch.fromBuffers(structuredClone(b.toBuffers()))); // a copy: the parser reuses b
        await new Promise((r) => setTimeout(r, 1)); // a slow consumer: the worker must wait for credit
      },
    };
    const s = await parseFile(trace, opts, releasing, { worker: true, stats });
    expect(s.irqEvents).toBe(60_000);
    expect(copies.length).toBe(Math.ceil(60_000 / 512));
    // stale level bits or validity from a reused batch would show here (levels vary row to row)
    expect(irqRowsOf(copies)).toEqual(keep.irqRows);
    // the worker stops for credit only between 1 MiB read chunks (see parse-file.test.ts)
    const lineBytes = statSync(trace).size / (60_000 + 60_000 / 50);
    const perChunk = Math.ceil((1 << 20) / lineBytes / 512) + 1;
    expect(stats.maxQueuedBatches).toBeGreaterThan(0);
    expect(stats.maxQueuedBatches).toBeLessThanOrEqual(MAX_BATCHES_IN_FLIGHT + perChunk);
    expect(stats.maxQueuedBatches * 2).toBeLessThan(copies.length); // bounded: far from all of them at once
  });
});

/** Turns a fresh database into what schema version 1 wrote: the irq_events table with names per row. */
async function makeVersion1(db: Database): Promise<void> {
  await makeVersion2(db);
  await db.run('DROP VIEW irq_events');
  await db.run('DROP TABLE irq_rows');
  await db.run(V1_IRQ_EVENTS.replace('irq_events_v1', 'irq_events'));
  await db.run(`INSERT INTO vm_labels VALUES (1, 0, '4242'), (1, 1, '5151')`);
  await db.run(`INSERT INTO event_sources VALUES (1, 0, 'kvm_mmio'), (1, 1, 'vgic_update_irq_pending')`);
  await db.run(`INSERT INTO irq_events VALUES (1, 10, 1000, 3, 77, '5151', 1, 27, true, 'vgic_update_irq_pending'),
    (1, 11, NULL, NULL, 78, '4242', 0, 40, false, 'vgic_update_irq_pending')`);
  await db.run(`UPDATE meta SET value = '1' WHERE key = 'schema_version'`);
}

describe('schema version 1 → 3 (irq_events becomes irq_rows + view, then packed)', () => {
  it('an import migrates the rows of a version-1 database; a read-only open is refused with a clear message', async () => {
    const db = await Database.open(join(dir, 'v1.duckdb'));
    await makeVersion1(db);
    const before = await db.readObjects<Record<string, unknown>>('SELECT * FROM irq_events ORDER BY seq');
    expect(before).toHaveLength(2);
    await expect(checkSchema(db)).rejects.toMatchObject({ code: 'E_DB_SCHEMA', message: expect.stringMatching(/version 1, older .*abitrace import.*upgrades it in place/) });
    await ensureSchema(db); // what `abitrace import` does first
    expect(await readSchemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(await db.readObjects<Record<string, unknown>>('SELECT * FROM irq_events ORDER BY seq')).toEqual(before);
    expect(await db.readObjects<Record<string, unknown>>('SELECT vm, source FROM irq_codes ORDER BY seq')).toEqual([{ vm: 1, source: 1 }, { vm: 0, source: 1 }]);
    await checkSchema(db);
    db.close();
  });

  it('replay migrates a version-1 database it may write to, and refuses one it only reads', async () => {
    const db = await Database.open(join(dir, 'v1-replay.duckdb'));
    await makeVersion1(db);
    await expect(runReplay(db, { revisions: ['1', '2', '3'], store: false })).rejects.toMatchObject({ code: 'E_DB_SCHEMA' });
    expect(await readSchemaVersion(db)).toBe(1);
    // migrated, then the (empty) database has nothing to replay
    await expect(runReplay(db, { revisions: ['1', '2', '3'], store: true })).rejects.toMatchObject({ code: 'E_NO_DATA' });
    expect(await readSchemaVersion(db)).toBe(SCHEMA_VERSION);
    expect(await n(db, 'SELECT count(*) AS n FROM irq_events')).toBe(2);
    db.close();
  });
});
