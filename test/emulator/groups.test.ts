import { describe, expect, it } from 'vitest';
import { VgicHarness } from '../../src/emulator/harness.ts';

const v3 = (revision: string) => new VgicHarness({ revision, gicVersion: 3, nrIrqs: 256, nrVcpus: 2 });
const v2 = (revision: string) => new VgicHarness({ revision, gicVersion: 2, nrIrqs: 256, nrVcpus: 2 });

describe('IGROUPR per revision (vgic.md §3.1)', () => {
  it('resets to all ones on GICv3 and all zeroes on GICv2 (rev >= 1)', () => {
    for (const rev of ['1', '2', '3']) {
      expect(v3(rev).read('GICD', 0x84).value).toBe(0xffffffff);
      expect(v3(rev).read('GICR', 0x10080, 4, 1).value).toBe(0xffffffff);
      expect(v2(rev).read('GICD', 0x84).value).toBe(0);
      expect(v2(rev).read('GICD', 0x80).value).toBe(0);
    }
  });

  it('rev 0 reads all ones on both GIC versions and ignores writes', () => {
    for (const g of [v3('0'), v2('0')]) {
      expect(g.read('GICD', 0x84).value).toBe(0xffffffff);
      g.write('GICD', 0x84, 0);
      expect(g.read('GICD', 0x84).value).toBe(0xffffffff);
    }
  });

  it('rev 1 ignores guest writes: v3 keeps all ones, v2 keeps zero', () => {
    const a = v3('1');
    a.write('GICD', 0x84, 0);
    a.write('GICR', 0x10080, 0, 4, 0);
    expect(a.read('GICD', 0x84).value).toBe(0xffffffff);
    expect(a.read('GICR', 0x10080, 4, 0).value).toBe(0xffffffff);
    const b = v2('1');
    b.write('GICD', 0x84, 0xffffffff);
    expect(b.read('GICD', 0x84).value).toBe(0);
  });

  it('rev 2 and rev 3 store guest writes on both versions', () => {
    for (const rev of ['2', '3']) {
      const a = v3(rev);
      a.write('GICD', 0x84, 0x0000ff00);
      expect(a.read('GICD', 0x84).value).toBe(0x0000ff00);
      a.write('GICR', 0x10080, 0, 4, 1);
      expect(a.read('GICR', 0x10080, 4, 1).value).toBe(0);
      expect(a.read('GICR', 0x10080, 4, 0).value).toBe(0xffffffff); // other redistributor untouched
      const b = v2(rev);
      b.write('GICD', 0x88, 0xf0f0f0f0);
      expect(b.read('GICD', 0x88).value).toBe(0xf0f0f0f0);
    }
  });

  it('GICv3 distributor IGROUPR word 0 is RAZ/WI (private groups live in GICR_IGROUPR0)', () => {
    const a = v3('3');
    expect(a.read('GICD', 0x80).value).toBe(0);
    a.write('GICD', 0x80, 0xffffffff);
    expect(a.read('GICD', 0x80).value).toBe(0);
    expect(a.read('GICR', 0x10080, 4, 0).value).toBe(0xffffffff);
  });

  it('GICv2 private IGROUPR is banked per accessing vCPU', () => {
    const b = v2('2');
    b.write('GICD', 0x80, 0xffffffff, 4, 1);
    expect(b.read('GICD', 0x80, 4, 1).value).toBe(0xffffffff);
    expect(b.read('GICD', 0x80, 4, 0).value).toBe(0);
  });

  it('IGRPMODR is RAZ/WI on GICv3', () => {
    const a = v3('3');
    a.write('GICD', 0xd04, 0xffffffff);
    expect(a.read('GICD', 0xd04).value).toBe(0);
    a.write('GICR', 0x10d00, 0xffffffff);
    expect(a.read('GICR', 0x10d00).value).toBe(0);
  });
});
