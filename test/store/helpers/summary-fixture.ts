/** A ParseSummary consistent with makeBatch() rows, for store tests that bypass the parser. */
import type { ParseSummary } from '../../../src/ingest/types.ts';
import { vmInfoTable } from '../../../src/ingest/vm-evidence.ts';

export function fakeSummary(rows: number, vms: string[], sources: string[]): ParseSummary {
  return {
    format: 'ftrace',
    variant: 'ftrace-tgid',
    bytes: rows * 120,
    lines: rows + 10,
    accesses: rows,
    irqEvents: 1,
    otherEvents: 6,
    skipped: 3,
    eventCounts: new Map([['kvm_mmio', rows], ['kvm_exit', 5], ['vgic_update_irq_pending', 1]]),
    issues: [{ kind: 'malformed_line', severity: 'warn', count: 2, samples: [{ line: 3, text: 'garbage, "quoted"' }, { line: 9, text: 'more' }] }],
    lost: [{ line: 5, hostCpu: 3, count: 1834, tsBeforeNs: 1_000_000n, tsAfterNs: 2_000_000n }],
    lostMarkers: 1,
    lostEvents: 1834,
    vms,
    sources,
    vmInfo: vmInfoTable(vms.map((_, vm) => ({ vm, vmm: 'qemu' as const, threads: 2, vcpus: 2 }))),
    layout: [],
    layoutPages: new Float64Array(0),
  };
}
