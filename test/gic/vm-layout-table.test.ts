import { describe, expect, it } from 'vitest';
import { resolveVmLayout, type VmLayout } from '../../src/gic/layout.ts';
import { VmLayoutTable, type VmShape } from '../../src/gic/vm-layout-table.ts';
import { NO_ID_READS, NO_PAGES, NO_REGIONS, NO_V2_FRAMES } from '../../src/ingest/vm-evidence.ts';
import type { LayoutEvidence, VmmKind } from '../../src/ingest/types.ts';

const ev = (vm: number, regions: LayoutEvidence['regions'] = NO_REGIONS): LayoutEvidence =>
  ({ vm, pages: NO_PAGES, regions, idReads: NO_ID_READS, v2Frames: NO_V2_FRAMES });

describe('VmLayoutTable', () => {
  it('gives every VM back its own layout while storing each shape once', () => {
    const vmms: Array<VmmKind | null> = ['qemu', 'firecracker', null, 'qemu', 'kvmtool', 'qemu', 'cloud-hypervisor', 'firecracker'];
    const layouts: VmLayout[] = [];
    for (let i = 0; i < 4000; i++) layouts.push(resolveVmLayout(String(i), ev(i), vmms[i % vmms.length]!, 1 + (i % 3), {}));
    // a VM with QEMU region names gets a map of its own (not from the platform cache)
    const regions = new Map([['gicv3_dist', { min: 0x9000000, max: 0x9000004, count: 2 }]]);
    for (let i = 0; i < 3; i++) layouts.push(resolveVmLayout(`q${i}`, ev(4000 + i, regions), null, 1, {}));
    const t = VmLayoutTable.of(layouts);
    expect(t.length).toBe(layouts.length);
    layouts.forEach((l, code) => {
      const { vm: _label, ...shape } = l;
      expect(t.shapeOfVm(code)).toEqual(shape);
    });
    // 5 VMM kinds of default maps + the one map with QEMU's region bases, shared by its 3 VMs
    expect(t.shapes.length).toBeLessThan(20);
    const regionShapes = new Set([4000, 4001, 4002].map((c) => t.shapeIndexOf(c)));
    expect(regionShapes.size).toBe(1);
    expect(t.shapeOfVm(4000).blocks.find((b) => b.block === 'GICD')!.base).toBe(0x9000000);
    expect(t.platform()).toBe('mixed');
    expect(() => t.shapeIndexOf(layouts.length)).toThrow(RangeError);
  });

  it('names the one platform and VMM when all VMs agree, and none for no VMs', () => {
    const one = VmLayoutTable.of([0, 1, 2].map((i) => resolveVmLayout(String(i), ev(i), 'firecracker', 2, {})));
    expect(one.platform()).toBe('firecracker');
    expect(one.vmm()).toBe('firecracker');
    expect(one.shapes).toHaveLength(1);
    const none = VmLayoutTable.of([]);
    expect([none.length, none.platform(), none.vmm()]).toEqual([0, null, null]);
  });

  it('keeps every VM\'s shape past 255 and 65,535 distinct shapes (its index array widens), across toParts', () => {
    const base = resolveVmLayout('x', ev(0), 'qemu', 1, {});
    const shapeOf = (i: number): VmShape => ({ vmm: base.vmm, platform: base.platform, gicVersion: base.gicVersion, source: base.source,
      blocks: [{ block: 'GICD', base: 0x1000_0000 + (i % 70_000) * 0x10000, size: 0x10000 }] });
    const shapes: VmShape[] = [];
    for (let i = 0; i < 140_000; i++) shapes.push(shapeOf(i < 300 ? i % 3 : i));
    const t = VmLayoutTable.of(shapes);
    expect(t.shapes.length).toBe(70_000);
    const back = VmLayoutTable.fromParts(t.toParts());
    for (const code of [0, 1, 2, 299, 300, 555, 65_535, 65_536, 69_999, 70_000, 139_999]) {
      expect(t.shapeOfVm(code), `VM ${code}`).toEqual(shapes[code]);
      expect(back.shapeOfVm(code), `VM ${code} from parts`).toEqual(shapes[code]);
    }
    expect(t.shapeIndexOf(139_999)).toBe(t.shapeIndexOf(69_999));
  });
});

