import { describe, expect, it } from 'vitest';
import { VgicHarness } from '../../src/emulator/harness.ts';

const v3 = (o: Partial<ConstructorParameters<typeof VgicHarness>[0]> = {}) => new VgicHarness({ revision: '3', nrVcpus: 4, ...o });
const v2 = (o: Partial<ConstructorParameters<typeof VgicHarness>[0]> = {}) => new VgicHarness({ revision: '2', gicVersion: 2, nrVcpus: 4, ...o });

describe('priority', () => {
  it('keeps the top 5 bits: 0xFF7FBF3F reads back 0xF878B838', () => {
    const g = v3();
    g.write('GICD', 0x420, 0xff7fbf3f);
    expect(g.read('GICD', 0x420).value).toBe(0xf878b838);
    g.write('GICR', 0x10400, 0xa0a0a0a0);
    expect(g.read('GICR', 0x10400).value).toBe(0xa0a0a0a0);
  });

  it('allows byte accesses', () => {
    const g = v3();
    g.write('GICD', 0x421, 0xff, 1);
    expect(g.read('GICD', 0x421, 1).value).toBe(0xf8);
    expect(g.read('GICD', 0x420).value).toBe(0x0000f800);
  });

  it('GICv3 distributor priorities of INTIDs 0-31 are RAZ/WI', () => {
    const g = v3();
    g.write('GICD', 0x400, 0xffffffff);
    expect(g.read('GICD', 0x400).value).toBe(0);
  });
});

describe('access rules (vgic.md §1.2)', () => {
  it('2-byte accesses are RAZ/WI, even on byte-accessible registers', () => {
    const g = v3();
    g.write('GICD', 0x420, 0xa0a0, 2);
    expect(g.read('GICD', 0x420).value).toBe(0);
    g.write('GICD', 0x420, 0xa0a0a0a0);
    expect(g.read('GICD', 0x420, 2).value).toBe(0);
  });

  it('byte access to a 32-bit-only register and 64-bit access to a 32-bit register are RAZ/WI', () => {
    const g = v3();
    g.write('GICD', 0x104, 0xff, 1);
    expect(g.read('GICD', 0x104).value).toBe(0);
    expect(g.read('GICD', 0x8, 8).value).toBe(0);
    expect(g.read('GICD', 0x8, 1).value).toBe(0);
  });

  it('misaligned accesses are RAZ/WI', () => {
    const g = v3();
    g.write('GICD', 0x422, 0xffffffff, 4);
    expect(g.read('GICD', 0x420).value).toBe(0);
    expect(g.read('GICD', 0x6104, 8).value).toBe(0);
  });

  it('INTIDs at or above nr_irqs are RAZ/WI', () => {
    const g = v3({ nrIrqs: 64 });
    g.write('GICD', 0x104, 0xffffffff);
    expect(g.read('GICD', 0x104).value).toBe(0xffffffff);
    g.write('GICD', 0x108, 0xffffffff); // INTIDs 64-95
    expect(g.read('GICD', 0x108).value).toBe(0);
    g.write('GICD', 0x440, 0xa0a0a0a0);
    expect(g.read('GICD', 0x440).value).toBe(0);
    g.write('GICD', 0x6000 + 8 * 64, 1, 8);
    expect(g.read('GICD', 0x6000 + 8 * 64, 8).value).toBe(0);
    expect(g.read('GICD', 0x88).value).toBe(0); // IGROUPR2 reads 0, not the reset all-ones
  });

  it('holes in a frame read 0 and ignore writes', () => {
    const g = v3();
    for (const off of [0x14, 0x40, 0xe00, 0xf00, 0x1000, 0x5ffc, 0x8000]) {
      g.write('GICD', off, 0xffffffff);
      expect(g.read('GICD', off).value).toBe(0);
    }
  });
});

describe('enable, pending, active', () => {
  it('SGIs are enabled at reset (0x0000FFFF), SPIs disabled', () => {
    expect(v3().read('GICR', 0x10100).value).toBe(0x0000ffff);
    expect(v3().read('GICD', 0x104).value).toBe(0);
    expect(v2().read('GICD', 0x100).value).toBe(0x0000ffff);
  });

  it('set/clear enable registers', () => {
    const g = v3();
    g.write('GICD', 0x104, 0x00000101);
    g.write('GICD', 0x184, 0x00000100);
    expect(g.read('GICD', 0x104).value).toBe(1);
    expect(g.read('GICD', 0x184).value).toBe(1);
  });

  it('GICv2 ISPENDR/ICPENDR ignore the SGI bits', () => {
    const g = v2();
    g.write('GICD', 0x200, 0xffffffff);
    expect(g.read('GICD', 0x200).value).toBe(0xffff0000);
    g.write('GICD', 0x280, 0xffffffff);
    expect(g.read('GICD', 0x200).value).toBe(0);
  });

  it('GICv3 GICR_ISPENDR0 may set SGIs pending', () => {
    const g = v3();
    g.write('GICR', 0x10200, 0x3);
    expect(g.read('GICR', 0x10200).value).toBe(0x3);
    g.write('GICR', 0x10280, 0x1);
    expect(g.read('GICR', 0x10200).value).toBe(0x2);
  });

  it('a level interrupt whose line is high stays pending after ICPENDR', () => {
    const g = v3();
    g.write('GICD', 0xc08, 0); // INTIDs 32-47 level
    g.model.inject(0, 33, true);
    g.write('GICD', 0x284, 0xffffffff);
    expect(g.read('GICD', 0x204).value & 2).toBe(2);
    g.model.inject(0, 33, false);
    expect(g.read('GICD', 0x204).value & 2).toBe(0);
  });

  it('set/clear active', () => {
    const g = v3();
    g.write('GICD', 0x304, 0x10);
    expect(g.read('GICD', 0x384).value).toBe(0x10);
    g.write('GICD', 0x384, 0xffffffff);
    expect(g.read('GICD', 0x304).value).toBe(0);
  });
});

describe('configuration', () => {
  it('private configuration is read-only: ICFGR0 0xAAAAAAAA, ICFGR1 0', () => {
    const g = v3();
    g.write('GICR', 0x10c00, 0);
    g.write('GICR', 0x10c04, 0xffffffff);
    expect(g.read('GICR', 0x10c00).value).toBe(0xaaaaaaaa);
    expect(g.read('GICR', 0x10c04).value).toBe(0);
    const b = v2();
    b.write('GICD', 0xc04, 0xaaaaaaaa);
    expect(b.read('GICD', 0xc04).value).toBe(0);
    expect(b.read('GICD', 0xc00).value).toBe(0xaaaaaaaa);
  });

  it('SPIs reset to edge and take bit [2i+1] only', () => {
    const g = v3();
    expect(g.read('GICD', 0xc08).value).toBe(0xaaaaaaaa);
    g.write('GICD', 0xc08, 0x55555555); // only the ignored bits set: all level
    expect(g.read('GICD', 0xc08).value).toBe(0);
    g.write('GICD', 0xc08, 0x00000008);
    expect(g.read('GICD', 0xc08).value).toBe(0x8);
  });

  it('GICv3 distributor ICFGR0/1 are RAZ/WI', () => {
    const g = v3();
    expect(g.read('GICD', 0xc00).value).toBe(0);
    expect(g.read('GICD', 0xc04).value).toBe(0);
  });
});

describe('GICD_IROUTER', () => {
  it('stores Aff2.Aff1.Aff0; the upper word is RAZ/WI; IROUTER<0..31> RAZ/WI', () => {
    const g = v3();
    g.write('GICD', 0x6100, 0x80ff0102, 8, 0, 0xff);
    expect(g.read('GICD', 0x6100, 8).value).toBe(0x00ff0102);
    expect(g.read('GICD', 0x6100, 8).high).toBe(0);
    g.write('GICD', 0x6104, 0x12, 4);
    expect(g.read('GICD', 0x6104, 4).value).toBe(0);
    g.write('GICD', 0x6108, 0x3, 4);
    expect(g.read('GICD', 0x6108, 4).value).toBe(0x3);
    g.write('GICD', 0x6000, 1, 8);
    expect(g.read('GICD', 0x6000, 8).value).toBe(0);
  });

  it('resolves the target vCPU by affinity, none for an unknown affinity', () => {
    const g = v3({ nrVcpus: 20 });
    g.write('GICD', 0x6000 + 8 * 40, 0x101, 8);
    expect(g.model.spiTarget(40)).toBe(17);
    g.write('GICD', 0x6000 + 8 * 40, 0x0505, 8);
    expect(g.model.spiTarget(40)).toBe(-1);
    expect(g.read('GICD', 0x6000 + 8 * 40, 8).value).toBe(0x0505);
  });
});

describe('GICv2 ITARGETSR', () => {
  it('private INTIDs read 1 << vCPU and ignore writes', () => {
    const g = v2();
    expect(g.read('GICD', 0x800, 4, 2).value).toBe(0x04040404);
    g.write('GICD', 0x800, 0x01010101, 4, 2);
    expect(g.read('GICD', 0x81c, 4, 2).value).toBe(0x04040404);
    expect(g.read('GICD', 0x800, 1, 1).value).toBe(0x02);
  });

  it('SPI targets are masked with the online vCPUs; the lowest set bit is the target', () => {
    const g = v2({ nrVcpus: 2 });
    g.write('GICD', 0x820, 0xff0602ff);
    expect(g.read('GICD', 0x820).value).toBe(0x03020203);
    expect(g.model.spiTarget(34)).toBe(1);
    expect(g.model.spiTarget(32)).toBe(0);
    g.write('GICD', 0x824, 0xfc, 1);
    expect(g.read('GICD', 0x824, 1).value).toBe(0);
    expect(g.model.spiTarget(36)).toBe(0); // no target bit → vCPU 0
  });
});

describe('GICv2 SGIs', () => {
  it('GICD_SGIR target list, all-but-self, self, reserved', () => {
    const g = v2({ nrVcpus: 4 });
    g.write('GICD', 0xf00, (0b0110 << 16) | 3, 4, 0);
    expect(g.read('GICD', 0x200, 4, 1).value & 0xffff).toBe(1 << 3);
    expect(g.read('GICD', 0x200, 4, 2).value & 0xffff).toBe(1 << 3);
    expect(g.read('GICD', 0x200, 4, 0).value & 0xffff).toBe(0);
    // SPENDSGIR of vCPU 1: SGI 3 byte shows source vCPU 0.
    expect(g.read('GICD', 0xf20, 4, 1).value).toBe(0x01000000);
    g.write('GICD', 0xf00, (1 << 24) | 5, 4, 2); // all but self
    for (const c of [0, 1, 3]) expect(g.read('GICD', 0xf25, 1, c).value).toBe(1 << 2);
    expect(g.read('GICD', 0xf25, 1, 2).value).toBe(0);
    g.write('GICD', 0xf00, (2 << 24) | 7, 4, 3); // self
    expect(g.read('GICD', 0xf24, 4, 3).value).toBe(0x08000400);
    g.write('GICD', 0xf00, (3 << 24) | (0xf << 16) | 9, 4, 0); // reserved filter: ignored
    expect(g.read('GICD', 0xf28, 4, 1).value).toBe(0);
    expect(g.read('GICD', 0xf00).value).toBe(0);
  });

  it('CPENDSGIR clears sources and the pending state once none remain', () => {
    const g = v2({ nrVcpus: 4 });
    g.write('GICD', 0xf00, (0b10 << 16) | 1, 4, 0);
    g.write('GICD', 0xf00, (0b10 << 16) | 1, 4, 2);
    expect(g.read('GICD', 0xf10, 1, 1 /* byte for SGI 0 */).value).toBe(0);
    expect(g.read('GICD', 0xf11, 1, 1).value).toBe(0x5);
    g.write('GICD', 0xf11, 0x1, 1, 1);
    expect(g.read('GICD', 0x200, 4, 1).value & 2).toBe(2);
    g.write('GICD', 0xf11, 0x4, 1, 1);
    expect(g.read('GICD', 0x200, 4, 1).value & 2).toBe(0);
    g.write('GICD', 0xf20, 0x00000200, 4, 1); // SPENDSGIR: SGI 1 from vCPU 1
    expect(g.read('GICD', 0x200, 4, 1).value & 2).toBe(2);
  });
});
