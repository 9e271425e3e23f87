/** Spot checks of the parser's semantics on small inline traces (pairing, attribution, time, SMC, loss). */
import { describe, expect, it } from 'vitest';
import { vmInfoList } from '../../src/ingest/vm-evidence.ts';
import { AbitraceError } from '../../src/errors.ts';
import { parseBytes, rowsOf } from './helpers/render.ts';

const enc = (s: string): Buffer => Buffer.from(s, 'utf8');
const ftrace = (comm: string, tid: number, tgid: string | null, cpu: number, ts: string, ev: string, body: string): string =>
  `${comm.padStart(16)}-${String(tid).padEnd(7)} ${tgid === null ? '' : `(${tgid.padStart(7)}) `}[${String(cpu).padStart(3, '0')}] .....  ${ts}: ${ev}: ${body}\n`;

describe('kvm_mmio read pairing', () => {
  it('joins unsatisfied-read + read on the same tid into ONE R row carrying the value, seq = the read line', () => {
    const text =
      ftrace('CPU 0/KVM', 4251, null, 3, '100.000001', 'kvm_mmio', 'mmio unsatisfied-read len 4 gpa 0x8000008 val 0x0') +
      ftrace('CPU 1/KVM', 4252, null, 5, '100.000002', 'kvm_mmio', 'mmio unsatisfied-read len 4 gpa 0x8000008 val 0x0') +
      ftrace('CPU 0/KVM', 4251, null, 3, '100.000003', 'kvm_userspace_exit', 'reason KVM_EXIT_MMIO (6)') +
      ftrace('CPU 1/KVM', 4252, null, 5, '100.000004', 'kvm_mmio', 'mmio read len 4 gpa 0x8000008 val 0x22') +
      ftrace('CPU 0/KVM', 4251, null, 3, '100.000005', 'kvm_mmio', 'mmio read len 4 gpa 0x8000008 val 0x11');
    const p = parseBytes(enc(text), { format: 'ftrace' });
    const rows = rowsOf(p);
    expect(rows.map((r) => [r.seq, r.tid, r.op, r.value])).toEqual([
      [4, 4252, 'R', '0x22'],
      [5, 4251, 'R', '0x11'],
    ]);
    expect(p.summary.issues).toEqual([]);
    expect(p.summary.otherEvents).toBe(3); // two unsatisfied halves + the userspace exit
  });

  it('reports an unsatisfied-read that is never completed as unpaired_read (warn) with its line', () => {
    const text =
      ftrace('CPU 0/KVM', 4251, null, 3, '100.000001', 'kvm_mmio', 'mmio unsatisfied-read len 4 gpa 0x9000018 val 0x0') +
      ftrace('CPU 0/KVM', 4251, null, 3, '100.000002', 'kvm_mmio', 'mmio write len 4 gpa 0x9000000 val 0x41');
    const p = parseBytes(enc(text), { format: 'ftrace' });
    expect(rowsOf(p).map((r) => r.op)).toEqual(['W']);
    const issue = p.summary.issues.find((i) => i.kind === 'unpaired_read')!;
    expect(issue).toMatchObject({ severity: 'warn', count: 1 });
    expect(issue.samples[0]!.line).toBe(1);
    expect(issue.samples[0]!.text).toContain('0x9000018');
    expect(p.summary.accesses + p.summary.otherEvents + p.summary.skipped).toBe(p.summary.lines);
  });

  it('a read without a preceding unsatisfied-read is still a row; a mismatching one leaves the first unpaired', () => {
    const text =
      ftrace('CPU 0/KVM', 4251, null, 3, '100.000001', 'kvm_mmio', 'mmio read len 4 gpa 0x8000000 val 0x50') +
      ftrace('CPU 0/KVM', 4251, null, 3, '100.000002', 'kvm_mmio', 'mmio unsatisfied-read len 4 gpa 0x8000004 val 0x0') +
      ftrace('CPU 0/KVM', 4251, null, 3, '100.000003', 'kvm_mmio', 'mmio read len 8 gpa 0x8000004 val 0x1');
    const p = parseBytes(enc(text), { format: 'ftrace' });
    expect(rowsOf(p).map((r) => [r.seq, r.addr, r.len])).toEqual([
      [1, '0x8000000', 4],
      [3, '0x8000004', 8],
    ]);
    expect(p.summary.issues.find((i) => i.kind === 'unpaired_read')?.count).toBe(1);
  });
});

describe('attribution', () => {
  it('vm = tgid column; vcpu from each VMM thread name; <...> reuses the comm known for the tid', () => {
    const text =
      ftrace('CPU 3/KVM', 4254, '4242', 1, '1.000001', 'kvm_mmio', 'mmio write len 4 gpa 0x1 val 0x1') +
      ftrace('<...>', 4254, '4242', 1, '1.000002', 'kvm_mmio', 'mmio write len 4 gpa 0x2 val 0x1') +
      ftrace('fc_vcpu 7', 901, '900', 1, '1.000003', 'kvm_mmio', 'mmio write len 4 gpa 0x3 val 0x1') +
      ftrace('vcpu12', 801, '800', 1, '1.000004', 'kvm_mmio', 'mmio write len 4 gpa 0x4 val 0x1') +
      ftrace('kvm-vcpu-5', 701, '700', 1, '1.000005', 'kvm_mmio', 'mmio write len 4 gpa 0x5 val 0x1') +
      ftrace('qemu-system-aar', 4242, '4242', 1, '1.000006', 'kvm_mmio', 'mmio write len 4 gpa 0x6 val 0x1') +
      ftrace('<...>', 999, '-------', 1, '1.000007', 'kvm_mmio', 'mmio write len 4 gpa 0x7 val 0x1');
    const p = parseBytes(enc(text), { format: 'ftrace', fallbackVm: 'host-a' });
    expect(rowsOf(p).map((r) => [r.vm, r.vcpu])).toEqual([
      ['4242', 3],
      ['4242', 3],
      ['900', 7],
      ['800', 12],
      ['700', 5],
      ['4242', null],
      ['host-a', null],
    ]);
    const vmm = Object.fromEntries(vmInfoList(p.summary.vmInfo).map((v) => [p.summary.vms.at(v.vm)!, [v.vmm, v.threads]]));
    expect(vmm).toEqual({
      '4242': ['qemu', 2],
      '900': ['firecracker', 1],
      '800': ['cloud-hypervisor', 1],
      '700': ['kvmtool', 1],
      'host-a': [null, 1],
    });
  });

  it('uses the tgid side map when lines carry no tgid, and the fallback label otherwise', () => {
    const text =
      ftrace('CPU 0/KVM', 11, null, 0, '1.000001', 'kvm_mmio', 'mmio write len 4 gpa 0x1 val 0x1') +
      ftrace('CPU 0/KVM', 21, null, 1, '1.000002', 'kvm_mmio', 'mmio write len 4 gpa 0x2 val 0x1') +
      ftrace('CPU 0/KVM', 31, null, 1, '1.000003', 'kvm_mmio', 'mmio write len 4 gpa 0x3 val 0x1');
    const p = parseBytes(enc(text), { format: 'ftrace', fallbackVm: 'trace.txt', tgidMap: new Map([[11, 10], [21, 20]]) });
    expect(rowsOf(p).map((r) => r.vm)).toEqual(['10', '20', 'trace.txt']);
  });

  it('perf script: a comm holding ` [<digits>]` is not taken for the CPU column (the one before the timestamp is)', () => {
    const text = '       CPU 0/KVM    4251 [003]  1234.567901:                 kvm:kvm_mmio: mmio write len 4 gpa 0x8000000 val 0x1\n'
      + '     fc_vcpu [0]    4252 [005]  1234.567902:                 kvm:kvm_mmio: mmio write len 4 gpa 0x8000000 val 0x2\n'
      + '   vm [12] x [7] 4253 [011]  1234.567903:                 kvm:kvm_mmio: mmio write len 4 gpa 0x8000004 val 0x3\n';
    const p = parseBytes(enc(text), { format: 'perf' });
    expect(p.summary.issues).toEqual([]);
    expect(rowsOf(p).map((r) => [r.tid, r.host_cpu, r.ts_ns, r.value])).toEqual([
      [4251, 3, '1234567901000', '0x1'], [4252, 5, '1234567902000', '0x2'], [4253, 11, '1234567903000', '0x3']]);
  });
});

describe('timestamps', () => {
  it('keeps wall-clock QEMU seconds exact in int64 ns (beyond 2^53)', () => {
    const p = parseBytes(enc('7635@1795388560.339579:memory_region_ops_write cpu 0 mr 0x1 addr 0x8000000 value 0x0 size 4 name \'gicv3_dist\'\n'), { format: 'qemu' });
    expect(p.batches[0]!.ts_ns[0]).toBe(1795388560339579000n);
  });

  it('keeps 9-decimal timestamps exact and treats 6 decimals as microseconds', () => {
    const text = ftrace('CPU 0/KVM', 1, null, 0, '98765.123456789', 'kvm_mmio', 'mmio write len 4 gpa 0x1 val 0x1') +
      ftrace('CPU 0/KVM', 1, null, 0, '98765.123456', 'kvm_mmio', 'mmio write len 4 gpa 0x1 val 0x1');
    const p = parseBytes(enc(text), { format: 'ftrace' });
    expect([...p.batches[0]!.ts_ns.subarray(0, 2)]).toEqual([98765123456789n, 98765123456000n]);
  });

  it('ISO-8601 (QEMU 10.1+) and <tid>@<secs> prefixes give the same ns', () => {
    const p = parseBytes(enc(
      '2025-07-21T18:43:28.089797Z memory_region_ops_read cpu 1 mr 0x1 addr 0x9000018 value 0x90 size 4 name \'pl011\'\n' +
      `1@${Date.UTC(2025, 6, 21, 18, 43, 28) / 1000}.089797:memory_region_ops_read cpu 1 mr 0x1 addr 0x9000018 value 0x90 size 4 name 'pl011'\n`,
    ), { format: 'qemu' });
    const ts = p.batches[0]!.ts_ns;
    expect(ts[0]).toBe(1753123408089797000n);
    expect(ts[1]).toBe(ts[0]);
  });
});

describe('SMC rows', () => {
  it('an SMC64 exit makes one smc row; a following kvm_smc_arm64 fills its function id (and gives its line) instead of adding a row', () => {
    const text =
      ftrace('CPU 0/KVM', 1, null, 0, '1.000001', 'kvm_exit', 'TRAP: HSR_EC: 0x0017 (SMC64), PC: 0x0000000040001000') +
      ftrace('CPU 0/KVM', 1, null, 0, '1.000002', 'kvm_smc_arm64', 'SMC at 0x0000000040001000 (r0: 0x0000000084000000, imm: 0x0)') +
      ftrace('CPU 0/KVM', 1, null, 0, '1.000003', 'kvm_entry', 'PC: 0x0000000040001004') +
      ftrace('CPU 0/KVM', 1, null, 0, '1.000004', 'kvm_exit', 'TRAP: HSR_EC: 0x0017 (SMC64), PC: 0x0000000040002000') +
      ftrace('CPU 0/KVM', 1, null, 0, '1.000005', 'kvm_entry', 'PC: 0x0000000040002004');
    const p = parseBytes(enc(text), { format: 'ftrace' });
    expect(rowsOf(p).map((r) => [r.seq, r.space, r.op, r.addr, r.imm, r.pc, r.source])).toEqual([
      [2, 'smc', 'W', '0x84000000', 0, '0x40001000', 'kvm_smc_arm64'],
      [4, 'smc', 'W', null, null, '0x40002000', 'kvm_exit'],
    ]);
    expect(rowsOf(p)[0]!.ts_ns).toBe('1000002000');
    expect(p.summary.accesses).toBe(2);
  });

  it('a kvm_smc_arm64 after rows of other threads fills the exit\'s row, which keeps its line (rows stay in line order)', () => {
    const text =
      ftrace('CPU 0/KVM', 1, null, 0, '1.000001', 'kvm_exit', 'TRAP: HSR_EC: 0x0017 (SMC64), PC: 0x0000000040001000') +
      ftrace('CPU 1/KVM', 2, null, 1, '1.000002', 'kvm_mmio', 'mmio write len 4 gpa 0x8000000 val 0x1') +
      ftrace('CPU 0/KVM', 1, null, 0, '1.000003', 'kvm_smc_arm64', 'SMC at 0x0000000040001000 (r0: 0x0000000084000000, imm: 0x0)');
    const p = parseBytes(enc(text), { format: 'ftrace' });
    expect(rowsOf(p).map((r) => [r.seq, r.space, r.addr, r.source])).toEqual([
      [1, 'smc', '0x84000000', 'kvm_smc_arm64'],
      [2, 'mmio', '0x8000000', 'kvm_mmio'],
    ]);
  });
});

describe('lost events', () => {
  it('records the window (last ts before, first ts after on that CPU) and counts the marker as skipped', () => {
    const text =
      ftrace('CPU 0/KVM', 1, null, 3, '10.000001', 'kvm_entry', 'PC: 0x1') +
      ftrace('CPU 1/KVM', 2, null, 4, '10.000002', 'kvm_entry', 'PC: 0x1') +
      'CPU:3 [LOST 1834 EVENTS]\n' +
      ftrace('CPU 1/KVM', 2, null, 4, '10.000003', 'kvm_entry', 'PC: 0x1') +
      ftrace('CPU 0/KVM', 1, null, 3, '10.000009', 'kvm_entry', 'PC: 0x1');
    const p = parseBytes(enc(text), { format: 'ftrace' });
    expect(p.summary.lost).toEqual([{ line: 3, hostCpu: 3, count: 1834, tsBeforeNs: 10000001000n, tsAfterNs: 10000009000n }]);
    expect(p.summary.skipped).toBe(1);
    expect(p.summary.issues).toEqual([{ kind: 'lost_events', severity: 'warn', count: 1, samples: [{ line: 3, text: 'CPU:3 [LOST 1834 EVENTS]' }] }]);
  });
});

describe('strictness', () => {
  const bad = ftrace('CPU 0/KVM', 1, null, 0, '1.000001', 'kvm_entry', 'PC: 0x1') + 'this is not a trace line\n';

  it('counts and samples malformed lines without throwing by default', () => {
    const p = parseBytes(enc(bad), { format: 'ftrace' });
    expect(p.summary.issues).toEqual([{ kind: 'malformed_line', severity: 'warn', count: 1, samples: [{ line: 2, text: 'this is not a trace line' }] }]);
  });

  it('--strict throws E_MALFORMED_LINE naming file:line and what was expected', () => {
    let err: unknown;
    try {
      parseBytes(enc(bad), { format: 'ftrace', strict: true, path: 'host.trace' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AbitraceError);
    expect((err as AbitraceError).code).toBe('E_MALFORMED_LINE');
    expect((err as AbitraceError).message).toMatch(/^host\.trace:2: expected an ftrace\/trace-cmd event line .* got "this is not a trace line"$/);
  });

  it('a wrapped line (mail client) is two malformed lines, not repaired', () => {
    const text = '       CPU 0/KVM-4251    [003] .....  1234.567903: kvm_mmio:\nmmio unsatisfied-read len 4 gpa 0x8000008 val 0x0\n';
    const p = parseBytes(enc(text), { format: 'ftrace' });
    expect(p.summary.accesses).toBe(0);
    expect(p.summary.issues[0]).toMatchObject({ kind: 'malformed_line', count: 2 });
    expect(p.summary.eventCounts.get('kvm_mmio')).toBeUndefined();
  });

  it('a line over 1 MiB is skipped as line_too_long (or E_LINE_TOO_LONG under --strict)', () => {
    const long = `x${'y'.repeat(1 << 20)}\n`;
    const text = ftrace('CPU 0/KVM', 1, null, 0, '1.000001', 'kvm_mmio', 'mmio write len 4 gpa 0x1 val 0x1') + long +
      ftrace('CPU 0/KVM', 1, null, 0, '1.000002', 'kvm_mmio', 'mmio write len 4 gpa 0x2 val 0x1');
    // also split the long line across many chunks
    const input = enc(text);
    const cuts = Array.from({ length: 40 }, (_, i) => 100 + i * 30000);
    for (const c of [[], cuts]) {
      const p = parseBytes(input, { format: 'ftrace' }, c);
      expect(p.summary.lines).toBe(3);
      expect(p.summary.accesses).toBe(2);
      const issue = p.summary.issues.find((i) => i.kind === 'line_too_long')!;
      expect(issue.count).toBe(1);
      expect(issue.samples[0]!.line).toBe(2);
      expect(issue.samples[0]!.text.startsWith('xyyy')).toBe(true);
    }
    expect(() => parseBytes(input, { format: 'ftrace', strict: true, path: 'big.trace' })).toThrow(/^big\.trace:2: line is 1048577 bytes/);
  });
});

describe('batches', () => {
  it('hands off full batches of batchRows rows, codes stable across batches', () => {
    let text = '';
    for (let i = 0; i < 10; i++) text += ftrace('CPU 0/KVM', 4251 + (i % 2), String(4242 + (i % 2)), 0, `1.00000${i}`, 'kvm_mmio', `mmio write len 4 gpa 0x${i} val 0x1`);
    const p = parseBytes(enc(text), { format: 'ftrace', batchRows: 4 });
    expect(p.batches.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(rowsOf(p).map((r) => r.vm)).toEqual(['4242', '4243', '4242', '4243', '4242', '4243', '4242', '4243', '4242', '4243']);
  });
});
