/**
 * IrqBatch → `irq_rows` through the raw data-chunk path (ChunkAppender): the column map. The
 * `irq_events` view puts the vm and source names back (schema.ts).
 */
import type { IrqBatch } from '../model/irq-batch.ts';
import { ChunkAppender, type ChunkColumn } from './chunk-appender.ts';
import type { Database } from './database.ts';

/** irq_rows columns after import_id, in table order (schema.ts IRQ_ROWS_DDL). */
export const IRQ_ROW_COLUMNS: readonly ChunkColumn<IrqBatch>[] = [
  { name: 'seq', nullable: false },
  { name: 'ts_ns', nullable: true },
  { name: 'host_cpu', nullable: true },
  { name: 'tid', nullable: false },
  { name: 'vm', nullable: false },
  { name: 'vcpu', nullable: false },
  { name: 'irq', nullable: false },
  { name: 'level', nullable: false },
  { name: 'source', nullable: false },
];

export type IrqAppender = ChunkAppender<IrqBatch>;

/** Opens an appender on `irq_rows` for one import, inside the connection's transaction. */
export function openIrqAppender(db: Database, importId: number, table = 'irq_rows'): Promise<IrqAppender> {
  return ChunkAppender.open(db, table, IRQ_ROW_COLUMNS, importId);
}
