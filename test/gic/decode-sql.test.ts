import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { catalogueStatements } from '../../src/gic/catalogue-sql.ts';
import { decodeAddress } from '../../src/gic/decode.ts';
import type { BlockRange } from '../../src/gic/layout.ts';
import { platformById } from '../../src/gic/platforms.ts';
import { sysregEncoding } from '../../src/model/codes.ts';

async function withDb<T>(fn: (run: (sql: string) => Promise<Record<string, unknown>[]>) => Promise<T>): Promise<T> {
  const inst = await DuckDBInstance.create(':memory:');
  const con = await inst.connect();
  const run = async (sql: string) => (await con.runAndReadAll(sql)).getRowObjects() as Record<string, unknown>[];
  try {
    return await fn(run);
  } finally {
    con.closeSync();
    inst.closeSync();
  }
}

const layouts: Record<string, BlockRange[]> = {
  v3: platformById('qemu-virt')!.blocks({ gicVersion: 3, nrVcpus: 4, its: true }),
  v2: platformById('qemu-virt')!.blocks({ gicVersion: 2, nrVcpus: 4, its: true }),
  fc: platformById('firecracker')!.blocks({ gicVersion: 3, nrVcpus: 3, its: true }),
};

/** Addresses around every register boundary plus a stride through each block. */
function sweep(blocks: BlockRange[]): number[] {
  const out = new Set<number>();
  for (const b of blocks) {
    for (let off = 0; off < Math.min(b.size, 0x40000); off += 0x1f4) out.add(b.base + off);
    for (const d of [0, 4, 0x80, 0x84, 0x7c, 0x400, 0x401, 0x403, 0xc04, 0xc08, 0x6000, 0x6100, 0x6104, 0x7ff8, 0xffe8, 0xfffc,
      0x10080, 0x10400, 0x1041c, 0x10c04, 0x20008, 0x30080, 0xf00, 0xf10, 0xf2c, 0x1000, 0x10040])
      if (d < b.size) out.add(b.base + d);
    out.add(b.base - 4);
    out.add(b.base + b.size);
  }
  return [...out];
}

describe('accesses_decoded agrees with decode.ts', () => {
  it('on a sweep of addresses in v3, v2 and Firecracker layouts', async () => {
    await withDb(async (run) => {
      await run(`CREATE TABLE accesses (import_id INTEGER, seq BIGINT, vm VARCHAR, space VARCHAR, op VARCHAR, addr UBIGINT, len UTINYINT, value UBIGINT)`);
      await run(`CREATE TABLE vm_blocks (import_id INTEGER, vm VARCHAR, block VARCHAR, base UBIGINT, size UBIGINT, stride UBIGINT, source VARCHAR)`);
      for (const s of catalogueStatements()) await run(s);
      const expected: Array<{ vm: string; seq: number; d: ReturnType<typeof decodeAddress> }> = [];
      let seq = 0;
      const values: string[] = [];
      for (const [vm, blocks] of Object.entries(layouts)) {
        for (const b of blocks) values.push(`(1, '${vm}', '${b.block}', ${b.base}, ${b.size}, ${b.stride ?? 'NULL'}, 'test')`);
        for (const gpa of sweep(blocks)) expected.push({ vm, seq: seq++, d: decodeAddress(blocks, gpa) });
      }
      await run(`INSERT INTO vm_blocks VALUES ${values.join(',')}`);
      const rows: string[] = [];
      seq = 0;
      for (const [vm, blocks] of Object.entries(layouts))
        for (const gpa of sweep(blocks)) rows.push(`(1, ${seq++}, '${vm}', 'mmio', 'R', ${gpa}, 4, 0)`);
      await run(`INSERT INTO accesses VALUES ${rows.join(',')}`);
      const got = await run(`SELECT seq, block, reg, "offset", redist, irq FROM accesses_decoded ORDER BY seq`);
      expect(got.length).toBe(expected.length);
      let named = 0;
      for (let i = 0; i < expected.length; i++) {
        const e = expected[i]!.d;
        const g = got[i]!;
        const want = { block: e.block, reg: e.reg, offset: e.offset, redist: e.redist, irq: e.irq };
        const have = {
          block: g.block, reg: g.reg ?? null, offset: g.offset === null ? null : Number(g.offset),
          redist: g.redist ?? null, irq: g.irq ?? null,
        };
        expect(have, `seq ${i}`).toEqual(want);
        if (e.reg) named++;
      }
      expect(named).toBeGreaterThan(100);
    });
  });

  it('names sysregs and SMCCC calls, generic names for unknown encodings', async () => {
    await withDb(async (run) => {
      await run(`CREATE TABLE accesses (import_id INTEGER, seq BIGINT, vm VARCHAR, space VARCHAR, op VARCHAR, addr UBIGINT, len UTINYINT, value UBIGINT)`);
      await run(`CREATE TABLE vm_blocks (import_id INTEGER, vm VARCHAR, block VARCHAR, base UBIGINT, size UBIGINT, stride UBIGINT, source VARCHAR)`);
      for (const s of catalogueStatements()) await run(s);
      const clidr = sysregEncoding(3, 1, 0, 0, 1);
      const weird = sysregEncoding(3, 5, 15, 2, 3);
      await run(`INSERT INTO accesses VALUES (1, 1, 'a', 'sysreg', 'R', ${clidr}, NULL, NULL), (1, 2, 'a', 'sysreg', 'W', ${weird}, NULL, NULL),
        (1, 3, 'a', 'hvc', 'W', ${0x84000000}, NULL, NULL), (1, 4, 'a', 'smc', 'W', ${0xc4000012}, NULL, NULL),
        (1, 5, 'a', 'hvc', 'W', ${0xc7000005}, NULL, NULL), (1, 6, 'a', 'mmio', 'R', 4096, 4, 0),
        (1, 7, 'a', 'hvc', 'W', ${BigInt('0xffffffff84000008')}, NULL, NULL), (1, 8, 'a', 'smc', 'W', ${BigInt('0x1c4000003')}, NULL, NULL),
        (1, 9, 'a', 'hvc', 'W', ${BigInt('0xffffffffc7000005')}, NULL, NULL)`); // x0's upper half is not the function id
      const got = await run(`SELECT block, reg FROM accesses_decoded ORDER BY seq`);
      expect(got).toEqual([
        { block: 'SYSREG', reg: 'CLIDR_EL1' },
        { block: 'SYSREG', reg: 'S3_5_C15_C2_3' },
        { block: 'HVC', reg: 'PSCI_VERSION' },
        { block: 'HVC', reg: 'PSCI_SYSTEM_RESET2_64' },
        { block: 'HVC', reg: 'SMCCC_64_OWNER7_0x5' },
        { block: 'OTHER', reg: null },
        { block: 'HVC', reg: 'PSCI_SYSTEM_OFF' },
        { block: 'HVC', reg: 'PSCI_CPU_ON64' },
        { block: 'HVC', reg: 'SMCCC_64_OWNER7_0x5' },
      ]);
    });
  });
});
