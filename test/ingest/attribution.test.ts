/** vCPU thread names and tgid side maps. */
import { labelArray } from '../../src/ingest/vm-labels.ts';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseTgidMap, readTgidMapFile, vcpuFromComm, VmRegistry } from '../../src/ingest/attribution.ts';
import { vmInfoList } from '../../src/ingest/vm-evidence.ts';
import { tempDir } from './helpers/fixtures.ts';

describe('vcpuFromComm', () => {
  it.each([
    ['CPU 0/KVM', 0, 'qemu'],
    ['CPU 100/KVM', 100, 'qemu'],
    ['fc_vcpu 3', 3, 'firecracker'],
    ['vcpu12', 12, 'cloud-hypervisor'],
    ['kvm-vcpu-7', 7, 'kvmtool'],
    // cut to 8 characters by trace-cmd report -l
    ['CPU 3/KV', 3, 'qemu'],
    ['CPU 12/K', 12, 'qemu'],
    ['CPU 123/', 123, 'qemu'],
  ])('%s → vcpu %d (%s)', (comm, vcpu, vmm) => {
    expect(vcpuFromComm(comm)).toEqual({ vcpu, vmm });
  });

  it.each(['qemu-system-aar', 'CPU 0/KVM2', 'vcpu', 'kworker/3:1', '<idle>', 'fc_vcpu', 'CPU x/KVM', 'CPU 3/K', 'CPU 12/KV', 'CPU 1234'])('%s is not a vCPU thread', (comm) => {
    expect(vcpuFromComm(comm)).toBeNull();
  });
});

describe('parseTgidMap', () => {
  it('reads saved_tgids "<tid> <tgid>" lines', () => {
    expect(parseTgidMap('4251 4242\n4252 4242\n\n# comment\n1 1\n')).toEqual({
      map: new Map([[4251, 4242], [4252, 4242], [1, 1]]),
      badLines: [],
    });
  });

  it('reads ps -eLo pid,tid,comm and ps -eLf-style LWP headers, comm with spaces', () => {
    const ps = '    PID     TID COMMAND\n   4242    4242 qemu-system-aar\n   4242    4251 CPU 0/KVM\n   5300    5311 CPU 0/KVM\n';
    expect(parseTgidMap(ps).map).toEqual(new Map([[4242, 4242], [4251, 4242], [5311, 5300]]));
    const lwp = 'UID PID PPID LWP C NLWP STIME TTY TIME CMD\nroot 4242 1 4251 0 5 10:00 ? 00:00:01 qemu\n';
    expect(parseTgidMap(lwp).map).toEqual(new Map([[4251, 4242]]));
  });

  it('reports unreadable lines', () => {
    expect(parseTgidMap('4251 4242\nfoo bar\n4252\n').badLines).toEqual([2, 3]);
  });

  it('readTgidMapFile: a file with no pairs or a missing file is a clear error', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'bad.map'), 'nothing here\n');
    expect(() => readTgidMapFile(join(dir, 'bad.map'))).toThrow(/bad\.map: no thread→process pairs found/);
    expect(() => readTgidMapFile(join(dir, 'missing.map'))).toThrow(/missing\.map: tgid map not found/);
    writeFileSync(join(dir, 'ok.map'), '7 3\n');
    expect(readTgidMapFile(join(dir, 'ok.map'))).toEqual(new Map([[7, 3]]));
  });
});

describe('VmRegistry', () => {
  it('gives a label one code whether it comes from a tgid or from --vm / the file name, and counts (VM, tid) pairs once', () => {
    const r = new VmRegistry('4242', new Map([[7, 99]]));
    const a = r.codeForTgid(100);
    const b = r.codeForTid(1); // unmapped tid: the fallback label '4242'
    const c = r.codeForTgid(4242); // the same label as the fallback
    const d = r.codeForTid(7); // mapped to tgid 99
    expect([a, b, c, d]).toEqual([0, 1, 1, 2]);
    expect(labelArray(r.labels)).toEqual(['100', '4242', '99']);
    expect(r.codeForTgid(100)).toBe(0);
    const r2 = new VmRegistry('0042');
    expect(r2.codeForTgid(42)).toBe(0);
    expect(r2.codeForTid(5)).toBe(1); // '0042' is not how tgid 42 is written
    r.noteThread(a, 5, -1);
    r.noteThread(a, 5, a);
    r.noteThread(a, 6, -1);
    r.noteThread(b, 5, a); // tid 5 reused by VM b, then back in a: counted once in each
    r.noteThread(a, 5, b);
    r.noteThread(b, 5, a);
    expect(vmInfoList(r.info()).map((v) => v.threads)).toEqual([2, 1, 0]);
  });
});
