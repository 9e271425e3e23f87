import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, runCli } from './cli-helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'abitrace-replay-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A raw-ftrace KVM trace (tracepoints.md §4.1) of a 1-vCPU QEMU guest. */
function ftrace(accesses: Array<['R' | 'W', number, number, number?]>, irqs: Array<[number, number]> = []): string {
  const lines = ['# tracer: nop', '#'];
  let t = 12.1;
  const at = () => (t += 0.00001).toFixed(6);
  for (const [op, gpa, val, len = 4] of accesses) {
    const head = `       CPU 0/KVM-4251    [003] .....  ${at()}: kvm_mmio: mmio`;
    if (op === 'R') {
      lines.push(`${head} unsatisfied-read len ${len} gpa 0x${gpa.toString(16)} val 0x0`);
      lines.push(`${head} read len ${len} gpa 0x${gpa.toString(16)} val 0x${val.toString(16)}`);
    } else lines.push(`${head} write len ${len} gpa 0x${gpa.toString(16)} val 0x${val.toString(16)}`);
  }
  for (const [irq, level] of irqs) lines.push(`       CPU 0/KVM-4251    [003] d..1.  ${at()}: vgic_update_irq_pending: VCPU: 0, IRQ ${irq}, level: ${level}`);
  return `${lines.join('\n')}\n`;
}

const D = 0x08000000;
const S0 = 0x080a0000 + 0x10000;
const probe: Array<['R' | 'W', number, number, number?]> = [['R', D + 0xffe8, 0x3b], ['R', D + 0x4, 0x007a0008], ['R', D + 0x8, 0x4b00343b]];

describe('abitrace replay', () => {
  const zephyr = join(dir, 'zephyr.trace');
  writeFileSync(zephyr, ftrace([...probe, ['W', D, 0], ['W', S0 + 0x80, 0], ['W', S0 + 0x100, 1 << 27], ['W', D, 0x12]], [[27, 1]]));

  it('replays a trace file directly: JSON schema, the IGROUPR divergence observed at the timer injection, exit 1', async () => {
    const r = await runCli(['replay', zephyr, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect(doc.schema).toBe('abitrace.replay/1');
    expect(doc.revisions).toEqual(['1', '2', '3']);
    const v = doc.verdicts.find((x: { from: string; to: string; register: string }) => x.from === '1' && x.to === '2' && x.register === 'GICR_IGROUPR0');
    expect(v).toMatchObject({ vm: 'zephyr.trace', verdict: 'diverges', observed: true, from_value: '0xffffffff', to_value: '0x00000000' });
    expect(typeof v.first_seq).toBe('number');
    expect(doc.fidelity[0]).toMatchObject({ vm: 'zephyr.trace', revision: '3', mismatches: 0 });
    expect(doc.divergences.some((d: { kind: string; irq: number }) => d.kind === 'delivery' && d.irq === 27)).toBe(true);
  });

  it('stores its results in the database for SQL, and --ignore + --where narrow them', async () => {
    const db = join(dir, 'r.duckdb');
    const linux = join(dir, 'linux.trace');
    writeFileSync(linux, ftrace([...probe, ['W', D, 0], ['R', D, 0x50], ['W', D + 0x84, 0xffffffff], ['W', S0 + 0x80, 0xffffffff],
      ['W', D, 0x13], ['R', D, 0x52], ['R', 0x080a0000, 0x6]]));
    expect((await runCli(['import', linux, '--db', db, '--quiet'])).code).toBe(0);
    const table = await runCli(['replay', '--db', db]);
    expect(table.code).toBe(1); // IIDR and GICR_CTLR reads differ
    expect(table.stdout).toMatch(/diverges.*GICD_IIDR/);
    const ignored = await runCli(['replay', '--db', db, '--ignore', 'GICD_IIDR', '--ignore', 'GICR_CTLR']);
    expect(ignored.code).toBe(0);
    expect(ignored.stdout).toMatch(/touched-identical/);
    const q = await runCli(['query', `SELECT run_id, register, verdict FROM replay_verdicts WHERE from_rev = '1' AND to_rev = '2' AND run_id = 1 ORDER BY register`, '--db', db, '--format', 'csv']);
    expect(q.stdout).toContain('1,GICD_IGROUPR,touched-identical');
    expect(q.stdout).toContain('1,GICD_IIDR,diverges');
    expect(q.stdout).toContain('1,GICR_IGROUPR0,touched-identical');
    const where = await runCli(['replay', '--db', db, '--where', "addr <> 134217736", '--format', 'json', '--no-store']);
    const doc = JSON.parse(where.stdout);
    expect(doc.imports[0].read_via).toBe('duckdb');
    expect(doc.verdicts.find((x: { register: string }) => x.register === 'GICD_IIDR').verdict).toBe('not-touched');
    const runs = await runCli(['query', 'SELECT count(*) AS n FROM replay_runs', '--db', db, '--format', 'csv']);
    expect(runs.stdout).toContain('\r\n2\r\n');
  });

  it('--explain tells the story of the first divergence', async () => {
    const r = await runCli(['replay', zephyr, '--explain', 'zephyr.trace', '--ignore', 'GICD_IIDR', '--format', 'json']);
    const story = JSON.parse(r.stdout).story as Array<{ text: string; mark: string; values: Record<string, string> }>;
    const first = story.find((l) => l.mark === 'first-divergence')!;
    expect(first.text).toBe('W GICR_IGROUPR0 (GICR+0x10080) = 0x00000000');
    expect(first.values).toMatchObject({ 'rev 1': '0xffffffff', 'rev 2': '0x00000000' });
    expect(story.filter((l) => l.mark === 'observed').map((l) => l.text)).toEqual(['IRQ 27 on vCPU 0 would be signalled differently']);
    const table = await runCli(['replay', zephyr, '--explain', 'zephyr.trace']);
    expect(table.stdout).toContain('first divergence');
    expect(table.stdout).toMatch(/ rev 1: 0xffffffff {2}rev 2: 0x00000000/);
    expect(table.stdout).not.toContain('rev rev');
  });

  it('a GICv2 delivery difference names the groups without claiming IRQ or FIQ (GICC_CTLR.FIQEn is untraced)', async () => {
    // GICv2 probe, then an SPI left in group 0 by rev 1 (IGROUPR writes ignored) and pended
    const v2 = join(dir, 'gicv2-groups.trace');
    writeFileSync(v2, ftrace([['R', D + 0x4, 0x28], ['R', D + 0x8, 0x4b00343b], ['W', D, 0], ['W', D + 0x84, 0xffffffff],
      ['W', D + 0x820, 0x01010101], ['W', D + 0x104, 1], ['W', D, 1], ['W', D + 0x204, 1]]));
    const r = await runCli(['replay', v2, '--explain', 'gicv2-groups.trace', '--format', 'json', '--no-store']);
    const doc = JSON.parse(r.stdout) as { vms: Array<{ gic_version: number }>; story: Array<{ mark: string; values: Record<string, string> }> };
    expect(doc.vms[0]!.gic_version).toBe(2);
    const observed = doc.story.find((l) => l.mark === 'observed')!;
    expect(observed.values).toEqual({ 'rev 1': 'Group 0', 'rev 2': 'Group 1', 'rev 3': 'Group 1' });
  });

  it('without a GICD_IIDR read, a GICR_CTLR read without CES|IR makes the host revision 2, not the default 3', async () => {
    // PIDR2, TYPER, two GICR_TYPERs, GICR_CTLR read 0 (no CES|IR: revision <= 2), EnableLPIs set and read back
    const R0 = 0x080a0000;
    const t = join(dir, 'no-iidr.trace');
    writeFileSync(t, ftrace([['R', D + 0xffe8, 0x3b], ['R', D + 0x4, 0x007a0008], ['R', R0 + 0x8, 0x1, 8], ['R', R0 + 0x20008, 0x100000111, 8],
      ['R', R0, 0], ['W', R0, 1], ['R', R0, 1]]));
    const doc = JSON.parse((await runCli(['replay', t, '--format', 'json', '--no-store'])).stdout) as {
      vms: Array<{ host_revision: string; host_revision_source: string }>; fidelity: Array<{ revision: string; mismatches: number }>;
    };
    expect(doc.vms[0]).toMatchObject({ host_revision: '2', host_revision_source: expect.stringMatching(/^GICR_CTLR read without CES\|IR/) });
    expect(doc.fidelity).toEqual([expect.objectContaining({ revision: '2', mismatches: 0 })]);
  });

  it('replays the bundled generated fleet (12 VMs, four VMMs, GICv2 and GICv3) with no fidelity mismatch', async () => {
    const r = await runCli(['replay', join(REPO, 'traces/generated/fleet-12vm.ftrace.txt.gz'), '--format', 'json', '--no-store']);
    const doc = JSON.parse(r.stdout);
    expect(doc.vms).toHaveLength(12);
    expect(new Set(doc.vms.map((v: { platform: string }) => v.platform))).toEqual(new Set(['qemu-virt', 'firecracker', 'cloud-hypervisor', 'kvmtool']));
    expect(doc.vms.filter((v: { gic_version: number }) => v.gic_version === 2)).toHaveLength(2);
    for (const f of doc.fidelity) expect(f.mismatches, f.vm).toBe(0);
    expect(doc.fidelity.reduce((n: number, f: { compared: number }) => n + f.compared, 0)).toBeGreaterThan(1000);
    // The Zephyr secure build's timer PPI goes to Group 0 under rev 2: observed at the injection.
    expect(doc.verdicts.some((v: { register: string; from: string; to: string; observed: boolean; observed_by: string | null }) =>
      v.register === 'GICR_IGROUPR0' && v.from === '1' && v.to === '2' && v.observed && /delivery of IRQ 27/.test(v.observed_by ?? ''))).toBe(true);
  });

  it('reports exact 64-bit timestamps (wall-clock ns beyond 2^53) as decimal strings', async () => {
    // QEMU's -msg timestamp=on prefix is wall-clock time: ~1.8e18 ns, where a double is off by up to 256 ns
    const log = join(dir, 'wall.log');
    writeFileSync(log, [
      "7635@1795388560.339579:memory_region_ops_read cpu 0 mr 0x55cf467872e0 addr 0x8000008 value 0x4b00343b size 4 name 'gicv3_dist'",
      "7635@1795388560.339581:memory_region_ops_write cpu 0 mr 0x55cf467872e0 addr 0x8000084 value 0x0 size 4 name 'gicv3_dist'",
      "7635@1795388560.339583:memory_region_ops_read cpu 0 mr 0x55cf467872e0 addr 0x8000084 value 0x0 size 4 name 'gicv3_dist'",
      '',
    ].join('\n'));
    const r = await runCli(['replay', log, '--format', 'json']);
    const doc = JSON.parse(r.stdout);
    const iidr = doc.verdicts.find((v: { register: string; from: string; to: string }) => v.register === 'GICD_IIDR' && v.from === '1' && v.to === '2');
    expect(iidr.first_ts_ns).toBe('1795388560339579000');
    expect(doc.vms[0].first_ts_ns).toBe('1795388560339579000');
    expect(doc.vms[0].last_ts_ns).toBe('1795388560339583000');
    const grp = doc.divergences.find((d: { register: string; from: string; to: string }) => d.register === 'GICD_IGROUPR' && d.from === '1' && d.to === '2');
    expect(grp.ts_ns).toBe('1795388560339581000');
  });

  it('rejects bad options with stable codes', async () => {
    expect(await runCli(['replay', zephyr, '--revisions', '1,9'])).toMatchObject({ code: 2, stderr: expect.stringContaining('E_REVISION_UNKNOWN') });
    expect(await runCli(['replay', zephyr, '--ignore', 'GICD_NOPE'])).toMatchObject({ code: 2, stderr: expect.stringContaining('E_REGISTER_UNKNOWN') });
    expect(await runCli(['replay', zephyr, '--nr-irqs', '100'])).toMatchObject({ code: 2, stderr: expect.stringContaining('E_USAGE') });
    expect(await runCli(['replay', '--db', join(dir, 'missing.duckdb')])).toMatchObject({ code: 2, stderr: expect.stringContaining('E_DB_NOT_FOUND') });
  });
});

describe('abitrace registers', () => {
  it('decodes an address', async () => {
    const r = await runCli(['registers', '0x80b0080', '--format', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)[0]).toMatchObject({ block: 'GICR', redist: 0, reg: 'GICR_IGROUPR0', offset: '0x10080', irq: 0 });
  });

  it('looks up a register by name with its address on the platform', async () => {
    const r = await runCli(['registers', 'GICD_IROUTER', '--format', 'json']);
    expect(JSON.parse(r.stdout)[0]).toMatchObject({ name: 'GICD_IROUTER', offset: '0x6000', length: 8192, widths: '32,64', bits_per_irq: 64, addr: '0x8006000' });
    const fc = await runCli(['registers', 'GICD_CTLR', '--platform', 'firecracker', '--gic-version', '2', '--format', 'json']);
    expect(JSON.parse(fc.stdout)).toEqual([expect.objectContaining({ frame: 'gicd-v2', addr: '0x3ffff000' })]);
    const sys = await runCli(['registers', 'ICC_SGI1R_EL1', '--format', 'json']);
    expect(JSON.parse(sys.stdout)[0]).toMatchObject({ op0: 3, op1: 0, crn: 12, crm: 11, op2: 5 });
  });

  it('lists the catalogue and fails with stable codes', async () => {
    const r = await runCli(['registers', '--gic-version', '2', '--format', 'csv']);
    expect(r.stdout.split('\r\n')[0]).toBe('block,gic_version,frame,offset,length,name,bits_per_irq,widths,handler,implemented,host_feature,summary');
    expect(r.stdout).toContain('GICD,2,gicd-v2,0xf00,4,GICD_SGIR');
    expect(await runCli(['registers', '0x1000'])).toMatchObject({ code: 2, stderr: expect.stringContaining('E_BAD_ADDRESS') });
    expect(await runCli(['registers', 'FOO_BAR'])).toMatchObject({ code: 2, stderr: expect.stringContaining('E_REGISTER_UNKNOWN') });
  });
});
