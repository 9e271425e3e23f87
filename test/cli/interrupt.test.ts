/**
 * SIGINT/SIGTERM during `import` and `convert`: the file in progress is rolled back, the temporary
 * Arrow file removed, a database the run created (and filled with nothing) removed, one
 * E_INTERRUPTED line on stderr, exit 130/143. Files committed before stay.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateFtrace } from '../../bench/gen-ftrace.ts';
import { REPO, runCli } from './cli-helpers.ts';

const SMALL = join(REPO, 'test/fixtures/cli/small-ftrace.txt');
const dir = mkdtempSync(join(tmpdir(), 'abitrace-interrupt-'));
const big = join(dir, 'big.log');

beforeAll(() => {
  // large enough that the parse is still running when the temporary Arrow file appears
  generateFtrace({ path: big, bytes: 60e6, vms: 4, vcpus: 2 });
});

interface Running {
  child: ChildProcess;
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function start(args: string[]): Running {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal, stderr })));
  return { child, closed };
}

const tmpFilesIn = (d: string, prefix = ''): string[] =>
  (existsSync(d) ? readdirSync(d).filter((n) => n.startsWith(prefix) && n.includes('.tmp-')) : []);

/** Waits until a temporary output file (named `prefix`…) exists in `d` — the parse is running — then sends `sig`. */
async function interruptOnceWriting(run: Running, d: string, sig: NodeJS.Signals, prefix = ''): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (tmpFilesIn(d, prefix).length === 0) {
    if (run.child.exitCode !== null || Date.now() > deadline) throw new Error(`the run ended or stalled before it could be interrupted: ${(await run.closed).stderr}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  run.child.kill(sig);
}

describe('interrupting abitrace (SIGINT/SIGTERM)', () => {
  it('import into a new database: the file is rolled back and the database and temp files are removed; exit 130', async () => {
    const db = join(dir, 'fresh.duckdb');
    const run = start(['import', big, '--db', db]);
    await interruptOnceWriting(run, `${db}.arrow`, 'SIGINT');
    const r = await run.closed;
    expect(r.code).toBe(130);
    expect(r.stderr).toBe(`abitrace: E_INTERRUPTED: interrupted (SIGINT); ${big} rolled back, ${db} removed\n`);
    expect(readdirSync(dir).filter((n) => n.startsWith('fresh.duckdb'))).toEqual([]);
  });

  it('import into an existing database (SIGTERM): the earlier import survives, no temp file remains; exit 143', async () => {
    const db = join(dir, 'existing.duckdb');
    expect((await runCli(['import', SMALL, '--db', db, '--quiet'])).code).toBe(0);
    const run = start(['import', big, '--db', db]);
    await interruptOnceWriting(run, `${db}.arrow`, 'SIGTERM');
    const r = await run.closed;
    expect(r.code).toBe(143);
    expect(r.stderr).toBe(`abitrace: E_INTERRUPTED: interrupted (SIGTERM); ${big} rolled back\n`);
    expect(readdirSync(`${db}.arrow`)).toEqual(['1.arrow']);
    const q = await runCli(['query', 'SELECT (SELECT count(*) FROM imports) AS imports, (SELECT count(*) FROM access_rows) AS rows', '--db', db, '--format', 'json']);
    expect(q.stderr).toBe('');
    expect(JSON.parse(q.stdout)).toEqual([{ imports: '1', rows: '5' }]);
  });

  it('a run of several files: those committed before the interrupted one stay', async () => {
    const db = join(dir, 'several.duckdb');
    const run = start(['import', SMALL, big, '--db', db, '--quiet']);
    await interruptOnceWriting(run, `${db}.arrow`, 'SIGINT', '2.arrow');
    const r = await run.closed;
    expect(r.code).toBe(130);
    expect(r.stderr).toBe(`abitrace: E_INTERRUPTED: interrupted (SIGINT); ${big} rolled back, 1 file imported before it stays\n`);
    expect(readdirSync(`${db}.arrow`)).toEqual(['1.arrow']);
    const q = await runCli(['query', 'SELECT path FROM imports', '--db', db, '--format', 'json']);
    expect(JSON.parse(q.stdout)).toEqual([{ path: SMALL }]);
  });

  it('convert: the temporary output file is removed, nothing is written; exit 130', async () => {
    const out = join(dir, 'out', 'big.arrow');
    mkdirSync(dirname(out));
    const run = start(['convert', big, '-o', out]);
    await interruptOnceWriting(run, dirname(out), 'SIGINT');
    const r = await run.closed;
    expect(r.code).toBe(130);
    expect(r.stderr).toBe(`abitrace: E_INTERRUPTED: interrupted (SIGINT); ${out} not written\n`);
    expect(readdirSync(dirname(out))).toEqual([]);
  });
});
