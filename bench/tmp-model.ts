import { compiledFrame } from '../src/emulator/compiled-frame.ts';
import { resolveAccess, resolved } from '../src/emulator/access-check.ts';
import { profileById } from '../src/emulator/profiles.ts';
import { makeShape } from '../src/emulator/shape.ts';
import { VgicModel } from '../src/emulator/vgic-model.ts';
const m = new VgicModel(profileById('3'), makeShape(3, 256, 4, true)); m.reset(true);
const gicd = compiledFrame('gicd-v3');
const offs = [0x184, 0x0, 0x6100, 0x104, 0x104, 0x420, 0x84, 0x4, 0x8, 0xc08];
const lens = [4, 4, 8, 4, 4, 4, 4, 4, 4, 4];
const ops = [1, 0, 1, 1, 0, 1, 1, 0, 0, 1];
const ds = offs.map((o, k) => { const d = resolveAccess(gicd, o, lens[k]!, 256); return [d, resolved.intid]; });
for (let rep = 0; rep < 3; rep++) {
  const c0 = process.cpuUsage();
  let s = 0;
  for (let i = 0; i < 20_000_000; i++) {
    const k = i % 10;
    const [d, intid] = ds[k]!;
    if (ops[k]) m.write(gicd, d!, intid!, offs[k]!, lens[k]!, 0, i, 0); else { m.read(gicd, d!, intid!, offs[k]!, lens[k]!, 0); s += m.lo; }
  }
  const c = process.cpuUsage(c0);
  console.log('model ops', (20 / ((c.user + c.system) / 1e6)).toFixed(1), 'M/s', s);
}
