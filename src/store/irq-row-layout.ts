/**
 * How `irq_rows` packs a vgic_update_irq_pending event into 7 columns (schema version 3), and
 * the SQL that unpacks it; the same reasons and conventions as access-row-layout.ts (host traces
 * carry as many injections as MMIO accesses, so their append costs as much).
 *
 *   row_key  BIGINT    import_id << 40 | seq
 *   ts_ns    BIGINT    nullable
 *   tid      INTEGER
 *   vm       INTEGER   code (vm_labels)
 *   cpus     UINTEGER  host_cpu + 1 (0: NULL) | vcpu << 16 (the event's own VCPU field, a
 *                      16-bit two's complement: it may be negative)
 *   irq      INTEGER
 *   kind     USMALLINT level | source << 1
 */
import { KEY_TS_HOST_COLUMNS, SEQ_BITS } from './access-row-layout.ts';

export const IRQ_ROWS_DDL = `CREATE TABLE irq_rows (
  row_key BIGINT NOT NULL,
  ts_ns BIGINT,
  tid INTEGER NOT NULL,
  vm INTEGER NOT NULL,
  cpus UINTEGER NOT NULL,
  irq INTEGER NOT NULL,
  kind USMALLINT NOT NULL
)`;

/** `irq_codes`: irq_rows unpacked to the code columns (vm and source as codes), plus row_key. */
export const IRQ_CODES_VIEW = `CREATE VIEW irq_codes AS
  SELECT ${KEY_TS_HOST_COLUMNS},
         tid,
         vm,
         CAST(CAST(cpus >> 16 AS INTEGER) - CAST(cpus >> 31 AS INTEGER) * 65536 AS SMALLINT) AS vcpu,
         irq,
         (kind & 1) = 1 AS level,
         CAST(kind >> 1 AS UTINYINT) AS source
  FROM irq_rows`;

/**
 * The irq_rows columns computed from a relation `src` with the code columns (import_id, seq,
 * ts_ns, host_cpu, tid, vm, vcpu, irq, level, source): for migrations and tests.
 */
export function irqPackedSelect(src: string): string {
  return `SELECT (CAST(import_id AS BIGINT) << ${SEQ_BITS}) | CAST(seq AS BIGINT) AS row_key,
         ts_ns, tid, vm,
         coalesce(CAST(host_cpu AS UINTEGER) + 1, 0) | (CAST(CAST(vcpu AS INTEGER) & 65535 AS UINTEGER) << 16) AS cpus,
         irq,
         CAST(CAST(level AS INTEGER) | (CAST(source AS INTEGER) << 1) AS USMALLINT) AS kind
  FROM ${src}`;
}
