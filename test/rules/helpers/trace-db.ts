/**
 * A real abitrace database (the store's own schema and catalogue) filled from small row lists:
 * for unit tests of the rule engine and the coverage summary where a trace text would only
 * obscure the case under test (lost-event windows, missing tables, odd rule files). Rule-pack
 * fixture tests import real trace text through the importer instead (see import-fixture.ts).
 */
import { packedSelect } from '../../../src/store/access-row-layout.ts';
import { Database } from '../../../src/store/database.ts';
import { ensureSchema } from '../../../src/store/schema.ts';
import { OP_NAMES, SPACE_NAMES, type OpName, type SpaceName } from '../../../src/model/codes.ts';

export interface Row {
  seq: number;
  ts_ns?: bigint | number | null;
  host_cpu?: number | null;
  tid?: number;
  vm: string;
  vcpu?: number | null;
  source?: string;
  space: SpaceName;
  op: OpName;
  addr?: bigint | number | null;
  len?: number | null;
  value?: bigint | number | null;
  pc?: bigint | number | null;
  imm?: number | null;
}

const lit = (v: bigint | number | string | null | undefined): string =>
  v === null || v === undefined ? 'NULL' : typeof v === 'string' ? `'${v.replaceAll("'", "''")}'` : String(v);

export class TraceDb {
  private constructor(readonly db: Database) {}

  static async create(): Promise<TraceDb> {
    const db = await Database.open(':memory:');
    await ensureSchema(db);
    return new TraceDb(db);
  }

  /** One `imports` row; returns its id. */
  async addImport(importId: number, path = `trace-${importId}.log`): Promise<number> {
    await this.db.run(`INSERT INTO imports (import_id, path, format) VALUES (${importId}, ${lit(path)}, 'ftrace')`);
    return importId;
  }

  /** A VM row plus the QEMU virt GICv3 (or v2) frame map in vm_blocks. */
  async addVm(importId: number, vm: string, opts: { gic?: 2 | 3 | null; first?: bigint | number | null; last?: bigint | number | null } = {}): Promise<void> {
    const gic = opts.gic === undefined ? 3 : opts.gic;
    // a map of its own per VM (the importer shares one between VMs of the same map)
    const [{ shape }] = await this.db.readObjects<{ shape: number }>(
      `SELECT CAST(coalesce(max(shape), -1) + 1 AS INTEGER) AS shape FROM vm_layout_blocks WHERE import_id = ${importId}`) as [{ shape: number }];
    await this.db.run(`INSERT INTO vms (import_id, vm, gic_version, first_ts_ns, last_ts_ns, layout_shape)
      VALUES (${importId}, ${lit(vm)}, ${lit(gic)}, ${lit(opts.first)}, ${lit(opts.last)}, ${shape})`);
    const blocks = gic === 2
      ? [['GICD', 0x08000000, 0x1000, null], ['GICC', 0x08010000, 0x2000, null]]
      : [['GICD', 0x08000000, 0x10000, null], ['GITS', 0x08080000, 0x20000, null], ['GICR', 0x080a0000, 0xf60000, 0x20000]];
    let ord = 0;
    for (const [block, base, size, stride] of blocks) {
      await this.db.run(`INSERT INTO vm_layout_blocks VALUES (${importId}, ${shape}, ${ord++}, ${lit(block)}, ${base}, ${size}, ${lit(stride)}, 'test')`);
    }
  }

  async addLost(importId: number, line: number, hostCpu: number | null, before: number | bigint | null, after: number | bigint | null, count: number | null = 10): Promise<void> {
    await this.db.run(`INSERT INTO lost_events VALUES (${importId}, ${line}, ${lit(hostCpu)}, ${lit(count)}, ${lit(before)}, ${lit(after)})`);
  }

  /** Access rows, with the per-import dictionaries the `accesses` view joins. */
  async addAccesses(importId: number, rows: readonly Row[]): Promise<void> {
    const vms = await this.codes(importId, 'vm_labels', 'vm', rows.map((r) => r.vm));
    const sources = await this.codes(importId, 'event_sources', 'source', rows.map((r) => r.source ?? defaultSource(r.space)));
    const values = rows.map((r) => `(${importId}, ${r.seq}, ${lit(r.ts_ns)}, ${lit(r.host_cpu)}, ${r.tid ?? 4251}, ${vms.get(r.vm)},
      ${lit(r.vcpu)}, ${sources.get(r.source ?? defaultSource(r.space))}, ${SPACE_NAMES.indexOf(r.space)}, ${OP_NAMES.indexOf(r.op)},
      ${lit(r.addr)}, ${lit(r.len)}, ${lit(r.value)}, ${lit(r.pc)}, ${lit(r.imm)})`);
    if (values.length > 0) {
      await this.db.run(`INSERT INTO access_rows ${packedSelect(`(VALUES ${values.join(',\n')})
        v(import_id, seq, ts_ns, host_cpu, tid, vm, vcpu, source, space, op, addr, len, value, pc, imm)`)}`);
    }
  }

  private async codes(importId: number, table: string, column: string, names: string[]): Promise<Map<string, number>> {
    const existing = await this.db.readObjects<{ code: number; name: string }>(
      `SELECT code, ${column} AS name FROM ${table} WHERE import_id = ${importId}`);
    const map = new Map(existing.map((e) => [e.name, Number(e.code)]));
    for (const n of new Set(names)) {
      if (map.has(n)) continue;
      map.set(n, map.size);
      await this.db.run(`INSERT INTO ${table} VALUES (${importId}, ${map.size - 1}, ${lit(n)})`);
    }
    return map;
  }

  close(): void {
    this.db.close();
  }
}

function defaultSource(space: SpaceName): string {
  return space === 'mmio' ? 'kvm_mmio' : space === 'sysreg' ? 'kvm_sys_access' : space === 'hvc' ? 'kvm_hvc_arm64' : 'kvm_exit';
}

/** sys_reg(op0, op1, crn, crm, op2) as abitrace stores it in `addr`. */
export { sysregEncoding } from '../../../src/model/codes.ts';
