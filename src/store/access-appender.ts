/**
 * AccessBatch → `access_rows`: packs each batch (access-packer.ts) and appends the packed columns
 * through the raw data-chunk path (ChunkAppender).
 */
import type { AccessBatch } from '../model/access-batch.ts';
import { PackedAccessRows } from './access-packer.ts';
import { ChunkAppender, type ChunkColumn } from './chunk-appender.ts';
import type { Database } from './database.ts';

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

export class AccessAppender {
  private constructor(private readonly chunks: ChunkAppender<PackedAccessRows>, private readonly packed: PackedAccessRows) {}

  /** Opens an appender on `access_rows` (or a table of the same shape) for one import, inside the connection's transaction. */
  static async open(db: Database, importId: number, table = 'access_rows'): Promise<AccessAppender> {
    const packed = new PackedAccessRows(importId);
    return new AccessAppender(await ChunkAppender.open(db, table, ACCESS_ROW_COLUMNS), packed);
  }

  /** Rows appended so far. */
  get rows(): number {
    return this.chunks.rows;
  }

  /** Packs and appends the batch's rows. Synchronous. */
  append(batch: AccessBatch): void {
    this.chunks.append(this.packed.pack(batch));
  }

  flush(): void {
    this.chunks.flush();
  }

  close(): void {
    this.chunks.close();
  }
}

/** AccessAppender.open, under the name the import writer uses. */
export function openAccessAppender(db: Database, importId: number, table = 'access_rows'): Promise<AccessAppender> {
  return AccessAppender.open(db, importId, table);
}
