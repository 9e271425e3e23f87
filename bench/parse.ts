/**
 * Parse-only micro-benchmark: generates ~200 MB of raw-ftrace (record-tgid layout) kvm_mmio
 * traffic from 16 VMs x 8 vCPUs — reads as unsatisfied-read + read pairs, writes, and ~25 %
 * kvm_exit/kvm_entry noise — then parses it (a) through parseFile in the worker thread, (b) through
 * parseFile in-process, both streaming from the file, and (c) single-threaded from memory (the
 * parser alone; wall and CPU time, since the machine may be shared). Prints MB/s and lines/s.
 *
 *   node --import tsx bench/parse.ts [sizeMB]
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { parseFile } from '../src/ingest/parse-file.ts';
import { TraceParser } from '../src/ingest/trace-parser.ts';
import type { ParseSink } from '../src/ingest/types.ts';

const sizeMB = Number(process.argv[2] ?? 200);
const outDir = join(import.meta.dirname, 'out');
const file = join(outDir, `parse-bench-${sizeMB}MB.trace`);

/** Deterministic PRNG (mulberry32) so every run parses the same bytes. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(): void {
  mkdirSync(outDir, { recursive: true });
  const rand = rng(42);
  const VMS = 16;
  const VCPUS = 8;
  const fd = openSync(file, 'w');
  let written = 0;
  let parts: string[] = [];
  let partLen = 0;
  let usec = 0;
  let secs = 1000;
  const target = sizeMB * 1e6;
  const hex = (n: number): string => n.toString(16);
  while (written < target) {
    const vm = (rand() * VMS) | 0;
    const vcpu = (rand() * VCPUS) | 0;
    const tgid = 4000 + vm * 100;
    const tid = tgid + 10 + vcpu;
    const cpu = ((vm * VCPUS + vcpu) % 64).toString().padStart(3, '0');
    const head = `       CPU ${vcpu}/KVM-${String(tid).padEnd(7)} (${String(tgid).padStart(7)}) [${cpu}] `;
    const ts = (): string => {
      usec += 1 + ((rand() * 5) | 0);
      if (usec >= 1e6) {
        usec -= 1e6;
        secs++;
      }
      return `${String(secs).padStart(5)}.${String(usec).padStart(6, '0')}`;
    };
    const gpa = 0x8000000 + (((rand() * 0x10000) | 0) & ~3) + (rand() < 0.3 ? 0xa0000 : 0);
    const pc = 0xffff800080a00000 + ((rand() * 0xfffff) | 0) * 4;
    const noise = rand() < 0.25;
    if (noise) parts.push(`${head}...1.  ${ts()}: kvm_exit: TRAP: HSR_EC: 0x0024 (DABT_LOW), PC: 0x${hex(pc)}\n`);
    if (rand() < 0.5) {
      parts.push(`${head}.....  ${ts()}: kvm_mmio: mmio unsatisfied-read len 4 gpa 0x${hex(gpa)} val 0x0\n`);
      parts.push(`${head}.....  ${ts()}: kvm_mmio: mmio read len 4 gpa 0x${hex(gpa)} val 0x${hex((rand() * 0xffffffff) >>> 0)}\n`);
    } else {
      parts.push(`${head}.....  ${ts()}: kvm_mmio: mmio write len 4 gpa 0x${hex(gpa)} val 0x${hex((rand() * 0xffffffff) >>> 0)}\n`);
    }
    if (noise) parts.push(`${head}d..1.  ${ts()}: kvm_entry: PC: 0x${hex(pc)}\n`);
    partLen += 400;
    if (partLen > 4e6) {
      const b = Buffer.from(parts.join(''), 'latin1');
      writeSync(fd, b);
      written += b.length;
      parts = [];
      partLen = 0;
    }
  }
  closeSync(fd);
}

const countingSink = (): ParseSink & { rows: number } => {
  const s = {
    rows: 0,
    accesses(b: { length: number }): void {
      s.rows += b.length;
    },
    irqs(): void {},
  };
  return s;
};

function report(label: string, bytes: number, lines: number, ms: number, rows: number, cpuMs?: number): void {
  const mbs = bytes / 1e6 / (ms / 1000);
  const lps = lines / (ms / 1000);
  const cpu = cpuMs === undefined ? '' : `  [cpu ${(cpuMs / 1000).toFixed(2)} s = ${(bytes / 1e6 / (cpuMs / 1000)).toFixed(0)} MB/s]`;
  console.log(`${label.padEnd(36)} ${(ms / 1000).toFixed(2).padStart(6)} s  ${mbs.toFixed(0).padStart(5)} MB/s  ${(lps / 1e6).toFixed(2)} M lines/s  (${rows} rows)${cpu}`);
}

async function main(): Promise<void> {
  if (!existsSync(file) || statSync(file).size < sizeMB * 1e6) {
    const t = performance.now();
    generate();
    console.log(`generated ${file} (${(statSync(file).size / 1e6).toFixed(0)} MB) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  // streaming paths first, so the peak RSS they report does not include the in-memory copy below
  for (const worker of [true, false]) {
    const sink = countingSink();
    const t = performance.now();
    const s = await parseFile(file, { path: file, fallbackVm: 'bench', strict: false }, sink, { worker });
    report(worker ? 'parseFile, worker thread' : 'parseFile, in-process (file I/O)', s.bytes, s.lines, performance.now() - t, sink.rows);
  }
  console.log(`peak RSS of the streaming paths: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);

  const data = readFileSync(file);
  const opts = { format: 'ftrace' as const, path: file, fallbackVm: 'bench', strict: false };
  for (let run = 0; run < 5; run++) {
    const sink = countingSink();
    const t = performance.now();
    const cpu0 = process.cpuUsage();
    const p = new TraceParser(opts, sink);
    for (let off = 0; off < data.length; off += 1 << 20) p.feed(data.subarray(off, Math.min(data.length, off + (1 << 20))));
    const s = p.finish();
    const cpu = process.cpuUsage(cpu0);
    report(`single thread, from memory (run ${run + 1})`, data.length, s.lines, performance.now() - t, sink.rows,
      (cpu.user + cpu.system) / 1000);
    if (s.accesses + s.otherEvents + s.skipped !== s.lines) throw new Error('invariant broken');
  }
}

await main();
