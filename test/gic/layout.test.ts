import { describe, expect, it } from 'vitest';
import { layoutPagesOf, vmInfoTable } from '../../src/ingest/vm-evidence.ts';
import { resolveLayouts, resolveVmLayout } from '../../src/gic/layout.ts';
import type { LayoutEvidence, ParseSummary } from '../../src/ingest/types.ts';

function evidence(o: Partial<LayoutEvidence> = {}): LayoutEvidence {
  return { vm: 0, pages: new Map(), regions: new Map(), idReads: [], v2Frames: new Map(), ...o };
}
const pages = (...addrs: number[]) => new Map(addrs.map((a) => [Math.floor(a / 0x1000), 10]));
const blk = (l: ReturnType<typeof resolveVmLayout>, b: string) => l.blocks.find((x) => x.block === b);

describe('resolveVmLayout', () => {
  it('QEMU region names give qemu-virt and the GIC version', () => {
    const ev = evidence({ regions: new Map([['gicv3_dist', { min: 0x8000000, max: 0x800ffe8, count: 5 }], ['gicv3_redist_region[0]', { min: 0x80a0000, max: 0x80dffff, count: 9 }]]) });
    const l = resolveVmLayout('vm', ev, null, 0, {});
    expect(l).toMatchObject({ platform: 'qemu-virt', gicVersion: 3, source: 'qemu-regions', vmm: 'qemu' });
    expect(blk(l, 'GICR')).toMatchObject({ base: 0x80a0000, stride: 0x20000 });
  });

  it('QEMU region names at non-default addresses move the blocks', () => {
    const ev = evidence({ regions: new Map([['gic_dist', { min: 0x2c001000, max: 0x2c001f00, count: 5 }], ['gic_cpu', { min: 0x2c002000, max: 0x2c002010, count: 2 }]]) });
    const l = resolveVmLayout('vm', ev, null, 0, {});
    expect(l.gicVersion).toBe(2);
    expect(blk(l, 'GICD')).toMatchObject({ base: 0x2c001000, size: 0x1000 });
    expect(blk(l, 'GICC')!.base).toBe(0x2c002000);
  });

  it('a Firecracker VM (from thread names) puts n redistributors right below the distributor', () => {
    // 3 vCPUs: GICR frames at 1 GiB − 64 KiB − 3 × 128 KiB …; SGI_base pages show each vCPU.
    const dist = 0x40000000 - 0x10000;
    const ev = evidence({ pages: pages(dist, dist - 0x20000 + 0x10000, dist - 0x40000 + 0x10000, dist - 0x60000 + 0x10000) });
    const l = resolveVmLayout('fc', ev, 'firecracker', 4, {});
    expect(l).toMatchObject({ platform: 'firecracker', gicVersion: 3, source: 'vmm-default' });
    expect(blk(l, 'GICD')!.base).toBe(dist);
    expect(blk(l, 'GICR')).toMatchObject({ base: dist - 3 * 0x20000, size: 3 * 0x20000 });
    expect(blk(l, 'GITS')!.base).toBe(dist - 4 * 0x20000);
  });

  it('GICR_TYPER.Last in a recorded read fixes the vCPU count (the Last frame is right below the distributor)', () => {
    const dist = 0x09000000 - 0x10000; // Cloud Hypervisor
    for (const n of [2, 4]) {
      // vCPU n − 1 (Last) at dist − 128 KiB; vCPU 0 at the region base, dist − n × 128 KiB
      const ev = evidence({ idReads: [{ gpa: dist - 0x20000 + 8, len: 8, value: ((n - 1) << 8) | 0x10 | 1 }] });
      const l = resolveVmLayout('ch', ev, 'cloud-hypervisor', 0, {});
      expect(blk(l, 'GICR'), String(n)).toMatchObject({ base: dist - n * 0x20000, size: n * 0x20000 });
    }
    // a Last-shaped value in another frame (an ITS's GITS_TYPER below the region) is not taken
    const its = evidence({ idReads: [{ gpa: dist - 3 * 0x20000 + 8, len: 8, value: (9 << 8) | 0x10 | 1 }] });
    expect(blk(resolveVmLayout('ch', its, 'cloud-hypervisor', 0, {}), 'GICR')).toMatchObject({ base: dist - 0x20000, size: 0x20000 });
  });

  it('vCPU thread names bound the vCPU count from below (a mid-run capture with SGI-page traffic of vCPU 1 only)', () => {
    const dist = 0x40000000 - 0x10000; // Firecracker, 4 vCPUs: vCPU 1's frame is dist − 3 × 128 KiB
    const ev = evidence({ pages: pages(dist, dist - 3 * 0x20000 + 0x10000) });
    expect(blk(resolveVmLayout('fc', ev, 'firecracker', 4, {}), 'GICR')!.base).toBe(dist - 3 * 0x20000); // frame 3 from the top: n ≥ 3
    const named = { ...ev, namedVcpus: 4 }; // fc_vcpu 3 was seen
    expect(blk(resolveVmLayout('fc', named, 'firecracker', 4, {}), 'GICR')).toMatchObject({ base: dist - 4 * 0x20000, size: 4 * 0x20000 });
  });

  it('SGI_base traffic counts vCPUs exactly as a frame-by-frame scan of the 512 frames below the distributor', () => {
    const dist = 0x40000000 - 0x10000; // Firecracker
    let x = 99;
    const rnd = (n: number) => ((x = (Math.imul(x, 1103515245) + 12345) >>> 0) % n);
    for (let trial = 0; trial < 200; trial++) {
      // pages anywhere from 600 frames below the distributor to 1 MiB above it, both halves of a frame
      const addrs = Array.from({ length: 1 + rnd(6) }, () => dist - 600 * 0x20000 + rnd(600 * 32 + 256) * 0x1000);
      let want = 0;
      for (let f = 1; f <= 512; f++) {
        const lo = dist - f * 0x20000 + 0x10000;
        if (addrs.some((a) => a >= lo && a < lo + 0x10000)) want = f;
      }
      const l = resolveVmLayout('fc', evidence({ pages: pages(dist, ...addrs) }), 'firecracker', 1, {});
      expect(blk(l, 'GICR')!.size, addrs.map((a) => a.toString(16)).join(' ')).toBe(Math.max(1, want) * 0x20000);
    }
  });

  it('trapped ICC_* sysreg accesses make it GICv3 without any redistributor traffic', () => {
    const ev = evidence({ pages: pages(0x8000000), iccSysregs: 12 });
    expect(resolveVmLayout('q', ev, 'qemu', 1, {}).gicVersion).toBe(3);
    const fc = evidence({ pages: pages(0x3fff0000), iccSysregs: 3 });
    expect(resolveVmLayout('f', fc, 'firecracker', 2, {})).toMatchObject({ gicVersion: 3 });
  });

  it('without a VMM name, the page histogram picks the platform', () => {
    const dist = 0x09000000 - 0x10000;
    const ev = evidence({ pages: pages(dist, dist - 0x20000, dist - 0x20000 + 0x10000, dist - 0x40000 + 0x10000) });
    const l = resolveVmLayout('x', ev, null, 0, {});
    expect(l).toMatchObject({ platform: 'cloud-hypervisor', source: 'detected', gicVersion: 3 });
    const q = resolveVmLayout('q', evidence({ pages: pages(0x8000000, 0x80b0000) }), null, 0, {});
    expect(q).toMatchObject({ platform: 'qemu-virt', source: 'detected' });
  });

  it('a GICv2 guest on Firecracker is told apart by its PIDR2/TYPER evidence or the --gic-version flag', () => {
    const l = resolveVmLayout('v2', evidence({ pages: pages(0x3ffff000) }), 'firecracker', 2, { gicVersion: 2 });
    expect(blk(l, 'GICD')).toMatchObject({ base: 0x3ffff000, size: 0x1000 });
    expect(blk(l, 'GICC')!.base).toBe(0x3fffd000);
  });

  it('a GICv2 guest where the GICv2 and GICv3 distributors share a base (kvmtool, qemu-virt)', () => {
    // kvmtool puts both distributors at 1 GiB − 64 KiB: the TYPER read's shape decides.
    const v2 = resolveVmLayout('k', evidence({ idReads: [{ gpa: 0x3fff0004, len: 4, value: 0x27 }], pages: pages(0x3fff0000) }), 'kvmtool', 2, {});
    expect(v2.gicVersion).toBe(2);
    expect(blk(v2, 'GICD')).toMatchObject({ base: 0x3fff0000, size: 0x1000 });
    const v3 = resolveVmLayout('k', evidence({ idReads: [{ gpa: 0x3fff0004, len: 4, value: 0x00480007 }] }), 'kvmtool', 2, {});
    expect(v3.gicVersion).toBe(3);
    // No TYPER read: distributor traffic without any redistributor traffic means GICv2.
    expect(resolveVmLayout('q', evidence({ pages: pages(0x8000000) }), 'qemu', 1, {}).gicVersion).toBe(2);
    expect(resolveVmLayout('q', evidence({ pages: pages(0x8000000, 0x80b0000) }), 'qemu', 1, {}).gicVersion).toBe(3);
  });

  it('PIDR2 and TYPER reads decide the GIC version', () => {
    const ev = evidence({ idReads: [{ gpa: 0x3fffffe8, len: 4, value: 0x3b }] });
    expect(resolveVmLayout('k', ev, 'kvmtool', 1, {}).gicVersion).toBe(3);
  });

  it('a Firecracker GICv2 distributor (1 GiB − 4 KiB, a 4 KiB frame) is found by its TYPER read, with or without the VMM name', () => {
    const typer = { gpa: 0x3ffff004, len: 4, value: 0x27 }; // 2 vCPUs, 256 IRQs: a GICv2 TYPER
    for (const vmm of ['firecracker', null] as const) {
      const l = resolveVmLayout('fc', evidence({ idReads: [typer], pages: pages(0x3ffff000) }), vmm, 2, {});
      expect(l, String(vmm)).toMatchObject({ platform: 'firecracker', gicVersion: 2 });
      expect(blk(l, 'GICD')).toMatchObject({ base: 0x3ffff000, size: 0x1000 });
    }
  });

  it('without the VMM name, GICv2 traffic at the exact 4 KiB frame tells kvmtool from Firecracker (one 64 KiB page)', () => {
    const kvmtool = evidence({ pages: pages(0x3fff0000), v2Frames: new Map([[0x3fff0000, { sgir: 12, itargets: 6 }]]) });
    expect(resolveVmLayout('k', kvmtool, null, 2, {})).toMatchObject({ platform: 'kvmtool', gicVersion: 2, source: 'detected' });
    const fc = evidence({ pages: pages(0x3ffff000), v2Frames: new Map([[0x3ffff000, { sgir: 12, itargets: 6 }]]) });
    expect(resolveVmLayout('f', fc, null, 2, {})).toMatchObject({ platform: 'firecracker', gicVersion: 2, source: 'detected' });
    // the same with a TYPER read only
    const typerOnly = evidence({ pages: pages(0x3fff0000), idReads: [{ gpa: 0x3fff0004, len: 4, value: 0x28 }] });
    expect(resolveVmLayout('k', typerOnly, null, 2, {})).toMatchObject({ platform: 'kvmtool', gicVersion: 2 });
  });

  it('GICv2 register evidence outweighs page traffic that looks like a redistributor (GICC_DIR traps on 6.19+ hosts)', () => {
    // kvmtool GICv2: GICC at dist − 128 KiB, so GICC_DIR (GICC + 0x1000) falls where a GICv3
    // redistributor frame would be; SGIR writes at the GICv2 distributor still say GICv2.
    const ev = evidence({ pages: pages(0x3fff0000, 0x3ffd1000), v2Frames: new Map([[0x3fff0000, { sgir: 40, itargets: 0 }]]) });
    expect(resolveVmLayout('k', ev, 'kvmtool', 2, {}).gicVersion).toBe(2);
    // without that evidence the redistributor-shaped traffic still means GICv3 (as before)
    expect(resolveVmLayout('k', evidence({ pages: pages(0x3fff0000, 0x3ffd1000) }), 'kvmtool', 2, {}).gicVersion).toBe(3);
  });

  it('PIDR2 at D+0xFFE8: ArchRev 3 means GICv3, 0 means GICv2 (KVM has no ID registers on a GICv2 distributor)', () => {
    expect(resolveVmLayout('q', evidence({ pages: pages(0x8000000), idReads: [{ gpa: 0x800ffe8, len: 4, value: 0 }] }), 'qemu', 1, {}).gicVersion).toBe(2);
    expect(resolveVmLayout('q', evidence({ pages: pages(0x8000000), idReads: [{ gpa: 0x800ffe8, len: 4, value: 0x3b }] }), 'qemu', 1, {}).gicVersion).toBe(3);
  });

  it('a contradicting TYPER wins over GICv2-shaped noise; GICD_IROUTER traffic is not ITARGETSR', () => {
    // a GICv3 guest on qemu-virt: TYPER with IDbits, IROUTER writes whose 4 KiB-frame offsets look like ITARGETSR
    const ev = evidence({
      pages: pages(0x8000000, 0x80b0000), idReads: [{ gpa: 0x8000004, len: 4, value: 0x37a0008 }],
      v2Frames: new Map([[0x8006000, { sgir: 0, itargets: 32 }]]),
    });
    expect(resolveVmLayout('q', ev, 'qemu', 2, {}).gicVersion).toBe(3);
    expect(resolveVmLayout('q', ev, null, 2, {})).toMatchObject({ platform: 'qemu-virt', gicVersion: 3 });
  });

  it('a KVM distributor identified by its IIDR: TYPER shape next to it, or a 4 KiB-only frame, decides without a platform', () => {
    const iidr = (gpa: number) => ({ gpa, len: 4, value: 0x4b00343b });
    const custom = evidence({ idReads: [iidr(0x2c001008), { gpa: 0x2c001004, len: 4, value: 0x67 }], pages: pages(0x2c001000) });
    const l = resolveVmLayout('c', custom, null, 4, { gicdBase: 0x2c001000 });
    expect(l).toMatchObject({ gicVersion: 2, platform: 'custom', source: 'flags' });
    expect(blk(l, 'GICD')).toMatchObject({ base: 0x2c001000, size: 0x1000 });
    expect(resolveVmLayout('c', evidence({ idReads: [iidr(0x2c001008)] }), null, 4, { gicdBase: 0x2c001000 }).gicVersion).toBe(2);
    // --gicd-base: SGIR writes at that distributor are enough
    const sgir = evidence({ pages: pages(0x2c001000), v2Frames: new Map([[0x2c001000, { sgir: 5, itargets: 0 }]]) });
    expect(resolveVmLayout('c', sgir, null, 4, { gicdBase: 0x2c001000 })).toMatchObject({ gicVersion: 2, platform: 'custom' });
    // the same IIDR at a 64 KiB boundary says nothing about the version; a GICv3 TYPER then does
    expect(resolveVmLayout('c', evidence({ idReads: [iidr(0x2f000008), { gpa: 0x2f000004, len: 4, value: 0x780000f }] }), null, 4,
      { gicdBase: 0x2f000000 }).gicVersion).toBe(3);
  });

  it('flags override: --platform, bases (source flags, platform custom)', () => {
    const ev = evidence({ regions: new Map([['gicv3_dist', { min: 0x8000000, max: 0x8000010, count: 1 }]]) });
    expect(resolveVmLayout('v', ev, 'qemu', 1, { platform: 'kvmtool' })).toMatchObject({ platform: 'kvmtool', source: 'platform-flag' });
    const f = resolveVmLayout('v', ev, 'qemu', 1, { gicdBase: 0x2f000000, gicrBase: 0x2f100000 });
    expect(f).toMatchObject({ platform: 'custom', source: 'flags' });
    expect(blk(f, 'GICD')!.base).toBe(0x2f000000);
    expect(blk(f, 'GICR')!.base).toBe(0x2f100000);
  });

  it('no evidence at all: qemu-virt GICv3 by default', () => {
    expect(resolveVmLayout('v', evidence(), null, 0, {})).toMatchObject({ platform: 'qemu-virt', gicVersion: 3, source: 'default' });
  });
});

describe('resolveLayouts', () => {
  it('decides each VM of a mixed host trace on its own evidence; rejects an unknown --platform', () => {
    const layout = [evidence({ vm: 0 }), evidence({ vm: 1, pages: pages(0x3fff0000, 0x3ffe0000) })];
    const summary = {
      vms: ['qemu-vm', 'fc-vm'],
      vmInfo: vmInfoTable([{ vm: 0, vmm: 'qemu', threads: 2, vcpus: 2 }, { vm: 1, vmm: 'firecracker', threads: 1, vcpus: 1 }]),
      layout, layoutPages: layoutPagesOf(layout),
    } as unknown as ParseSummary;
    const ls = resolveLayouts(summary, {});
    expect(ls.map((l) => [l.vm, l.platform])).toEqual([['qemu-vm', 'qemu-virt'], ['fc-vm', 'firecracker']]);
    expect(() => resolveLayouts(summary, { platform: 'nope' })).toThrow(/unknown platform 'nope'/);
  });
});
