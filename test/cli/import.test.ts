/** `abitrace import` through the real CLI and parser on small ftrace fixtures. */
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateFtrace } from '../../bench/gen-ftrace.ts';
import { REPO, expectGolden, runCli } from './cli-helpers.ts';

const FIX = join(REPO, 'test/fixtures/cli');
const SMALL = join(FIX, 'small-ftrace.txt');
const MALFORMED = join(FIX, 'malformed-ftrace.txt');
const dir = mkdtempSync(join(tmpdir(), 'abitrace-imp-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function json(db: string, sql: string) {
  const r = await runCli(['query', sql, '--db', db, '--format', 'json']);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as Array<Record<string, unknown>>;
}

describe('abitrace import (CLI)', () => {
  it('imports a raw ftrace file with tgids: rows, names and values (CSV golden)', async () => {
    const db = join(dir, 'small.duckdb');
    const r = await runCli(['import', SMALL, '--db', db]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^imported .*small-ftrace\.txt as import 1: 5 accesses from 13 lines .*1,834 lost events in 1 markers\); ftrace-tgid, 2 VMs/);
    const q = await runCli(['query', 'SELECT import_id, seq, ts_ns, host_cpu, tid, vm, vcpu, source, space, op, addr, len, value, pc, imm FROM accesses ORDER BY seq', '--db', db, '--format', 'csv']);
    expect(q.code).toBe(0);
    expectGolden(q.stdout, join(FIX, 'import-small.csv'));
    const [imp] = await json(db, 'SELECT lines, accesses, other_events, skipped, lost_events, arrow_path IS NOT NULL AS arrow FROM imports');
    expect(imp).toEqual({ lines: '13', accesses: '5', other_events: '5', skipped: '3', lost_events: '1834', arrow: true });
  });

  it('a trace-cmd report of two VMs without its thread map warns that VMs were merged; with the map, none', async () => {
    const src = join(REPO, 'traces/generated/two-vm.trace-cmd.txt.gz');
    const bare = join(dir, 'two-vm-bare.txt.gz');
    copyFileSync(src, bare); // no .tgids beside it
    const db = join(dir, 'merged.duckdb');
    const r = await runCli(['import', bare, '--db', db]);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warn: \d+ × vcpu_name_reused \(first at line \d+: "vCPU \d is named by tid \d+ and tid \d+ in 'two-vm-bare\.txt'/);
    const withMap = await runCli(['import', src, '--db', join(dir, 'mapped.duckdb')]);
    expect(withMap.stdout).toMatch(/2 VMs/);
    expect(withMap.stderr).not.toMatch(/vcpu_name_reused/);
  });

  it('a file read with the wrong --format (no event read, lines malformed) is refused, so the right one is not a duplicate', async () => {
    const db = join(dir, 'wrong-format.duckdb');
    const wrong = await runCli(['import', SMALL, '--format', 'perf', '--db', db]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/E_FORMAT_UNKNOWN: .*small-ftrace\.txt: no line read as perf: \d+ malformed \(first at line 3: .*is --format perf right\?/);
    const right = await runCli(['import', SMALL, '--db', db]);
    expect(right.code).toBe(0);
    expect(right.stdout).toMatch(/as import 1: 5 accesses/);
  });

  it('counts a malformed line as an issue; --strict makes it an error naming file:line and imports nothing', async () => {
    const db = join(dir, 'malformed.duckdb');
    const lenient = await runCli(['import', MALFORMED, '--db', db]);
    expect(lenient.code).toBe(0);
    expect(lenient.stderr).toMatch(/warn: 1 × malformed_line \(first at line 10: /);
    const [issue] = await json(db, `SELECT kind, count, samples[1].line AS line FROM import_issues WHERE kind = 'malformed_line'`);
    expect(issue).toEqual({ kind: 'malformed_line', count: '1', line: '10' });

    const strictDb = join(dir, 'strict.duckdb');
    const strict = await runCli(['import', SMALL, MALFORMED, '--db', strictDb, '--strict']);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toMatch(/^abitrace: E_MALFORMED_LINE: .*malformed-ftrace\.txt:10: /m);
    const rows = await json(strictDb, 'SELECT path, (SELECT count(*) FROM access_rows) AS rows FROM imports');
    expect(rows).toHaveLength(1); // the first file was committed before the failing one
    expect(rows[0]!.rows).toBe('5');
  });

  it('a directory: every file is tried; a non-trace is skipped with a note, the traces are imported', async () => {
    const tdir = join(dir, 'traces');
    mkdirSync(join(tdir, 'host2'), { recursive: true });
    copyFileSync(SMALL, join(tdir, 'a.txt'));
    copyFileSync(MALFORMED, join(tdir, 'host2', 'b.txt'));
    writeFileSync(join(tdir, 'notes.md'), '# just notes\nnothing to see\n');
    const db = join(dir, 'dir.duckdb');
    const r = await runCli(['import', tdir, '--db', db]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^skipped .*notes\.md: not a trace \(E_FORMAT_UNKNOWN\)/m);
    expect(r.stdout).toMatch(/2 imported, 0 skipped as duplicates, 1 not traces, 0 failed/);
    // the same file named explicitly is an error (exit 2)
    const named = await runCli(['import', join(tdir, 'notes.md'), '--db', db]);
    expect(named.code).toBe(2);
    expect(named.stderr).toMatch(/^abitrace: E_FORMAT_UNKNOWN: .*notes\.md/m);
    const paths = await json(db, 'SELECT path FROM imports ORDER BY import_id');
    expect(paths.map((p) => String(p.path).slice(tdir.length + 1))).toEqual(['a.txt', 'host2/b.txt']);
    // a directory with no trace at all is an input error, like an empty one
    const none = join(dir, 'no-traces');
    mkdirSync(none);
    writeFileSync(join(none, 'readme.txt'), 'hello\n');
    const empty = await runCli(['import', none, '--db', db]);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/E_EMPTY_INPUT: no trace among the 1 file given/);
  });

  it('uses the thread→process map written beside a trace-cmd trace (<trace>.tgids) to separate VMs', async () => {
    const src = join(REPO, 'traces/generated/two-vm.trace-cmd.txt.gz');
    const alone = join(dir, 'alone');
    mkdirSync(alone, { recursive: true });
    copyFileSync(src, join(alone, 'tc.txt.gz'));
    const db1 = join(dir, 'tc-alone.duckdb');
    expect((await runCli(['import', join(alone, 'tc.txt.gz'), '--db', db1, '--quiet'])).code).toBe(0);
    const [one] = await json(db1, 'SELECT count(DISTINCT vm) AS vms FROM accesses');
    expect(one).toEqual({ vms: '1' }); // no tgid anywhere: everything is the file's VM

    copyFileSync(`${src}.tgids`, join(alone, 'tc.txt.gz.tgids'));
    const db2 = join(dir, 'tc-map.duckdb');
    const r = await runCli(['import', alone, '--db', db2]);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/tgids/); // the .tgids file is not tried as a trace
    expect(r.stdout).toMatch(/trace-cmd, 2 VMs/);
    const [two] = await json(db2, 'SELECT count(DISTINCT vm) AS vms FROM accesses');
    expect(two).toEqual({ vms: '2' });
  });

  it('GIC base flags: hex/decimal accepted, anything else is E_BAD_ADDRESS', async () => {
    const db = join(dir, 'flags.duckdb');
    const bad = await runCli(['import', SMALL, '--db', db, '--gicd-base', '0xZZ']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^abitrace: E_BAD_ADDRESS: --gicd-base expects .*"0xZZ"/);
    const ok = await runCli(['import', SMALL, '--db', db, '--gicd-base', '0x3fff0000', '--gicr-base', '1073545216', '--quiet']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe('');
    const blocks = await json(db, `SELECT DISTINCT block, base FROM vm_blocks WHERE block IN ('GICD', 'GICR') ORDER BY block`);
    expect(blocks).toEqual([{ block: 'GICD', base: '0x3fff0000' }, { block: 'GICR', base: '0x3ffd0000' }]);
  });

  it('kill -9 in the middle of an import: the import is absent, the database consistent, the next import cleans up', async () => {
    const db = join(dir, 'kill.duckdb');
    expect((await runCli(['import', SMALL, '--db', db, '--quiet'])).code).toBe(0);
    const big = join(dir, 'big.log');
    generateFtrace({ path: big, bytes: 60e6, vms: 4, vcpus: 2 });
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), 'import', big, '--db', db], { stdio: 'ignore' });
    const arrowDir = `${db}.arrow`;
    // Wait until rows are flowing: the temporary Arrow file of import 2 has grown past 9 MB (more than one 122,880-row group, so DuckDB has written uncommitted blocks).
    const deadline = Date.now() + 60_000;
    for (;;) {
      const tmp = existsSync(arrowDir) ? readdirSync(arrowDir).find((n) => n.includes('.tmp-')) : undefined;
      if (tmp && statSync(join(arrowDir, tmp)).size > 9e6) break;
      if (child.exitCode !== null || Date.now() > deadline) throw new Error('import finished or stalled before it could be killed');
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    const after = await json(db, `SELECT (SELECT count(*) FROM imports) AS imports, (SELECT count(*) FROM access_rows) AS rows,
      (SELECT count(*) FROM vm_labels) AS labels, (SELECT count(*) FROM import_events WHERE import_id = 2) AS events`);
    expect(after).toEqual([{ imports: '1', rows: '5', labels: '2', events: '0' }]);
    const again = await runCli(['import', SMALL.replace('small', 'malformed'), '--db', db, '--quiet']);
    expect(again.code).toBe(0);
    expect(readdirSync(arrowDir).sort()).toEqual(['1.arrow', '2.arrow']);
  });
});
