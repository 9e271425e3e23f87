/**
 * Where the replay's inputs come from in a database: the per-import Arrow cache (zero-copy) by
 * default, or a `--where` subset streamed out of DuckDB into typed arrays (tooling-notes §3:
 * `stream` + `fetchChunk` + `vector_get_data`); layouts, interrupt injections and lost-event
 * markers from the small tables.
 */
import { existsSync } from 'node:fs';
import duckdb from '@duckdb/node-bindings';
import { readAccessesArrow } from '../arrow/read-accesses.ts';
import { AbitraceError, E } from '../errors.ts';
import type { BlockRange, GicBlock, VmLayout } from '../gic/layout.ts';
import type { LostEventsRecord, VmmKind } from '../ingest/types.ts';
import { AccessBatch } from '../model/access-batch.ts';
import type { IrqEventRow } from '../model/irq-batch.ts';
import type { Database } from '../store/database.ts';

export interface ImportRow {
  import_id: number;
  path: string;
  format: string | null;
  arrow_path: string | null;
}

export async function listImports(db: Database, only?: number[]): Promise<ImportRow[]> {
  const rows = await db.readObjects<{ import_id: number; path: string; format: string | null; arrow_path: string | null }>(
    'SELECT import_id, path, format, arrow_path FROM imports ORDER BY import_id');
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

/** `vgic_update_irq_pending` rows of an import, with VM codes from `codeOf`. */
export async function loadIrqEvents(db: Database, importId: number, codeOf: ReadonlyMap<string, number>): Promise<IrqEventRow[]> {
  const rows = await db.readObjects<{ seq: bigint; ts_ns: bigint | null; host_cpu: number | null; tid: number; vm: string; vcpu: number | null; irq: number; level: boolean }>(
    'SELECT seq, ts_ns, host_cpu, tid, vm, vcpu, irq, level FROM irq_events WHERE import_id = ? ORDER BY seq', [importId]);
  const out: IrqEventRow[] = [];
  for (const r of rows) {
    const code = codeOf.get(r.vm);
    if (code === undefined) continue; // an injection for a VM with no accesses
    out.push({ seq: Number(r.seq), ts_ns: r.ts_ns, host_cpu: r.host_cpu, tid: r.tid, vm: code, vcpu: r.vcpu ?? 0, irq: r.irq, level: r.level, source: 0 });
  }
  return out;
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

/** The import's Arrow cache, when present. */
export function accessesFromArrow(imp: ImportRow): AccessSource | null {
  if (!imp.arrow_path || !existsSync(imp.arrow_path)) return null;
  const a = readAccessesArrow(imp.arrow_path);
  return { batches: a.batches, vms: a.vms, via: 'arrow' };
}

/** Column widths of the streamed query, in select order. */
const COLUMNS = [
  ['seq', 8], ['ts_ns', 8], ['tid', 4], ['vm', 4], ['vcpu', 2], ['space', 1], ['op', 1], ['addr', 8], ['len', 1], ['value', 8],
] as const;

/**
 * Streams `access_rows` of one import (optionally restricted by a WHERE clause over the
 * `accesses` view) into AccessBatches, copying DuckDB's vectors directly into typed arrays.
 */
export async function accessesFromQuery(db: Database, importId: number, where: string | null, batchRows = 1 << 20): Promise<AccessSource> {
  const labels = await db.readObjects<{ code: number; vm: string }>('SELECT code, vm FROM vm_labels WHERE import_id = ? ORDER BY code', [importId]);
  const vms: string[] = [];
  for (const l of labels) vms[Number(l.code)] = l.vm;
  const filter = where === null ? '' : ` AND (r.import_id, r.seq) IN (SELECT import_id, seq FROM accesses WHERE import_id = ${importId} AND (${where}))`;
  const sql = `SELECT r.seq, r.ts_ns, r.tid, r.vm, r.vcpu, r.space, r.op, r.addr, r.len, r.value FROM access_rows r
    WHERE r.import_id = ${importId}${filter} ORDER BY r.seq`;
  const streamed = await db.stream(sql);
  const batches: AccessBatch[] = [];
  let cur = new AccessBatch(batchRows);
  for (;;) {
    const chunk = await streamed.result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const n = chunk.rowCount;
    let done = 0;
    while (done < n) {
      if (cur.length === cur.capacity) { batches.push(cur); cur = new AccessBatch(batchRows); }
      const take = Math.min(n - done, cur.capacity - cur.length);
      copyChunk(chunk.chunk, done, take, cur);
      done += take;
    }
  }
  if (cur.length > 0) batches.push(cur);
  return { batches, vms, via: 'duckdb' };
}

function copyChunk(chunk: duckdb.DataChunk, from: number, n: number, b: AccessBatch): void {
  const at = b.length;
  const total = duckdb.data_chunk_get_size(chunk);
  const targets: Record<string, ArrayBufferView> = {
    seq: b.seq, ts_ns: b.ts_ns, tid: b.tid, vm: b.vm, vcpu: b.vcpu, space: b.space, op: b.op, addr: b.addr, len: b.len, value: b.value,
  };
  const validityOf: Record<string, Uint8Array | undefined> = {
    ts_ns: b.validity.ts_ns, vcpu: b.validity.vcpu, addr: b.validity.addr, len: b.validity.len, value: b.validity.value,
  };
  COLUMNS.forEach(([name, width], c) => {
    const vec = duckdb.data_chunk_get_vector(chunk, c);
    const data = duckdb.vector_get_data(vec, total * width);
    const dst = targets[name]!;
    new Uint8Array(dst.buffer, dst.byteOffset + at * width, n * width).set(data.subarray(from * width, (from + n) * width));
    const vbits = validityOf[name];
    if (!vbits) return;
    const src = duckdb.vector_get_validity(vec, Math.ceil(total / 64) * 8);
    for (let i = 0; i < n; i++) {
      const ok = !src || (src[(from + i) >>> 3]! & (1 << ((from + i) & 7))) !== 0;
      const j = at + i;
      if (ok) vbits[j >>> 3]! |= 1 << (j & 7); else vbits[j >>> 3]! &= ~(1 << (j & 7));
    }
  });
  b.length = at + n;
}
