/**
 * Lockstep replay: every GIC access of every VM goes, in trace order, to one model per compared
 * revision; reads diverge when the values differ, writes when the resulting state differs (latent
 * until a later read or an interrupt reveals it). Under the host's revision every recorded read is
 * also checked against the model (fidelity).
 *
 * The hot loop (replayBatch) is one allocation-free function: columns are typed arrays
 * (AccessBatch, zero-copy from Arrow), 64-bit columns are read through u32 halves, the address
 * resolves through a per-layout page table and the frame's word → descriptor table, and an access
 * whose handler no compared profile treats differently runs once, on the state the models share
 * (src/emulator/sharing.ts), inline. Everything else — revision-sensitive registers, deliveries,
 * --explain — goes through VmRun's general path. `reference: true` runs every access through that
 * general path on unshared models: the cross-check of the fast path (test/replay/fast-path.test.ts).
 */
import type { AccessBatch } from '../model/access-batch.ts';
import { OP_READ, SPACE_MMIO } from '../model/codes.ts';
import type { IrqEventRow } from '../model/irq-batch.ts';
import { resolveAccess, resolved } from '../emulator/access-check.ts';
import { FLAG_PER_IRQ, type CompiledFrame } from '../emulator/compiled-frame.ts';
import { profileById } from '../emulator/profiles.ts';
import { prescan, VmScan } from './prescan.ts';
import { buildResult } from './report.ts';
import type { ReplayOptions, ReplayResult, ReplayVmInput } from './types.ts';
import { BLOCK_GICD, BLOCK_GICR, BLOCK_GITS, VmBlocksCache } from './vm-blocks.ts';
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
  const layouts = new VmBlocksCache();
  for (const v of vms) scans[v.code] = new VmScan(layouts.get(v.layout));
  prescan(batches, scans);
  const runs: (VmRun | undefined)[] = new Array(maxCode + 1);
  for (const v of vms) runs[v.code] = new VmRun(v, scans[v.code]!, opts, revisions);
  const events = [...irqs].filter((e) => runs[e.vm] !== undefined).sort((a, b) => a.seq - b.seq);
  const total = replayRows(batches, runs, events, opts.reference === true);
  for (const r of runs) r?.annotateFirst();
  const seconds = (performance.now() - started) / 1000;
  return buildResult(runs.filter((r): r is VmRun => r !== undefined), revisions, opts,
    { accesses: total, seconds, accesses_per_second: seconds > 0 ? total / seconds : 0 });
}

const valid = (bm: Uint8Array, i: number): boolean => (bm[i >>> 3]! & (1 << (i & 7))) !== 0;

function replayRows(batches: readonly AccessBatch[], runs: (VmRun | undefined)[], events: IrqEventRow[], reference: boolean): number {
  const cursor = { ev: 0 };
  let total = 0;
  for (const b of batches) {
    for (const r of runs) if (r) r.cur = b;
    if (reference) replayBatchReference(b, runs, events, cursor);
    else replayBatch(b, runs, events, cursor);
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
    const byte = i >>> 3;
    const bit = 1 << (i & 7);
    if (spaceC[i] !== SPACE_MMIO || (vAddr[byte]! & bit) === 0) { run.skippedNotMmio++; continue; }
    // Block: one page-table load below 4 GiB (see vm-blocks.ts for the info word).
    const lo = addr32[2 * i]!;
    const hi = addr32[2 * i + 1]!;
    let info = hi === 0 ? run.pages[lo >>> 16]! : -1;
    let off: number;
    if (info > 0) off = (((info >>> 3) & 0x1ff) << 12) + (lo & 0xffff);
    else {
      if (info === 0 || (info = run.blocks.lookup(lo, hi)) === 0) { run.skippedOutside++; continue; }
      off = run.blocks.offset;
    }
    const kind = (info & 7) - 1;
    if (kind >= BLOCK_GITS) { run.skippedUnmodelled++; continue; }
    const accessor = (vVcpu[byte]! & bit) !== 0 ? vcpuC[i]! : run.vcpuOfTid(tidC[i]!);
    let cf: CompiledFrame;
    let cpu: number;
    if (kind === BLOCK_GICR) { cf = run.gicr; cpu = info >>> 12; }
    else if (kind === BLOCK_GICD) { cf = run.gicd; cpu = accessor; }
    else { if (!run.v2) { run.skippedUnmodelled++; continue; } cf = run.gicc; cpu = accessor; }
    if (cpu < 0 || cpu >= run.nv) { run.skippedOutside++; continue; }
    // Descriptor (access-check.ts resolveAccess, from the precomputed word tables).
    const len = lenC[i]!;
    let d = -1;
    let intid = -1;
    if (off < cf.size) {
      const w = off >>> 2;
      const t = cf.table[w]!;
      if (t >= 0 && len <= 8 && ((cf.access[t]! >>> len) & 1) !== 0 && (off & (len - 1)) === 0) {
        if ((cf.flags[t]! & FLAG_PER_IRQ) === 0) d = t;
        else {
          intid = cf.wordIntid[w]!;
          if ((off & 3) !== 0) intid += ((off & 3) << 3) >>> cf.bpiShift[t]!;
          if (intid < run.nrIrqs) d = t; else intid = -1;
        }
      }
    }
    run.replayed++;
    const h = d >= 0 ? cf.handler[d]! : 0;
    const hasValue = (vValue[byte]! & bit) !== 0;
    const recLo = value32[2 * i]!;
    const recHi = value32[2 * i + 1]!;
    if (opC[i] === OP_READ) {
      if (run.slowRead[h] !== 0) {
        run.ci = i;
        if (run.explain) run.curBlock = BLOCK_NAMES[kind]!;
        run.replayRead(cf, d, intid, off, len, cpu, hasValue, recLo, recHi);
        continue;
      }
      // Shared read (VmRun.readShared, inline): the host's model answers for every revision.
      const m = run.hostModel;
      m.read(cf, d, intid, off, len, cpu);
      if (hasValue) {
        const o = m.out;
        run.fidReads++;
        const lmask = len >= 4 ? -1 : (1 << (len * 8)) - 1;
        const hmask = len === 8 ? -1 : 0;
        const kl = o[2]! & lmask;
        const kh = o[3]! & hmask;
        if ((kl | kh) !== 0) {
          run.fidCompared++;
          if ((((recLo ^ o[0]!) & kl) | ((recHi ^ o[1]!) & kh)) !== 0) { run.ci = i; run.sharedReadMismatch(cf, d, intid, off, len, cpu); }
        }
        const ul = ~o[2]! & lmask;
        const uh = ~o[3]! & hmask;
        if ((ul | uh) !== 0 && d >= 0) run.learnAll(cf, d, intid, off, len, cpu, recLo, recHi, ul, uh);
      }
    } else {
      if (!hasValue) { run.writesWithoutValue++; continue; }
      if (run.slowWrite[h] !== 0) {
        run.ci = i;
        if (run.explain) run.curBlock = BLOCK_NAMES[kind]!;
        run.replayWrite(cf, d, intid, off, len, cpu, hasValue, recLo, recHi);
        continue;
      }
      // Shared write: once, on the state every model shares.
      run.m0.write(cf, d, intid, off, len, cpu, recLo, recHi);
    }
    if (d >= 0) { const regId = cf.regId[d]!; if (regId >= 0) run.touched[regId]!++; }
  }
  cursor.ev = ev;
}

/** The straightforward path: resolve, then VmRun's general read/write for every access. */
function replayBatchReference(b: AccessBatch, runs: (VmRun | undefined)[], events: IrqEventRow[], cursor: { ev: number }): void {
  const n = b.length;
  let ev = cursor.ev;
  for (let i = 0; i < n; i++) {
    const run = runs[b.vm[i]!];
    if (run === undefined) continue;
    run.accesses++;
    const seq = b.seq32[2 * i + 1]! * 4294967296 + b.seq32[2 * i]!;
    while (ev < events.length && events[ev]!.seq < seq) applyEvent(runs, events[ev++]!);
    if (b.space[i] !== SPACE_MMIO || !valid(b.validity.addr, i)) { run.skippedNotMmio++; continue; }
    const blocks = run.blocks;
    const kind = blocks.find(b.addr32[2 * i + 1]! * 4294967296 + b.addr32[2 * i]!);
    if (kind < 0) { run.skippedOutside++; continue; }
    if (kind >= BLOCK_GITS) { run.skippedUnmodelled++; continue; }
    const accessor = valid(b.validity.vcpu, i) ? b.vcpu[i]! : run.vcpuOfTid(b.tid[i]!);
    let cf;
    let cpu;
    if (kind === BLOCK_GICR) { cf = run.gicr; cpu = blocks.redist; }
    else if (kind === BLOCK_GICD) { cf = run.gicd; cpu = accessor; }
    else { if (!run.v2) { run.skippedUnmodelled++; continue; } cf = run.gicc; cpu = accessor; }
    if (cpu < 0 || cpu >= run.nv) { run.skippedOutside++; continue; }
    const off = blocks.offset;
    const len = b.len[i]!;
    const d = resolveAccess(cf, off, len, run.nrIrqs);
    run.replayed++;
    run.ci = i;
    run.curBlock = BLOCK_NAMES[kind]!;
    const hasValue = valid(b.validity.value, i);
    if (b.op[i] === OP_READ) run.replayRead(cf, d, resolved.intid, off, len, cpu, hasValue, b.value32[2 * i]!, b.value32[2 * i + 1]!);
    else run.replayWrite(cf, d, resolved.intid, off, len, cpu, hasValue, b.value32[2 * i]!, b.value32[2 * i + 1]!);
  }
  cursor.ev = ev;
}

function applyEvent(runs: (VmRun | undefined)[], e: IrqEventRow): void {
  const run = runs[e.vm];
  if (!run) return;
  run.applyIrq(e.vcpu, e.irq, e.level, e.seq, e.ts_ns === null ? null : Number(e.ts_ns));
}
