/**
 * A batch appender for a packed table: packs each batch (access-packer.ts, irq-packer.ts) and
 * appends the packed columns through the raw data-chunk path (ChunkAppender).
 */
import type { ChunkAppender, ColumnarBatch } from './chunk-appender.ts';

export interface Packer<B, P extends ColumnarBatch> {
  /** The packed columns of `batch`, valid until the next call. */
  pack(batch: B): P;
}

export class PackingAppender<B, P extends ColumnarBatch> {
  constructor(private readonly chunks: ChunkAppender<P>, private readonly packer: Packer<B, P>) {}

  /** Rows appended so far. */
  get rows(): number {
    return this.chunks.rows;
  }

  /** Packs and appends the batch's rows. Synchronous. */
  append(batch: B): void {
    this.chunks.append(this.packer.pack(batch));
  }

  /** Writes the rows appended so far into the open transaction. */
  flush(): void {
    this.chunks.flush();
  }

  /** Flushes and closes. Must precede COMMIT. Idempotent. */
  close(): void {
    this.chunks.close();
  }
}
