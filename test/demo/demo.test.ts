/**
 * The demo end to end on the bundled traces: its verdict must agree with what SQL over the same
 * database says, so the story cannot drift from the data.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo, type DemoResult } from '../../src/demo/run-demo.ts';
import { Database } from '../../src/store/database.ts';

const dir = mkdtempSync(join(tmpdir(), 'abitrace-demo-'));
const dbPath = join(dir, 'demo.duckdb');
let demo: DemoResult;
let text: string;

async function sql<T>(q: string): Promise<T[]> {
  const db = await Database.open(dbPath, { readOnly: true });
  try {
    return await db.readObjects<T>(q);
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  demo = await runDemo({ db: dbPath });
  text = demo.lines.join('\n');
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('abitrace demo on the bundled traces', () => {
  it('imports every bundled trace and says how many VMs and accesses it holds', async () => {
    const [row] = await sql<{ imports: bigint; vms: bigint; accesses: bigint }>(
      'SELECT (SELECT count(*) FROM imports) AS imports, (SELECT count(*) FROM vms) AS vms, (SELECT count(*) FROM accesses) AS accesses');
    expect(Number(row!.imports)).toBeGreaterThanOrEqual(4); // the real capture and the generated fleet, perf and trace-cmd traces
    expect(text).toContain(`Imported ${Number(row!.imports)} traces`);
    expect(text).toContain(`${Number(row!.vms)} VMs, ${Number(row!.accesses).toLocaleString('en-US')} guest register accesses`);
  });

  it('counts the VMs that touched IGROUPR exactly as SQL does', async () => {
    const [t] = await sql<{ n: bigint }>(
      `SELECT count(DISTINCT (import_id, vm)) AS n FROM accesses_decoded WHERE reg IN ('GICD_IGROUPR', 'GICR_IGROUPR0')`);
    expect(text).toMatch(new RegExp(`\\n   ${Number(t!.n)} of \\d+ VMs touched GICD_IGROUPR or GICR_IGROUPR0`));
  });

  it('names as diverging exactly the VMs that wrote a group-changing value to IGROUPR, and says how the guest sees it', async () => {
    const writers = await sql<{ vm: string }>(
      `SELECT DISTINCT vm FROM accesses_decoded WHERE reg IN ('GICD_IGROUPR', 'GICR_IGROUPR0') AND op = 'W'
         AND value <> 4294967295 AND NOT (reg = 'GICD_IGROUPR' AND "offset" = 128) ORDER BY vm`);
    expect(writers.length).toBeGreaterThan(0); // the fleet holds a zephyr-secure guest
    const named = [...text.matchAll(/^ {3}- vm (\S+) \(import \d+[^)]*\): \d+ IGROUPR accesses/gm)].map((m) => m[1]).sort();
    expect(named).toEqual(writers.map((w) => w.vm).sort());
    expect(text).toMatch(/is signalled as Group 1 \(IRQ\) under rev 1 but Group 0 \(FIQ\) under rev 2/);
  });

  it('reports the GICR_CTLR values of rev 2 and rev 3 and the VMs using direct LPI invalidation', async () => {
    expect(text).toMatch(/first read: rev 2 0x00000000, rev 3 0x00000006/);
    const [inv] = await sql<{ n: bigint }>(
      `SELECT count(DISTINCT (import_id, vm)) AS n FROM accesses_decoded WHERE reg IN ('GICR_INVLPIR', 'GICR_INVALLR', 'GICR_SYNCR')`);
    expect(text).toContain(`${Number(inv!.n)} VMs then invalidated LPIs through GICR_INVLPIR/GICR_SYNCR`);
  });

  it('summarises every ABI change of the rule packs and stores replay and check results for SQL', async () => {
    const changes = await sql<{ change: string }>('SELECT DISTINCT change FROM check_rules ORDER BY change');
    for (const c of changes) expect(text).toContain(`   - ${c.change}: `);
    const [r] = await sql<{ runs: bigint; verdicts: bigint }>(
      'SELECT (SELECT count(*) FROM replay_runs) AS runs, (SELECT count(*) FROM replay_verdicts) AS verdicts');
    expect(Number(r!.runs)).toBe(1);
    expect(Number(r!.verdicts)).toBeGreaterThan(0);
  });

  it('ends with commands to dig further that point at its database', () => {
    const dig = text.slice(text.indexOf('Dig further:'));
    expect(dig.split('\n').filter((l) => l.startsWith('  npx abitrace ')).length).toBeGreaterThanOrEqual(3);
    expect(dig).toContain('--explain');
  });
});
