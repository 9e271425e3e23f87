/**
 * One vCPU of a generated VM: runs its compiled guest program (boot or secondary, then the runtime
 * activities) and turns every trapped access into the host event sequence of tracepoints.md §3
 * on its thread: kvm_exit → kvm_guest_fault → kvm_mmio (unsatisfied-read → read | write) →
 * kvm_entry for MMIO, kvm_exit → kvm_handle_sys_reg → kvm_sys_access → kvm_entry for trapped
 * system registers, kvm_exit → kvm_hvc_arm64 → kvm_entry for hypercalls. The program is a
 * generator that yields after each episode, so the scheduler interleaves all vCPUs by time.
 */
import {
  EC_DABT_LOW, EC_HVC64, EC_SYS64, EC_UNKNOWN, EC_WFX, EV_ENTRY, EV_EXIT, EV_FAULT, EV_HANDLE_SYSREG, EV_HVC,
  EV_IRQ_PENDING, EV_MMIO, EV_SYS_ACCESS, EV_USER_EXIT, EV_WFX, EXIT_RET_IRQ, EXIT_RET_TRAP, FLAGS_IRQS_OFF,
  FLAGS_NONE, FLAGS_PREEMPT, KVM_EXIT_MMIO, MMIO_READ, MMIO_UNSATISFIED, MMIO_WRITE, MODEL_READ, MODEL_WRITE,
  type HostEvent,
} from './events.ts';
import type { ExprContext } from './expr.ts';
import type { HostThread, ThreadHeap } from './host-thread.ts';
import type { PlatformMap } from './platforms.ts';
import type { Prng } from './prng.ts';
import type { CompiledProfile, Node, Pc } from './program.ts';
import { SysregModel, trapsOn } from './sysreg-traps.ts';
import { U64 } from './values/u64.ts';
import { vcpuAffinity, type GicValueModel } from './values/gic-value-model.ts';

export interface GenContext {
  /** Events of episodes starting after this (ns) are not generated. */
  endNs: number;
  /** Host kernel version (major * 1000 + minor). */
  host: number;
  heap: ThreadHeap;
}

/** What a vCPU needs from its VM. */
export interface VmView {
  readonly index: number;
  readonly vcpus: number;
  readonly chain: readonly CompiledProfile[];
  readonly platform: PlatformMap;
  readonly model: GicValueModel;
  readonly vars: Map<string, number>;
  readonly groupMask: number;
  readonly vmmThread: HostThread;
  readonly hostCpus: number;
  frameBase(frame: string, rd: number): number;
  spawn(vcpu: number, atNs: number): void;
}

const TWO32 = 4294967296;

export class GuestCpu implements ExprContext {
  /** Guest time of the next episode (ns). */
  now = 0;
  private readonly local = new Map<string, number>();
  private gen: Generator<void, void, void> | null = null;
  private started = false;
  /** Blocked in WFI for good (see the `halt` step). */
  private halted = false;
  private readonly sys: SysregModel;
  private readonly tmp = new U64();
  /** The profile whose steps are running (for lists, FAR and the code base of noise PCs). */
  private current: CompiledProfile;
  private readonly noisePc: Pc = { lo: 0, hi: 0 };

  constructor(
    private readonly vm: VmView,
    readonly vcpu: number,
    readonly thread: HostThread,
    private readonly ctx: GenContext,
    private readonly rng: Prng,
  ) {
    this.sys = new SysregModel(ctx.host);
    this.current = vm.chain[0]!;
    thread.refill = () => this.refill();
  }

  /** Starts the boot (vCPU 0) or secondary program at `atNs`; later calls are ignored. */
  start(kind: 'boot' | 'secondary', atNs: number): void {
    if (this.started) return;
    this.started = true;
    this.now = atNs;
    this.thread.cpu = this.rng.int(0, this.vm.hostCpus - 1);
    this.gen = this.main(kind);
    this.refill();
    if (this.thread.count > 0) this.ctx.heap.upsert(this.thread);
  }

  /** Resumes the program until it has queued at least one event, or ends the thread. */
  refill(): void {
    const th = this.thread;
    while (th.count === 0 && !th.done) {
      if (this.gen === null || this.now > this.ctx.endNs) {
        th.done = true;
        break;
      }
      if (this.gen.next().done) {
        th.done = true;
        this.gen = null;
      }
    }
  }

  // --- ExprContext ---------------------------------------------------------------------------

  get(name: string): number {
    const l = this.local.get(name);
    if (l !== undefined) return l;
    const g = this.vm.vars.get(name);
    if (g !== undefined) return g;
    if (name === 'vcpu') return this.vcpu;
    if (name === 'vcpus') return this.vm.vcpus;
    throw new Error(`profile ${this.current.name}: unknown variable '${name}' on vCPU ${this.vcpu}`);
  }

  list(name: string): readonly number[] {
    const l = this.current.profile.lists?.[name] ?? this.vm.platform.lists[name];
    if (l === undefined) throw new Error(`profile ${this.current.name}: unknown list '${name}'`);
    return l;
  }

  rand(lo: number, hi: number): number {
    return this.rng.int(lo, hi);
  }

  aff(vcpu: number): number {
    return vcpuAffinity(vcpu);
  }

  // --- program -------------------------------------------------------------------------------

  private *main(kind: 'boot' | 'secondary'): Generator<void, void, void> {
    const chain = this.vm.chain;
    if (kind === 'boot') {
      for (const p of chain) {
        this.current = p;
        yield* this.run(p.boot);
        if (this.halted) return;
      }
    } else {
      this.current = chain[chain.length - 1]!;
      yield* this.run(this.current.secondary);
      if (this.halted) return;
    }
    this.current = chain[chain.length - 1]!;
    yield* this.runtime(this.current);
  }

  private *run(nodes: readonly Node[]): Generator<void, void, void> {
    for (const n of nodes) {
      if (this.halted) return;
      switch (n.k) {
        case 'mmio': {
          let guard = 0;
          for (;;) {
            const rd = n.rd ? n.rd(this) : this.vcpu;
            const gpa = this.vm.frameBase(n.frame, rd) + n.off(this);
            if (n.write) {
              const lo = n.value!(this) >>> 0;
              const hi = n.valueHi ? n.valueHi(this) >>> 0 : 0;
              this.mmio(gpa, n.len, true, lo, n.len === 8 ? hi : 0, n.pc, n.rt, 1, 6);
            } else {
              if (n.save || n.saveHi) {
                this.vm.model.read(this.vcpu, gpa, n.len, this.tmp);
                if (n.save) this.local.set(n.save, this.tmp.lo);
                if (n.saveHi) this.local.set(n.saveHi, this.tmp.hi);
              }
              this.mmio(gpa, n.len, false, 0, 0, n.pc, n.rt, 1, 6);
            }
            yield;
            if (!n.until || n.until(this) !== 0 || ++guard >= 1000) break;
          }
          break;
        }
        case 'sys': {
          const def = n.sys.def;
          if (n.write) this.sys.write(def, n.value ? n.value(this) : 0);
          else if (n.save) this.local.set(n.save, this.sys.read(def));
          if (trapsOn(def, this.ctx.host)) {
            this.sysreg(n.sys.index, def.op0, def.op1, def.crn, def.crm, def.op2, n.write, n.pc, n.rt);
            yield;
          } else this.now += 40;
          break;
        }
        case 'hvc':
          this.hvc(n.id, n.pc);
          yield;
          break;
        case 'dev': {
          const d = this.vm.platform.devices[n.op];
          const lo = n.write && n.value ? n.value(this) >>> 0 : 0;
          this.mmio(d.gpa, d.len, n.write, lo, 0, n.pc, n.rt, 1, 4);
          yield;
          break;
        }
        case 'loop': {
          const from = n.from(this);
          const to = n.to(this);
          const step = n.step ? n.step(this) : 1;
          if (!(step > 0)) throw new Error(`profile ${this.current.name}: loop '${n.name}' step must be > 0`);
          for (let i = from; i <= to; i += step) {
            this.local.set(n.name, i);
            yield* this.run(n.body);
            if (this.halted || (n.until && n.until(this) !== 0)) break;
          }
          break;
        }
        case 'when':
          yield* this.run(n.cond(this) !== 0 ? n.then : n.else);
          break;
        case 'set':
          for (const [name, e] of n.entries) this.vm.vars.set(name, e(this));
          break;
        case 'let':
          for (const [name, e] of n.entries) this.local.set(name, e(this));
          break;
        case 'spawn':
          this.vm.spawn(n.vcpu(this), this.now + this.rng.int(20_000, 80_000));
          break;
        case 'inject':
          this.inject(n.irq(this), n.level, n.fromVmm, this.now);
          if (!n.fromVmm) yield;
          break;
        case 'exit': {
          const pc = this.randomPc();
          const t = this.exitOnly(n.wfx, pc);
          let at = t + this.rng.int(300, 1500);
          for (const j of n.injects) {
            this.inject(j.irq(this), j.level, j.fromVmm, at);
            at += this.rng.int(100, 600);
          }
          this.entry(at + (n.wfx ? this.rng.int(20_000, 400_000) : this.rng.int(500, 2000)), pc);
          yield;
          break;
        }
        case 'halt': {
          const t = this.exitOnly(true, this.randomPc());
          let at = t + this.rng.int(500_000, 4_000_000);
          for (const j of n.injects) {
            if (at <= this.ctx.endNs) this.inject(j.irq(this), j.level, j.fromVmm, at);
            at += this.rng.int(100, 600);
          }
          yield;
          this.halted = true;
          return;
        }
        case 'wait':
          this.now += Math.max(0, n.us(this)) * 1000;
          break;
        case 'repeat': {
          const count = n.n(this);
          for (let i = 0; i < count && !this.halted; i++) yield* this.run(n.body);
          break;
        }
      }
    }
  }

  private *runtime(p: CompiledProfile): Generator<void, void, void> {
    const vm = this.vm;
    if (p.driver) {
      const irq = p.driver.irq(this);
      if (!vm.model.deliverable(this.vcpu, irq, vm.groupMask)) {
        // The guest waits for an interrupt the vGIC never signals: it makes no more progress.
        yield* this.run(p.driver.stuck);
        return;
      }
    }
    const noise = p.profile.runtime?.noise ?? { irqExitsPerSec: 0, wfxPerSec: 0 };
    const acts = p.activities.filter((a) => a.on === 'all' || (a.on === 'boot') === (this.vcpu === 0));
    const rates = [...acts.map((a) => a.perSec), noise.irqExitsPerSec, noise.wfxPerSec];
    const next = rates.map((r) => (r > 0 ? this.now + this.rng.exp(1e9 / r) : Infinity));
    const irqSlot = acts.length;
    for (;;) {
      if (this.now > this.ctx.endNs) return;
      let k = 0;
      for (let i = 1; i < next.length; i++) if (next[i]! < next[k]!) k = i;
      const at = next[k]!;
      if (at === Infinity) return;
      if (at > this.now) this.now = at;
      next[k] = this.now + this.rng.exp(1e9 / rates[k]!);
      if (k < irqSlot) {
        const a = acts[k]!;
        for (const [name, e] of a.lets) this.local.set(name, e(this));
        if (a.when && a.when(this) === 0) continue;
        if (a.gate && !vm.model.deliverable(this.vcpu, a.gate(this), vm.groupMask)) continue;
        yield* this.run(a.body);
        if (this.halted) return;
      } else {
        const wfx = k > irqSlot;
        const pc = this.randomPc();
        const t = this.exitOnly(wfx, pc);
        this.entry(t + (wfx ? Math.round(this.rng.exp(300_000)) + 2000 : this.rng.int(600, 2500)), pc);
        yield;
      }
    }
  }

  // --- episodes ------------------------------------------------------------------------------

  private ev(kind: number, ts: number, flags: number): HostEvent {
    const e = this.thread.alloc();
    e.kind = kind;
    e.ts = ts;
    e.cpu = this.thread.cpu;
    e.flags = flags;
    return e;
  }

  private beginEpisode(): number {
    // vCPU threads stay on a host CPU for long stretches and occasionally migrate.
    if (this.rng.u32() < 0x00280000) this.thread.cpu = this.rng.int(0, this.vm.hostCpus - 1);
    return this.now;
  }

  private exitEvent(t: number, ret: number, ec: number, pc: Pc): void {
    const e = this.ev(EV_EXIT, t, FLAGS_PREEMPT);
    e.a = ret;
    e.b = ec;
    e.pcLo = pc.lo;
    e.pcHi = pc.hi;
  }

  private entry(t: number, pc: Pc): void {
    const e = this.ev(EV_ENTRY, t, FLAGS_IRQS_OFF);
    e.pcLo = pc.lo;
    e.pcHi = pc.hi;
    this.now = t + this.rng.int(300, 3000);
  }

  /** A trapped load/store: in-kernel vGIC (value from the model) or a VMM device (userspace exit). */
  private mmio(gpa: number, len: number, write: boolean, lo: number, hi: number, pc: Pc, rt: number, thinkLo: number, thinkHi: number): void {
    let t = this.beginEpisode();
    this.exitEvent(t, EXIT_RET_TRAP, EC_DABT_LOW, pc);
    t += this.rng.int(150, 450);
    const f = this.ev(EV_FAULT, t, FLAGS_NONE);
    f.gpa = Math.floor(gpa / 4096) * 4096;
    const sas = len === 8 ? 3 : len === 4 ? 2 : len === 2 ? 1 : 0;
    f.a = (0x93000000 | (sas << 22) | ((rt & 31) << 16) | (len === 8 ? 0x8000 : 0) | (write ? 0x40 : 0) | 0x06) >>> 0;
    this.far(f, gpa);
    f.pcLo = pc.lo;
    f.pcHi = pc.hi;
    t += this.rng.int(200, 700);
    const vm = this.vm;
    if (vm.model.claims(gpa)) {
      if (write) this.mmioEvent(t, MMIO_WRITE, len, gpa, lo, hi, MODEL_WRITE);
      else {
        this.mmioEvent(t, MMIO_UNSATISFIED, len, gpa, 0, 0, 0);
        t += this.rng.int(100, 500);
        this.mmioEvent(t, MMIO_READ, len, gpa, 0, 0, MODEL_READ);
      }
    } else {
      const dev = this.deviceAt(gpa);
      if (write) {
        this.mmioEvent(t, MMIO_WRITE, len, gpa, lo, hi, 0);
        if (!dev?.ioeventfd) {
          t += this.rng.int(200, 600);
          this.ev(EV_USER_EXIT, t, FLAGS_NONE).a = KVM_EXIT_MMIO;
          t += this.rng.int(6000, 30000); // the VMM handles it and calls KVM_RUN again
        }
      } else {
        this.mmioEvent(t, MMIO_UNSATISFIED, len, gpa, 0, 0, 0);
        t += this.rng.int(200, 600);
        this.ev(EV_USER_EXIT, t, FLAGS_NONE).a = KVM_EXIT_MMIO;
        t += this.rng.int(6000, 30000);
        this.mmioEvent(t, MMIO_READ, len, gpa, dev ? dev.readValue : 0, 0, 0);
      }
    }
    t += this.rng.int(300, 900);
    this.entry(t, pc);
    this.now += this.rng.int(thinkLo, thinkHi) * 1000;
  }

  private mmioEvent(t: number, type: number, len: number, gpa: number, lo: number, hi: number, model: number): void {
    const e = this.ev(EV_MMIO, t, FLAGS_NONE);
    e.a = type;
    e.b = len;
    e.gpa = gpa;
    e.valLo = lo;
    e.valHi = hi;
    e.model = model;
    e.vcpu = this.vcpu;
  }

  private deviceAt(gpa: number): { readValue: number; ioeventfd?: boolean } | null {
    const devs = this.vm.platform.devices;
    for (const k in devs) {
      const d = devs[k as keyof typeof devs];
      if (d.gpa === gpa) return d;
    }
    return null;
  }

  /** FAR_EL2: the guest VA of the access (identity-mapped firmware, or the OS's ioremap area). */
  private far(e: HostEvent, gpa: number): void {
    const va = this.current.mmioVa;
    if (va === null) {
      e.farLo = gpa >>> 0;
      e.farHi = Math.floor(gpa / TWO32) >>> 0;
      return;
    }
    const sum = va.lo + (gpa % 0x01000000);
    e.farLo = sum >>> 0;
    e.farHi = (va.hi + (sum >= TWO32 ? 1 : 0)) >>> 0;
  }

  private sysreg(slot: number, op0: number, op1: number, crn: number, crm: number, op2: number, write: boolean, pc: Pc, rt: number): void {
    let t = this.beginEpisode();
    this.exitEvent(t, EXIT_RET_TRAP, EC_SYS64, pc);
    t += this.rng.int(150, 450);
    const esr = 0x62000000 | (op0 << 20) | (op2 << 17) | (op1 << 14) | (crn << 10) | ((rt & 31) << 5) | (crm << 1) | (write ? 0 : 1);
    this.ev(EV_HANDLE_SYSREG, t, FLAGS_NONE).a = esr >>> 0;
    t += this.rng.int(100, 400);
    const e = this.ev(EV_SYS_ACCESS, t, FLAGS_NONE);
    e.a = slot;
    e.b = write ? 1 : 0;
    e.pcLo = pc.lo;
    e.pcHi = pc.hi;
    t += this.rng.int(200, 700);
    this.entry(t, pc);
  }

  private hvc(id: number, pc: Pc): void {
    let t = this.beginEpisode();
    this.exitEvent(t, EXIT_RET_TRAP, EC_HVC64, pc);
    t += this.rng.int(150, 450);
    const e = this.ev(EV_HVC, t, FLAGS_NONE);
    e.a = id;
    e.b = 0;
    e.pcLo = pc.lo;
    e.pcHi = pc.hi;
    t += this.rng.int(500, 3000);
    this.entry(t, pc);
    this.now += this.rng.int(2, 30) * 1000;
  }

  /** kvm_exit for IRQ or WFx (+ kvm_wfx_arm64); returns the time of the last event. */
  private exitOnly(wfx: boolean, pc: Pc): number {
    let t = this.beginEpisode();
    if (wfx) {
      this.exitEvent(t, EXIT_RET_TRAP, EC_WFX, pc);
      t += this.rng.int(150, 500);
      const w = this.ev(EV_WFX, t, FLAGS_NONE);
      w.a = 0;
      w.pcLo = pc.lo;
      w.pcHi = pc.hi;
    } else this.exitEvent(t, EXIT_RET_IRQ, EC_UNKNOWN, pc);
    return t;
  }

  /** vgic_update_irq_pending from this vCPU thread or the VMM's main thread. */
  private inject(irq: number, level: number, fromVmm: boolean, at: number): void {
    const vcpuId = irq < 32 ? this.vcpu : 0; // SPIs: no target vCPU (0), as 6.7+ kernels trace it
    if (!fromVmm) {
      const e = this.ev(EV_IRQ_PENDING, at, FLAGS_IRQS_OFF);
      e.a = vcpuId;
      e.b = irq;
      e.c = level;
      return;
    }
    if (at > this.ctx.endNs) return;
    const th = this.vm.vmmThread;
    const e = th.alloc();
    e.kind = EV_IRQ_PENDING;
    e.ts = at;
    e.cpu = th.cpu;
    e.flags = FLAGS_NONE;
    e.a = vcpuId;
    e.b = irq;
    e.c = level;
    th.settleLast();
    this.ctx.heap.upsert(th);
  }

  /** A PC somewhere in the running guest's code (reused record: events copy it at once). */
  private randomPc(): Pc {
    const text = this.current.text;
    const sum = text.lo + ((this.rng.u32() & 0x3ffffc) >>> 0);
    this.noisePc.lo = sum >>> 0;
    this.noisePc.hi = (text.hi + (sum >= TWO32 ? 1 : 0)) >>> 0;
    return this.noisePc;
  }
}
