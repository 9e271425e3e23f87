/**
 * Every rule pack on the real capture traces/qemu-virt-gicv3-linux6.1-smp2 (Debian 6.1 guest,
 * QEMU 7.2 TCG, QEMU's own GICv3 model, `memory_region_ops_*` log): the guest's real driver code
 * touches IGROUPR with 0xffffffff (no outcome change), reads QEMU's IIDR 0x43b (not a KVM value)
 * and GICR_CTLR = 0x2 (CES only, so no direct LPI invalidation). The log has no system-register
 * or hypercall events, so those packs must say "not observable", never "not touched".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../src/rules/check-run.ts';
import { runCli } from './helpers/cli.ts';
import { changeCounts, findingTuples, ImportedFixture } from './helpers/import-fixture.ts';

const REAL = new URL('../../traces/qemu-virt-gicv3-linux6.1-smp2/trace.log.gz', import.meta.url).pathname;
const NOT_KVM = 'not a KVM IIDR: ProductID 0x00, Implementer 0x43b, as QEMU\'s own GIC model reports';

let fixture: ImportedFixture;
let report: CheckReport;
beforeAll(async () => {
  fixture = await ImportedFixture.create([REAL]);
  report = await fixture.check();
});
afterAll(() => fixture.close());

describe('all rule packs on the real QEMU capture', () => {
  it('finds exactly the touches the capture README lists, and no outcome difference', () => {
    expect(findingTuples(report)).toEqual([
      ['iidr-read', 'trace.log', 0, 1, 10, `GICD_IIDR: read 0x43b ×1 (${NOT_KVM})`],
      ['iidr-read', 'trace.log', 0, 1, 2021, `GITS_IIDR: read 0x43b ×1 (${NOT_KVM})`],
      ['igroupr-access', 'trace.log', 0, 7, 35, 'GICD_IGROUPR1..7: 7 writes, 0xffffffff ×7'],
      ['igroupr-access', 'trace.log', 0, 1, 1889, 'GICR_IGROUPR0 (redistributor 0): 1 write, 0xffffffff ×1'],
      ['igroupr-access', 'trace.log', 1, 1, 2517, 'GICR_IGROUPR0 (redistributor 1): 1 write, 0xffffffff ×1'],
      ['gicr-ctlr-read', 'trace.log', 0, 7, 20, '7 GICR_CTLR read(s) (redistributor 0,1): 0x2 ×7 (IR=0 CES=1 EnableLPIs=0 RWP=0); '
        + 'IR never set: rev <= 2, a host < 5.19, or not a KVM vGIC'],
      ['gicr-ctlr-read', 'trace.log', 1, 4, 2562, '4 GICR_CTLR read(s) (redistributor 1): 0x2 ×4 (IR=0 CES=1 EnableLPIs=0 RWP=0); '
        + 'IR never set: rev <= 2, a host < 5.19, or not a KVM vGIC'],
      ['typer2-read', 'trace.log', 0, 1, 12, 'GICD_TYPER2: read 0x0 ×1 (nASSGIcap=0)'],
    ]);
    expect(report.findings.some((f) => f.level === 'outcome')).toBe(false);
    expect(report.exitCode).toBe(0);
  });

  it('summarises the GIC changes as touched and the sysreg/hypercall ones as not observable', () => {
    for (const c of ['vgic-iidr-rev1-rev2', 'vgic-iidr-rev2-rev3', 'vgic-iidr-read', 'vgic-nassgi']) {
      // VM counts only: the replay-joining outcome rules are not evaluated before `abitrace replay`
      expect(changeCounts(report, c), c).toEqual([1, 1, 0, 0, 0, 0, 0]);
    }
    for (const c of ['cache-geometry', 'psci-version', 'hypercall-bitmaps', 'new-traps-unchanged-values']) {
      expect(changeCounts(report, c), c).toEqual([1, 0, 0, 0, 0, 0, 1]);
    }
    const psci = report.changes.find((c) => c.change === 'psci-version')!;
    expect(psci.notes).toEqual(['1 VM(s) have no hypercalls (kvm_hvc_arm64 / SMC exits) in the trace: absence proves nothing for them']);
    const geometry = report.changes.find((c) => c.change === 'cache-geometry')!;
    expect(geometry.notes[0]).toMatch(/^absence proves nothing unless the host kernel is ≥ 6\.3/);
  });

  it('stores the run and its findings in the database', async () => {
    const runs = await fixture.db.readObjects<{ findings: bigint; exit_code: number; rules_evaluated: number }>(
      `SELECT findings, exit_code, rules_evaluated FROM check_runs WHERE run_id = ${report.runId}`);
    expect(runs).toEqual([{ findings: 8n, exit_code: 0, rules_evaluated: report.results.length - 6 }]);
    expect(report.results.filter((r) => r.status === 'not-evaluated').map((r) => r.rule.id).sort())
      .toEqual(['gicr-ctlr-replay-diverges', 'gicr-ctlr-replay-ignored', 'gicr-ctlr-replay-ir-unseen', 'gicr-ctlr-replay-unknown',
        'igroupr-replay-diverges', 'igroupr-replay-unknown']);
    const stored = await fixture.db.readObjects<{ n: bigint }>(`SELECT count(*) AS n FROM findings WHERE run_id = ${report.runId} AND vm = 'trace.log'`);
    expect(Number(stored[0]!.n)).toBe(8);
  });
});

describe('the real capture after `abitrace replay`', () => {
  it('IGROUPR never diverges between rev 1 and 2; GICR_CTLR reads differ between rev 2 and 3, an unknown outcome under QEMU\'s GIC (IR never seen)', async () => {
    const real = await ImportedFixture.create([REAL]);
    real.closeDb();
    try {
      expect((await runCli(['replay', '--db', real.dbPath])).code).toBe(1);
      const r = await runCli(['check', '--db', real.dbPath, '--change', 'vgic-iidr-rev1-rev2', '--change', 'vgic-iidr-rev2-rev3', '--format', 'json']);
      const doc = JSON.parse(r.stdout);
      expect(r.code).toBe(0);
      const outcome = doc.findings.filter((f: { level: string }) => f.level !== 'touch')
        .map((f: { rule: string; vcpu: number; count: number; example_seq: number; detail: string }) => [f.rule, f.vcpu, f.count, f.example_seq, f.detail]);
      expect(outcome).toEqual([['gicr-ctlr-replay-ir-unseen', 0, 11, 20, 'replay rev 2 vs rev 3: GICR_CTLR, 11 of 13 accesses diverge; '
        + 'first at line 20 (recorded 0x00000002): rev 2 reads 0x00000000, rev 3 reads 0x00000006; '
        + 'IR never read as set: whether the guest would use GICR_INVLPIR/SYNCR under rev 3 is not in the trace']]);
      const byChange = Object.fromEntries(doc.changes.map((c: { change: string; differs: number; outcome_evaluated: boolean }) =>
        [c.change, [c.differs, c.outcome_evaluated]]));
      expect(byChange).toEqual({ 'vgic-iidr-rev1-rev2': [0, true], 'vgic-iidr-rev2-rev3': [0, true] });
      expect(doc.changes.find((c: { change: string }) => c.change === 'vgic-iidr-rev2-rev3').unknown).toBe(1);
    } finally {
      real.close();
    }
  });
});
