/**
 * Rules that join the replay results (`requires: replay`): not evaluated before `abitrace replay`
 * (or when the replay did not compare the rule's revisions), then value-aware outcome findings:
 * the Zephyr secure build diverges between rev 1 and 2, Linux/FreeBSD (0xffffffff) does not.
 * Runs the real `abitrace replay` and `abitrace check` commands on imported fixture text.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';
import { ImportedFixture } from './helpers/import-fixture.ts';

let fixture: ImportedFixture | undefined;
afterEach(() => fixture?.close());

async function imported(...files: string[]): Promise<string> {
  fixture = await ImportedFixture.create(files);
  fixture.closeDb();
  return fixture.dbPath;
}

async function check(db: string, ...extra: string[]) {
  const r = await runCli(['check', '--db', db, '--change', 'vgic-iidr-rev1-rev2', '--change', 'vgic-iidr-rev2-rev3', '--format', 'json', ...extra]);
  return { code: r.code, doc: JSON.parse(r.stdout) };
}

const status = (doc: { rules: Array<{ rule: string; status: string; reason: string | null }> }, rule: string) =>
  doc.rules.find((r) => r.rule === rule)!;

describe('replay-joining rules', () => {
  it('are "not evaluated — run abitrace replay" until a replay compared their revisions', async () => {
    const db = await imported('vgic-iidr-rev1-rev2/zephyr-secure.trace');
    const before = await check(db);
    expect(status(before.doc, 'igroupr-replay-diverges')).toMatchObject({ status: 'not-evaluated',
      reason: 'not evaluated — run `abitrace replay` (no replay_runs, replay_verdicts table)' });
    const change = before.doc.changes.find((c: { change: string }) => c.change === 'vgic-iidr-rev1-rev2');
    expect(change.outcome_evaluated).toBe(false);
    expect(change.notes).toContain('igroupr-replay-diverges (outcome): not evaluated — run `abitrace replay` (no replay_runs, replay_verdicts table)');
    // the value-based rule still decides the exit code
    expect(before.code).toBe(1);

    expect((await runCli(['replay', '--db', db, '--revisions', '2,3'])).code).toBe(1); // replay exits 1 when something diverges
    const partial = await check(db);
    expect(status(partial.doc, 'igroupr-replay-diverges')).toMatchObject({ status: 'not-evaluated',
      reason: 'not evaluated — run `abitrace replay --revisions 1,2` (no replay compared revisions 1 and 2)' });
    expect(status(partial.doc, 'gicr-ctlr-replay-diverges').status).toBe('evaluated');
  });

  it('report divergence for a guest writing 0, none for 0xffffffff writers, unknown for a mid-life trace', async () => {
    const db = await imported('vgic-iidr-rev1-rev2/zephyr-secure.trace', 'vgic-iidr-rev1-rev2/linux-freebsd-edk2.trace');
    expect((await runCli(['replay', '--db', db])).code).toBe(1);
    const { doc } = await check(db);
    const replay = doc.findings.filter((f: { rule: string }) => f.rule.includes('replay'))
      .map((f: { rule: string; vm: string; import_id: number; count: number; example_seq: number; detail: string }) =>
        [f.rule, f.import_id, f.vm, f.count, f.example_seq, f.detail]);
    expect(replay).toEqual([
      ['igroupr-replay-diverges', 1, '6000', 3, 23, 'replay rev 1 vs rev 2: GICD_IGROUPR, 3 of 3 accesses diverge; first at line 23 '
        + '(W, recorded 0x00000000): rev 1 gives 0xffffffff, rev 2 gives 0x00000000; observed by read of GICD_IGROUPR at line 58'],
      ['igroupr-replay-diverges', 1, '6000', 1, 51, 'replay rev 1 vs rev 2: GICR_IGROUPR0, 1 of 1 accesses diverge; first at line 51 '
        + '(W, recorded 0x00000000): rev 1 gives 0xffffffff, rev 2 gives 0x00000000; latent: no later read or delivery in the trace showed it'],
      ['igroupr-replay-unknown', 2, '5400', 1, 149, 'replay rev 1 vs rev 2: GICR_IGROUPR0 outcome unknown for 1 of 1 accesses (state origin: unknown (trace starts mid-life))'],
      ['igroupr-replay-unknown', 2, '5400', 1, 152, 'replay rev 1 vs rev 2: GICD_IGROUPR outcome unknown for 1 of 1 accesses (state origin: unknown (trace starts mid-life))'],
      // GICR_CTLR read 0x6 under rev 3, and no GICR_INVLPIR/SYNCR afterwards: a touch, not an outcome (abi-changes.md §2)
      ['gicr-ctlr-replay-ignored', 1, '6000', 1, 45, 'replay rev 2 vs rev 3: GICR_CTLR, 1 of 1 accesses diverge; first at line 45 '
        + '(recorded 0x00000006): rev 2 reads 0x00000000, rev 3 reads 0x00000006; IR was set in the recorded reads and the guest never invalidated LPIs by MMIO: it ignores the difference'],
      ['gicr-ctlr-replay-ignored', 2, '4242', 2, 31, 'replay rev 2 vs rev 3: GICR_CTLR, 2 of 2 accesses diverge; first at line 31 '
        + '(recorded 0x00000006): rev 2 reads 0x00000000, rev 3 reads 0x00000006; IR was set in the recorded reads and the guest never invalidated LPIs by MMIO: it ignores the difference'],
    ]);
    const rev12 = doc.changes.find((c: { change: string }) => c.change === 'vgic-iidr-rev1-rev2');
    // 6000 differs; Linux 4242 and FreeBSD 5300 touched without divergence; EDK2 5400 unknown (trace starts mid-life)
    expect(rev12).toMatchObject({ vms: 4, touched: 4, differs: 1, unknown: 1, outcome_evaluated: true });
    expect(Object.fromEntries(rev12.vm_status.map((v: { vm: string; status: string }) => [v.vm, v.status])))
      .toEqual({ 6000: 'differs', 4242: 'touched', 5300: 'touched', 5400: 'unknown' });
  });

  it('GICR_CTLR: an outcome for a guest that acts on IR, a touch for one that saw IR and ignored it, unknown for one that never saw it', async () => {
    const db = await imported('vgic-iidr-rev2-rev3/linux-5.19-rev3.trace', 'vgic-iidr-rev2-rev3/linux-5.10-rev2.trace');
    await runCli(['replay', '--db', db, '--revisions', '2,3']);
    const { doc } = await check(db);
    const rules = doc.findings.filter((f: { rule: string }) => f.rule.startsWith('gicr-ctlr-replay'))
      .map((f: { rule: string; import_id: number; level: string }) => [f.rule, f.import_id, f.level]);
    expect(rules).toEqual([
      ['gicr-ctlr-replay-diverges', 1, 'outcome'], // Linux 5.19 on rev 3: uses GICR_INVLPIR
      ['gicr-ctlr-replay-ir-unseen', 2, 'unknown'], // Linux 5.10 on a rev-2 host: read IR = 0
    ]);
  });
});
