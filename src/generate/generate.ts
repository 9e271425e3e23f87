/**
 * generateTrace(): synthetic host traces of a fleet of guests. Plans the VMs (profiles by weight,
 * VMMs, pids, start times), runs every vCPU's guest program, merges all host threads by timestamp,
 * resolves vGIC reads against the value model in trace order, optionally drops bursts of events
 * as ring-buffer overruns, and streams the lines in the chosen layout with constant memory.
 */
import type { Writable } from 'node:stream';
import { AbitraceError, E } from '../errors.ts';
import type { VmmKind } from '../ingest/types.ts';
import { EVENT_NAMES, MODEL_READ, MODEL_WRITE } from './events.ts';
import type { GenContext } from './guest-cpu.ts';
import { ThreadHeap } from './host-thread.ts';
import { LostEventDropper } from './lost-events.ts';
import { allowedVmms, resolveOptions, type GenerateOptions, type ResolvedOptions } from './options.ts';
import { ByteWriter, ascii } from './output/byte-writer.ts';
import { FtraceFormat } from './output/ftrace-format.ts';
import type { LineFormat } from './output/line-format.ts';
import { PerfFormat } from './output/perf-format.ts';
import { QemuFormat, type QemuRegion } from './output/qemu-format.ts';
import { TraceCmdFormat } from './output/trace-cmd-format.ts';
import { platformFor } from './platforms.ts';
import { hashString, Prng } from './prng.ts';
import { compiledProfile } from './profiles/index.ts';
import type { CompiledProfile } from './program.ts';
import { U64 } from './values/u64.ts';
import { redistAt } from './values/gic-value-model.ts';
import { VmInstance } from './vm-instance.ts';
import { assignWeighted, WeightedRoundRobin } from './weighted-mix.ts';

export interface ThreadInfo {
  tid: number;
  tgid: number;
  comm: string;
  /** VM index. */
  vm: number;
  role: 'vcpu' | 'vmm';
  /** vCPU index, -1 for the VMM thread. */
  vcpu: number;
}

export interface VmSummary {
  index: number;
  /** Profiles in boot order (firmware first). */
  profiles: string[];
  vmm: VmmKind;
  platform: string;
  tgid: number;
  gic: { version: 2 | 3; its: boolean; nrIrqs: number; gicd: number; gicr: number; gits: number };
  startNs: number;
}

export interface GenerateResult {
  options: ResolvedOptions;
  vms: VmSummary[];
  threads: ThreadInfo[];
  /** Written events per tracepoint name (dropped events excluded; for qemu: logged accesses). */
  eventCounts: Record<string, number>;
  /** Event lines written (markers and headers excluded). */
  lines: number;
  bytes: number;
  /** Events dropped by --lost-events. */
  dropped: number;
  /** Lost-event markers written. */
  lostMarkers: number;
  /** Dropped events with no later event on their CPU, so no marker reports them. */
  unreportedDrops: number;
  traceStartNs: number;
  traceEndNs: number;
}

/**
 * Writes a trace to `out`. For `--format qemu` with more than one VM, pass one writable per VM
 * (a QEMU log belongs to one QEMU process). Resolves when everything was handed to the streams;
 * the caller ends them.
 */
export async function generateTrace(options: GenerateOptions, out: Writable | readonly Writable[]): Promise<GenerateResult> {
  const o = resolveOptions(options);
  const outs = Array.isArray(out) ? (out as readonly Writable[]) : [out as Writable];
  if (o.format === 'qemu') {
    if (outs.length !== o.vms) {
      throw new AbitraceError(E.USAGE, `--format qemu writes one log per VM: ${o.vms} VMs need ${o.vms} outputs, got ${outs.length}`);
    }
  } else if (outs.length !== 1) throw new AbitraceError(E.USAGE, `--format ${o.format} writes one trace: pass one output`);

  const root = new Prng(o.seed);
  const planRng = root.fork(1);
  const lossRng = root.fork(2);
  // Trace clock: host uptime at the start of the capture, in whole microseconds.
  const traceStartNs = (planRng.int(1000, 89000) * 1e6 + planRng.int(0, 999_999)) * 1000;
  const traceEndNs = traceStartNs + Math.round(o.durationSec * 1e9);
  const heap = new ThreadHeap();
  const ctx: GenContext = { endNs: traceEndNs, host: o.host, heap };

  // --- plan the fleet
  const profileNames = assignWeighted(o.profiles, o.vms);
  // VMMs by weight within each profile, among the VMMs that guest runs under; each profile's
  // round-robin starts at a different point so that profiles with few VMs still spread out.
  const vmmPicker = new Map<string, WeightedRoundRobin>();
  o.profiles.forEach((p, k) => {
    const rr = new WeightedRoundRobin(o.vmm.filter((v) => allowedVmms(p.name).includes(v.name as VmmKind)));
    for (let s = 0; s < k; s++) rr.next();
    vmmPicker.set(p.name, rr);
  });
  const staggerNs = Math.min(o.durationSec * 0.15, 1.5) * 1e9;
  const pidGap = Math.min(4000, Math.max(60, Math.floor(80000 / o.vms)));
  let pid = planRng.int(2000, 9000);
  let threadIndex = 0;
  const vms: VmInstance[] = [];
  for (let i = 0; i < o.vms; i++) {
    const platform = platformFor(vmmPicker.get(profileNames[i]!)!.next() as VmmKind);
    const chain: CompiledProfile[] = [];
    for (let name: string | undefined = profileNames[i]; name !== undefined; name = chain[chain.length - 1]!.profile.chain) {
      if (chain.length > 4) throw new Error(`profile chain too long at ${name}`);
      chain.push(compiledProfile(name));
    }
    const startNs = traceStartNs + Math.round(planRng.float() * staggerNs / 1000) * 1000;
    const vm = new VmInstance(
      { index: i, chain, platform, vcpus: o.vcpus, tgid: pid, startNs, rev: o.revision, host: o.host, hostCpus: o.hostCpus, firstThreadIndex: threadIndex, valueModel: o.valueModel },
      ctx,
      root.fork(100 + i),
    );
    vms.push(vm);
    threadIndex += 1 + o.vcpus;
    pid += platform.threadsBeforeVcpus + o.vcpus + planRng.int(40, pidGap);
  }
  for (const vm of vms) vm.start();

  // --- output
  const writers = outs.map((s) => new ByteWriter(s));
  const fmt: LineFormat | null = o.format === 'ftrace' ? new FtraceFormat() : o.format === 'trace-cmd' ? new TraceCmdFormat() : o.format === 'perf' ? new PerfFormat() : null;
  const qemu = o.format === 'qemu' ? new QemuFormat(1795388000 - Math.floor(traceStartNs / 1e9), qemuRegions(vms)) : null;
  if (fmt) fmt.header(writers[0]!, o.hostCpus);
  const dropper = o.lostEvents > 0 ? new LostEventDropper(o.lostEvents, lossRng, o.hostCpus) : null;
  const counts = new Float64Array(EVENT_NAMES.length);
  const tmp = new U64();
  let lines = 0;
  let lostMarkers = 0;

  while (heap.size > 0) {
    const th = heap.top();
    const ev = th.front();
    const vm = vms[th.vm]!;
    if (ev.model === MODEL_READ) {
      vm.model.read(ev.vcpu, ev.gpa, ev.b, tmp);
      ev.valLo = tmp.lo;
      ev.valHi = tmp.hi;
    } else if (ev.model === MODEL_WRITE) vm.model.write(ev.vcpu, ev.gpa, ev.b, ev.valLo, ev.valHi);

    let w = writers[0]!;
    if (fmt) {
      if (dropper === null || !dropper.drop(ev.cpu)) {
        if (dropper !== null) {
          const lost = dropper.takePending(ev.cpu);
          if (lost > 0 && fmt.marksLostEvents) {
            fmt.lost(w, ev.cpu, lost);
            lostMarkers++;
          }
        }
        fmt.event(w, ev, th);
        counts[ev.kind]!++;
        lines++;
      }
    } else {
      w = writers[th.vm]!;
      if (qemu!.event(w, ev, th)) {
        counts[ev.kind]!++;
        lines++;
      }
    }

    th.pop();
    if (th.count > 0) heap.fixTop();
    else {
      heap.remove(th);
      if (th.refill) th.refill();
      if (th.count > 0) heap.upsert(th);
    }
    if (w.full) await w.flush();
  }
  for (const w of writers) await w.flush();

  const eventCounts: Record<string, number> = {};
  EVENT_NAMES.forEach((n, k) => {
    if (counts[k]! > 0) eventCounts[n] = counts[k]!;
  });
  const threads: ThreadInfo[] = [];
  for (const vm of vms) {
    for (const th of [vm.vmmThread, ...vm.vcpuThreads]) threads.push({ tid: th.tid, tgid: th.tgid, comm: th.comm, vm: th.vm, role: th.role, vcpu: th.vcpu });
  }
  return {
    options: o,
    vms: vms.map((vm) => ({
      index: vm.index,
      profiles: vm.chain.map((c) => c.name),
      vmm: vm.platform.vmm,
      platform: vm.platform.gic.id,
      tgid: vm.vmmThread.tgid,
      gic: { version: vm.gic.version, its: vm.gic.its, nrIrqs: vm.gic.nrIrqs, gicd: vm.gic.gicd, gicr: vm.gic.gicr, gits: vm.gic.gits },
      startNs: vm.startNs,
    })),
    threads,
    eventCounts,
    lines,
    bytes: writers.reduce((s, w) => s + w.written, 0),
    dropped: dropper?.dropped ?? 0,
    lostMarkers,
    unreportedDrops: dropper?.unreported() ?? 0,
    traceStartNs,
    traceEndNs,
  };
}

/** saved_tgids format (`<tid> <tgid>` per line) for importers' --tgid-map. */
export function formatTgidMap(threads: readonly ThreadInfo[]): string {
  return threads.map((t) => `${t.tid} ${t.tgid}\n`).join('');
}

/** QEMU region (name, MemoryRegion pointer) of each guest-physical address, per VM. */
function qemuRegions(vms: readonly VmInstance[]): (vm: number, gpa: number) => QemuRegion {
  const cache = new Map<string, QemuRegion>();
  const region = (vm: number, name: string): QemuRegion => {
    const key = `${vm}/${name}`;
    let r = cache.get(key);
    if (!r) {
      const h = hashString(key);
      r = { ptrLo: (0x46700000 + (h & 0xffff0) * 16) >>> 0, ptrHi: 0x55cf, name: ascii(name) };
      cache.set(key, r);
    }
    return r;
  };
  return (vmIndex, gpa) => {
    const vm = vms[vmIndex]!;
    const g = vm.gic;
    const names = vm.platform.regions;
    if (gpa >= g.gicd && gpa < g.gicd + 0x10000) return region(vmIndex, g.version === 3 ? names.gicv3Dist : names.gicv2Dist);
    const rd = redistAt(g, gpa);
    if (rd >= 0) return region(vmIndex, g.gicrHigh && rd >= g.gicrHigh.first ? names.gicv3Redist.replace('[0]', '[1]') : names.gicv3Redist);
    if (g.its && gpa >= g.gits && gpa < g.gits + 0x20000) return region(vmIndex, names.its);
    for (const d of Object.values(vm.platform.devices)) {
      if (Math.floor(d.gpa / 0x1000) === Math.floor(gpa / 0x1000)) return region(vmIndex, d.region);
    }
    return region(vmIndex, 'unassigned');
  };
}
