/**
 * Fast generator of a raw-ftrace (record-tgid) kvm_mmio trace for the import benchmark: many VMs
 * (tgid column), several vCPU threads each, reads as unsatisfied-read + read pairs, writes, and
 * kvm_exit/kvm_entry noise. Deterministic (seeded xorshift) so runs compare.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export interface GenOptions {
  path: string;
  /** Approximate output size in bytes. */
  bytes: number;
  vms?: number;
  vcpus?: number;
}

export interface GenResult {
  bytes: number;
  lines: number;
  /** Guest accesses (a read pair counts once). */
  accesses: number;
}

const GICD = 0x0800_0000;
const GICR = 0x080a_0000;
const OFFSETS = [0x0, 0x4, 0x8, 0x84, 0x88, 0x100, 0x180, 0x400, 0x404, 0x800, 0xc04, 0x6100, 0x6108, 0xffe8];

export function generateFtrace(o: GenOptions): GenResult {
  const vms = o.vms ?? 24;
  const vcpus = o.vcpus ?? 4;
  let seed = 0x9e3779b9;
  const rnd = () => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  // Per thread: the fixed part of every line up to and including the irq flags.
  const prefixes: string[] = [];
  for (let v = 0; v < vms; v++) {
    const tgid = 3000 + v * 37;
    for (let c = 0; c < vcpus; c++) {
      const comm = `CPU ${c}/KVM`.padStart(16);
      const tid = tgid + 1 + c;
      const cpu = String((v * vcpus + c) % 64).padStart(3, '0');
      prefixes.push(`${comm}-${String(tid).padEnd(7)} (${String(tgid).padStart(7)}) [${cpu}] .....`);
    }
  }
  const fd = openSync(o.path, 'w');
  const header = '# tracer: nop\n#\n# entries-in-buffer/entries-written: 0/0   #P:64\n#\n';
  writeSync(fd, header);
  let bytes = header.length;
  let lines = 4;
  let accesses = 0;
  let usec = 1_000_000_000; // 1000 s
  const parts: string[] = [];
  let pending = 0;
  while (bytes < o.bytes) {
    const t = prefixes[rnd() % prefixes.length]!;
    const off = OFFSETS[rnd() % OFFSETS.length]!;
    const gpa = (rnd() & 1 ? GICD : GICR + (rnd() % vcpus) * 0x20000) + off;
    const noise = (rnd() & 3) === 0;
    const ts = () => {
      usec += 1 + (rnd() & 3);
      const s = Math.floor(usec / 1e6);
      return ` ${String(s).padStart(5)}.${String(usec % 1e6).padStart(6, '0')}: `;
    };
    let chunk = '';
    if (noise) chunk += `${t}${ts()}kvm_exit: TRAP: HSR_EC: 0x0024 (DABT_LOW), PC: 0xffff8000${(0x80a1b000 + (rnd() & 0xffc)).toString(16)}\n`;
    if (rnd() & 1) {
      const val = rnd();
      chunk += `${t}${ts()}kvm_mmio: mmio write len 4 gpa 0x${gpa.toString(16)} val 0x${val.toString(16)}\n`;
      lines += 1;
    } else {
      chunk += `${t}${ts()}kvm_mmio: mmio unsatisfied-read len 4 gpa 0x${gpa.toString(16)} val 0x0\n`;
      chunk += `${t}${ts()}kvm_mmio: mmio read len 4 gpa 0x${gpa.toString(16)} val 0x${rnd().toString(16)}\n`;
      lines += 2;
    }
    if (noise) {
      chunk += `${t}${ts()}kvm_entry: PC: 0xffff8000${(0x80a1b000 + (rnd() & 0xffc)).toString(16)}\n`;
      lines += 2;
    }
    accesses++;
    parts.push(chunk);
    pending += chunk.length;
    bytes += chunk.length;
    if (pending >= 4 << 20) {
      writeSync(fd, parts.join(''));
      parts.length = 0;
      pending = 0;
    }
  }
  if (parts.length) writeSync(fd, parts.join(''));
  closeSync(fd);
  return { bytes, lines, accesses };
}
