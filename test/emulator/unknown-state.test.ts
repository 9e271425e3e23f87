import { describe, expect, it } from 'vitest';
import { VgicHarness } from '../../src/emulator/harness.ts';
import { DELIVERY_GROUP0, DELIVERY_GROUP1, DELIVERY_NONE, DELIVERY_UNKNOWN } from '../../src/emulator/vgic-model.ts';

describe('unknown state', () => {
  it('a model started mid-life knows constants but not state', () => {
    const g = new VgicHarness({ revision: '2', fromReset: false });
    expect(g.read('GICD', 0x8).known).toBe(0xffffffff);
    expect(g.read('GICD', 0x84).known).toBe(0);
    expect(g.read('GICD', 0x0).known).toBe(~2 >>> 0); // EnableGrp1A unknown, ARE/DS constant
    expect(g.read('GICR', 0x10c00).known).toBe(0xffffffff); // private configuration is read-only
  });

  it('a write makes what it sets known; set-enable only the bits it sets', () => {
    const g = new VgicHarness({ revision: '2', fromReset: false });
    g.write('GICD', 0x84, 0xffffffff);
    expect(g.read('GICD', 0x84)).toMatchObject({ value: 0xffffffff, known: 0xffffffff });
    g.write('GICD', 0x104, 0x3);
    expect(g.read('GICD', 0x104).known).toBe(0x3);
  });

  it('an ignored write (rev 1) leaves IGROUPR unknown', () => {
    const g = new VgicHarness({ revision: '1', fromReset: false });
    g.write('GICD', 0x84, 0xffffffff);
    expect(g.read('GICD', 0x84).known).toBe(0);
  });

  it('a recorded read teaches the unknown bits', () => {
    const g = new VgicHarness({ revision: '1', fromReset: false });
    g.observe('GICD', 0x84, 0xfffffff0);
    expect(g.read('GICD', 0x84)).toMatchObject({ value: 0xfffffff0, known: 0xffffffff });
    g.observe('GICD', 0x420, 0xa0a0a0a0);
    expect(g.read('GICD', 0x420)).toMatchObject({ value: 0xa0a0a0a0, known: 0xffffffff });
  });

  it('delivery: group 1 → IRQ, group 0 → FIQ, disabled → none, unknown when a bit is unknown', () => {
    const g = new VgicHarness({ revision: '2' });
    g.write('GICD', 0x0, 0x12);
    g.write('GICR', 0x10100, 1 << 27);
    expect(g.model.delivery(0, 27)).toBe(DELIVERY_GROUP1);
    g.write('GICR', 0x10080, 0);
    expect(g.model.delivery(0, 27)).toBe(DELIVERY_GROUP0);
    g.write('GICR', 0x10180, 1 << 27);
    expect(g.model.delivery(0, 27)).toBe(DELIVERY_NONE);
    const u = new VgicHarness({ revision: '2', fromReset: false });
    expect(u.model.delivery(0, 27)).toBe(DELIVERY_UNKNOWN);
  });

  describe('interrupts the guest can acknowledge through the untraced CPU interface', () => {
    const SGIS = 0xffff;

    it('ISPENDR of enabled SGIs (vgic_irq.c group_en): pending and active unknown, not a stale prediction', () => {
      const g = new VgicHarness({ revision: '3', nrVcpus: 2 });
      g.write('GICD', 0x0, 0x13);
      g.write('GICR', 0x10100, SGIS); // SGIs enabled
      g.write('GICR', 0x10200, SGIS); // set pending: the guest may take and EOI any of them
      expect(g.read('GICR', 0x10200).known & SGIS).toBe(0);
      expect(g.read('GICR', 0x10300).known & SGIS).toBe(0);
      expect(g.read('GICR', 0x10200, 4, 1).known & SGIS).toBe(SGIS); // the other vCPU's SGIs are untouched
    });

    it('pending set on a disabled interrupt stays known until it is enabled', () => {
      const g = new VgicHarness({ revision: '3' });
      g.write('GICD', 0x0, 0x12);
      g.write('GICD', 0x204, 1 << 8); // SPI 40 pending, disabled
      expect(g.read('GICD', 0x204)).toMatchObject({ value: 1 << 8, known: 0xffffffff });
      g.write('GICD', 0x104, 1 << 9); // enabling SPI 41 (not pending) changes nothing
      expect(g.read('GICD', 0x204).known).toBe(0xffffffff);
      g.write('GICD', 0x104, 1 << 8); // enabling SPI 40 may deliver it
      expect(g.read('GICD', 0x204).known).toBe(~(1 << 8) >>> 0);
      expect(g.read('GICD', 0x304).known).toBe(~(1 << 8) >>> 0);
    });

    it('enabling the distributor releases what is pending and enabled', () => {
      const g = new VgicHarness({ revision: '3' });
      g.write('GICD', 0x0, 0x10); // ARE only: nothing is forwarded
      g.write('GICR', 0x10200, 1 << 3); // SGI 3 pending (enabled at reset)
      expect(g.read('GICR', 0x10200).known).toBe(0xffffffff);
      g.write('GICD', 0x0, 0x12);
      expect(g.read('GICR', 0x10200).known).toBe(~(1 << 3) >>> 0);
    });

    it('an SPI routed to no vCPU stays known; routing it releases it', () => {
      const g = new VgicHarness({ revision: '3', nrVcpus: 2 });
      g.write('GICD', 0x0, 0x12);
      g.write('GICD', 0x6000 + 8 * 40, 0x7f); // SPI 40 → affinity 0x7f: no such vCPU
      g.write('GICD', 0x104, 1 << 8);
      g.write('GICD', 0x204, 1 << 8);
      expect(g.read('GICD', 0x204).known).toBe(0xffffffff);
      g.write('GICD', 0x6000 + 8 * 40, 1); // → vCPU 1
      expect(g.read('GICD', 0x204).known).toBe(~(1 << 8) >>> 0);
    });

    it("GICv2 GICD_SGIR makes the targets' SGI unknown, not the sender's", () => {
      const g = new VgicHarness({ revision: '2', gicVersion: 2, nrVcpus: 2 });
      g.write('GICD', 0x0, 1);
      g.write('GICD', 0xf00, (0b10 << 16) | 5, 4, 0); // SGI 5 → CPU 1
      expect(g.read('GICD', 0x200, 4, 1).known & (1 << 5)).toBe(0);
      expect(g.read('GICD', 0x200, 4, 0).known & (1 << 5)).toBe(1 << 5);
    });

    it('an ICC_SGI1R_EL1 write (value not traced) makes every enabled SGI of every vCPU unknown', () => {
      const g = new VgicHarness({ revision: '3', nrVcpus: 2 });
      g.write('GICD', 0x0, 0x12);
      for (const cpu of [0, 1]) g.write('GICR', 0x10180, 0xff00, 4, cpu); // SGIs 8–15 disabled
      g.model.sgiFromSysreg();
      for (const cpu of [0, 1]) {
        expect(g.read('GICR', 0x10200, 4, cpu).known & SGIS).toBe(0xff00);
        expect(g.read('GICR', 0x10300, 4, cpu).known & SGIS).toBe(0xff00);
      }
    });
  });
});
