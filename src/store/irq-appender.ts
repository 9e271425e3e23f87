/**
 * IrqBatch → `irq_rows`: packs each batch (irq-packer.ts) and appends the packed columns through
 * the raw data-chunk path (ChunkAppender). The `irq_events` view puts the names back (schema.ts).
 */
import type { IrqBatch } from '../model/irq-batch.ts';
import { ChunkAppender, type ChunkColumn } from './chunk-appender.ts';
import type { Database } from './database.ts';
import { PackedIrqRows } from './irq-packer.ts';

/** irq_rows columns in table order (irq-row-layout.ts IRQ_ROWS_DDL). */
export const IRQ_ROW_COLUMNS: readonly ChunkColumn<PackedIrqRows>[] = [
  { name: 'row_key', nullable: false },
  { name: 'ts_ns', nullable: true },
  { name: 'tid', nullable: false },
  { name: 'vm', nullable: false },
  { name: 'cpus', nullable: false },
  { name: 'irq', nullable: false },
  { name: 'kind', nullable: false },
];

export class IrqAppender {
  private constructor(private readonly chunks: ChunkAppender<PackedIrqRows>, private readonly packed: PackedIrqRows) {}

  /** Opens an appender on `irq_rows` (or a table of the same shape) for one import, inside the connection's transaction. */
  static async open(db: Database, importId: number, table = 'irq_rows'): Promise<IrqAppender> {
    const packed = new PackedIrqRows(importId);
    return new IrqAppender(await ChunkAppender.open(db, table, IRQ_ROW_COLUMNS), packed);
  }

  /** Rows appended so far. */
  get rows(): number {
    return this.chunks.rows;
  }

  /** Packs and appends the batch's rows. Synchronous. */
  append(batch: IrqBatch): void {
    this.chunks.append(this.packed.pack(batch));
  }

  flush(): void {
    this.chunks.flush();
  }

  close(): void {
    this.chunks.close();
  }
}

/** IrqAppender.open, under the name the import writer uses. */
export function openIrqAppender(db: Database, importId: number, table = 'irq_rows'): Promise<IrqAppender> {
  return IrqAppender.open(db, importId, table);
}
