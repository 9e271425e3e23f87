/**
 * AccessBatch → Arrow RecordBatch without copying the columns: makeData wraps `subarray`s of
 * the batch's typed arrays and its validity bitmaps (same LSB-first layout as Arrow). One
 * builder per output file, because it owns the dictionary chunks: a dictionary that grew since
 * the previous batch gets one more chunk, which the IPC writer emits as a DELTA batch.
 */
import {
  Data, RecordBatch, Struct, Vector, makeData, Utf8, type Schema,
} from 'apache-arrow';
import type { AccessBatch, NullableColumn } from '../model/access-batch.ts';
import { NO_TID, OP_NAMES, SPACE_NAMES } from '../model/codes.ts';
import { accessSchema, ACCESS_ARROW_VERSION } from './access-schema.ts';
import type { VmLabelList } from '../ingest/vm-labels.ts';

const encoder = new TextEncoder();

/**
 * A Utf8 Data of `values`, encoded straight into one offsets and one bytes array: a host trace's
 * million VM labels went through apache-arrow's builder at ~0.2 KiB of garbage each.
 */
export function utf8Chunk(values: VmLabelList, from = 0): Data<Utf8> {
  const n = values.length - from;
  const offsets = new Int32Array(n + 1);
  let size = 0;
  for (let i = 0; i < n; i++) size += values.at(from + i)!.length;
  let bytes = new Uint8Array(size);
  let at = 0;
  for (let i = 0; i < n; i++) {
    const s = values.at(from + i)!;
    let ascii = at + s.length <= bytes.length;
    for (let j = 0; ascii && j < s.length; j++) {
      const c = s.charCodeAt(j);
      if (c < 0x80) bytes[at + j] = c;
      else ascii = false;
    }
    if (ascii) {
      at += s.length;
    } else {
      const enc = encoder.encode(s); // rare (labels are tgids or file names): may grow the buffer
      if (at + enc.length > bytes.length) {
        const grown = new Uint8Array(Math.max(bytes.length * 2, at + enc.length));
        grown.set(bytes.subarray(0, at));
        bytes = grown;
      }
      bytes.set(enc, at);
      at += enc.length;
    }
    offsets[i + 1] = at;
  }
  return makeData({ type: new Utf8(), length: n, nullCount: 0, valueOffsets: offsets, data: bytes.subarray(0, at) });
}

/**
 * Append-only dictionary as a list of Data chunks; the first chunk never changes identity. The IPC
 * writer writes the chunks past the count it has seen as delta dictionary batches, and compares
 * only the first chunk: the chunks in between, already written, are kept as empty placeholders (a
 * host trace's 4 M VM labels were ~46 MiB held until the import ended).
 */
class GrowingDictionary {
  private first: Data<Utf8> | null = null;
  private chunkCount = 0;
  private covered = 0;
  private vector: Vector<Utf8> | null = null;

  update(entries: VmLabelList): Vector<Utf8> {
    if (this.vector === null || entries.length > this.covered) {
      const chunk = utf8Chunk(entries, this.covered);
      this.covered = entries.length;
      const chunks: Data<Utf8>[] = [];
      if (this.first === null) this.first = chunk;
      else {
        chunks.push(this.first);
        for (let i = 1; i < this.chunkCount; i++) chunks.push(EMPTY_UTF8);
      }
      chunks.push(chunk);
      this.chunkCount++;
      this.vector = new Vector(chunks);
    }
    return this.vector;
  }
}

const EMPTY_UTF8 = makeData({ type: new Utf8(), length: 0, nullCount: 0, valueOffsets: new Int32Array(1), data: new Uint8Array(0) });

export class AccessRecordBatchBuilder {
  readonly schema: Schema;
  private readonly vm = new GrowingDictionary();
  private readonly source = new GrowingDictionary();
  private readonly space = new Vector([utf8Chunk(SPACE_NAMES)]);
  private readonly op = new Vector([utf8Chunk(OP_NAMES)]);
  private importIds = new Int32Array(0);
  private importNulls: Uint8Array | null = null;

  /** importId null (e.g. `convert`, no database): the import_id column is all NULL. */
  constructor(private readonly importId: number | null, metadata: Record<string, string> = {}) {
    const meta = new Map<string, string>([['abitrace.format', 'accesses'], ['abitrace.version', ACCESS_ARROW_VERSION]]);
    if (importId !== null) meta.set('abitrace.import_id', String(importId));
    for (const [k, v] of Object.entries(metadata)) meta.set(k, v);
    this.schema = accessSchema(meta);
  }

  private constantImportIds(n: number): { data: Int32Array; nullBitmap?: Uint8Array } {
    if (this.importIds.length < n) {
      const size = Math.max(n, 65536);
      this.importIds = new Int32Array(size).fill(this.importId ?? 0);
      if (this.importId === null) this.importNulls = new Uint8Array(Math.ceil(size / 64) * 8);
    }
    const data = this.importIds.subarray(0, n);
    return this.importNulls ? { data, nullBitmap: this.importNulls } : { data };
  }

  build(batch: AccessBatch, vms: VmLabelList, sources: readonly string[]): RecordBatch {
    const n = batch.length;
    const v = batch.validity;
    const nullable = (col: NullableColumn) => ({ nullBitmap: v[col], nullCount: -1 });
    const ids = this.constantImportIds(n);
    const f = this.schema.fields;
    const children = [
      makeData({ type: f[0]!.type, length: n, data: ids.data, ...(ids.nullBitmap ? { nullBitmap: ids.nullBitmap, nullCount: n } : {}) }),
      makeData({ type: f[1]!.type, length: n, data: batch.seq.subarray(0, n) }),
      makeData({ type: f[2]!.type, length: n, data: batch.ts_ns.subarray(0, n), ...nullable('ts_ns') }),
      makeData({ type: f[3]!.type, length: n, data: batch.host_cpu.subarray(0, n), ...nullable('host_cpu') }),
      makeData({ type: f[4]!.type, length: n, data: batch.tid.subarray(0, n), ...tidNulls(batch.tid, n) }),
      makeData({ type: f[5]!.type, length: n, data: batch.vm.subarray(0, n), dictionary: this.vm.update(vms) }),
      makeData({ type: f[6]!.type, length: n, data: batch.vcpu.subarray(0, n), ...nullable('vcpu') }),
      makeData({ type: f[7]!.type, length: n, data: batch.source.subarray(0, n), dictionary: this.source.update(sources) }),
      makeData({ type: f[8]!.type, length: n, data: batch.space.subarray(0, n), dictionary: this.space }),
      makeData({ type: f[9]!.type, length: n, data: batch.op.subarray(0, n), dictionary: this.op }),
      makeData({ type: f[10]!.type, length: n, data: batch.addr.subarray(0, n), ...nullable('addr') }),
      makeData({ type: f[11]!.type, length: n, data: batch.len.subarray(0, n), ...nullable('len') }),
      makeData({ type: f[12]!.type, length: n, data: batch.value.subarray(0, n), ...nullable('value') }),
      makeData({ type: f[13]!.type, length: n, data: batch.pc.subarray(0, n), ...nullable('pc') }),
      makeData({ type: f[14]!.type, length: n, data: batch.imm.subarray(0, n), ...nullable('imm') }),
    ] as Data[];
    const struct = makeData({ type: new Struct(f), length: n, nullCount: 0, children });
    return new RecordBatch(this.schema, struct);
  }
}

/** A validity bitmap for the tid column when a row has NO_TID (-1: the trace names no thread); none otherwise. */
function tidNulls(tid: Int32Array, n: number): { nullBitmap?: Uint8Array; nullCount?: number } {
  const view = tid.subarray(0, n);
  if (view.indexOf(NO_TID) < 0) return {};
  const bits = new Uint8Array(Math.ceil(n / 64) * 8);
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    if (view[i] === NO_TID) nulls++;
    else bits[i >>> 3] = bits[i >>> 3]! | (1 << (i & 7));
  }
  return { nullBitmap: bits, nullCount: nulls };
}
