/**
 * The database schema: base tables written by the importer, the `accesses` view that exposes
 * names for the hot-path codes, and the version check. README.md documents every table; keep the
 * two in step. Counts are BIGINT (not UBIGINT) so the output rule "UBIGINT = address or value,
 * printed in hex" never catches them.
 */
import { AbitraceError, E } from '../errors.ts';
import { createHash } from 'node:crypto';
import { catalogueStatements } from '../gic/catalogue-sql.ts';
import { OP_NAMES, SPACE_NAMES } from '../model/codes.ts';
import type { Database } from './database.ts';
import { ACCESS_CODES_VIEW, ACCESS_ROWS_DDL, packedSelect, SEQ_BITS } from './access-row-layout.ts';
import { IRQ_CODES_VIEW, IRQ_ROWS_DDL, irqPackedSelect } from './irq-row-layout.ts';

/** Bump when a base table changes shape; add a migration to MIGRATIONS when one is possible. */
export const SCHEMA_VERSION = 7;

/**
 * irq_rows as schema version 2 had it (one column per field): what migration 1 → 2 creates and
 * migration 2 → 3 packs. History: never change it.
 */
export const IRQ_ROWS_V2_DDL = `CREATE TABLE irq_rows (
  import_id INTEGER NOT NULL, seq BIGINT NOT NULL, ts_ns BIGINT, host_cpu SMALLINT, tid INTEGER NOT NULL,
  vm INTEGER NOT NULL, vcpu SMALLINT NOT NULL, irq INTEGER NOT NULL, level BOOLEAN NOT NULL, source UTINYINT NOT NULL
)`;

/**
 * The documented accesses columns over `codes` (access_codes; access_rows itself in versions 1
 * and 2) with the names joined back (README "Schema"). A tid of -1 (NO_TID: the trace names no
 * thread) is NULL; the code tables keep it NOT NULL, as the packed hot path writes it.
 */
export const accessesView = (codes: string) => `CREATE VIEW accesses AS
    SELECT r.import_id, r.seq, r.ts_ns, r.host_cpu, NULLIF(r.tid, -1) AS tid, v.vm, r.vcpu, s.source, sp.space, o.op,
           r.addr, r.len, r.value, r.pc, r.imm
    FROM ${codes} r
    LEFT JOIN vm_labels v ON v.import_id = r.import_id AND v.code = r.vm
    LEFT JOIN event_sources s ON s.import_id = r.import_id AND s.code = r.source
    LEFT JOIN space_names sp ON sp.code = r.space
    LEFT JOIN op_names o ON o.code = r.op`;

/** The documented irq_events columns over `codes` (irq_codes; irq_rows itself in version 2) (README "Other tables"). */
export const irqEventsView = (codes: string) => `CREATE VIEW irq_events AS
    SELECT r.import_id, r.seq, r.ts_ns, r.host_cpu, NULLIF(r.tid, -1) AS tid, v.vm, r.vcpu, r.irq, r.level, s.source
    FROM ${codes} r
    LEFT JOIN vm_labels v ON v.import_id = r.import_id AND v.code = r.vm
    LEFT JOIN event_sources s ON s.import_id = r.import_id AND s.code = r.source`;

const sqlList = (names: readonly string[]) => names.map((n, i) => `(${i}, '${n}')`).join(', ');

/**
 * The GIC maps of an import's VMs, one set of rows per distinct map ("shape"): the VMs of a host
 * trace share a handful, and a million VMs stored six million rows. `vms.layout_shape` names
 * each VM's; `vm_blocks` is the documented row per VM and block.
 */
const VM_LAYOUT_BLOCKS_DDL = `CREATE TABLE vm_layout_blocks (import_id INTEGER, shape INTEGER, ord INTEGER, block VARCHAR,
    base UBIGINT, size UBIGINT, stride UBIGINT, source VARCHAR)`;
const VM_BLOCKS_VIEW = `CREATE VIEW vm_blocks AS
    SELECT v.import_id, v.vm, b.block, b.base, b.size, b.stride, b.source
    FROM vms v JOIN vm_layout_blocks b ON b.import_id = v.import_id AND b.shape = v.layout_shape`;

const BASE_TABLES = [
  `CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)`,
  `CREATE TABLE imports (
    import_id INTEGER PRIMARY KEY, path VARCHAR, format VARCHAR, variant VARCHAR,
    sha256 VARCHAR, head_sha256 VARCHAR, bytes BIGINT, decompressed_bytes BIGINT,
    lines BIGINT, accesses BIGINT, irq_events BIGINT, other_events BIGINT, skipped BIGINT,
    lost_events BIGINT, lost_markers BIGINT, issues BIGINT,
    started_at TIMESTAMP, finished_at TIMESTAMP, platform VARCHAR, vmm VARCHAR,
    arrow_path VARCHAR, -- the cache file's name inside <db>.arrow/ (arrow-cache.ts); NULL: none written
    id INTEGER -- = import_id, under the name the issue's schema gives it; last, as migration 4 adds it
  )`,
  `CREATE TABLE import_issues (import_id INTEGER, kind VARCHAR, severity VARCHAR, count BIGINT,
    samples STRUCT(line BIGINT, text VARCHAR)[])`,
  `CREATE TABLE import_events (import_id INTEGER, event VARCHAR, count BIGINT)`,
  `CREATE TABLE lost_events (import_id INTEGER, line BIGINT, host_cpu SMALLINT, count BIGINT,
    ts_before_ns BIGINT, ts_after_ns BIGINT)`,
  `CREATE TABLE vms (import_id INTEGER, vm VARCHAR, vmm VARCHAR, platform VARCHAR, gic_version TINYINT,
    threads INTEGER, accesses BIGINT, first_ts_ns BIGINT, last_ts_ns BIGINT, layout_source VARCHAR,
    layout_shape INTEGER)`,
  VM_LAYOUT_BLOCKS_DDL,
  VM_BLOCKS_VIEW,
  // Per-import dictionaries for the access_rows codes.
  `CREATE TABLE vm_labels (import_id INTEGER, code INTEGER, vm VARCHAR)`,
  `CREATE TABLE event_sources (import_id INTEGER, code UTINYINT, source VARCHAR)`,
  // Fixed dictionaries (src/model/codes.ts).
  `CREATE TABLE space_names (code UTINYINT PRIMARY KEY, space VARCHAR)`,
  `INSERT INTO space_names VALUES ${sqlList(SPACE_NAMES)}`,
  `CREATE TABLE op_names (code UTINYINT PRIMARY KEY, op VARCHAR)`,
  `INSERT INTO op_names VALUES ${sqlList(OP_NAMES)}`,
  ACCESS_ROWS_DDL,
  ACCESS_CODES_VIEW,
  accessesView('access_codes'),
  IRQ_ROWS_DDL,
  IRQ_CODES_VIEW,
  irqEventsView('irq_codes'),
];

/** Statements that upgrade version N to N+1, keyed by N. */
const MIGRATIONS: Record<number, string[]> = {
  // 1 → 2: irq_events (names per row, appended row by row) becomes irq_rows (codes) + a view.
  // Names come back to codes through the import's own dictionaries; a name the writer could not
  // find there was stored as its code's digits.
  1: [
    IRQ_ROWS_V2_DDL,
    `INSERT INTO irq_rows
      SELECT e.import_id, e.seq, e.ts_ns, e.host_cpu, e.tid, coalesce(v.code, TRY_CAST(e.vm AS INTEGER), -1),
             coalesce(e.vcpu, 0), e.irq, coalesce(e.level, false), coalesce(s.code, TRY_CAST(e.source AS UTINYINT), 255)
      FROM irq_events e
      LEFT JOIN vm_labels v ON v.import_id = e.import_id AND v.vm = e.vm
      LEFT JOIN event_sources s ON s.import_id = e.import_id AND s.source = e.source`,
    'DROP TABLE irq_events',
    irqEventsView('irq_rows'),
  ],
  // 2 → 3: access_rows' 15 columns are packed into 10 (access-row-layout.ts) and irq_rows' 10
  // into 7 (irq-row-layout.ts); `access_codes` and `irq_codes` unpack them, `accesses` and
  // `irq_events` read through those. Views are bound when queried, so the ones over `accesses`
  // (the register catalogue's) keep working.
  2: [
    'DROP VIEW IF EXISTS accesses',
    'ALTER TABLE access_rows RENAME TO access_rows_v2',
    ACCESS_ROWS_DDL,
    `INSERT INTO access_rows ${packedSelect('(SELECT * FROM access_rows_v2 ORDER BY import_id, seq)')}`,
    'DROP TABLE access_rows_v2',
    ACCESS_CODES_VIEW,
    accessesView('access_codes'),
    'DROP VIEW IF EXISTS irq_events',
    'ALTER TABLE irq_rows RENAME TO irq_rows_v2',
    IRQ_ROWS_DDL,
    `INSERT INTO irq_rows ${irqPackedSelect('(SELECT * FROM irq_rows_v2 ORDER BY import_id, seq)')}`,
    'DROP TABLE irq_rows_v2',
    IRQ_CODES_VIEW,
    irqEventsView('irq_codes'),
  ],
  // 3 → 4: rows of QEMU logs without a `<tid>@` prefix stored tid 0; they store NO_TID (-1) now,
  // which the views show as NULL (no thread has tid 0: it is the idle task, never a vCPU).
  3: [
    `UPDATE access_rows SET tid = -1 WHERE tid = 0
       AND (row_key >> ${SEQ_BITS}) IN (SELECT import_id FROM imports WHERE format = 'qemu')`,
    'DROP VIEW IF EXISTS accesses',
    accessesView('access_codes'),
    'DROP VIEW IF EXISTS irq_events',
    irqEventsView('irq_codes'),
  ],
  // 4 → 5: imports gains `id` (= import_id), the name the documented schema uses.
  4: [
    'ALTER TABLE imports ADD COLUMN IF NOT EXISTS id INTEGER',
    'UPDATE imports SET id = import_id',
  ],
  // 5 → 6: arrow_path held the absolute path of the file when it was written, so a copy of the
  // database named (and `forget` deleted) the original's file; now only its name inside
  // <db>.arrow/, which is where the file is looked up (arrow-cache.ts) whatever was stored.
  5: [
    `UPDATE imports SET arrow_path = CAST(import_id AS VARCHAR) || '.arrow' WHERE arrow_path IS NOT NULL`,
  ],
  // 6 → 7: vm_blocks (a row per VM and block) becomes vm_layout_blocks (a row per map and block)
  // + vms.layout_shape + a view of the same name and columns. Each migrated VM gets a map of its own.
  6: [
    'ALTER TABLE vms ADD COLUMN layout_shape INTEGER',
    VM_LAYOUT_BLOCKS_DDL,
    `CREATE TEMP TABLE vm_shape_map AS
       SELECT import_id, vm, CAST(row_number() OVER (PARTITION BY import_id ORDER BY vm) - 1 AS INTEGER) AS shape
       FROM (SELECT DISTINCT import_id, vm FROM vm_blocks)`,
    `INSERT INTO vm_layout_blocks
       SELECT b.import_id, m.shape, CAST(row_number() OVER (PARTITION BY b.import_id, b.vm ORDER BY b.rowid) - 1 AS INTEGER),
              b.block, b.base, b.size, b.stride, b.source
       FROM vm_blocks b JOIN vm_shape_map m ON m.import_id = b.import_id AND m.vm = b.vm
       ORDER BY b.rowid`,
    `UPDATE vms SET layout_shape = m.shape FROM vm_shape_map m WHERE vms.import_id = m.import_id AND vms.vm = m.vm`,
    'DROP TABLE vm_blocks',
    'DROP TABLE vm_shape_map',
    VM_BLOCKS_VIEW,
  ],
};

/** The schema version recorded in the database, or null when it has no `meta` table. */
export async function readSchemaVersion(db: Database): Promise<number | null> {
  const t = await db.readObjects<{ n: bigint }>(
    `SELECT count(*) AS n FROM duckdb_tables() WHERE database_name = current_database() AND table_name = 'meta'`);
  if (Number(t[0]?.n ?? 0) === 0) return null;
  const v = await db.readObjects<{ value: string }>(`SELECT value FROM meta WHERE key = 'schema_version'`);
  return v[0] ? Number(v[0].value) : null;
}

async function userTableCount(db: Database): Promise<number> {
  const r = await db.readObjects<{ n: bigint }>(
    `SELECT count(*) AS n FROM duckdb_tables() WHERE database_name = current_database() AND NOT temporary`);
  return Number(r[0]?.n ?? 0);
}

/**
 * Read-write open: creates the schema in an empty database, migrates an older one, refuses a
 * newer or foreign one (E_DB_SCHEMA), then (re)creates the register catalogue so it matches
 * this build of abitrace.
 */
export async function ensureSchema(db: Database): Promise<void> {
  const found = await readSchemaVersion(db);
  let version: number = found ?? SCHEMA_VERSION;
  if (found === null) {
    if ((await userTableCount(db)) > 0) {
      throw new AbitraceError(E.DB_SCHEMA, `${db.path} is a DuckDB database but not an abitrace one (no meta table); use another --db`);
    }
    await db.transaction(async () => {
      for (const s of BASE_TABLES) await db.run(s);
      await db.run(`INSERT INTO meta VALUES ('schema_version', '${SCHEMA_VERSION}')`);
      await db.run(`INSERT INTO meta VALUES ('created_by', 'abitrace')`);
    });
  }
  const before = version;
  version = await migrate(db, version);
  checkVersion(db, version);
  // The catalogue tables and decode views are rebuilt only when the statements that make them
  // changed (a new abitrace version): rebuilding costs ~60 ms, which every read-write open paid.
  const statements = catalogueStatements();
  const digest = createHash('sha256').update(statements.join('\0')).digest('hex');
  const have = await db.readObjects<{ digest: string | null; objects: bigint }>(
    `SELECT (SELECT value FROM meta WHERE key = 'catalogue_sha256') AS digest,
            (SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database()
               AND table_name IN ('registers', 'register_offsets', 'sysreg_names', 'smccc_functions'))
          + (SELECT count(*) FROM duckdb_views() WHERE database_name = current_database()
               AND view_name IN ('vm_block_frames', 'accesses_decoded')) AS objects`);
  // ... and whenever a migration ran or a catalogue object is missing (dropped by hand)
  if (version === before && have[0]?.digest === digest && Number(have[0].objects) === 6) return;
  await db.transaction(async () => {
    for (const s of statements) await db.run(s);
    await db.run(`INSERT OR REPLACE INTO meta VALUES ('catalogue_sha256', '${digest}')`);
  });
}

/** Applies the migrations from `version` on, each in its own transaction; returns the version reached. */
async function migrate(db: Database, version: number): Promise<number> {
  while (version < SCHEMA_VERSION) {
    const steps = MIGRATIONS[version];
    if (!steps) break;
    const from: number = version;
    await db.transaction(async () => {
      for (const s of steps) await db.run(s);
      await db.run(`UPDATE meta SET value = '${from + 1}' WHERE key = 'schema_version'`);
    });
    version = from + 1;
  }
  return version;
}

/**
 * Read-write open of an existing abitrace database (commands that add results, e.g. `replay`):
 * migrates an older one; refuses a newer, unmigratable or foreign one (E_DB_SCHEMA).
 */
export async function upgradeSchema(db: Database): Promise<void> {
  const found = await readSchemaVersion(db);
  if (found === null) {
    throw new AbitraceError(E.DB_SCHEMA, `${db.path} is not an abitrace database (no meta table); import a trace into it first`);
  }
  checkVersion(db, await migrate(db, found));
}

/** Read-only open: the version must match exactly (nothing can be migrated). */
export async function checkSchema(db: Database): Promise<void> {
  const version = await readSchemaVersion(db);
  if (version === null) {
    throw new AbitraceError(E.DB_SCHEMA, `${db.path} is not an abitrace database (no meta table); import a trace into it first`);
  }
  if (version < SCHEMA_VERSION && migratable(version)) {
    throw new AbitraceError(E.DB_SCHEMA,
      `${db.path} has schema version ${version}, older than this abitrace (${SCHEMA_VERSION}); opening it for writing `
      + `(\`abitrace import\`, or \`abitrace replay\` storing its results) upgrades it in place`);
  }
  checkVersion(db, version);
}

/** Whether MIGRATIONS lead from `version` up to SCHEMA_VERSION. */
function migratable(version: number): boolean {
  for (let v = version; v < SCHEMA_VERSION; v++) if (!MIGRATIONS[v]) return false;
  return true;
}

function checkVersion(db: Database, version: number): void {
  if (version > SCHEMA_VERSION) {
    throw new AbitraceError(E.DB_SCHEMA,
      `${db.path} has schema version ${version}, newer than this abitrace (${SCHEMA_VERSION}); upgrade abitrace`);
  }
  if (version < SCHEMA_VERSION) {
    throw new AbitraceError(E.DB_SCHEMA,
      `${db.path} has schema version ${version}, older than this abitrace (${SCHEMA_VERSION}) and no migration exists; re-import the traces into a new --db`);
  }
}

/**
 * `query`'s check: refuses a DuckDB file that is not an abitrace database and one written by a
 * newer abitrace (E_DB_SCHEMA). An older one is read as it is (its views still answer); with
 * `write` it is upgraded first, as every read-write open does.
 */
export async function checkQueryable(db: Database, write: boolean): Promise<void> {
  const version = await readSchemaVersion(db);
  if (version === null) {
    throw new AbitraceError(E.DB_SCHEMA, `${db.path} is not an abitrace database (no meta table); query one that \`abitrace import\` wrote`);
  }
  if (version > SCHEMA_VERSION) checkVersion(db, version);
  if (write && version < SCHEMA_VERSION) await upgradeSchema(db);
}
