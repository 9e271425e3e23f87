/**
 * Where an import's Arrow cache lives, and whether a file found there is really that import's.
 * The file is always resolved from the CURRENT database path — `<db>.arrow/<import_id>.arrow` —
 * never from a path stored in the database: a copied or moved database (with its `.arrow/`
 * directory) must read and delete its own files, not the original's. `imports.arrow_path` holds
 * only the file's name inside that directory (NULL: no cache was written).
 */
import { join } from 'node:path';
import type { AccessesArrow } from '../arrow/read-accesses.ts';

/** Directory of the per-import Arrow files for a database file (null for ':memory:'). */
export function arrowDirFor(dbPath: string): string | null {
  return dbPath === ':memory:' ? null : `${dbPath}.arrow`;
}

/** The value stored in imports.arrow_path: relative to the database's `<db>.arrow/` directory. */
export function arrowFileName(importId: number): string {
  return `${importId}.arrow`;
}

/** The import's Arrow cache file for the database at `dbPath` (null for ':memory:'). */
export function arrowFileFor(dbPath: string, importId: number): string | null {
  const dir = arrowDirFor(dbPath);
  return dir === null ? null : join(dir, arrowFileName(importId));
}

/** What `imports` says about the import an Arrow cache file should hold. */
export interface ArrowCacheOwner {
  import_id: number;
  /** imports.path: written to the file as abitrace.source_path. */
  path: string;
  /** imports.accesses: the file's row count. */
  accesses: number | bigint | null;
}

/**
 * Why `file` is not `owner`'s cache (another database's, or an earlier import under the same id),
 * or null when it matches. The file's metadata has no sha256 (the schema is written before the
 * hash is known), so the import id, source path and row count are what can be compared.
 */
export function arrowCacheMismatch(file: AccessesArrow, owner: ArrowCacheOwner): string | null {
  if (file.importId !== owner.import_id) return `it holds import ${file.importId ?? '(none)'}`;
  const source = file.metadata.get('abitrace.source_path');
  if (source !== owner.path) return `it was written for ${source === undefined ? 'no source path' : JSON.stringify(source)}, not ${JSON.stringify(owner.path)}`;
  if (owner.accesses !== null && BigInt(file.rows) !== BigInt(owner.accesses)) return `it has ${file.rows} rows, the import ${owner.accesses}`;
  return null;
}
