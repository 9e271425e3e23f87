/**
 * AccessBatch → `access_rows` through the raw data-chunk path (ChunkAppender): the column map.
 */
import type { AccessBatch } from '../model/access-batch.ts';
import { ChunkAppender, type ChunkColumn } from './chunk-appender.ts';
import type { Database } from './database.ts';

/** access_rows columns after import_id, in table order (schema.ts ACCESS_ROWS_DDL). */
export const ACCESS_ROW_COLUMNS: readonly ChunkColumn<AccessBatch>[] = [
  { name: 'seq', nullable: false },
  { name: 'ts_ns', nullable: true },
  { name: 'host_cpu', nullable: true },
  { name: 'tid', nullable: false },
  { name: 'vm', nullable: false },
  { name: 'vcpu', nullable: true },
  { name: 'source', nullable: false },
  { name: 'space', nullable: false },
  { name: 'op', nullable: false },
  { name: 'addr', nullable: true },
  { name: 'len', nullable: true },
  { name: 'value', nullable: true },
  { name: 'pc', nullable: true },
  { name: 'imm', nullable: true },
];

export type AccessAppender = ChunkAppender<AccessBatch>;

/** Opens an appender on `access_rows` (or a table of the same shape) for one import, inside the connection's transaction. */
export function openAccessAppender(db: Database, importId: number, table = 'access_rows'): Promise<AccessAppender> {
  return ChunkAppender.open(db, table, ACCESS_ROW_COLUMNS, importId);
}
