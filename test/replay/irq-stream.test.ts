/**
 * Host injections in the replay as columns: many injections give the same results whether they
 * come as event objects, as IrqBatches of any size (sorted or not), through the reference path,
 * or streamed out of a database by loadIrqEvents.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importFiles } from '../../src/importer/import-files.ts';
import { parseFile } from '../../src/ingest/parse-file.ts';
import { IrqBatch, type IrqEventRow } from '../../src/model/irq-batch.ts';
import { replay } from '../../src/replay/engine.ts';
import { runReplay } from '../../src/replay/run-replay.ts';
import { loadIrqEvents } from '../../src/replay/sources.ts';
import type { ReplayResult } from '../../src/replay/types.ts';
import { Database } from '../../src/store/database.ts';
import { writeIrqTrace } from '../store/helpers/irq-trace.ts';
import { CollectingSink } from '../ingest/helpers/render.ts';
import { resolveLayouts } from '../../src/gic/layout.ts';
import { prng, randomTrace } from './helpers/random-trace.ts';

const dir = mkdtempSync(join(tmpdir(), 'abitrace-irq-replay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const withoutStats = (r: ReplayResult): Omit<ReplayResult, 'stats'> => {
  const { stats: _stats, ...rest } = r;
  return rest;
};

describe('replay with many host injections', () => {
  const trace = randomTrace(11, 20_000);
  const rnd = prng(99);
  const events: IrqEventRow[] = [...trace.irqs];
  // 100k injections (5 per access) at any seq, for replayed VMs, a VM without a layout (7) and
  // one that does not exist (8); vCPUs out of range and timestamps missing included
  for (let k = 0; k < 100_000; k++) {
    events.push({ seq: Math.floor(rnd() * 20_010), ts_ns: rnd() < 0.3 ? null : BigInt(k * 11), host_cpu: null, tid: 0,
      vm: Math.floor(rnd() * 9), vcpu: Math.floor(rnd() * 6) - 1, irq: Math.floor(rnd() * 300), level: rnd() < 0.5, source: 0 });
  }
  const sorted = [...events].sort((a, b) => a.seq - b.seq);

  it('objects, sorted batches of any size, unsorted batches and the reference path agree', () => {
    const fromRows = replay(trace.vms, trace.batches, events);
    expect(withoutStats(replay(trace.vms, trace.batches, IrqBatch.fromRows(sorted, 333)))).toEqual(withoutStats(fromRows));
    expect(withoutStats(replay(trace.vms, trace.batches, IrqBatch.fromRows(sorted)))).toEqual(withoutStats(fromRows));
    expect(withoutStats(replay(trace.vms, trace.batches, IrqBatch.fromRows(events, 4096)))).toEqual(withoutStats(fromRows));
    expect(withoutStats(replay(trace.vms, trace.batches, IrqBatch.fromRows(sorted, 333), { reference: true }))).toEqual(withoutStats(fromRows));
    // every injection of a replayed VM is applied exactly once, wherever it falls
    const replayed = new Set(fromRows.vms.map((v) => trace.vms.find((x) => x.name === v.vm)!.code));
    expect(fromRows.vms.reduce((s, v) => s + v.irq_events, 0)).toBe(events.filter((e) => replayed.has(e.vm)).length);
    expect(fromRows.divergences.some((d) => d.kind === 'delivery')).toBe(true);
  });

  it('an empty batch list and empty batches are no injections', () => {
    const none = replay(trace.vms, trace.batches, []);
    expect(withoutStats(replay(trace.vms, trace.batches, [new IrqBatch(8), new IrqBatch(8)]))).toEqual(withoutStats(none));
    expect(none.vms.every((v) => v.irq_events === 0)).toBe(true);
  });
});

describe('injections streamed out of the database', () => {
  it('loadIrqEvents gives the replay what the parser produced, with VM codes translated by label', async () => {
    const path = join(dir, 'inject.trace');
    writeIrqTrace({ path, irqEvents: 50_000, vms: 3, vcpus: 2, accessEvery: 5, seed: 5 });
    const dbPath = join(dir, 'inject.duckdb');
    const report = await importFiles([path], { db: dbPath, progress: false, strict: true });
    expect(report.imported).toBe(1);

    const sink = new CollectingSink();
    const summary = await parseFile(path, { path, fallbackVm: 'x', strict: true }, sink, { worker: false });
    const layouts = resolveLayouts(summary, {});
    const direct = replay(layouts.map((layout, code) => ({ code, name: layout.vm, layout })), sink.batches, sink.irqBatches, { sourceFormat: 'ftrace' });

    const db = await Database.open(dbPath, { readOnly: true, create: false });
    try {
      const run = await runReplay(db, { revisions: ['1', '2', '3'], store: false });
      const viaDb = run.imports[0]!.result;
      expect(withoutStats(viaDb)).toEqual(withoutStats(direct));
      expect(viaDb.vms.map((v) => v.replayed > 0 && v.irq_events > 0)).toEqual([true, true, true]);
      const counts = await db.readObjects<{ vm: string; n: bigint }>('SELECT vm, count(*) AS n FROM irq_events GROUP BY vm ORDER BY vm');
      expect(viaDb.vms.map((v) => [v.vm, v.irq_events]).sort()).toEqual(counts.map((c) => [c.vm, Number(c.n)]));
      // codes follow the caller's map (here reversed), and VMs outside it are left out
      const codeOf = new Map([[summary.vms.at(2)!, 0], [summary.vms.at(0)!, 5]]);
      const batches = await loadIrqEvents(db, 1, codeOf, 1000);
      const vmsSeen = new Set<number>();
      let total = 0;
      let lastSeq = -1;
      for (const b of batches) {
        expect(b.capacity).toBe(1000);
        for (let i = 0; i < b.length; i++) {
          vmsSeen.add(b.vm[i]!);
          const seq = Number(b.seq[i]!);
          expect(seq).toBeGreaterThan(lastSeq);
          lastSeq = seq;
        }
        total += b.length;
      }
      expect(vmsSeen).toEqual(new Set([0, 5]));
      expect(total).toBe(Number(counts.find((c) => c.vm === summary.vms.at(2)!)!.n) + Number(counts.find((c) => c.vm === summary.vms.at(0)!)!.n));
      expect(await loadIrqEvents(db, 1, new Map())).toEqual([]);
    } finally {
      db.close();
    }
  });
});
