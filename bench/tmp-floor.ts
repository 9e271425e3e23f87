import { generateColumns } from './replay.ts';
import { VmBlocks } from '../src/replay/vm-blocks.ts';
import { compiledFrame } from '../src/emulator/compiled-frame.ts';
import { resolveAccess, resolved } from '../src/emulator/access-check.ts';
const { batches, layouts } = generateColumns(8_000_000, 8, 4, 1 << 20);
const blocks = layouts.map((l) => new VmBlocks(l));
const gicd = compiledFrame('gicd-v3'); const gicr = compiledFrame('gicr-v3');
for (let rep = 0; rep < 3; rep++) {
  const c0 = process.cpuUsage();
  let sum = 0;
  for (const b of batches) {
    const n = b.length; const vm = b.vm; const a32 = b.addr32; const len = b.len;
    for (let i = 0; i < n; i++) {
      const bl = blocks[vm[i]!]!;
      const k = bl.find(a32[2 * i + 1]! * 4294967296 + a32[2 * i]!);
      const d = resolveAccess(k === 1 ? gicr : gicd, bl.offset, len[i]!, 256);
      sum += d + resolved.intid;
    }
  }
  const c = process.cpuUsage(c0);
  console.log('floor', (8 / ((c.user + c.system) / 1e6)).toFixed(1), 'M/s', sum);
}
