/**
 * `-o` paths of convert, generate and export: regular files are written under a temporary name
 * and renamed into place; a symlink is followed to its target, a FIFO or device written in place
 * (a rename would replace it); bad paths are E_OUTPUT_WRITE with exit 2, never a stack trace.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, runCli } from './cli-helpers.ts';

const TRACE = join(REPO, 'test/fixtures/cli/small-ftrace.txt');
const dir = mkdtempSync(join(tmpdir(), 'abitrace-out-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('output paths', () => {
  it('a directory, a missing directory or a file in the way is E_OUTPUT_WRITE (exit 2)', async () => {
    const sub = join(dir, 'adir');
    mkdirSync(sub);
    const file = join(dir, 'afile');
    writeFileSync(file, 'x');
    const cases: string[][] = [
      ['convert', TRACE, '-o', sub],
      ['convert', TRACE, '-o', join(dir, 'missing', 'x.arrow')],
      ['generate', '--profile', 'linux-gicv3', '--duration', '0.01', '-o', sub],
      ['export', '--db', join(dir, 'none.duckdb'), '-o', file],
    ];
    await runCli(['import', TRACE, '--db', join(dir, 'none.duckdb'), '--quiet']);
    for (const args of cases) {
      const r = await runCli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toMatch(/E_OUTPUT_WRITE/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(statSync(sub).isDirectory()).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('x');
  });

  it('a symlink is written through: the link stays, its target gets the file', async () => {
    const link = join(dir, 'link.arrow');
    symlinkSync('target.arrow', link);
    expect((await runCli(['convert', TRACE, '-o', link, '--quiet'])).code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readlinkSync(link)).toBe('target.arrow');
    expect(readFileSync(join(dir, 'target.arrow')).subarray(0, 6).toString()).toBe('ARROW1');
  });

  it('a FIFO is written in place (a reader gets the Arrow file; the FIFO is still one)', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo]);
    const chunks: Buffer[] = [];
    reader.stdout.on('data', (c: Buffer) => chunks.push(c));
    const done = new Promise((resolve) => reader.on('close', resolve));
    expect((await runCli(['convert', TRACE, '-o', fifo, '--quiet'])).code).toBe(0);
    await done;
    expect(Buffer.concat(chunks).subarray(0, 6).toString()).toBe('ARROW1');
    expect(statSync(fifo).isFIFO()).toBe(true);
  });

  it.runIf(existsSync('/dev/full'))('a full device is an E_OUTPUT_WRITE error and stays a device', async () => {
    const r = await runCli(['convert', TRACE, '-o', '/dev/full', '--quiet']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/E_OUTPUT_WRITE: cannot write \/dev\/full: ENOSPC/);
    expect(statSync('/dev/full').isCharacterDevice()).toBe(true);
  });
});
