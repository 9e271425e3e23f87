/**
 * One generated VM: its guest profile chain, VMM platform, vGIC value model, VM-wide guest
 * variables, host threads (vCPU threads plus the VMM's main thread) and vCPU programs.
 */
import { GuestCpu, type GenContext, type VmView } from './guest-cpu.ts';
import { HostThread } from './host-thread.ts';
import { gicBases, type PlatformMap } from './platforms.ts';
import type { Prng } from './prng.ts';
import type { CompiledProfile } from './program.ts';
import type { Frame } from './profile-types.ts';
import { redistBase, type GicConfig, type GicModelFactory, type GicValueModel } from './values/gic-value-model.ts';

export interface VmPlan {
  index: number;
  chain: readonly CompiledProfile[];
  platform: PlatformMap;
  vcpus: number;
  tgid: number;
  startNs: number;
  rev: number;
  host: number;
  hostCpus: number;
  /** First thread index (creation order across the whole trace). */
  firstThreadIndex: number;
  valueModel: GicModelFactory;
}

export class VmInstance implements VmView {
  readonly index: number;
  readonly vcpus: number;
  readonly chain: readonly CompiledProfile[];
  readonly platform: PlatformMap;
  readonly model: GicValueModel;
  readonly vars = new Map<string, number>();
  readonly groupMask: number;
  readonly vmmThread: HostThread;
  readonly vcpuThreads: HostThread[] = [];
  readonly cpus: GuestCpu[] = [];
  readonly hostCpus: number;
  readonly startNs: number;
  readonly gic: GicConfig;

  constructor(plan: VmPlan, ctx: GenContext, rng: Prng) {
    this.index = plan.index;
    this.vcpus = plan.vcpus;
    this.chain = plan.chain;
    this.platform = plan.platform;
    this.hostCpus = plan.hostCpus;
    this.startNs = plan.startNs;
    const os = plan.chain[plan.chain.length - 1]!.profile;
    const p = plan.platform;
    const v3 = os.gic.version === 3;
    const bases = gicBases(p, os.gic.version, plan.vcpus, v3 && os.gic.its);
    this.gic = {
      version: os.gic.version,
      rev: plan.rev,
      host: plan.host,
      vcpus: plan.vcpus,
      nrIrqs: p.gic.nrIrqs,
      its: bases.gits !== null,
      gicd: bases.gicd,
      gicr: bases.gicr,
      ...(bases.gicrHigh ? { gicrHigh: bases.gicrHigh } : {}),
      gits: bases.gits ?? 0,
      gicc: bases.gicc,
    };
    this.model = plan.valueModel(this.gic);
    this.groupMask = os.enabledGroups.reduce<number>((m, g) => m | (1 << g), 0);
    this.vmmThread = new HostThread(plan.firstThreadIndex, plan.tgid, plan.tgid, p.processComm, plan.index, 'vmm', -1);
    this.vmmThread.cpu = rng.int(0, plan.hostCpus - 1);
    for (let i = 0; i < plan.vcpus; i++) {
      const tid = plan.tgid + p.threadsBeforeVcpus + i;
      const th = new HostThread(plan.firstThreadIndex + 1 + i, tid, plan.tgid, p.vcpuComm(i), plan.index, 'vcpu', i);
      this.vcpuThreads.push(th);
      this.cpus.push(new GuestCpu(this, i, th, ctx, rng.fork(i)));
    }
  }

  /** Guest-physical base of a frame; GICR frames are per redistributor index. */
  frameBase(frame: Frame | string, rd: number): number {
    const g = this.gic;
    switch (frame) {
      case 'GICD':
        return g.gicd;
      case 'GICR':
      case 'GICR_SGI':
        if (g.version !== 3) throw new Error(`profile ${this.chain[0]!.name}: ${frame} access on a GICv2 VM`);
        if (!(rd >= 0 && rd < this.vcpus)) throw new Error(`profile ${this.chain[0]!.name}: redistributor ${rd} out of range`);
        return redistBase(g, rd) + (frame === 'GICR_SGI' ? 0x10000 : 0);
      case 'GITS':
        if (!g.its) throw new Error(`profile ${this.chain[0]!.name}: ITS access on a VM without an ITS (guard it with the GICD_TYPER.LPIS bit)`);
        return g.gits;
    }
    throw new Error(`unknown frame ${frame}`);
  }

  start(): void {
    this.cpus[0]!.start('boot', this.startNs);
  }

  spawn(vcpu: number, atNs: number): void {
    const cpu = this.cpus[vcpu];
    if (cpu === undefined) throw new Error(`profile ${this.chain[0]!.name}: spawn of vCPU ${vcpu}, but the VM has ${this.vcpus}`);
    cpu.start('secondary', atNs);
  }
}
