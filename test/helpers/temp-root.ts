/**
 * vitest globalSetup: every temp directory a test makes (mkdtemp under os.tmpdir()) goes into one
 * directory per run, removed when the run ends — tests need not clean up after themselves, and a
 * failed or interrupted test leaves nothing behind in the system's /tmp.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), 'abitrace-tests-'));
  // the forked test workers start after this and inherit it; os.tmpdir() reads TMPDIR
  process.env.TMPDIR = root;
  return () => rmSync(root, { recursive: true, force: true });
}
