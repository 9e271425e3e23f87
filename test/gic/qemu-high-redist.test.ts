/**
 * QEMU virt with more than 123 vCPUs: the low redistributor region (0x080A0000, 0xF60000) holds
 * vCPUs 0–122, the high one (VIRT_HIGH_GIC_REDIST2 at 256 GiB) the rest. The redistributor index
 * runs on across regions (decode.ts, the SQL view, the replayer's page table), and GICR_TYPER.Last
 * ends each region (vgic.md §5, `vgic_mmio_vcpu_rdist_is_last`).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { VgicHarness } from '../../src/emulator/harness.ts';
import { makeShape } from '../../src/emulator/shape.ts';
import { catalogueStatements } from '../../src/gic/catalogue-sql.ts';
import { decodeAddress } from '../../src/gic/decode.ts';
import { resolveVmLayout } from '../../src/gic/layout.ts';
import { platformById } from '../../src/gic/platforms.ts';
import type { LayoutEvidence } from '../../src/ingest/types.ts';
import { VmBlocks } from '../../src/replay/vm-blocks.ts';
import { runCli } from '../cli/cli-helpers.ts';

const HIGH = 0x40_0000_0000;
const qemu = platformById('qemu-virt')!;
const dir = mkdtempSync(join(tmpdir(), 'abitrace-redist2-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function evidence(over: Partial<LayoutEvidence>): LayoutEvidence {
  return { vm: 0, pages: new Map(), regions: new Map(), idReads: [], v2Frames: new Map(), ...over };
}

describe('QEMU virt second redistributor region', () => {
  it('appears in the map beyond 123 vCPUs only, sized to the vCPUs above 122', () => {
    expect(qemu.blocks({ gicVersion: 3, nrVcpus: 123, its: true }).filter((b) => b.block === 'GICR')).toHaveLength(1);
    const gicr = qemu.blocks({ gicVersion: 3, nrVcpus: 130, its: true }).filter((b) => b.block === 'GICR');
    expect(gicr).toEqual([
      { block: 'GICR', base: 0x080a0000, size: 0xf60000, stride: 0x20000 },
      { block: 'GICR', base: HIGH, size: 7 * 0x20000, stride: 0x20000 },
    ]);
  });

  it('decodes redistributor indices across both regions, the same in TypeScript, SQL and the replayer', async () => {
    const blocks = qemu.blocks({ gicVersion: 3, nrVcpus: 130, its: true });
    const cases: Array<[number, number | null, string | null]> = [
      [0x080a0000 + 122 * 0x20000 + 0x8, 122, 'GICR_TYPER'],
      [HIGH + 0x8, 123, 'GICR_TYPER'],
      [HIGH + 6 * 0x20000 + 0x10080, 129, 'GICR_IGROUPR0'],
      [HIGH + 7 * 0x20000 + 0x8, null, null], // beyond the last vCPU
    ];
    for (const [gpa, redist, reg] of cases) {
      const d = decodeAddress(blocks, gpa);
      expect(d.redist, gpa.toString(16)).toBe(redist);
      expect(d.reg).toBe(reg);
    }
    const vb = new VmBlocks({ vm: 'v', vmm: 'qemu', platform: 'qemu-virt', gicVersion: 3, blocks, source: 'test' });
    for (const [gpa, redist] of cases) {
      const kind = vb.findLoHi(gpa % 2 ** 32, Math.floor(gpa / 2 ** 32));
      if (redist === null) expect(kind).toBe(-1);
      else expect(vb.redist).toBe(redist);
    }
    const inst = await DuckDBInstance.create(':memory:');
    const con = await inst.connect();
    const run = async (sql: string) => (await con.runAndReadAll(sql)).getRowObjects();
    await run(`CREATE TABLE accesses (import_id INTEGER, seq BIGINT, vm VARCHAR, space VARCHAR, op VARCHAR, addr UBIGINT, len UTINYINT, value UBIGINT)`);
    await run(`CREATE TABLE vm_blocks (import_id INTEGER, vm VARCHAR, block VARCHAR, base UBIGINT, size UBIGINT, stride UBIGINT, source VARCHAR)`);
    for (const s of catalogueStatements()) await run(s);
    await run(`INSERT INTO vm_blocks VALUES ${blocks.map((b) => `(1, 'v', '${b.block}', ${b.base}, ${b.size}, ${b.stride ?? 'NULL'}, 't')`).join(',')}`);
    await run(`INSERT INTO accesses VALUES ${cases.map(([gpa], i) => `(1, ${i}, 'v', 'mmio', 'R', ${gpa}, 4, 0)`).join(',')}`);
    const got = await run('SELECT redist, reg FROM accesses_decoded ORDER BY seq');
    con.closeSync();
    inst.closeSync();
    expect(got.map((r) => [r.redist, r.reg])).toEqual(cases.map(([, redist, reg]) => [redist, reg]));
  });

  it('GICR_TYPER.Last is set on the last redistributor of each region', () => {
    const shape = makeShape(3, 288, 130, true, undefined, [123, 7]);
    const g = new VgicHarness({ revision: '3', shape });
    const last = (cpu: number) => (g.read('GICR', 0x8, 8, cpu).value & 0x10) !== 0;
    expect([121, 122, 123, 128, 129].map(last)).toEqual([false, true, false, false, true]);
    // one region: only the last vCPU
    const one = new VgicHarness({ revision: '3', nrVcpus: 130 });
    expect((one.read('GICR', 0x8, 8, 122).value & 0x10) !== 0).toBe(false);
  });

  it('layouts take the vCPU count from high-region traffic, and not from GITS_TYPER at ITS + 8', () => {
    const high = evidence({ pages: new Map([[0x8000, 3], [(HIGH + 5 * 0x20000 + 0x10000) / 0x1000, 1]]) });
    const l = resolveVmLayout('v', high, 'qemu', 0, {});
    expect(l.blocks.filter((b) => b.block === 'GICR').map((b) => [b.base, b.size])).toEqual([[0x080a0000, 0xf60000], [HIGH, 6 * 0x20000]]);
    // GITS_TYPER (0x08080008) with bit 4 set and a large "processor number" is not a GICR_TYPER
    const its = evidence({ pages: new Map([[0x8000, 3]]), idReads: [
      { gpa: 0x0800ffe8, len: 4, value: 0x3b }, { gpa: 0x08080008, len: 8, value: 0x1ef71 }] });
    expect(resolveVmLayout('v', its, 'qemu', 2, {}).blocks.filter((b) => b.block === 'GICR')).toHaveLength(1);
  });

  it('a generated 130-vCPU QEMU boot imports without OTHER redistributor accesses and replays with no fidelity mismatch', async () => {
    const trace = join(dir, 'big.log');
    const db = join(dir, 'big.duckdb');
    expect((await runCli(['generate', '--profile', 'linux-gicv3', '--vcpus', '130', '--duration', '0.2', '--vmm', 'qemu', '-o', trace, '--quiet'])).code).toBe(0);
    expect((await runCli(['import', trace, '--db', db, '--quiet'])).code).toBe(0);
    const q = await runCli(['query', `SELECT max(redist) AS top, count(*) FILTER (WHERE redist >= 123) AS high,
      count(*) FILTER (WHERE block = 'OTHER' AND addr >= ${HIGH}) AS lost FROM accesses_decoded WHERE space = 'mmio'`, '--db', db, '--format', 'json']);
    expect(JSON.parse(q.stdout)).toEqual([{ top: 129, high: expect.any(String), lost: '0' }]);
    expect(Number((JSON.parse(q.stdout) as Array<{ high: string }>)[0]!.high)).toBeGreaterThan(0);
    const r = await runCli(['replay', '--db', db, '--format', 'json']);
    expect(r.code).not.toBe(2);
    const rep = JSON.parse(r.stdout) as unknown;
    const text = JSON.stringify(rep);
    expect(text).toMatch(/"vcpus":130\b/);
    expect(text).not.toMatch(/"mismatches":[1-9]/);
  });
});
