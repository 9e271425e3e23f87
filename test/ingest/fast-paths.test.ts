/**
 * The parser's and pipeline's fast paths give exactly what the plain paths give:
 *  - ftrace lines through the cached comm-column path vs the generic tokenizer (fixtures,
 *    garbled lines, a generated multi-VM trace, comm changes the cache must notice);
 *  - a sink that releases its batches (they are reused, zeroed) vs one that keeps them;
 *  - the hash worker's sha256 of plain and gzip input; a warm (pre-started) parse worker.
 */
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateFtrace } from '../../bench/gen-ftrace.ts';
import { AccessBatch } from '../../src/model/access-batch.ts';
import { decodeKvmMmio, decodeKvmMmioView, MmioFields } from '../../src/ingest/event-decoders/mmio.ts';
import { dropWarmParseWorker, parseFile, warmParseWorker } from '../../src/ingest/parse-file.ts';
import { writeIrqTrace } from '../store/helpers/irq-trace.ts';
import { rng, tempDir } from './helpers/fixtures.ts';
import { CollectingSink, parseBytes, render, rowsOf } from './helpers/render.ts';

const DIR = join(import.meta.dirname, '../fixtures/ingest');
const FTRACE_FIXTURES = readdirSync(DIR).filter((f) => /^(ftrace|tracecmd|mixed)-.*\.txt$/.test(f) && !f.endsWith('.expected.txt'));
const PERF_FIXTURES = readdirSync(DIR).filter((f) => /^perf-.*\.txt$/.test(f) && !f.endsWith('.expected.txt'));
const QEMU_FIXTURES = readdirSync(DIR).filter((f) => /^qemu-.*\.txt$/.test(f) && !f.endsWith('.expected.txt'));

function bothPaths(input: Buffer, cuts: number[] = [], batchRows = 5, format: 'ftrace' | 'perf' | 'qemu' = 'ftrace'): [string, string] {
  const fast = render(parseBytes(input, { format, batchRows }, cuts));
  const plain = render(parseBytes(input, { format, batchRows, columnPath: false }, cuts));
  return [fast, plain];
}

/** `perf script` layouts of one event: default fields, `-F ...,pid,tid,...`, and pre-2023 5-wide tids. */
function perfLine(comm: string, tid: number, ts: string, event: string, body: string, style: 'default' | 'pid' | 'old' = 'default', tgid = 4242): string {
  const ids = style === 'pid' ? `${String(tgid).padStart(7)}/${String(tid).padEnd(7)}` : String(tid).padStart(style === 'old' ? 5 : 7);
  return `${comm.padStart(16)} ${ids} [003] ${ts.padStart(12)}: ${`kvm:${event}`.padStart(26)}: ${body}`;
}

/** The generator's ftrace lines re-printed as perf script would print the same events. */
function asPerf(ftrace: string, style: 'default' | 'pid' | 'old'): string {
  const rx = /^\s*(.+?)-(\d+)\s+\(\s*(\d+)\)\s+\[(\d+)\]\s+\S+\s+(\d+\.\d+): (\w+): (.*)$/;
  return ftrace.split('\n').map((l) => {
    const m = rx.exec(l);
    if (!m) return l;
    const [, comm, tid, tgid, cpu, ts, ev, body] = m;
    return perfLine(comm!, Number(tid), ts!, ev!, body!, style, Number(tgid)).replace('[003]', `[${cpu}]`);
  }).join('\n');
}

/** `<comm>-<tid> (<tgid>) [<cpu>] .....  <ts>: <event>: <body>` in the kernel's column layout. */
function line(comm: string, tid: number, ts: string, event: string, body: string, tgid = 4242): string {
  return `${comm.padStart(16)}-${String(tid).padEnd(7)} (${String(tgid).padStart(7)}) [003] .....  ${ts}: ${event}: ${body}`;
}

function mutate(l: string, r: () => number): string {
  const i = Math.floor(r() * l.length);
  switch (Math.floor(r() * 7)) {
    case 0: return l.slice(0, i);
    case 1: return l.slice(0, i) + String.fromCharCode(Math.floor(r() * 256)) + l.slice(i + 1);
    case 2: return l.slice(0, i) + ' -:.()[]0x9<>'[Math.floor(r() * 13)] + l.slice(i + 1);
    case 3: return l.slice(0, i) + l.slice(i + 1 + Math.floor(r() * 4));
    case 4: return l.slice(0, i) + ' ' + l.slice(i);
    case 5: return l.trimStart(); // trace_pipe readers that strip the padding
    default: return l;
  }
}

describe('ftrace comm-column path = generic tokenizer', () => {
  it('on every ftrace/trace-cmd fixture, whole and cut into chunks', () => {
    const r = rng(11);
    for (const f of FTRACE_FIXTURES) {
      const text = readFileSync(join(DIR, f));
      const [fast, plain] = bothPaths(text);
      expect(fast, f).toBe(plain);
      const cuts = Array.from({ length: 6 }, () => Math.floor(r() * text.length)).sort((a, b) => a - b);
      expect(bothPaths(text, cuts)[0], `${f} cut`).toBe(plain); // same rows whatever the chunks
    }
  });

  it('on garbled, trimmed and truncated variants of the fixture lines', () => {
    const r = rng(12);
    const lines = FTRACE_FIXTURES.flatMap((f) => readFileSync(join(DIR, f), 'latin1').split('\n').filter((l) => l !== ''));
    for (let i = 0; i < 200; i++) {
      const out: string[] = [];
      for (let k = 0; k < 30; k++) {
        const l = lines[Math.floor(r() * lines.length)]!;
        out.push(r() < 0.5 ? mutate(l, r) : l);
      }
      const [fast, plain] = bothPaths(Buffer.from(out.join(r() < 0.2 ? '\r\n' : '\n'), 'latin1'));
      expect(fast).toBe(plain);
    }
  });

  it('notices a comm change on the same thread, also through lines outside the column layout', () => {
    const mm = (gpa: number) => `mmio write len 4 gpa 0x${gpa.toString(16)} val 0x1`;
    const text = [
      line('CPU 0/KVM', 4251, '1.000001', 'kvm_mmio', mm(0x8000000)),
      line('CPU 0/KVM', 4251, '1.000002', 'kvm_mmio', mm(0x8000004)), // cached column
      line('qemu-system-aar', 4251, '1.000003', 'kvm_mmio', mm(0x8000008)), // renamed: no vCPU
      line('CPU 0/KVM', 4251, '1.000004', 'kvm_mmio', mm(0x800000c)), // back
      line('CPU 0/KVM', 4251, '1.000005', 'kvm_mmio', mm(0x8000010)).trimStart().replace('CPU 0/KVM', 'CPU 1/KVM'), // trimmed line, new comm
      line('CPU 0/KVM', 4251, '1.000006', 'kvm_mmio', mm(0x8000014)), // same column as before the trimmed line: must not be trusted
      line('<...>', 4251, '1.000007', 'kvm_mmio', mm(0x8000018)), // unknown comm keeps CPU 0/KVM
      line('<...>', 4251, '1.000008', 'kvm_mmio', mm(0x800001c)),
      line('CPU 2/KVM', 4251, '1.000009', 'kvm_mmio', mm(0x8000020)),
    ].join('\n');
    const [fast, plain] = bothPaths(Buffer.from(text));
    expect(fast).toBe(plain);
    const rows = rowsOf(parseBytes(Buffer.from(text), { format: 'ftrace' }));
    expect(rows.map((x) => x.vcpu)).toEqual([0, 0, null, 0, 1, 0, 0, 0, 2]);
  });

  it('on a generated multi-VM trace with and without kvm_exit/kvm_entry noise', () => {
    const dir = tempDir();
    for (const noise of [0, 0.5]) {
      const path = join(dir, `gen-${noise}.log`);
      const g = generateFtrace({ path, bytes: 400_000, vms: 6, vcpus: 3, noise, seed: 5 });
      const text = readFileSync(path);
      const [fast, plain] = bothPaths(text, [123_457, 300_001], 1000);
      expect(fast).toBe(plain);
      const p = parseBytes(text, { format: 'ftrace' });
      // the fused kvm_mmio path carried most lines (and the comparison above covered it)
      expect(p.fusedLines).toBeGreaterThan(noise === 0 ? g.lines * 0.9 : g.lines * 0.3);
      expect(p.summary.accesses).toBe(g.accesses);
      expect(p.summary.lines).toBe(g.lines);
      expect(p.summary.issues).toEqual([]); // every unsatisfied-read got its read
      expect(p.summary.vms.length).toBe(6);
    }
  });
});

/** The generator's ftrace lines (tgid and 5 flags) re-printed in the other ftrace layouts of the spec. */
function asFtraceLayout(ftrace: string, layout: 'notgid' | 'noflags' | 'tracecmd-3.3' | 'tracecmd-3.2' | 'moving-cpu' | 'unpadded'): string {
  const rx = /^\s*(.+?)-(\d+)\s+\(\s*(\d+)\)\s+\[(\d+)\]\s+(\S+)\s+(\d+)\.(\d+): (\w+): (.*)$/;
  let n = 0;
  return ftrace.split('\n').map((l) => {
    const m = rx.exec(l);
    if (!m) return l;
    const [, comm, tid, tgid, cpu, flags, secs, frac, ev, body] = m;
    const head = `${comm!.padStart(16)}-${tid!.padEnd(5)} [${cpu}]`;
    switch (layout) {
      // no column padding at all, as a generator or a reader that strips it may write
      case 'unpadded': return `${comm}-${tid} (${tgid}) [${cpu}] ${flags} ${secs}.${frac}: ${ev}: ${body}`;
      // every line on another host CPU (1 to 3 digits), as a thread that migrates all the time
      case 'moving-cpu': return `${comm!.padStart(16)}-${tid!.padEnd(7)} (${tgid!.padStart(7)}) [${String((n++ * 37) % 130).padStart(3, '0')}] ${flags} ${secs!.padStart(5)}.${frac}: ${ev}: ${body}`;
      case 'notgid': return `${comm!.padStart(16)}-${tid!.padEnd(7)} [${cpu}] ${flags} ${secs!.padStart(5)}.${frac}: ${ev}: ${body}`;
      case 'noflags': return `${head} ${secs!.padStart(5)}.${frac}: ${ev}: ${body}`;
      case 'tracecmd-3.3': return `${head} ${flags} ${secs!.padStart(5)}.${frac}: ${`${ev}:`.padEnd(21)} ${body}`;
      default: return `${head} ${secs!.padStart(5)}.${frac}: ${`${ev}:`.padEnd(21)} ${body}`;
    }
  }).join('\n');
}

describe('ftrace column path in every layout of the spec', () => {
  it('gives what the tokenizer gives and fuses most lines, without tgid, without flags, in trace-cmd output, on moving CPUs, unpadded', () => {
    const dir = tempDir();
    for (const noise of [0, 0.5]) {
      const path = join(dir, `gen-layout-${noise}.log`);
      const g = generateFtrace({ path, bytes: 300_000, vms: 4, vcpus: 3, noise, seed: 9 });
      for (const layout of ['notgid', 'noflags', 'tracecmd-3.3', 'tracecmd-3.2', 'moving-cpu', 'unpadded'] as const) {
        const text = Buffer.from(asFtraceLayout(readFileSync(path, 'latin1'), layout), 'latin1');
        const [fast, plain] = bothPaths(text, [77_777, 150_001], 1000);
        expect(fast, layout).toBe(plain);
        const p = parseBytes(text, { format: 'ftrace' });
        expect(p.fusedLines, layout).toBeGreaterThan(noise === 0 ? g.lines * 0.9 : g.lines * 0.3);
        expect(p.summary.accesses).toBe(g.accesses);
        // without a tgid column the 4 VMs' `CPU 0/KVM` threads share one label: said, not silent
        const merged = !['moving-cpu', 'unpadded'].includes(layout);
        expect(p.summary.issues.map((i) => i.kind), layout).toEqual(merged ? ['vcpu_name_reused'] : []);
      }
    }
  });
});

describe('perf comm-column path = generic tokenizer', () => {
  it('on every perf fixture, whole and cut into chunks, and on garbled variants of their lines', () => {
    const r = rng(21);
    for (const f of PERF_FIXTURES) {
      const text = readFileSync(join(DIR, f));
      const [fast, plain] = bothPaths(text, [], 5, 'perf');
      expect(fast, f).toBe(plain);
      const cuts = Array.from({ length: 6 }, () => Math.floor(r() * text.length)).sort((a, b) => a - b);
      expect(bothPaths(text, cuts, 5, 'perf')[0], `${f} cut`).toBe(plain);
    }
    const lines = PERF_FIXTURES.flatMap((f) => readFileSync(join(DIR, f), 'latin1').split('\n').filter((l) => l !== ''));
    for (let i = 0; i < 200; i++) {
      const out: string[] = [];
      for (let k = 0; k < 30; k++) {
        const l = lines[Math.floor(r() * lines.length)]!;
        out.push(r() < 0.5 ? mutate(l, r) : l);
      }
      const [fast, plain] = bothPaths(Buffer.from(out.join(r() < 0.2 ? '\r\n' : '\n'), 'latin1'), [], 5, 'perf');
      expect(fast).toBe(plain);
    }
  });

  it('on a generated multi-VM trace in each perf layout, with and without kvm_exit/kvm_entry noise', () => {
    const dir = tempDir();
    for (const noise of [0, 0.5]) {
      const path = join(dir, `gen-perf-${noise}.log`);
      const g = generateFtrace({ path, bytes: 300_000, vms: 5, vcpus: 3, noise, seed: 8 });
      for (const style of ['default', 'pid', 'old'] as const) {
        const text = Buffer.from(asPerf(readFileSync(path, 'latin1'), style), 'latin1');
        const [fast, plain] = bothPaths(text, [99_991, 200_003], 1000, 'perf');
        expect(fast, style).toBe(plain);
        const p = parseBytes(text, { format: 'perf' });
        expect(p.fusedLines, style).toBeGreaterThan(noise === 0 ? g.lines * 0.9 : g.lines * 0.3);
        expect(p.summary.accesses).toBe(g.accesses);
        expect(p.summary.issues.map((i) => i.kind), style).toEqual(style === 'pid' ? [] : ['vcpu_name_reused']);
        // VMs by tgid with pid/tid; by thread otherwise (no tgid in the default fields)
        if (style === 'pid') expect(p.summary.vms.length).toBe(5);
        expect(p.summary.variant).toBe(style === 'pid' ? 'perf-pid' : 'perf');
      }
    }
  });

  it('notices comm changes, and leaves unknown comms, brackets in comms and other layouts to the tokenizer', () => {
    const mm = (gpa: number) => `mmio write len 4 gpa 0x${gpa.toString(16)} val 0x1`;
    const text = [
      perfLine('CPU 0/KVM', 4251, '1.000001', 'kvm_mmio', mm(0x8000000)),
      perfLine('CPU 0/KVM', 4251, '1.000002', 'kvm_mmio', mm(0x8000004)), // cached column: fused
      perfLine('qemu-system-aar', 4251, '1.000003', 'kvm_mmio', mm(0x8000008)), // renamed: no vCPU
      perfLine('CPU 0/KVM', 4251, '1.000004', 'kvm_mmio', mm(0x800000c)), // back
      perfLine(':4251', 4251, '1.000005', 'kvm_mmio', mm(0x8000010)), // unknown comm keeps CPU 0/KVM
      perfLine(':4251', 4251, '1.000006', 'kvm_mmio', mm(0x8000014)),
      perfLine('CPU 1/KVM [7]', 4252, '1.000007', 'kvm_mmio', mm(0x8000018)), // a bracket in the comm: never cached
      perfLine('CPU 1/KVM [7]', 4252, '1.000008', 'kvm_mmio', mm(0x800001c)),
      perfLine('CPU 2/KVM', 4253, '1.000009', 'kvm_mmio', mm(0x8000020), 'pid', 4300), // a tgid appears
      perfLine('CPU 2/KVM', 4253, '1.000010', 'kvm_mmio', mm(0x8000024), 'pid', 4301), // another tgid: another VM
      perfLine('CPU 2/KVM', 4253, '1.000011', 'kvm_mmio', mm(0x8000028), 'pid', 4301),
      `CPU 3/KV   4254 [003]  1.000012: kvm:kvm_mmio: ${mm(0x800002c)}`, // latency-style %8.8s comm
      `CPU 3/KV   4254 [003]  1.000013: kvm:kvm_mmio: ${mm(0x8000030)}`,
      perfLine('CPU 0/KVM', 4251, '1.000014', 'kvm_mmio', mm(0x8000034)).replace(' [003] ', ' [003]  '),
      perfLine('CPU 0/KVM', 4251, '1.000015', 'kvm_mmio', mm(0x8000038)).replace('kvm:kvm_mmio', 'kvm:kvm_mmiox'),
    ].join('\n');
    const [fast, plain] = bothPaths(Buffer.from(text), [], 3, 'perf');
    expect(fast).toBe(plain);
    const p = parseBytes(Buffer.from(text), { format: 'perf' });
    expect(p.fusedLines).toBe(3); // the second line of CPU 0/KVM, of :4251 and of tgid 4301
    const rows = rowsOf(p);
    // the tokenizer skips the comm's " [7]" (no timestamp after it) for the CPU column; "CPU 1/KVM [7]"
    // names no vCPU; "CPU 3/KV" is "CPU 3/KVM" cut to 8 characters
    expect(rows.map((x) => x.vcpu)).toEqual([0, 0, null, 0, 0, 0, null, null, 2, 2, 2, 3, 3, 0]);
    expect(rows.map((x) => x.tid).slice(6, 8)).toEqual([4252, 4252]);
    expect(p.summary.skipped).toBe(0);
  });
});

describe('fused QEMU memory_region_ops path = general path', () => {
  it('on the QEMU fixtures, the real capture, and garbled variants of their lines', () => {
    const r = rng(31);
    const real = gunzipSync(readFileSync(join(import.meta.dirname, '../../traces/qemu-virt-gicv3-linux6.1-smp2/trace.log.gz')));
    for (const [name, text] of [...QEMU_FIXTURES.map((f) => [f, readFileSync(join(DIR, f))] as const), ['real capture', real] as const]) {
      const [fast, plain] = bothPaths(text, [Math.floor(text.length / 3)], 500, 'qemu');
      expect(fast, name).toBe(plain);
    }
    const p = parseBytes(real, { format: 'qemu' });
    // memory_region_ops lines are about half of the capture; all but each thread's first take the fused path
    expect(p.fusedLines).toBeGreaterThan(p.summary.accesses * 0.95);
    const lines = real.toString('latin1').split('\n').filter((l) => l !== '').slice(0, 4000);
    for (let i = 0; i < 100; i++) {
      const out: string[] = [];
      for (let k = 0; k < 40; k++) {
        const l = lines[Math.floor(r() * lines.length)]!;
        out.push(r() < 0.5 ? mutate(l, r) : l);
      }
      const [fast, plain] = bothPaths(Buffer.from(out.join('\n'), 'latin1'), [], 5, 'qemu');
      expect(fast).toBe(plain);
    }
  });
});

describe('fused vgic_update_irq_pending path = general path', () => {
  it('on an injection-heavy host trace, in ftrace and perf layouts, with malformed bodies among them', () => {
    const dir = tempDir();
    const path = join(dir, 'irq.log');
    const w = writeIrqTrace({ path, irqEvents: 20_000, vms: 3, vcpus: 2, seed: 4 });
    // vCPU threads stay on their host CPU for a while in real traces; this generator moves them on
    // every line, which only the column caches would notice
    const base = readFileSync(path, 'latin1').split('\n').map((l) => l.replace(/-(\d+)( +\( *\d+\) )\[\d+\]/,
      (_, tid: string, mid: string) => `-${tid}${mid}[${String(Number(tid) % 16).padStart(3, '0')}]`));
    // a few bodies the decoder rejects or the table cannot hold: the general path's issues, fused or not
    for (let i = 50; i < base.length; i += 997) base[i] = base[i]!.replace(/VCPU: \d+/, 'VCPU: x').replace(/IRQ \d+/, 'IRQ 99999999');
    const ftrace = Buffer.from(base.join('\n'), 'latin1');
    const [fast, plain] = bothPaths(ftrace, [65_537, 400_009], 1000);
    expect(fast).toBe(plain);
    const p = parseBytes(ftrace, { format: 'ftrace' });
    expect(p.fusedLines).toBeGreaterThan(w.irqEvents * 0.8);
    expect(p.summary.irqEvents).toBeGreaterThan(w.irqEvents * 0.95);
    const perf = Buffer.from(asPerf(base.join('\n'), 'pid'), 'latin1');
    const [fastPerf, plainPerf] = bothPaths(perf, [65_537], 1000, 'perf');
    expect(fastPerf).toBe(plainPerf);
    expect(parseBytes(perf, { format: 'perf' }).fusedLines).toBeGreaterThan(w.irqEvents * 0.8);
  });
});

describe('fused kvm_mmio line path = general path', () => {
  it('on trace-cmd padded event names (2+ spaces are padding, 1 is not) and changing irq flags', () => {
    const mm = (gpa: number) => `mmio write len 4 gpa 0x${gpa.toString(16)} val 0x1`;
    for (const withTgid of [true, false]) {
      for (const pad of [' ', '  ', '      ']) {
        const text = [0, 1, 2, 3, 4, 5].map((k) => {
          let l = line('CPU 0/KVM', 4251, `5.00000${k}`, 'kvm_mmio', mm(0x8000000 + 4 * k))
            .replace('kvm_mmio: ', `kvm_mmio:${pad}`).replace('.....', k % 2 === 0 ? '.....' : 'd..1.');
          if (!withTgid) l = l.replace('(   4242) ', '');
          return l;
        }).join('\n');
        const [fast, plain] = bothPaths(Buffer.from(text), [], 2);
        expect(fast).toBe(plain);
        const p = parseBytes(Buffer.from(text), { format: 'ftrace' });
        expect(p.fusedLines).toBeGreaterThanOrEqual(4);
        expect(p.summary.variant).toBe(withTgid ? 'ftrace-tgid' : pad.length >= 2 ? 'trace-cmd' : 'ftrace');
      }
    }
  });

  it('on kvm_exit / kvm_entry lines around the accesses, look-alike names, padding and SMC exits', () => {
    const mm = (gpa: number) => `mmio write len 4 gpa 0x${gpa.toString(16)} val 0x1`;
    const exit = (ec: string, pc: string) => `TRAP: HSR_EC: ${ec}, PC: ${pc}`;
    const rows: string[] = [];
    for (let k = 0; k < 6; k++) {
      const t = (n: number) => `7.${String(k * 10 + n).padStart(6, '0')}`;
      rows.push(line('CPU 1/KVM', 4252, t(1), 'kvm_exit', exit('0x0024 (DABT_LOW)', `0xffff80008000${k}000`)).replace('.....', '...1.'));
      rows.push(line('CPU 1/KVM', 4252, t(2), 'kvm_mmio', mm(0x8000000 + 4 * k)));
      rows.push(line('CPU 1/KVM', 4252, t(3), 'kvm_entry', `PC: 0xffff80008000${k}004`).replace('.....', 'd..1.'));
    }
    rows.push(line('CPU 1/KVM', 4252, '7.000100', 'kvm_exit', exit('0x0017 (SMC64)', '0xffff800080001000')).replace('.....', '...1.'));
    rows.push(line('CPU 1/KVM', 4252, '7.000101', 'kvm_smc_arm64', 'SMC at 0xffff800080001000 (r0: 0x0000000084000000, imm: 0x0)'));
    rows.push(line('CPU 1/KVM', 4252, '7.000102', 'kvm_entry', 'PC: 0xffff800080001004').replace('kvm_entry: ', 'kvm_entry:     '));
    rows.push(line('CPU 1/KVM', 4252, '7.000103', 'kvm_exitx', exit('0x0024 (DABT_LOW)', '0x1')));
    rows.push(line('CPU 1/KVM', 4252, '7.000104', 'kvm_entryx', 'PC: 0x1'));
    rows.push(line('CPU 1/KVM', 4252, '7.000105', 'kvm_entry', ''));
    rows.push(line('CPU 1/KVM', 4252, '7.000106', 'kvm_exit', 'garbage'));
    for (const cut of [[], [333, 1200]]) {
      const [fast, plain] = bothPaths(Buffer.from(rows.join('\n')), cut, 4);
      expect(fast).toBe(plain);
    }
    const p = parseBytes(Buffer.from(rows.join('\n')), { format: 'ftrace' });
    expect(p.fusedLines).toBeGreaterThanOrEqual(12);
    expect(p.summary.accesses).toBe(7); // 6 writes and the SMC
  });

  it('on the timestamps, names and attribution changes it must leave to the general path', () => {
    const mm = (type: string, gpa: number, val = 0) => `mmio ${type} len 4 gpa 0x${gpa.toString(16)} val 0x${val.toString(16)}`;
    const text = [
      line('CPU 0/KVM', 4251, '100.000001', 'kvm_mmio', mm('write', 0x8000000, 1)),
      line('CPU 0/KVM', 4251, '100.000002', 'kvm_mmio', mm('write', 0x8000004, 2)), // fused
      line('CPU 0/KVM', 4251, '100.000000003', 'kvm_mmio', mm('unsatisfied-read', 0x8000008)), // 9 decimals: fused
      line('CPU 0/KVM', 4251, '100.000000004', 'kvm_mmio', mm('read', 0x8000008, 0x4b)),
      line('CPU 0/KVM', 4251, '9007199.000005', 'kvm_mmio', mm('write', 0x800000c)), // secs beyond exact doubles
      line('CPU 0/KVM', 4251, '1795388560.339579', 'kvm_mmio', mm('write', 0x8000010)), // wall clock
      line('CPU 0/KVM', 4251, '100.0000061', 'kvm_mmio', mm('write', 0x8000014)), // 7 decimals
      line('CPU 0/KVM', 4251, '100.000007', 'kvm_mmio', mm('write', 0x8000018)).replace('kvm_mmio: ', 'kvm_mmio:    '), // padded
      line('CPU 0/KVM', 4251, '100.000008', 'kvm_mmio', mm('write', 0x800001c), 4243), // new tgid: new VM
      line('CPU 0/KVM', 4251, '100.000009', 'kvm_mmio', mm('write', 0x8000020), 4243), // fused again
      line('CPU 0/KVM', 4251, '100.000010', 'kvm_mmio', 'mmio write len 3 gpa 0x8000024 val 0x1'), // bad len: malformed
      line('CPU 0/KVM', 4251, '100.000011', 'kvm_mmio', mm('write', 0x8000028)).replace('gpa 0x', 'gpa 0xz'), // bad hex
      line('CPU 0/KVM', 4251, '100.000012', 'kvm_mmiox', mm('write', 0x800002c)), // another event
      line('CPU 0/KVM', 4251, '100.000013', 'kvm_mmio', mm('unsatisfied-read', 0x8000030)),
      line('CPU 0/KVM', 4251, '100.000014', 'kvm_mmio', mm('unsatisfied-read', 0x8000034)), // the first never completes
      line('CPU 0/KVM', 4251, '100.000015', 'kvm_mmio', mm('read', 0x8000034, 7)),
    ].join('\n');
    const [fast, plain] = bothPaths(Buffer.from(text), [], 3);
    expect(fast).toBe(plain);
    const p = parseBytes(Buffer.from(text), { format: 'ftrace' });
    expect(p.fusedLines).toBeGreaterThanOrEqual(5);
    expect(p.summary.skipped).toBe(2); // bad len, bad hex
    expect(p.summary.issues.map((i) => i.kind).sort()).toEqual(['malformed_line', 'unpaired_read']);
  });
});

describe('kvm_mmio word-compare decoder = byte decoder', () => {
  it('on canonical, garbled, truncated and [FAILED TO PARSE] bodies', () => {
    const r = rng(13);
    const bodies = [
      'mmio write len 4 gpa 0x80c0004 val 0xc1dba49b', 'mmio read len 8 gpa 0x80a0008 val 0x1f00000000000001',
      'mmio unsatisfied-read len 4 gpa 0x8000000 val 0x0', 'mmio read len 2 gpa 8000000 val ffff',
      'mmio write len 4 gpa 0xffffffffffffffff val 0xfedcba9876543210', 'mmio write len 4 gpa 0x12345678901234 val 0x1',
      '[FAILED TO PARSE] type=1 len=4 gpa=0x8000000 val=0x4b00343b', 'mmio write len 1 gpa 0x9000000 val 0x41 trailing',
    ];
    const fields = (f: MmioFields) => [f.type, f.len, f.gpaLo, f.gpaHi, f.valLo, f.valHi];
    for (let i = 0; i < 3000; i++) {
      let b = bodies[Math.floor(r() * bodies.length)]!;
      if (r() < 0.7) b = mutate(b, r);
      const buf = Buffer.from(`xx${b}\n`, 'latin1'); // the body at an unaligned offset
      const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      const a = new MmioFields();
      const v = new MmioFields();
      const ok = decodeKvmMmio(buf, 2, buf.length - 1, a);
      expect(decodeKvmMmioView(buf, dv, 2, buf.length - 1, v), b).toBe(ok);
      if (ok) expect(fields(v), b).toEqual(fields(a));
    }
  });
});

describe('pipeline fast paths', () => {
  it('a sink that releases its batches gets the rows a keeping sink gets (reused batches are zeroed)', async () => {
    // several 1 MiB read chunks, so batches come back while the worker parses; pc is set on
    // some rows (inside kvm_exit … kvm_entry) and NULL on others, so stale bits would show
    const path = join(tempDir(), 'noise.log');
    generateFtrace({ path, bytes: 4_000_000, vms: 5, vcpus: 2, noise: 0.5, seed: 9 });
    const opts = { path: 'noise.log', fallbackVm: 'v', strict: false, batchRows: 500 };
    const keep = new CollectingSink();
    const sKeep = await parseFile(path, opts, keep, { worker: false });
    const copied: AccessBatch[] = [];
    const release = {
      releasesBatches: true,
      accesses(b: AccessBatch): void {
        copied.push(AccessBatch.fromBuffers(structuredClone(b.toBuffers()))); // a copy: the parser reuses b
      },
      irqs(): void {},
    };
    const sRel = await parseFile(path, opts, release, { worker: true });
    expect(copied.length).toBe(keep.batches.length);
    expect(keep.batches.some((b) => b.validity.pc.some((x) => x !== 0)) && keep.batches.some((b) => b.validity.pc.some((x) => x !== 0xff))).toBe(true);
    expect(render({ batches: copied, irqs: [], summary: sRel })).toBe(render({ batches: keep.batches, irqs: [], summary: sKeep }));
  });

  it('the hash worker hashes the raw bytes of plain and gzip files; recycled read buffers do not disturb the rows', async () => {
    const dir = tempDir();
    const big = join(dir, 'gen.log');
    // 12 MiB: the hash worker hands read buffers back every 4 chunks, so later reads reuse them
    generateFtrace({ path: big, bytes: 12 * 1024 * 1024, vms: 3, vcpus: 2, seed: 21 });
    for (const path of [big, join(DIR, 'ftrace-tgid-compressed.txt.gz')]) {
      const inWorker = new CollectingSink();
      const s = await parseFile(path, { path, fallbackVm: 'v', strict: false }, inWorker, { worker: true });
      const sha = createHash('sha256').update(readFileSync(path)).digest('hex');
      expect(s.sha256).toBe(sha);
      const inThread = new CollectingSink(); // hashes here, reusing its own read buffers
      const t = await parseFile(path, { path, fallbackVm: 'v', strict: false }, inThread, { worker: false });
      expect(t.sha256).toBe(sha);
      expect(render({ batches: inWorker.batches, irqs: [], summary: s })).toBe(render({ batches: inThread.batches, irqs: [], summary: t }));
    }
  });

  it('a warm parse worker is used by the next worker parse; an unused one is dropped', async () => {
    warmParseWorker();
    const a = new CollectingSink();
    const sa = await parseFile(join(DIR, 'ftrace-tgid.txt'), { path: 'x', fallbackVm: 'v', strict: false }, a, { worker: true });
    const b = new CollectingSink();
    const sb = await parseFile(join(DIR, 'ftrace-tgid.txt'), { path: 'x', fallbackVm: 'v', strict: false }, b, { worker: false });
    expect(render({ batches: a.batches, irqs: a.irqRows, summary: sa })).toBe(render({ batches: b.batches, irqs: b.irqRows, summary: sb }));
    warmParseWorker();
    dropWarmParseWorker(); // must not leave a thread behind (vitest would hang)
  });
});
