/**
 * AccessBatch → `access_rows`: the packed column map and the appender (PackingAppender).
 */
import type { AccessBatch } from '../model/access-batch.ts';
import { PackedAccessRows } from './access-packer.ts';
import { ChunkAppender, type ChunkColumn } from './chunk-appender.ts';
import type { Database } from './database.ts';
import { PackingAppender } from './packing-appender.ts';

/** access_rows columns in table order (access-row-layout.ts ACCESS_ROWS_DDL). */
export const ACCESS_ROW_COLUMNS: readonly ChunkColumn<PackedAccessRows>[] = [
  { name: 'row_key', nullable: false },
  { name: 'ts_ns', nullable: true },
  { name: 'tid', nullable: false },
  { name: 'vm', nullable: false },
  { name: 'cpus', nullable: false },
  { name: 'kind', nullable: false },
  { name: 'addr', nullable: true },
  { name: 'value', nullable: true },
  { name: 'pc', nullable: true },
  { name: 'imm', nullable: true },
];

export type AccessAppender = PackingAppender<AccessBatch, PackedAccessRows>;

/** Opens an appender on `access_rows` (or a table of the same shape) for one import, inside the connection's transaction. */
export async function openAccessAppender(db: Database, importId: number, table = 'access_rows'): Promise<AccessAppender> {
  const packer = new PackedAccessRows(importId);
  return new PackingAppender(await ChunkAppender.open(db, table, ACCESS_ROW_COLUMNS), packer);
}
