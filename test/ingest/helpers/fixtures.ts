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

/** Deterministic PRNG (mulberry32) for property tests. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
