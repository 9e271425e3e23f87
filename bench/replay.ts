/**
 * Replay throughput: a synthetic multi-VM column set (≥ 20 M GIC accesses by default) built in
 * memory, replayed under revisions 1, 2 and 3. Prints accesses/s and peak RSS. `npm run bench`
 * calls runReplayBench() as a section; `node --import tsx bench/replay.ts [rows]` runs it alone.
 */
import { AccessBatch, setU64FromNumber } from '../src/model/access-batch.ts';
import { OP_READ, OP_WRITE, SPACE_MMIO } from '../src/model/codes.ts';
import { platformById } from '../src/gic/platforms.ts';
import type { VmLayout } from '../src/gic/layout.ts';
import { replay } from '../src/replay/engine.ts';

export interface ReplayBenchOptions {
  rows?: number;
  vms?: number;
  vcpus?: number;
  revisions?: string[];
  batchRows?: number;
  log?: (line: string) => void;
}

export interface ReplayBenchResult {
  rows: number;
  vms: number;
  generateSeconds: number;
  replaySeconds: number;
  cpuSeconds: number;
  accessesPerSecond: number;
  accessesPerCpuSecond: number;
  peakRssMb: number;
}

const D = 0x08000000;
const R = 0x080a0000;

/** One template access: [op, in GICR (vCPU's frame), offset, len, value low, value high]. */
type T = [op: number, gicr: boolean, off: number, len: number, value: number, high?: number];

/** The boot probe and distributor/redistributor set-up of a Linux GICv3 guest (guests.md §1.1–1.2). */
function boot(vcpus: number): T[] {
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
  void vcpus;
  return t;
}

/** Per-vCPU redistributor bring-up, run in the vCPU's own frame. */
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
function runtime(spi: number, vcpu: number): T[] {
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
    [OP_READ, true, 0x8, 8, (vcpu << 8) | 1 | (vcpu === 3 ? 0x10 : 0), vcpu]);
  while (t.length < 64) t.push([OP_READ, false, 0x0, 4, 0x52]);
  return t;
}

export function generateColumns(rows: number, vms: number, vcpus: number, batchRows: number): { batches: AccessBatch[]; layouts: VmLayout[] } {
  const layouts: VmLayout[] = [];
  for (let v = 0; v < vms; v++)
    layouts.push({ vm: `vm${v}`, vmm: 'qemu', platform: 'qemu-virt', gicVersion: 3, source: 'bench',
      blocks: platformById('qemu-virt')!.blocks({ gicVersion: 3, nrVcpus: vcpus, its: true }) });
  // Each VM's stream: boot, per-vCPU init, then runtime cycles; the VMs' streams are interleaved.
  const prologue: Array<[T, number]> = [...boot(vcpus).map((t): [T, number] => [t, 0])];
  for (let c = 0; c < vcpus; c++) for (const t of cpuInit()) prologue.push([t, c]);
  const cycles: Array<[T[], number]> = [];
  for (let s = 33, c = 0; s < 288; s += 11, c++) cycles.push([runtime(s, c % vcpus), c % vcpus]);
  const pos = new Float64Array(vms); // per-VM position in its stream
  const batches: AccessBatch[] = [];
  let seq = 1;
  let k = 0;
  for (let done = 0; done < rows; done += batchRows) {
    const n = Math.min(batchRows, rows - done);
    const b = new AccessBatch(n);
    for (const bm of [b.validity.ts_ns, b.validity.vcpu, b.validity.addr, b.validity.len, b.validity.value]) bm.fill(0xff);
    for (let i = 0; i < n; i++, k++) {
      const vm = (k >>> 5) % vms; // runs of 32 accesses per VM
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
      b.vm[i] = vm;
      b.vcpu[i] = vcpu;
      b.tid[i] = 1000 * vm + vcpu;
      b.space[i] = SPACE_MMIO;
      b.op[i] = t[0];
      b.len[i] = t[3];
      b.addr32[2 * i] = t[1] ? R + 0x20000 * vcpu + t[2] : D + t[2];
      b.value32[2 * i] = t[4] >>> 0;
      b.value32[2 * i + 1] = (t[5] ?? 0) >>> 0;
    }
    b.length = n;
    batches.push(b);
  }
  return { batches, layouts };
}

export function runReplayBench(opts: ReplayBenchOptions = {}): ReplayBenchResult {
  const log = opts.log ?? ((s: string) => console.log(s));
  const rows = opts.rows ?? 20_000_000;
  const vms = opts.vms ?? 8;
  const vcpus = opts.vcpus ?? 4;
  const t0 = performance.now();
  const { batches, layouts } = generateColumns(rows, vms, vcpus, opts.batchRows ?? 1 << 20);
  const t1 = performance.now();
  const cpu0 = process.cpuUsage();
  const result = replay(layouts.map((layout, code) => ({ code, name: layout.vm, layout })), batches, [],
    { revisions: opts.revisions ?? ['1', '2', '3'] });
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const replaySeconds = (t2 - t1) / 1000;
  // CPU time of this (single-threaded) process: the rate on one core, robust to other load on the machine.
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const out: ReplayBenchResult = {
    rows, vms, generateSeconds: (t1 - t0) / 1000, replaySeconds, cpuSeconds, accessesPerSecond: rows / replaySeconds,
    accessesPerCpuSecond: rows / cpuSeconds,
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
  };
  const replayed = result.vms.reduce((s, v) => s + v.replayed, 0);
  log(`replay: ${rows.toLocaleString('en')} accesses (${replayed.toLocaleString('en')} replayed), ${vms} VMs × ${vcpus} vCPUs, ` +
    `revisions ${(opts.revisions ?? ['1', '2', '3']).join(',')}`);
  log(`replay: ${replaySeconds.toFixed(2)} s wall = ${(out.accessesPerSecond / 1e6).toFixed(1)} M accesses/s; ` +
    `${cpuSeconds.toFixed(2)} s CPU = ${(out.accessesPerCpuSecond / 1e6).toFixed(1)} M accesses/s on one core ` +
    `(generation ${out.generateSeconds.toFixed(2)} s), peak RSS ${out.peakRssMb} MB`);
  return out;
}

const isMain = process.argv[1] !== undefined && /bench[\\/]replay\.ts$/.test(process.argv[1]);
if (isMain) {
  // Human lines on stdout, then the result as JSON on the last line (bench/run.ts child protocol).
  const r = runReplayBench({ rows: process.argv[2] ? Number(process.argv[2]) : undefined });
  console.log(JSON.stringify(r));
}
