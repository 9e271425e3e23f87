import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RecordBatchFileReader, tableFromIPC } from 'apache-arrow';
import { AccessArrowWriter } from '../../src/arrow/access-arrow-writer.ts';
import { readAccessesArrow } from '../../src/arrow/read-accesses.ts';
import { OP_NAMES, SPACE_NAMES } from '../../src/model/codes.ts';
import { expectedRow, makeBatch } from '../store/helpers/batch-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'abitrace-arrow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ALL_VMS = ['4242', '5151', 'guest-c', 'guest-d'];
const ALL_SOURCES = ['kvm_mmio', 'kvm_sys_access', 'kvm_hvc_arm64'];

/** Writes 3 batches whose dictionaries grow between batches (→ delta dictionary batches). */
function writeGrowing(path: string, importId: number | null) {
  const w = new AccessArrowWriter(path, importId, { 'abitrace.source_path': 'x.log' });
  // batch 1 only uses vm codes 0..1 and source 0..1; later batches use all.
  w.write(makeBatch(0, 1000, 2, 2, 4096), ALL_VMS.slice(0, 2), ALL_SOURCES.slice(0, 2));
  w.write(makeBatch(1000, 3000, 4, 3), ALL_VMS, ALL_SOURCES);
  w.write(makeBatch(4000, 1, 4, 3), ALL_VMS, ALL_SOURCES);
  w.finish();
  return w;
}

function expectedAt(i: number) {
  return i < 1000 ? expectedRow(i, 2, 2) : expectedRow(i, 4, 3);
}

describe('Arrow accesses file', () => {
  it('round-trips through apache-arrow (delta dictionaries, NULLs, 64-bit values) with the documented schema', () => {
    const path = join(dir, 'a.arrow');
    const w = writeGrowing(path, 9);
    expect(w.rows).toBe(4001);
    const bytes = readFileSync(path);
    const reader = RecordBatchFileReader.from(bytes);
    reader.open();
    expect(reader.numDictionaries).toBeGreaterThan(4); // initial 4 + deltas for vm and source
    const t = tableFromIPC(bytes);
    expect(t.numRows).toBe(4001);
    expect(t.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual([
      'import_id:Int32', 'seq:Int64', 'ts_ns:Int64', 'host_cpu:Int16', 'tid:Int32',
      'vm:Dictionary<Int32, Utf8>', 'vcpu:Int16', 'source:Dictionary<Uint8, Utf8>',
      'space:Dictionary<Uint8, Utf8>', 'op:Dictionary<Uint8, Utf8>', 'addr:Uint64', 'len:Uint8',
      'value:Uint64', 'pc:Uint64', 'imm:Uint32',
    ]);
    for (const i of [0, 1, 999, 1000, 2047, 2048, 3999, 4000]) {
      const row = t.get(i)!.toJSON();
      const e = expectedAt(i);
      expect(row.import_id).toBe(9);
      expect(row.seq).toBe(e.seq);
      expect(row.ts_ns).toBe(e.ts_ns);
      expect(row.host_cpu).toBe(e.host_cpu);
      expect(row.vm).toBe(ALL_VMS[e.vm]);
      expect(row.source).toBe(ALL_SOURCES[e.source]);
      expect(row.space).toBe(SPACE_NAMES[e.space]);
      expect(row.op).toBe(OP_NAMES[e.op]);
      expect(row.addr).toBe(e.addr);
      expect(row.value).toBe(e.value);
      expect(row.pc).toBe(e.pc);
      expect(row.imm).toBe(e.imm);
      expect(row.len).toBe(e.len);
    }
  });

  it('readAccessesArrow returns zero-copy typed arrays and the complete dictionaries', () => {
    const path = join(dir, 'b.arrow');
    writeGrowing(path, null);
    const a = readAccessesArrow(path);
    expect(a.rows).toBe(4001);
    expect(a.importId).toBeNull();
    expect(a.vms).toEqual(ALL_VMS);
    expect(a.sources).toEqual(ALL_SOURCES);
    expect(a.metadata.get('abitrace.source_path')).toBe('x.log');
    const buffers = new Set(a.batches.map((b) => b.seq.buffer));
    expect(buffers.size).toBe(1); // every batch views the one file buffer
    let i = 0;
    for (const b of a.batches) {
      for (let j = 0; j < b.length; j++, i++) {
        const e = expectedAt(i);
        expect(b.seq[j]).toBe(e.seq);
        expect(b.isValid('value', j) ? b.value[j] : null).toBe(e.value);
        expect(b.isValid('ts_ns', j) ? b.ts_ns[j] : null).toBe(e.ts_ns);
        expect(b.isValid('imm', j) ? b.imm[j] : null).toBe(e.imm);
        expect(b.vm[j]).toBe(e.vm);
        expect(b.space[j]).toBe(e.space);
      }
    }
    expect(i).toBe(4001);
  });

  it('a dictionary that grows at every batch reads back whole (each new chunk written once, as a delta)', () => {
    const path = join(dir, 'growing.arrow');
    const labels = Array.from({ length: 40 }, (_, i) => (i % 3 === 0 ? `guest-${i}` : String(1000 + i)));
    const w = new AccessArrowWriter(path, 3);
    // batch k uses VMs 0..5k+4: five new labels each time, eight batches
    for (let k = 0; k < 8; k++) w.write(makeBatch(k * 100, 100, 5 * k + 5, 1), labels.slice(0, 5 * k + 5), ALL_SOURCES.slice(0, 1));
    w.finish();
    const t = tableFromIPC(readFileSync(path));
    for (let i = 0; i < 800; i++) expect(t.get(i)!.toJSON().vm, `row ${i}`).toBe(labels[expectedRow(i, 5 * Math.floor(i / 100) + 5, 1).vm]);
    const a = readAccessesArrow(path);
    expect(a.vms).toEqual(labels);
  });

  it('discard() removes the partial file', () => {
    const path = join(dir, 'c.arrow.tmp');
    const w = new AccessArrowWriter(path, 1);
    w.write(makeBatch(0, 10, 1, 1), ['vm'], ['kvm_mmio']);
    w.discard();
    expect(existsSync(path)).toBe(false);
  });
});
