/**
 * `abitrace check` and `abitrace rules` through the CLI: exit codes for CI gating, the JSON
 * document, filters, and the errors a user sees for bad input.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';
import { ImportedFixture } from './helpers/import-fixture.ts';

let fixture: ImportedFixture;
let dir: string;
beforeAll(async () => {
  fixture = await ImportedFixture.create(['vgic-iidr-rev1-rev2/zephyr-secure.trace', 'vgic-iidr-rev1-rev2/linux-freebsd-edk2.trace']);
  fixture.closeDb();
  dir = mkdtempSync(join(tmpdir(), 'abitrace-check-cli-'));
});
afterAll(() => {
  fixture.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('abitrace check', () => {
  it('exits 1 on an error finding by default, 0 with --fail-on never, and prints the summary', async () => {
    const r = await runCli(['check', '--db', fixture.dbPath]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('ERROR outcome igroupr-write-changes-group  vm 6000 (import 1) vCPU 0  ×3  first at line 23');
    expect(r.stdout).toMatch(/│ vgic-iidr-rev1-rev2\s+│\s+4 │\s+4 │\s+1 │/);
    expect(r.stdout).toContain('check run 1: --fail-on error → exit 1');
    expect((await runCli(['check', '--db', fixture.dbPath, '--fail-on', 'never'])).code).toBe(0);
  });

  it('--change limits the rules; --fail-on compares the worst finding with the bar', async () => {
    const r = await runCli(['check', '--db', fixture.dbPath, '--change', 'vgic-iidr-read', '--fail-on', 'warn', '--format', 'json']);
    const doc = JSON.parse(r.stdout);
    expect(doc.changes.map((c: { change: string }) => c.change)).toEqual(['vgic-iidr-read']);
    expect(doc.findings.map((f: { rule: string; vm: string; severity: string }) => [f.rule, f.vm, f.severity])).toEqual([['iidr-read', '4242', 'info']]);
    expect(r.code).toBe(0);
    const warn = await runCli(['check', '--db', fixture.dbPath, '--change', 'vgic-iidr-rev2-rev3', '--fail-on', 'warn', '--format', 'json']);
    expect(warn.code).toBe(0); // only info-level GICR_CTLR reads here
    expect((await runCli(['check', '--db', fixture.dbPath, '--change', 'vgic-iidr-rev2-rev3', '--fail-on', 'info'])).code).toBe(1);
  });

  it('prints the abitrace.check/1 document with --format json', async () => {
    const r = await runCli(['check', '--db', fixture.dbPath, '--format', 'json', '--host-kernel', '6.6']);
    const doc = JSON.parse(r.stdout);
    expect(doc.schema).toBe('abitrace.check/1');
    expect(doc.host_kernel).toBe('6.6');
    expect(doc.exit_code).toBe(1);
    const c = doc.changes.find((x: { change: string }) => x.change === 'vgic-iidr-rev1-rev2');
    // outcome_evaluated is false: the replay-joining rules wait for `abitrace replay`
    expect(c).toMatchObject({ vms: 4, touched: 4, differs: 1, unknown: 0, unseen_full_coverage: 0, unseen_with_gaps: 0, outcome_evaluated: false });
    const err = doc.findings.filter((f: { severity: string }) => f.severity === 'error');
    expect(err).toEqual([expect.objectContaining({ rule: 'igroupr-write-changes-group', change: 'vgic-iidr-rev1-rev2', level: 'outcome',
      vm: '6000', vcpu: 0, count: 3, example_seq: 23, import_id: 1 })]);
    expect(typeof err[0].first_ts_ns).toBe('string');
  });

  it('reports bad input with stable codes and exit 2', async () => {
    const missing = await runCli(['check', '--db', join(dir, 'nope.duckdb')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('E_DB_NOT_FOUND');
    const badKernel = await runCli(['check', '--db', fixture.dbPath, '--host-kernel', 'six']);
    expect(badKernel.code).toBe(2);
    expect(badKernel.stderr).toContain('E_USAGE: --host-kernel expects a version');
    const unknownChange = await runCli(['check', '--db', fixture.dbPath, '--change', 'nope']);
    expect(unknownChange.stderr).toContain("E_RULE_UNKNOWN: no rules for change 'nope'");
    mkdirSync(join(dir, 'mine', 'my-change'), { recursive: true });
    const bad = join(dir, 'mine', 'my-change', 'my-rule.sql');
    writeFileSync(bad, '-- id: my-rule\n-- title: t\n-- change: my-change\n-- kernels: k\n-- compares: a..b\n-- level: touch\n'
      + '-- severity: info\n-- doc: d\nSELECT vm, count(*) AS count FROM accesses GROUP BY vm\n');
    const invalid = await runCli(['check', '--db', fixture.dbPath, '--rules', join(dir, 'mine'), '--no-builtin-rules']);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toContain(`E_RULE_INVALID: ${bad}: result has missing columns vcpu, first_ts_ns, last_ts_ns, example_seq, detail`);
  });

  it('runs a user rule next to the built-ins', async () => {
    mkdirSync(join(dir, 'extra', 'my-change'), { recursive: true });
    writeFileSync(join(dir, 'extra', 'my-change', 'gicd-ctlr-writes.sql'), '-- id: gicd-ctlr-writes\n-- title: GICD_CTLR writes\n'
      + '-- change: my-change\n-- kernels: any\n-- compares: a..b\n-- level: touch\n-- severity: warn\n-- coverage: gic-mmio\n-- doc: demo\n'
      + `SELECT import_id, vm, vcpu, min(ts_ns) AS first_ts_ns, max(ts_ns) AS last_ts_ns, count(*) AS count, min(seq) AS example_seq,
         array_to_string(list_sort(list(DISTINCT printf('0x%x', value))), ',') AS detail
       FROM accesses_decoded WHERE reg = 'GICD_CTLR' AND op = 'W' GROUP BY ALL\n`);
    const r = await runCli(['check', '--db', fixture.dbPath, '--rules', join(dir, 'extra'), '--change', 'my-change', '--format', 'json', '--fail-on', 'warn']);
    const doc = JSON.parse(r.stdout);
    expect(doc.findings.map((f: { vm: string; detail: string }) => [f.vm, f.detail])).toEqual([['6000', '0x0'], ['4242', '0x0,0x13'], ['5300', '0x0,0x12'], ['5400', '0x50']]);
    expect(r.code).toBe(1);
  });
});

describe('abitrace rules', () => {
  it('lists every rule and shows one with its doc and SQL', async () => {
    const list = await runCli(['rules', '--format', 'json']);
    const rules = JSON.parse(list.stdout) as Array<{ rule: string; change: string }>;
    expect(rules.map((r) => r.rule)).toContain('igroupr-write-changes-group');
    expect(new Set(rules.map((r) => r.change)).size).toBe(10);
    const show = await runCli(['rules', 'show', 'iidr-read']);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^iidr-read: Guest read GICD_IIDR/);
    expect(show.stdout).toContain('-- SQL\nWITH reads AS (');
    const json = JSON.parse((await runCli(['rules', 'show', 'iidr-read', '--format', 'json'])).stdout);
    expect(json).toMatchObject({ rule: 'iidr-read', id: 'iidr-read', change: 'vgic-iidr-read', level: 'touch' });
    const unknown = await runCli(['rules', 'show', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("E_RULE_UNKNOWN: no rule 'nope'");
  });
});
