/** `abitrace generate` end to end: files, compression, side map, per-VM QEMU logs, errors. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.ts';
import { tempDir } from './helpers/generate.ts';

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    const code = await main(args);
    return { code, out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
    process.exitCode = 0;
  }
}

afterEach(() => vi.restoreAllMocks());

const small = ['--vms', '2', '--vcpus', '2', '--duration', '0.2'];

describe('abitrace generate', () => {
  it('writes a gzip-compressed raw ftrace trace', async () => {
    const dir = tempDir();
    const out = join(dir, 'fleet.txt.gz');
    const r = await cli(['generate', '--profile', 'linux-gicv3:2,zephyr-secure:1', ...small, '-o', out]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^wrote .*fleet\.txt\.gz: [\d,]+ events, 2 VMs × 2 vCPUs/);
    const text = gunzipSync(readFileSync(out)).toString('latin1');
    expect(text.split('\n')[0]).toMatch(/^ {7}CPU 0\/KVM-\d+ +\( *\d+\) \[\d{3}\] /);
    expect(readdirSync(dir)).toEqual(['fleet.txt.gz']); // no temporary file left behind
  });

  it('trace-cmd output comes with <out>.tgids in saved_tgids format', async () => {
    const dir = tempDir();
    const out = join(dir, 'fleet.report');
    expect((await cli(['generate', '--profile', 'freebsd', ...small, '--format', 'trace-cmd', '--vmm', 'qemu,firecracker', '-o', out])).code).toBe(0);
    const map = readFileSync(`${out}.tgids`, 'utf8').trim().split('\n').map((l) => l.split(' ').map(Number));
    expect(map).toHaveLength(2 * 3); // main thread + 2 vCPU threads per VM
    const report = readFileSync(out, 'latin1');
    for (const [tid] of map) expect(report.includes(`-${tid} `) || report.includes(`-${tid}\t`)).toBe(true);
    expect(new Set(map.map(([, tgid]) => tgid)).size).toBe(2);
    expect(report).toMatch(/fc_vcpu 0-\d+/);
  });

  it('qemu format writes one log per VM', async () => {
    const dir = tempDir();
    const r = await cli(['generate', '--profile', 'linux-gicv3', '--vms', '3', '--vcpus', '1', '--duration', '0.2', '--format', 'qemu', '-o', join(dir, 'q.log')]);
    expect(r.code).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['q-vm0.log', 'q-vm1.log', 'q-vm2.log']);
    for (const f of readdirSync(dir)) expect(readFileSync(join(dir, f), 'latin1')).toMatch(/^\d+@\d+\.\d{6}:memory_region_ops_read cpu 0 /);
  });

  it('errors name the option and what was expected, with stable codes and exit 2', async () => {
    const dir = tempDir();
    const cases: Array<[string[], RegExp]> = [
      [['--profile', 'linux-gicv9', '-o', join(dir, 'x')], /E_PROFILE_UNKNOWN: unknown profile 'linux-gicv9'; known profiles: linux-gicv3,/],
      [['--profile', 'linux-gicv3:x', '-o', join(dir, 'x')], /E_USAGE: --profile: weight of 'linux-gicv3' must be a positive number, got 'x'/],
      [['--profile', 'linux-gicv3', '--vms', '0', '-o', join(dir, 'x')], /E_USAGE: --vms must be an integer from 1 to 4096, got 0/],
      [['--profile', 'linux-gicv3', '--format', 'qemu', '--lost-events', '0.1', '-o', join(dir, 'x')], /E_USAGE: --lost-events does not apply to --format qemu/],
      [['--profile', 'linux-gicv2', '--vmm', 'cloud-hypervisor', '-o', join(dir, 'x')], /E_USAGE: profile 'linux-gicv2' runs on qemu, firecracker, kvmtool \(GICv2\), none of which --vmm lists \(cloud-hypervisor\)/],
      [['--profile', 'linux-gicv3', '--revision', '3', '--host-kernel', '5.10', '-o', join(dir, 'x')], /E_USAGE: --revision 3 needs a 5\.19\+ host/],
      [['--profile', 'linux-gicv3', '-o', join(dir, 'missing', 'x')], /E_OUTPUT_WRITE: cannot write .*missing\/x: directory .*missing does not exist/],
      [['--profile', 'linux-gicv3'], /E_USAGE: generate needs -o\/--output/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(['generate', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err).toMatch(message);
    }
    expect(existsSync(join(dir, 'x'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});
