import { generateColumns } from './replay.ts';
import { replay } from '../src/replay/engine.ts';
const { batches, layouts } = generateColumns(2_000_000, 8, 4, 1 << 20);
const res = replay(layouts.map((layout, code) => ({ code, name: layout.vm, layout })), batches, [], {});
console.log(res.fidelity[0], res.vms[0], res.rollup[0]);
