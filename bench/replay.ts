/**
 * Replay throughput, measured the way `abitrace replay` runs: a synthetic multi-VM trace (≥ 20 M
 * GIC accesses by default, 8 VMs × 4 vCPUs modelled on Linux, guests.md §1) is written to an
 * Arrow IPC file with the project's writer, read back with readAccessesArrow (zero-copy views of
 * one file buffer) and replayed under revisions 1, 2 and 3. Prints accesses/s for the replay
 * alone and for read + replay, in CPU time (the rate on one core, robust to other load on the
 * machine) and wall time, and peak RSS.
 *
 * `npm run bench` calls runReplayBench() as a section; `node --import tsx bench/replay.ts [rows [repeat]]`
 * runs it alone (human lines, then the result as JSON on the last line: bench/run.ts's protocol).
 *
 * Notes on the hot loop (src/replay/engine.ts), measured with this bench (CPU time, best of
 * several runs, alternating variants because the machine is shared):
 *  - constants imported from other modules are context loads plus Smi checks in optimised code:
 *    literal copies in the loops (checked against their definitions at load) took ~15% off;
 *  - `case H.X:` labels made the model's handler switches a chain of memory compares; literal
 *    labels give jump tables (a few %);
 *  - one packed word table per frame (descriptor, handler, widths, flags, INTID, register id) and
 *    a page table holding block, frame offset and redistributor replace ~10 loads and the calls of
 *    the old find()/resolveAccess(); model results in int32 fields instead of an Int32Array;
 *  - skipping validity bitmaps of columns a batch has no NULLs in: ~10%;
 *  - revision-sensitive accesses (here 4 of every 64) cost 3–4× a shared one: delivery checks are
 *    skipped while the models' group/distributor state cannot differ, latent-state Maps are only
 *    consulted for state fields that have latent entries;
 *  - tried and dropped: two passes per chunk (decode into a work list, then execute) was slower;
 *    inlining the commonest handlers into the loop gained < 5% for duplicated semantics; in a
 *    micro-benchmark, reading all columns through one Int32Array over the buffer gained nothing.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessArrowWriter } from '../src/arrow/access-arrow-writer.ts';
import { readAccessesArrow } from '../src/arrow/read-accesses.ts';
import { platformById } from '../src/gic/platforms.ts';
import type { VmLayout } from '../src/gic/layout.ts';
import { AccessBatch, DEFAULT_BATCH_ROWS, NULLABLE_COLUMNS, setU64FromNumber } from '../src/model/access-batch.ts';
import { OP_READ, OP_WRITE, SPACE_MMIO } from '../src/model/codes.ts';
import { replay } from '../src/replay/engine.ts';
import type { ReplayVmInput } from '../src/replay/types.ts';

export interface ReplayBenchOptions {
  /** Accesses to generate (default 20 M). */
  rows?: number;
  vms?: number;
  vcpus?: number;
  revisions?: string[];
  /** Rows per Arrow record batch (default DEFAULT_BATCH_ROWS, as the importer writes). */
  batchRows?: number;
  /** Consecutive accesses of one VM before the next VM's (default 32; 1 alternates every row). */
  vmRun?: number;
  /**
   * Replays of the same input (default 1). The rates are the first (cold) replay's; later ones
   * (JIT-warm) are listed in replayCpuSecondsEach, for comparing changes on a loaded machine.
   */
  repeat?: number;
  /** Directory for the Arrow file (default: a fresh directory under the OS temp dir). Removed afterwards. */
  dir?: string;
  log?: (line: string) => void;
}

export interface ReplayBenchResult {
  rows: number;
  vms: number;
  vcpus: number;
  revisions: string[];
  /** Accesses that reached the models (all of them in this mix). */
  replayed: number;
  /** First divergences reported (a sanity check that the replay compared something). */
  divergences: number;
  arrowBytes: number;
  /** Generating the mix and writing the Arrow file (not part of the rates). */
  generateSeconds: number;
  /** readAccessesArrow: the file into one buffer, batches as views of it. */
  readSeconds: number;
  readCpuSeconds: number;
  /** replay() alone: shape scan, lockstep replay, result rows. */
  replaySeconds: number;
  replayCpuSeconds: number;
  /** CPU seconds of every replay when `repeat` > 1 (the first is replayCpuSeconds). */
  replayCpuSecondsEach: number[];
  /** replay() accesses/s, wall and CPU (one core). */
  accessesPerSecond: number;
  accessesPerCpuSecond: number;
  /** Read + replay accesses/s, wall and CPU. */
  totalAccessesPerSecond: number;
  totalAccessesPerCpuSecond: number;
  /** process.resourceUsage().maxRSS: the Arrow file buffer dominates. */
  peakRssMb: number;
  /** 1-minute load average at the end (other processes on the machine). */
  loadAverage: number;
}

const D = 0x08000000;
const R = 0x080a0000;

/** One template access: [op, in GICR (vCPU's frame), offset, len, value low, value high]. */
type T = [op: number, gicr: boolean, off: number, len: number, value: number, high?: number];

/** The boot probe and distributor set-up of a Linux GICv3 guest (guests.md §1.1). */
function boot(): T[] {
  const t: T[] = [
    [OP_READ, false, 0xffe8, 4, 0x3b], [OP_READ, false, 0x4, 4, 0x007a0008], [OP_READ, false, 0x8, 4, 0x4b00343b],
    [OP_READ, false, 0xc, 4, 0], [OP_WRITE, false, 0x0, 4, 0], [OP_READ, false, 0x0, 4, 0x50],
  ];
  for (let n = 1; n < 9; n++) t.push([OP_WRITE, false, 0x80 + 4 * n, 4, 0xffffffff]);
  for (let n = 2; n < 18; n++) t.push([OP_WRITE, false, 0xc00 + 4 * n, 4, 0]);
  for (let n = 8; n < 72; n++) t.push([OP_WRITE, false, 0x400 + 4 * n, 4, 0xa0a0a0a0]);
  for (let n = 1; n < 9; n++) t.push([OP_WRITE, false, 0x380 + 4 * n, 4, 0xffffffff], [OP_WRITE, false, 0x180 + 4 * n, 4, 0xffffffff]);
  t.push([OP_WRITE, false, 0x0, 4, 0x13], [OP_READ, false, 0x0, 4, 0x52]);
  for (let i = 32; i < 288; i++) t.push([OP_WRITE, false, 0x6000 + 8 * i, 8, 0]);
  return t;
}

/** Per-vCPU redistributor bring-up, run in the vCPU's own frame (guests.md §1.2). */
function cpuInit(): T[] {
  return [
    [OP_READ, true, 0xffe8, 4, 0x3b], [OP_READ, true, 0x14, 4, 0], [OP_WRITE, true, 0x14, 4, 0], [OP_READ, true, 0x14, 4, 0],
    [OP_WRITE, true, 0x10080, 4, 0xffffffff], [OP_WRITE, true, 0x10380, 4, 0xffffffff], [OP_WRITE, true, 0x10180, 4, 0xffffffff],
    ...Array.from({ length: 8 }, (_, n): T => [OP_WRITE, true, 0x10400 + 4 * n, 4, 0xa0a0a0a0]),
    [OP_READ, true, 0x0, 4, 0x6], [OP_WRITE, true, 0x70, 8, 0x40000f83, 0], [OP_READ, true, 0x70, 8, 0x40000f83, 0],
    [OP_WRITE, true, 0x78, 8, 0x50000f80, 0x40000000], [OP_READ, true, 0x78, 8, 0x50000f80, 0], [OP_WRITE, true, 0x0, 4, 0x7],
  ];
}

/**
 * Runtime, 64 accesses per cycle, modelled on guests.md §1.3: one-shot SPI masking with RWP polls,
 * LPI masking through GICR_INVLPIR/SYNCR, an affinity change, a PPI mask, priorities, pending
 * state, and the rarer revision-sensitive reads (GICR_CTLR, IIDR) and IGROUPR writes.
 */
function runtime(spi: number, vcpu: number, vcpus: number): T[] {
  const n = spi >>> 5;
  const bit = 1 << (spi & 31);
  const t: T[] = [];
  for (let k = 0; k < 8; k++) t.push([OP_WRITE, false, 0x180 + 4 * n, 4, bit], [OP_READ, false, 0x0, 4, 0x52], [OP_WRITE, false, 0x100 + 4 * n, 4, bit]);
  for (let k = 0; k < 8; k++) t.push([OP_WRITE, true, 0xa0, 8, 8192 + spi, 0], [OP_READ, true, 0xc0, 4, 0]);
  t.push([OP_READ, false, 0x0, 4, 0x52], [OP_WRITE, false, 0x180 + 4 * n, 4, bit], [OP_READ, false, 0x0, 4, 0x52],
    [OP_WRITE, false, 0x6000 + 8 * spi, 8, vcpu & 0xf, 0], [OP_WRITE, false, 0x100 + 4 * n, 4, bit]);
  for (let k = 0; k < 2; k++) t.push([OP_WRITE, true, 0x10180, 4, 1 << 23], [OP_READ, true, 0x0, 4, 0x7], [OP_WRITE, true, 0x10100, 4, 1 << 23]);
  t.push([OP_WRITE, false, 0x400 + (spi & ~3), 4, 0xa0a0a0a0], [OP_WRITE, false, 0x420, 4, 0x90909090]);
  t.push([OP_WRITE, false, 0x200 + 4 * n, 4, bit], [OP_WRITE, false, 0x280 + 4 * n, 4, bit]);
  t.push([OP_WRITE, false, 0x80 + 4 * n, 4, 0xffffffff], [OP_READ, false, 0x8, 4, 0x4b00343b], [OP_READ, false, 0x4, 4, 0x007a0008],
    [OP_READ, true, 0x8, 8, (vcpu << 8) | 1 | (vcpu === vcpus - 1 ? 0x10 : 0), vcpu]);
  while (t.length < 64) t.push([OP_READ, false, 0x0, 4, 0x52]);
  return t;
}

export function benchLayouts(vms: number, vcpus: number): VmLayout[] {
  return Array.from({ length: vms }, (_, v) => ({
    vm: `vm${v}`, vmm: 'qemu' as const, platform: 'qemu-virt', gicVersion: 3 as const, source: 'bench',
    blocks: platformById('qemu-virt')!.blocks({ gicVersion: 3, nrVcpus: vcpus, its: true }),
  }));
}

/**
 * Generates the mix into one reused batch and hands each full batch to `sink` (which must be
 * done with it when it returns): memory stays one batch whatever the row count. Each VM's stream
 * is boot, per-vCPU init, then runtime cycles; the streams are interleaved `vmRun` rows at a time.
 */
export function generateMix(rows: number, vms: number, vcpus: number, batchRows: number, vmRun: number, sink: (b: AccessBatch) => void): void {
  const prologue: Array<[T, number]> = boot().map((t): [T, number] => [t, 0]);
  for (let c = 0; c < vcpus; c++) for (const t of cpuInit()) prologue.push([t, c]);
  const cycles: Array<[T[], number]> = [];
  for (let s = 33, c = 0; s < 288; s += 11, c++) cycles.push([runtime(s, c % vcpus, vcpus), c % vcpus]);
  const pos = new Float64Array(vms); // per-VM position in its stream
  const b = new AccessBatch(batchRows);
  for (const c of NULLABLE_COLUMNS) if (c !== 'pc' && c !== 'imm') b.validity[c].fill(0xff);
  let seq = 1;
  let k = 0;
  for (let done = 0; done < rows; done += batchRows) {
    const n = Math.min(batchRows, rows - done);
    for (let i = 0; i < n; i++, k++) {
      const vm = Math.floor(k / vmRun) % vms;
      const p = pos[vm]!++;
      let t: T;
      let vcpu: number;
      if (p < prologue.length) [t, vcpu] = prologue[p]!;
      else {
        const r = p - prologue.length;
        const [cycle, cpu] = cycles[Math.floor(r / 64) % cycles.length]!;
        vcpu = cpu;
        t = cycle[r & 63]!;
      }
      setU64FromNumber(b.seq32, i, seq);
      setU64FromNumber(b.ts32, i, seq * 1000);
      seq++;
      b.host_cpu[i] = (vm + vcpu) & 1;
      b.vm[i] = vm;
      b.vcpu[i] = vcpu;
      b.tid[i] = 1000 * vm + vcpu;
      b.space[i] = SPACE_MMIO;
      b.op[i] = t[0];
      b.len[i] = t[3];
      setU64FromNumber(b.addr32, i, t[1] ? R + 0x20000 * vcpu + t[2] : D + t[2]);
      b.value32[2 * i] = t[4] >>> 0;
      b.value32[2 * i + 1] = (t[5] ?? 0) >>> 0;
    }
    b.length = n;
    sink(b);
  }
}

export function runReplayBench(opts: ReplayBenchOptions = {}): ReplayBenchResult {
  const log = opts.log ?? ((s: string) => console.log(s));
  const rows = opts.rows ?? 20_000_000;
  const vms = opts.vms ?? 8;
  const vcpus = opts.vcpus ?? 4;
  const revisions = opts.revisions ?? ['1', '2', '3'];
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'abitrace-replay-bench-'));
  const path = join(dir, `replay-bench-${process.pid}.arrow`);
  try {
    // 1. The trace, as an import's Arrow cache.
    const t0 = performance.now();
    const layouts = benchLayouts(vms, vcpus);
    const names = layouts.map((l) => l.vm);
    const writer = new AccessArrowWriter(path, null, { 'abitrace.source_path': 'bench/replay.ts' });
    try {
      generateMix(rows, vms, vcpus, opts.batchRows ?? DEFAULT_BATCH_ROWS, opts.vmRun ?? 32, (b) => writer.write(b, names, ['kvm_mmio']));
      writer.finish();
    } catch (err) {
      writer.discard();
      throw err;
    }
    const arrowBytes = statSync(path).size;
    const t1 = performance.now();

    // 2. Read it back as `abitrace replay` does (src/replay/sources.ts accessesFromArrow).
    const c1 = process.cpuUsage();
    const source = readAccessesArrow(path);
    const c2 = process.cpuUsage();
    const t2 = performance.now();
    const byName = new Map(layouts.map((l) => [l.vm, l]));
    const inputs: ReplayVmInput[] = [];
    source.vms.forEach((name, code) => {
      const layout = byName.get(name);
      if (layout) inputs.push({ code, name, layout });
    });

    // 3. Replay.
    const cpu = (a: NodeJS.CpuUsage, b: NodeJS.CpuUsage): number => (b.user - a.user + b.system - a.system) / 1e6;
    const c3 = process.cpuUsage();
    const t3 = performance.now();
    const result = replay(inputs, source.batches, [], { revisions });
    const t4 = performance.now();
    const c4 = process.cpuUsage();
    const each = [cpu(c3, c4)];
    for (let k = 1; k < (opts.repeat ?? 1); k++) {
      const c = process.cpuUsage();
      replay(inputs, source.batches, [], { revisions });
      each.push(cpu(c, process.cpuUsage()));
    }

    const readSeconds = (t2 - t1) / 1000;
    const readCpuSeconds = cpu(c1, c2);
    const replaySeconds = (t4 - t3) / 1000;
    const replayCpuSeconds = cpu(c3, c4);
    const out: ReplayBenchResult = {
      rows: source.rows, vms, vcpus, revisions,
      replayed: result.vms.reduce((s, v) => s + v.replayed, 0),
      divergences: result.divergences.length,
      arrowBytes,
      generateSeconds: (t1 - t0) / 1000,
      readSeconds, readCpuSeconds, replaySeconds, replayCpuSeconds, replayCpuSecondsEach: each,
      accessesPerSecond: source.rows / replaySeconds,
      accessesPerCpuSecond: source.rows / replayCpuSeconds,
      totalAccessesPerSecond: source.rows / (readSeconds + replaySeconds),
      totalAccessesPerCpuSecond: source.rows / (readCpuSeconds + replayCpuSeconds),
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      loadAverage: loadavg()[0]!,
    };
    const m = (x: number): string => (x / 1e6).toFixed(1);
    log(`replay: ${out.rows.toLocaleString('en')} accesses (${out.replayed.toLocaleString('en')} replayed), ${vms} VMs × ${vcpus} vCPUs, ` +
      `revisions ${revisions.join(',')}, from Arrow IPC (${(arrowBytes / 1e6).toFixed(0)} MB, written in ${out.generateSeconds.toFixed(1)} s)`);
    log(`replay: read ${readCpuSeconds.toFixed(2)} s CPU / ${readSeconds.toFixed(2)} s wall; ` +
      `replay ${replayCpuSeconds.toFixed(2)} s CPU / ${replaySeconds.toFixed(2)} s wall`);
    log(`replay: ${m(out.accessesPerCpuSecond)} M accesses/s on one core (CPU time), ${m(out.accessesPerSecond)} M/s wall; ` +
      `read + replay ${m(out.totalAccessesPerCpuSecond)} M/s CPU, ${m(out.totalAccessesPerSecond)} M/s wall; ` +
      `peak RSS ${out.peakRssMb} MB; load average ${out.loadAverage.toFixed(1)}`);
    if (each.length > 1) log(`replay: CPU seconds of each replay: ${each.map((x) => x.toFixed(3)).join(' ')} (best ${m(out.rows / Math.min(...each))} M/s)`);
    return out;
  } finally {
    rmSync(path, { force: true });
    if (opts.dir === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

const isMain = process.argv[1] !== undefined && /bench[\\/]replay\.ts$/.test(process.argv[1]);
if (isMain) {
  // Human lines on stdout, then the result as JSON on the last line (bench/run.ts child protocol).
  const r = runReplayBench({ rows: process.argv[2] ? Number(process.argv[2]) : undefined, repeat: process.argv[3] ? Number(process.argv[3]) : undefined });
  console.log(JSON.stringify(r));
}
