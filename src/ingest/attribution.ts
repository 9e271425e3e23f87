/**
 * Which VM and vCPU an event belongs to. No KVM/arm64 tracepoint carries either, so:
 *   vm   = the line's tgid (ftrace `(tgid)` column, perf `pid/tid`), else the `--tgid-map` entry for
 *          the tid, else the fallback label (`--vm` or the file name). Many VMs may be interleaved.
 *   vcpu = QEMU's `cpu N` (QEMU logs), else the index in the VMM's vCPU thread name
 *          (QEMU `CPU 3/KVM`, Firecracker `fc_vcpu 3`, Cloud Hypervisor `vcpu3`, kvmtool `kvm-vcpu-3`).
 */
import { grownArray, grownLength } from './page-arrays.ts';
import { NumberTable } from './number-table.ts';
import type { VmInfoTable, VmmKind } from './types.ts';
import { vmmCode } from './vm-evidence.ts';
import { tgidOfLabel, VmLabels } from './vm-labels.ts';

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

/** The `vm` dictionary and what is known about each VM, in typed columns (a million VMs is ~30 MB). */
export class VmRegistry {
  /** code → label: tgids as numbers (vm-labels.ts). */
  readonly labels = new VmLabels();
  private readonly byTgid = new NumberTable(true);
  /** Labels that are not tgids (--vm, the file name), and tgid labels that one of those took first. */
  private readonly byLabel = new Map<string, number>();
  private fallbackCode = -1;
  private vmm = new Uint8Array(64);
  /** Highest vCPU number named per VM + 1, 0: none (vcpuFromComm: at most 32767), as VmInfoTable.vcpus. */
  private vcpus = new Uint16Array(64);
  private threads = new Uint32Array(64);
  /** (VM, tid) pairs of threads that changed VM (see noteThread). */
  private readonly vmThreads = new NumberTable();

  constructor(
    private readonly fallbackVm: string,
    private readonly tgidMap?: ReadonlyMap<number, number>,
  ) {}

  private grow(): void {
    const n = grownLength(this.vmm.length, 4); // (the widest of the three)
    // they cross to the main thread in the summary (info()): shared, not copied
    [this.vmm, this.vcpus, this.threads] = [grownArray(this.vmm, n, true), grownArray(this.vcpus, n, true), grownArray(this.threads, n, true)];
  }

  private added(code: number): number {
    if (code >= this.vmm.length) this.grow();
    return code;
  }

  /** The code of a label that is not a tgid (--vm, the file name): the tgid's VM if it reads as one. */
  private code(label: string): number {
    let c = this.byLabel.get(label);
    if (c === undefined) {
      const t = tgidOfLabel(label);
      const asTgid = Number.isNaN(t) ? -1 : this.byTgid.get(t);
      c = asTgid >= 0 ? asTgid : this.added(this.labels.add(label));
      this.byLabel.set(label, c);
    }
    return c;
  }

  codeForTgid(tgid: number): number {
    let c = this.byTgid.get(tgid);
    if (c < 0) {
      // a --vm label spelling this tgid took its code first (byLabel is empty but for such labels)
      const named = this.byLabel.size > 0 ? this.byLabel.get(String(tgid)) : undefined;
      c = named ?? this.added(this.labels.addTgid(tgid));
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
    if (vcpu >= this.vcpus[vm]!) this.vcpus[vm] = vcpu + 1;
    if (vm !== this.fallbackCode) return -1;
    const prev = this.fallbackVcpuTid.get(vcpu);
    if (prev === undefined) this.fallbackVcpuTid.set(vcpu, tid);
    return prev === undefined || prev === tid ? -1 : prev;
  }

  noteVmm(vm: number, vmm: VmmKind): void {
    if (this.vmm[vm] === 0) this.vmm[vm] = vmmCode(vmm);
  }

  info(): VmInfoTable {
    const n = this.labels.length;
    // views, not copies (millions of VMs): the parse is over when this is called
    return { vmm: this.vmm.subarray(0, n), threads: this.threads.subarray(0, n), vcpus: this.vcpus.subarray(0, n) };
  }
}
