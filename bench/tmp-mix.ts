import { AccessBatch, setU64FromNumber } from '../src/model/access-batch.ts';
import { platformById } from '../src/gic/platforms.ts';
import { replay } from '../src/replay/engine.ts';
const kinds: Record<string, [number, number, number, number]> = {
  isenabler_w: [1, 0x08000104, 4, 1], ctlr_r: [0, 0x08000000, 4, 0x52], igroupr_w: [1, 0x08000084, 4, 0xffffffff],
  iidr_r: [0, 0x08000008, 4, 0x4b00343b], irouter_w: [1, 0x08006100, 8, 1], gicr_ctlr_r: [0, 0x080a0000, 4, 6],
};
const layout = { vm: 'a', vmm: null, platform: 'qemu-virt', gicVersion: 3 as const, source: 'x', blocks: platformById('qemu-virt')!.blocks({ gicVersion: 3, nrVcpus: 4, its: true }) };
const N = 4_000_000;
for (const [name, [op, addr, len, val]] of Object.entries(kinds)) {
  const b = new AccessBatch(N);
  for (const v of Object.values(b.validity)) v.fill(0xff);
  for (let i = 0; i < N; i++) { setU64FromNumber(b.seq32, i, i + 1); b.op[i] = op; b.addr32[2 * i] = addr; b.len[i] = len; b.value32[2 * i] = val; }
  b.length = N;
  // boot probe first so the state is known
  b.op[0] = 0; b.addr32[0] = 0x0800ffe8; b.value32[0] = 0x3b;
  let best = 0;
  for (let r = 0; r < 3; r++) {
    const c0 = process.cpuUsage();
    replay([{ code: 0, name: 'a', layout }], [b], [], {});
    const c = process.cpuUsage(c0);
    best = Math.max(best, N / 1e6 / ((c.user + c.system) / 1e6));
  }
  console.log(name.padEnd(12), best.toFixed(1), 'M/s');
}
