/** irq events as columnar batches: the parser fills IrqBatches (no object per event) and hands them off full. */
import { describe, expect, it } from 'vitest';
import { IrqWriter } from '../../src/ingest/irq-writer.ts';
import { IrqBatch, irqRowsOf } from '../../src/model/irq-batch.ts';
import { CollectingSink, parseBytes } from './helpers/render.ts';
import { TraceParser } from '../../src/ingest/trace-parser.ts';

const enc = (s: string): Buffer => Buffer.from(s, 'utf8');
const irqLine = (tid: number, tgid: number, cpu: number, usec: number, body: string): string =>
  `${'CPU 0/KVM'.padStart(16)}-${String(tid).padEnd(7)} (${String(tgid).padStart(7)}) [${String(cpu).padStart(3, '0')}] d.h1. `
  + `1.${String(usec).padStart(6, '0')}: vgic_update_irq_pending: ${body}\n`;

describe('IrqWriter', () => {
  it('hands off full batches, takes a batch only for the next row, and zeroes a batch given back before refilling it', () => {
    const out: IrqBatch[] = [];
    const w = new IrqWriter(4, (b) => out.push(b));
    for (let i = 0; i < 4; i++) w.add(i + 1, true, 1000 + i, 0, 3, 50, 0, 1, 27, true, 2);
    expect(out).toHaveLength(1);
    const first = out[0]!;
    expect(first.length).toBe(4);
    w.reuse(first);
    w.flush(); // nothing pending: no hand-off
    expect(out).toHaveLength(1);
    // the next rows go into the reused batch; rows without ts/cpu/level must not inherit them
    for (let i = 0; i < 4; i++) w.add(10 + i, false, 0, 0, -1, 51, 1, 0, 30, false, 2);
    expect(out).toHaveLength(2);
    expect(out[1]).toBe(first);
    expect(irqRowsOf([first])).toEqual([10, 11, 12, 13].map((seq) => ({
      seq, ts_ns: null, host_cpu: null, tid: 51, vm: 1, vcpu: 0, irq: 30, level: false, source: 2,
    })));
    // nothing given back: a new batch
    w.add(20, true, 1, 0, 1, 50, 0, 1, 27, true, 2);
    w.flush();
    expect(out).toHaveLength(3);
    expect(out[2]).not.toBe(first);
  });

  it('writes seq and timestamps above 2^32 through the u32 halves', () => {
    const out: IrqBatch[] = [];
    const w = new IrqWriter(8, (b) => out.push(b));
    w.add(2 ** 40 + 5, true, 0x89abcdef, 0x1234, 7, 9, 0, -1, 0x7fffffff, true, 0);
    w.flush();
    expect(out[0]!.row(0)).toEqual({ seq: 2 ** 40 + 5, ts_ns: 0x1234_89abcdefn, host_cpu: 7, tid: 9, vm: 0, vcpu: -1, irq: 0x7fffffff, level: true, source: 0 });
  });
});

describe('TraceParser irq batches', () => {
  it('emits irq events in batches of batchRows, in line order, with the dictionaries so far', () => {
    let text = '';
    for (let i = 0; i < 10; i++) text += irqLine(4201 + (i % 2), 4200 + 100 * (i % 3), i % 4, i + 1, `VCPU: ${i % 2}, IRQ ${27 + i}, level: ${i % 2}`);
    const sink = new CollectingSink();
    const seenVms: number[] = [];
    const parser = new TraceParser({ format: 'ftrace', path: 't', fallbackVm: 'x', strict: true, batchRows: 4 }, {
      accesses: () => {},
      irqs: (b, vms) => {
        seenVms.push(vms.length);
        sink.irqs(b);
      },
    });
    parser.feed(enc(text));
    const summary = parser.finish();
    expect(sink.irqBatches.map((b) => b.length)).toEqual([4, 4, 2]);
    expect(seenVms.at(-1)).toBe(3);
    const rows = sink.irqRows;
    expect(rows.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(rows.map((r) => summary.vms.at(r.vm)!)).toEqual(['4200', '4300', '4400', '4200', '4300', '4400', '4200', '4300', '4400', '4200']);
    expect(rows[3]).toEqual({ seq: 4, ts_ns: 1_000_004_000n, host_cpu: 3, tid: 4202, vm: 0, vcpu: 1, irq: 30, level: true, source: 0 });
    expect(summary.irqEvents).toBe(10);
  });

  it('a VCPU or IRQ the irq_rows columns cannot hold is a malformed line, not a wrapped value', () => {
    const text = irqLine(4201, 4200, 0, 1, 'VCPU: 40000, IRQ 27, level: 1') + irqLine(4201, 4200, 0, 2, 'VCPU: 0, IRQ 4294967295, level: 1')
      + irqLine(4201, 4200, 0, 3, 'VCPU: -1, IRQ 27, level: 0');
    const p = parseBytes(enc(text), { format: 'ftrace' });
    expect(p.irqs.map((r) => [r.seq, r.vcpu, r.irq])).toEqual([[3, -1, 27]]);
    expect(p.summary.issues.find((i) => i.kind === 'malformed_line')?.count).toBe(2);
    expect(p.summary.irqEvents).toBe(1);
    expect(() => parseBytes(enc(text), { format: 'ftrace', strict: true })).toThrow(/t?:1: expected vgic_update_irq_pending fields .*VCPU within/);
  });
});
