/**
 * vGIC rule packs on real trace text (test/fixtures/rules/<change>/*.trace, raw ftrace with
 * record-tgid) imported through the importer: exact findings and coverage per fixture. Line
 * numbers in the expectations are the fixture lines of the first matching access.
 */
import { describe, expect, it } from 'vitest';
import { changeCounts, findingTuples, ImportedFixture } from './helpers/import-fixture.ts';

async function checkFixture(file: string, change: string, hostKernel?: string) {
  const f = await ImportedFixture.create([`${change}/${file}`]);
  try {
    const report = await f.check([change], hostKernel ? { hostKernel } : {});
    const layouts = await f.db.readObjects<{ vm: string; gic_version: number }>('SELECT vm, gic_version FROM vms ORDER BY vm');
    return { report, findings: findingTuples(report), counts: changeCounts(report, change), layouts };
  } finally {
    f.close();
  }
}

describe('vgic-iidr-rev1-rev2 (IGROUPR writability)', () => {
  it('Linux, FreeBSD and EDK2 writing 0xffffffff touch IGROUPR but their outcome does not change', async () => {
    const { report, findings, counts } = await checkFixture('linux-freebsd-edk2.trace', 'vgic-iidr-rev1-rev2');
    expect(findings).toEqual([
      ['igroupr-access', '4242', 0, 2, 49, 'GICD_IGROUPR1,2: 2 writes, 0xffffffff ×2'],
      ['igroupr-access', '4242', 0, 1, 76, 'GICR_IGROUPR0 (redistributor 0): 1 write, 0xffffffff ×1'],
      ['igroupr-access', '4242', 1, 1, 99, 'GICR_IGROUPR0 (redistributor 1): 1 write, 0xffffffff ×1'],
      ['igroupr-access', '5300', 0, 2, 118, 'GICD_IGROUPR1,2: 2 writes, 0xffffffff ×2'],
      ['igroupr-access', '5300', 0, 1, 135, 'GICR_IGROUPR0 (redistributor 0): 1 write, 0xffffffff ×1'],
      ['igroupr-access', '5400', 0, 1, 149, 'GICR_IGROUPR0 (redistributor 0): 1 write, 0xffffffff ×1'],
      ['igroupr-access', '5400', 0, 1, 152, 'GICD_IGROUPR1: 1 write, 0xffffffff ×1'],
    ]);
    // [vms, touched, differs, unknown, unseen full, unseen gaps, unseen not observable]
    expect(counts).toEqual([3, 3, 0, 0, 0, 0, 0]);
    expect(report.exitCode).toBe(0);
  });

  it('a Zephyr secure build writing 0 moves interrupts to Group 0: outcome error, exit 1', async () => {
    const { report, findings, counts } = await checkFixture('zephyr-secure.trace', 'vgic-iidr-rev1-rev2');
    expect(findings).toEqual([
      ['igroupr-write-changes-group', '6000', 0, 3, 23, 'GICv3: wrote GICD_IGROUPR1 = 0x0, GICD_IGROUPR2 = 0x0, '
        + 'GICR_IGROUPR0 (redistributor 0) = 0x0; 96 interrupt group bit(s) differ from rev 1 (all Group 1, reads 0xffffffff): '
        + 'under rev >= 2 those interrupts move to Group 0 (delivered only if the guest enables Group 0), under rev 1 the writes are ignored'],
      ['igroupr-access', '6000', 0, 2, 23, 'GICD_IGROUPR1,2: 2 writes, 0x0 ×2'],
      ['igroupr-access', '6000', 0, 1, 51, 'GICR_IGROUPR0 (redistributor 0): 1 write, 0x0 ×1'],
      ['igroupr-access', '6000', 0, 1, 58, 'GICD_IGROUPR1: 1 read, 0x0 ×1'],
    ]);
    expect(report.findings[0]!.severity).toBe('error');
    expect(counts).toEqual([1, 1, 1, 0, 0, 0, 0]);
    expect(report.exitCode).toBe(1);
  });
});

describe('vgic-iidr-rev1-rev2 on GICv2 (rev 1 reads 0, Group 0)', () => {
  it('a Linux GICv2 guest never touches IGROUPR; setting group bits differs from rev 1, writing 0 does not', async () => {
    // no --gic-version: the importer tells GICv2 from the TYPER shape, ITARGETSR and SGIR traffic
    const { findings, counts, report, layouts } = await checkFixture('gicv2-linux-and-group1.trace', 'vgic-iidr-rev1-rev2');
    expect(layouts).toEqual([{ vm: '4700', gic_version: 2 }, { vm: '4800', gic_version: 2 }]);
    expect(findings).toEqual([
      ['igroupr-write-changes-group', '4800', 0, 1, 36, 'GICv2: wrote GICD_IGROUPR0 = 0xffff0000; 16 interrupt group bit(s) differ from rev 1 '
        + '(all Group 0, reads 0): under rev >= 2 those interrupts move to Group 1, under rev 1 the writes are ignored'],
      ['igroupr-access', '4800', 0, 2, 36, 'GICD_IGROUPR0,1: 2 writes, 0x0 ×1, 0xffff0000 ×1'],
    ]);
    expect(counts).toEqual([2, 1, 1, 0, 1, 0, 0]);
    expect(report.changes[0]!.vm_status.find((v) => v.vm === '4700')!.status).toBe('unseen-full-coverage');
  });
});

describe('vgic-iidr-rev2-rev3 (GICR_CTLR.IR/CES)', () => {
  it('a 5.19+ guest that saw IR=1 and invalidates LPIs by MMIO depends on rev 3', async () => {
    const { report, findings, counts } = await checkFixture('linux-5.19-rev3.trace', 'vgic-iidr-rev2-rev3');
    expect(findings).toEqual([
      ['direct-lpi-invalidation', '4242', 0, 5, 118, 'GICR_INVLPIR W ×2 (LPI 8192, 8193), GICR_SYNCR R ×3: direct LPI invalidation, '
        + 'selected because the guest saw GICR_CTLR.IR = 1 (rev 3); after rollback to a host < 5.19 these writes are ignored and LPI invalidations are lost'],
      ['gicr-ctlr-read', '4242', 0, 3, 31, '3 GICR_CTLR read(s) (redistributor 0,1): 0x6 ×3 (IR=1 CES=1 EnableLPIs=0 RWP=0); '
        + 'IR set: the guest was told rev 3 (Linux >= 5.19 then uses GICR_INVLPIR/GICR_SYNCR)'],
    ]);
    expect(report.findings[0]!.severity).toBe('warn');
    expect(counts).toEqual([1, 1, 1, 0, 0, 0, 0]);
    expect(report.exitCode).toBe(0); // warn does not fail the default --fail-on error
  });

  it('a guest on a rev-2 host reads GICR_CTLR without IR and never uses INVLPIR: touch only', async () => {
    const { findings, counts } = await checkFixture('linux-5.10-rev2.trace', 'vgic-iidr-rev2-rev3');
    expect(findings).toEqual([
      ['gicr-ctlr-read', '4300', 0, 2, 22, '2 GICR_CTLR read(s) (redistributor 0): 0x0 ×2 (IR=0 CES=0 EnableLPIs=0 RWP=0); '
        + 'IR never set: rev <= 2, a host < 5.19, or not a KVM vGIC'],
    ]);
    expect(counts).toEqual([1, 1, 0, 0, 0, 0, 0]);
  });
});

describe('vgic-iidr-read', () => {
  it('decodes KVM IIDR values per register and leaves a VM that never read one unseen', async () => {
    const { findings, counts } = await checkFixture('host-5.19.trace', 'vgic-iidr-read');
    expect(findings).toEqual([
      ['iidr-read', '4242', 0, 2, 7, 'GICD_IIDR: read 0x4b00343b ×2 (KVM vGIC rev 3, host >= 5.19)'],
      ['iidr-read', '4242', 0, 1, 15, 'GITS_IIDR: read 0x4b00043b ×1 (KVM ITS, ITS ABI rev 0)'],
      ['iidr-read', '4242', 1, 1, 11, 'GICR_IIDR: read 0x4b00043b ×1 (KVM redistributor; no revision in GICR_IIDR)'],
    ]);
    expect(counts).toEqual([2, 1, 0, 0, 1, 0, 0]);
  });

  it('recognises the pre-4.19 IIDR without a revision field', async () => {
    const { findings } = await checkFixture('host-4.14.trace', 'vgic-iidr-read');
    expect(findings).toEqual([['iidr-read', '4100', 0, 1, 7, 'GICD_IIDR: read 0x4b00043b ×1 (KVM vGIC rev 0, host <= 4.18)']]);
  });
});

describe('vgic-nassgi', () => {
  it('flags the guest that enabled nASSGIreq on a GICv4.1 host, not the one on a GICv3 host', async () => {
    const { findings, counts } = await checkFixture('gicv41-and-gicv3-hosts.trace', 'vgic-nassgi');
    expect(findings).toEqual([
      ['nassgireq-enable', '4242', 0, 1, 44, 'GICD_CTLR written with nASSGIreq (bit 8) ×1 (0x113): the guest opted into SGIs '
        + 'without active state; a host without GICv4.1 vSGIs (or nASSGIcap cleared) reads the bit as 0'],
      ['typer2-read', '4242', 0, 1, 19, 'GICD_TYPER2: read 0x100 ×1 (nASSGIcap=1)'],
      ['typer2-read', '4343', 0, 1, 90, 'GICD_TYPER2: read 0x0 ×1 (nASSGIcap=0)'],
    ]);
    expect(counts).toEqual([2, 2, 1, 0, 0, 0, 0]);
  });
});
