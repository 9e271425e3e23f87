/**
 * The bundled traces in traces/generated regenerate byte for byte from the commands their README
 * gives (decompressed text compared), and they import cleanly.
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { readTgidMapFile } from '../../src/ingest/tgid-map.ts';
import { importText, tempDir } from './helpers/generate.ts';

const DIR = 'traces/generated';
const readme = readFileSync(join(DIR, 'README.md'), 'utf8');
const commands = [...readme.matchAll(/`node src\/cli\/bin\.mjs (generate [^`]+)`/g)].map((m) => m[1]!.split(/\s+/));

describe('bundled generated traces', () => {
  it('the README lists one command per bundled trace', () => {
    expect(commands).toHaveLength(3);
    for (const args of commands) expect(existsSync(args[args.indexOf('-o') + 1]!)).toBe(true);
  });

  it.each(commands.map((c) => [basename(c[c.indexOf('-o') + 1]!), c] as const))('%s regenerates identically', async (_name, args) => {
    const bundled = args[args.indexOf('-o') + 1]!;
    const out = join(tempDir(), basename(bundled));
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await main([...args.slice(0, args.indexOf('-o')), '-o', out, ...args.slice(args.indexOf('-o') + 2)])).toBe(0);
    } finally {
      spy.mockRestore();
      process.exitCode = 0;
    }
    expect(gunzipSync(readFileSync(out)).equals(gunzipSync(readFileSync(bundled)))).toBe(true);
    if (existsSync(`${bundled}.tgids`)) expect(readFileSync(`${out}.tgids`, 'utf8')).toBe(readFileSync(`${bundled}.tgids`, 'utf8'));
  });
});

describe('bundled generated traces import cleanly', () => {
  it.each([
    ['fleet-12vm.ftrace.txt.gz', 12, undefined],
    ['two-vm.trace-cmd.txt.gz', 2, 'two-vm.trace-cmd.txt.gz.tgids'],
    ['two-vm.perf.txt.gz', 2, undefined],
  ] as const)('%s', async (file, vms, tgids) => {
    const imp = await importText(join(DIR, file), tgids ? readTgidMapFile(join(DIR, tgids)) : undefined);
    expect(imp.summary.issues.filter((i) => i.severity !== 'info')).toEqual([]);
    expect(imp.summary.vms).toHaveLength(vms);
    for (const [, set] of imp.vcpusByVm) expect(set.size).toBe(2);
  });
});
