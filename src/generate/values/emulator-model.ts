/**
 * The generator's values from the project's vGIC emulator (src/emulator, the model the replayer
 * uses): GICD/GICR reads and writes go through VgicModel under the chosen revision profile, so a
 * generated trace replays without a single mismatch by construction. The ITS, which the emulator
 * leaves unmodelled, comes from ./its.ts.
 */
import { resolveAccess, resolved } from '../../emulator/access-check.ts';
import { compiledFrame, type CompiledFrame } from '../../emulator/compiled-frame.ts';
import { profileById } from '../../emulator/profiles.ts';
import { makeShape } from '../../emulator/shape.ts';
import { DELIVERY_GROUP0, DELIVERY_GROUP1, VgicModel } from '../../emulator/vgic-model.ts';
import { redistAt, redistBase, type GicConfig, type GicValueModel } from './gic-value-model.ts';
import { ItsModel } from './its.ts';
import type { U64 } from './u64.ts';


export class EmulatorGicModel implements GicValueModel {
  private readonly vgic: VgicModel;
  private readonly dist: CompiledFrame;
  private readonly redist: CompiledFrame;
  private readonly distSize: number;
  private readonly its: ItsModel | null;

  constructor(readonly config: GicConfig) {
    const v3 = config.version === 3;
    this.vgic = new VgicModel(profileById(String(config.rev)), makeShape(config.version, config.nrIrqs, config.vcpus, config.its, undefined,
      config.gicrHigh ? [config.gicrHigh.first, config.vcpus - config.gicrHigh.first] : undefined));
    this.vgic.reset(true);
    this.dist = compiledFrame(v3 ? 'gicd-v3' : 'gicd-v2');
    this.redist = compiledFrame('gicr-v3');
    this.distSize = v3 ? 0x10000 : 0x1000;
    this.its = v3 && config.its ? new ItsModel(config.gits) : null;
  }

  claims(gpa: number): boolean {
    const c = this.config;
    if (gpa >= c.gicd && gpa < c.gicd + this.distSize) return true;
    if (redistAt(c, gpa) >= 0) return true;
    return this.its !== null && this.its.claims(gpa);
  }

  read(vcpu: number, gpa: number, len: number, out: U64): void {
    const c = this.config;
    const m = this.vgic;
    if (gpa >= c.gicd && gpa < c.gicd + this.distSize) {
      const off = gpa - c.gicd;
      const d = resolveAccess(this.dist, off, len, c.nrIrqs);
      m.read(this.dist, d, resolved.intid, off, len, vcpu);
      out.set(m.lo, m.hi);
    } else if (redistAt(c, gpa) >= 0) {
      const target = redistAt(c, gpa);
      const off = gpa - redistBase(c, target);
      const d = resolveAccess(this.redist, off, len, c.nrIrqs);
      m.read(this.redist, d, resolved.intid, off, len, target);
      out.set(m.lo, m.hi);
    } else if (this.its?.claims(gpa)) this.its.read(gpa, len, out);
    else out.set(0, 0);
  }

  write(vcpu: number, gpa: number, len: number, lo: number, hi: number): void {
    const c = this.config;
    if (gpa >= c.gicd && gpa < c.gicd + this.distSize) {
      const off = gpa - c.gicd;
      const d = resolveAccess(this.dist, off, len, c.nrIrqs);
      this.vgic.write(this.dist, d, resolved.intid, off, len, vcpu, lo, hi);
    } else if (redistAt(c, gpa) >= 0) {
      const target = redistAt(c, gpa);
      const off = gpa - redistBase(c, target);
      const d = resolveAccess(this.redist, off, len, c.nrIrqs);
      this.vgic.write(this.redist, d, resolved.intid, off, len, target, lo, hi);
    } else if (this.its?.claims(gpa)) this.its.write(gpa, len, lo, hi);
  }

  deliverable(vcpu: number, intid: number, groupMask: number): boolean {
    const d = this.vgic.delivery(vcpu, intid);
    if (d === DELIVERY_GROUP1) return (groupMask & 2) !== 0;
    if (d === DELIVERY_GROUP0) return (groupMask & 1) !== 0;
    return false;
  }
}
