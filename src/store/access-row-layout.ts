/**
 * How `access_rows` packs an access into 10 columns (schema version 3), and the SQL that unpacks
 * it. DuckDB's append costs about the same per column whatever its width (statistics, compression
 * analysis and a copy per column per row group), so the import's DuckDB CPU follows the column
 * count: 15 columns → 10 cut it by about a third. Fields are packed only where the file stays as
 * small: DuckDB bit-packs each column by the range of its values, so a field that varies row to
 * row costs its offset in bits; fields go low to high from the most to the least varying, and
 * NULL is 0 (value + 1 otherwise) so that small values stay small. `vm`/`tid` stay apart: tids
 * span thousands, and packing them cost the file a fifth of its size.
 *
 *   row_key  BIGINT    import_id << 40 | seq          (one import's rows: one key range)
 *   ts_ns    BIGINT    nullable
 *   tid      INTEGER
 *   vm       INTEGER   code (vm_labels)
 *   cpus     UINTEGER  host_cpu + 1 | (vcpu + 1) << 16      (0: NULL)
 *   kind     UINTEGER  op | (len + 1) << 1 | space << 10 | source << 14   (len + 1 = 0: NULL)
 *   addr, value, pc UBIGINT, imm UINTEGER: nullable, as in `accesses`
 *
 * The `access_codes` view unpacks them back to the code columns and `accesses` puts the names
 * on those; only the importer (access-packer.ts) and the SQL helpers here see the packed form.
 */

/** Bits of row_key below import_id: seq < 2^40 (a trillion rows per file). */
export const SEQ_BITS = 40;
export const MAX_SEQ = 2 ** SEQ_BITS - 1;
/** import_id << 8 must stay a positive int32 in the packer's high word. */
export const MAX_PACKED_IMPORT_ID = 2 ** 23 - 1;
/** Bit offsets in `kind`. */
export const KIND_LEN_SHIFT = 1;
export const KIND_SPACE_SHIFT = 10;
export const KIND_SOURCE_SHIFT = 14;

export const ACCESS_ROWS_DDL = `CREATE TABLE access_rows (
  row_key BIGINT NOT NULL,
  ts_ns BIGINT,
  tid INTEGER NOT NULL,
  vm INTEGER NOT NULL,
  cpus UINTEGER NOT NULL,
  kind UINTEGER NOT NULL,
  addr UBIGINT,
  value UBIGINT,
  pc UBIGINT,
  imm UINTEGER
)`;

/** The first and last row_key of an import's rows: `row_key BETWEEN lo AND hi` is a zone-map range scan. */
export function rowKeyRange(importId: number): [lo: bigint, hi: bigint] {
  const lo = BigInt(importId) << BigInt(SEQ_BITS);
  return [lo, lo + BigInt(MAX_SEQ)];
}

/** SQL condition selecting one import's rows of access_rows (or of a view exposing row_key). */
export function rowKeyCondition(importId: number, column = 'row_key'): string {
  const [lo, hi] = rowKeyRange(importId);
  return `${column} BETWEEN ${lo} AND ${hi}`;
}

/** The select-list head both codes views share: row_key, the import_id and seq in it, ts_ns, host_cpu from `cpus`. */
export const KEY_TS_HOST_COLUMNS = `row_key,
         CAST(row_key >> ${SEQ_BITS} AS INTEGER) AS import_id,
         row_key & ${MAX_SEQ} AS seq,
         ts_ns,
         CAST(NULLIF(cpus & 65535, 0) - 1 AS SMALLINT) AS host_cpu`;

/**
 * `access_codes`: access_rows with the packed columns unpacked to the codes (vm, source, space
 * and op as the integer codes of vm_labels, event_sources, space_names, op_names), plus row_key.
 */
export const ACCESS_CODES_VIEW = `CREATE VIEW access_codes AS
  SELECT ${KEY_TS_HOST_COLUMNS},
         tid,
         vm,
         CAST(NULLIF(cpus >> 16, 0) - 1 AS SMALLINT) AS vcpu,
         CAST(kind >> ${KIND_SOURCE_SHIFT} AS UTINYINT) AS source,
         CAST((kind >> ${KIND_SPACE_SHIFT}) & 15 AS UTINYINT) AS space,
         CAST(kind & 1 AS UTINYINT) AS op,
         addr,
         CAST(NULLIF((kind >> ${KIND_LEN_SHIFT}) & 511, 0) - 1 AS UTINYINT) AS len,
         value, pc, imm
  FROM access_rows`;

/**
 * The access_rows columns computed from a relation `src` with the code columns (import_id, seq,
 * ts_ns, host_cpu, tid, vm, vcpu, source, space, op, addr, len, value, pc, imm): for migrations
 * and for tests that write rows with SQL. The importer packs in TypeScript (access-packer.ts).
 */
export function packedSelect(src: string): string {
  return `SELECT (CAST(import_id AS BIGINT) << ${SEQ_BITS}) | CAST(seq AS BIGINT) AS row_key,
         ts_ns, tid, vm,
         coalesce(CAST(host_cpu AS UINTEGER) + 1, 0) | (coalesce(CAST(vcpu AS UINTEGER) + 1, 0) << 16) AS cpus,
         CAST(op AS UINTEGER) | (coalesce(CAST(len AS UINTEGER) + 1, 0) << ${KIND_LEN_SHIFT})
           | (CAST(space AS UINTEGER) << ${KIND_SPACE_SHIFT}) | (CAST(source AS UINTEGER) << ${KIND_SOURCE_SHIFT}) AS kind,
         addr, value, pc, imm
  FROM ${src}`;
}
