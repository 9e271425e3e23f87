/**
 * The parser's memory does not grow with what a trace can hold without limit: loss markers go to
 * the sink in chunks as the parse runs (their windows closed first), and the results are the same
 * as when they are kept.
 */
import { labelArray } from '../../src/ingest/vm-labels.ts';
import { describe, expect, it } from 'vitest';
import { MAX_EVENT_NAMES, OVERFLOW_EVENT_NAME } from '../../src/ingest/event-kinds.ts';
import { TraceParser } from '../../src/ingest/trace-parser.ts';
import type { LostEventsRecord } from '../../src/ingest/types.ts';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveFormat } from '../../src/ingest/parse-file.ts';
import { generateText } from '../generate/helpers/generate.ts';
import { CollectingSink, parseBytes, render, rowsOf } from './helpers/render.ts';

const FIXTURES = join(import.meta.dirname, '../fixtures/ingest');

class LostSink extends CollectingSink {
  readonly chunks: LostEventsRecord[][] = [];
  lost(records: LostEventsRecord[]): void {
    this.chunks.push(records);
  }
}

const ts = (i: number) => `${1000 + Math.floor(i / 1e6)}.${String(i % 1e6).padStart(6, '0')}`;

/** n writes, each followed by a loss marker on one of `cpus` host CPUs; the write is on CPU i % cpus. */
function markerTrace(n: number, cpus: number): Buffer {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    out.push(`       CPU 0/KVM-4251   (   4242) [${String(i % cpus).padStart(3, '0')}] ..... ${ts(i)}: kvm_mmio: mmio write len 4 gpa 0x8000000 val 0x1`);
    out.push(`CPU:${(i + 1) % cpus} [LOST ${(i % 100) + 1} EVENTS]`);
  }
  return Buffer.from(`${out.join('\n')}\n`);
}

function parse(bytes: Buffer, sink: CollectingSink): TraceParser {
  const p = new TraceParser({ format: 'ftrace', path: 't', fallbackVm: 't', strict: false }, sink);
  for (let o = 0; o < bytes.length; o += 65536) p.feed(bytes.subarray(o, Math.min(bytes.length, o + 65536)));
  return p;
}

describe('loss markers', () => {
  it('go to a sink that takes them in closed chunks; together with the summary\'s rest they are the records kept without one', () => {
    const bytes = markerTrace(20000, 4);
    const kept = parse(bytes, new CollectingSink()).finish();
    const sink = new LostSink();
    const streamed = parse(bytes, sink).finish();

    expect(kept.lost).toHaveLength(20000);
    expect(sink.chunks.length).toBeGreaterThan(1);
    // a chunk holds only closed windows: the next event on the marker's CPU came after it
    for (const c of sink.chunks) for (const r of c) expect(r.tsAfterNs).not.toBeNull();
    expect(streamed.lost.length).toBeLessThan(4096 + 4);
    const all = [...sink.chunks.flat(), ...streamed.lost].sort((a, b) => a.line - b.line);
    expect(all).toEqual(kept.lost);
    for (const s of [kept, streamed]) {
      expect(s.lostMarkers).toBe(20000);
      expect(s.lostEvents).toBe(kept.lost.reduce((a, r) => a + (r.count ?? 0), 0));
    }
  });
});

describe('event names', () => {
  it('beyond MAX_EVENT_NAMES, new names of events the parser does not act on are counted together, with an issue; kvm_mmio still parses', () => {
    const out: string[] = [];
    const n = MAX_EVENT_NAMES + 500;
    for (let i = 0; i < n; i++) out.push(`       CPU 0/KVM-4251   (   4242) [001] ..... ${ts(i)}: myevent_${i}: foo`);
    out.push(`       CPU 0/KVM-4251   (   4242) [001] ..... ${ts(n)}: myevent_7: again`);
    out.push(`       CPU 0/KVM-4251   (   4242) [001] ..... ${ts(n + 1)}: kvm_mmio: mmio write len 4 gpa 0x8000000 val 0x1`);
    const sink = new CollectingSink();
    const s = parse(Buffer.from(`${out.join('\n')}\n`), sink).finish();
    expect(s.eventCounts.get('myevent_7')).toBe(2);
    expect(s.eventCounts.get(`myevent_${MAX_EVENT_NAMES - 1}`)).toBe(1);
    expect(s.eventCounts.has(`myevent_${MAX_EVENT_NAMES}`)).toBe(false);
    expect(s.eventCounts.get(OVERFLOW_EVENT_NAME)).toBe(500);
    expect(s.eventCounts.get('kvm_mmio')).toBe(1);
    expect(s.accesses).toBe(1);
    expect(s.accesses + s.otherEvents + s.skipped).toBe(s.lines);
    const issue = s.issues.find((t) => t.kind === 'event_names_capped')!;
    expect(issue.count).toBe(500);
    expect(issue.samples[0]!.line).toBe(MAX_EVENT_NAMES + 1);
    expect(issue.samples[0]!.text).toContain(`myevent_${MAX_EVENT_NAMES}: foo`);
  });
});

describe('threads beyond the live limit', () => {
  // every fixture layout, plus generated host traces of many interleaved VMs with loss markers
  const fixtures = readdirSync(FIXTURES).filter((f) => f.endsWith('.txt') && !f.includes('.expected'));

  for (const f of fixtures) {
    it(`${f}: packing threads away and back changes nothing`, () => {
      const bytes = readFileSync(join(FIXTURES, f));
      same(bytes, f);
    });
  }

  for (const format of ['ftrace', 'trace-cmd', 'perf'] as const) {
    it(`a generated ${format} trace of 6 VMs with loss markers: the same with 1 live thread as with all`, async () => {
      const { text } = await generateText({ vms: 6, vcpus: 3, durationSec: 0.3, format, lostEvents: 0.02, profiles: [{ name: 'linux-gicv3-5.19+', weight: 2 }, { name: 'linux-gicv2', weight: 1 }, { name: 'freebsd', weight: 1 }] });
      const spilled = same(Buffer.from(text, 'latin1'), `gen.${format}`);
      expect(spilled).toBeGreaterThan(3);
    });
  }
});

/** Parses with the default live limit and with one live thread; the renders must be equal. Returns threads spilled. */
function same(bytes: Buffer, name: string): number {
  const { format, variant } = resolveFormat(bytes.subarray(0, 65536), name, undefined);
  const a = parseBytes(bytes, { format, variant, path: name });
  const b = parseBytes(bytes, { format, variant, path: name, liveThreads: 1 });
  expect(render(b)).toBe(render(a));
  // and with no memory for packed threads: every one goes to the spill file and comes back from it
  const c = parseBytes(bytes, { format, variant, path: name, liveThreads: 1, spillMemoryUnits: 0 });
  expect(render(c)).toBe(render(a));
  if ((b.spilledThreads ?? 0) > 0) expect(c.spilledDiskWords).toBeGreaterThan(0);
  // and with layout evidence spilled every 1–3 entries: runs merged (and runs of runs) give the same summary
  const d = parseBytes(bytes, { format, variant, path: name, evidenceMemory: { pages: 2, v2: 1, idReads: 3 } });
  expect(render(d)).toBe(render(a));
  return b.spilledThreads ?? 0;
}

describe('state that spans lines, across packing', () => {
  // Three threads interleaved line by line: with one live state, every line packs one thread away
  // and brings another back, mid-pair, mid-trap and mid-exit.
  const line = (tid: number, cpu: number, t: number, ev: string, body: string) =>
    `       CPU ${tid % 3}/KVM-${tid}   (   4242) [${String(cpu).padStart(3, '0')}] ..... 1000.${String(t).padStart(6, '0')}: ${ev}: ${body}`;
  const text: string[] = [];
  let t = 0;
  const tids = [501, 502, 503];
  const each = (f: (tid: number, k: number) => string) => tids.forEach((tid, k) => text.push(f(tid, k)));
  each((tid, k) => line(tid, k, ++t, 'kvm_exit', `TRAP: HSR_EC: 0x0024 (DABT_LOW), PC: 0xffff80008000${k}000`));
  each((tid, k) => line(tid, k, ++t, 'kvm_mmio', `mmio unsatisfied-read len 4 gpa 0x80a${k}008 val 0x0`));
  each((tid, k) => line(tid, k, ++t, 'kvm_mmio', `mmio read len 4 gpa 0x80a${k}008 val 0x${k + 1}`));
  each((tid, k) => line(tid, k, ++t, 'kvm_entry', 'PC: 0x1'));
  each((tid, k) => line(tid, k, ++t, 'kvm_exit', `TRAP: HSR_EC: 0x0018 (SYS64), PC: 0xffff80008001${k}000`));
  each((tid, k) => line(tid, k, ++t, 'kvm_handle_sys_reg', 'HSR 0x62307c05'));
  each((tid, k) => line(tid, k, ++t, 'kvm_entry', 'PC: 0x1'));
  each((tid, k) => line(tid, k, ++t, 'kvm_exit', `TRAP: HSR_EC: 0x0017 (SMC64), PC: 0xffff80008002${k}000`));
  each((tid, k) => line(tid, k, ++t, 'kvm_smc_arm64', `SMC at 0xffff80008002${k}004 (r0: 0x00000000c400000${k}, imm: 0x0)`));
  each((tid, k) => line(tid, k, ++t, 'kvm_mmio', `mmio unsatisfied-read len 4 gpa 0x80b${k}008 val 0x0`)); // never completed
  const bytes = Buffer.from(`${text.join('\n')}\n`);

  it('reads complete with their PC, traps become rows, SMCs take their twin, unpaired reads are reported', () => {
    const p = parseBytes(bytes, { format: 'ftrace', liveThreads: 1 });
    expect(p.spilledThreads).toBe(2);
    expect(render(p)).toBe(render(parseBytes(bytes, { format: 'ftrace' })));
    const onDisk = parseBytes(bytes, { format: 'ftrace', liveThreads: 1, spillMemoryUnits: 0 });
    // two threads packed at the end, mid-read: a header word and 14, padded to 16 words each
    expect(onDisk.spilledDiskWords).toBe(32);
    expect(render(onDisk)).toBe(render(p));
    const rows = rowsOf(p);
    expect(rows.filter((r) => r.op === 'R' && r.space === 'mmio').map((r) => [r.tid, r.value, r.pc])).toEqual(
      tids.map((tid, k) => [tid, `0x${k + 1}`, `0xffff80008000${k}000`]));
    expect(rows.filter((r) => r.source === 'kvm_handle_sys_reg').map((r) => [r.tid, r.pc])).toEqual(tids.map((tid, k) => [tid, `0xffff80008001${k}000`]));
    expect(rows.filter((r) => r.space === 'smc').map((r) => [r.tid, r.addr])).toEqual(tids.map((tid, k) => [tid, `0xc400000${k}`]));
    expect(p.summary.issues.find((i) => i.kind === 'unpaired_read')?.count).toBe(3);
  });
});

describe('loss markers back to back', () => {
  it('the next event on the CPU closes every marker since its last event', () => {
    const text = [
      `       CPU 0/KVM-4251   (   4242) [003] ..... 1000.000001: kvm_mmio: mmio write len 4 gpa 0x8000000 val 0x1`,
      'CPU:3 [LOST 10 EVENTS]',
      'CPU:3 [LOST 20 EVENTS]',
      'CPU:4 [LOST 5 EVENTS]',
      `       CPU 0/KVM-4251   (   4242) [003] ..... 1000.000005: kvm_mmio: mmio write len 4 gpa 0x8000000 val 0x1`,
    ].join('\n');
    const s = parse(Buffer.from(`${text}\n`), new CollectingSink()).finish();
    expect(s.lost.map((r) => [r.line, r.hostCpu, r.count, r.tsBeforeNs, r.tsAfterNs])).toEqual([
      [2, 3, 10, 1000000001000n, 1000000005000n],
      [3, 3, 20, 1000000001000n, 1000000005000n],
      [4, 4, 5, null, null],
    ]);
  });

  it('thousands of CPUs with open windows: every record reaches the sink once', () => {
    const lines: string[] = [];
    for (let i = 0; i < 20000; i++) lines.push(`CPU:${i % 9000} [LOST 7 EVENTS]`);
    lines.push(`       CPU 0/KVM-4251   (   4242) [003] ..... 1000.000005: kvm_mmio: mmio write len 4 gpa 0x8000000 val 0x1`);
    const sink = new LostSink();
    const s = parse(Buffer.from(`${lines.join('\n')}\n`), sink).finish();
    const all = [...sink.chunks.flat(), ...s.lost];
    expect(all).toHaveLength(20000);
    expect(new Set(all.map((r) => r.line)).size).toBe(20000);
    expect(s.lostMarkers).toBe(20000);
    expect(s.lostEvents).toBe(140000);
  });
});

describe('lines held for a tgid', () => {
  it('past the held-line limit they are placed in the fallback VM, with an issue that says so', () => {
    const lines: string[] = [];
    for (let i = 0; i < 70000; i++) lines.push(`       CPU 0/KVM-4251   (-------) [003] ..... ${ts(i)}: kvm_mmio: mmio write len 4 gpa 0x8000000 val 0x1`);
    lines.push(`       CPU 0/KVM-4251   (   4242) [003] ..... ${ts(70000)}: kvm_mmio: mmio write len 4 gpa 0x8000000 val 0x1`);
    const sink = new CollectingSink();
    const s = parse(Buffer.from(`${lines.join('\n')}\n`), sink).finish();
    expect(s.accesses).toBe(70001);
    expect(s.accesses + s.otherEvents + s.skipped).toBe(s.lines);
    const issue = s.issues.find((i) => i.kind === 'tgid_never_shown')!;
    expect(issue.count).toBe(1);
    expect(issue.samples[0]!.text).toMatch(/^tid 4251: 65537 line\(s\) from line 1 .*before the limit of 65536 held lines/);
    expect(labelArray(s.vms)).toEqual(['t', '4242']);
  });
});

describe('distinct comms', () => {
  it('beyond the interned ones a comm is decoded where it is met: vCPU names still give the vCPU', () => {
    const lines: string[] = [];
    for (let i = 0; i < 70000; i++) lines.push(`${`worker-${i}`.padStart(16)}-${100000 + i} (   4242) [003] ..... ${ts(i)}: kvm_mmio: mmio write len 4 gpa 0x8000000 val 0x1`);
    lines.push(`   fc_vcpu 3-${99} (   4243) [003] ..... ${ts(70000)}: kvm_mmio: mmio write len 4 gpa 0x8000000 val 0x1`);
    lines.push(`   fc_vcpu 3-${99} (   4243) [003] ..... ${ts(70001)}: kvm_mmio: mmio write len 4 gpa 0x8000004 val 0x1`);
    const p = parseBytes(Buffer.from(`${lines.join('\n')}\n`), { format: 'ftrace' });
    const rows = rowsOf(p);
    expect(rows).toHaveLength(70002);
    expect(rows.slice(-2).map((r) => [r.tid, r.vm, r.vcpu])).toEqual([[99, '4243', 3], [99, '4243', 3]]);
    expect(rows[69999]!.vcpu).toBeNull();
  });
});

describe('a loss marker and packed threads', () => {
  it('resets the packed threads whose last line was on its CPU, and only those', () => {
    const l = (tid: number, cpu: number, t: number, ev: string, body: string) =>
      `       CPU 0/KVM-${tid}   (   4242) [${String(cpu).padStart(3, '0')}] ..... 1000.${String(t).padStart(6, '0')}: ${ev}: ${body}`;
    const text = [
      l(601, 3, 1, 'kvm_exit', 'TRAP: HSR_EC: 0x0024 (DABT_LOW), PC: 0xffff800080000100'),
      l(602, 4, 2, 'kvm_exit', 'TRAP: HSR_EC: 0x0024 (DABT_LOW), PC: 0xffff800080000200'),
      l(603, 5, 3, 'kvm_entry', 'PC: 0x1'),
      'CPU:3 [LOST 2 EVENTS]',
      l(601, 3, 5, 'kvm_mmio', 'mmio write len 4 gpa 0x8000000 val 0x1'),
      l(602, 4, 6, 'kvm_mmio', 'mmio write len 4 gpa 0x8000004 val 0x1'),
    ].join('\n');
    for (const liveThreads of [1, 2, undefined]) {
      const p = parseBytes(Buffer.from(`${text}\n`), { format: 'ftrace', ...(liveThreads ? { liveThreads } : {}) });
      expect(rowsOf(p).map((r) => [r.tid, r.pc]), String(liveThreads)).toEqual([[601, null], [602, '0xffff800080000200']]);
    }
  });
});
