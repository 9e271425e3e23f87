/**
 * Databases as older abitrace versions wrote them, for migration tests: built from a fresh
 * database by swapping the tables whose shape changed back to their old form.
 */
import type { Database } from '../../../src/store/database.ts';
import { ensureSchema } from '../../../src/store/schema.ts';

/** access_rows and the accesses view of schema versions 1 and 2: one column per field. */
export const V2_ACCESS_ROWS = `CREATE TABLE access_rows (
  import_id INTEGER NOT NULL, seq BIGINT NOT NULL, ts_ns BIGINT, host_cpu SMALLINT, tid INTEGER NOT NULL,
  vm INTEGER NOT NULL, vcpu SMALLINT, source UTINYINT NOT NULL, space UTINYINT NOT NULL, op UTINYINT NOT NULL,
  addr UBIGINT, len UTINYINT, value UBIGINT, pc UBIGINT, imm UINTEGER)`;

const V2_ACCESSES = `CREATE VIEW accesses AS
    SELECT r.import_id, r.seq, r.ts_ns, r.host_cpu, r.tid, v.vm, r.vcpu, s.source, sp.space, o.op,
           r.addr, r.len, r.value, r.pc, r.imm
    FROM access_rows r
    LEFT JOIN vm_labels v ON v.import_id = r.import_id AND v.code = r.vm
    LEFT JOIN event_sources s ON s.import_id = r.import_id AND s.code = r.source
    LEFT JOIN space_names sp ON sp.code = r.space
    LEFT JOIN op_names o ON o.code = r.op`;

/** irq_rows and the irq_events view of schema version 2. */
export const V2_IRQ_ROWS = `CREATE TABLE irq_rows (
  import_id INTEGER NOT NULL, seq BIGINT NOT NULL, ts_ns BIGINT, host_cpu SMALLINT, tid INTEGER NOT NULL,
  vm INTEGER NOT NULL, vcpu SMALLINT NOT NULL, irq INTEGER NOT NULL, level BOOLEAN NOT NULL, source UTINYINT NOT NULL)`;

const V2_IRQ_EVENTS = `CREATE VIEW irq_events AS
    SELECT r.import_id, r.seq, r.ts_ns, r.host_cpu, r.tid, v.vm, r.vcpu, r.irq, r.level, s.source
    FROM irq_rows r
    LEFT JOIN vm_labels v ON v.import_id = r.import_id AND v.code = r.vm
    LEFT JOIN event_sources s ON s.import_id = r.import_id AND s.code = r.source`;

/** Turns a fresh database into what schema version 2 wrote (empty). */
export async function makeVersion2(db: Database): Promise<void> {
  await ensureSchema(db);
  await db.run('DROP VIEW accesses');
  await db.run('DROP VIEW access_codes');
  await db.run('DROP TABLE access_rows');
  await db.run(V2_ACCESS_ROWS);
  await db.run(V2_ACCESSES);
  await db.run('DROP VIEW irq_events');
  await db.run('DROP VIEW irq_codes');
  await db.run('DROP TABLE irq_rows');
  await db.run(V2_IRQ_ROWS);
  await db.run(V2_IRQ_EVENTS);
  await db.run(`UPDATE meta SET value = '2' WHERE key = 'schema_version'`);
}
