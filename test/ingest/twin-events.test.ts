/**
 * Events that complete or stand in for another event's row (tracepoints.md §2.2–2.5, §8): trap_reg
 * values, kvm_handle_sys_reg traps without a kvm_sys_access (UNDEF), the SMC twin at a batch
 * boundary, and per-thread context across a loss marker.
 */
import { evidenceByVm } from '../../src/ingest/vm-evidence.ts';
import { describe, expect, it } from 'vitest';
import { parseBytes, rowsOf } from './helpers/render.ts';

const enc = (s: string): Buffer => Buffer.from(s, 'utf8');
const ftrace = (comm: string, tid: number, cpu: number, ts: string, ev: string, body: string): string =>
  `${comm.padStart(16)}-${String(tid).padEnd(7)} (   4242) [${String(cpu).padStart(3, '0')}] .....  ${ts}: ${ev}: ${body}\n`;
const exit = (ts: string, pc: string, ec = '0x0018 (SYS64)') => ftrace('CPU 0/KVM', 4251, 3, ts, 'kvm_exit', `TRAP: HSR_EC: ${ec}, PC: ${pc}`);
const balanced = (p: ReturnType<typeof parseBytes>) => p.summary.accesses + p.summary.otherEvents + p.summary.skipped === p.summary.lines;

describe('trap_reg', () => {
  it('gives the preceding kvm_sys_access of the same debug register its value (reads and writes)', () => {
    const text =
      exit('1.000001', '0xffff800080a20f30') +
      ftrace('CPU 0/KVM', 4251, 3, '1.000002', 'kvm_sys_access', 'PC: ffff800080a20f30 SYS_DBGBCR0_EL1 (2,0,0,0,5) write') +
      ftrace('CPU 0/KVM', 4251, 3, '1.000003', 'trap_reg', 'trap_bcr write to reg 0 (0x00000000000001e7)') +
      ftrace('CPU 0/KVM', 4251, 3, '1.000004', 'kvm_sys_access', 'PC: ffff800080a20f34 SYS_DBGWVR3_EL1 (2,0,0,3,6) read') +
      ftrace('CPU 0/KVM', 4251, 3, '1.000005', 'trap_reg', 'trap_wvr read from reg 3 (0xffff800080001000)') +
      ftrace('CPU 0/KVM', 4251, 3, '1.000006', 'kvm_sys_access', 'PC: ffff800080a20f38 SYS_MDSCR_EL1 (2,0,0,2,2) write') +
      ftrace('CPU 0/KVM', 4251, 3, '1.000007', 'trap_reg', '[FAILED TO PARSE] fn=0xffff8000812c4a10 reg=12 is_write=1 write_value=36864');
    const p = parseBytes(enc(text), { format: 'ftrace' });
    expect(rowsOf(p).map((r) => [r.addr, r.op, r.value])).toEqual([
      ['0x1000a0', 'W', '0x1e7'],
      ['0x1003c0', 'R', '0xffff800080001000'],
      ['0x100240', 'W', '0x9000'],
    ]);
    expect(p.summary.eventCounts.get('trap_reg')).toBe(3);
    expect(balanced(p)).toBe(true);
  });

  it('leaves a row alone when the trap_reg is about another register or direction', () => {
    const text =
      ftrace('CPU 0/KVM', 4251, 3, '1.000001', 'kvm_sys_access', 'PC: ffff800080a20f10 SYS_CLIDR_EL1 (3,1,0,0,1) read') +
      ftrace('CPU 0/KVM', 4251, 3, '1.000002', 'trap_reg', 'trap_bcr read from reg 0 (0x00000000000001e7)') +
      ftrace('CPU 0/KVM', 4251, 3, '1.000003', 'kvm_sys_access', 'PC: ffff800080a20f30 SYS_DBGBCR1_EL1 (2,0,0,1,5) write') +
      ftrace('CPU 0/KVM', 4251, 3, '1.000004', 'trap_reg', 'trap_bcr read from reg 1 (0x00000000000001e7)');
    const p = parseBytes(enc(text), { format: 'ftrace' });
    expect(rowsOf(p).map((r) => r.value)).toEqual([null, null]);
  });
});

describe('kvm_handle_sys_reg', () => {
  it('becomes the row of a trap no kvm_sys_access describes (an encoding KVM does not know)', () => {
    const text =
      exit('1.000001', '0xffff800080a20f20') +
      ftrace('CPU 0/KVM', 4251, 3, '1.000002', 'kvm_handle_sys_reg', 'HSR 0x62307c05') + // MRS (3,1,15,2,0)
      ftrace('CPU 0/KVM', 4251, 3, '1.000003', 'kvm_entry', 'PC: 0xffff800080a20f20') +
      exit('1.000004', '0xffff800080a20f40') +
      ftrace('CPU 0/KVM', 4251, 3, '1.000005', 'kvm_handle_sys_reg', 'HSR 0x62324041') + // MRS CLIDR_EL1
      ftrace('CPU 0/KVM', 4251, 3, '1.000006', 'kvm_sys_access', 'PC: ffff800080a20f40 SYS_CLIDR_EL1 (3,1,0,0,1) read') +
      ftrace('CPU 0/KVM', 4251, 3, '1.000007', 'kvm_entry', 'PC: 0xffff800080a20f44') +
      exit('1.000008', '0xffff800080a20f50') +
      ftrace('CPU 0/KVM', 4251, 3, '1.000009', 'kvm_handle_sys_reg', 'HSR 0x6230fc04'); // MSR (3,3,15,2,0), end of trace
    const p = parseBytes(enc(text), { format: 'ftrace' });
    expect(rowsOf(p).map((r) => [r.seq, r.source, r.op, r.addr, r.pc, r.value])).toEqual([
      [2, 'kvm_handle_sys_reg', 'R', '0x19f200', '0xffff800080a20f20', null],
      [6, 'kvm_sys_access', 'R', '0x190020', '0xffff800080a20f40', null],
      [9, 'kvm_handle_sys_reg', 'W', '0x1bf200', '0xffff800080a20f50', null],
    ]);
    expect(p.summary.accesses).toBe(3);
    expect(balanced(p)).toBe(true);
  });
});

describe('twins at a batch boundary', () => {
  it('one row per SMC with its function id when the exit row is the last of a batch', () => {
    const lines: string[] = [];
    for (let i = 0; i < 3; i++) lines.push(ftrace('CPU 0/KVM', 4251, 3, `1.00000${i}`, 'kvm_mmio', 'mmio write len 4 gpa 0x8000100 val 0x1'));
    lines.push(ftrace('CPU 0/KVM', 4251, 3, '1.000005', 'kvm_exit', 'TRAP: HSR_EC: 0x0017 (SMC64), PC: 0xffff8000800a4000'));
    lines.push(ftrace('CPU 0/KVM', 4251, 3, '1.000006', 'kvm_smc_arm64', 'SMC at 0xffff8000800a4004 (r0: 0x00000000c4000003, imm: 0x0)'));
    const p = parseBytes(enc(lines.join('')), { format: 'ftrace', batchRows: 4 });
    const rows = rowsOf(p);
    expect(p.batches.map((b) => b.length)).toEqual([4]);
    expect(rows.filter((r) => r.space === 'smc').map((r) => [r.source, r.addr])).toEqual([['kvm_smc_arm64', '0xc4000003']]);
    expect(balanced(p)).toBe(true);
  });
});

describe('a loss marker', () => {
  it("ends the PC and a pending read of the threads last seen on that CPU, not of the others'", () => {
    const text =
      exit('1.000001', '0xffff800080a1b2c4', '0x0024 (DABT_LOW)') +
      ftrace('CPU 0/KVM', 4251, 3, '1.000002', 'kvm_mmio', 'mmio unsatisfied-read len 4 gpa 0x8000008 val 0x0') +
      ftrace('CPU 1/KVM', 4252, 5, '1.000003', 'kvm_exit', 'TRAP: HSR_EC: 0x0024 (DABT_LOW), PC: 0xffff800080a1b000') +
      'CPU:3 [LOST 52110 EVENTS]\n' +
      ftrace('CPU 0/KVM', 4251, 3, '6.100004', 'kvm_mmio', 'mmio read len 4 gpa 0x8000008 val 0x4b00343b') +
      ftrace('CPU 1/KVM', 4252, 5, '6.100005', 'kvm_mmio', 'mmio write len 4 gpa 0x8000084 val 0xffffffff');
    const p = parseBytes(enc(text), { format: 'ftrace' });
    expect(rowsOf(p).map((r) => [r.tid, r.op, r.pc])).toEqual([
      [4251, 'R', null],
      [4252, 'W', '0xffff800080a1b000'],
    ]);
    expect(p.summary.issues.find((i) => i.kind === 'unpaired_read')?.count).toBe(1);
  });

  it('a trap pending at the marker becomes its row with the PC of its exit, both seen before the gap', () => {
    const text =
      exit('1.000001', '0xffff800080a20f50') +
      ftrace('CPU 0/KVM', 4251, 3, '1.000002', 'kvm_handle_sys_reg', 'HSR 0x62324041') +
      'CPU:3 [LOST 3 EVENTS]\n' +
      ftrace('CPU 0/KVM', 4251, 3, '1.000004', 'kvm_mmio', 'mmio write len 4 gpa 0x8000084 val 0xffffffff');
    const p = parseBytes(enc(text), { format: 'ftrace' });
    expect(rowsOf(p).map((r) => [r.source, r.space, r.pc])).toEqual([
      ['kvm_handle_sys_reg', 'sysreg', '0xffff800080a20f50'],
      ['kvm_mmio', 'mmio', null], // the exit before the gap is not this access's
    ]);
    expect(balanced(p)).toBe(true);
  });
});

describe('a tgid column that reads (-------) before the thread is first scheduled', () => {
  const line = (tid: number, tgid: string, cpu: number, ts: string, ev: string, body: string): string =>
    `${'CPU 0/KVM'.padStart(16)}-${String(tid).padEnd(7)} (${tgid.padStart(7)}) [${String(cpu).padStart(3, '0')}] .....  ${ts}: ${ev}: ${body}\n`;
  const w = (gpa: string) => `mmio write len 4 gpa ${gpa} val 0xffffffff`;

  it("puts the thread's earlier lines in the VM its tgid names, in file order, without a VM named after the file", () => {
    const text =
      line(4251, '-------', 3, '1.000001', 'kvm_mmio', w('0x8000084')) +
      line(5311, '5300', 4, '1.000002', 'kvm_mmio', w('0x8000100')) + // another VM's thread, tgid known
      line(4251, '-------', 3, '1.000003', 'kvm_exit', 'TRAP: HSR_EC: 0x0024 (DABT_LOW), PC: 0xffff800080a1b2c4') +
      line(4251, '-------', 3, '1.000004', 'kvm_mmio', w('0x8000088')) +
      line(4251, '4242', 3, '1.000005', 'kvm_mmio', w('0x800008c')) +
      line(4251, '-------', 3, '1.000006', 'kvm_mmio', w('0x8000090'));
    const p = parseBytes(enc(text), { format: 'ftrace', fallbackVm: 'file.txt' });
    const rows = rowsOf(p);
    expect(rows.map((r) => [r.seq, r.vm, r.addr, r.pc])).toEqual([
      [2, '5300', '0x8000100', null],
      [1, '4242', '0x8000084', null],
      [4, '4242', '0x8000088', '0xffff800080a1b2c4'], // the held exit's PC
      [5, '4242', '0x800008c', '0xffff800080a1b2c4'],
      [6, '4242', '0x8000090', '0xffff800080a1b2c4'],
    ]);
    expect(p.summary.vms).not.toContain('file.txt');
    expect(p.summary.eventCounts.get('kvm_mmio')).toBe(5);
    expect(balanced(p)).toBe(true);
  });

  it('gives a thread whose tgid never shows the fallback VM at the end (with an issue); a loss marker does not release held lines', () => {
    const text =
      line(4251, '-------', 3, '1.000001', 'kvm_mmio', w('0x8000084')) +
      line(4252, '-------', 5, '1.000002', 'kvm_mmio', w('0x8000088')) +
      'CPU:5 [LOST 3 EVENTS]\n' +
      line(4252, '4242', 5, '1.000003', 'kvm_mmio', w('0x800008c'));
    const p = parseBytes(enc(text), { format: 'ftrace', fallbackVm: 'file.txt' });
    expect(rowsOf(p).map((r) => [r.seq, r.tid, r.vm])).toEqual([
      [2, 4252, '4242'], // held across the gap, placed when the tgid showed
      [4, 4252, '4242'],
      [1, 4251, 'file.txt'],
    ]);
    expect(p.summary.lost.map((l) => [l.tsBeforeNs, l.tsAfterNs])).toEqual([[1000002000n, 1000003000n]]);
    const issue = p.summary.issues.find((i) => i.kind === 'tgid_never_shown')!;
    expect(issue.count).toBe(1);
    expect(issue.samples[0]!.text).toMatch(/^tid 4251: 1 line\(s\) from line 1 .* before the end of the trace; they are in VM 'file.txt'/);
    expect(balanced(p)).toBe(true);
  });

  it('a loss marker among a held thread\'s lines still ends its pending read and exit there', () => {
    const text =
      line(4252, '-------', 5, '1.000001', 'kvm_exit', 'TRAP: HSR_EC: 0x0024 (DABT_LOW), PC: 0xffff800080001000') +
      line(4252, '-------', 5, '1.000002', 'kvm_mmio', 'mmio unsatisfied-read len 4 gpa 0x8000008 val 0x0') +
      'CPU:5 [LOST 3 EVENTS]\n' +
      line(4252, '4242', 5, '1.000003', 'kvm_mmio', 'mmio read len 4 gpa 0x8000008 val 0x4b00343b');
    const p = parseBytes(enc(text), { format: 'ftrace', fallbackVm: 'file.txt' });
    // the read after the gap is not paired with the unsatisfied-read before it, and has no PC
    expect(rowsOf(p).map((r) => [r.seq, r.vm, r.op, r.value, r.pc])).toEqual([[4, '4242', 'R', '0x4b00343b', null]]);
    expect(p.summary.issues.find((i) => i.kind === 'unpaired_read')?.samples[0]!.text).toContain('events lost on CPU 5 (line 3)');
    expect(balanced(p)).toBe(true);
  });
});

describe('layout evidence from sysreg rows', () => {
  it('counts trapped ICC_* accesses (GICv3 CPU interface) per VM, not other CRn 12 registers', () => {
    const text =
      ftrace('CPU 0/KVM', 4251, 3, '1.000001', 'kvm_sys_access', 'PC: ffff800080a20f10 SYS_ICC_SGI1R_EL1 (3,0,12,11,5) write') +
      ftrace('CPU 0/KVM', 4251, 3, '1.000002', 'kvm_sys_access', 'PC: ffff800080a20f14 SYS_ICC_SGI1R_EL1 (3,0,12,11,5) write') +
      ftrace('CPU 0/KVM', 4251, 3, '1.000003', 'kvm_sys_access', 'PC: ffff800080a20f18 SYS_VBAR_EL1 (3,0,12,0,0) write') +
      ftrace('CPU 0/KVM', 4251, 3, '1.000004', 'kvm_mmio', 'mmio write len 4 gpa 0x8000100 val 0x1');
    const p = parseBytes(enc(text), { format: 'ftrace' });
    expect([...evidenceByVm(p.summary)].map((l) => l.iccSysregs)).toEqual([2]);
  });
});
