/**
 * Host trace events as the generator queues them: one reusable record class with numeric fields
 * (monomorphic for V8), a kind code, and the few fields each tracepoint prints (tracepoints.md §2).
 * Reads of vGIC registers are resolved against the value model when the event is written, so the
 * printed value reflects every access that precedes it in the trace, whichever vCPU made it.
 */

export const EV_ENTRY = 0; // kvm_entry: pc
export const EV_EXIT = 1; // kvm_exit: a = ret (0 IRQ, 2 TRAP), b = esr_ec, pc
export const EV_FAULT = 2; // kvm_guest_fault: gpa = page-aligned IPA, a = hsr, far (lo/hi), pc
export const EV_MMIO = 3; // kvm_mmio: a = type (0 unsatisfied-read, 1 read, 2 write), b = len, gpa, val
export const EV_USER_EXIT = 4; // kvm_userspace_exit: a = reason
export const EV_HANDLE_SYSREG = 5; // kvm_handle_sys_reg: a = hsr
export const EV_SYS_ACCESS = 6; // kvm_sys_access: pc, a = sysreg slot, b = is_write
export const EV_HVC = 7; // kvm_hvc_arm64: pc, a = r0, b = imm
export const EV_WFX = 8; // kvm_wfx_arm64: pc, a = is_wfe
export const EV_IRQ_PENDING = 9; // vgic_update_irq_pending: a = vcpu_id, b = irq, c = level

/** Tracepoint names by kind (without the `kvm:` system prefix). */
export const EVENT_NAMES = [
  'kvm_entry',
  'kvm_exit',
  'kvm_guest_fault',
  'kvm_mmio',
  'kvm_userspace_exit',
  'kvm_handle_sys_reg',
  'kvm_sys_access',
  'kvm_hvc_arm64',
  'kvm_wfx_arm64',
  'vgic_update_irq_pending',
] as const;

export const MMIO_UNSATISFIED = 0;
export const MMIO_READ = 1;
export const MMIO_WRITE = 2;

/** What to do with the value model when the event is written. */
export const MODEL_NONE = 0;
export const MODEL_READ = 1; // fill val from the vGIC model
export const MODEL_WRITE = 2; // apply the write to the vGIC model

/** irq-flags column variants (5-character kernel layout). */
export const FLAGS_NONE = 0; // '.....'
export const FLAGS_IRQS_OFF = 1; // 'd..1.' (kvm_entry, injections with interrupts off)
export const FLAGS_PREEMPT = 2; // '...1.' (kvm_exit)

export const EXIT_RET_IRQ = 0;
export const EXIT_RET_TRAP = 2;

export const EC_UNKNOWN = 0x00;
export const EC_WFX = 0x01;
export const EC_HVC64 = 0x16;
export const EC_SYS64 = 0x18;
export const EC_DABT_LOW = 0x24;

export const KVM_EXIT_MMIO = 6;

export class HostEvent {
  kind = 0;
  /** Nanoseconds on the trace clock (integral double). */
  ts = 0;
  /** Host CPU the event was recorded on. */
  cpu = 0;
  flags = 0;
  pcLo = 0;
  pcHi = 0;
  a = 0;
  b = 0;
  c = 0;
  farLo = 0;
  farHi = 0;
  /** Guest-physical address (exact double). */
  gpa = 0;
  valLo = 0;
  valHi = 0;
  model = MODEL_NONE;
  /** vCPU index for model accesses. */
  vcpu = 0;
}
