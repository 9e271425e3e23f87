import { generateColumns } from './replay.ts';
import { replay } from '../src/replay/engine.ts';
const { batches, layouts } = generateColumns(8_000_000, 8, 4, 1 << 20);
for (let r = 0; r < 4; r++) {
  const c0 = process.cpuUsage();
  replay(layouts.map((layout, code) => ({ code, name: layout.vm, layout })), batches, [], {});
  const c = process.cpuUsage(c0);
  console.log((8 / ((c.user + c.system) / 1e6)).toFixed(1), 'M/s');
}
