/**
 * One emulated KVM vGIC (GICv3 distributor + redistributors, or the GICv2 distributor) under one
 * revision profile. State lives in typed arrays; every state bit has a known bit beside it, so a
 * trace that starts mid-life can say "unknown" instead of inventing reset values.
 *
 * Hot-path API (no allocation): read() leaves the value and its known mask in lo/hi/klo/khi;
 * write() updates state and leaves `effect` (side effects that leave no register trace, such as an
 * LPI invalidation). Semantics per handler kind follow vgic.md §5–9 and the kernel functions named
 * in the comments.
 */
import { H } from '../gic/descriptor.ts';
import type { CompiledFrame } from './compiled-frame.ts';
import { FLAG_PRIVATE_RAZ } from './compiled-frame.ts';
import { hostFeatureMask, type RevisionProfile } from './profiles.ts';
import { gicdTyper, type VgicShape } from './shape.ts';
import type { FieldGroup } from './sharing.ts';

const ALL = 0xffffffff;
const lenMask = (len: number): number => (len >= 4 ? ALL : (1 << (len * 8)) - 1) >>> 0;

/** Delivery of an interrupt as the guest would see it. */
export const DELIVERY_UNKNOWN = -1;
export const DELIVERY_NONE = 0; // disabled, distributor off, or no target
export const DELIVERY_GROUP1 = 1; // IRQ
export const DELIVERY_GROUP0 = 2; // FIQ (v3: needs ICC_IGRPEN0; v2: needs GICV_CTLR.EnableGrp0/FIQEn)

/*
 * The handler switches below use the H values as literal case labels, commented with their
 * names: with `case H.X:` V8 loads H.X for every case in turn (a compare chain through memory);
 * with literals it emits a jump table. This check ties the literals to descriptor.ts.
 */
const HANDLER_LITERALS: Record<keyof typeof H, number> = {
  RAZ_WI: 0, RAO_WI: 1, CONST: 2, D_CTLR: 3, D_TYPER: 4, D_IIDR: 5, D_TYPER2: 6, GROUP: 7, ENABLE_SET: 8, ENABLE_CLEAR: 9,
  PEND_SET: 10, PEND_CLEAR: 11, ACTIVE_SET: 12, ACTIVE_CLEAR: 13, PRIORITY: 14, CONFIG: 15, TARGETS: 16, ROUTER: 17, SGIR: 18,
  SGI_PEND_CLEAR: 19, SGI_PEND_SET: 20, R_CTLR: 21, R_TYPER: 22, PROPBASER: 23, PENDBASER: 24, INVLPIR: 25, INVALLR: 26,
  SYNCR: 27, GICC_DIR: 28, UNMODELLED: 29,
};
for (const [name, v] of Object.entries(HANDLER_LITERALS)) {
  if (H[name as keyof typeof H] !== v) throw new Error(`vgic-model.ts: handler literal ${name} = ${v} is out of step with descriptor.ts`);
}

export const EFFECT_NONE = 0;
export const EFFECT_DONE = 1;
export const EFFECT_UNKNOWN = -1;

export class VgicModel {
  readonly profile: RevisionProfile;
  readonly shape: VgicShape;
  readonly v2: boolean;
  readonly nv: number;
  /** Words of per-IRQ bit state: one private word per vCPU, then the SPI words. */
  readonly nw: number;
  readonly features: number;
  private readonly typer: number;

  /**
   * Output of the last read: value low/high and known-bits low/high, as int32 bit patterns (small
   * integers to V8: plain fields, no heap-number boxing, and cheaper to read than array slots).
   */
  outLo = 0;
  outHi = 0;
  outKlo = 0;
  outKhi = 0;
  /** Side effect of the last INVLPIR/INVALLR/GICC_DIR write (EFFECT_*). */
  effect = 0;

  get lo(): number { return this.outLo >>> 0; }
  get hi(): number { return this.outHi >>> 0; }
  get klo(): number { return this.outKlo >>> 0; }
  get khi(): number { return this.outKhi >>> 0; }

  // Per-IRQ bit state (value, known).
  readonly group: Uint32Array;
  readonly groupK: Uint32Array;
  readonly en: Uint32Array;
  readonly enK: Uint32Array;
  readonly pend: Uint32Array; // pending latch
  readonly pendK: Uint32Array;
  readonly lvl: Uint32Array; // line level
  readonly lvlK: Uint32Array;
  readonly act: Uint32Array;
  readonly actK: Uint32Array;
  readonly edge: Uint32Array; // config: 1 = edge
  readonly edgeK: Uint32Array;
  // Per-IRQ byte state.
  readonly prio: Uint8Array;
  readonly prioK: Uint8Array;
  readonly targets: Uint8Array; // GICv2 SPI targets
  readonly targetsK: Uint8Array;
  // GICv3 SPI routing.
  readonly router: Int32Array;
  readonly routerK: Uint8Array;
  readonly routeVcpu: Int16Array; // -1 = no vCPU has that affinity
  // GICv2 SGI sources: [target vCPU * 16 + sgi] = bitmap of source vCPUs.
  readonly sgiSrc: Uint8Array;
  readonly sgiSrcK: Uint8Array;
  /** Distributor: [enabled, enabled known, nASSGIreq, nASSGIreq known]. */
  readonly dist: Int32Array;
  // Redistributors.
  readonly rdCtlr: Uint8Array; // EnableLPIs
  readonly rdCtlrK: Uint8Array;
  /** VM-wide PROPBASER: [low, high, known (bit 0 low half, bit 1 high half)]. */
  readonly prop: Uint32Array;
  readonly pendbLo: Uint32Array;
  readonly pendbHi: Uint32Array;
  readonly pendbK: Uint8Array;
  // merge64's result.
  private mergedLo = 0;
  private mergedHi = 0;
  // Last GICv2 SGIR write, for the engine's delivery check.
  sgirTargets = 0;
  sgirIntid = -1;

  constructor(profile: RevisionProfile, shape: VgicShape, share?: { from: VgicModel; own: ReadonlySet<FieldGroup> }) {
    this.profile = profile;
    this.shape = shape;
    this.v2 = shape.gicVersion === 2;
    this.nv = shape.nrVcpus;
    this.nw = this.nv + (shape.nrIrqs >>> 5) - 1;
    this.features = hostFeatureMask(profile.host);
    this.typer = gicdTyper(shape);
    const nIrq = this.nv * 32 + shape.nrIrqs - 32;
    const nSpi = shape.nrIrqs - 32;
    const w = () => new Uint32Array(this.nw);
    // State another model shares unless this model owns that field group (see sharing.ts).
    const src = share?.from;
    const own = (g: FieldGroup) => !src || share!.own.has(g);
    if (own('group')) { this.group = w(); this.groupK = w(); } else { this.group = src!.group; this.groupK = src!.groupK; }
    if (own('dist')) this.dist = new Int32Array(4); else this.dist = src!.dist;
    if (own('lpi')) {
      this.prop = new Uint32Array(3);
      this.pendbLo = new Uint32Array(this.nv); this.pendbHi = new Uint32Array(this.nv); this.pendbK = new Uint8Array(this.nv);
    } else {
      this.prop = src!.prop; this.pendbLo = src!.pendbLo; this.pendbHi = src!.pendbHi; this.pendbK = src!.pendbK;
    }
    if (own('common')) {
      this.en = w(); this.enK = w(); this.pend = w(); this.pendK = w();
      this.lvl = w(); this.lvlK = w(); this.act = w(); this.actK = w(); this.edge = w(); this.edgeK = w();
      this.prio = new Uint8Array(nIrq); this.prioK = new Uint8Array(nIrq);
      this.targets = new Uint8Array(nIrq); this.targetsK = new Uint8Array(nIrq);
      this.router = new Int32Array(nSpi); this.routerK = new Uint8Array(nSpi); this.routeVcpu = new Int16Array(nSpi);
      this.sgiSrc = new Uint8Array(this.nv * 16); this.sgiSrcK = new Uint8Array(this.nv * 16);
      this.rdCtlr = new Uint8Array(this.nv); this.rdCtlrK = new Uint8Array(this.nv);
    } else {
      const o = src!;
      this.en = o.en; this.enK = o.enK; this.pend = o.pend; this.pendK = o.pendK; this.lvl = o.lvl; this.lvlK = o.lvlK;
      this.act = o.act; this.actK = o.actK; this.edge = o.edge; this.edgeK = o.edgeK; this.prio = o.prio; this.prioK = o.prioK;
      this.targets = o.targets; this.targetsK = o.targetsK; this.router = o.router; this.routerK = o.routerK;
      this.routeVcpu = o.routeVcpu; this.sgiSrc = o.sgiSrc; this.sgiSrcK = o.sgiSrcK; this.rdCtlr = o.rdCtlr; this.rdCtlrK = o.rdCtlrK;
    }
    this.reset(false);
  }

  /**
   * `kvm_vgic_dist_init` + `kvm_vgic_vcpu_init` (vgic.md §9). known=false leaves every mutable
   * bit unknown (trace starts mid-life); read-only facts (private configuration) stay known.
   */
  reset(known: boolean): void {
    const K = known ? ALL : 0;
    const kb = known ? 1 : 0;
    const groupReset = this.v2 ? 0 : ALL;
    for (let i = 0; i < this.nw; i++) {
      const priv = i < this.nv;
      this.group[i] = groupReset; this.groupK[i] = K;
      this.en[i] = priv ? 0x0000ffff : 0; this.enK[i] = K; // SGIs enabled at reset
      this.pend[i] = 0; this.pendK[i] = K;
      this.lvl[i] = 0; this.lvlK[i] = K;
      this.act[i] = 0; this.actK[i] = K;
      this.edge[i] = priv ? 0x0000ffff : ALL; // SGIs edge, PPIs level, SPIs edge
      this.edgeK[i] = priv ? ALL : K; // private configuration is read-only
    }
    this.prio.fill(0); this.prioK.fill(kb);
    this.targets.fill(0); this.targetsK.fill(kb);
    this.router.fill(0); this.routerK.fill(kb); this.routeVcpu.fill(0); // SPIs target vCPU 0
    this.sgiSrc.fill(0); this.sgiSrcK.fill(known ? 0xff : 0);
    this.dist[0] = 0; this.dist[1] = kb; this.dist[2] = 0; this.dist[3] = known || !this.profile.host.vsgi ? 1 : 0;
    this.rdCtlr.fill(0); this.rdCtlrK.fill(kb);
    this.prop[0] = 0; this.prop[1] = 0; this.prop[2] = known ? 3 : 0;
    this.pendbLo.fill(0); this.pendbHi.fill(0); this.pendbK.fill(known ? 3 : 0);
  }

  /**
   * EnableLPIs, PROPBASER and PENDBASER unknown (a boot probe in a trace): the probe is also what a
   * kexec'd kernel or a re-onlined CPU does first, and LPI state survives both; KVM's own reset
   * value also differs from what the VMM restores. The guest's reads reveal them (Linux reads
   * GICR_CTLR before it programs the tables).
   */
  forgetLpiState(): void {
    if (this.v2) return;
    this.rdCtlrK.fill(0);
    this.prop[2] = 0;
    this.pendbK.fill(0);
  }

  /** Bit-state word of (vCPU, INTID): private words are banked per vCPU. */
  wordOf(cpu: number, intid: number): number {
    return intid < 32 ? cpu : this.nv + (intid >>> 5) - 1;
  }

  /** Byte-state index of (vCPU, INTID). */
  indexOf(cpu: number, intid: number): number {
    return intid < 32 ? cpu * 32 + intid : this.nv * 32 + intid - 32;
  }

  /** The vCPU whose MPIDR affinity is `aff`, or -1 (`kvm_mpidr_to_vcpu`). */
  vcpuForAffinity(aff: number): number {
    const m = this.shape.mpidr;
    for (let i = 0; i < m.length; i++) if (m[i] === aff) return i;
    return -1;
  }

  private value32(v: number, k: number): void {
    this.outLo = v | 0; this.outHi = 0; this.outKlo = k | 0; this.outKhi = -1;
  }

  /** A 64-bit register read at (off & 7) with len 4 or 8: `extract_bytes`. */
  private value64(vlo: number, vhi: number, klo: number, khi: number, off: number, len: number): void {
    if (len === 8) {
      this.outLo = vlo | 0; this.outHi = vhi | 0; this.outKlo = klo | 0; this.outKhi = khi | 0;
    } else if ((off & 4) !== 0) {
      this.value32(vhi, khi);
    } else {
      this.value32(vlo, klo);
    }
  }

  /**
   * Guest read. `d` is the descriptor index in `cf` (from resolveAccess), `intid` its first INTID,
   * `cpu` the vCPU whose banked state is addressed (GICR: the frame's; GICD: the accessor).
   */
  read(cf: CompiledFrame, d: number, intid: number, off: number, len: number, cpu: number): void {
    if (d < 0 || (cf.feature[d]! & ~this.features) !== 0 || ((cf.flags[d]! & FLAG_PRIVATE_RAZ) !== 0 && intid < 32)) {
      this.value32(0, ALL);
      return;
    }
    this.readH(cf.handler[d]!, cf, d, intid, off, len, cpu);
  }

  /**
   * read() once the access is known to reach handler `h` of descriptor `d` (the replay engine
   * resolves that from its precomputed tables; a RAZ access is h = H.RAZ_WI).
   */
  readH(h: number, cf: CompiledFrame, d: number, intid: number, off: number, len: number, cpu: number): void {
    switch (h) { // case labels: see HANDLER_LITERALS
      case 8 /* ENABLE_SET */: case 9 /* ENABLE_CLEAR */: {
        const w = this.wordOf(cpu, intid);
        this.value32(this.en[w]!, this.enK[w]!);
        return;
      }
      case 3 /* D_CTLR */:
        if (this.v2) this.value32(this.dist[0]!, this.dist[1]! ? ALL : ~1);
        else this.value32((this.dist[0]! << 1) | 0x50 | (this.dist[2]! << 8), ~((this.dist[1]! ? 0 : 2) | (this.dist[3]! ? 0 : 0x100)));
        return;
      case 21 /* R_CTLR */:
        this.value32(this.rdCtlr[cpu]! | this.profile.rdCtlrAdvertise, this.rdCtlrK[cpu] ? ALL : ~1);
        return;
      case 10 /* PEND_SET */: case 11 /* PEND_CLEAR */: this.readPending(this.wordOf(cpu, intid)); return;
      case 17 /* ROUTER */: {
        const spi = intid - 32;
        if ((off & 4) !== 0) { this.value32(0, ALL); return; } // upper word RAZ
        this.value64(this.router[spi]!, 0, this.routerK[spi] ? ALL : 0xff000000, ALL, off, len);
        return;
      }
      case 14 /* PRIORITY */: this.readBytes(this.prio, this.prioK, this.indexOf(cpu, intid), len); return;
      case 12 /* ACTIVE_SET */: case 13 /* ACTIVE_CLEAR */: {
        const w = this.wordOf(cpu, intid);
        this.value32(this.act[w]!, this.actK[w]!);
        return;
      }
      case 15 /* CONFIG */: this.readConfig(this.wordOf(cpu, intid), intid & 31); return;
      case 7 /* GROUP */: {
        if (this.profile.groupRead === 'all-ones') { this.value32(ALL, ALL); return; }
        const w = this.wordOf(cpu, intid);
        this.value32(this.group[w]!, this.groupK[w]!);
        return;
      }
      case 22 /* R_TYPER */: {
        const last = this.shape.rdistLast[cpu] === 1 ? 0x10 : 0;
        this.value64(((cpu & 0xffff) << 8) | last | (this.shape.hasIts ? 1 : 0), this.shape.mpidr[cpu]! & 0xffffff, ALL, ALL, off, len);
        return;
      }
      case 4 /* D_TYPER */: this.value32(this.typer, ALL); return;
      case 5 /* D_IIDR */: this.value32(this.profile.iidr, ALL); return;
      case 2 /* CONST */: this.value32(cf.constValue[d]!, ALL); return;
      case 1 /* RAO_WI */: this.value32(lenMask(len), ALL); return;
      case 6 /* D_TYPER2 */: this.value32(this.profile.host.vsgi ? 0x100 : 0, ALL); return;
      case 16 /* TARGETS */:
        if (intid < 32) this.value32(((1 << cpu) * 0x01010101) & lenMask(len), ALL); // `1 << vcpu_id`, read-only
        else this.readBytes(this.targets, this.targetsK, this.indexOf(cpu, intid), len);
        return;
      case 19 /* SGI_PEND_CLEAR */: case 20 /* SGI_PEND_SET */: this.readBytes(this.sgiSrc, this.sgiSrcK, cpu * 16 + (off & 0xf), len, true); return;
      case 23 /* PROPBASER */:
        this.value64(this.prop[0]!, this.prop[1]!, this.prop[2]! & 1 ? ALL : 0, this.prop[2]! & 2 ? ALL : 0, off, len);
        return;
      case 24 /* PENDBASER */: {
        const k = this.pendbK[cpu]!;
        const ptz = this.profile.host.ptzReadsZero ? 1 << 30 : 0; // PTZ reads 0 (after 4.18)
        this.value64(this.pendbLo[cpu]!, this.pendbHi[cpu]! & ~ptz, k & 1 ? ALL : 0, k & 2 ? ALL : ptz, off, len);
        return;
      }
      case 29 /* UNMODELLED */: this.value32(0, 0); return;
      default: this.value32(0, ALL); // RAZ_WI, SGIR, INVLPIR, INVALLR, SYNCR, GICC_DIR reads
    }
  }

  /** `irq_is_pending`: the latch, or the line level of a level-triggered IRQ. */
  private readPending(w: number): void {
    const latch = this.pend[w]!;
    const lk = this.pendK[w]!;
    const lvl = this.lvl[w]!;
    const vk = this.lvlK[w]!;
    const edge = this.edge[w]!;
    const ek = this.edgeK[w]!;
    const levelCfg = ek & ~edge;
    const one = (lk & latch) | (levelCfg & vk & lvl);
    const zero = lk & ~latch & ((ek & edge) | (levelCfg & vk & ~lvl));
    this.value32(latch | (lvl & ~edge), one | zero);
  }

  private readBytes(vals: Uint8Array, known: Uint8Array, ix: number, len: number, bitKnown = false): void {
    let v = 0;
    let k = 0;
    for (let i = 0; i < len; i++) {
      v |= vals[ix + i]! << (8 * i);
      k |= (bitKnown ? known[ix + i]! : known[ix + i] ? 0xff : 0) << (8 * i);
    }
    this.value32(v, k | ~lenMask(len));
  }

  private readConfig(w: number, shift: number): void {
    const e = this.edge[w]! >>> shift;
    const k = this.edgeK[w]! >>> shift;
    let v = 0;
    let km = 0;
    for (let i = 0; i < 16; i++) {
      v |= ((e >>> i) & 1) << (2 * i + 1);
      km |= ((k >>> i) & 1) * (3 << (2 * i));
    }
    this.value32(v, km);
  }

  /** Guest write; see read() for the parameters. */
  write(cf: CompiledFrame, d: number, intid: number, off: number, len: number, cpu: number, lo: number, hi: number): void {
    if (d < 0 || (cf.feature[d]! & ~this.features) !== 0 || ((cf.flags[d]! & FLAG_PRIVATE_RAZ) !== 0 && intid < 32)) {
      this.effect = EFFECT_NONE;
      this.sgirIntid = -1;
      return;
    }
    this.writeH(cf.handler[d]!, intid, off, len, cpu, lo, hi);
  }

  /**
   * write() once the access is known to reach handler `h` (see readH). `effect` and `sgirIntid`
   * are only meaningful after the handlers that set them (INVLPIR, INVALLR, GICC_DIR; SGIR): not
   * stored on every write, to keep the hot path short.
   */
  writeH(h: number, intid: number, off: number, len: number, cpu: number, lo: number, hi: number): void {
    switch (h) { // case labels: see HANDLER_LITERALS
      case 8 /* ENABLE_SET */: {
        const w = this.wordOf(cpu, intid);
        this.en[w]! |= lo; this.enK[w]! |= lo;
        this.release(cpu, intid, lo, false); // enabling may queue a pending IRQ
        return;
      }
      case 9 /* ENABLE_CLEAR */: { const w = this.wordOf(cpu, intid); this.en[w]! &= ~lo; this.enK[w]! |= lo; return; }
      case 17 /* ROUTER */: {
        if ((off & 4) !== 0) return; // upper word WI (no Aff3)
        const spi = intid - 32;
        const aff = lo & 0xffffff;
        this.router[spi] = aff; this.routerK[spi] = 1; this.routeVcpu[spi] = this.vcpuForAffinity(aff);
        this.release(cpu, intid, 1 << (intid & 31), false);
        return;
      }
      case 25 /* INVLPIR */: case 26 /* INVALLR */:
        if ((off & 4) !== 0) { this.effect = EFFECT_NONE; return; } // upper word ignored
        this.effect = !this.rdCtlrK[cpu] ? EFFECT_UNKNOWN : this.rdCtlr[cpu] ? EFFECT_DONE : EFFECT_NONE;
        return;
      case 14 /* PRIORITY */: {
        const ix = this.indexOf(cpu, intid);
        for (let i = 0; i < len; i++) { this.prio[ix + i] = (lo >>> (8 * i)) & 0xf8; this.prioK[ix + i] = 1; } // VGIC_PRI_BITS = 5
        return;
      }
      case 15 /* CONFIG */: {
        if (intid < 32) return; // SGI/PPI configuration is read-only
        const w = this.wordOf(cpu, intid);
        const shift = intid & 31;
        let bits = 0;
        for (let i = 0; i < 16; i++) bits |= ((lo >>> (2 * i + 1)) & 1) << i;
        const mask = 0xffff << shift;
        this.edge[w] = (this.edge[w]! & ~mask) | (bits << shift);
        this.edgeK[w]! |= mask;
        return;
      }
      case 10 /* PEND_SET */: case 11 /* PEND_CLEAR */: {
        const mask = this.v2 && intid === 0 ? lo & 0xffff0000 : lo; // GICv2 SGIs: use the SGI registers
        const w = this.wordOf(cpu, intid);
        if (h === 10 /* PEND_SET */) this.pend[w]! |= mask; else this.pend[w]! &= ~mask;
        this.pendK[w]! |= mask;
        if (h === 10 /* PEND_SET */) this.release(cpu, intid, mask, true);
        return;
      }
      case 12 /* ACTIVE_SET */: { const w = this.wordOf(cpu, intid); this.act[w]! |= lo; this.actK[w]! |= lo; return; }
      case 13 /* ACTIVE_CLEAR */: { const w = this.wordOf(cpu, intid); this.act[w]! &= ~lo; this.actK[w]! |= lo; return; }
      case 7 /* GROUP */: {
        if (this.profile.groupWrite === 'ignore') return; // rev 0 RAO/WI; proposed rev 1 returns early
        const w = this.wordOf(cpu, intid);
        this.group[w] = lo; this.groupK[w] = ALL;
        return;
      }
      case 3 /* D_CTLR */: {
        const was = this.dist[1]! && this.dist[0]!;
        this.writeDistCtlr(lo);
        if (!was && this.dist[0]!) this.releaseAll(); // enabling the distributor forwards what is pending
        return;
      }
      case 21 /* R_CTLR */: {
        if (!this.shape.hasIts) return;
        // EnableLPIs 0→1, or 1→RWP→0 (the transient is not visible to the writer): known afterwards.
        this.rdCtlr[cpu] = lo & 1; this.rdCtlrK[cpu] = 1;
        return;
      }
      case 18 /* SGIR */: this.writeSgir(lo, cpu); return;
      case 16 /* TARGETS */: {
        if (intid < 32) return;
        const ix = this.indexOf(cpu, intid);
        const cpuMask = (1 << this.nv) - 1;
        for (let i = 0; i < len; i++) { this.targets[ix + i] = (lo >>> (8 * i)) & cpuMask; this.targetsK[ix + i] = 1; }
        return;
      }
      case 19 /* SGI_PEND_CLEAR */: case 20 /* SGI_PEND_SET */: this.writeSgiPend(h === 20 /* SGI_PEND_SET */, off, len, cpu, lo); return;
      case 23 /* PROPBASER */: {
        if (!this.rdCtlrK[cpu]) { this.prop[2]! &= len === 8 ? 0 : off & 4 ? 1 : 2; return; } // took or not: unknown
        if (this.rdCtlr[cpu]) return; // ignored while LPIs are enabled
        const k = this.merge64(this.prop[0]!, this.prop[1]!, this.prop[2]!, off, len, lo, hi);
        this.prop[0] = sanitiseLo(this.mergedLo, 0x60); this.prop[1] = this.sanitiseHi(this.mergedHi, 0xf8f00000); this.prop[2] = k;
        return;
      }
      case 24 /* PENDBASER */: {
        if (!this.rdCtlrK[cpu]) { this.pendbK[cpu]! &= len === 8 ? 0 : off & 4 ? 1 : 2; return; }
        if (this.rdCtlr[cpu]) return;
        const k = this.merge64(this.pendbLo[cpu]!, this.pendbHi[cpu]!, this.pendbK[cpu]!, off, len, lo, hi);
        this.pendbLo[cpu] = sanitiseLo(this.mergedLo, 0xf07f); this.pendbHi[cpu] = this.sanitiseHi(this.mergedHi, 0xb8f00000); this.pendbK[cpu] = k;
        return;
      }
      case 28 /* GICC_DIR */: this.effect = EFFECT_DONE; return; // deactivation reaches the vGIC only with the trap
      default: return; // RAZ_WI, RAO_WI, CONST, TYPER, IIDR, TYPER2, R_TYPER, SYNCR, UNMODELLED
    }
  }

  /** `vgic_mmio_write_v3_misc` / `_v2_misc` GICD_CTLR. */
  private writeDistCtlr(lo: number): void {
    if (this.v2) { this.dist[0] = lo & 1; this.dist[1] = 1; return; }
    const wasEn = this.dist[0]!;
    const wasK = this.dist[1]!;
    this.dist[0] = (lo >>> 1) & 1; this.dist[1] = 1;
    if (!this.profile.host.vsgi) { this.dist[2] = 0; this.dist[3] = 1; return; }
    if (!wasK) { this.dist[3] = 0; return; } // frozen only if it stays enabled: unknown
    if (!(wasEn && this.dist[0]!)) { this.dist[2] = (lo >>> 8) & 1; this.dist[3] = 1; }
  }

  /** `vgic_mmio_write_sgir`. */
  private writeSgir(lo: number, src: number): void {
    this.sgirIntid = -1;
    const intid = lo & 0xf;
    const mode = (lo >>> 24) & 3;
    let targets = (lo >>> 16) & 0xff;
    if (mode === 1) targets = ((1 << this.nv) - 1) & ~(1 << src);
    else if (mode === 2) targets = 1 << src;
    else if (mode === 3) return;
    targets &= (1 << this.nv) - 1;
    for (let c = 0; c < this.nv; c++) {
      if (((targets >>> c) & 1) === 0) continue;
      this.sgiSrc[c * 16 + intid]! |= 1 << src;
      this.sgiSrcK[c * 16 + intid]! |= 1 << src;
      this.pend[c]! |= 1 << intid;
      this.pendK[c]! |= 1 << intid;
      this.release(c, intid, 1 << intid, true);
    }
    this.sgirTargets = targets;
    this.sgirIntid = intid;
  }

  /** `vgic_mmio_write_sgipendc` / `_sgipends`: source bitmaps of the accessing vCPU's SGIs. */
  private writeSgiPend(set: boolean, off: number, len: number, cpu: number, lo: number): void {
    for (let i = 0; i < len; i++) {
      const sgi = (off & 0xf) + i;
      const ix = cpu * 16 + sgi;
      const b = (lo >>> (8 * i)) & 0xff;
      if (set) this.sgiSrc[ix]! |= b; else this.sgiSrc[ix]! &= ~b;
      this.sgiSrcK[ix]! |= b;
      const src = this.sgiSrc[ix]!;
      const k = this.sgiSrcK[ix]!;
      const bit = 1 << sgi;
      if ((src & k) !== 0) { this.pend[cpu]! |= bit; this.pendK[cpu]! |= bit; if (set) this.release(cpu, sgi, bit, true); }
      else if (k === 0xff && !set) { this.pend[cpu]! &= ~bit; this.pendK[cpu]! |= bit; }
    }
  }

  /**
   * `update_64bit_reg`: a 32-bit write replaces the half selected by addr & 4. Leaves the value
   * in mergedLo/mergedHi and returns the known-halves mask (no array per write).
   */
  private merge64(vlo: number, vhi: number, k: number, off: number, len: number, lo: number, hi: number): number {
    if (len === 8) { this.mergedLo = lo; this.mergedHi = hi; return 3; }
    if ((off & 4) !== 0) { this.mergedLo = vlo; this.mergedHi = lo; return k | 2; }
    this.mergedLo = lo; this.mergedHi = vhi;
    return k | 1;
  }

  /**
   * After a guest write that may let interrupts reach a vCPU (set pending, enable, route, SGI,
   * distributor enable): the guest may acknowledge and EOI a deliverable pending interrupt through
   * the CPU interface, which no trace shows (vgic.md §6.3, §8), so its pending and active bits
   * become unknown, as after inject(). `mask`: bits of the 32-INTID word holding `intid`;
   * `pending`: the write made them pending (else only those that may already be pending count).
   */
  private release(cpu: number, intid: number, mask: number, pending: boolean): void {
    const base = intid & ~31;
    const w = this.wordOf(cpu, base);
    let m = mask;
    if (!pending) {
      // known not pending: latch known 0, and edge-triggered or line known low
      m &= ~(this.pendK[w]! & ~this.pend[w]! & ((this.edgeK[w]! & this.edge[w]!) | (this.lvlK[w]! & ~this.lvl[w]!)));
    }
    m &= this.pendK[w]! | this.actK[w]!; // bits already unknown stay so
    while (m !== 0) {
      const b = 31 - Math.clz32(m);
      const bit = 1 << b;
      m &= ~bit;
      const irq = base + b;
      const target = irq < 32 ? cpu : this.spiTarget(irq);
      if (this.delivery(target < 0 ? 0 : target, irq) !== DELIVERY_NONE) { this.pendK[w]! &= ~bit; this.actK[w]! &= ~bit; }
    }
  }

  /** release() for every interrupt of every vCPU (the distributor was enabled). */
  private releaseAll(): void {
    for (let c = 0; c < this.nv; c++) this.release(c, 0, ALL, false);
    for (let base = 32; base < this.shape.nrIrqs; base += 32) this.release(0, base, ALL, false);
  }

  /**
   * A GICv3 SGI sent through ICC_SGI1R_EL1 / ICC_ASGI1R_EL1 / ICC_SGI0R_EL1 (a trapped sysreg
   * write; kvm_sys_access carries no value, so any SGI of any vCPU may now be pending): each
   * deliverable SGI's pending and active bits become unknown.
   */
  sgiFromSysreg(): void {
    if (this.v2) return;
    for (let c = 0; c < this.nv; c++) this.release(c, 0, 0xffff, true);
  }

  /** Outer cacheability [58:56] and RES0 bits of the high word (`vgic_sanitise_*`). */
  private sanitiseHi(h: number, res0: number): number {
    const outer = (h >>> 24) & 7;
    const fixed = outer <= 1 ? outer : this.profile.host.outerSameAsInner ? 0 : 1;
    const pa = this.profile.host.pa52 ? 0 : 0xf0000; // older kernels clear PA bits 51:48
    return ((h & ~(7 << 24) & ~res0 & ~pa) | (fixed << 24)) >>> 0;
  }

  /**
   * How an interrupt raised now would reach the guest: group 1 (IRQ), group 0 (FIQ, or never if
   * the guest enabled only Group 1), not at all, or unknown. Rev 0 signals GICv3 interrupts as
   * Group 1 and GICv2 ones as Group 0 whatever IGROUPR says.
   */
  delivery(cpu: number, intid: number): number {
    if (intid >= this.shape.nrIrqs || cpu < 0 || cpu >= this.nv) return DELIVERY_UNKNOWN;
    if (!this.dist[1]!) return DELIVERY_UNKNOWN;
    if (!this.dist[0]!) return DELIVERY_NONE;
    const w = this.wordOf(cpu, intid);
    const bit = 1 << (intid & 31);
    if ((this.enK[w]! & bit) === 0) return DELIVERY_UNKNOWN;
    if ((this.en[w]! & bit) === 0) return DELIVERY_NONE;
    if (intid >= 32 && !this.v2) {
      const spi = intid - 32;
      if (!this.routerK[spi]) return DELIVERY_UNKNOWN;
      if (this.routeVcpu[spi]! < 0) return DELIVERY_NONE;
    }
    if (this.profile.groupRead === 'all-ones') return this.v2 ? DELIVERY_GROUP0 : DELIVERY_GROUP1;
    if ((this.groupK[w]! & bit) === 0) return DELIVERY_UNKNOWN;
    return (this.group[w]! & bit) !== 0 ? DELIVERY_GROUP1 : DELIVERY_GROUP0;
  }

  /** The vCPU an SPI is delivered to (v3 routing / v2 lowest target), -1 if none or unknown. */
  spiTarget(intid: number): number {
    const spi = intid - 32;
    if (this.v2) {
      const ix = this.indexOf(0, intid);
      if (!this.targetsK[ix]) return -1;
      const t = this.targets[ix]!;
      return t === 0 ? 0 : 31 - Math.clz32(t & -t);
    }
    return this.routerK[spi] ? this.routeVcpu[spi]! : -1;
  }

  /**
   * Host injection (`kvm_vgic_inject_irq`): level IRQs follow the line, edge IRQs latch on a
   * rising level. The guest may then acknowledge it through the (untraced) CPU interface, so a
   * deliverable interrupt's pending and active bits become unknown.
   */
  inject(cpu: number, intid: number, level: boolean): void {
    if (intid >= this.shape.nrIrqs) return;
    const target = intid < 32 ? cpu : this.spiTarget(intid);
    const w = this.wordOf(target < 0 ? 0 : target, intid);
    const bit = 1 << (intid & 31);
    const edgeKnown = (this.edgeK[w]! & bit) !== 0;
    const isEdge = (this.edge[w]! & bit) !== 0;
    if (!edgeKnown) {
      this.pendK[w]! &= ~bit; this.lvlK[w]! &= ~bit;
    } else if (isEdge) {
      if (level) { this.pend[w]! |= bit; this.pendK[w]! |= bit; }
    } else {
      if (level) this.lvl[w]! |= bit; else this.lvl[w]! &= ~bit;
      this.lvlK[w]! |= bit;
    }
    if (level && this.delivery(target, intid) !== DELIVERY_NONE) { this.pendK[w]! &= ~bit; this.actK[w]! &= ~bit; }
  }

  /**
   * Learning from a recorded read: bits in `mlo/mhi` were unknown in the host model, so they
   * still hold the state from before the trace — the same in every model where they are also
   * unknown. Sets those bits from the recorded value. Read-only or constant registers teach nothing.
   */
  learn(cf: CompiledFrame, d: number, intid: number, off: number, len: number, cpu: number, lo: number, hi: number, mlo: number, mhi: number): void {
    if (d < 0 || (cf.feature[d]! & ~this.features) !== 0 || ((cf.flags[d]! & FLAG_PRIVATE_RAZ) !== 0 && intid < 32)) return;
    switch (cf.handler[d]) { // case labels: see HANDLER_LITERALS
      case 3 /* D_CTLR */:
        if (this.v2) { if (!this.dist[1]! && mlo & 1) { this.dist[0] = lo & 1; this.dist[1] = 1; } return; }
        if (!this.dist[1]! && mlo & 2) { this.dist[0] = (lo >>> 1) & 1; this.dist[1] = 1; }
        if (!this.dist[3]! && mlo & 0x100) { this.dist[2] = (lo >>> 8) & 1; this.dist[3] = 1; }
        return;
      case 7 /* GROUP */: this.learnBits(this.group, this.groupK, this.wordOf(cpu, intid), lo, mlo); return;
      case 8 /* ENABLE_SET */: case 9 /* ENABLE_CLEAR */: this.learnBits(this.en, this.enK, this.wordOf(cpu, intid), lo, mlo); return;
      case 12 /* ACTIVE_SET */: case 13 /* ACTIVE_CLEAR */: this.learnBits(this.act, this.actK, this.wordOf(cpu, intid), lo, mlo); return;
      case 10 /* PEND_SET */: case 11 /* PEND_CLEAR */: {
        const w = this.wordOf(cpu, intid);
        const e = this.edge[w]!;
        const ek = this.edgeK[w]!;
        this.learnBits(this.pend, this.pendK, w, lo, mlo & ek & e); // edge: the latch is the value
        const low = mlo & ek & ~e & ~lo; // level and reads 0: latch and line both 0
        this.learnBits(this.pend, this.pendK, w, 0, low);
        this.learnBits(this.lvl, this.lvlK, w, 0, low);
        return;
      }
      case 14 /* PRIORITY */: case 16 /* TARGETS */: {
        if (cf.handler[d] === H.TARGETS && intid < 32) return;
        const vals = cf.handler[d] === H.PRIORITY ? this.prio : this.targets;
        const known = cf.handler[d] === H.PRIORITY ? this.prioK : this.targetsK;
        const ix = this.indexOf(cpu, intid);
        for (let i = 0; i < len; i++)
          if (!known[ix + i] && ((mlo >>> (8 * i)) & 0xff) !== 0) { vals[ix + i] = (lo >>> (8 * i)) & 0xff; known[ix + i] = 1; }
        return;
      }
      case 15 /* CONFIG */: {
        if (intid < 32) return;
        const w = this.wordOf(cpu, intid);
        const shift = intid & 31;
        for (let i = 0; i < 16; i++) {
          const bit = 1 << (shift + i);
          if ((this.edgeK[w]! & bit) || !((mlo >>> (2 * i + 1)) & 1)) continue;
          if ((lo >>> (2 * i + 1)) & 1) this.edge[w]! |= bit; else this.edge[w]! &= ~bit;
          this.edgeK[w]! |= bit;
        }
        return;
      }
      case 17 /* ROUTER */: {
        const spi = intid - 32;
        if ((off & 4) !== 0 || this.routerK[spi] || (mlo & 0xffffff) === 0) return;
        this.router[spi] = lo & 0xffffff; this.routerK[spi] = 1; this.routeVcpu[spi] = this.vcpuForAffinity(lo & 0xffffff);
        return;
      }
      case 19 /* SGI_PEND_CLEAR */: case 20 /* SGI_PEND_SET */:
        for (let i = 0; i < len; i++) {
          const ix = cpu * 16 + (off & 0xf) + i;
          const m = ((mlo >>> (8 * i)) & 0xff) & ~this.sgiSrcK[ix]!;
          this.sgiSrc[ix] = (this.sgiSrc[ix]! & ~m) | ((lo >>> (8 * i)) & m);
          this.sgiSrcK[ix]! |= m;
        }
        return;
      case 21 /* R_CTLR */:
        if (!this.rdCtlrK[cpu] && mlo & 1) { this.rdCtlr[cpu] = lo & 1; this.rdCtlrK[cpu] = 1; }
        return;
      case 23 /* PROPBASER */: this.prop[2] = this.learn64(off, len, lo, hi, mlo, mhi, this.prop[2]!, (l, h) => { this.prop[0] = l ?? this.prop[0]!; this.prop[1] = h ?? this.prop[1]!; }); return;
      case 24 /* PENDBASER */:
        this.pendbK[cpu] = this.learn64(off, len, lo, hi, mlo, mhi, this.pendbK[cpu]!, (l, h) => {
          this.pendbLo[cpu] = l ?? this.pendbLo[cpu]!; this.pendbHi[cpu] = h ?? this.pendbHi[cpu]!;
        });
        return;
      default: return;
    }
  }

  private learnBits(vals: Uint32Array, known: Uint32Array, w: number, lo: number, mask: number): void {
    const m = mask & ~known[w]!;
    if (m === 0) return;
    vals[w] = (vals[w]! & ~m) | (lo & m);
    known[w]! |= m;
  }

  private learn64(off: number, len: number, lo: number, hi: number, mlo: number, mhi: number, k: number,
    set: (l: number | undefined, h: number | undefined) => void): number {
    const learnLo = (len === 8 || (off & 4) === 0) && !(k & 1) && mlo !== 0;
    const learnHi = len === 8 ? !(k & 2) && mhi !== 0 : (off & 4) !== 0 && !(k & 2) && mlo !== 0;
    const hv = len === 8 ? hi : lo;
    set(learnLo ? lo : undefined, learnHi ? hv : undefined);
    return k | (learnLo ? 1 : 0) | (learnHi ? 2 : 0);
  }
}

/** Shareability [11:10] Outer → Inner, inner cacheability [9:7] nCnB/nC → RaWb, RES0 bits cleared. */
function sanitiseLo(l: number, res0: number): number {
  let v = l & ~res0;
  if (((v >>> 10) & 3) === 2) v = (v & ~(3 << 10)) | (1 << 10);
  if (((v >>> 7) & 7) <= 1) v = (v & ~(7 << 7)) | (3 << 7);
  return v >>> 0;
}
