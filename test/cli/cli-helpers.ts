/** Runs the real CLI as a child process, and builds small databases for CLI tests. */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { resolveLayouts } from '../../src/gic/layout.ts';
import { VmLayoutTable } from '../../src/gic/vm-layout-table.ts';
import { Database } from '../../src/store/database.ts';
import { ImportWriter } from '../../src/store/import-writer.ts';
import { ensureSchema } from '../../src/store/schema.ts';
import { makeBatch } from '../store/helpers/batch-fixtures.ts';
import { fakeSummary } from '../store/helpers/summary-fixture.ts';

export const REPO = join(import.meta.dirname, '..', '..');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `node --import tsx src/cli/main.ts ...args` with a non-TTY stdout/stderr. */
export function runCli(args: string[], options: { cwd?: string; input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env };
    delete env.COLUMNS;
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), ...args], {
      cwd: options.cwd ?? REPO, env, stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Compares with a golden file; UPDATE_GOLDEN=1 rewrites it. */
export function expectGolden(actual: string, goldenPath: string): void {
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(goldenPath)) {
    writeFileSync(goldenPath, actual);
    if (process.env.UPDATE_GOLDEN !== '1') throw new Error(`golden ${goldenPath} was missing and has been written; check it and re-run`);
  }
  expect(actual).toBe(readFileSync(goldenPath, 'utf8'));
}

/** A database with one synthetic import of `rows` makeBatch() rows (no parser involved). */
export async function buildSyntheticDb(path: string, rows = 40): Promise<void> {
  const db = await Database.open(path);
  try {
    await ensureSchema(db);
    const vms = ['4242', 'guest,"b"'];
    const sources = ['kvm_mmio', 'kvm_sys_access', 'kvm_hvc_arm64'];
    const w = await ImportWriter.begin(db, true, 'synthetic.log');
    await w.sink.accesses(makeBatch(0, rows, 2, 3), vms, sources);
    const summary = fakeSummary(rows, vms, sources);
    await w.commit(summary, VmLayoutTable.of(resolveLayouts(summary, {})), {
      path: 'synthetic.log', sha256: '0'.repeat(64), headSha256: '1'.repeat(64), bytes: 4800,
      startedAt: new Date('2026-01-02T03:04:05Z'),
    });
  } finally {
    db.close();
  }
}
