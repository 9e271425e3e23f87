/**
 * Streams AccessBatches into an Arrow IPC *file* with bounded memory: the writer's byte sink is
 * replaced by one that `writeSync`s each piece straight to the file descriptor, so nothing
 * accumulates in apache-arrow's queue while the main thread is busy appending to DuckDB.
 */
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { AsyncByteQueue, RecordBatchFileWriter } from 'apache-arrow';
import { AbitraceError, E } from '../errors.ts';
import type { AccessBatch } from '../model/access-batch.ts';
import { AccessRecordBatchBuilder } from './access-record-batch.ts';
import type { VmLabelList } from '../ingest/vm-labels.ts';

/** An AsyncByteQueue that writes through to a file instead of queueing. */
class FileSink extends AsyncByteQueue {
  bytes = 0;
  constructor(private readonly fd: number) {
    super();
  }
  override write(value: ArrayBufferView | ArrayBuffer | ArrayLike<number> | Iterable<number> | string | null | undefined): void {
    if (value === null || value === undefined) return;
    const v = value as ArrayBufferView;
    const bytes = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    let off = 0;
    while (off < bytes.byteLength) off += writeSync(this.fd, bytes, off, bytes.byteLength - off);
    this.bytes += bytes.byteLength;
  }
}

export class AccessArrowWriter {
  rows = 0;
  private readonly fd: number;
  private readonly sink: FileSink;
  private readonly writer: RecordBatchFileWriter;
  private readonly builder: AccessRecordBatchBuilder;
  private open = true;

  /**
   * Creates `path` (truncating it). importId null writes an all-NULL import_id column.
   * `metadata` goes into the schema's custom metadata (e.g. abitrace.source_path).
   */
  constructor(readonly path: string, importId: number | null, metadata: Record<string, string> = {}) {
    try {
      this.fd = openSync(path, 'w');
    } catch (err) {
      throw new AbitraceError(E.ARROW, `cannot create ${path}: ${(err as Error).message}`);
    }
    this.sink = new FileSink(this.fd);
    this.builder = new AccessRecordBatchBuilder(importId, metadata);
    this.writer = new RecordBatchFileWriter();
    this.writer.reset(this.sink, this.builder.schema);
  }

  get bytes(): number {
    return this.sink.bytes;
  }

  write(batch: AccessBatch, vms: VmLabelList, sources: readonly string[]): void {
    if (batch.length === 0) return;
    this.writer.write(this.builder.build(batch, vms, sources));
    this.rows += batch.length;
  }

  /** Writes the footer and closes the file. A file with no rows still gets the schema. */
  finish(): void {
    if (!this.open) return;
    this.open = false;
    try {
      this.writer.close();
    } finally {
      closeSync(this.fd);
    }
  }

  /** finish() and rename to `finalPath` (atomic on one filesystem); null: written in place. */
  finishAs(finalPath: string | null): void {
    this.finish();
    if (finalPath !== null && finalPath !== this.path) renameSync(this.path, finalPath);
  }

  /** Closes without a footer and deletes the file (`remove`: false for a device written in place). Safe to call more than once. */
  discard(remove = true): void {
    if (this.open) {
      this.open = false;
      try {
        closeSync(this.fd);
      } catch {
        /* already closed */
      }
    }
    if (remove) rmSync(this.path, { force: true });
  }
}
