import { describe, expect, it } from 'vitest';
import { resolveVmLayout, type VmLayout } from '../../src/gic/layout.ts';
import { VmLayoutTable } from '../../src/gic/vm-layout-table.ts';
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
});
