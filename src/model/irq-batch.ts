/**
 * Host-side interrupt injections (`vgic_update_irq_pending`): not guest register accesses, but
 * the replayer applies them in order to decide how an interrupt would be signalled. Low volume,
 * so plain arrays are enough.
 */
export interface IrqEventRow {
  seq: number;
  ts_ns: bigint | null;
  host_cpu: number | null;
  tid: number;
  vm: number; // dictionary code, as AccessBatch.vm
  vcpu: number; // the event's own VCPU field
  irq: number;
  level: boolean;
  source: number; // dictionary code of the event name
}
