/**
 * Which VM and vCPU an event belongs to. No KVM/arm64 tracepoint carries either, so:
 *   vm   = the line's tgid (ftrace `(tgid)` column, perf `pid/tid`), else the `--tgid-map` entry for
 *          the tid, else the fallback label (`--vm` or the file name). Many VMs may be interleaved.
 *   vcpu = QEMU's `cpu N` (QEMU logs), else the index in the VMM's vCPU thread name
 *          (QEMU `CPU 3/KVM`, Firecracker `fc_vcpu 3`, Cloud Hypervisor `vcpu3`, kvmtool `kvm-vcpu-3`).
 */
import { NumberTable } from './number-table.ts';
import type { VmInfoTable, VmmKind } from './types.ts';
import { emptyVmInfoTable, vmmCode } from './vm-evidence.ts';

export { parseTgidMap, readTgidMapFile, type TgidMapResult } from './tgid-map.ts';

export interface VcpuThreadName {
  vcpu: number;
  vmm: VmmKind;
}

const VCPU_PATTERNS: ReadonlyArray<[RegExp, VmmKind]> = [
  [/^CPU (\d{1,5})\/KVM$/, 'qemu'],
  // `trace-cmd report -l` cuts comms to 8 characters
  [/^CPU (\d)\/KV$/, 'qemu'],
  [/^CPU (\d\d)\/K$/, 'qemu'],
  [/^CPU (\d\d\d)\/$/, 'qemu'],
  [/^fc_vcpu (\d{1,5})$/, 'firecracker'],
  [/^vcpu(\d{1,5})$/, 'cloud-hypervisor'],
  [/^kvm-vcpu-(\d{1,5})$/, 'kvmtool'],
];

/** vCPU index and VMM from a thread comm, or null for any other thread. Called once per comm. */
export function vcpuFromComm(comm: string): VcpuThreadName | null {
  for (const [re, vmm] of VCPU_PATTERNS) {
    const m = re.exec(comm);
    if (m) {
      const vcpu = Number(m[1]);
      if (vcpu <= 32767) return { vcpu, vmm };
    }
  }
  return null;
}

/** The `vm` dictionary and what is known about each VM. */
export class VmRegistry {
  /** code → label. Tgid labels are unique by construction, so only other labels need a Map. */
  readonly labels: string[] = [];
  private readonly byTgid = new NumberTable(true);
  private readonly byLabel = new Map<string, number>();
  private fallbackCode = -1;
  private readonly vmm: Array<VmmKind | null> = [];
  private readonly maxVcpu: number[] = [];
  private readonly threads: number[] = [];
  /** (VM, tid) pairs of threads that changed VM (see noteThread). */
  private readonly vmThreads = new NumberTable();

  constructor(
    private readonly fallbackVm: string,
    private readonly tgidMap?: ReadonlyMap<number, number>,
  ) {}

  private add(label: string): number {
    this.labels.push(label);
    this.vmm.push(null);
    this.maxVcpu.push(-1);
    this.threads.push(0);
    return this.labels.length - 1;
  }

  /** The code of a label that is not a tgid (--vm, the file name): the tgid's VM if it reads as one. */
  private code(label: string): number {
    let c = this.byLabel.get(label);
    if (c === undefined) {
      const asTgid = /^(0|[1-9]\d{0,15})$/.test(label) ? this.byTgid.get(Number(label)) : -1;
      c = asTgid >= 0 ? asTgid : this.add(label);
      this.byLabel.set(label, c);
    }
    return c;
  }

  codeForTgid(tgid: number): number {
    let c = this.byTgid.get(tgid);
    if (c < 0) {
      const label = String(tgid);
      c = this.byLabel.get(label) ?? this.add(label);
      this.byTgid.set(tgid, c);
    }
    return c;
  }

  /** For a thread whose lines carry no tgid. */
  codeForTid(tid: number): number {
    const tgid = this.tgidMap?.get(tid);
    if (tgid !== undefined) return this.codeForTgid(tgid);
    if (this.fallbackCode < 0) this.fallbackCode = this.code(this.fallbackVm);
    return this.fallbackCode;
  }

  /**
   * Thread `tid`, in VM `prev` until now (-1: none yet), is in VM `vm`. A thread's first VM is a
   * new pair for certain (its state outlives the thread's lines), so only threads that change VM
   * (a tid reused by another process) go through the table of pairs.
   */
  noteThread(vm: number, tid: number, prev: number): void {
    if (prev === vm) return;
    if (prev < 0) {
      this.threads[vm]!++;
      return;
    }
    this.vmThreads.set(prev * 4294967296 + (tid >>> 0), 0); // vm < 2^21 codes: exact in a double
    if (this.vmThreads.set(vm * 4294967296 + (tid >>> 0), 0)) this.threads[vm]!++;
  }

  /** vCPU index → tid of the threads named as vCPUs in the VM of lines without a tgid. */
  private readonly fallbackVcpuTid = new Map<number, number>();

  /**
   * Thread `tid` of the VM is named as vCPU `vcpu`. Returns the tid of another thread that had the
   * same vCPU name in the VM of lines without a tgid (-1 if none): there, two `CPU 0/KVM` threads
   * mean several VMs merged under one label (no tgid column and no --tgid-map).
   */
  noteVcpu(vm: number, vcpu: number, tid: number): number {
    if (vcpu > this.maxVcpu[vm]!) this.maxVcpu[vm] = vcpu;
    if (vm !== this.fallbackCode) return -1;
    const prev = this.fallbackVcpuTid.get(vcpu);
    if (prev === undefined) this.fallbackVcpuTid.set(vcpu, tid);
    return prev === undefined || prev === tid ? -1 : prev;
  }

  noteVmm(vm: number, vmm: VmmKind): void {
    if (this.vmm[vm] === null) this.vmm[vm] = vmm;
  }

  info(): VmInfoTable {
    const n = this.labels.length;
    const t = emptyVmInfoTable(n);
    for (let vm = 0; vm < n; vm++) {
      t.vmm[vm] = vmmCode(this.vmm[vm] ?? null);
      t.threads[vm] = this.threads[vm]!;
      t.vcpus[vm] = this.maxVcpu[vm]! + 1;
    }
    return t;
  }
}
