/**
 * One VM's lockstep replay: a VgicModel per compared revision (plus the host's, for fidelity,
 * when it is not among them), the per-pair per-register tallies, and the first-divergence details.
 * The engine (engine.ts) resolves each access once and calls replayRead / replayWrite here.
 */
import { REGISTER_NAMES } from '../gic/catalogue.ts';
import { redistRegions } from '../gic/layout.ts';
import { platformById } from '../gic/platforms.ts';
import { H } from '../gic/descriptor.ts';
import { compiledFrame, W_FEATURE_SHIFT, type CompiledFrame } from '../emulator/compiled-frame.ts';
import { profileById, type RevisionProfile } from '../emulator/profiles.ts';
import { defaultMpidr, makeShape } from '../emulator/shape.ts';
import { EFFECT_UNKNOWN, VgicModel } from '../emulator/vgic-model.ts';
import { sharingPlan, unsharedPlan, type SharingPlan } from '../emulator/sharing.ts';
import { getI64, type AccessBatch } from '../model/access-batch.ts';
import { formatMasked } from './format.ts';
import type { VmScan } from './prescan.ts';
import type { VmBlocks } from './vm-blocks.ts';
import { sensitiveRegisters } from './sensitivity.ts';
import { compareTouched, deliveryKeys, DIFFERENT, SAME, stateField, stateKey, UNKNOWN } from './state-compare.ts';
import type { FidelityExample, ReplayOptions, ReplayVmInput, StoryLine } from './types.ts';

const ALL = 0xffffffff;
/** Entries of VmRun.tidCache (a power of two). */
export const TID_CACHE = 64;
const R = REGISTER_NAMES.length;
const DELIVERY_NAMES = ['not delivered', 'Group 1 (IRQ)', 'Group 0 (FIQ)'];
/**
 * GICv2: whether Group 0 is an FIQ depends on GICC_CTLR.FIQEn in the CPU interface, which the
 * guest programs through the untraced GICV page (vgic.md §3.1; Linux leaves it clear: IRQ).
 */
const DELIVERY_NAMES_V2 = ['not delivered', 'Group 1', 'Group 0'];

/** Where an access came from, for details (built only on the cold paths, from the current row). */
/** Where the exact timestamp of an injection comes from (read only when a report needs it). */
export interface TsSource {
  exactTs(): bigint | null;
}

export interface RowInfo {
  seq: number;
  ts: bigint | null;
  vcpu: number | null;
  op: 'R' | 'W';
  offset: number;
  block: string;
  recLo: number;
  recHi: number;
  hasValue: boolean;
  len: number;
}

export interface Detail {
  seq: number;
  ts: bigint | null;
  vcpu: number | null;
  op: 'R' | 'W';
  offset: number;
  recorded: string | null;
  from: string;
  to: string;
  kind: 'read' | 'write' | 'effect';
  observed: boolean;
  observedSeq: number | null;
  observedBy: string | null;
}

export interface DeliveryDetail {
  pair: number;
  seq: number;
  ts: bigint | null;
  vcpu: number;
  irq: number;
  from: string;
  to: string;
}

export class VmRun {
  readonly input: ReplayVmInput;
  readonly scan: VmScan;
  readonly models: VgicModel[];
  readonly profiles: RevisionProfile[];
  /** Index of the host revision's model in `models`. */
  readonly hostIdx: number;
  readonly hostRevisionSource: string;
  readonly pairA: Int8Array;
  readonly pairB: Int8Array;
  readonly P: number;
  readonly nv: number;
  readonly nrIrqs: number;
  readonly nrIrqsSource: string;
  readonly stateOrigin: string;
  readonly gicd: CompiledFrame;
  readonly gicr: CompiledFrame;
  readonly gicc: CompiledFrame;
  readonly sensitive: Uint8Array;
  readonly plan: SharingPlan;
  private readonly readAllH: Uint8Array;
  /** A profile fact that decides delivery (IGROUPR reads as all ones) differs between the models. */
  private readonly deliveryFactsDiffer: boolean;
  /**
   * The delivery state the models keep privately (group, distributor enable) may differ between
   * them: false while every write to it compared SAME for every pair — the models then signal every
   * interrupt alike and the delivery checks can be skipped. Starts true when that state may
   * already differ at reset (distributor state owned per model) and in reference mode.
   */
  private privateMayDiffer: boolean;
  readonly hostModel: VgicModel;
  /** models[0]: shared-state writes go to it. */
  readonly m0: VgicModel;
  readonly blocks: VmBlocks;
  /** blocks.pages, for the engine's one-load address look-up. */
  readonly pages: Int32Array;
  readonly v2: boolean;
  private readonly writeAllH: Uint8Array;
  /**
   * Bit per handler kind: set = the engine sends the access through replayRead/replayWrite (it
   * runs on every model, may affect delivery, or the VM is being explained); clear = the inline
   * shared path.
   */
  readonly slowRead: number;
  slowWrite: number;
  /** CompiledFrame.words feature bits the shared read (host) / write (models[0]) model lacks. */
  readonly noFeatureRead: number;
  readonly noFeatureWrite: number;
  /**
   * Direct-mapped tid → vCPU pairs [tid, vCPU] that vcpuOfTid() handed out (vCPU -1 = empty), so
   * the engine maps rows without a vCPU column without a Map look-up. The mapping never changes.
   */
  readonly tidCache = new Int32Array(2 * TID_CACHE).fill(-1);
  /** The row being replayed (set by the engine), for the cold paths that report it. */
  cur: AccessBatch | null = null;
  ci = 0;
  curBlock = '';
  readonly ignored: Uint8Array;
  /** Accesses per register (the same for every pair). */
  readonly touched: Int32Array;
  readonly diverged: Int32Array;
  readonly unknown: Int32Array;
  readonly firstDiverge = new Map<number, Detail>();
  /** 1 once firstDiverge holds pair × register idx; 2 once that divergence was observed (no Map look-ups on the hot path). */
  private readonly divState: Uint8Array;
  readonly firstUnknown = new Map<number, number>();
  /** Per pair: open latent differences, state key → register id of the write that made them. */
  private readonly latent: Map<number, number>[];
  /** Per pair: bit per state field (key >>> 24) ever put in `latent`, so most accesses skip the Map. */
  private readonly latentFields: Int32Array;
  readonly deliveries: DeliveryDetail[] = [];
  readonly deliveryCount: Int32Array;
  private readonly codes: Int8Array;
  private readonly keys: number[] = [];
  // Counters: every access of the VM is exactly one of replayed or skipped*.
  replayed = 0;
  irqEvents = 0;
  skippedNotMmio = 0;
  skippedOutside = 0;
  skippedUnmodelled = 0;
  writesWithoutValue = 0;
  fidReads = 0;
  fidCompared = 0;
  fidMismatches = 0;
  readonly fidExamples: FidelityExample[] = [];
  private readonly maxExamples: number;
  // --explain
  readonly explain: boolean;
  readonly story: StoryLine[] = [];
  private readonly deliveryNames: readonly string[];
  private storyRing: StoryLine[] = [];
  private storyAfter = -1;

  constructor(input: ReplayVmInput, scan: VmScan, opts: ReplayOptions, revisions: string[]) {
    this.input = input;
    this.scan = scan;
    const version = scan.blocks.gicVersion;
    this.deliveryNames = version === 2 ? DELIVERY_NAMES_V2 : DELIVERY_NAMES;
    let nrIrqs = scan.nrIrqsFromTyper;
    // without a recorded GICD_TYPER: --nr-irqs, else what the VMM configures (platforms.ts), else 256
    const vmmIrqs = platformById(input.layout.platform)?.nrIrqs;
    this.nrIrqsSource = nrIrqs !== null ? 'GICD_TYPER read' : opts.nrIrqs !== undefined ? '--nr-irqs'
      : vmmIrqs !== undefined ? `${input.layout.platform} default` : 'default';
    nrIrqs ??= opts.nrIrqs ?? vmmIrqs ?? 256;
    this.nrIrqs = nrIrqs;
    const nv = scan.vcpus;
    this.nv = nv;
    const mpidr = Array.from({ length: nv }, (_, i) => scan.mpidr.get(i) ?? Number.NaN);
    const regions = redistRegions(input.layout.blocks).map((r) => r.count);
    const shape = makeShape(version, nrIrqs, nv, scan.hasIts, mpidr.map((m, i) => (Number.isNaN(m) ? defaultMpidr(i) : m)), regions);
    const host = opts.hostRevision !== undefined ? [opts.hostRevision, '--host-revision'] : scan.hostRevision() ?? ['3', scan.noRevisionReason()];
    this.hostRevisionSource = host[1]!;
    this.profiles = revisions.map(profileById);
    let hostIdx = revisions.indexOf(host[0]!);
    if (hostIdx < 0) {
      this.profiles.push(profileById(host[0]!));
      hostIdx = this.profiles.length - 1;
    }
    this.hostIdx = hostIdx;
    this.plan = opts.reference ? unsharedPlan() : sharingPlan(this.profiles);
    const first = new VgicModel(this.profiles[0]!, shape);
    this.models = [first, ...this.profiles.slice(1).map((p) => new VgicModel(p, shape, { from: first, own: this.plan.own }))];
    const fromReset = opts.fromReset === true || scan.bootSeen === true;
    for (const m of this.models) m.reset(fromReset);
    if (opts.fromReset !== true && scan.bootSeen === true) for (const m of this.models) m.forgetLpiState();
    this.stateOrigin = opts.fromReset ? 'reset (--from-reset)'
      : scan.bootSeen ? `reset (boot probe seen at seq ${scan.bootSeq})` : 'unknown (trace starts mid-life)';
    const pa: number[] = [];
    const pb: number[] = [];
    for (let a = 0; a < revisions.length; a++) for (let b = a + 1; b < revisions.length; b++) { pa.push(a); pb.push(b); }
    this.pairA = Int8Array.from(pa);
    this.pairB = Int8Array.from(pb);
    this.P = pa.length;
    this.gicd = compiledFrame(version === 2 ? 'gicd-v2' : 'gicd-v3');
    this.gicr = compiledFrame('gicr-v3');
    this.gicc = compiledFrame('gicc-v2');
    this.sensitive = new Uint8Array(this.P * R);
    for (let p = 0; p < this.P; p++)
      for (const name of sensitiveRegisters(this.profiles[pa[p]!]!, this.profiles[pb[p]!]!, version)) this.sensitive[p * R + REGISTER_NAMES.indexOf(name)] = 1;
    this.ignored = new Uint8Array(R);
    for (const name of opts.ignore ?? []) {
      const id = REGISTER_NAMES.indexOf(name.toUpperCase());
      if (id >= 0) this.ignored[id] = 1;
    }
    this.touched = new Int32Array(R);
    this.diverged = new Int32Array(this.P * R);
    this.divState = new Uint8Array(this.P * R);
    this.readAllH = this.plan.readAll;
    this.deliveryFactsDiffer = opts.reference === true || new Set(this.profiles.map((p) => p.groupRead)).size > 1;
    this.privateMayDiffer = opts.reference === true || this.plan.own.has('dist');
    this.hostModel = this.models[this.hostIdx]!;
    this.m0 = this.models[0]!;
    this.blocks = scan.blocks;
    this.pages = scan.blocks.pages;
    this.v2 = version === 2;
    this.writeAllH = this.plan.writeAll;
    this.unknown = new Int32Array(this.P * R);
    this.latent = Array.from({ length: this.P }, () => new Map<number, number>());
    this.latentFields = new Int32Array(this.P);
    this.deliveryCount = new Int32Array(this.P);
    this.codes = new Int8Array(this.models.length);
    this.maxExamples = opts.maxExamples ?? 5;
    this.explain = opts.explainVm === input.code;
    let slowRead = 0;
    for (let h = 0; h < 32; h++) if (this.explain || this.readAllH[h] === 1) slowRead |= 1 << h;
    this.slowRead = slowRead;
    this.slowWrite = this.slowWriteMask();
    this.noFeatureRead = (~this.hostModel.features & 3) << W_FEATURE_SHIFT;
    this.noFeatureWrite = (~this.m0.features & 3) << W_FEATURE_SHIFT;
  }

  /** Writes that take the general path: on every model, delivery checks while delivery can differ, --explain. */
  private slowWriteMask(): number {
    let mask = 0;
    for (let h = 0; h < 32; h++) {
      const delivery = this.deliveryCanDiffer && (h === H.SGIR || h === H.PEND_SET);
      if (this.explain || this.writeAllH[h] === 1 || delivery) mask |= 1 << h;
    }
    return mask;
  }

  /** Some interrupt could be signalled differently under two of the models. */
  private get deliveryCanDiffer(): boolean {
    return this.privateMayDiffer || this.deliveryFactsDiffer;
  }

  get accesses(): number {
    return this.replayed + this.skippedNotMmio + this.skippedOutside + this.skippedUnmodelled;
  }

  /** vCPU of a row without one: dense index per thread (remembered in tidCache for the engine). */
  vcpuOfTid(tid: number): number {
    const v = this.scan.vcpuOfTid(tid, this.nv);
    const slot = (tid & (TID_CACHE - 1)) << 1;
    this.tidCache[slot] = tid;
    this.tidCache[slot + 1] = v;
    return v;
  }

  /** Every model reads; each keeps its result in its out* fields. */
  private readAll(cf: CompiledFrame, d: number, intid: number, off: number, len: number, cpu: number): void {
    const ms = this.models;
    for (let k = 0; k < ms.length; k++) ms[k]!.read(cf, d, intid, off, len, cpu);
  }

  /** The current row as a RowInfo (cold paths only). */
  row(): RowInfo {
    const b = this.cur!;
    const i = this.ci;
    const hasValue = (b.validity.value[i >>> 3]! & (1 << (i & 7))) !== 0;
    const hasTs = (b.validity.ts_ns[i >>> 3]! & (1 << (i & 7))) !== 0;
    return {
      seq: b.seq32[2 * i + 1]! * 4294967296 + b.seq32[2 * i]!,
      ts: hasTs ? getI64(b.ts32, i) : null,
      vcpu: (b.validity.vcpu[i >>> 3]! & (1 << (i & 7))) !== 0 ? b.vcpu[i]! : this.vcpuOfTid(b.tid[i]!),
      op: b.op[i] === 0 ? 'R' : 'W', offset: 0, block: this.curBlock,
      recLo: b.value32[2 * i]!, recHi: b.value32[2 * i + 1]!, hasValue, len: b.len[i]!,
    };
  }

  private seq(): number {
    const b = this.cur!;
    return b.seq32[2 * this.ci + 1]! * 4294967296 + b.seq32[2 * this.ci]!;
  }

  replayRead(cf: CompiledFrame, d: number, intid: number, off: number, len: number, cpu: number, hasValue: boolean, recLo: number, recHi: number): void {
    const h = d >= 0 ? cf.handler[d]! : 0;
    if (this.readAllH[h] === 0 && !this.explain) {
      this.readShared(cf, d, intid, off, len, cpu, hasValue, recLo, recHi);
      return;
    }
    const ms = this.models;
    this.readAll(cf, d, intid, off, len, cpu);
    const lmask = len >= 4 ? -1 : (1 << (len * 8)) - 1;
    const hmask = len === 8 ? -1 : 0;
    if (hasValue) {
      const hm = this.hostModel;
      this.fidReads++;
      const kl = hm.outKlo & lmask;
      const kh = hm.outKhi & hmask;
      if ((kl | kh) !== 0) {
        this.fidCompared++;
        if ((((recLo ^ hm.outLo) & kl) | ((recHi ^ hm.outHi) & kh)) !== 0) this.fidelityMismatch(cf, d, off);
      }
      const ul = ~hm.outKlo & lmask;
      const uh = ~hm.outKhi & hmask;
      if ((ul | uh) !== 0 && d >= 0) {
        for (const m of ms) m.learn(cf, d, intid, off, len, cpu, recLo, recHi, ul, uh);
        this.readAll(cf, d, intid, off, len, cpu);
      }
    }
    const regId = d >= 0 ? cf.regId[d]! : -1;
    if (this.explain) this.storyAccess(cf, d, off, lmask, hmask, intid, cpu);
    if (regId < 0) return;
    this.touched[regId]!++;
    for (let p = 0; p < this.P; p++) {
      const a = ms[this.pairA[p]!]!;
      const b = ms[this.pairB[p]!]!;
      const idx = p * R + regId;
      const diff = ((a.outLo ^ b.outLo) & a.outKlo & b.outKlo & lmask) | ((a.outHi ^ b.outHi) & a.outKhi & b.outKhi & hmask);
      if (diff !== 0) {
        this.diverged[idx]!++;
        const st = this.divState[idx]!;
        if (st === 0) this.recordRead(p, idx, off, lmask, hmask);
        else if (st === 1) this.observeRegister(idx, regId, -1);
        if ((this.latentFields[p]! & (1 << stateField(h))) !== 0) this.observeKey(p, stateKey(ms[0]!, h, intid, cpu), regId, -1);
      } else if ((((a.outKlo ^ b.outKlo) & lmask) | ((a.outKhi ^ b.outKhi) & hmask)) !== 0) {
        this.unknown[idx]!++;
        if (!this.firstUnknown.has(idx)) this.firstUnknown.set(idx, this.seq());
      }
    }
  }

  /**
   * Fast path: a read every model answers identically from shared state (no profile fact
   * differs for its handler), so one model reads it and no pair can differ.
   */
  private readShared(cf: CompiledFrame, d: number, intid: number, off: number, len: number, cpu: number,
    hasValue: boolean, recLo: number, recHi: number): void {
    const m = this.hostModel;
    m.read(cf, d, intid, off, len, cpu);
    if (hasValue) {
      this.fidReads++;
      const lmask = len >= 4 ? -1 : (1 << (len * 8)) - 1;
      const hmask = len === 8 ? -1 : 0;
      const kl = m.outKlo & lmask;
      const kh = m.outKhi & hmask;
      if ((kl | kh) !== 0) {
        this.fidCompared++;
        if ((((recLo ^ m.outLo) & kl) | ((recHi ^ m.outHi) & kh)) !== 0) this.fidelityMismatch(cf, d, off);
      }
      const ul = ~m.outKlo & lmask;
      const uh = ~m.outKhi & hmask;
      if ((ul | uh) !== 0 && d >= 0) for (const x of this.models) x.learn(cf, d, intid, off, len, cpu, recLo, recHi, ul, uh);
    }
    if (d >= 0) { const regId = cf.regId[d]!; if (regId >= 0) this.touched[regId]!++; }
  }

  /**
   * A shared read whose known bits disagree with the recorded value (engine fast path; ci set,
   * the host's model holds the read).
   */
  sharedReadMismatch(cf: CompiledFrame, d: number, off: number): void {
    this.fidelityMismatch(cf, d, off);
  }

  /** Every model learns the recorded bits the host's model did not know (`ul`/`uh`). */
  learnAll(cf: CompiledFrame, d: number, intid: number, off: number, len: number, cpu: number, recLo: number, recHi: number,
    ul: number, uh: number): void {
    for (const x of this.models) x.learn(cf, d, intid, off, len, cpu, recLo, recHi, ul, uh);
  }

  replayWrite(cf: CompiledFrame, d: number, intid: number, off: number, len: number, cpu: number, hasValue: boolean, recLo: number, recHi: number): void {
    if (!hasValue) { this.writesWithoutValue++; return; }
    const ms = this.models;
    const h = d >= 0 ? cf.handler[d]! : 0;
    const all = this.writeAllH[h] === 1;
    if (all) for (let k = 0; k < ms.length; k++) ms[k]!.write(cf, d, intid, off, len, cpu, recLo, recHi);
    else ms[0]!.write(cf, d, intid, off, len, cpu, recLo, recHi); // shared state: once for all
    const regId = d >= 0 ? cf.regId[d]! : -1;
    if (this.explain) this.storyAccess(cf, d, off, ALL, 0, intid, cpu);
    if (regId >= 0) {
      this.touched[regId]!++;
      if (all) this.compareWrite(cf, d, h, intid, off, len, cpu, regId);
    }
    if (!this.deliveryCanDiffer) return;
    if (h === H.SGIR) {
      const m0 = ms[0]!;
      for (let c = 0; c < this.nv; c++) if ((m0.sgirTargets >>> c) & 1 && m0.sgirIntid >= 0) this.checkDelivery(c, m0.sgirIntid, -1, null);
    } else if (h === H.PEND_SET) {
      for (let bits = recLo | 0; bits !== 0; bits &= bits - 1) this.checkDelivery(cpu, intid + 31 - Math.clz32(bits & -bits), -1, null);
    }
  }

  private compareWrite(cf: CompiledFrame, d: number, h: number, intid: number, off: number, len: number, cpu: number, regId: number): void {
    const ms = this.models;
    for (let p = 0; p < this.P; p++) {
      const ma = ms[this.pairA[p]!]!;
      const mb = ms[this.pairB[p]!]!;
      const idx = p * R + regId;
      const r = compareTouched(ma, mb, h, intid, off, len, cpu);
      if (r !== SAME && (h === H.GROUP || h === H.D_CTLR) && !this.privateMayDiffer) {
        this.privateMayDiffer = true; // from now on, check deliveries
        this.slowWrite = this.slowWriteMask();
      }
      if (r === DIFFERENT) {
        this.diverged[idx]!++;
        const effect = h === H.INVLPIR || h === H.INVALLR || h === H.GICC_DIR;
        if (this.divState[idx] === 0) this.recordWrite(p, idx, cf, d, intid, off, len, cpu, effect);
        if (!effect) {
          const key = stateKey(ma, h, intid, cpu);
          this.latent[p]!.set(key, regId);
          this.latentFields[p]! |= 1 << (key >>> 24);
        }
      } else if (r === UNKNOWN) {
        this.unknown[idx]!++;
        if (!this.firstUnknown.has(idx)) this.firstUnknown.set(idx, this.seq());
      } else if ((this.latentFields[p]! & (1 << stateField(h))) !== 0) {
        this.latent[p]!.delete(stateKey(ma, h, intid, cpu)); // state equal again: nothing left to observe
      }
    }
  }

  /** A trapped GICv3 SGI-generation sysreg write (see VgicModel.sgiFromSysreg). */
  sgiFromSysreg(): void {
    for (const m of this.models) m.sgiFromSysreg();
  }

  /** Host injection from `vgic_update_irq_pending`. */
  applyIrq(vcpu: number, irq: number, level: boolean, seq: number, ts: TsSource): void {
    this.irqEvents++;
    const cpu = vcpu >= 0 && vcpu < this.nv ? vcpu : 0;
    if (level && this.deliveryCanDiffer) this.checkDelivery(cpu, irq, seq, ts);
    for (const m of this.models) m.inject(cpu, irq, level);
    if (this.explain && this.storyAfter !== -1) this.pushStory({ seq, ts_ns: ts.exactTs(), vcpu, text: `IRQ ${irq} line ${level ? 'raised' : 'lowered'} on vCPU ${cpu}`, values: {}, mark: '' });
  }

  /**
   * Would the interrupt be signalled differently? Reveals latent differences (group, enable,
   * routing). seq < 0 (and no `tsSource`): the current row (computed only if something differs).
   */
  checkDelivery(cpu: number, irq: number, seq: number, tsSource: TsSource | null): void {
    const ms = this.models;
    let told = false;
    for (let k = 0; k < ms.length; k++) this.codes[k] = ms[k]!.delivery(cpu, irq);
    for (let p = 0; p < this.P; p++) {
      const ca = this.codes[this.pairA[p]!]!;
      const cb = this.codes[this.pairB[p]!]!;
      if (ca < 0 || cb < 0 || ca === cb) continue;
      let ts: bigint | null;
      if (seq < 0) { const row = this.row(); seq = row.seq; ts = row.ts; } else ts = tsSource?.exactTs() ?? null;
      this.deliveryCount[p]!++;
      const text = `IRQ ${irq} on vCPU ${cpu}`;
      if (this.deliveryCount[p] === 1)
        this.deliveries.push({ pair: p, seq, ts, vcpu: cpu, irq, from: this.deliveryNames[ca]!, to: this.deliveryNames[cb]! });
      deliveryKeys(ms[0]!, cpu, irq, this.keys);
      for (const key of this.keys) this.observeKey(p, key, `delivery of ${text}`, seq);
      if (this.explain && !told) {
        told = true;
        const values: Record<string, string> = {};
        for (let k = 0; k < ms.length; k++) values[`rev ${this.profiles[k]!.id}`] = this.deliveryNames[this.codes[k]!] ?? 'unknown';
        this.pushStory({ seq, ts_ns: ts, vcpu: cpu, text: `${text} would be signalled differently`, values, mark: 'observed' });
      }
    }
  }

  /** `by`: a description, or a register id whose read revealed it (formatted only when needed). */
  private observeKey(p: number, key: number, by: string | number, seq: number): void {
    const origin = this.latent[p]!.get(key);
    if (origin === undefined) return;
    this.observeRegister(p * R + origin, by, seq);
  }

  private observeRegister(idx: number, by: string | number, seq: number): void {
    const det = this.firstDiverge.get(idx);
    if (!det || det.observed) return;
    this.divState[idx] = 2;
    det.observed = true;
    det.observedSeq = seq >= 0 ? seq : this.seq();
    det.observedBy = typeof by === 'number' ? `read of ${REGISTER_NAMES[by]}` : by;
  }

  /** Model k's last read (its out* fields), formatted. */
  private valueOf(k: number, len: number, lmask: number, hmask: number): string {
    const m = this.models[k]!;
    return formatMasked(m.outLo, m.outHi, m.outKlo | ~lmask, m.outKhi | ~hmask, len);
  }

  private recorded(row: RowInfo): string | null {
    return row.hasValue ? formatMasked(row.recLo, row.recHi, ALL, ALL, row.len) : null;
  }

  private recordRead(p: number, idx: number, off: number, lmask: number, hmask: number): void {
    const row = this.row();
    const a = this.pairA[p]!;
    const b = this.pairB[p]!;
    this.firstDiverge.set(idx, {
      seq: row.seq, ts: row.ts, vcpu: row.vcpu, op: 'R', offset: off, recorded: this.recorded(row),
      from: this.valueOf(a, row.len, lmask, hmask), to: this.valueOf(b, row.len, lmask, hmask), kind: 'read',
      observed: true, observedSeq: row.seq, observedBy: 'the read itself',
    });
    this.divState[idx] = 2;
    if (!this.ignored[idx % R]) this.markStory();
  }

  /** First divergence at a write: the register read back under each revision shows the state. */
  private recordWrite(p: number, idx: number, cf: CompiledFrame, d: number, intid: number, off: number, len: number, cpu: number,
    effect: boolean): void {
    const row = this.row();
    const a = this.models[this.pairA[p]!]!;
    const b = this.models[this.pairB[p]!]!;
    const rlen = len === 8 ? 8 : 4;
    const roff = off & ~(rlen - 1);
    const show = (m: VgicModel): string => {
      if (effect) return m.effect === EFFECT_UNKNOWN ? 'unknown' : m.effect ? 'takes effect' : 'no effect';
      m.read(cf, d, intid, roff, rlen, cpu);
      return formatMasked(m.lo, m.hi, m.klo, rlen === 8 ? m.khi : ALL, rlen);
    };
    this.firstDiverge.set(idx, {
      seq: row.seq, ts: row.ts, vcpu: row.vcpu, op: 'W', offset: off, recorded: this.recorded(row),
      from: show(a), to: show(b), kind: effect ? 'effect' : 'write',
      observed: effect, observedSeq: effect ? row.seq : null, observedBy: effect ? 'side effect of the write' : null,
    });
    this.divState[idx] = effect ? 2 : 1;
    if (!this.ignored[idx % R]) this.markStory();
  }

  /** The host's model (holding its read) disagrees with the recorded value. */
  private fidelityMismatch(cf: CompiledFrame, d: number, off: number): void {
    this.fidMismatches++;
    if (this.fidExamples.length >= this.maxExamples) return;
    const row = this.row();
    const m = this.hostModel;
    this.fidExamples.push({
      seq: row.seq, register: d >= 0 ? cf.frame.registers[d]!.name : null, offset: off,
      recorded: formatMasked(row.recLo, row.recHi, ALL, ALL, row.len),
      model: formatMasked(m.outLo, m.outHi, m.outKlo, m.outKhi, row.len),
    });
  }

  // ---- --explain story -------------------------------------------------------------------

  private storyAccess(cf: CompiledFrame, d: number, off: number, lmask: number, hmask: number, intid: number, cpu: number): void {
    const row = this.row();
    const name = d >= 0 ? cf.frame.registers[d]!.name : '(no register)';
    const where = `${row.block}+0x${off.toString(16)}`;
    const values: Record<string, string> = {};
    if (row.op === 'R') {
      for (let k = 0; k < this.models.length; k++) values[`rev ${this.profiles[k]!.id}`] = this.valueOf(k, row.len, lmask, hmask);
    } else if (d >= 0) {
      // After a write: the register read back under each revision (reads have no side effects).
      const rlen = row.len === 8 ? 8 : 4;
      const roff = off & ~(rlen - 1);
      for (let k = 0; k < this.models.length; k++) {
        const m = this.models[k]!;
        m.read(cf, d, intid, roff, rlen, cpu);
        values[`rev ${this.profiles[k]!.id}`] = formatMasked(m.lo, m.hi, m.klo, rlen === 8 ? m.khi : ALL, rlen);
      }
    }
    const text = row.op === 'R'
      ? `R ${name} (${where}) recorded ${this.recorded(row) ?? '(no value)'}`
      : `W ${name} (${where}) = ${this.recorded(row)}`;
    this.pushStory({ seq: row.seq, ts_ns: row.ts, vcpu: row.vcpu, text, values, mark: '' });
  }

  private pushStory(line: StoryLine): void {
    if (this.storyAfter === -1) {
      this.storyRing.push(line);
      if (this.storyRing.length > 8) this.storyRing.shift();
    } else if (this.storyAfter > 0 || line.mark === 'observed') {
      if (line.mark !== 'observed') this.storyAfter--;
      this.story.push(line);
    }
  }

  /** Called at the first divergence: keep the context before it and the next lines. */
  private markStory(): void {
    if (!this.explain || this.storyAfter !== -1) return;
    const last = this.storyRing[this.storyRing.length - 1];
    if (last) last.mark = 'first-divergence';
    this.story.push(...this.storyRing);
    this.storyRing = [];
    this.storyAfter = 8;
  }

  /** Adds the per-revision state to the first-divergence story line (after both models ran). */
  annotateFirst(): void {
    const first = this.story.find((l) => l.mark === 'first-divergence');
    if (!first) return;
    for (const [idx, det] of this.firstDiverge) {
      if (det.seq !== first.seq || this.ignored[idx % R]) continue;
      const p = Math.floor(idx / R);
      first.values[`rev ${this.profiles[this.pairA[p]!]!.id}`] = det.from;
      first.values[`rev ${this.profiles[this.pairB[p]!]!.id}`] = det.to;
      if (det.kind === 'write') first.mark = det.observed ? 'first-divergence' : 'latent';
    }
  }
}
