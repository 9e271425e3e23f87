/**
 * Databases as older abitrace versions wrote them, for migration tests: built from a fresh
 * database by swapping the tables whose shape changed back to their old form.
 */
import type { Database } from '../../../src/store/database.ts';
import { accessesView, ensureSchema, irqEventsView, IRQ_ROWS_V2_DDL } from '../../../src/store/schema.ts';

/** access_rows of schema versions 1 and 2: one column per field. */
const V2_ACCESS_ROWS = `CREATE TABLE access_rows (
  import_id INTEGER NOT NULL, seq BIGINT NOT NULL, ts_ns BIGINT, host_cpu SMALLINT, tid INTEGER NOT NULL,
  vm INTEGER NOT NULL, vcpu SMALLINT, source UTINYINT NOT NULL, space UTINYINT NOT NULL, op UTINYINT NOT NULL,
  addr UBIGINT, len UTINYINT, value UBIGINT, pc UBIGINT, imm UINTEGER)`;

/** Turns a fresh database into what schema version 2 wrote (empty). */
export async function makeVersion2(db: Database): Promise<void> {
  await ensureSchema(db);
  await makeVersion6Layouts(db);
  await db.run('DROP VIEW accesses');
  await db.run('DROP VIEW access_codes');
  await db.run('DROP TABLE access_rows');
  await db.run(V2_ACCESS_ROWS);
  await db.run(accessesView('access_rows'));
  await db.run('DROP VIEW irq_events');
  await db.run('DROP VIEW irq_codes');
  await db.run('DROP TABLE irq_rows');
  await db.run(IRQ_ROWS_V2_DDL);
  await db.run(irqEventsView('irq_rows'));
  await db.run(`UPDATE meta SET value = '2' WHERE key = 'schema_version'`);
}

/**
 * Turns the VM maps of a current database into what schema 6 (and every earlier one) stored: a
 * vm_blocks table of a row per VM and block, in VM and block order, and no vm_layout_blocks.
 */
export async function makeVersion6Layouts(db: Database): Promise<void> {
  await db.run(`CREATE TABLE vm_blocks_v6 AS
    SELECT v.import_id, v.vm, b.block, b.base, b.size, b.stride, b.source
    FROM vms v JOIN vm_layout_blocks b ON b.import_id = v.import_id AND b.shape = v.layout_shape
    ORDER BY v.rowid, b.ord`);
  await db.run('DROP VIEW vm_blocks');
  await db.run('ALTER TABLE vm_blocks_v6 RENAME TO vm_blocks');
  await db.run('DROP TABLE vm_layout_blocks');
  await db.run('ALTER TABLE vms DROP COLUMN layout_shape');
}
