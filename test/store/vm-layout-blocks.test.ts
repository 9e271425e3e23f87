/**
 * Schema 7 stores each distinct GIC map of an import once (vm_layout_blocks) and each VM's map by
 * index (vms.layout_shape); the vm_blocks view gives the documented row per VM and block. Migration
 * 6 → 7 turns schema 6's vm_blocks table into that, giving each VM a map of its own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Database } from '../../src/store/database.ts';
import { ensureSchema, readSchemaVersion, SCHEMA_VERSION } from '../../src/store/schema.ts';
import { runCli } from '../cli/cli-helpers.ts';
import { makeVersion6Layouts } from './helpers/old-schemas.ts';

const root = mkdtempSync(join(tmpdir(), 'abitrace-layout-blocks-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const BLOCKS = 'SELECT import_id, vm, block, base, size, stride, source FROM vm_blocks ORDER BY import_id, vm, base, block';
const DECODED = `SELECT block, reg, count(*) AS n FROM accesses_decoded GROUP BY ALL ORDER BY ALL`;

describe('vm_layout_blocks and the vm_blocks view', () => {
  it('share one map between VMs of the same shape, and migrate from schema 6 row for row', async () => {
    const trace = join(root, 'host.trace');
    const db = join(root, 'm.duckdb');
    const gen = await runCli(['generate', '--profile', 'linux-gicv3:3,linux-gicv2:1', '--vms', '8', '--vcpus', '2',
      '--duration', '0.2', '--seed', '11', '-o', trace, '--quiet']);
    expect(gen.code).toBe(0);
    expect((await runCli(['import', trace, '--db', db, '--quiet'])).code).toBe(0);

    const d = await Database.open(db);
    try {
      const blocks = await d.readObjects(BLOCKS);
      const decoded = await d.readObjects(DECODED);
      const [c] = await d.readObjects<{ vms: bigint; shapes: bigint; rows: bigint; view: bigint }>(`SELECT
        (SELECT count(*) FROM vms) AS vms, (SELECT count(DISTINCT layout_shape) FROM vms) AS shapes,
        (SELECT count(*) FROM vm_layout_blocks) AS rows, (SELECT count(*) FROM vm_blocks) AS view`);
      expect(Number(c!.vms)).toBe(8);
      // GICv3 and GICv2 guests: fewer maps than VMs, and every VM has its blocks
      expect(Number(c!.shapes)).toBeGreaterThan(1);
      expect(Number(c!.shapes)).toBeLessThan(8);
      expect(Number(c!.rows)).toBeLessThan(Number(c!.view));
      expect(new Set(blocks.map((b) => b.vm)).size).toBe(8);
      expect(decoded.some((r) => r.reg === 'GICD_CTLR')).toBe(true);

      await makeVersion6Layouts(d);
      await d.run(`UPDATE meta SET value = '6' WHERE key = 'schema_version'`);
      expect((await d.readObjects(BLOCKS)).length).toBe(blocks.length); // the v6 table, before migrating
      await ensureSchema(d);
      expect(await readSchemaVersion(d)).toBe(SCHEMA_VERSION);
      expect(await d.readObjects(BLOCKS)).toEqual(blocks);
      expect(await d.readObjects(DECODED)).toEqual(decoded);
      const [m] = await d.readObjects<{ shapes: bigint; orders: bigint }>(`SELECT count(DISTINCT layout_shape) AS shapes,
        (SELECT count(*) FROM vm_layout_blocks l WHERE ord <> (SELECT count(*) FROM vm_layout_blocks e
          WHERE e.import_id = l.import_id AND e.shape = l.shape AND e.ord < l.ord)) AS orders FROM vms`);
      expect(Number(m!.shapes)).toBe(8); // a map of its own per migrated VM
      expect(Number(m!.orders)).toBe(0); // ord counts 0, 1, 2, … within each map
    } finally {
      d.close();
    }
    // forget removes an import's maps with it
    expect((await runCli(['forget', '1', '--db', db])).code).toBe(0);
    const after = await Database.open(db, { readOnly: true });
    try {
      const [n] = await after.readObjects<{ n: bigint }>('SELECT (SELECT count(*) FROM vm_layout_blocks) + (SELECT count(*) FROM vm_blocks) AS n');
      expect(Number(n!.n)).toBe(0);
    } finally {
      after.close();
    }
  });
});
