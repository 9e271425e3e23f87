import { generateColumns } from './replay.ts';
import { VmBlocks } from '../src/replay/vm-blocks.ts';
import { prescan, VmScan } from '../src/replay/prescan.ts';
import { replay } from '../src/replay/engine.ts';
const { batches, layouts } = generateColumns(8_000_000, 8, 4, 1 << 20);
for (let rep = 0; rep < 3; rep++) {
  const scans = layouts.map((l) => new VmScan(new VmBlocks(l)));
  let c0 = process.cpuUsage();
  prescan(batches, scans);
  let c = process.cpuUsage(c0);
  console.log('prescan', (8 / ((c.user + c.system) / 1e6)).toFixed(1), 'M/s');
  c0 = process.cpuUsage();
  replay(layouts.map((layout, code) => ({ code, name: layout.vm, layout })), batches, [], {});
  c = process.cpuUsage(c0);
  console.log('replay total', (8 / ((c.user + c.system) / 1e6)).toFixed(1), 'M/s');
}
