/**
 * Stable text rendering of a parse (rows, irq events, summary) for golden files: CSV sections with
 * NULL as an empty cell, 64-bit values as 0x-hex (timestamps in decimal ns), and the summary as
 * JSON with Maps turned into sorted objects and bigints into decimal strings.
 */
import { AccessBatch } from '../../../src/model/access-batch.ts';
import { evidenceByVm, vmInfoList } from '../../../src/ingest/vm-evidence.ts';
import { labelArray } from '../../../src/ingest/vm-labels.ts';
import { NO_TID, OP_NAMES, SPACE_NAMES } from '../../../src/model/codes.ts';
import { irqRowsOf, type IrqBatch, type IrqEventRow } from '../../../src/model/irq-batch.ts';
import { TraceParser } from '../../../src/ingest/trace-parser.ts';
import type { ParseSink, ParseSummary } from '../../../src/ingest/types.ts';
import type { TraceParserOptions } from '../../../src/ingest/trace-parser.ts';

export interface CollectedParse {
  /** Lines the parser's fused kvm_mmio path took. */
  fusedLines?: number;
  /** Threads the parser packed away (ThreadTable's live limit). */
  spilledThreads?: number;
  /** Words of packed threads on disk at the end (ThreadSpill's memory budget). */
  spilledDiskWords?: number;
  batches: AccessBatch[];
  irqs: IrqEventRow[];
  summary: ParseSummary;
}

export class CollectingSink implements ParseSink {
  readonly batches: AccessBatch[] = [];
  readonly irqBatches: IrqBatch[] = [];
  accesses(batch: AccessBatch): void {
    this.batches.push(batch);
  }
  irqs(batch: IrqBatch): void {
    this.irqBatches.push(batch);
  }
  /** Every irq event so far, as objects. */
  get irqRows(): IrqEventRow[] {
    return irqRowsOf(this.irqBatches);
  }
}

/** Parses `input` in one go, or split at the given chunk boundaries. */
export function parseBytes(input: Uint8Array, opts: Partial<TraceParserOptions> & Pick<TraceParserOptions, 'format'>, cuts: number[] = []): CollectedParse {
  const sink = new CollectingSink();
  const parser = new TraceParser({ path: 'test.trace', fallbackVm: 'test', strict: false, ...opts }, sink);
  let prev = 0;
  for (const c of [...cuts, input.length]) {
    parser.feed(input.subarray(prev, c));
    prev = c;
  }
  const summary = parser.finish();
  return { batches: sink.batches, irqs: sink.irqRows, summary, fusedLines: parser.fusedLines, spilledThreads: parser.spilledThreads, spilledDiskWords: parser.spilledDiskWords };
}

export interface RowView {
  seq: number;
  ts_ns: string | null;
  host_cpu: number | null;
  tid: number | null;
  vm: string;
  vcpu: number | null;
  source: string;
  space: string;
  op: string;
  addr: string | null;
  len: number | null;
  value: string | null;
  pc: string | null;
  imm: number | null;
}

const hex = (v: bigint): string => `0x${v.toString(16)}`;

export function rowsOf(p: CollectedParse): RowView[] {
  const out: RowView[] = [];
  for (const b of p.batches) {
    for (let i = 0; i < b.length; i++) {
      out.push({
        seq: Number(b.seq[i]!),
        ts_ns: b.isValid('ts_ns', i) ? b.ts_ns[i]!.toString() : null,
        host_cpu: b.isValid('host_cpu', i) ? b.host_cpu[i]! : null,
        tid: b.tid[i] === NO_TID ? null : b.tid[i]!,
        vm: p.summary.vms.at(b.vm[i]!)!,
        vcpu: b.isValid('vcpu', i) ? b.vcpu[i]! : null,
        source: p.summary.sources[b.source[i]!]!,
        space: SPACE_NAMES[b.space[i]!]!,
        op: OP_NAMES[b.op[i]!]!,
        addr: b.isValid('addr', i) ? hex(b.addr[i]!) : null,
        len: b.isValid('len', i) ? b.len[i]! : null,
        value: b.isValid('value', i) ? hex(b.value[i]!) : null,
        pc: b.isValid('pc', i) ? hex(b.pc[i]!) : null,
        imm: b.isValid('imm', i) ? b.imm[i]! : null,
      });
    }
  }
  return out;
}

const cell = (v: unknown): string => (v === null || v === undefined ? '' : String(v));

function sortedObject<V>(m: Map<string | number, V>, key: (k: string | number) => string = String): Record<string, V> {
  const o: Record<string, V> = {};
  for (const k of [...m.keys()].sort((a, b) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : 1))) {
    o[key(k)] = m.get(k)!;
  }
  return o;
}

export function summaryJson(s: ParseSummary): string {
  const plain = {
    format: s.format,
    variant: s.variant,
    bytes: s.bytes,
    lines: s.lines,
    accesses: s.accesses,
    irqEvents: s.irqEvents,
    otherEvents: s.otherEvents,
    skipped: s.skipped,
    eventCounts: sortedObject(s.eventCounts),
    issues: [...s.issues].sort((a, b) => (a.kind < b.kind ? -1 : 1)),
    lost: s.lost,
    vms: labelArray(s.vms),
    sources: s.sources,
    vmInfo: vmInfoList(s.vmInfo),
    layout: [...evidenceByVm(s)].map((l) => ({
      vm: l.vm,
      pages: sortedObject(l.pages, (k) => `0x${Number(k).toString(16)}`),
      regions: sortedObject(l.regions),
      idReads: l.idReads.map((r) => ({ gpa: `0x${r.gpa.toString(16)}`, len: r.len, value: `0x${r.value.toString(16)}` })),
      ...(l.v2Frames.size > 0 ? { v2Frames: sortedObject(l.v2Frames, (k) => `0x${Number(k).toString(16)}`) } : {}),
    })),
  };
  return JSON.stringify(plain, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2);
}

export function render(p: CollectedParse): string {
  const cols: Array<keyof RowView> = ['seq', 'ts_ns', 'host_cpu', 'tid', 'vm', 'vcpu', 'source', 'space', 'op', 'addr', 'len', 'value', 'pc', 'imm'];
  const lines = ['# rows', cols.join(',')];
  for (const r of rowsOf(p)) lines.push(cols.map((c) => cell(r[c])).join(','));
  lines.push('# irq_events', 'seq,ts_ns,host_cpu,tid,vm,vcpu,irq,level,source');
  for (const r of p.irqs) {
    lines.push([r.seq, r.ts_ns, r.host_cpu, r.tid, p.summary.vms.at(r.vm)!, r.vcpu, r.irq, r.level ? 1 : 0, p.summary.sources[r.source]].map(cell).join(','));
  }
  lines.push('# summary', summaryJson(p.summary), '');
  return lines.join('\n');
}
