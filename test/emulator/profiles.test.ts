import { describe, expect, it } from 'vitest';
import { H } from '../../src/gic/descriptor.ts';
import { defineProfile, iidrFor, PROFILES, profileById, revisionFromIidr } from '../../src/emulator/profiles.ts';
import { sharingPlan } from '../../src/emulator/sharing.ts';
import { replay } from '../../src/replay/engine.ts';
import { batchFromRows, qemuVirtLayout } from '../replay/helpers/rows.ts';

describe('revision profiles are data', () => {
  it('IIDR values and the revision read back from them', () => {
    expect(PROFILES.map((p) => p.iidr)).toEqual([0x4b00043b, 0x4b00143b, 0x4b00243b, 0x4b00343b]);
    expect(revisionFromIidr(0x4b00243b)).toBe(2);
    expect(revisionFromIidr(0x43b)).toBeNull();
    expect(() => profileById('9')).toThrow(/unknown revision '9'/);
  });

  it('derives which state the models share and which accesses need every model', () => {
    const p123 = sharingPlan(['1', '2', '3'].map(profileById));
    expect([...p123.own]).toEqual(['group']);
    expect(p123.readAll[H.GROUP]).toBe(1);
    expect(p123.writeAll[H.GROUP]).toBe(1);
    expect(p123.readAll[H.D_IIDR]).toBe(1);
    expect(p123.readAll[H.R_CTLR]).toBe(1);
    expect(p123.writeAll[H.R_CTLR]).toBe(0);
    expect(p123.readAll[H.ENABLE_SET]).toBe(0);
    expect(p123.writeAll[H.INVLPIR]).toBe(0);
    const p23 = sharingPlan(['2', '3'].map(profileById));
    expect(p23.own.size).toBe(0);
    expect(p23.readAll[H.GROUP]).toBe(0);
    expect(p23.deliveryMayDiffer).toBe(false);
    const p03 = sharingPlan(['0', '3'].map(profileById));
    expect(p03.writeAll[H.INVLPIR]).toBe(1);
    expect(p03.own.has('lpi')).toBe(true); // PROPBASER sanitiser changed after 4.18
  });

  it('a new profile (rev 3 on a pre-5.19 host) replays without engine changes', () => {
    defineProfile({ ...profileById('3'), id: '3-old-host', host: { ...profileById('3').host, label: '5.18', lpiInvalidation: false } });
    const R = 0x080a0000;
    const rows = [
      { op: 'R' as const, addr: 0x0800ffe8, value: 0x3b },
      { op: 'W' as const, addr: R + 0x0, value: 0x7 }, // EnableLPIs
      { op: 'W' as const, addr: R + 0xa0, len: 8, value: 8200 }, // GICR_INVLPIR
      { op: 'R' as const, addr: R + 0xc0, value: 0 }, // GICR_SYNCR
    ];
    const res = replay([{ code: 0, name: 'vm', layout: qemuVirtLayout('vm', 3, 1) }], [batchFromRows(rows)], [], { revisions: ['3', '3-old-host'] });
    const v = res.verdicts.find((x) => x.register === 'GICR_INVLPIR')!;
    expect(v).toMatchObject({ verdict: 'diverges', sensitive: true, observed: true, from_value: 'takes effect', to_value: 'no effect' });
    expect(res.verdicts.find((x) => x.register === 'GICR_SYNCR')!.verdict).toBe('touched-identical');
    expect(res.verdicts.find((x) => x.register === 'GICD_IGROUPR')).toBeUndefined();
    expect(iidrFor(3)).toBe(0x4b00343b);
  });
});
