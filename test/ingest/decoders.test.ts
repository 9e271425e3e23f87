/** Event-body decoders, text form and libtraceevent's `[FAILED TO PARSE] field=value` form. */
import { describe, expect, it } from 'vitest';
import { sysregEncoding } from '../../src/model/codes.ts';
import { decodeKvmExit, decodeKvmGuestFault, ExitFields } from '../../src/ingest/event-decoders/exit.ts';
import { decodeHypercall, HypercallFields } from '../../src/ingest/event-decoders/hypercall.ts';
import { decodeVgicUpdateIrqPending, IrqPendingFields } from '../../src/ingest/event-decoders/irq-pending.ts';
import { decodeKvmMmio, MmioFields } from '../../src/ingest/event-decoders/mmio.ts';
import { decodeMemoryRegionOps, MemoryRegionFields } from '../../src/ingest/event-decoders/qemu-memory-region.ts';
import { decodeKvmSysAccess, SysAccessFields } from '../../src/ingest/event-decoders/sys-access.ts';

const run = <F>(fn: (b: Buffer, p: number, e: number, f: F) => boolean, f: F, text: string): F | null => {
  const b = Buffer.from(`xx${text}`, 'latin1'); // decoders must honour the start offset
  return fn(b, 2, b.length, f) ? f : null;
};

const u64 = (lo: number, hi: number): bigint => (BigInt(hi) << 32n) | BigInt(lo);

describe('kvm_mmio', () => {
  it('decodes all three types, any hex width, 64-bit values', () => {
    expect(run(decodeKvmMmio, new MmioFields(), 'mmio unsatisfied-read len 4 gpa 0x8000008 val 0x0')).toMatchObject({ type: 0, len: 4, gpaLo: 0x8000008, valLo: 0 });
    expect(run(decodeKvmMmio, new MmioFields(), 'mmio read len 4 gpa 0x8000008 val 0x4b00343b')).toMatchObject({ type: 1, valLo: 0x4b00343b });
    const w = run(decodeKvmMmio, new MmioFields(), 'mmio write len 8 gpa 0xffff00004010000 val 0xfedcba9876543210')!;
    expect(w.type).toBe(2);
    expect(u64(w.gpaLo, w.gpaHi)).toBe(0xffff00004010000n);
    expect(u64(w.valLo, w.valHi)).toBe(0xfedcba9876543210n);
  });

  it('decodes [FAILED TO PARSE] with decimal (u64) and hex values', () => {
    expect(run(decodeKvmMmio, new MmioFields(), '[FAILED TO PARSE] type=1 len=4 gpa=134217736 val=1258304571')).toMatchObject({ type: 1, len: 4, gpaLo: 0x8000008, valLo: 0x4b00343b });
    expect(run(decodeKvmMmio, new MmioFields(), '[FAILED TO PARSE] val=0x1 gpa=0x9000000 len=1 type=2')).toMatchObject({ type: 2, len: 1, gpaLo: 0x9000000, valLo: 1 });
  });

  it('rejects unknown types, missing fields, junk and >64-bit numbers', () => {
    for (const t of ['mmio peek len 4 gpa 0x1 val 0x0', 'mmio write len 4 gpa 0x1', 'mmio write len 4 gpa 0x1 val 0xzz', 'mmio write len 4 gpa 0x10000000000000000 val 0x1',
      '[FAILED TO PARSE] type=3 len=4 gpa=1 val=0', '[FAILED TO PARSE] len=4 gpa=1 val=0', 'mmio write len  gpa 0x1 val 0x1', '']) {
      expect(run(decodeKvmMmio, new MmioFields(), t), t).toBeNull();
    }
  });
});

describe('kvm_sys_access', () => {
  it('takes the LAST (d,d,d,d,d) and never splits the name (pre-6.5 PMU names contain spaces and parentheses)', () => {
    const f = run(decodeKvmSysAccess, new SysAccessFields(), 'PC: ffff800080a20f10 (((3) << 19) | ((3) << 16) | ((9) << 12) | ((12) << 8) | ((0) << 5)) (3,3,9,12,0) write')!;
    expect(f).toMatchObject({ isWrite: true, encoding: sysregEncoding(3, 3, 9, 12, 0), hasValue: false, pcValid: true });
    expect(u64(f.pcLo, f.pcHi)).toBe(0xffff800080a20f10n);
  });

  it('reads the value of the proposed Odaki variant, and UNKN names', () => {
    const f = run(decodeKvmSysAccess, new SysAccessFields(), 'PC: 40001000 SYS_CCSIDR_EL1 (3,1,0,0,0) 700fe01a read')!;
    expect(f).toMatchObject({ isWrite: false, encoding: 0x190000, hasValue: true, valLo: 0x700fe01a });
    expect(run(decodeKvmSysAccess, new SysAccessFields(), 'PC: 1 UNKN (3,0,12,11,5) write')).toMatchObject({ encoding: sysregEncoding(3, 0, 12, 11, 5), isWrite: true });
  });

  it('decodes [FAILED TO PARSE] by field name in any order', () => {
    const f = run(decodeKvmSysAccess, new SysAccessFields(), '[FAILED TO PARSE] Op2=1 CRm=0 CRn=0 Op1=1 Op0=3 name=0xffffa3c0d1e4c8a0 is_write=0 vcpu_pc=0xffff800080a20f10')!;
    expect(f).toMatchObject({ isWrite: false, encoding: sysregEncoding(3, 1, 0, 0, 1), hasValue: false });
    expect(u64(f.pcLo, f.pcHi)).toBe(0xffff800080a20f10n);
  });

  it('rejects incomplete encodings', () => {
    for (const t of ['PC: 1 SYS_X (3,1,0,0) read', 'PC: 1 SYS_X (3,1,0,0,1) peek', 'PC: 1 SYS_X (3,1,0,0,1)x read', '[FAILED TO PARSE] is_write=0 Op0=3 Op1=1 CRn=0 CRm=0']) {
      expect(run(decodeKvmSysAccess, new SysAccessFields(), t), t).toBeNull();
    }
  });
});

describe('hypercalls', () => {
  it('decodes 16- and 8-digit HVC, the SMC twin and the fallback form', () => {
    const a = run(decodeHypercall, new HypercallFields(), 'HVC at 0xffff8000800a3f6c (r0: 0xc400000384000000, imm: 0x0)')!;
    expect(u64(a.r0Lo, a.r0Hi)).toBe(0xc400000384000000n);
    expect(run(decodeHypercall, new HypercallFields(), 'HVC at 0x40001234 (r0: 0x84000000, imm: 0x1234)')).toMatchObject({ r0Lo: 0x84000000, imm: 0x1234, pcLo: 0x40001234 });
    expect(run(decodeHypercall, new HypercallFields(), 'SMC at 0x0000000040001000 (r0: 0x0000000084000009, imm: 0x0)')).toMatchObject({ r0Lo: 0x84000009 });
    expect(run(decodeHypercall, new HypercallFields(), '[FAILED TO PARSE] vcpu_pc=0x10 r0=2214592512 imm=0')).toMatchObject({ pcLo: 0x10, r0Lo: 0x84000000, imm: 0 });
    expect(run(decodeHypercall, new HypercallFields(), 'HVC at 0x1 (r0: 0x1, imm: 0x0')).toBeNull();
  });
});

describe('kvm_exit / kvm_guest_fault', () => {
  it('reads EC and PC from the text and the fallback forms', () => {
    expect(run(decodeKvmExit, new ExitFields(), 'TRAP: HSR_EC: 0x0017 (SMC64), PC: 0x0000000040001000')).toMatchObject({ hasEc: true, ec: 0x17, pcValid: true, pcLo: 0x40001000 });
    expect(run(decodeKvmExit, new ExitFields(), 'IRQ: HSR_EC: 0x0000 (UNKNOWN), PC: 0xffff800080a1b2c4')).toMatchObject({ ec: 0, pcHi: 0xffff8000 });
    expect(run(decodeKvmExit, new ExitFields(), '[FAILED TO PARSE] ret=2 esr_ec=23 vcpu_pc=0x40001000')).toMatchObject({ ec: 23, pcLo: 0x40001000 });
    expect(run(decodeKvmGuestFault, new ExitFields(), 'ipa 0x8000000, hsr 0x93810006, hxfar 00000000, pc 0xffff800080a1b2c4')).toMatchObject({ pcValid: true, pcLo: 0x80a1b2c4 });
  });
});

describe('vgic_update_irq_pending', () => {
  it('decodes the text and fallback forms', () => {
    expect(run(decodeVgicUpdateIrqPending, new IrqPendingFields(), 'VCPU: 1, IRQ 27, level: 1')).toMatchObject({ vcpu: 1, irq: 27, level: true });
    expect(run(decodeVgicUpdateIrqPending, new IrqPendingFields(), '[FAILED TO PARSE] vcpu_id=0 irq=48 level=0')).toMatchObject({ vcpu: 0, irq: 48, level: false });
  });

  it('does not accept the kvm_timer_update_irq body (no colon after level)', () => {
    expect(run(decodeVgicUpdateIrqPending, new IrqPendingFields(), 'VCPU: 1, IRQ 27, level 1')).toBeNull();
  });
});

describe('QEMU memory_region_ops_*', () => {
  it('decodes cpu, addr, value, size and a region name with spaces/quotes', () => {
    const b = Buffer.from("cpu 1 mr 0x55cf467872e0 addr 0x800ffe8 value 0x3b size 4 name 'my 'odd' region'");
    const f = new MemoryRegionFields();
    expect(decodeMemoryRegionOps(b, 0, b.length, f)).toBe(true);
    expect(f).toMatchObject({ cpu: 1, addrLo: 0x800ffe8, valLo: 0x3b, size: 4 });
    expect(b.toString('utf8', f.nameStart, f.nameEnd)).toBe("my 'odd' region");
  });

  it('maps cpu -1 to no vCPU and accepts old QEMUs without cpu/name', () => {
    expect(run(decodeMemoryRegionOps, new MemoryRegionFields(), 'cpu -1 mr 0x1 addr 0x9030000 value 0x1 size 4 name \'pl061\'')).toMatchObject({ cpu: -1 });
    expect(run(decodeMemoryRegionOps, new MemoryRegionFields(), 'mr 0x1 addr 0x9030000 value 0x1 size 4')).toMatchObject({ cpu: -1, addrLo: 0x9030000, size: 4 });
  });
});
