/**
 * IrqBatch → `irq_rows`: the packed column map and the appender (PackingAppender). The
 * `irq_events` view puts the names back (schema.ts).
 */
import type { IrqBatch } from '../model/irq-batch.ts';
import { ChunkAppender, type ChunkColumn } from './chunk-appender.ts';
import type { Database } from './database.ts';
import { PackedIrqRows } from './irq-packer.ts';
import { PackingAppender } from './packing-appender.ts';

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

export type IrqAppender = PackingAppender<IrqBatch, PackedIrqRows>;

/** Opens an appender on `irq_rows` (or a table of the same shape) for one import, inside the connection's transaction. */
export async function openIrqAppender(db: Database, importId: number, table = 'irq_rows'): Promise<IrqAppender> {
  const packer = new PackedIrqRows(importId);
  return new PackingAppender(await ChunkAppender.open(db, table, IRQ_ROW_COLUMNS), packer);
}
