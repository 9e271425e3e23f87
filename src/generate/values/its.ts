/**
 * KVM's emulated ITS registers as a guest sees them (arch/arm64/kvm/vgic/vgic-its.c): enough for
 * the Linux/FreeBSD probe sequences (ID registers, TYPER, BASER read-back, CBASER, the command
 * queue pointers). Commands are processed synchronously when the ITS is enabled, so CREADR
 * catches up with CWRITER at once. Command contents live in guest memory and are not modelled.
 */
import { extract64, U64, update64, withField, field } from './u64.ts';

const GITS_CTLR = 0x0000;
const GITS_IIDR = 0x0004;
const GITS_TYPER = 0x0008;
const GITS_CBASER = 0x0080;
const GITS_CWRITER = 0x0088;
const GITS_CREADR = 0x0090;
const GITS_BASER = 0x0100;

// TYPER: PLPIS | DEVBITS 16 (15 << 13) | IDBITS 16 (15 << 8) | ITT entry size 8 (7 << 4).
const TYPER_LO = (1 | (15 << 13) | (15 << 8) | (7 << 4)) >>> 0;
const IIDR = 0x4b00043b; // ABI revision 0

/** Shareability: OuterShareable (2) becomes InnerShareable (1). */
function sanitiseShareability(v: number): number {
  return v === 2 ? 1 : v;
}
/** Inner cacheability: nCnB/nC (0/1) become RaWb (3). */
function sanitiseInner(v: number): number {
  return v === 0 || v === 1 ? 3 : v;
}
/** Outer cacheability: anything but SameAsInner/nC (0/1) becomes SameAsInner. */
function sanitiseOuter(v: number): number {
  return v === 0 || v === 1 ? v : 0;
}

export class ItsModel {
  private enabled = false;
  private readonly cbaser = new U64();
  private cwriter = 0;
  private creadr = 0;
  // INITIAL_BASER_VALUE: inner RaWb (3 << 59), InnerShareable, 64K pages; type and entry size 8.
  private readonly baserDevice = new U64().set(0x600, (3 << 27) | (1 << 24) | (7 << 16));
  private readonly baserColl = new U64().set(0x600, (3 << 27) | (4 << 24) | (7 << 16));

  constructor(readonly base: number) {}

  claims(gpa: number): boolean {
    return gpa >= this.base && gpa < this.base + 0x20000;
  }

  read(gpa: number, len: number, out: U64): void {
    const off = gpa - this.base;
    out.set(0, 0);
    const wide = len === 8 || len === 4;
    if (off === GITS_CTLR && len === 4) {
      out.set(((this.creadr === this.cwriter ? 0x80000000 : 0) | (this.enabled ? 1 : 0)) >>> 0, 0);
    } else if (off === GITS_IIDR && len === 4) {
      out.set(IIDR, 0);
    } else if ((off & ~7) === GITS_TYPER && wide) {
      extract64(TYPER_LO, 0, off & 7, len, out);
    } else if ((off & ~7) === GITS_CBASER && wide) {
      extract64(this.cbaser.lo, this.cbaser.hi, off & 7, len, out);
    } else if ((off & ~7) === GITS_CWRITER && wide) {
      extract64(this.cwriter, 0, off & 7, len, out);
    } else if ((off & ~7) === GITS_CREADR && wide) {
      extract64(this.creadr, 0, off & 7, len, out);
    } else if (off >= GITS_BASER && off < GITS_BASER + 0x40 && wide) {
      const r = this.baser((off - GITS_BASER) >>> 3);
      if (r) extract64(r.lo, r.hi, off & 7, len, out);
    } else if (off >= 0xffd0 && off < 0x10000 && len === 4) {
      out.set(idRegister(off), 0);
    }
  }

  write(gpa: number, len: number, lo: number, hi: number): void {
    const off = gpa - this.base;
    const wide = len === 8 || len === 4;
    if (off === GITS_CTLR && len === 4) {
      const enable = (lo & 1) !== 0;
      if (!this.enabled && enable && !(this.baserDevice.hi >>> 31 && this.baserColl.hi >>> 31 && this.cbaser.hi >>> 31)) return;
      this.enabled = enable;
      this.process();
    } else if ((off & ~7) === GITS_CBASER && wide) {
      if (this.enabled) return;
      update64(this.cbaser, off & 7, len, lo, hi);
      let h = this.cbaser.hi;
      let l = this.cbaser.lo;
      l = withField(l, 10, 2, sanitiseShareability(field(l, 10, 2)));
      h = withField(h, 27, 3, sanitiseInner(field(h, 27, 3))); // bits 61:59
      h = withField(h, 21, 3, sanitiseOuter(field(h, 21, 3))); // bits 55:53
      l = (l & ~0xf000) >>> 0; // 64 KiB aligned
      this.cbaser.set(l, h);
      this.creadr = 0;
      this.cwriter = 0;
    } else if ((off & ~7) === GITS_CWRITER && wide) {
      const reg = new U64().set(this.cwriter, 0);
      update64(reg, off & 7, len, lo, hi);
      const next = reg.lo & 0xfffe0; // GENMASK(19, 5)
      if (next >= this.cmdBufferBytes()) return;
      this.cwriter = next;
      this.process();
    } else if (off >= GITS_BASER && off < GITS_BASER + 0x40 && wide) {
      if (this.enabled) return;
      const index = (off - GITS_BASER) >>> 3;
      const r = this.baser(index);
      if (!r || index > 1) return;
      update64(r, off & 7, len, lo, hi);
      let h = r.hi & ~((0x1f << 16) | (7 << 24)); // RO: entry size 52:48, type 58:56
      if (index === 1) h &= ~(1 << 30); // collection table: no Indirect
      h |= (7 << 16) | ((index === 0 ? 1 : 4) << 24);
      let l = r.lo;
      l = withField(l, 10, 2, sanitiseShareability(field(l, 10, 2)));
      h = withField(h, 27, 3, sanitiseInner(field(h, 27, 3)));
      h = withField(h, 21, 3, sanitiseOuter(field(h, 21, 3)));
      l = withField(l, 8, 2, 2); // only 64 KiB pages
      r.set(l, h);
    }
  }

  private baser(index: number): U64 | null {
    if (index === 0) return this.baserDevice;
    if (index === 1) return this.baserColl;
    return index < 8 ? ZERO : null;
  }

  private cmdBufferBytes(): number {
    return ((this.cbaser.lo & 0xff) + 1) << 12;
  }

  private process(): void {
    if (this.enabled) this.creadr = this.cwriter;
  }
}

/** BASER2..7 read as zero and ignore writes (the write path returns before touching this). */
const ZERO = new U64();

function idRegister(off: number): number {
  switch (off) {
    case 0xffe0: return 0x92; // PIDR0
    case 0xffe4: return 0xb4; // PIDR1
    case 0xffe8: return 0x3b; // PIDR2: GICv3 | 0xb
    case 0xffd0: return 0x40; // PIDR4
    case 0xfff0: return 0x0d;
    case 0xfff4: return 0xf0;
    case 0xfff8: return 0x05;
    case 0xfffc: return 0xb1;
  }
  return 0;
}
