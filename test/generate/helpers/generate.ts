/**
 * Test helpers for the trace generator: generate into memory or a temp file, and a deliberately
 * simple, independent decoder of raw-ftrace lines (regexes from tracepoints.md §4.1) so register
 * signatures are checked on the text, not on generator internals.
 */
import type { VmLabelList } from '../../../src/ingest/vm-labels.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { generateTrace, type GenerateResult } from '../../../src/generate/generate.ts';
import type { GenerateOptions } from '../../../src/generate/options.ts';
import { parseFile } from '../../../src/ingest/parse-file.ts';
import type { AccessBatch } from '../../../src/model/access-batch.ts';

export type Opts = Partial<GenerateOptions> & { profiles: GenerateOptions['profiles'] };

export function opts(o: Opts): GenerateOptions {
  return { vms: 1, vcpus: 2, durationSec: 0.4, format: 'ftrace', seed: 1, ...o };
}

export class MemorySink extends Writable {
  readonly chunks: Buffer[] = [];
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.chunks.push(Buffer.from(chunk));
    cb();
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('latin1');
  }
}

export async function generateText(o: Opts): Promise<{ text: string; result: GenerateResult }> {
  const sink = new MemorySink();
  const result = await generateTrace(opts(o), sink);
  return { text: sink.text(), result };
}

export async function generateQemuTexts(o: Opts): Promise<{ texts: string[]; result: GenerateResult }> {
  const full = opts({ ...o, format: 'qemu' });
  const sinks = Array.from({ length: full.vms }, () => new MemorySink());
  const result = await generateTrace(full, sinks);
  return { texts: sinks.map((s) => s.text()), result };
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'abitrace-gen-'));
}

export function writeTemp(dir: string, name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

/** One event line of a raw ftrace (record-tgid) trace. */
export interface FtraceLine {
  comm: string;
  tid: number;
  tgid: number;
  cpu: number;
  flags: string;
  ts: string;
  event: string;
  body: string;
}

// "%16s-%-7d (%7d) [%03d] %5s %5lu.%06lu: <event>: <body>"
export const FTRACE_TGID_LINE = /^(.{16})-(\d+) *\( *(\d+)\) \[(\d{3})\] ([.dDbXBNnLlpZzHhs0-9a-f]{5}) +(\d+\.\d{6}): (\w+): (.*)$/;

export function parseFtrace(text: string): FtraceLine[] {
  const out: FtraceLine[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('CPU:')) continue;
    const m = FTRACE_TGID_LINE.exec(line);
    if (!m) throw new Error(`not an ftrace line: ${line}`);
    out.push({ comm: m[1]!.trimStart(), tid: Number(m[2]), tgid: Number(m[3]), cpu: Number(m[4]), flags: m[5]!, ts: m[6]!, event: m[7]!, body: m[8]! });
  }
  return out;
}

/** A guest register access decoded from the text: completed MMIO, trapped sysreg, or HVC. */
export interface Access {
  tgid: number;
  tid: number;
  index: number; // line index
  kind: 'mmio' | 'sys' | 'hvc';
  op: 'R' | 'W';
  gpa: number;
  len: number;
  val: bigint;
  sys: string; // 'op0,op1,crn,crm,op2'
  name: string;
  r0: number;
}

export function accesses(lines: FtraceLine[]): Access[] {
  const out: Access[] = [];
  lines.forEach((l, index) => {
    const base = { tgid: l.tgid, tid: l.tid, index, gpa: 0, len: 0, val: 0n, sys: '', name: '', r0: 0 };
    if (l.event === 'kvm_mmio') {
      const m = /^mmio (read|write|unsatisfied-read) len (\d) gpa 0x([0-9a-f]+) val 0x([0-9a-f]+)$/.exec(l.body);
      if (!m) throw new Error(`bad kvm_mmio body: ${l.body}`);
      if (m[1] === 'unsatisfied-read') return;
      out.push({ ...base, kind: 'mmio', op: m[1] === 'read' ? 'R' : 'W', len: Number(m[2]), gpa: parseInt(m[3]!, 16), val: BigInt(`0x${m[4]}`) });
    } else if (l.event === 'kvm_sys_access') {
      const m = /^PC: [0-9a-f]+ (\S+) \((\d+,\d+,\d+,\d+,\d+)\) (read|write)$/.exec(l.body);
      if (!m) throw new Error(`bad kvm_sys_access body: ${l.body}`);
      out.push({ ...base, kind: 'sys', op: m[3] === 'read' ? 'R' : 'W', name: m[1]!, sys: m[2]! });
    } else if (l.event === 'kvm_hvc_arm64') {
      const m = /^HVC at 0x[0-9a-f]{16} \(r0: 0x([0-9a-f]{16}), imm: 0x0\)$/.exec(l.body);
      if (!m) throw new Error(`bad kvm_hvc_arm64 body: ${l.body}`);
      out.push({ ...base, kind: 'hvc', op: 'W', r0: parseInt(m[1]!, 16) });
    }
  });
  return out;
}

export const hex = (n: number | bigint): string => `0x${n.toString(16)}`;

/** A trace imported with the project's parser (src/ingest), strict: the first malformed line throws. */
export interface Imported {
  summary: Awaited<ReturnType<typeof parseFile>>;
  vcpusByVm: Map<string, Set<number>>;
  rows: number;
}

export async function importText(path: string, tgidMap?: Map<number, number>): Promise<Imported> {
  const vcpusByVm = new Map<string, Set<number>>();
  let rows = 0;
  const summary = await parseFile(path, { path, fallbackVm: 'vm', strict: true, ...(tgidMap ? { tgidMap } : {}) }, {
    accesses(b: AccessBatch, vms: VmLabelList) {
      rows += b.length;
      for (let i = 0; i < b.length; i++) {
        const vm = vms.at(b.vm[i]!)!;
        if (!vcpusByVm.has(vm)) vcpusByVm.set(vm, new Set());
        if (b.isValid('vcpu', i)) vcpusByVm.get(vm)!.add(b.vcpu[i]!);
      }
    },
    irqs() {},
  }, { worker: false });
  return { summary, vcpusByVm, rows };
}

