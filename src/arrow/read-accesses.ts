/**
 * Reads an accesses Arrow file (written by `import` or `convert`) back as AccessBatches whose
 * typed arrays are zero-copy views into the file buffer — the replayer's input. vm/source codes
 * index the returned `vms`/`sources`; space/op codes are the fixed src/model/codes.ts values.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { constants } from 'node:buffer';
import { tableFromIPC, type Data, type RecordBatch } from 'apache-arrow';
import { AbitraceError, E } from '../errors.ts';
import { AccessBatch, type AccessBatchBuffers, NULLABLE_COLUMNS, type NullableColumn } from '../model/access-batch.ts';
import { OP_NAMES, SPACE_NAMES } from '../model/codes.ts';
import { ACCESS_COLUMNS } from './access-schema.ts';

export interface AccessesArrow {
  /** Record batches in file order, as AccessBatches (length = capacity = rows in that batch). */
  batches: AccessBatch[];
  rows: number;
  /** vm code → label, source code → event name (the file's complete dictionaries). */
  vms: string[];
  sources: string[];
  /** import_id from the schema metadata; null for `convert` output. */
  importId: number | null;
  metadata: Map<string, string>;
}

/**
 * The whole file in one buffer, read in pieces: readFileSync refuses files over 2 GiB, and the
 * Arrow cache of a ~6 GB trace is bigger (a Buffer may hold up to buffer.constants.MAX_LENGTH).
 */
export function readWholeFile(path: string, piece = 1 << 26): Buffer {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > constants.MAX_LENGTH) throw new Error(`${size} bytes, over the ${constants.MAX_LENGTH} a buffer can hold`);
    const out = Buffer.allocUnsafe(size);
    let at = 0;
    while (at < size) {
      const n = readSync(fd, out, at, Math.min(piece, size - at), at);
      if (n === 0) throw new Error(`the file ended at byte ${at} of ${size}`);
      at += n;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

export function readAccessesArrow(path: string): AccessesArrow {
  let bytes: Buffer;
  try {
    bytes = readWholeFile(path);
  } catch (err) {
    throw new AbitraceError(E.FILE_NOT_FOUND, `cannot read ${path}: ${(err as Error).message}`);
  }
  let table;
  try {
    table = tableFromIPC(bytes);
  } catch (err) {
    throw new AbitraceError(E.ARROW, `${path} is not a readable Arrow IPC file: ${(err as Error).message}`);
  }
  const names = table.schema.fields.map((f) => f.name);
  for (const c of ACCESS_COLUMNS) {
    if (!names.includes(c)) throw new AbitraceError(E.ARROW, `${path}: column ${c} missing; not an abitrace accesses file`);
  }
  const metadata = table.schema.metadata;
  const importId = metadata.get('abitrace.import_id');
  let vms: string[] = [];
  let sources: string[] = [];
  const batches: AccessBatch[] = [];
  for (const rb of table.batches) {
    if (rb.numRows === 0) continue;
    const out = toAccessBatch(rb, path);
    batches.push(out.batch);
    // Later batches carry dictionaries at least as long (deltas only).
    if (out.vms.length >= vms.length) vms = out.vms;
    if (out.sources.length >= sources.length) sources = out.sources;
  }
  return { batches, rows: table.numRows, vms, sources, importId: importId ? Number(importId) : null, metadata };
}

function column(rb: RecordBatch, name: string): Data {
  const v = rb.getChild(name);
  if (!v || v.data.length !== 1) throw new Error(`column ${name} missing or chunked`);
  return v.data[0]!;
}

function dictionaryStrings(d: Data): string[] {
  return d.dictionary ? (d.dictionary.toArray() as string[]) : [];
}

function toAccessBatch(rb: RecordBatch, path: string): { batch: AccessBatch; vms: string[]; sources: string[] } {
  const n = rb.numRows;
  const words = Math.ceil(n / 64) * 8;
  const validity = {} as Record<NullableColumn, Uint8Array>;
  for (const c of NULLABLE_COLUMNS) {
    const d = column(rb, c);
    validity[c] = bitmapOf(d, n, words);
  }
  const space = column(rb, 'space');
  const op = column(rb, 'op');
  const spaceNames = dictionaryStrings(space);
  const opNames = dictionaryStrings(op);
  if (spaceNames.some((s, i) => s !== SPACE_NAMES[i]) || opNames.some((s, i) => s !== OP_NAMES[i])) {
    throw new AbitraceError(E.ARROW, `${path}: space/op dictionaries differ from this abitrace's codes`);
  }
  const vm = column(rb, 'vm');
  const source = column(rb, 'source');
  const buffers: AccessBatchBuffers = {
    capacity: n,
    length: n,
    seq: column(rb, 'seq').values,
    ts_ns: column(rb, 'ts_ns').values,
    host_cpu: column(rb, 'host_cpu').values,
    tid: column(rb, 'tid').values,
    vm: vm.values,
    vcpu: column(rb, 'vcpu').values,
    source: source.values,
    space: space.values,
    op: op.values,
    addr: column(rb, 'addr').values,
    len: column(rb, 'len').values,
    value: column(rb, 'value').values,
    pc: column(rb, 'pc').values,
    imm: column(rb, 'imm').values,
    validity,
  };
  return { batch: AccessBatch.fromBuffers(buffers), vms: dictionaryStrings(vm), sources: dictionaryStrings(source) };
}

/** The column's validity as whole u64 words: the file's bitmap when long enough, else a padded copy. */
function bitmapOf(d: Data, n: number, words: number): Uint8Array {
  const bm = d.nullBitmap as Uint8Array | undefined;
  if (!bm || bm.byteLength === 0 || d.nullCount === 0) return new Uint8Array(words).fill(0xff);
  if (d.offset === 0 && bm.byteLength >= words) return bm;
  const out = new Uint8Array(words);
  if (d.offset === 0) out.set(bm.subarray(0, Math.min(bm.byteLength, words)));
  else for (let i = 0; i < n; i++) if ((bm[(d.offset + i) >>> 3]! >>> ((d.offset + i) & 7)) & 1) out[i >>> 3]! |= 1 << (i & 7);
  return out;
}
