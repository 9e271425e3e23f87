/**
 * The rule packs on synthetic fleets from `abitrace generate` (src/generate, profiles built from
 * guests.md): many guests, VMMs and GIC layouts in one trace, and lost events. What a rule
 * decides for each VM must follow from the guest profile alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CheckReport } from '../../src/rules/check-run.ts';
import { runCli } from './helpers/cli.ts';
import { ImportedFixture } from './helpers/import-fixture.ts';

const FLEET = new URL('../../traces/generated/fleet-12vm.ftrace.txt.gz', import.meta.url).pathname;

/** VMs per status for one change, each list sorted. */
function statuses(report: CheckReport, change: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const v of report.changes.find((c) => c.change === change)!.vm_status) (out[v.status] ??= []).push(v.vm);
  for (const k of Object.keys(out)) out[k]!.sort();
  return out;
}

describe('the bundled 12-VM fleet (QEMU, Firecracker, Cloud Hypervisor, kvmtool; GICv3 and GICv2)', () => {
  it('only the Zephyr secure guest differs on IGROUPR; only 5.19+ Linux guests depend on rev 3', async () => {
    const f = await ImportedFixture.create([FLEET]);
    try {
      const report = await f.check([], { hostKernel: '6.6' });
      const linux519 = ['12730', '18144', '2203', '27559', '30529', '9971'];
      expect(statuses(report, 'vgic-iidr-rev1-rev2')).toEqual({
        differs: ['16105'], // zephyr-secure writes 0
        touched: ['12730', '15454', '18144', '2203', '22115', '27559', '30529', '4557', '9971'], // Linux, FreeBSD, EDK2: 0xffffffff
        'unseen-full-coverage': ['23717', '7415'], // linux-gicv2 never touches IGROUPR
      });
      expect(statuses(report, 'vgic-iidr-rev2-rev3').differs).toEqual(linux519);
      expect(report.findings.filter((f) => f.severity === 'error').map((f) => [f.rule, f.vm, f.vcpu]))
        .toEqual([['igroupr-write-changes-group', '16105', 0], ['igroupr-write-changes-group', '16105', 1]]);
      expect(report.exitCode).toBe(1);
    } finally {
      f.close();
    }
  });
});

describe('a generated trace with lost events', () => {
  it('puts a VM whose window holds a LOST marker on its CPU into unseen_with_gaps', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'abitrace-gen-'));
    const trace = join(dir, 'lost.txt');
    try {
      const gen = await runCli(['generate', '--profile', 'linux-gicv2:1,linux-gicv3:1', '--vms', '2', '--vcpus', '2', '--duration', '0.3',
        '--lost-events', '0.01', '--seed', '7', '-o', trace, '--quiet']);
      expect(gen.code).toBe(0);
      const f = await ImportedFixture.create([trace]);
      try {
        const lost = await f.db.readObjects<{ n: bigint }>('SELECT count(*) AS n FROM lost_events');
        expect(Number(lost[0]!.n)).toBeGreaterThan(0);
        const report = await f.check(['vgic-iidr-rev1-rev2'], { hostKernel: '6.6' });
        const c = report.changes[0]!;
        // the GICv2 guest never touches IGROUPR, but events were lost on its host CPUs inside its window
        expect(c).toMatchObject({ vms: 2, touched: 1, differs: 0, unseen_full_coverage: 0, unseen_with_gaps: 1 });
        const v2 = c.vm_status.find((v) => v.status === 'unseen-with-gaps')!;
        expect(v2.lost_markers).toBeGreaterThan(0);
        expect(c.notes).toContain('1 VM(s) have lost-event markers inside their window: absence is not proof');
      } finally {
        f.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
