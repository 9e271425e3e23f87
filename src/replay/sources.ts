/**
 * Where the replay's inputs come from in a database: the per-import Arrow cache (zero-copy) by
 * default, or a `--where` subset streamed out of DuckDB into typed arrays (tooling-notes §3:
 * `stream` + `fetchChunk` + `vector_get_data`); interrupt injections streamed the same way from
 * `irq_rows` (as many as the accesses in host traces); layouts and lost-event markers from the
 * small tables.
 */
import { existsSync } from 'node:fs';
import { readAccessesArrow, type AccessesArrow } from '../arrow/read-accesses.ts';
import { AbitraceError, E } from '../errors.ts';
import type { BlockRange, GicBlock, VmLayout } from '../gic/layout.ts';
import type { LostEventsRecord, VmmKind } from '../ingest/types.ts';
import { AccessBatch } from '../model/access-batch.ts';
import { IrqBatch } from '../model/irq-batch.ts';
import { rowKeyCondition } from '../store/access-row-layout.ts';
import { arrowCacheMismatch, arrowFileFor } from '../store/arrow-cache.ts';
import { readBatches } from '../store/chunk-reader.ts';
import type { Database } from '../store/database.ts';

export interface ImportRow {
  import_id: number;
  path: string;
  format: string | null;
  /** NULL: the import wrote no Arrow cache. Only tells whether there is one: see arrow-cache.ts. */
  arrow_path: string | null;
  /** Access rows (imports.accesses), to check the Arrow cache against. */
  accesses: bigint | null;
}

export async function listImports(db: Database, only?: number[]): Promise<ImportRow[]> {
  const rows = await db.readObjects<Omit<ImportRow, 'import_id'> & { import_id: number }>(
    'SELECT import_id, path, format, arrow_path, accesses FROM imports ORDER BY import_id');
  const out = rows.map((r) => ({ ...r, import_id: Number(r.import_id) }));
  if (!only) return out;
  for (const id of only) if (!out.some((r) => r.import_id === id)) throw new AbitraceError(E.NO_DATA, `no import ${id} in ${db.path}`);
  return out.filter((r) => only.includes(r.import_id));
}

/** VM layouts of an import from `vms` + `vm_blocks`. */
export async function loadLayouts(db: Database, importId: number): Promise<Map<string, VmLayout>> {
  const vms = await db.readObjects<{ vm: string; vmm: string | null; platform: string | null; gic_version: number | null; layout_source: string | null }>(
    'SELECT vm, vmm, platform, gic_version, layout_source FROM vms WHERE import_id = ?', [importId]);
  const blocks = await db.readObjects<{ vm: string; block: string; base: bigint; size: bigint; stride: bigint | null; source: string | null }>(
    'SELECT vm, block, base, size, stride, source FROM vm_blocks WHERE import_id = ? ORDER BY vm, base', [importId]);
  const out = new Map<string, VmLayout>();
  for (const v of vms) {
    out.set(v.vm, {
      vm: v.vm, vmm: (v.vmm as VmmKind | null) ?? null, platform: v.platform ?? 'custom',
      gicVersion: v.gic_version === 2 || v.gic_version === 3 ? v.gic_version : null, blocks: [], source: v.layout_source ?? 'database',
    });
  }
  for (const b of blocks) {
    let l = out.get(b.vm);
    if (!l) {
      l = { vm: b.vm, vmm: null, platform: 'custom', gicVersion: null, blocks: [], source: b.source ?? 'database' };
      out.set(b.vm, l);
    }
    const r: BlockRange = { block: b.block as GicBlock, base: Number(b.base), size: Number(b.size) };
    if (b.stride !== null) r.stride = Number(b.stride);
    l.blocks.push(r);
  }
  return out;
}

/**
 * `vgic_update_irq_pending` events of an import in seq order, as IrqBatches streamed out of
 * `irq_codes` (irq_rows unpacked; no object per event), with VM codes translated to `codeOf` (the access source's
 * codes, by label). Events of VMs not in `codeOf` (no replayable accesses) are left out.
 */
export async function loadIrqEvents(db: Database, importId: number, codeOf: ReadonlyMap<string, number>,
  batchRows = 1 << 18): Promise<IrqBatch[]> {
  const labels = await db.readObjects<{ code: number; vm: string }>('SELECT code, vm FROM vm_labels WHERE import_id = ?', [importId]);
  const keep = labels.filter((l) => codeOf.has(l.vm)).map((l) => Number(l.code));
  if (keep.length === 0) return [];
  const remap = new Int32Array(Math.max(...keep) + 1).fill(-1); // import code → replay code
  for (const l of labels) if (codeOf.has(l.vm)) remap[Number(l.code)] = codeOf.get(l.vm)!;
  const sql = `SELECT seq, ts_ns, host_cpu, tid, vm, vcpu, irq, level, source FROM irq_codes
    WHERE ${rowKeyCondition(importId)} AND vm IN (${keep.join(', ')}) ORDER BY seq`;
  const batches = await readBatches(db, sql, () => new IrqBatch(batchRows), (b) => [
    { data: b.seq }, { data: b.ts_ns, validity: b.validity.ts_ns }, { data: b.host_cpu, validity: b.validity.host_cpu },
    { data: b.tid }, { data: b.vm }, { data: b.vcpu }, { data: b.irq }, { data: b.level }, { data: b.source },
  ]);
  for (const b of batches) {
    const vm = b.vm;
    for (let i = 0; i < b.length; i++) vm[i] = remap[vm[i]!]!;
  }
  return batches;
}

export async function loadLost(db: Database, importId: number): Promise<LostEventsRecord[]> {
  const rows = await db.readObjects<{ line: bigint; host_cpu: number | null; count: bigint | null; ts_before_ns: bigint | null; ts_after_ns: bigint | null }>(
    'SELECT line, host_cpu, count, ts_before_ns, ts_after_ns FROM lost_events WHERE import_id = ?', [importId]);
  return rows.map((r) => ({
    line: Number(r.line), hostCpu: r.host_cpu ?? -1, count: r.count === null ? null : Number(r.count),
    tsBeforeNs: r.ts_before_ns, tsAfterNs: r.ts_after_ns,
  }));
}

export interface AccessSource {
  batches: AccessBatch[];
  /** vm code → label. */
  vms: string[];
  via: 'arrow' | 'duckdb';
}

/**
 * The import's Arrow cache — `<db>.arrow/<import_id>.arrow` of THIS database — when present and
 * really this import's; null (read through DuckDB instead) when the import wrote none, it is gone,
 * or it is unreadable or another import's (a stale or foreign file), which `warn` is told.
 */
export function accessesFromArrow(dbPath: string, imp: ImportRow, warn: (message: string) => void): AccessSource | null {
  const file = imp.arrow_path === null ? null : arrowFileFor(dbPath, imp.import_id);
  if (file === null || !existsSync(file)) return null;
  let a: AccessesArrow;
  try {
    a = readAccessesArrow(file);
  } catch (err) {
    warn(`import ${imp.import_id}: Arrow cache ${file} is unreadable (${(err as Error).message}); reading the accesses from DuckDB`);
    return null;
  }
  const why = arrowCacheMismatch(a, imp);
  if (why !== null) {
    warn(`import ${imp.import_id}: Arrow cache ${file} is stale or foreign (${why}); reading the accesses from DuckDB`);
    return null;
  }
  return { batches: a.batches, vms: a.vms, via: 'arrow' };
}

/**
 * Streams `access_codes` (access_rows unpacked) of one import (optionally restricted by a WHERE clause over the
 * `accesses` view) into AccessBatches, copying DuckDB's vectors directly into typed arrays.
 */
export async function accessesFromQuery(db: Database, importId: number, where: string | null, batchRows = 1 << 20): Promise<AccessSource> {
  const labels = await db.readObjects<{ code: number; vm: string }>('SELECT code, vm FROM vm_labels WHERE import_id = ? ORDER BY code', [importId]);
  const vms: string[] = [];
  for (const l of labels) vms[Number(l.code)] = l.vm;
  const filter = where === null ? '' : ` AND (r.import_id, r.seq) IN (SELECT import_id, seq FROM accesses WHERE import_id = ${importId} AND (${where}))`;
  const sql = `SELECT r.seq, r.ts_ns, r.tid, r.vm, r.vcpu, r.space, r.op, r.addr, r.len, r.value FROM access_codes r
    WHERE ${rowKeyCondition(importId, 'r.row_key')}${filter} ORDER BY r.seq`;
  const batches = await readBatches(db, sql, () => new AccessBatch(batchRows), (b) => [
    { data: b.seq }, { data: b.ts_ns, validity: b.validity.ts_ns }, { data: b.tid }, { data: b.vm },
    { data: b.vcpu, validity: b.validity.vcpu }, { data: b.space }, { data: b.op }, { data: b.addr, validity: b.validity.addr },
    { data: b.len, validity: b.validity.len }, { data: b.value, validity: b.validity.value },
  ]);
  return { batches, vms, via: 'duckdb' };
}
