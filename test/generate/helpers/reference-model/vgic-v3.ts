/**
 * Reference model, independent of src/emulator: KVM's vGICv3 distributor and redistributors as a
 * guest sees them, per IIDR revision (vgic.md §1–3, §5–6, §8–9). The generator uses the emulator
 * (./emulator-model.ts); this second implementation, written from the spec alone, cross-checks it
 * in test/generate (every generated read must agree). Unmatched offsets, wrong widths, misaligned accesses and INTIDs beyond
 * nr_irqs read as zero and ignore writes (vgic.md §1.2). The ITS frame is delegated to ItsModel.
 */
import { gicdIidr, vcpuAffinity, type GicConfig, type GicValueModel } from '../../../../src/generate/values/gic-value-model.ts';
import { IrqState } from './irq-state.ts';
import { ItsModel } from '../../../../src/generate/values/its.ts';
import { extract64, field, U64, update64, withField } from '../../../../src/generate/values/u64.ts';

const RD_FRAME = 0x20000;
const SGI = 0x10000;

export class VgicV3Model implements GicValueModel {
  private enabled = false;
  private readonly irq: IrqState;
  private readonly router: Uint32Array;
  private readonly lpisEnabled: Uint8Array;
  private readonly propbaser = new U64();
  private readonly pendbaser: U64[];
  private readonly its: ItsModel | null;

  constructor(readonly config: GicConfig) {
    this.irq = new IrqState(config.vcpus, config.nrIrqs, 1);
    this.router = new Uint32Array(config.nrIrqs);
    this.lpisEnabled = new Uint8Array(config.vcpus);
    this.pendbaser = Array.from({ length: config.vcpus }, () => new U64());
    this.its = config.its ? new ItsModel(config.gits) : null;
    // INITIAL_PROPBASER_VALUE: inner RaWb, outer SameAsInner, InnerShareable.
    if (config.its) this.propbaser.set((3 << 7) | (1 << 10), 0);
  }

  claims(gpa: number): boolean {
    const c = this.config;
    if (gpa >= c.gicd && gpa < c.gicd + 0x10000) return true;
    if (gpa >= c.gicr && gpa < c.gicr + c.vcpus * RD_FRAME) return true;
    return this.its !== null && this.its.claims(gpa);
  }

  read(vcpu: number, gpa: number, len: number, out: U64): void {
    out.set(0, 0);
    const c = this.config;
    if (gpa >= c.gicd && gpa < c.gicd + 0x10000) this.readDist(vcpu, gpa - c.gicd, len, out);
    else if (gpa >= c.gicr && gpa < c.gicr + c.vcpus * RD_FRAME) {
      const rel = gpa - c.gicr;
      const target = Math.floor(rel / RD_FRAME);
      this.readRedist(target, rel - target * RD_FRAME, len, out);
    } else if (this.its?.claims(gpa)) this.its.read(gpa, len, out);
  }

  write(vcpu: number, gpa: number, len: number, lo: number, hi: number): void {
    const c = this.config;
    if (gpa >= c.gicd && gpa < c.gicd + 0x10000) this.writeDist(vcpu, gpa - c.gicd, len, lo, hi);
    else if (gpa >= c.gicr && gpa < c.gicr + c.vcpus * RD_FRAME) {
      const rel = gpa - c.gicr;
      const target = Math.floor(rel / RD_FRAME);
      this.writeRedist(target, rel - target * RD_FRAME, len, lo, hi);
    } else if (this.its?.claims(gpa)) this.its.write(gpa, len, lo, hi);
  }

  deliverable(vcpu: number, intid: number, groupMask: number): boolean {
    const i = this.irq.idx(vcpu, intid);
    if (i < 0 || !this.enabled || !this.irq.enabled[i]) return false;
    const group = this.config.rev === 0 ? 1 : this.irq.group[i]!;
    return ((groupMask >>> group) & 1) === 1;
  }

  // --- distributor -------------------------------------------------------------------------

  private readDist(vcpu: number, off: number, len: number, out: U64): void {
    if (!aligned(off, len)) return;
    const s = this.irq;
    const c = this.config;
    if (off < 0x10) {
      if (len !== 4) return;
      if (off === 0x0) out.set(0x50 | (this.enabled ? 0x2 : 0), 0); // ARE_NS | DS | EnableGrp1A
      else if (off === 0x4) {
        const idbits = c.its ? 15 : 9;
        out.set(((c.nrIrqs >>> 5) - 1) | (idbits << 19) | (c.its ? 1 << 17 : 0), 0);
      } else if (off === 0x8) out.set(gicdIidr(c.rev), 0);
      // 0xC GICD_TYPER2: no vSGI support modelled → 0
      return;
    }
    if (off === 0x10) {
      if (len === 4) out.set(0xffffffff, 0); // GICD_STATUSR RAO
      return;
    }
    if (off >= 0x80 && off < 0x400) {
      if (len !== 4) return;
      const base = ((off & 0x7f) >>> 2) * 32;
      if (base === 0 || base >= c.nrIrqs) return; // word 0 RAZ/WI (private INTIDs live in GICR)
      const reg = off & ~0x7f;
      if (reg === 0x80) out.set(c.rev === 0 ? 0xffffffff : s.readBits(s.group, vcpu, base), 0);
      else if (reg === 0x100 || reg === 0x180) out.set(s.readBits(s.enabled, vcpu, base), 0);
      else if (reg === 0x200 || reg === 0x280) out.set(s.readBits(s.pending, vcpu, base), 0);
      else if (reg === 0x300 || reg === 0x380) out.set(s.readBits(s.active, vcpu, base), 0);
      return;
    }
    if (off >= 0x400 && off < 0x800) {
      if (len !== 1 && len !== 4) return;
      const base = off - 0x400;
      if (base < 32 || base >= c.nrIrqs) return;
      out.set(s.readPriorities(vcpu, base, len), 0);
      return;
    }
    if (off >= 0xc00 && off < 0xd00) {
      if (len !== 4) return;
      const base = (off - 0xc00) * 4;
      if (base < 32 || base >= c.nrIrqs) return;
      out.set(s.readConfig(vcpu, base), 0);
      return;
    }
    if (off >= 0x6000 && off < 0x8000) {
      if (len !== 8 && len !== 4) return;
      const i = (off - 0x6000) >>> 3;
      if (i < 32 || i >= c.nrIrqs) return;
      extract64(this.router[i]!, 0, off & 7, len, out);
      return;
    }
    if (off === 0xffe8 && len === 4) out.set(0x3b, 0);
  }

  private writeDist(vcpu: number, off: number, len: number, lo: number, _hi: number): void {
    if (!aligned(off, len)) return;
    const s = this.irq;
    const c = this.config;
    if (off === 0x0) {
      if (len === 4) this.enabled = (lo & 0x2) !== 0; // EnableGrp1A; bit 0 ignored
      return;
    }
    if (off >= 0x80 && off < 0x400) {
      if (len !== 4) return;
      const base = ((off & 0x7f) >>> 2) * 32;
      if (base === 0 || base >= c.nrIrqs) return;
      const reg = off & ~0x7f;
      if (reg === 0x80) {
        if (c.rev >= 2) s.storeBits(s.group, vcpu, base, lo);
      } else if (reg === 0x100) s.applyBits(s.enabled, vcpu, base, lo, 1);
      else if (reg === 0x180) s.applyBits(s.enabled, vcpu, base, lo, 0);
      else if (reg === 0x200) s.applyBits(s.pending, vcpu, base, lo, 1);
      else if (reg === 0x280) s.applyBits(s.pending, vcpu, base, lo, 0);
      else if (reg === 0x300) s.applyBits(s.active, vcpu, base, lo, 1);
      else if (reg === 0x380) s.applyBits(s.active, vcpu, base, lo, 0);
      return;
    }
    if (off >= 0x400 && off < 0x800) {
      if (len !== 1 && len !== 4) return;
      const base = off - 0x400;
      if (base < 32 || base >= c.nrIrqs) return;
      s.writePriorities(vcpu, base, len, lo);
      return;
    }
    if (off >= 0xc00 && off < 0xd00) {
      if (len !== 4) return;
      const base = (off - 0xc00) * 4;
      if (base < 32 || base >= c.nrIrqs) return;
      s.writeConfig(vcpu, base, lo);
      return;
    }
    if (off >= 0x6000 && off < 0x8000) {
      if (len !== 8 && len !== 4) return;
      const i = (off - 0x6000) >>> 3;
      if (i < 32 || i >= c.nrIrqs || (off & 4) !== 0) return; // upper half ignored
      this.router[i] = lo & 0xffffff; // Aff2:Aff1:Aff0; IRM cannot be set
    }
  }

  // --- redistributors ----------------------------------------------------------------------

  private readRedist(target: number, off: number, len: number, out: U64): void {
    if (!aligned(off, len)) return;
    const s = this.irq;
    const c = this.config;
    if (off < SGI) {
      switch (off & ~7) {
        case 0x0:
          if (len !== 4) return;
          if (off === 0x0) out.set((this.lpisEnabled[target]! | (c.rev >= 3 ? 0x6 : 0)) >>> 0, 0);
          else out.set(0x4b00043b, 0); // GICR_IIDR
          return;
        case 0x8: {
          if (len !== 8 && len !== 4) return;
          const last = target === c.vcpus - 1 ? 0x10 : 0;
          const lo = (((target & 0xffff) << 8) | last | (c.its ? 1 : 0)) >>> 0;
          extract64(lo, vcpuAffinity(target), off & 7, len, out);
          return;
        }
        case 0x70:
          if (len === 8 || len === 4) extract64(this.propbaser.lo, this.propbaser.hi, off & 7, len, out);
          return;
        case 0x78: {
          if (len !== 8 && len !== 4) return;
          const p = this.pendbaser[target]!;
          extract64(p.lo, (p.hi & ~(1 << 30)) >>> 0, off & 7, len, out); // PTZ reads 0
          return;
        }
      }
      if (off === 0xffe8 && len === 4) out.set(0x3b, 0);
      // STATUSR, WAKER, INVLPIR, INVALLR, SYNCR (not busy): 0
      return;
    }
    const soff = off - SGI;
    if (len === 1 || len === 4) {
      if (soff >= 0x400 && soff < 0x420) {
        out.set(s.readPriorities(target, soff - 0x400, len), 0);
        return;
      }
    }
    if (len !== 4) return;
    switch (soff) {
      case 0x80: out.set(c.rev === 0 ? 0xffffffff : s.readBits(s.group, target, 0), 0); return;
      case 0x100:
      case 0x180: out.set(s.readBits(s.enabled, target, 0), 0); return;
      case 0x200:
      case 0x280: out.set(s.readBits(s.pending, target, 0), 0); return;
      case 0x300:
      case 0x380: out.set(s.readBits(s.active, target, 0), 0); return;
      case 0xc00: out.set(0xaaaaaaaa, 0); return; // SGIs edge
      case 0xc04: out.set(s.readConfig(target, 16), 0); return; // PPIs level: 0
    }
  }

  private writeRedist(target: number, off: number, len: number, lo: number, hi: number): void {
    if (!aligned(off, len)) return;
    const s = this.irq;
    const c = this.config;
    if (off < SGI) {
      switch (off & ~7) {
        case 0x0:
          if (off === 0 && len === 4 && c.its) this.lpisEnabled[target] = lo & 1;
          return;
        case 0x70:
          if ((len === 8 || len === 4) && !this.lpisEnabled[target]) {
            update64(this.propbaser, off & 7, len, lo, hi);
            sanitiseBaser(this.propbaser, 0xf8f00000 /* RES0 63:59, 55:52 */, 0x60 /* RES0 6:5 */);
          }
          return;
        case 0x78:
          if ((len === 8 || len === 4) && !this.lpisEnabled[target]) {
            const p = this.pendbaser[target]!;
            update64(p, off & 7, len, lo, hi);
            sanitiseBaser(p, 0xb8f00000 /* RES0 63, 61:59, 55:52 */, 0xf07f /* RES0 15:12, 6:0 */);
          }
          return;
      }
      // INVLPIR/INVALLR (5.19+) invalidate cached LPI configuration: nothing guest-visible here,
      // and on older hosts the offsets are RAZ/WI anyway. STATUSR/WAKER ignore writes.
      return;
    }
    const soff = off - SGI;
    if ((len === 1 || len === 4) && soff >= 0x400 && soff < 0x420) {
      s.writePriorities(target, soff - 0x400, len, lo);
      return;
    }
    if (len !== 4) return;
    switch (soff) {
      case 0x80: if (c.rev >= 2) s.storeBits(s.group, target, 0, lo); return;
      case 0x100: s.applyBits(s.enabled, target, 0, lo, 1); return;
      case 0x180: s.applyBits(s.enabled, target, 0, lo, 0); return;
      case 0x200: s.applyBits(s.pending, target, 0, lo, 1); return;
      case 0x280: s.applyBits(s.pending, target, 0, lo, 0); return;
      case 0x300: s.applyBits(s.active, target, 0, lo, 1); return;
      case 0x380: s.applyBits(s.active, target, 0, lo, 0); return;
      // ICFGR0/1 (private configuration) are read-only; IGRPMODR0, NSACR RAZ/WI.
    }
  }

}

function aligned(off: number, len: number): boolean {
  if (len !== 1 && len !== 4 && len !== 8) return false; // 2-byte accesses are always RAZ/WI
  return off % len === 0;
}

/**
 * PROPBASER/PENDBASER sanitiser: clear RES0 bits, OuterShareable → InnerShareable, non-cacheable
 * inner → RaWb, outer anything but SameAsInner/nC → SameAsInner (vgic-mmio-v3.c).
 */
function sanitiseBaser(r: U64, res0Hi: number, res0Lo: number): void {
  let lo = (r.lo & ~res0Lo) >>> 0;
  let hi = (r.hi & ~res0Hi) >>> 0;
  const shr = field(lo, 10, 2);
  lo = withField(lo, 10, 2, shr === 2 ? 1 : shr);
  const inner = field(lo, 7, 3);
  lo = withField(lo, 7, 3, inner === 0 || inner === 1 ? 3 : inner);
  const outer = field(hi, 24, 3); // bits 58:56
  hi = withField(hi, 24, 3, outer === 0 || outer === 1 ? outer : 0);
  r.set(lo, hi);
}
