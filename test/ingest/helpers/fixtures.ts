/** Shared helpers for the ingest tests. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let zstd: boolean | undefined;
/** Whether the `zstd` program is installed (the .zst tests need it; CI setup installs it). */
export function hasZstd(): boolean {
  zstd ??= spawnSync('zstd', ['--version'], { stdio: 'ignore' }).status === 0;
  return zstd;
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'abitrace-ingest-'));
}

export { rng } from '../../helpers/prng.ts';
