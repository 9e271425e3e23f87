/**
 * Lockstep replay: every GIC access of every VM goes, in trace order, to one model per compared
 * revision; reads diverge when the values differ, writes when the resulting state differs (latent
 * until a later read or an interrupt reveals it). Under the host's revision every recorded read is
 * also checked against the model (fidelity).
 *
 * The hot loop (replayBatch) is one allocation-free function: columns are typed arrays
 * (AccessBatch, zero-copy from Arrow; host injections as IrqBatches behind an IrqCursor, one
 * compare per access), 64-bit columns are read through u32 halves, the address
 * resolves through a per-layout page table and the frame's word → descriptor table, and an access
 * whose handler no compared profile treats differently runs once, on the state the models share
 * (src/emulator/sharing.ts), inline. Everything else — revision-sensitive registers, deliveries,
 * --explain — goes through VmRun's general path. `reference: true` runs every access through that
 * general path on unshared models: the cross-check of the fast path (test/replay/fast-path.test.ts).
 */
import type { AccessBatch } from '../model/access-batch.ts';
import { isSgiSysreg, OP_READ, SPACE_MMIO, SPACE_SYSREG } from '../model/codes.ts';
import type { IrqBatch, IrqEventRow } from '../model/irq-batch.ts';
import { resolveAccess, resolved } from '../emulator/access-check.ts';
import { W_D_MASK, W_H_SHIFT, W_LEN1, W_LEN4, W_LEN8, W_PER_IRQ, W_PRIVATE_RAZ, W_REG_SHIFT, type CompiledFrame } from '../emulator/compiled-frame.ts';
import { H } from '../gic/descriptor.ts';
import { profileById } from '../emulator/profiles.ts';
import { IrqCursor } from './irq-cursor.ts';
import { allValid, prescan, VmScan } from './prescan.ts';
import { buildResult } from './report.ts';
import type { ReplayOptions, ReplayResult, ReplayVmInput } from './types.ts';
import { BLOCK_GICD, BLOCK_GICR, BLOCK_GITS, PAGE_SCAN, VmBlocksCache } from './vm-blocks.ts';
import { TID_CACHE, VmRun } from './vm-run.ts';

const BLOCK_NAMES = ['GICD', 'GICR', 'GICC', 'GITS', 'GICV2M'];

/** The hot loops use literal copies of these; a change here must change them too. */
const LITERALS: Array<[number, number]> = [
  [SPACE_MMIO, 0], [SPACE_SYSREG, 1], [OP_READ, 0], [BLOCK_GICD, 0], [BLOCK_GICR, 1], [BLOCK_GITS, 3], [PAGE_SCAN, -1], [W_LEN1, 0x2000],
  [W_LEN4, 0x4000], [W_LEN8, 0x8000], [W_PER_IRQ, 0x10000], [W_PRIVATE_RAZ, 0x20000], [W_D_MASK, 0xff], [W_H_SHIFT, 8],
  [W_REG_SHIFT, 20], [H.RAZ_WI, 0], [TID_CACHE, 64],
];
if (LITERALS.some(([a, b]) => a !== b)) throw new Error('replay engine: literal constants out of step with their definitions');

export const DEFAULT_REVISIONS = ['1', '2', '3'];

/**
 * `irqs`: the host's injections, as IrqBatches (loaded or parsed, in seq order) or, for small
 * hand-made inputs, event objects; each is applied before the first access with a larger seq.
 */
export function replay(vms: readonly ReplayVmInput[], batches: readonly AccessBatch[],
  irqs: readonly IrqBatch[] | readonly IrqEventRow[], opts: ReplayOptions = {}): ReplayResult {
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
  const total = replayRows(batches, runs, new IrqCursor(irqs), opts.reference === true);
  for (const r of runs) r?.annotateFirst();
  const seconds = (performance.now() - started) / 1000;
  return buildResult(runs.filter((r): r is VmRun => r !== undefined), revisions, opts,
    { accesses: total, seconds, accesses_per_second: seconds > 0 ? total / seconds : 0 });
}

const valid = (bm: Uint8Array, i: number): boolean => (bm[i >>> 3]! & (1 << (i & 7))) !== 0;

function replayRows(batches: readonly AccessBatch[], runs: (VmRun | undefined)[], irqs: IrqCursor, reference: boolean): number {
  let total = 0;
  for (const b of batches) {
    for (const r of runs) if (r) r.cur = b;
    if (reference) replayBatchReference(b, runs, irqs);
    else replayBatch(b, runs, irqs);
    total += b.length;
  }
  irqs.applyRest(runs);
  return total;
}

/**
 * One batch. A function of its own so V8 optimises it whole rather than by on-stack replacement.
 * Per row: the VM's run, the address through the page table, the descriptor through the frame's
 * packed word table, then one model call on shared state — or VmRun's general path for the
 * revision-sensitive handlers (a bit mask per VM). What made this fast is in bench/replay.ts.
 */
function replayBatch(b: AccessBatch, runs: (VmRun | undefined)[], irqs: IrqCursor): void {
  // Literal copies of imported constants (V8 folds literals, not module bindings; see LITERALS).
  const MMIO = 0; // SPACE_MMIO
  const SYSREG = 1; // SPACE_SYSREG
  const READ = 0; // OP_READ
  const GICD = 0; // BLOCK_GICD
  const GICR = 1; // BLOCK_GICR
  const GITS = 3; // BLOCK_GITS
  const SCAN = -1; // PAGE_SCAN
  const LEN1 = 0x2000; // W_LEN1
  const LEN4 = 0x4000; // W_LEN4
  const LEN8 = 0x8000; // W_LEN8
  const PER_IRQ = 0x10000; // W_PER_IRQ
  const PRIVATE_RAZ = 0x20000; // W_PRIVATE_RAZ
  const D_MASK = 0xff; // W_D_MASK
  const H_SHIFT = 8; // W_H_SHIFT
  const REG_SHIFT = 20; // W_REG_SHIFT
  const RAZ = 0; // H.RAZ_WI
  const TIDS = 63; // TID_CACHE - 1
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
  // Columns without NULLs in this batch (the usual case) skip their validity bitmaps.
  const addrAll = allValid(vAddr, n);
  const valueAll = allValid(vValue, n);
  const vcpuAll = allValid(vVcpu, n);
  let nextIrq = irqs.next; // Infinity once every injection is applied
  for (let i = 0; i < n; i++) {
    const run = runs[vmC[i]!];
    if (run === undefined) continue;
    if (nextIrq !== Infinity && nextIrq < seq32[2 * i + 1]! * 4294967296 + seq32[2 * i]!) {
      irqs.applyBefore(seq32[2 * i + 1]! * 4294967296 + seq32[2 * i]!, runs);
      nextIrq = irqs.next;
    }
    const byte = i >>> 3;
    const bit = 1 << (i & 7);
    if (spaceC[i] !== MMIO || (!addrAll && (vAddr[byte]! & bit) === 0)) {
      if (spaceC[i] === SYSREG && opC[i] !== READ && addr32[2 * i + 1] === 0 && isSgiSysreg(addr32[2 * i]!)) run.sgiFromSysreg();
      run.skippedNotMmio++;
      continue;
    }
    // Block: one page-table load below 4 GiB (see vm-blocks.ts for the info word).
    const lo = addr32[2 * i]!;
    const hi = addr32[2 * i + 1]!;
    let info = hi === 0 ? run.pages[lo >>> 16]! : SCAN;
    let off: number;
    if (info > 0) off = (((info >>> 3) & 0x1ff) << 12) + (lo & 0xffff);
    else if (info < SCAN && (info = run.blocks.granules[(-2 - info) * 16 + ((lo >>> 12) & 15)]!) > 0) {
      off = (((info >>> 3) & 0x1ff) << 12) + (lo & 0xfff);
    } else {
      if (info === 0 || (info = run.blocks.lookup(lo, hi)) === 0) { run.skippedOutside++; continue; }
      off = run.blocks.offset;
    }
    const kind = (info & 7) - 1;
    if (kind >= GITS) { run.skippedUnmodelled++; continue; }
    let accessor: number;
    if (vcpuAll || (vVcpu[byte]! & bit) !== 0) accessor = vcpuC[i]!;
    else {
      // Thread → vCPU through the run's small cache; vcpuOfTid (a Map) on a miss.
      const tid = tidC[i]!;
      const tc = run.tidCache;
      const slot = (tid & TIDS) << 1;
      accessor = tc[slot + 1]!;
      if (accessor < 0 || tc[slot] !== tid) accessor = run.vcpuOfTid(tid);
    }
    let cf: CompiledFrame;
    let cpu: number;
    if (kind === GICR) { cf = run.gicr; cpu = info >>> 12; }
    else if (kind === GICD) { cf = run.gicd; cpu = accessor; }
    else { if (!run.v2) { run.skippedUnmodelled++; continue; } cf = run.gicc; cpu = accessor; }
    if (cpu < 0 || cpu >= run.nv) { run.skippedOutside++; continue; }
    // Descriptor: access-check.ts resolveAccess from the frame's packed word table (one array).
    const len = lenC[i]!;
    let d = -1;
    let intid = -1;
    let word = 0;
    if (off < cf.size) {
      const words = cf.words;
      const w = off >>> 2;
      word = words[2 * w]!;
      const lenBit = len === 4 ? LEN4 : len === 8 ? LEN8 : len === 1 ? LEN1 : 0; // 2-byte accesses never pass
      if ((word & lenBit) !== 0 && (off & (len - 1)) === 0) {
        if ((word & PER_IRQ) === 0) d = (word & D_MASK) - 1;
        else {
          intid = words[2 * w + 1]!;
          if ((off & 3) !== 0) intid += ((off & 3) << 3) >>> cf.bpiShift[(word & D_MASK) - 1]!;
          if (intid < run.nrIrqs) d = (word & D_MASK) - 1; else intid = -1;
        }
      }
    }
    run.replayed++;
    const h = d >= 0 ? (word >>> H_SHIFT) & 31 : 0;
    const hasValue = valueAll || (vValue[byte]! & bit) !== 0;
    if (opC[i] === READ) {
      if (((run.slowRead >>> h) & 1) !== 0) {
        run.ci = i;
        if (run.explain) run.curBlock = BLOCK_NAMES[kind]!;
        run.replayRead(cf, d, intid, off, len, cpu, hasValue, value32[2 * i]!, value32[2 * i + 1]!);
        continue;
      }
      // Shared read (VmRun.readShared, inline): the host's model answers for every revision.
      // A missing host feature or a private INTID in a RAZ range makes it RAZ (VgicModel.read).
      const m = run.hostModel;
      m.readH((word & run.noFeatureRead) !== 0 || ((word & PRIVATE_RAZ) !== 0 && intid < 32) ? RAZ : h, cf, d, intid, off, len, cpu);
      if (hasValue) {
        const recLo = value32[2 * i]!;
        const recHi = value32[2 * i + 1]!;
        run.fidReads++;
        const lmask = len >= 4 ? -1 : (1 << (len * 8)) - 1;
        const hmask = len === 8 ? -1 : 0;
        const kl = m.outKlo & lmask;
        const kh = m.outKhi & hmask;
        if ((kl | kh) !== 0) {
          run.fidCompared++;
          if ((((recLo ^ m.outLo) & kl) | ((recHi ^ m.outHi) & kh)) !== 0) { run.ci = i; run.sharedReadMismatch(cf, d, off); }
        }
        const ul = ~m.outKlo & lmask;
        const uh = ~m.outKhi & hmask;
        if ((ul | uh) !== 0 && d >= 0) run.learnAll(cf, d, intid, off, len, cpu, recLo, recHi, ul, uh);
      }
    } else {
      if (!hasValue) { run.writesWithoutValue++; continue; }
      if (((run.slowWrite >>> h) & 1) !== 0) {
        run.ci = i;
        if (run.explain) run.curBlock = BLOCK_NAMES[kind]!;
        run.replayWrite(cf, d, intid, off, len, cpu, true, value32[2 * i]!, value32[2 * i + 1]!);
        continue;
      }
      // Shared write: once, on the state every model shares.
      run.m0.writeH((word & run.noFeatureWrite) !== 0 || ((word & PRIVATE_RAZ) !== 0 && intid < 32) ? RAZ : h,
        intid, off, len, cpu, value32[2 * i]!, value32[2 * i + 1]!);
    }
    if (d >= 0) run.touched[(word >>> REG_SHIFT) - 1]!++;
  }
}

/** The straightforward path: resolve, then VmRun's general read/write for every access. */
function replayBatchReference(b: AccessBatch, runs: (VmRun | undefined)[], irqs: IrqCursor): void {
  const n = b.length;
  for (let i = 0; i < n; i++) {
    const run = runs[b.vm[i]!];
    if (run === undefined) continue;
    irqs.applyBefore(b.seq32[2 * i + 1]! * 4294967296 + b.seq32[2 * i]!, runs);
    if (b.space[i] !== SPACE_MMIO || !valid(b.validity.addr, i)) {
      if (b.space[i] === SPACE_SYSREG && b.op[i] !== OP_READ && valid(b.validity.addr, i) && b.addr32[2 * i + 1] === 0 && isSgiSysreg(b.addr32[2 * i]!)) run.sgiFromSysreg();
      run.skippedNotMmio++;
      continue;
    }
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
}
