import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRuleFile, type RuleFile } from '../../src/rules/rule-file.ts';
import { exitCodeFor, runCheck } from '../../src/rules/check-run.ts';
import { readVmCoverage } from '../../src/rules/check-summary.ts';
import { checkJson, CHECK_SCHEMA } from '../../src/rules/check-json.ts';
import { MAX_SEQ } from '../../src/store/access-row-layout.ts';
import { TraceDb, sysregEncoding } from './helpers/trace-db.ts';

const CLIDR = sysregEncoding(3, 1, 0, 0, 1);
const MIDR_LIKE = sysregEncoding(3, 0, 0, 4, 0);

/** A cache-geometry-like rule: sysreg coverage, visible from 6.3, finds CLIDR reads. */
function clidrRule(level = 'touch', severity = 'info'): RuleFile {
  return parseRuleFile(`-- id: clidr\n-- title: t\n-- change: geo\n-- kernels: 6.3\n-- compares: a..b\n-- level: ${level}\n-- severity: ${severity}\n`
    + `-- coverage: sysreg\n-- visible-from: 6.3\n-- doc: d\n`
    + `SELECT import_id, vm, vcpu, min(ts_ns) AS first_ts_ns, max(ts_ns) AS last_ts_ns, count(*) AS count, min(seq) AS example_seq,
       'clidr' AS detail FROM accesses WHERE space = 'sysreg' AND addr = ${CLIDR} GROUP BY ALL`, '/r/geo/clidr.sql');
}

/** Unknown-level rule: VMs with SMC calls. */
const smcRule = parseRuleFile(`-- id: smc\n-- title: t\n-- change: geo\n-- kernels: k\n-- compares: a..b\n-- level: unknown\n-- severity: info\n-- doc: d\n`
  + `SELECT vm, vcpu, min(ts_ns) AS first_ts_ns, max(ts_ns) AS last_ts_ns, count(*) AS count, min(seq) AS example_seq, 'smc' AS detail
     FROM accesses WHERE space = 'smc' GROUP BY ALL`, '/r/geo/smc.sql');

let t: TraceDb;
beforeEach(async () => {
  t = await TraceDb.create();
  await t.addImport(1);
  // reader: reads CLIDR on host CPU 1. quiet: traps ID registers on CPU 2, never CLIDR. blind: no sysreg at all.
  // gappy: like quiet but on CPU 3, where events were lost inside its window. smc: SMC conduit.
  for (const vm of ['reader', 'quiet', 'blind', 'gappy', 'smc']) await t.addVm(1, vm, { first: 1000, last: 2000 });
  await t.addAccesses(1, [
    { seq: 1, ts_ns: 1000, host_cpu: 1, vm: 'reader', vcpu: 0, space: 'sysreg', op: 'R', addr: CLIDR },
    { seq: 2, ts_ns: 1500, host_cpu: 2, vm: 'quiet', vcpu: 0, space: 'sysreg', op: 'R', addr: MIDR_LIKE },
    { seq: 3, ts_ns: 1500, host_cpu: 2, vm: 'blind', vcpu: 0, space: 'mmio', op: 'R', addr: 0x8000008, len: 4, value: 1 },
    { seq: 4, ts_ns: 1500, host_cpu: 3, vm: 'gappy', vcpu: 0, space: 'sysreg', op: 'R', addr: MIDR_LIKE },
    { seq: 5, ts_ns: 1500, host_cpu: 4, vm: 'smc', vcpu: 1, space: 'smc', op: 'W', addr: null },
    { seq: 6, ts_ns: 1600, host_cpu: 4, vm: 'smc', vcpu: 1, space: 'sysreg', op: 'R', addr: MIDR_LIKE },
  ]);
});
afterEach(() => t.close());

const opts = (hostKernel: string | null) => ({ failOn: 'error' as const, hostKernel, ruleDirs: [], changes: [] });

describe('lost-event gaps', () => {
  it('count a marker only on a CPU the VM ran on and only when its window overlaps the VM', async () => {
    await t.addLost(1, 100, 3, 1500, 1700); // inside gappy's window on its CPU
    await t.addLost(1, 101, 2, 2500, 2600); // on quiet's CPU but after its window
    await t.addLost(1, 102, 1, 1200, 1300); // on reader's CPU inside its window
    await t.addLost(1, 103, 7, null, null); // a CPU no VM used
    const cov = await readVmCoverage(t.db);
    expect(Object.fromEntries(cov.map((c) => [c.vm, c.lost_markers]))).toEqual({ blind: 0, gappy: 1, quiet: 0, reader: 1, smc: 0 });
  });

  it('treat an unknown bound as overlapping and an unknown CPU as any CPU', async () => {
    await t.addLost(1, 100, 2, null, 1200); // quiet's CPU, began before anything was seen
    await t.addLost(1, 101, null, 5000, 6000); // CPU unknown, but after every window
    await t.addLost(1, 102, null, 1900, 2100); // CPU unknown, overlapping
    const cov = await readVmCoverage(t.db);
    expect(Object.fromEntries(cov.map((c) => [c.vm, c.lost_markers]))).toEqual({ blind: 2, gappy: 1, quiet: 2, reader: 1, smc: 1 }); // blind also ran on CPU 2
  });

  it('a VM whose accesses carry no host CPU is hit by a marker on any CPU', async () => {
    await t.addVm(1, 'qemu-log', { first: 1000, last: 2000 });
    await t.addAccesses(1, [{ seq: 9, ts_ns: 1500, host_cpu: null, vm: 'qemu-log', space: 'mmio', op: 'R', addr: 0x8000008, len: 4, value: 1 }]);
    await t.addLost(1, 100, 6, 1400, 1450);
    const cov = await readVmCoverage(t.db);
    expect(cov.find((c) => c.vm === 'qemu-log')!.lost_markers).toBe(1);
    expect(cov.find((c) => c.vm === 'quiet')!.lost_markers).toBe(0);
  });
});

describe('per-change summary', () => {
  it('with a host kernel that traps the signature: touched, unknown, full coverage, gaps and blind VMs', async () => {
    await t.addLost(1, 100, 3, 1500, 1700);
    const report = await runCheck(t.db, [clidrRule(), smcRule], opts('6.6'));
    const [c] = report.changes;
    expect(c).toMatchObject({ change: 'geo', vms: 5, touched: 1, differs: 0, unknown: 1, unseen_full_coverage: 1,
      unseen_with_gaps: 1, unseen_not_observable: 1, outcome_evaluated: null });
    expect(Object.fromEntries(c!.vm_status.map((v) => [v.vm, v.status]))).toEqual({
      reader: 'touched', quiet: 'unseen-full-coverage', gappy: 'unseen-with-gaps', blind: 'unseen-not-observable', smc: 'unknown',
    });
    expect(c!.notes).toContain('host kernel 6.6 ≥ 6.3 traps these accesses');
    expect(c!.notes.some((n) => n.startsWith('1 VM(s) have no trapped system-register accesses'))).toBe(true);
    expect(c!.notes).toContain('1 VM(s) have lost-event markers inside their window: absence is not proof');
  });

  it('an unknown or older host kernel makes absence prove nothing', async () => {
    for (const [kernel, note] of [[null, 'absence proves nothing unless the host kernel is ≥ 6.3'], ['6.1', 'host kernel 6.1 < 6.3 does not trap these accesses']] as const) {
      const report = await runCheck(t.db, [clidrRule(), smcRule], opts(kernel));
      const [c] = report.changes;
      expect(c).toMatchObject({ touched: 1, unknown: 1, unseen_full_coverage: 0, unseen_with_gaps: 0, unseen_not_observable: 3 });
      expect(c!.notes.some((n) => n.startsWith(note))).toBe(true);
    }
  });

  it('an outcome finding counts as touched and differs; unknown excludes VMs that differ', async () => {
    await t.addAccesses(1, [{ seq: 7, ts_ns: 1700, host_cpu: 4, vm: 'smc', vcpu: 1, space: 'sysreg', op: 'R', addr: CLIDR }]);
    const report = await runCheck(t.db, [clidrRule('outcome', 'error'), smcRule], opts('6.6'));
    expect(report.changes[0]).toMatchObject({ touched: 2, differs: 2, unknown: 0 });
    expect(report.exitCode).toBe(1);
  });
});

describe('exit codes and the JSON document', () => {
  it('fails at or above --fail-on, never with never', () => {
    const f = [{ severity: 'warn' as const }];
    expect(exitCodeFor(f, 'error')).toBe(0);
    expect(exitCodeFor(f, 'warn')).toBe(1);
    expect(exitCodeFor(f, 'info')).toBe(1);
    expect(exitCodeFor([{ severity: 'error' as const }], 'never')).toBe(0);
    expect(exitCodeFor([], 'info')).toBe(0);
  });

  it('has the documented keys, with timestamps as decimal strings', async () => {
    await t.db.run(`UPDATE access_rows SET ts_ns = 1795388560339579000 WHERE row_key & ${MAX_SEQ} = 1`);
    const doc = checkJson(await runCheck(t.db, [clidrRule(), smcRule], opts(null)));
    expect(doc.schema).toBe(CHECK_SCHEMA);
    expect(Object.keys(doc.changes[0]!)).toEqual(expect.arrayContaining(['change', 'vms', 'touched', 'differs', 'unknown',
      'unseen_full_coverage', 'unseen_with_gaps']));
    const reader = doc.findings.find((f) => f.vm === 'reader')!;
    expect(Object.keys(reader)).toEqual(expect.arrayContaining(['rule', 'change', 'level', 'severity', 'vm', 'vcpu', 'count', 'example_seq', 'detail']));
    expect(reader.first_ts_ns).toBe('1795388560339579000');
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });
});
