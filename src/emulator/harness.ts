/**
 * A convenience front end over one VgicModel for tests, `registers`-style exploration and the
 * replay's `--explain`: accesses by block and offset, results as plain objects. Not for hot loops.
 */
import { resolveAccess, resolved } from './access-check.ts';
import { compiledFrame, type CompiledFrame } from './compiled-frame.ts';
import { profileById } from './profiles.ts';
import { makeShape, type VgicShape } from './shape.ts';
import { VgicModel } from './vgic-model.ts';

export interface HarnessOptions {
  revision: string;
  gicVersion?: 2 | 3;
  nrIrqs?: number;
  nrVcpus?: number;
  its?: boolean;
  /** Start from the reset state (default) or from "everything unknown". */
  fromReset?: boolean;
  shape?: VgicShape;
}

export interface ReadResult {
  value: number;
  /** 64-bit reads: the high word. */
  high: number;
  /** Bits whose value the model knows. */
  known: number;
  knownHigh: number;
}

export class VgicHarness {
  readonly model: VgicModel;
  private readonly gicd: CompiledFrame;
  private readonly gicr: CompiledFrame;
  private readonly gicc: CompiledFrame;

  constructor(o: HarnessOptions) {
    const v = o.shape?.gicVersion ?? o.gicVersion ?? 3;
    const shape = o.shape ?? makeShape(v, o.nrIrqs ?? 256, o.nrVcpus ?? 4, o.its ?? true);
    this.model = new VgicModel(profileById(o.revision), shape);
    this.model.reset(o.fromReset ?? true);
    this.gicd = compiledFrame(v === 2 ? 'gicd-v2' : 'gicd-v3');
    this.gicr = compiledFrame('gicr-v3');
    this.gicc = compiledFrame('gicc-v2');
  }

  private frame(block: 'GICD' | 'GICR' | 'GICC'): CompiledFrame {
    return block === 'GICD' ? this.gicd : block === 'GICR' ? this.gicr : this.gicc;
  }

  /** `vcpu`: the accessing vCPU (GICD) or the redistributor frame's vCPU (GICR). */
  read(block: 'GICD' | 'GICR' | 'GICC', offset: number, len = 4, vcpu = 0): ReadResult {
    const cf = this.frame(block);
    const d = resolveAccess(cf, offset, len, this.model.shape.nrIrqs);
    this.model.read(cf, d, resolved.intid, offset, len, vcpu);
    const m = this.model;
    return { value: m.lo >>> 0, high: m.hi >>> 0, known: m.klo >>> 0, knownHigh: m.khi >>> 0 };
  }

  write(block: 'GICD' | 'GICR' | 'GICC', offset: number, value: number, len = 4, vcpu = 0, high = 0): number {
    const cf = this.frame(block);
    const d = resolveAccess(cf, offset, len, this.model.shape.nrIrqs);
    this.model.effect = 0;
    this.model.write(cf, d, resolved.intid, offset, len, vcpu, value >>> 0, high >>> 0);
    return this.model.effect;
  }

  /** Teach the model a recorded read (as the replay does for bits it does not know). */
  observe(block: 'GICD' | 'GICR', offset: number, value: number, len = 4, vcpu = 0): void {
    const cf = this.frame(block);
    const d = resolveAccess(cf, offset, len, this.model.shape.nrIrqs);
    const intid = resolved.intid;
    this.model.read(cf, d, intid, offset, len, vcpu);
    this.model.learn(cf, d, intid, offset, len, vcpu, value >>> 0, 0, ~this.model.klo >>> 0, ~this.model.khi >>> 0);
  }
}
