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
});
