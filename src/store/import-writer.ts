/**
 * Writes ONE file's import as ONE transaction: BEGIN, access rows (and the Arrow cache file under
 * a temporary name) and irq events through their raw-chunk appenders while the parser runs — each
 * batch copied into DuckDB as it arrives, so memory does not grow with the input — then the
 * summary tables, then COMMIT and the rename of the Arrow file. Any failure — or a kill — before COMMIT leaves
 * nothing: DuckDB discards the open transaction (its WAL never saw a commit) and rollback()
 * deletes the temporary Arrow file.
 */
import { mkdirSync } from 'node:fs';
import { AccessArrowWriter } from '../arrow/access-arrow-writer.ts';
import type { LayoutOverrides } from '../gic/layout.ts';
import type { VmLayoutTable } from '../gic/vm-layout-table.ts';
import type { VmLabelList } from '../ingest/vm-labels.ts';
import type { LostEventsRecord, ParseSink, ParseSummary } from '../ingest/types.ts';
import type { AccessBatch } from '../model/access-batch.ts';
import type { IrqBatch } from '../model/irq-batch.ts';
import { threadCpuMs } from '../ingest/thread-cpu.ts';
import { openAccessAppender, type AccessAppender } from './access-appender.ts';
import { rowKeyCondition } from './access-row-layout.ts';
import { arrowDirFor, arrowFileFor, arrowFileName } from './arrow-cache.ts';
import type { Database } from './database.ts';
import { openIrqAppender, type IrqAppender } from './irq-appender.ts';
import { appendRows, type Cell } from './row-appender.ts';

export interface ImportFileInfo {
  /** Path as given by the user (stored in imports.path). */
  path: string;
  sha256: string;
  headSha256: string;
  /** Raw (possibly compressed) size in bytes. */
  bytes: number;
  startedAt: Date;
}

export interface CommittedImport {
  importId: number;
  /** The Arrow cache file written (resolved from the database path; imports.arrow_path has its name only). */
  arrowPath: string | null;
  platform: string | null;
  vmm: string | null;
  /** VMs in the import. */
  vms: number;
}

/** Main-thread CPU ms per step, for benchmark breakdowns (ImportWriter.timing). */
export interface ImportWriterTiming {
  appendCpuMs: number;
  arrowCpuMs: number;
  /** Summary tables, per-VM statistics, COMMIT and the Arrow footer (wall ms). */
  commitMs: number;
}

/** VMs whose row stats are read at once at commit (~6 MiB of arrays). */
export const VM_STATS_RANGE = 1 << 18;

export class ImportWriter {
  /** Set to an object to have the steps timed (a /proc read per batch on Linux; NaN elsewhere). */
  timing: ImportWriterTiming | null = null;
  private vms: VmLabelList = [];
  private sources: readonly string[] = [];
  private done = false;

  private constructor(
    private readonly db: Database,
    readonly importId: number,
    private readonly appender: AccessAppender,
    private readonly irqAppender: IrqAppender,
    private readonly arrow: AccessArrowWriter | null,
    private readonly arrowFinal: string | null,
    private readonly vmStatsRange: number,
  ) {}

  /**
   * BEGINs the transaction and allocates the import id. `arrowCache`: also write
   * `<db>.arrow/<import_id>.arrow` (arrow-cache.ts; never for ':memory:').
   */
  static async begin(db: Database, arrowCache: boolean, sourcePath: string, vmStatsRange = VM_STATS_RANGE): Promise<ImportWriter> {
    await db.run('BEGIN TRANSACTION');
    try {
      const r = await db.readObjects<{ id: number }>(`SELECT CAST(coalesce(max(import_id), 0) + 1 AS INTEGER) AS id FROM imports`);
      const importId = r[0]!.id;
      const appender = await openAccessAppender(db, importId);
      const irqAppender = await openIrqAppender(db, importId);
      let arrow: AccessArrowWriter | null = null;
      let arrowFinal: string | null = null;
      const arrowDir = arrowCache ? arrowDirFor(db.path) : null;
      if (arrowDir !== null) {
        mkdirSync(arrowDir, { recursive: true });
        arrowFinal = arrowFileFor(db.path, importId);
        arrow = new AccessArrowWriter(`${arrowFinal}.tmp-${process.pid}`, importId, { 'abitrace.source_path': sourcePath });
      }
      return new ImportWriter(db, importId, appender, irqAppender, arrow, arrowFinal, vmStatsRange);
    } catch (err) {
      await db.rollbackQuietly();
      throw err;
    }
  }

  /** Access rows appended so far. */
  get rows(): number {
    return this.appender.rows;
  }

  /** irq-event rows appended so far (in the open transaction; flushed to irq_rows by `flushIrqs`/commit). */
  get irqRows(): number {
    return this.irqAppender.rows;
  }

  /** Makes the irq rows appended so far visible to queries inside the open transaction (tests, diagnostics). */
  flushIrqs(): void {
    this.irqAppender.flush();
  }

  /**
   * The ParseSink the parser feeds; batches are appended (accesses also Arrow-written)
   * synchronously and never referenced afterwards, so the parser may reuse them.
   */
  readonly sink: ParseSink = {
    releasesBatches: true,
    accesses: (batch: AccessBatch, vms: VmLabelList, sources: readonly string[]) => {
      this.vms = vms;
      this.sources = sources;
      const t = this.timing;
      if (t === null) {
        this.appender.append(batch);
        this.arrow?.write(batch, vms, sources);
        return;
      }
      const c0 = threadCpuMs();
      this.appender.append(batch);
      const c1 = threadCpuMs();
      this.arrow?.write(batch, vms, sources);
      t.appendCpuMs += c1 - c0;
      t.arrowCpuMs += threadCpuMs() - c1;
    },
    irqs: (batch: IrqBatch, vms: VmLabelList, sources: readonly string[]) => {
      this.vms = vms;
      this.sources = sources;
      const t = this.timing;
      if (t === null) {
        this.irqAppender.append(batch);
        return;
      }
      const c0 = threadCpuMs();
      this.irqAppender.append(batch);
      t.appendCpuMs += threadCpuMs() - c0;
    },
    // written as they come, inside the file's transaction: a trace can hold millions of markers
    lost: (records: LostEventsRecord[]) => this.appendLost(records),
  };

  /**
   * vm_layout_blocks: a row per distinct map and block. VMs share a handful of maps, and
   * `vms.layout_shape` says whose is whose (the vm_blocks view joins them back): a host trace of
   * a million VMs would otherwise write six million rows.
   */
  private async appendLayoutBlocks(layouts: VmLayoutTable): Promise<void> {
    const id = this.importId;
    const rows: Cell[][] = [];
    layouts.shapes.forEach((l, shape) => l.blocks.forEach((b, ord) => rows.push([id, shape, ord, b.block, BigInt(b.base), BigInt(b.size),
      b.stride === undefined ? null : BigInt(b.stride), l.source])));
    await appendRows(this.db, 'vm_layout_blocks', rows);
  }

  /**
   * Rows, first and last ts_ns of the accesses of VM codes [from, to) in this import (timestamps
   * NULL count as absent); `all`: the range holds every VM (no filter). A range at a time: typed
   * arrays for pid_max VMs at once were 0.1 GB (one scan of the import's rows per range).
   */
  private async rowStatsByVm(from: number, to: number, all: boolean): Promise<{ rows: Float64Array; hasTs: Uint8Array; first: BigInt64Array; last: BigInt64Array }> {
    const n = to - from;
    const out = { rows: new Float64Array(n), hasTs: new Uint8Array(n), first: new BigInt64Array(n), last: new BigInt64Array(n) };
    const range = all ? '' : ` AND vm >= ${from} AND vm < ${to}`;
    const res = await this.db.stream(
      `SELECT vm, count(*) AS n, min(ts_ns) AS first, max(ts_ns) AS last FROM access_rows WHERE ${rowKeyCondition(this.importId)}${range} GROUP BY vm`);
    for await (const rows of res.batches()) {
      for (const [vm, count, first, last] of rows as Array<[number, bigint, bigint | null, bigint | null]>) {
        if (vm < from || vm >= to) continue;
        const i = vm - from;
        out.rows[i] = Number(count);
        if (first === null || last === null) continue;
        out.hasTs[i] = 1;
        out.first[i] = first;
        out.last[i] = last;
      }
    }
    return out;
  }

  private async appendLost(records: readonly LostEventsRecord[]): Promise<void> {
    const id = this.importId;
    await appendRows(this.db, 'lost_events', records.map((l): Cell[] => [id, l.line, l.hostCpu, l.count, l.tsBeforeNs, l.tsAfterNs]));
  }

  /** Writes the summary tables, COMMITs, then moves the Arrow file into place. */
  async commit(summary: ParseSummary, layouts: VmLayoutTable, info: ImportFileInfo): Promise<CommittedImport> {
    const id = this.importId;
    const db = this.db;
    const t0 = performance.now();
    // a layout's vmm is its VmInfo's when the thread names gave one (resolveVmLayout)
    const platform = layouts.platform();
    const vmm = layouts.vmm();
    try {
      this.appender.close();
      this.irqAppender.close();
      const vms = summary.vms.length >= this.vms.length ? summary.vms : this.vms;
      const sources = summary.sources.length >= this.sources.length ? summary.sources : this.sources;
      await appendRows(db, 'vm_labels', (function* () { for (let code = 0; code < vms.length; code++) yield [id, code, vms.at(code)!]; })());
      await appendRows(db, 'event_sources', sources.map((s, code) => [id, code, s]));
      await appendRows(db, 'import_issues', summary.issues.map((t): Cell[] => [
        id, t.kind, t.severity, t.count, t.samples.slice(0, 5).map((s) => ({ line: s.line, text: s.text.slice(0, 200) })),
      ]));
      await appendRows(db, 'import_events', [...summary.eventCounts].map(([event, count]): Cell[] => [id, event, count]));
      await this.appendLost(summary.lost);
      // by code (layouts[code], vmInfo columns, per-VM row stats in typed arrays): a host trace can
      // hold a million VMs, and an object or Map entry per VM and list cost ~0.2 KiB each
      const threads = summary.vmInfo.threads;
      for (let from = 0; from < layouts.length; from += this.vmStatsRange) {
        const to = Math.min(layouts.length, from + this.vmStatsRange);
        const perVm = await this.rowStatsByVm(from, to, from === 0 && to === layouts.length);
        await appendRows(db, 'vms', (function* (): Generator<Cell[]> {
          for (let code = from; code < to; code++) {
            const l = layouts.shapeOfVm(code);
            const i = code - from;
            yield [id, vms.at(code)!, l.vmm, l.platform, l.gicVersion, threads[code] ?? 0,
              perVm.rows[i]!, perVm.hasTs[i] ? perVm.first[i]! : null, perVm.hasTs[i] ? perVm.last[i]! : null, l.source,
              layouts.shapeIndexOf(code)];
          }
        })());
      }
      await this.appendLayoutBlocks(layouts);
      const issueCount = summary.issues.reduce((a, t) => a + t.count, 0);
      await appendRows(db, 'imports', [[
        id, info.path, summary.format, summary.variant, info.sha256, info.headSha256, info.bytes, summary.bytes,
        summary.lines, this.appender.rows, summary.irqEvents, summary.otherEvents, summary.skipped, summary.lostEvents,
        summary.lostMarkers, issueCount, info.startedAt, new Date(), platform, vmm,
        // relative: a copy of the database (and its .arrow/ directory) must not name our file
        this.arrowFinal === null ? null : arrowFileName(id), id,
      ]]);
      this.arrow?.finish();
      await db.run('COMMIT');
    } catch (err) {
      await this.rollback();
      throw err;
    }
    this.done = true;
    if (this.timing) this.timing.commitMs += performance.now() - t0;
    // Renamed only after COMMIT: a kill before this point leaves a .tmp file, never a file the
    // database does not know.
    if (this.arrow && this.arrowFinal) this.arrow.finishAs(this.arrowFinal);
    return {
      importId: id, arrowPath: this.arrowFinal,
      platform, vmm, vms: layouts.length,
    };
  }

  /** ROLLBACK and delete the temporary Arrow file. Idempotent. */
  async rollback(): Promise<void> {
    if (this.done) return;
    this.done = true;
    for (const a of [this.appender, this.irqAppender]) {
      try {
        a.close();
      } catch {
        /* the transaction is being discarded anyway */
      }
    }
    this.arrow?.discard();
    await this.db.rollbackQuietly();
  }
}

export type { LayoutOverrides };
