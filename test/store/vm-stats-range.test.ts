/** The vms table's per-VM row stats, read a range of VM codes at a time at commit, are those of one read. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importFiles } from '../../src/importer/import-files.ts';
import { Database } from '../../src/store/database.ts';
import { generateText } from '../generate/helpers/generate.ts';

const dir = mkdtempSync(join(tmpdir(), 'abitrace-vmstats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function vmsOf(trace: string, name: string, vmStatsRange?: number) {
  const db = join(dir, `${name}.duckdb`);
  await importFiles([trace], { db, arrowCache: false, ...(vmStatsRange ? { vmStatsRange } : {}) });
  const d = await Database.open(db, { readOnly: true });
  try {
    const vms = await d.readObjects('SELECT vm, vmm, platform, gic_version, threads, accesses, first_ts_ns, last_ts_ns, layout_shape FROM vms ORDER BY vm');
    const counted = await d.readObjects<{ n: bigint }>('SELECT count(*) AS n FROM accesses');
    return { vms, rows: counted[0]!.n };
  } finally {
    d.close();
  }
}

describe('vms row stats by range', () => {
  it('are the same read 2 VMs at a time as all at once', async () => {
    const { text } = await generateText({ vms: 7, vcpus: 2, durationSec: 0.2, format: 'ftrace', profiles: [{ name: 'linux-gicv3-5.19+', weight: 1 }, { name: 'linux-gicv2', weight: 1 }] });
    const trace = join(dir, 'seven.trace');
    writeFileSync(trace, text, 'latin1');
    const all = await vmsOf(trace, 'all');
    const ranged = await vmsOf(trace, 'ranged', 2);
    expect(all.vms.length).toBe(7);
    expect(all.vms.reduce((a, v) => a + BigInt(v.accesses as bigint), 0n)).toBe(all.rows);
    expect(all.vms.every((v) => v.first_ts_ns !== null && v.last_ts_ns !== null)).toBe(true);
    expect(ranged.vms).toEqual(all.vms);
  });
});
