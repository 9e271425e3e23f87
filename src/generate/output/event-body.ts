/**
 * The TP_printk bodies of the KVM tracepoints (tracepoints.md §2), shared by the ftrace,
 * trace-cmd and perf layouts. Only `kvm_sys_access` differs: raw ftrace prints the kernel format,
 * trace-cmd and perf print libtraceevent's `[FAILED TO PARSE]` field dump (§2.2).
 */
import {
  EV_ENTRY, EV_EXIT, EV_FAULT, EV_HANDLE_SYSREG, EV_HVC, EV_IRQ_PENDING, EV_MMIO, EV_SYS_ACCESS, EV_USER_EXIT, EV_WFX,
  EXIT_RET_IRQ, type HostEvent,
} from '../events.ts';
import { sysregSlotByIndex } from '../program.ts';
import { ascii, type ByteWriter } from './byte-writer.ts';

const TWO32 = 4294967296;

const B = {
  pc: ascii('PC: 0x'),
  irq: ascii('IRQ'),
  trap: ascii('TRAP'),
  hsrEc: ascii(': HSR_EC: 0x'),
  ecOpen: ascii(' ('),
  ecClosePc: ascii('), PC: 0x'),
  ipa: ascii('ipa 0x'),
  hsr: ascii(', hsr 0x'),
  hxfar: ascii(', hxfar 0x'),
  faultPc: ascii(', pc 0x'),
  mmio: [ascii('mmio unsatisfied-read len '), ascii('mmio read len '), ascii('mmio write len ')],
  gpa: ascii(' gpa 0x'),
  val: ascii(' val 0x'),
  userMmio: ascii('reason KVM_EXIT_MMIO (6)'),
  hsrOnly: ascii('HSR 0x'),
  sysPc: ascii('PC: '),
  read: ascii(') read'),
  write: ascii(') write'),
  failed: ascii('[FAILED TO PARSE] vcpu_pc=0x'),
  isWrite: ascii(' is_write='),
  name: ascii(' name=0x'),
  op0: ascii(' Op0='),
  op1: ascii(' Op1='),
  crn: ascii(' CRn='),
  crm: ascii(' CRm='),
  op2: ascii(' Op2='),
  hvc: ascii('HVC at 0x'),
  r0: ascii(' (r0: 0x'),
  imm: ascii(', imm: 0x'),
  wfx: ascii('guest executed wf'),
  wfxAt: ascii(' at: 0x'),
  vcpu: ascii('VCPU: '),
  irqN: ascii(', IRQ '),
  level: ascii(', level: '),
};

/** kvm_exit EC names (the kernel's kvm_arm_exception_class table) for the classes we emit. */
const EC_NAMES: Record<number, Uint8Array> = {
  0x00: ascii('UNKNOWN'),
  0x01: ascii('WFx'),
  0x16: ascii('HVC64'),
  0x17: ascii('SMC64'),
  0x18: ascii('SYS64'),
  0x24: ascii('DABT_LOW'),
};

/** Writes the event body; `failedSysAccess` selects the libtraceevent form of kvm_sys_access. */
export function writeBody(w: ByteWriter, ev: HostEvent, failedSysAccess: boolean): void {
  switch (ev.kind) {
    case EV_ENTRY:
      w.bytes(B.pc);
      w.hexPad(ev.pcLo, ev.pcHi, 16);
      return;
    case EV_EXIT:
      w.bytes(ev.a === EXIT_RET_IRQ ? B.irq : B.trap);
      w.bytes(B.hsrEc);
      w.hexPad(ev.b, 0, 4);
      w.bytes(B.ecOpen);
      w.bytes(EC_NAMES[ev.b]!);
      w.bytes(B.ecClosePc);
      w.hexPad(ev.pcLo, ev.pcHi, 16);
      return;
    case EV_FAULT:
      w.bytes(B.ipa);
      w.hex(ev.gpa >>> 0, Math.floor(ev.gpa / TWO32));
      w.bytes(B.hsr);
      w.hexPad(ev.a, 0, 6); // %#08lx: the 0x counts in the width
      w.bytes(B.hxfar);
      w.hexPad(ev.farLo, ev.farHi, 6);
      w.bytes(B.faultPc);
      w.hexPad(ev.pcLo, ev.pcHi, 14); // %#016lx
      return;
    case EV_MMIO:
      w.bytes(B.mmio[ev.a]!);
      w.dec(ev.b);
      w.bytes(B.gpa);
      w.hex(ev.gpa >>> 0, Math.floor(ev.gpa / TWO32));
      w.bytes(B.val);
      w.hex(ev.valLo, ev.valHi);
      return;
    case EV_USER_EXIT:
      w.bytes(B.userMmio);
      return;
    case EV_HANDLE_SYSREG:
      w.bytes(B.hsrOnly);
      w.hexPad(ev.a, 0, 8);
      return;
    case EV_SYS_ACCESS: {
      const slot = sysregSlotByIndex(ev.a);
      const d = slot.def;
      if (failedSysAccess) {
        w.bytes(B.failed);
        w.hex(ev.pcLo, ev.pcHi);
        w.bytes(B.isWrite);
        w.dec(ev.b);
        w.bytes(B.name);
        w.hex(slot.namePtrLo, slot.namePtrHi);
        w.bytes(B.op0);
        w.dec(d.op0);
        w.bytes(B.op1);
        w.dec(d.op1);
        w.bytes(B.crn);
        w.dec(d.crn);
        w.bytes(B.crm);
        w.dec(d.crm);
        w.bytes(B.op2);
        w.dec(d.op2);
        return;
      }
      w.bytes(B.sysPc);
      w.hex(ev.pcLo, ev.pcHi);
      w.byte(32);
      w.text(slot.kvmName);
      w.byte(32);
      w.byte(40);
      w.dec(d.op0);
      w.byte(44);
      w.dec(d.op1);
      w.byte(44);
      w.dec(d.crn);
      w.byte(44);
      w.dec(d.crm);
      w.byte(44);
      w.dec(d.op2);
      w.bytes(ev.b ? B.write : B.read);
      return;
    }
    case EV_HVC:
      w.bytes(B.hvc);
      w.hexPad(ev.pcLo, ev.pcHi, 16);
      w.bytes(B.r0);
      w.hexPad(ev.a, 0, 16);
      w.bytes(B.imm);
      w.hex(ev.b, 0);
      w.byte(41);
      return;
    case EV_WFX:
      w.bytes(B.wfx);
      w.byte(ev.a ? 101 : 105); // 'e' : 'i'
      w.bytes(B.wfxAt);
      w.hexPad(ev.pcLo, ev.pcHi, 16);
      return;
    case EV_IRQ_PENDING:
      w.bytes(B.vcpu);
      w.dec(ev.a);
      w.bytes(B.irqN);
      w.dec(ev.b);
      w.bytes(B.level);
      w.dec(ev.c);
      return;
  }
}

/** 5-character irq-flags column by FLAGS_* code. */
export const FLAG_TEXT = [ascii('.....'), ascii('d..1.'), ascii('...1.')];
