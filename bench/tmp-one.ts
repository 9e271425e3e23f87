import { AccessBatch, setU64FromNumber } from '../src/model/access-batch.ts';
import { platformById } from '../src/gic/platforms.ts';
import { replay } from '../src/replay/engine.ts';
const [op, addr, len, val] = [0, 0x080a0000, 4, 6];
const layout = { vm: 'a', vmm: null, platform: 'qemu-virt', gicVersion: 3 as const, source: 'x', blocks: platformById('qemu-virt')!.blocks({ gicVersion: 3, nrVcpus: 4, its: true }) };
const N = 4_000_000;
const b = new AccessBatch(N);
for (const v of Object.values(b.validity)) v.fill(0xff);
for (let i = 0; i < N; i++) { setU64FromNumber(b.seq32, i, i + 1); b.op[i] = op; b.addr32[2 * i] = addr; b.len[i] = len; b.value32[2 * i] = val; }
b.length = N;
b.op[0] = 0; b.addr32[0] = 0x0800ffe8; b.value32[0] = 0x3b;
for (let r = 0; r < 5; r++) {
  const c0 = process.cpuUsage();
  replay([{ code: 0, name: 'a', layout }], [b], [], {});
  const c = process.cpuUsage(c0);
  console.log((N / 1e6 / ((c.user + c.system) / 1e6)).toFixed(1), 'M/s');
}
