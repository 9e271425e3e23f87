/**
 * The bundled real capture (QEMU 7.2 virt, GICv3, Linux 6.1, 2 vCPUs; see traces/.../README.md),
 * parsed through the default worker path. Expected facts come from the guest's GICv3 driver
 * (guests.md §1.1) and were cross-checked with an independent script over the raw text.
 */
import { join } from 'node:path';
import { evidenceByVm } from '../../src/ingest/vm-evidence.ts';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseFile, type ParseFileSummary } from '../../src/ingest/parse-file.ts';
import { CollectingSink, rowsOf, summaryJson, type RowView } from './helpers/render.ts';

const TRACE = join(import.meta.dirname, '../../traces/qemu-virt-gicv3-linux6.1-smp2/trace.log.gz');

let summary: ParseFileSummary;
let rows: RowView[];
let writes: RowView[];
const at = (gpa: number): RowView[] => writes.filter((r) => r.addr === `0x${gpa.toString(16)}`);

beforeAll(async () => {
  const sink = new CollectingSink();
  summary = await parseFile(TRACE, { path: TRACE, fallbackVm: 'qemu-virt-gicv3-linux6.1-smp2', strict: false }, sink, { worker: true });
  rows = rowsOf({ batches: sink.batches, irqs: sink.irqRows, summary });
  writes = rows.filter((r) => r.op === 'W');
});

describe('real capture: qemu-virt-gicv3-linux6.1-smp2', () => {
  it('is sniffed as a QEMU log with the <tid>@ prefix and fully accounted for', () => {
    expect(summary.format).toBe('qemu');
    expect(summary.variant).toBe('qemu');
    expect(summary.compression).toBe('gzip');
    expect(summary.lines).toBe(78177);
    expect(summary.accesses + summary.otherEvents + summary.skipped).toBe(summary.lines);
    expect(summary.accesses).toBe(rows.length);
    expect(summary.accesses).toBe((summary.eventCounts.get('memory_region_ops_read') ?? 0) + (summary.eventCounts.get('memory_region_ops_write') ?? 0));
    expect(summary.issues).toEqual([]);
    expect(summary.sha256).toBe('43894416f7289a5f0f28009c52fd4f6c643a49feb00193031d4a344ee76625a2');
  });

  it('GICD_IGROUPR<n> (n >= 1): 7 writes of 0xffffffff at 0x8000084..0x800009c', () => {
    const ig = writes.filter((r) => {
      const a = Number(r.addr);
      return a >= 0x8000080 && a <= 0x80000ff;
    });
    expect(ig.map((r) => r.addr)).toEqual(['0x8000084', '0x8000088', '0x800008c', '0x8000090', '0x8000094', '0x8000098', '0x800009c']);
    expect(new Set(ig.map((r) => r.value))).toEqual(new Set(['0xffffffff']));
  });

  it('GICR_IGROUPR0 of both redistributors written once each', () => {
    expect(at(0x80b0080).map((r) => r.value)).toEqual(['0xffffffff']);
    expect(at(0x80d0080).map((r) => r.value)).toEqual(['0xffffffff']);
  });

  it('GICD_CTLR written 0x0 then 0x13', () => {
    expect(at(0x8000000).map((r) => r.value)).toEqual(['0x0', '0x13']);
  });

  it('231 writes to GICD_IROUTER<n>, all 8 bytes wide', () => {
    const ir = writes.filter((r) => Number(r.addr) >= 0x8006000 && Number(r.addr) <= 0x8007fff);
    expect(ir.length).toBe(231);
    expect(new Set(ir.map((r) => r.len))).toEqual(new Set([8]));
  });

  it('keeps wall-clock timestamps exact, vcpu from `cpu N`, no host CPU', () => {
    const first = at(0x8000000)[0]!;
    expect(first.ts_ns).toBe('1795388560339579000');
    expect(first.tid).toBe(7635);
    expect(new Set(rows.map((r) => r.vcpu))).toEqual(new Set([0, 1]));
    expect(rows.every((r) => r.host_cpu === null && r.pc === null && r.space === 'mmio')).toBe(true);
  });

  it('collects layout evidence: region extents and GICD/GICR identification reads', () => {
    const ev = [...evidenceByVm(summary)][0]!;
    expect(ev.regions.get('gicv3_dist')).toMatchObject({ min: 0x8000000 });
    expect(ev.regions.get('gicv3_dist')!.max).toBeLessThan(0x8010000);
    expect(ev.regions.get('gicv3_redist_region[0]')!.min).toBe(0x80a0000);
    expect(ev.idReads[0]).toEqual({ gpa: 0x800ffe8, len: 4, value: 0x3b });
    expect(ev.pages.get(0x8000)).toBeGreaterThan(0);
  });

  it('gives the same summary in-process as in the worker', async () => {
    const inline = await parseFile(TRACE, { path: TRACE, fallbackVm: 'qemu-virt-gicv3-linux6.1-smp2', strict: false }, new CollectingSink(), { worker: false });
    expect(summaryJson(inline)).toBe(summaryJson(summary));
  });
});
