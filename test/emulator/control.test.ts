import { describe, expect, it } from 'vitest';
import { VgicHarness } from '../../src/emulator/harness.ts';

describe('GICD_CTLR', () => {
  it('GICv3 resets to 0x50; writing 0x13 reads back 0x52 (EnableGrp0 RAZ/WI, ARE_NS and DS RAO)', () => {
    const g = new VgicHarness({ revision: '3' });
    expect(g.read('GICD', 0x0).value).toBe(0x50);
    g.write('GICD', 0x0, 0x13);
    expect(g.read('GICD', 0x0).value).toBe(0x52);
    g.write('GICD', 0x0, 0x113); // nASSGIreq needs GICv4.1 vSGIs
    expect(g.read('GICD', 0x0).value).toBe(0x52);
    g.write('GICD', 0x0, 0);
    expect(g.read('GICD', 0x0).value).toBe(0x50);
  });

  it('GICv2 implements only the Enable bit', () => {
    const g = new VgicHarness({ revision: '2', gicVersion: 2 });
    expect(g.read('GICD', 0x0).value).toBe(0);
    g.write('GICD', 0x0, 0xffffffff);
    expect(g.read('GICD', 0x0).value).toBe(1);
  });

  it('0xC is outside the 12-byte GICv2 misc region', () => {
    const g = new VgicHarness({ revision: '2', gicVersion: 2 });
    expect(g.read('GICD', 0xc).value).toBe(0);
  });
});

describe('GICR_CTLR', () => {
  it('reports CES|IR only under rev 3', () => {
    expect(new VgicHarness({ revision: '3' }).read('GICR', 0x0).value).toBe(0x6);
    for (const rev of ['0', '1', '2']) expect(new VgicHarness({ revision: rev }).read('GICR', 0x0).value).toBe(0);
  });

  it('EnableLPIs is writable with an ITS, ignored without', () => {
    const a = new VgicHarness({ revision: '3', its: true });
    a.write('GICR', 0x0, 0x7, 4, 1);
    expect(a.read('GICR', 0x0, 4, 1).value).toBe(0x7);
    expect(a.read('GICR', 0x0, 4, 0).value).toBe(0x6);
    a.write('GICR', 0x0, 0x6, 4, 1);
    expect(a.read('GICR', 0x0, 4, 1).value).toBe(0x6);
    const b = new VgicHarness({ revision: '2', its: false });
    b.write('GICR', 0x0, 1);
    expect(b.read('GICR', 0x0).value).toBe(0);
  });

  it('GICR_WAKER and GICR_STATUSR are RAZ/WI', () => {
    const a = new VgicHarness({ revision: '3' });
    a.write('GICR', 0x14, 0x2);
    expect(a.read('GICR', 0x14).value).toBe(0);
    expect(a.read('GICR', 0x10).value).toBe(0);
  });
});

describe('PROPBASER / PENDBASER', () => {
  it('sanitises shareability and cacheability, clears RES0, is shared by all redistributors', () => {
    const a = new VgicHarness({ revision: '3', its: true });
    // Outer shareable (2) → inner (1); inner nC (1) → RaWb (3); outer RaWaWb (7) → SameAsInner (0); RES0 bits 6:5.
    a.write('GICR', 0x70, 0x40000000 | (2 << 10) | (1 << 7) | 0x6f, 8, 0, (7 << 24) | 0xf8000000);
    const r = a.read('GICR', 0x70, 8, 1);
    expect(r.value).toBe((0x40000000 | (1 << 10) | (3 << 7) | 0x0f) >>> 0);
    expect(r.high).toBe(0);
  });

  it('ignores writes while LPIs are enabled on the vCPU', () => {
    const a = new VgicHarness({ revision: '3', its: true });
    a.write('GICR', 0x70, 0x1000 | (1 << 10) | (7 << 7) | 13, 8, 0);
    a.write('GICR', 0x0, 1, 4, 0);
    a.write('GICR', 0x70, 0x2000, 8, 0);
    expect(a.read('GICR', 0x70, 8, 0).value).toBe(0x1000 | (1 << 10) | (7 << 7) | 13);
  });

  it('a 32-bit write replaces one half; PENDBASER.PTZ reads 0', () => {
    const a = new VgicHarness({ revision: '3', its: true });
    a.write('GICR', 0x7c, 0x40000000 | 0x12, 4, 2); // PTZ | PA high bits
    a.write('GICR', 0x78, 0x10000 | (1 << 10) | (7 << 7), 4, 2);
    const r = a.read('GICR', 0x78, 8, 2);
    expect(r.high).toBe(0x12);
    expect(r.value).toBe(0x10000 | (1 << 10) | (7 << 7));
    expect(a.read('GICR', 0x7c, 4, 2).value).toBe(0x12);
  });
});

describe('PROPBASER / PENDBASER on the 4.7–4.18 host (revision 0)', () => {
  it('clears PA bits 51:48, forces outer cacheability to nC and returns PENDBASER.PTZ as written', () => {
    const old = new VgicHarness({ revision: '0', its: true });
    const modern = new VgicHarness({ revision: '3', its: true });
    for (const g of [old, modern]) {
      g.write('GICR', 0x78, 0x40010780, 8, 0, 0x400f0000); // PTZ | PA[51:48] = 0xF
      g.write('GICR', 0x70, 0x4000078f, 8, 0, 0x070f0000); // outer RaWaWb | PA[51:48] = 0xF
    }
    expect(old.read('GICR', 0x78, 8, 0).high).toBe(0x40000000);
    expect(old.read('GICR', 0x70, 8, 0).high).toBe(0x01000000);
    expect(modern.read('GICR', 0x78, 8, 0).high).toBe(0x000f0000);
    expect(modern.read('GICR', 0x70, 8, 0).high).toBe(0x000f0000);
  });
});

describe('LPI invalidation registers (host feature)', () => {
  it('exist on 5.19+ hosts and are RAZ/WI holes on the 4.18 profile', () => {
    const modern = new VgicHarness({ revision: '2', its: true });
    modern.write('GICR', 0x0, 1);
    expect(modern.write('GICR', 0xa0, 8192, 8)).toBe(1);
    expect(modern.write('GICR', 0xa4, 8192, 4)).toBe(0); // upper word ignored
    expect(modern.read('GICR', 0xc0).value).toBe(0);
    const old = new VgicHarness({ revision: '0', its: true });
    old.write('GICR', 0x0, 1);
    expect(old.write('GICR', 0xa0, 8192, 8)).toBe(0);
  });

  it('INVLPIR does nothing while LPIs are disabled', () => {
    const g = new VgicHarness({ revision: '3', its: true });
    expect(g.write('GICR', 0xa0, 8192, 8)).toBe(0);
  });
});

describe('GICC_DIR (GICv2, 6.19+ hosts)', () => {
  it('reads as zero; a write deactivates on hosts that trap it', () => {
    const g = new VgicHarness({ revision: '3', gicVersion: 2 });
    expect(g.read('GICC', 0x1000).value).toBe(0);
    expect(g.write('GICC', 0x1000, 27)).toBe(1);
    expect(new VgicHarness({ revision: '0', gicVersion: 2 }).write('GICC', 0x1000, 27)).toBe(0);
  });
});
