/**
 * Writes an injection-heavy raw ftrace (record-tgid layout), as a host trace looks: per VM, the
 * arch timer PPI 27 raised and lowered on every vCPU thread, device SPIs raised from a VMM I/O
 * thread (vcpu 0), a few GICD accesses in between, and occasionally a line without an irq-flags
 * column. Deterministic for a seed.
 */
import { writeFileSync } from 'node:fs';

export interface IrqTraceOptions {
  path: string;
  /** vgic_update_irq_pending lines to write. */
  irqEvents: number;
  vms?: number;
  vcpus?: number;
  /** One GICD access line per this many irq lines. */
  accessEvery?: number;
  seed?: number;
}

export interface IrqTraceStats {
  irqEvents: number;
  accesses: number;
  lines: number;
}

export function writeIrqTrace(o: IrqTraceOptions): IrqTraceStats {
  const vms = o.vms ?? 4;
  const vcpus = o.vcpus ?? 2;
  const every = o.accessEvery ?? 10;
  let x = (o.seed ?? 1) >>> 0 || 1;
  const rnd = (n: number): number => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
  const out: string[] = [];
  let usec = 1_000_000;
  let accesses = 0;
  for (let k = 0; k < o.irqEvents; k++) {
    usec += 1 + rnd(40);
    const vm = rnd(vms);
    const tgid = 4000 + 1000 * vm;
    const ts = `${Math.floor(usec / 1e6)}.${String(usec % 1e6).padStart(6, '0')}`;
    const cpu = String(rnd(16)).padStart(3, '0');
    const line = (comm: string, tid: number, flags: string, body: string): string =>
      `${comm.padStart(16)}-${String(tid).padEnd(7)} (${String(tgid).padStart(7)}) [${cpu}]${flags} ${ts}: ${body}`;
    if (rnd(5) === 0) {
      // a device SPI from the VMM's I/O thread: not a vCPU thread, vcpu field 0
      const spi = 32 + rnd(64);
      out.push(line('qemu-system-aar', tgid + 90, ' d..1.', `vgic_update_irq_pending: VCPU: 0, IRQ ${spi}, level: ${rnd(2)}`));
    } else {
      const vcpu = rnd(vcpus);
      const flags = rnd(50) === 0 ? '' : ' d.h1.';
      out.push(line(`CPU ${vcpu}/KVM`, tgid + 1 + vcpu, flags, `vgic_update_irq_pending: VCPU: ${vcpu}, IRQ 27, level: ${rnd(3) === 0 ? 0 : 1}`));
    }
    if (k % every === every - 1) {
      const vcpu = rnd(vcpus);
      const off = 0x100 + 4 * rnd(8);
      const value = ((1 << rnd(32)) >>> 0).toString(16);
      out.push(line(`CPU ${vcpu}/KVM`, tgid + 1 + vcpu, ' .....', `kvm_mmio: mmio write len 4 gpa 0x${(0x8000000 + off).toString(16)} val 0x${value}`));
      accesses++;
    }
  }
  writeFileSync(o.path, `${out.join('\n')}\n`);
  return { irqEvents: o.irqEvents, accesses, lines: out.length };
}
