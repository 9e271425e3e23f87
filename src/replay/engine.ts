/**
 * Lockstep replay: every GIC access of every VM goes, in trace order, to one model per compared
 * revision; reads diverge when the values differ, writes when the resulting state differs (latent
 * until a later read or an interrupt reveals it). Under the host's revision every recorded read is
 * also checked against the model (fidelity).
 *
 * The hot loop is allocation-free: columns are typed arrays (AccessBatch, zero-copy from Arrow),
 * 64-bit columns are read through u32 halves, dispatch goes through precomputed offset tables.
 */
import type { AccessBatch } from '../model/access-batch.ts';
import { OP_READ, SPACE_MMIO } from '../model/codes.ts';
import type { IrqEventRow } from '../model/irq-batch.ts';
import { resolveAccess, resolved } from '../emulator/access-check.ts';
import { profileById } from '../emulator/profiles.ts';
import { prescan, VmScan } from './prescan.ts';
import { buildResult } from './report.ts';
import type { ReplayOptions, ReplayResult, ReplayVmInput } from './types.ts';
import { BLOCK_GICD, BLOCK_GICR, BLOCK_GITS, VmBlocks } from './vm-blocks.ts';
import { VmRun } from './vm-run.ts';

const BLOCK_NAMES = ['GICD', 'GICR', 'GICC', 'GITS', 'GICV2M'];

export const DEFAULT_REVISIONS = ['1', '2', '3'];

export function replay(vms: readonly ReplayVmInput[], batches: readonly AccessBatch[], irqs: readonly IrqEventRow[],
  opts: ReplayOptions = {}): ReplayResult {
  const started = performance.now();
  const revisions = opts.revisions ?? DEFAULT_REVISIONS;
  for (const r of revisions) profileById(r); // E_REVISION_UNKNOWN early
  if (opts.hostRevision !== undefined) profileById(opts.hostRevision);
  const maxCode = vms.reduce((m, v) => Math.max(m, v.code), -1);
  const scans: (VmScan | undefined)[] = new Array(maxCode + 1);
  for (const v of vms) scans[v.code] = new VmScan(new VmBlocks(v.layout));
  prescan(batches, scans);
  const runs: (VmRun | undefined)[] = new Array(maxCode + 1);
  for (const v of vms) runs[v.code] = new VmRun(v, scans[v.code]!, opts, revisions);
  const events = [...irqs].filter((e) => runs[e.vm] !== undefined).sort((a, b) => a.seq - b.seq);
  const total = replayRows(batches, runs, events);
  for (const r of runs) r?.annotateFirst();
  const seconds = (performance.now() - started) / 1000;
  return buildResult(runs.filter((r): r is VmRun => r !== undefined), revisions, opts,
    { accesses: total, seconds, accesses_per_second: seconds > 0 ? total / seconds : 0 });
}

const valid = (bm: Uint8Array, i: number): boolean => (bm[i >>> 3]! & (1 << (i & 7))) !== 0;

function replayRows(batches: readonly AccessBatch[], runs: (VmRun | undefined)[], events: IrqEventRow[]): number {
  const cursor = { ev: 0 };
  let total = 0;
  for (const b of batches) {
    for (const r of runs) if (r) r.cur = b;
    replayBatch(b, runs, events, cursor);
    total += b.length;
  }
  while (cursor.ev < events.length) applyEvent(runs, events[cursor.ev++]!);
  return total;
}

/** One batch; a function of its own so V8 optimises it whole rather than by on-stack replacement. */
function replayBatch(b: AccessBatch, runs: (VmRun | undefined)[], events: IrqEventRow[], cursor: { ev: number }): void {
  const n = b.length;
  const vmC = b.vm;
  const spaceC = b.space;
  const opC = b.op;
  const lenC = b.len;
  const addr32 = b.addr32;
  const value32 = b.value32;
  const seq32 = b.seq32;
  const vcpuC = b.vcpu;
  const tidC = b.tid;
  const vAddr = b.validity.addr;
  const vValue = b.validity.value;
  const vVcpu = b.validity.vcpu;
  const nEvents = events.length;
  let ev = cursor.ev;
  for (let i = 0; i < n; i++) {
    const run = runs[vmC[i]!];
    if (run === undefined) continue;
    run.accesses++;
    if (ev < nEvents) {
      const seq = seq32[2 * i + 1]! * 4294967296 + seq32[2 * i]!;
      while (ev < nEvents && events[ev]!.seq < seq) applyEvent(runs, events[ev++]!);
    }
    if (spaceC[i] !== SPACE_MMIO || !valid(vAddr, i)) { run.skippedNotMmio++; continue; }
    const blocks = run.blocks;
    const kind = blocks.findLoHi(addr32[2 * i]!, addr32[2 * i + 1]!);
    if (kind < 0) { run.skippedOutside++; continue; }
    if (kind >= BLOCK_GITS) { run.skippedUnmodelled++; continue; }
    const accessor = valid(vVcpu, i) ? vcpuC[i]! : run.vcpuOfTid(tidC[i]!);
    let cf;
    let cpu;
    if (kind === BLOCK_GICR) { cf = run.gicr; cpu = blocks.redist; }
    else if (kind === BLOCK_GICD) { cf = run.gicd; cpu = accessor; }
    else { if (blocks.gicVersion !== 2) { run.skippedUnmodelled++; continue; } cf = run.gicc; cpu = accessor; }
    if (cpu < 0 || cpu >= run.nv) { run.skippedOutside++; continue; }
    const off = blocks.offset;
    const len = lenC[i]!;
    const d = resolveAccess(cf, off, len, run.nrIrqs);
    const intid = resolved.intid;
    run.replayed++;
    run.ci = i;
    const hasValue = valid(vValue, i);
    if (run.explain) run.curBlock = BLOCK_NAMES[kind]!;
    if (opC[i] === OP_READ) run.replayRead(cf, d, intid, off, len, cpu, hasValue, value32[2 * i]!, value32[2 * i + 1]!);
    else run.replayWrite(cf, d, intid, off, len, cpu, hasValue, value32[2 * i]!, value32[2 * i + 1]!);
  }
  cursor.ev = ev;
}

function applyEvent(runs: (VmRun | undefined)[], e: IrqEventRow): void {
  const run = runs[e.vm];
  if (!run) return;
  run.applyIrq(e.vcpu, e.irq, e.level, e.seq, e.ts_ns === null ? null : Number(e.ts_ns));
}
