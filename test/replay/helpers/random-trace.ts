/**
 * A seeded, deliberately untidy multi-VM trace for cross-checking the replay engine's fast path
 * against its reference path: GICv3 and GICv2 VMs on several platforms, booted and mid-life,
 * every register of every frame at allowed and disallowed widths, misaligned and byte accesses,
 * INTIDs past nr_irqs, rows without a vCPU, value or address, sysreg rows, ITS and unmapped
 * addresses, addresses above 4 GiB, a VM code without a layout, and host interrupt injections.
 */
import { AccessBatch, setU64FromNumber } from '../../../src/model/access-batch.ts';
import { OP_READ, OP_WRITE, SPACE_MMIO, SPACE_SYSREG } from '../../../src/model/codes.ts';
import type { IrqEventRow } from '../../../src/model/irq-batch.ts';
import { frameFor } from '../../../src/gic/catalogue.ts';
import { H, type RegisterDescriptor } from '../../../src/gic/descriptor.ts';
import type { BlockRange, VmLayout } from '../../../src/gic/layout.ts';
import { platformById } from '../../../src/gic/platforms.ts';
import type { ReplayVmInput } from '../../../src/replay/types.ts';
import { rng as prng } from '../../helpers/prng.ts';

export { prng };

interface VmSpec {
  platform: string;
  gicVersion: 2 | 3;
  vcpus: number;
  /** Starts with the driver's probe (reset state) or mid-life (unknown state). */
  boots: boolean;
  /** Rows carry no vCPU: the engine maps threads to vCPUs. */
  noVcpu?: boolean;
}

const BASE_SPECS: readonly VmSpec[] = [
  { platform: 'qemu-virt', gicVersion: 3, vcpus: 4, boots: true },
  { platform: 'qemu-virt', gicVersion: 2, vcpus: 2, boots: true },
  { platform: 'firecracker', gicVersion: 3, vcpus: 2, boots: false },
  { platform: 'cloud-hypervisor', gicVersion: 3, vcpus: 3, boots: true, noVcpu: true },
  { platform: 'kvmtool', gicVersion: 2, vcpus: 2, boots: false },
  { platform: 'qemu-virt', gicVersion: 3, vcpus: 2, boots: false },
];

export interface RandomTrace {
  vms: ReplayVmInput[];
  batches: AccessBatch[];
  irqs: IrqEventRow[];
}

export function randomTrace(seed: number, rows: number): RandomTrace {
  const rnd = prng(seed);
  const SPECS = [...BASE_SPECS];
  const int = (n: number): number => Math.floor(rnd() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  const layouts: VmLayout[] = SPECS.map((s, v) => ({
    vm: `vm${v}`, vmm: null, platform: s.platform, gicVersion: s.gicVersion, source: 'test',
    blocks: platformById(s.platform)!.blocks({ gicVersion: s.gicVersion, nrVcpus: s.vcpus, its: true }),
  }));
  // One more VM whose GIC sits above 4 GiB (page table bypass), and VM code 7 has no layout at all.
  const high: BlockRange[] = [
    { block: 'GICD', base: 0x40_0000_0000, size: 0x10000 },
    { block: 'GICR', base: 0x40_0010_0000, size: 2 * 0x20000, stride: 0x20000 },
  ];
  layouts.push({ vm: 'vm6', vmm: null, platform: 'custom', gicVersion: 3, source: 'test', blocks: high });
  SPECS.push({ platform: 'custom', gicVersion: 3, vcpus: 2, boots: true });
  const vms: ReplayVmInput[] = layouts.map((layout, code) => ({ code, name: layout.vm, layout }));

  const batches: AccessBatch[] = [];
  const irqs: IrqEventRow[] = [];
  let seq = 1;
  let b = new AccessBatch(1 + int(3000));
  const started = new Array<boolean>(SPECS.length + 1).fill(false);
  const push = (vm: number, vcpu: number | null, op: number, addr: number | null, len: number, lo: number | null, hi = 0, space = SPACE_MMIO): void => {
    if (b.full) { batches.push(b); b = new AccessBatch(1 + int(3000)); }
    const i = b.reserve();
    setU64FromNumber(b.seq32, i, seq);
    if (rnd() > 0.01) { setU64FromNumber(b.ts32, i, seq * 1000); b.setValid('ts_ns', i); }
    seq += 1 + int(2);
    b.vm[i] = vm;
    b.tid[i] = 1000 * vm + (vcpu ?? 0);
    if (vcpu !== null) { b.vcpu[i] = vcpu; b.setValid('vcpu', i); }
    b.space[i] = space;
    b.op[i] = op;
    if (addr !== null) { setU64FromNumber(b.addr32, i, addr); b.setValid('addr', i); }
    b.len[i] = len;
    b.setValid('len', i);
    if (lo !== null) { b.value32[2 * i] = lo >>> 0; b.value32[2 * i + 1] = hi >>> 0; b.setValid('value', i); }
  };

  for (let r = 0; r < rows; r++) {
    const vm = int(SPECS.length + 1); // the last code has no layout
    if (vm === SPECS.length) { push(vm, 0, OP_READ, 0x08000000, 4, 0); continue; }
    const spec = SPECS[vm]!;
    const layout = layouts[vm]!;
    const vcpu = int(spec.vcpus + (rnd() < 0.02 ? 2 : 0)); // now and then a vCPU the VM does not have
    const rowVcpu = spec.noVcpu ? null : vcpu;
    const gicd = layout.blocks.find((x) => x.block === 'GICD')!;
    if (spec.boots && !started[vm]) {
      started[vm] = true;
      push(vm, rowVcpu, OP_READ, gicd.base + 0xffe8 % gicd.size, 4, spec.gicVersion === 3 ? 0x3b : 0x2b);
      push(vm, rowVcpu, OP_READ, gicd.base + 0x4, 4, spec.gicVersion === 3 ? 0x007a0008 : 0x0000fc24);
      push(vm, rowVcpu, OP_READ, gicd.base + 0x8, 4, 0x4b00343b);
      continue;
    }
    const roll = rnd();
    if (roll < 0.02) { push(vm, rowVcpu, pick([OP_READ, OP_WRITE]), 0xc0c0, 8, int(2 ** 32), 0, SPACE_SYSREG); continue; }
    if (roll < 0.04) { push(vm, rowVcpu, OP_READ, 0x1000_0000 + 4 * int(1024), 4, int(2 ** 32)); continue; } // outside the GIC
    if (roll < 0.05) { push(vm, rowVcpu, OP_WRITE, null, 4, 0); continue; } // no address
    const blocks = layout.blocks.filter((x) => x.block !== 'GITS' || rnd() < 0.05);
    const block = pick(blocks);
    const frame = frameFor(block.block, block.block === 'GICD' ? (block.size <= 0x1000 ? 2 : 3) : spec.gicVersion);
    let base = block.base;
    if (block.block === 'GICR') base += (block.stride ?? 0x20000) * int(Math.min(spec.vcpus + 1, Math.floor(block.size / (block.stride ?? 0x20000))));
    const reg: RegisterDescriptor = pick(frame.registers);
    let off = reg.offset;
    if (reg.bitsPerIrq > 0) {
      // Mostly low INTIDs (inside nr_irqs), sometimes anywhere in the array.
      const words = reg.length / 4;
      off += 4 * (rnd() < 0.8 ? int(Math.min(words, Math.max(1, Math.ceil(words / 8)))) : int(words));
    } else off += 4 * int(reg.length / 4);
    let len = rnd() < 0.85 ? pick(reg.widths) / 8 : pick([1, 2, 4, 8, 3]);
    if (len === 8) off &= ~7;
    if (len === 1 || rnd() < 0.03) off += int(4);
    if (off >= frame.size) off = reg.offset;
    const op = rnd() < 0.5 ? OP_READ : OP_WRITE;
    const valueKind = rnd();
    let lo = valueKind < 0.03 ? null : valueKind < 0.2 ? 0 : valueKind < 0.35 ? 0xffffffff : valueKind < 0.6 ? 1 << int(32) : int(2 ** 32);
    // vm0 writes IGROUPR like Linux (all Group 1: the same under every revision) for the first half,
    // so the engine's "delivery cannot differ yet" state lasts, then like a secure build.
    if (vm === 0 && reg.handler === H.GROUP && op === OP_WRITE && r < rows / 2) lo = 0xffffffff;
    push(vm, rowVcpu, op, base + off, len, lo, rnd() < 0.5 ? 0 : int(2 ** 32));
    if (rnd() < 0.01) {
      irqs.push({ seq: seq - 1 + (rnd() < 0.5 ? 0 : 1), ts_ns: rnd() < 0.5 ? null : BigInt(seq * 1000), host_cpu: null, tid: 0,
        vm: int(SPECS.length + 1), vcpu: int(5) - 1, irq: int(300), level: rnd() < 0.6, source: 0 });
    }
  }
  if (b.length > 0) batches.push(b);
  return { vms, batches, irqs };
}
