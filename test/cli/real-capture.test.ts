/**
 * The bundled real capture (QEMU log backend, GICv3, Linux 6.1, 2 vCPUs) through the real CLI:
 * import → SQL facts from traces/…/README.md → stats → duplicate / --force → convert, whose Arrow
 * output must equal the database rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAccessesArrow } from '../../src/arrow/read-accesses.ts';
import { OP_NAMES, SPACE_NAMES } from '../../src/model/codes.ts';
import { Database } from '../../src/store/database.ts';
import { REPO, runCli } from './cli-helpers.ts';

const TRACE = join(REPO, 'traces/qemu-virt-gicv3-linux6.1-smp2/trace.log.gz');
const dir = mkdtempSync(join(tmpdir(), 'abitrace-real-'));
const db = join(dir, 'real.duckdb');

async function queryJson(sql: string): Promise<Array<Record<string, unknown>>> {
  const r = await runCli(['query', sql, '--db', db, '--format', 'json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

let importOut = '';
beforeAll(async () => {
  const r = await runCli(['import', TRACE, '--db', db]);
  importOut = r.stdout;
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('real capture qemu-virt-gicv3-linux6.1-smp2', () => {
  it('import prints a per-file summary', () => {
    expect(importOut).toMatch(/^imported .*trace\.log\.gz as import 1: [\d,]+ accesses from 78,177 lines .*platform qemu-virt/);
  });

  it('holds the documented GIC programming sequence (by address)', async () => {
    const [r] = await queryJson(`
      SELECT
        count(*) FILTER (WHERE op = 'W' AND addr >= '0x8000084' AND addr < '0x80000a0') AS igroupr_writes,
        count(*) FILTER (WHERE op = 'W' AND addr >= '0x8000084' AND addr < '0x80000a0' AND value = '0xffffffff') AS igroupr_all_ones,
        list(addr ORDER BY addr) FILTER (WHERE op = 'W' AND addr IN ('0x80b0080', '0x80d0080')) AS igroupr0,
        list(value ORDER BY seq) FILTER (WHERE op = 'W' AND addr = '0x8000000') AS gicd_ctlr,
        count(*) FILTER (WHERE op = 'W' AND addr BETWEEN '0x8006000' AND '0x8007fff') AS irouter_writes
      FROM accesses`);
    expect(r).toEqual({
      igroupr_writes: '7', igroupr_all_ones: '7', igroupr0: ['0x80b0080', '0x80d0080'],
      gicd_ctlr: ['0x0', '0x13'], irouter_writes: '231',
    });
  });

  it('holds the same facts through accesses_decoded.reg', async () => {
    const [r] = await queryJson(`
      SELECT
        count(*) FILTER (WHERE op = 'W' AND reg = 'GICD_IGROUPR') AS igroupr,
        count(*) FILTER (WHERE op = 'W' AND reg = 'GICR_IGROUPR0') AS igroupr0,
        list(value ORDER BY seq) FILTER (WHERE op = 'W' AND reg = 'GICD_CTLR') AS ctlr,
        count(*) FILTER (WHERE op = 'W' AND reg = 'GICD_IROUTER') AS irouter
      FROM accesses_decoded`);
    expect(r).toEqual({ igroupr: '7', igroupr0: '2', ctlr: ['0x0', '0x13'], irouter: '231' });
  });

  it('accounts for every line: accesses + other_events + skipped = lines', async () => {
    const [r] = await queryJson(`SELECT lines, accesses, other_events, skipped, format,
      (SELECT count(*) FROM accesses) AS rows FROM imports`);
    expect(r!.lines).toBe('78177'); // BIGINT: a JSON string
    expect(Number(r!.accesses) + Number(r!.other_events) + Number(r!.skipped)).toBe(78177);
    expect(r!.rows).toBe(r!.accesses);
    expect(r!.format).toBe('qemu');
  });

  it('stats works, identical content is skipped, --force imports it again', async () => {
    const s = await runCli(['stats', '--db', db, '--format', 'json']);
    expect(s.code).toBe(0);
    expect(JSON.parse(s.stdout).imports).toHaveLength(1);
    const again = await runCli(['import', TRACE, '--db', db]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^skipped .*identical content .* already imported as import 1; use --force/);
    const forced = await runCli(['import', TRACE, '--db', db, '--force', '--quiet']);
    expect(forced.code).toBe(0);
    expect(forced.stdout).toBe('');
    const [r] = await queryJson(`SELECT count(*) AS n, count(DISTINCT sha256) AS shas FROM imports`);
    expect(r).toEqual({ n: '2', shas: '1' });
  });

  it('convert writes an Arrow file equal to the database rows', async () => {
    const out = join(dir, 'real.arrow');
    const c = await runCli(['convert', TRACE, '-o', out]);
    expect(c.stderr).toBe('');
    expect(c.code).toBe(0);
    const a = readAccessesArrow(out);
    const d = await Database.open(db, { readOnly: true });
    const { rows } = await d.runAndReadAll(
      `SELECT seq, ts_ns, host_cpu, tid, vm, vcpu, source, space, op, addr, len, value, pc, imm FROM accesses WHERE import_id = 1 ORDER BY seq`);
    d.close();
    expect(a.rows).toBe(rows.length);
    let i = 0;
    for (const b of a.batches) {
      for (let j = 0; j < b.length; j++, i++) {
        const got = [
          b.seq[j], b.isValid('ts_ns', j) ? b.ts_ns[j] : null, b.isValid('host_cpu', j) ? b.host_cpu[j] : null, b.tid[j],
          a.vms[b.vm[j]!], b.isValid('vcpu', j) ? b.vcpu[j] : null, a.sources[b.source[j]!], SPACE_NAMES[b.space[j]!],
          OP_NAMES[b.op[j]!], b.isValid('addr', j) ? b.addr[j] : null, b.isValid('len', j) ? b.len[j] : null,
          b.isValid('value', j) ? b.value[j] : null, b.isValid('pc', j) ? b.pc[j] : null, b.isValid('imm', j) ? b.imm[j] : null,
        ];
        const want = rows[i]!;
        if (got.some((g, k) => g !== want[k])) expect(got, `row ${i}`).toEqual(want);
      }
    }
    expect(i).toBe(rows.length);
  });
});
