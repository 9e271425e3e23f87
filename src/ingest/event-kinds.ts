/**
 * Event name → what the parser does with it. Everything not listed is counted per name and
 * otherwise ignored (kvm_entry is listed because it ends the PC context of a thread).
 */
import { ByteInterner } from './interner.ts';
import type { TraceFormat } from './types.ts';

export const K_OTHER = 0;
export const K_MMIO = 1;
export const K_SYS_ACCESS = 2;
export const K_HVC = 3;
export const K_SMC = 4;
export const K_EXIT = 5;
export const K_ENTRY = 6;
export const K_GUEST_FAULT = 7;
export const K_IRQ_PENDING = 8;
export const K_QEMU_MR_READ = 9;
export const K_QEMU_MR_WRITE = 10;
export const K_HANDLE_SYS_REG = 11;
export const K_TRAP_REG = 12;

const KERNEL_KINDS: Readonly<Record<string, number>> = {
  kvm_mmio: K_MMIO,
  kvm_sys_access: K_SYS_ACCESS,
  kvm_hvc_arm64: K_HVC,
  kvm_smc_arm64: K_SMC,
  kvm_exit: K_EXIT,
  kvm_entry: K_ENTRY,
  kvm_guest_fault: K_GUEST_FAULT,
  vgic_update_irq_pending: K_IRQ_PENDING,
  kvm_handle_sys_reg: K_HANDLE_SYS_REG,
  trap_reg: K_TRAP_REG,
};

const QEMU_KINDS: Readonly<Record<string, number>> = {
  memory_region_ops_read: K_QEMU_MR_READ,
  memory_region_ops_write: K_QEMU_MR_WRITE,
};

export function eventKind(format: TraceFormat, name: string): number {
  const table = format === 'qemu' ? QEMU_KINDS : KERNEL_KINDS;
  return Object.hasOwn(table, name) ? table[name]! : K_OTHER;
}

/**
 * Distinct event names a parse keeps. A trace has tens; a garbled or hostile one could have a new
 * name on every line, and each costs memory until the import ends.
 */
export const MAX_EVENT_NAMES = 4096;
/** Where the lines of names beyond MAX_EVENT_NAMES are counted (not a valid tracepoint name). */
export const OVERFLOW_EVENT_NAME = '(other event names)';

/** Interned event names with their kind, line count and (lazily) their `source` dictionary code. */
export class EventTable extends ByteInterner {
  kinds = new Uint8Array(64);
  counts = new Float64Array(64);
  sourceCodes = new Int32Array(64).fill(-1);
  /** Id of OVERFLOW_EVENT_NAME once the table is full, else -1. */
  overflowId = -1;

  constructor(private readonly format: TraceFormat) {
    super();
  }

  /** As ByteInterner.intern; once MAX_EVENT_NAMES are kept, a new name the parser does not act on gets overflowId. */
  override intern(buf: Buffer, start: number, end: number): number {
    if (this.size < MAX_EVENT_NAMES) return super.intern(buf, start, end);
    const id = this.find(buf, start, end);
    if (id >= 0) return id;
    // the events the parser acts on are never lumped together (a dozen names at most)
    if (eventKind(this.format, buf.toString('latin1', start, end)) !== K_OTHER) return super.intern(buf, start, end);
    if (this.overflowId < 0) {
      const name = Buffer.from(OVERFLOW_EVENT_NAME, 'latin1');
      this.overflowId = super.intern(name, 0, name.length);
    }
    return this.overflowId;
  }

  protected override onNew(id: number): void {
    if (id >= this.kinds.length) {
      const n = this.kinds.length * 2;
      const kinds = new Uint8Array(n);
      kinds.set(this.kinds);
      const counts = new Float64Array(n);
      counts.set(this.counts);
      const codes = new Int32Array(n).fill(-1);
      codes.set(this.sourceCodes);
      this.kinds = kinds;
      this.counts = counts;
      this.sourceCodes = codes;
    }
    this.kinds[id] = eventKind(this.format, this.names[id]!);
  }

  /** Every event name with at least one accepted line. */
  countsByName(): Map<string, number> {
    const out = new Map<string, number>();
    for (let id = 0; id < this.size; id++) if (this.counts[id]! > 0) out.set(this.names[id]!, this.counts[id]!);
    return out;
  }
}
