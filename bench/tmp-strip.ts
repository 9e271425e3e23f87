import { generateColumns } from './replay.ts';
import { VmBlocks } from '../src/replay/vm-blocks.ts';
import { prescan, VmScan } from '../src/replay/prescan.ts';
import { VmRun } from '../src/replay/vm-run.ts';
import { resolveAccess, resolved } from '../src/emulator/access-check.ts';
import type { AccessBatch } from '../src/model/access-batch.ts';
const { batches, layouts } = generateColumns(8_000_000, 8, 4, 1 << 20);
const valid = (bm: Uint8Array, i: number): boolean => (bm[i >>> 3]! & (1 << (i & 7))) !== 0;
function batch(b: AccessBatch, runs: VmRun[], mode: number): number {
  let s = 0;
  const n = b.length;
  for (let i = 0; i < n; i++) {
    const run = runs[b.vm[i]!]!;
    if (b.space[i] !== 0 || !valid(b.validity.addr, i)) continue;
    const blocks = run.blocks;
    const kind = blocks.findLoHi(b.addr32[2 * i]!, b.addr32[2 * i + 1]!);
    if (kind < 0) continue;
    const accessor = valid(b.validity.vcpu, i) ? b.vcpu[i]! : 0;
    const cf = kind === 1 ? run.gicr : run.gicd;
    const cpu = kind === 1 ? blocks.redist : accessor;
    const off = blocks.offset;
    const d = resolveAccess(cf, off, b.len[i]!, run.nrIrqs);
    const intid = resolved.intid;
    run.ci = i;
    const hv = valid(b.validity.value, i);
    if (mode === 0) { s += d; continue; }
    if (mode === 1) { const m = run.models[0]!; if (b.op[i] === 0) m.read(cf, d, intid, off, b.len[i]!, cpu); else m.write(cf, d, intid, off, b.len[i]!, cpu, b.value32[2 * i]!, 0); continue; }
    if (b.op[i] === 0) run.replayRead(cf, d, intid, off, b.len[i]!, cpu, hv, b.value32[2 * i]!, b.value32[2 * i + 1]!);
    else run.replayWrite(cf, d, intid, off, b.len[i]!, cpu, hv, b.value32[2 * i]!, b.value32[2 * i + 1]!);
  }
  return s;
}
for (const mode of [0, 1, 2, 0, 1, 2]) {
  const scans = layouts.map((l) => new VmScan(new VmBlocks(l)));
  prescan(batches, scans);
  const runs = layouts.map((l, code) => new VmRun({ code, name: l.vm, layout: l }, scans[code]!, {}, ['1', '2', '3']));
  const c0 = process.cpuUsage();
  for (const b of batches) { for (const r of runs) r.cur = b; batch(b, runs, mode); }
  const c = process.cpuUsage(c0);
  console.log(['loop only', '+1 model op', 'full replay'][mode], (8 / ((c.user + c.system) / 1e6)).toFixed(1), 'M/s');
}
