#!/usr/bin/env node
// The CI harness does not read vitest's summary: run the typecheck, then vitest with a JSON
// report, and end with exactly one line "N passed, N failed" taken from that report.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const extra = process.argv.slice(2);
const tsc = spawnSync('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json'], { stdio: 'inherit' });
const dir = mkdtempSync(join(tmpdir(), 'abitrace-test-'));
const report = join(dir, 'report.json');
const vt = spawnSync(
  'npx',
  ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...extra],
  { stdio: 'inherit' },
);
let passed = 0;
let failed = 0;
try {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed = r.numPassedTests ?? 0;
  failed = (r.numFailedTests ?? 0) + (r.numRuntimeErrorTestSuites ?? 0);
  if (r.numFailedTestSuites) failed = Math.max(failed, 1);
} catch {
  failed = Math.max(failed, 1);
}
if (tsc.status !== 0) {
  console.error('typecheck failed');
  failed += 1;
}
rmSync(dir, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || vt.status !== 0 ? 1 : 0);
