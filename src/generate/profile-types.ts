/**
 * The data format of guest behaviour profiles (one file per profile under ./profiles/). A profile
 * is a list of steps per phase, in the order the guest makes its accesses; it carries no code.
 * Offsets, values, loop bounds and conditions are expressions (./expr.ts). Read values are never
 * written in a profile: they come from the vGIC value model at the moment the access reaches the
 * trace, and a profile branches on them with `save` + `when`, exactly as the guest driver does.
 *
 * Variables: `save` stores a read value in the executing vCPU's scope; `set` stores VM-wide facts
 * (e.g. `nrIrqs` derived from GICD_TYPER) that other vCPUs read later. Built-ins: `vcpu` (index of
 * the executing vCPU), `vcpus`, `rev` is deliberately absent (guests cannot know it except by
 * reading registers). Functions: rand(a,b), pick(list), count(list), at(list,i), aff(i), min, max, bit(n).
 */
import type { Expr } from './expr.ts';

/** GIC frames a step can address. GICR / GICR_SGI select a redistributor with `rd`. */
export type Frame = 'GICD' | 'GICR' | 'GICR_SGI' | 'GITS';

/** Emulated devices of the VMM (accesses exit to userspace or to an ioeventfd); addresses come from the platform. */
export type DeviceOp =
  | 'uart.data' // console data register write
  | 'uart.status' // console flag/line-status read
  | 'virtio.status' // virtio-mmio InterruptStatus read
  | 'virtio.ack' // virtio-mmio InterruptACK write
  | 'virtio.notify'; // virtio-mmio QueueNotify write (in-kernel ioeventfd: no userspace exit)

/** A 1/2/4/8-byte load or store to a vGIC frame. */
export interface MmioStep {
  mmio: 'R' | 'W';
  frame: Frame;
  off: Expr;
  len?: 1 | 2 | 4 | 8;
  /** Redistributor index for GICR/GICR_SGI (default: the executing vCPU's own frame). */
  rd?: Expr;
  /** Writes: the value (low 32 bits). */
  value?: Expr;
  /** Writes of 8 bytes: the high 32 bits (default 0). */
  valueHi?: Expr;
  /** Reads: keep the value (low / high word) in a vCPU-local variable. */
  save?: string;
  saveHi?: string;
  /** Reads: repeat the read until this expression (evaluated after `save`) is non-zero (polling). */
  until?: Expr;
}

/** A trapped MRS/MSR/DC by set-way; `sys` is the architectural name as in src/gic/sysregs.ts. */
export interface SysregStep {
  sys: string;
  op: 'R' | 'W';
  /** Reads: keep the value the host would return (cache geometry drives set/way loops). */
  save?: string;
  /** Writes: the value (only used by the sysreg model, e.g. CSSELR_EL1; never traced). */
  value?: Expr;
}

/** An HVC #0 with an SMCCC function ID (named, see ./hypercalls.ts, or numeric). */
export interface HvcStep {
  hvc: string | number;
}

/** An access to a VMM-emulated device. */
export interface DeviceStep {
  dev: DeviceOp;
  op: 'R' | 'W';
  value?: Expr;
}

export interface LoopStep {
  /** Loop variable (vCPU-local), from `from` to `to` inclusive. */
  loop: string;
  from: Expr;
  to: Expr;
  step?: Expr;
  /** Leave the loop after an iteration when this is non-zero. */
  until?: Expr;
  body: Step[];
}

export interface WhenStep {
  when: Expr;
  then: Step[];
  else?: Step[];
}

/** VM-wide variables. */
export interface SetStep {
  set: Record<string, Expr>;
}

/** vCPU-local variables. */
export interface LetStep {
  let: Record<string, Expr>;
}

/** PSCI CPU_ON has brought up a secondary: its `secondary` program starts now. */
export interface SpawnStep {
  spawn: Expr;
}

/** Host-side `vgic_update_irq_pending` (timer, VMM line changes): not a guest access. */
export interface InjectSpec {
  inject: Expr;
  level: 0 | 1;
  /** Which host thread emits it: the vCPU thread (timer) or the VMM's main thread (device lines). */
  from?: 'vcpu' | 'vmm';
}
export type InjectStep = InjectSpec;

/** A non-access exit: physical IRQ or WFI/WFE, optionally with injections before re-entry. */
export interface ExitStep {
  exit: 'IRQ' | 'WFx';
  inject?: InjectSpec[];
}

/**
 * The vCPU executes WFI and never wakes (its interrupts are not deliverable): kvm_exit (WFx) and
 * kvm_wfx_arm64, then the listed host injections while it is blocked, then nothing more.
 */
export interface HaltStep {
  halt: 'WFx';
  inject?: InjectSpec[];
}

/** Guest time passes without exits (microseconds). */
export interface WaitStep {
  wait: Expr;
}

export interface RepeatStep {
  repeat: Expr;
  body: Step[];
}

export type Step =
  | MmioStep
  | SysregStep
  | HvcStep
  | DeviceStep
  | LoopStep
  | WhenStep
  | SetStep
  | LetStep
  | SpawnStep
  | InjectStep
  | ExitStep
  | HaltStep
  | WaitStep
  | RepeatStep;

/** Something the guest does at runtime, as a Poisson process per vCPU. */
export interface Activity {
  name: string;
  /** Mean occurrences per second per participating vCPU. */
  perSec: number;
  /** Which vCPUs run it (default all). */
  on?: 'all' | 'boot' | 'secondaries';
  /** vCPU-local variables chosen per occurrence (before `gate`). */
  let?: Record<string, Expr>;
  /** Only when this INTID is deliverable to the vCPU (enabled, in a group the guest enabled, distributor on). */
  gate?: Expr;
  /** Skip the occurrence unless this is non-zero (e.g. a device that needs an ITS). */
  when?: Expr;
  steps: Step[];
}

export interface RuntimeSpec {
  /**
   * The interrupt whose delivery makes the guest progress (its timer). If it is not deliverable
   * when runtime starts (e.g. moved to Group 0 on rev >= 2 while the guest enables only Group 1),
   * the vCPU runs `stuck` and then blocks in WFI for good: no more events from that thread.
   */
  driver?: { irq: Expr; stuck: Step[] };
  activities: Activity[];
  /** Exits that are not accesses, per second per vCPU. */
  noise: { irqExitsPerSec: number; wfxPerSec: number };
}

export interface GuestProfile {
  name: string;
  summary: string;
  /** The vGIC the VMM creates for this guest (the platform may lack an ITS). */
  gic: { version: 2 | 3; its: boolean };
  /** Interrupt groups the guest enables in its CPU interface (ICC_IGRPEN0/1 or GICC_CTLR: not trapped, so declared). */
  enabledGroups: readonly (0 | 1)[];
  code: {
    /** Base of the code that makes the accesses (hex): PCs are derived per step from it. */
    text: string;
    /** How the guest maps device frames: 'identity' (firmware, RTOS) or the VA base of its ioremap area (hex). */
    mmioVa: string;
  };
  /** Named constant lists for pick()/count() (platform lists such as virtioSpis are added). */
  lists?: Record<string, readonly number[]>;
  /** Boot CPU (vCPU 0), from reset. */
  boot: Step[];
  /** Each secondary vCPU, from its `spawn`. */
  secondary?: Step[];
  runtime?: RuntimeSpec;
  /** Profile whose boot continues on vCPU 0 after this one's (firmware → OS). */
  chain?: string;
  /** VMMs this guest realistically runs under (default: any whose platform offers its GIC). */
  vmms?: readonly ('qemu' | 'firecracker' | 'cloud-hypervisor' | 'kvmtool')[];
}
