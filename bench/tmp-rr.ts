import { AccessBatch } from '../src/model/access-batch.ts';
import { platformById } from '../src/gic/platforms.ts';
import { VmBlocks } from '../src/replay/vm-blocks.ts';
import { VmScan } from '../src/replay/prescan.ts';
import { VmRun } from '../src/replay/vm-run.ts';
import { compiledFrame } from '../src/emulator/compiled-frame.ts';
import { resolveAccess, resolved } from '../src/emulator/access-check.ts';
const layout = { vm: 'a', vmm: null, platform: 'qemu-virt', gicVersion: 3 as const, source: 'x', blocks: platformById('qemu-virt')!.blocks({ gicVersion: 3, nrVcpus: 4, its: true }) };
const scan = new VmScan(new VmBlocks(layout)); scan.bootSeen = true;
const run = new VmRun({ code: 0, name: 'a', layout }, scan, {}, ['1', '2', '3']);
run.cur = new AccessBatch(4);
const gicr = compiledFrame('gicr-v3'); const gicd = compiledFrame('gicd-v3');
for (const [name, cf, off, op] of [['gicr_ctlr', gicr, 0, 0], ['gicd_ctlr', gicd, 0, 0], ['isenabler_w', gicd, 0x104, 1]] as const) {
  const d = resolveAccess(cf, off, 4, 256); const intid = resolved.intid;
  for (let r = 0; r < 3; r++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < 10_000_000; i++) {
      if (op === 0) run.replayRead(cf, d, intid, off, 4, 0, true, 6, 0); else run.replayWrite(cf, d, intid, off, 4, 0, true, 1, 0);
    }
    const c = process.cpuUsage(c0);
    console.log(name, (10 / ((c.user + c.system) / 1e6)).toFixed(1), 'M/s');
  }
}
