/**
 * Reference model (see ./vgic-v3.ts): KVM's vGICv2 distributor as a guest sees it (vgic.md §7.1, §8–9). Per-IRQ registers include the
 * accessing vCPU's banked private INTIDs 0–31. Interrupts reset to Group 0 (rev ≥ 1); IGROUPR is
 * guest-writable only from rev 2. The CPU interface is the hardware GICV page: never trapped.
 */
import { gicdIidr, type GicConfig, type GicValueModel } from '../../../../src/generate/values/gic-value-model.ts';
import { IrqState } from './irq-state.ts';
import type { U64 } from '../../../../src/generate/values/u64.ts';

export class VgicV2Model implements GicValueModel {
  private enabled = false;
  private readonly irq: IrqState;
  private readonly targets: Uint8Array;
  /** SGI source bitmaps: [target vCPU * 16 + sgi] = sources. */
  private readonly sgiSources: Uint8Array;

  constructor(readonly config: GicConfig) {
    this.irq = new IrqState(config.vcpus, config.nrIrqs, config.rev === 0 ? 1 : 0);
    this.targets = new Uint8Array(config.nrIrqs);
    this.sgiSources = new Uint8Array(config.vcpus * 16);
  }

  claims(gpa: number): boolean {
    return gpa >= this.config.gicd && gpa < this.config.gicd + 0x1000;
  }

  read(vcpu: number, gpa: number, len: number, out: U64): void {
    out.set(0, 0);
    if (!this.claims(gpa)) return;
    const off = gpa - this.config.gicd;
    if ((len !== 1 && len !== 4) || off % len !== 0) return;
    const s = this.irq;
    const c = this.config;
    if (off < 0xc) {
      if (len !== 4) return;
      if (off === 0) out.set(this.enabled ? 1 : 0, 0);
      else if (off === 4) out.set(((c.nrIrqs >>> 5) - 1) | ((c.vcpus - 1) << 5), 0);
      else out.set(gicdIidr(c.rev), 0);
      return;
    }
    if (off >= 0x80 && off < 0x400) {
      if (len !== 4) return;
      const base = ((off & 0x7f) >>> 2) * 32;
      if (base >= c.nrIrqs) return;
      const reg = off & ~0x7f;
      if (reg === 0x80) out.set(c.rev === 0 ? 0xffffffff : s.readBits(s.group, vcpu, base), 0);
      else if (reg === 0x100 || reg === 0x180) out.set(s.readBits(s.enabled, vcpu, base), 0);
      else if (reg === 0x200 || reg === 0x280) out.set(s.readBits(s.pending, vcpu, base), 0);
      else if (reg === 0x300 || reg === 0x380) out.set(s.readBits(s.active, vcpu, base), 0);
      return;
    }
    if (off >= 0x400 && off < 0x800) {
      const base = off - 0x400;
      if (base < c.nrIrqs) out.set(s.readPriorities(vcpu, base, len), 0);
      return;
    }
    if (off >= 0x800 && off < 0xc00) {
      const base = off - 0x800;
      if (base >= c.nrIrqs) return;
      let w = 0;
      for (let k = 0; k < len; k++) {
        const intid = base + k;
        const t = intid < 32 ? 1 << vcpu : this.targets[intid]!;
        w |= t << (8 * k);
      }
      out.set(w >>> 0, 0);
      return;
    }
    if (off >= 0xc00 && off < 0xd00) {
      if (len !== 4) return;
      const base = (off - 0xc00) * 4;
      if (base < c.nrIrqs) out.set(s.readConfig(vcpu, base), 0);
      return;
    }
    if (off >= 0xf10 && off < 0xf30) {
      let w = 0;
      for (let k = 0; k < len; k++) w |= this.sgiSources[vcpu * 16 + ((off & 0xf) + k)]! << (8 * k);
      out.set(w >>> 0, 0);
    }
  }

  write(vcpu: number, gpa: number, len: number, lo: number, _hi: number): void {
    if (!this.claims(gpa)) return;
    const off = gpa - this.config.gicd;
    if ((len !== 1 && len !== 4) || off % len !== 0) return;
    const s = this.irq;
    const c = this.config;
    if (off === 0) {
      if (len === 4) this.enabled = (lo & 1) !== 0;
      return;
    }
    if (off >= 0x80 && off < 0x400) {
      if (len !== 4) return;
      const base = ((off & 0x7f) >>> 2) * 32;
      if (base >= c.nrIrqs) return;
      const reg = off & ~0x7f;
      if (reg === 0x80) {
        if (c.rev >= 2) s.storeBits(s.group, vcpu, base, lo);
      } else if (reg === 0x100) s.applyBits(s.enabled, vcpu, base, lo, 1);
      else if (reg === 0x180) s.applyBits(s.enabled, vcpu, base, lo, 0);
      else if (reg === 0x200) s.applyBits(s.pending, vcpu, base, base === 0 ? lo & ~0xffff : lo, 1);
      else if (reg === 0x280) s.applyBits(s.pending, vcpu, base, base === 0 ? lo & ~0xffff : lo, 0);
      else if (reg === 0x300) s.applyBits(s.active, vcpu, base, lo, 1);
      else if (reg === 0x380) s.applyBits(s.active, vcpu, base, lo, 0);
      return;
    }
    if (off >= 0x400 && off < 0x800) {
      const base = off - 0x400;
      if (base < c.nrIrqs) s.writePriorities(vcpu, base, len, lo);
      return;
    }
    if (off >= 0x800 && off < 0xc00) {
      const base = off - 0x800;
      const mask = (1 << c.vcpus) - 1;
      for (let k = 0; k < len; k++) {
        const intid = base + k;
        if (intid >= 32 && intid < c.nrIrqs) this.targets[intid] = (lo >>> (8 * k)) & mask;
      }
      return;
    }
    if (off >= 0xc00 && off < 0xd00) {
      if (len !== 4) return;
      const base = (off - 0xc00) * 4;
      if (base < c.nrIrqs) s.writeConfig(vcpu, base, lo);
      return;
    }
    if (off === 0xf00 && len === 4) {
      this.sendSgi(vcpu, lo);
      return;
    }
    if (off >= 0xf10 && off < 0xf30) {
      const set = off >= 0xf20;
      for (let k = 0; k < len; k++) {
        const i = vcpu * 16 + ((off & 0xf) + k);
        const bits = (lo >>> (8 * k)) & 0xff;
        this.sgiSources[i] = set ? this.sgiSources[i]! | bits : this.sgiSources[i]! & ~bits;
      }
    }
  }

  deliverable(vcpu: number, intid: number, groupMask: number): boolean {
    const i = this.irq.idx(vcpu, intid);
    if (i < 0 || !this.enabled || !this.irq.enabled[i]) return false;
    if (this.config.rev === 0) return true; // ≤ 4.18 KVM ignored groups for delivery
    return ((groupMask >>> this.irq.group[i]!) & 1) === 1;
  }

  private sendSgi(source: number, value: number): void {
    const sgi = value & 0xf;
    const filter = (value >>> 24) & 3;
    let targets = (value >>> 16) & 0xff;
    if (filter === 1) targets = ((1 << this.config.vcpus) - 1) & ~(1 << source);
    else if (filter === 2) targets = 1 << source;
    else if (filter === 3) return;
    for (let t = 0; t < this.config.vcpus; t++) {
      if (((targets >>> t) & 1) === 0) continue;
      this.sgiSources[t * 16 + sgi]! |= 1 << source;
      const i = this.irq.idx(t, sgi);
      this.irq.pending[i] = 1;
    }
  }
}
