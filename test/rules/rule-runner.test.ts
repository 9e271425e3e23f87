import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRuleFile, type RuleFile } from '../../src/rules/rule-file.ts';
import { runCheck } from '../../src/rules/check-run.ts';
import { ruleColumns, runRule, unmetRequirement } from '../../src/rules/rule-runner.ts';
import { ensureFindingsTables } from '../../src/rules/findings-store.ts';
import { TraceDb } from './helpers/trace-db.ts';
import { rejectionOf } from '../helpers/errors.ts';

function rule(id: string, sql: string, extra = ''): RuleFile {
  return parseRuleFile(`-- id: ${id}\n-- title: ${id}\n-- change: demo\n-- kernels: k\n-- compares: a..b\n-- level: touch\n`
    + `-- severity: warn\n${extra}-- doc: d\n${sql}\n`, `/rules/demo/${id}.sql`);
}

const GOOD = `SELECT import_id, vm, vcpu, min(ts_ns) AS first_ts_ns, max(ts_ns) AS last_ts_ns, count(*) AS count,
  min(seq) AS example_seq, 'n=' || count(*) AS detail FROM accesses GROUP BY ALL`;

let t: TraceDb;
beforeEach(async () => {
  t = await TraceDb.create();
  await t.addImport(1);
  await t.addVm(1, 'vmA', { first: 100, last: 300 });
  await t.addAccesses(1, [
    { seq: 5, ts_ns: 100, vm: 'vmA', vcpu: 0, space: 'mmio', op: 'R', addr: 0x8000008, len: 4, value: 0x4b00343b },
    { seq: 9, ts_ns: 300, vm: 'vmA', vcpu: 0, space: 'mmio', op: 'W', addr: 0x8000084, len: 4, value: 0xffffffff },
  ]);
});
afterEach(() => t.close());

describe('rule validation at run time', () => {
  it('accepts the finding columns (import_id optional) and stores the rows with rule metadata', async () => {
    await ensureFindingsTables(t.db);
    expect(await ruleColumns(t.db, rule('good', GOOD))).toEqual(['import_id', 'vm', 'vcpu', 'first_ts_ns', 'last_ts_ns', 'count', 'example_seq', 'detail']);
    const r = await runRule(t.db, rule('good', GOOD), 7);
    expect(r).toMatchObject({ status: 'evaluated', findings: 1, reason: null });
    const rows = await t.db.readObjects('SELECT run_id, rule, change, level, severity, import_id, vm, vcpu, first_ts_ns, last_ts_ns, count, example_seq, detail FROM findings');
    expect(rows).toEqual([{ run_id: 7, rule: 'good', change: 'demo', level: 'touch', severity: 'warn', import_id: 1, vm: 'vmA', vcpu: 0,
      first_ts_ns: 100n, last_ts_ns: 300n, count: 2n, example_seq: 5n, detail: 'n=2' }]);
  });

  it('names the file and the missing or unexpected columns', async () => {
    const e = await rejectionOf(ruleColumns(t.db, rule('bad', `SELECT vm, 1 AS count, 'x' AS extra FROM accesses`)));
    expect(e.code).toBe('E_RULE_INVALID');
    expect(e.message).toContain('/rules/demo/bad.sql');
    expect(e.message).toContain('missing columns vcpu, first_ts_ns, last_ts_ns, example_seq, detail');
    expect(e.message).toContain('unexpected column extra');
  });

  it('rejects more than one statement and reports SQL errors with the file and line', async () => {
    const two = await rejectionOf(ruleColumns(t.db, rule('two', `${GOOD};\nSELECT 1`)));
    expect(two.code).toBe('E_RULE_INVALID');
    expect(two.message).toContain('exactly one SELECT statement (found 2)');
    const sql = await rejectionOf(ruleColumns(t.db, rule('typo', 'SELECT * FROM no_such_table')));
    expect(sql.code).toBe('E_SQL');
    expect(sql.message).toMatch(/^rule typo \(\/rules\/demo\/typo\.sql:9\): .*no_such_table/s);
  });
});

describe('requires: replay', () => {
  const needsReplay = () => rule('rp', `SELECT NULL AS vm, NULL AS vcpu, NULL AS first_ts_ns, NULL AS last_ts_ns, 0 AS count,
    NULL AS example_seq, 'x' AS detail FROM replay_verdicts`, '-- requires: replay\n');

  it('is not evaluated (not an error) until the replay tables exist and hold rows', async () => {
    expect(await unmetRequirement(t.db, needsReplay())).toMatch(/^not evaluated — run `abitrace replay` \(no replay_runs, replay_verdicts table\)/);
    await t.db.run('CREATE TABLE replay_runs (run_id INTEGER)');
    await t.db.run('CREATE TABLE replay_verdicts (run_id INTEGER, vm VARCHAR)');
    expect(await unmetRequirement(t.db, needsReplay())).toContain('replay_verdicts is empty');
    await t.db.run(`INSERT INTO replay_verdicts VALUES (1, 'vmA')`);
    expect(await unmetRequirement(t.db, needsReplay())).toBeNull();
  });

  it('shows up in the check report as not evaluated, with the outcome marked unevaluated', async () => {
    const outcome = parseRuleFile(`-- id: rp\n-- title: rp\n-- change: demo\n-- kernels: k\n-- compares: a..b\n-- level: outcome\n-- severity: error\n-- requires: replay\n-- doc: d\nSELECT 1`, '/r/demo/rp.sql');
    const report = await runCheck(t.db, [outcome, rule('good', GOOD)], { failOn: 'warn', hostKernel: null, ruleDirs: [], changes: [] });
    expect(report.results.map((r) => [r.rule.id, r.status])).toEqual([['rp', 'not-evaluated'], ['good', 'evaluated']]);
    expect(report.changes[0]!.outcome_evaluated).toBe(false);
    expect(report.changes[0]!.notes.some((n) => n.startsWith('rp (outcome): not evaluated — run `abitrace replay`'))).toBe(true);
    expect(report.exitCode).toBe(1); // the warn finding of 'good' reaches --fail-on warn
    const status = await t.db.readObjects('SELECT rule, status FROM check_rules ORDER BY rule');
    expect(status).toEqual([{ rule: 'good', status: 'evaluated' }, { rule: 'rp', status: 'not-evaluated' }]);
  });
});

describe('runCheck', () => {
  it('numbers runs and keeps earlier findings', async () => {
    const opts = { failOn: 'error' as const, hostKernel: null, ruleDirs: ['/rules'], changes: [] };
    const a = await runCheck(t.db, [rule('good', GOOD)], opts);
    const b = await runCheck(t.db, [rule('good', GOOD)], opts);
    expect([a.runId, b.runId]).toEqual([1, 2]);
    expect(a.exitCode).toBe(0);
    const runs = await t.db.readObjects('SELECT run_id, rules_evaluated, findings, exit_code, fail_on, rule_dirs FROM check_runs ORDER BY run_id');
    expect(runs).toEqual([
      { run_id: 1, rules_evaluated: 1, findings: 1n, exit_code: 0, fail_on: 'error', rule_dirs: '/rules' },
      { run_id: 2, rules_evaluated: 1, findings: 1n, exit_code: 0, fail_on: 'error', rule_dirs: '/rules' },
    ]);
  });

  it('stores nothing when a rule fails half-way', async () => {
    const e = await rejectionOf(runCheck(t.db, [rule('good', GOOD), rule('broken', 'SELECT * FROM nowhere')],
      { failOn: 'error', hostKernel: null, ruleDirs: [], changes: [] }));
    expect(e.code).toBe('E_SQL');
    const tables = await t.db.readObjects(`SELECT table_name FROM information_schema.tables WHERE table_name IN ('findings', 'check_runs')`);
    expect(tables).toEqual([]);
  });

  it('refuses a database with the schema but no import', async () => {
    await t.db.run('DELETE FROM imports');
    const e = await rejectionOf(runCheck(t.db, [rule('good', GOOD)], { failOn: 'error', hostKernel: null, ruleDirs: [], changes: [] }));
    expect(e.code).toBe('E_NO_DATA');
    expect(e.message).toContain('holds no import');
  });

  it('refuses a database without imported data', async () => {
    await t.db.run('DROP VIEW accesses_decoded');
    const e = await rejectionOf(runCheck(t.db, [rule('good', GOOD)], { failOn: 'error', hostKernel: null, ruleDirs: [], changes: [] }));
    expect(e.code).toBe('E_NO_DATA');
    expect(e.message).toContain('accesses_decoded');
  });
});
