/**
 * Fast, deterministic (seeded xorshift) generator of a raw-ftrace trace as the import benchmark's
 * issue describes it: kvm_mmio lines of many VMs interleaved — reads as `unsatisfied-read` + `read`
 * pairs, writes — in the kernel's `trace` layout with the record-tgid column (tracepoints.md §2):
 *
 *        CPU 3/KVM-40213   (  40210) [017] .....  4512.123456: kvm_mmio: mmio write len 4 gpa 0x80a0084 val 0xffffffff
 *
 * Every VM is one tgid with its own vCPU threads (QEMU `CPU n/KVM` names, some Firecracker
 * `fc_vcpu n` and Cloud Hypervisor `vcpun`); a thread stays on one host CPU most of the time. The
 * two halves of a read are on the same thread and usually adjacent, but other CPUs' lines may
 * come between them, as in a merged per-CPU buffer. Addresses are GIC distributor /
 * redistributor registers (mostly 4-byte, some 8-byte) and a PL011; values vary in width.
 * `noise` > 0 wraps that fraction of accesses in kvm_exit … kvm_entry lines (the older mix).
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export interface GenOptions {
  path: string;
  /** Approximate output size in bytes. */
  bytes: number;
  /** VMs (tgids); default 48. */
  vms?: number;
  /** Most vCPUs per VM; each VM gets 1..vcpus (default 8). */
  vcpus?: number;
  /** Fraction of accesses wrapped in kvm_exit/kvm_entry lines (0 = kvm_mmio lines only, the default). */
  noise?: number;
  /** Seed of the PRNG (same options + seed = same bytes). */
  seed?: number;
}

export interface GenResult {
  bytes: number;
  lines: number;
  /** Guest accesses = rows the import must produce (a read pair counts once). */
  accesses: number;
  reads: number;
  writes: number;
  vms: number;
  threads: number;
}

const GICD = 0x0800_0000;
const GICR = 0x080a_0000;
const UART = 0x0900_0000;
/** GICD offsets a Linux guest touches (CTLR, TYPER, IIDR, IGROUPR, ISENABLER, ICENABLER, IPRIORITYR, ITARGETSR, ICFGR, IROUTER, PIDR2). */
const GICD_OFFSETS = [0x0, 0x4, 0x8, 0x84, 0x88, 0x100, 0x104, 0x180, 0x184, 0x400, 0x404, 0x420, 0x800, 0xc04, 0xc08, 0x6100, 0x6108, 0xffe8];
/** GICR offsets (RD frame CTLR, IIDR, TYPER, WAKER; SGI frame IGROUPR0, ISENABLER0, IPRIORITYR). */
const GICR_OFFSETS = [0x0, 0x4, 0x8, 0x14, 0xffe8, 0x10080, 0x10100, 0x10180, 0x10400, 0x10404, 0x10c00, 0x10c04];
const UART_OFFSETS = [0x0, 0x18, 0x24, 0x28, 0x2c, 0x30, 0x38, 0x44];

interface Thread {
  /** Bytes before the CPU column: `<comm>-<tid> (<tgid>) `. */
  head: string;
  cpu: string;
  vcpu: number;
  vcpus: number;
  /** Pending unsatisfied-read: gpa and len, or gpa -1. */
  pendGpa: number;
  pendLen: number;
}

const comm = (vmm: number, vcpu: number): string => (vmm === 0 ? `CPU ${vcpu}/KVM` : vmm === 1 ? `fc_vcpu ${vcpu}` : `vcpu${vcpu}`);
const cpuCol = (cpu: number): string => `[${String(cpu).padStart(3, '0')}]`;

export function generateFtrace(o: GenOptions): GenResult {
  const nVms = o.vms ?? 48;
  const maxVcpus = o.vcpus ?? 8;
  const noise = o.noise ?? 0;
  let seed = (o.seed ?? 0x9e3779b9) >>> 0 || 1;
  const rnd = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  const hostCpus = 64;
  const threads: Thread[] = [];
  for (let v = 0; v < nVms; v++) {
    const tgid = 3000 + v * 1013 + (rnd() % 900);
    const vcpus = 1 + (rnd() % maxVcpus);
    const vmm = v % 8 === 5 ? 1 : v % 8 === 7 ? 2 : 0; // mostly QEMU
    for (let c = 0; c < vcpus; c++) {
      const tid = tgid + 3 + c;
      threads.push({
        head: `${comm(vmm, c).padStart(16)}-${String(tid).padEnd(7)} (${String(tgid).padStart(7)}) `,
        cpu: cpuCol(rnd() % hostCpus), vcpu: c, vcpus, pendGpa: -1, pendLen: 0,
      });
    }
  }
  const fd = openSync(o.path, 'w');
  const header = `# tracer: nop\n#\n# entries-in-buffer/entries-written: 0/0   #P:${hostCpus}\n#\n`
    + '#                                      _-----=> irqs-off/BH-disabled\n'
    + '#                                     / _----=> need-resched\n'
    + '#                                    | / _---=> hardirq/softirq\n'
    + '#                                    || / _--=> preempt-depth\n'
    + '#                                    ||| / _-=> migrate-disable\n'
    + '#                                    |||| /     delay\n'
    + '#           TASK-PID     TGID     CPU#  |||||  TIMESTAMP  FUNCTION\n'
    + '#              | |         |        |   |||||     |         |\n';
  writeSync(fd, header);
  let bytes = header.length;
  let lines = header.split('\n').length - 1;
  let reads = 0;
  let writes = 0;
  let usec = 4_000_000_000; // 4000 s of uptime
  let parts: string[] = [];
  let pending = 0;
  const line = (th: Thread, flags: string, body: string): void => {
    usec += 1 + (rnd() & 3);
    const s = Math.floor(usec / 1e6);
    const l = `${th.head}${th.cpu} ${flags} ${String(s).padStart(5)}.${String(usec % 1e6).padStart(6, '0')}: ${body}\n`;
    parts.push(l);
    pending += l.length;
    bytes += l.length;
    lines++;
  };
  const flush = (): void => {
    if (parts.length === 0) return;
    writeSync(fd, parts.join(''));
    parts = [];
    pending = 0;
  };
  const pc = (): string => `0xffff8000${(0x80a1b000 + (rnd() & 0xffc)).toString(16)}`;
  const completeRead = (th: Thread): void => {
    const r = rnd();
    // mostly 32-bit register values, some small, some 64-bit (IROUTER, TYPER)
    const val = th.pendLen === 8 ? `${(r & 0xff).toString(16)}${(rnd() >>> 0).toString(16).padStart(8, '0')}` : (r & 3) === 0 ? (r >>> 28).toString(16) : r.toString(16);
    line(th, '.....', `kvm_mmio: mmio read len ${th.pendLen} gpa 0x${th.pendGpa.toString(16)} val 0x${val}`);
    th.pendGpa = -1;
    reads++;
  };
  while (bytes < o.bytes) {
    const th = threads[rnd() % threads.length]!;
    if (th.pendGpa >= 0) {
      completeRead(th);
    } else {
      if ((rnd() & 255) === 0) th.cpu = cpuCol(rnd() % hostCpus); // occasional migration
      const r = rnd();
      let gpa: number;
      let len = 4;
      const which = r & 15;
      if (which < 7) {
        const off = GICD_OFFSETS[(r >>> 4) % GICD_OFFSETS.length]!;
        gpa = GICD + off;
        if (off === 0x6100 || off === 0x6108) len = 8;
      } else if (which < 15) {
        gpa = GICR + th.vcpu * 0x20000 + GICR_OFFSETS[(r >>> 4) % GICR_OFFSETS.length]!;
        if ((gpa & 0xffff) === 0x8) len = 8;
      } else {
        gpa = UART + UART_OFFSETS[(r >>> 4) % UART_OFFSETS.length]!;
      }
      const wrapped = noise > 0 && rnd() / 4294967296 < noise;
      if (wrapped) line(th, '...1.', `kvm_exit: TRAP: HSR_EC: 0x0024 (DABT_LOW), PC: ${pc()}`);
      if (r & 0x80000000) {
        const v = rnd();
        const val = len === 8 ? `${(v & 0xf).toString(16)}${rnd().toString(16).padStart(8, '0')}` : (v & 1) === 0 ? (v >>> 24).toString(16) : v.toString(16);
        line(th, '.....', `kvm_mmio: mmio write len ${len} gpa 0x${gpa.toString(16)} val 0x${val}`);
        writes++;
      } else {
        line(th, '.....', `kvm_mmio: mmio unsatisfied-read len ${len} gpa 0x${gpa.toString(16)} val 0x0`);
        th.pendGpa = gpa;
        th.pendLen = len;
        // in-kernel devices answer at once; otherwise other CPUs' lines come in between
        if ((rnd() & 7) !== 0) completeRead(th);
      }
      if (wrapped) {
        if (th.pendGpa >= 0) completeRead(th); // the vCPU re-enters only once the read is answered
        line(th, 'd..1.', `kvm_entry: PC: ${pc()}`);
      }
    }
    if (pending >= 4 << 20) flush();
  }
  for (const th of threads) if (th.pendGpa >= 0) completeRead(th);
  flush();
  closeSync(fd);
  return { bytes, lines, accesses: reads + writes, reads, writes, vms: nVms, threads: threads.length };
}
