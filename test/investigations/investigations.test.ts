/**
 * The investigation queries (queries/investigations/*.sql) on imported real trace text: two
 * Linux 6.x guests with identical boots and a Zephyr guest (test/fixtures/investigations), plus
 * the bundled QEMU capture for the fingerprint. Each query runs exactly as `abitrace query -f`
 * runs it (Database.streamScript); one test goes through the CLI itself.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadInvestigations, type InvestigationFile } from '../../src/rules/investigation-file.ts';
import type { Database } from '../../src/store/database.ts';
import { main } from '../../src/cli/main.ts';
import { ImportedFixture } from '../rules/helpers/import-fixture.ts';

const FIXTURE = new URL('../fixtures/investigations/two-linux-one-zephyr.trace', import.meta.url).pathname;
const REAL = new URL('../../traces/qemu-virt-gicv3-linux6.1-smp2/trace.log.gz', import.meta.url).pathname;

let fixture: ImportedFixture;
let investigations: InvestigationFile[];
beforeAll(async () => {
  fixture = await ImportedFixture.create([FIXTURE], { readOnly: true });
  investigations = loadInvestigations();
});
afterAll(() => fixture.close());

async function run(db: Database, id: string): Promise<{ columns: string[]; rows: unknown[][] }> {
  const inv = investigations.find((i) => i.id === id)!;
  const result = await db.streamScript(inv.sql);
  const rows: unknown[][] = [];
  for await (const b of result.batches()) rows.push(...b);
  return { columns: result.columns.map((c) => c.name), rows };
}

/** Rows as plain numbers for comparison (counts come back as bigint). */
const plain = (rows: unknown[][]) => rows.map((r) => r.map((v) => (typeof v === 'bigint' ? Number(v) : v)));

describe('investigation files', () => {
  it('all carry a documented header, and their result columns are the ones the header lists', async () => {
    expect(investigations.map((i) => i.id)).toEqual(['boot-vs-steady', 'guest-fingerprint', 'register-heatmap', 'top-registers', 'vcpu-activity']);
    for (const inv of investigations) {
      expect(inv.title.length, inv.id).toBeGreaterThan(10);
      expect(inv.doc, inv.id).toContain('abitrace query -f');
      const listed = inv.columns.replace(/\([^)]*\)/g, '').split(',').map((s) => s.trim());
      const { columns } = await run(fixture.db, inv.id);
      expect(columns, inv.id).toEqual(listed);
    }
  });
});

describe('results on the fixture', () => {
  it('register-heatmap ranks each VM\'s registers with their share', async () => {
    const { rows } = await run(fixture.db, 'register-heatmap');
    expect(plain(rows.filter((r) => r[1] === '6000'))).toEqual([
      [1, '6000', 'GICD', 'GICD_CTLR', 1, 1, 2, 50, 220],
      [1, '6000', 'GICD', 'GICD_ICENABLER', 0, 1, 1, 25, 227],
      [1, '6000', 'GICD', 'GICD_TYPER', 1, 0, 1, 25, 217],
    ]);
    const vm4242 = plain(rows.filter((r) => r[1] === '4242'));
    expect(vm4242[0]).toEqual([1, '4242', 'GICR', 'GICR_WAKER', 4, 2, 6, 16.67, 66]);
    expect(vm4242).toContainEqual([1, '4242', 'OTHER', 'OTHER page 0x9000000', 0, 1, 1, 2.78, 242]);
    expect(vm4242.reduce((s, r) => s + (r[6] as number), 0)).toBe(36);
  });

  it('top-registers lists the busiest registers over all VMs', async () => {
    const { rows } = await run(fixture.db, 'top-registers');
    expect(rows.length).toBe(19); // fewer registers than top_n = 20
    expect(plain(rows.slice(0, 3))).toEqual([
      ['GICR', 'GICR_WAKER', 12, 8, 4, 2, 1, 17.14],
      ['GICD', 'GICD_CTLR', 10, 5, 5, 3, 4, 14.29],
      ['GICD', 'GICD_IGROUPR', 4, 0, 4, 2, 1, 5.71],
    ]);
  });

  it('boot-vs-steady puts the late accesses of VM 4242 in the steady phase', async () => {
    const { rows } = await run(fixture.db, 'boot-vs-steady');
    const steady = plain(rows.filter((r) => Number(r[6]) > 0));
    expect(steady).toEqual([
      [1, '4242', 0, 'GICD', 'GICD_ICENABLER', 0, 1, 0.4],
      [1, '4242', 0, 'GICD', 'GICD_ISENABLER', 0, 1, 0.4],
      [1, '4242', 0, 'SYSREG', 'ICC_SGI1R_EL1', 0, 1, 0.4],
      [1, '4242', 0, 'OTHER', 'OTHER page 0x9000000', 0, 1, 0.4],
      [1, '4242', 1, 'GICD', 'GICD_ISENABLER', 0, 1, 1],
      [1, '4242', 1, 'SYSREG', 'ICC_SGI1R_EL1', 0, 1, 1],
    ]);
    // VMs that never left their boot window have no steady rate
    expect(rows.filter((r) => r[1] !== '4242').every((r) => r[7] === null)).toBe(true);
    expect(plain(rows.filter((r) => r[1] === '6000'))).toEqual([
      [1, '6000', 0, 'GICD', 'GICD_CTLR', 2, 0, null],
      [1, '6000', 0, 'GICD', 'GICD_ICENABLER', 1, 0, null],
      [1, '6000', 0, 'GICD', 'GICD_TYPER', 1, 0, null],
    ]);
  });

  it('vcpu-activity buckets each vCPU by second from its VM\'s start', async () => {
    const { rows } = await run(fixture.db, 'vcpu-activity');
    expect(plain(rows)).toEqual([
      [1, '4242', 0, 0, 23, 23, 0, 0, 0],
      [1, '4242', 0, 3, 3, 1, 1, 0, 1],
      [1, '4242', 0, 4, 1, 1, 0, 0, 0],
      [1, '4242', 1, 0, 7, 7, 0, 0, 0],
      [1, '4242', 1, 3, 2, 1, 1, 0, 0],
      [1, '4343', 0, 0, 23, 23, 0, 0, 0],
      [1, '4343', 1, 0, 7, 7, 0, 0, 0],
      [1, '6000', 0, 0, 4, 4, 0, 0, 0],
    ]);
  });

  it('guest-fingerprint groups the two identical Linux boots and names Zephyr', async () => {
    const { rows } = await run(fixture.db, 'guest-fingerprint');
    expect(plain(rows)).toEqual([
      ['R GICD_PIDR2, R GICD_TYPER, R GICD_IIDR, R GICD_TYPER2, R GICR_PIDR2, R GICR_TYPER, R GICR_CTLR, R GICR_TYPER, '
        + 'R GICR_CTLR, W GICD_CTLR, R GICD_CTLR, W GICD_IGROUPR', 'Linux (GICv3, irq-gic-v3)', 2, '4242 (import 1), 4343 (import 1)',
      'R GICD_PIDR2, R GICD_TYPER, R GICD_IIDR, R GICD_TYPER2'],
      ['R GICD_TYPER, W GICD_CTLR, R GICD_CTLR, W GICD_ICENABLER', 'Zephyr (intc_gicv3)', 1, '6000 (import 1)',
        'R GICD_TYPER, W GICD_CTLR, R GICD_CTLR, W GICD_ICENABLER'],
    ]);
  });
});

describe('on the real QEMU capture, through the CLI', () => {
  it('abitrace query -f guest-fingerprint recognises the Linux 6.1 guest', async () => {
    const real = await ImportedFixture.create([REAL]);
    real.closeDb();
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((s: string) => { out.push(String(s)); return true; }) as typeof process.stdout.write;
    let code: number;
    try {
      code = await main(['query', '--db', real.dbPath, '-f', join(investigations[0]!.path, '..', 'guest-fingerprint.sql'), '--format', 'json']);
    } finally {
      process.stdout.write = write;
      real.close();
    }
    expect(code).toBe(0);
    const rows = JSON.parse(out.join('')) as Array<Record<string, unknown>>;
    expect(rows).toEqual([{
      fingerprint: 'R GICD_PIDR2, R GICD_TYPER, R GICD_IIDR, R GICD_TYPER2, R GICR_PIDR2, R GICR_TYPER, R GICR_TYPER, R GICR_CTLR, '
        + 'R GICR_TYPER, R GICR_TYPER, R GICR_CTLR, W GICD_CTLR',
      guess: 'Linux (GICv3, irq-gic-v3)', vms: '1', vm_list: 'trace.log (import 1)',
      gic_prefix: 'R GICD_PIDR2, R GICD_TYPER, R GICD_IIDR, R GICD_TYPER2',
    }]);
  });
});

describe('guest-fingerprint guesses on generated guests of every profile', () => {
  it('names the guest each generated VM ran (ground truth from the generator)', async () => {
    const { mkdtempSync, rmSync, createWriteStream } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { generateTrace } = await import('../../src/generate/generate.ts');
    const dir = mkdtempSync(join(tmpdir(), 'abitrace-fp-'));
    const path = join(dir, 'fleet.txt');
    try {
      const out = createWriteStream(path);
      const gen = await generateTrace({
        profiles: [{ name: 'linux-gicv3', weight: 1 }, { name: 'linux-gicv3-5.19+', weight: 1 }, { name: 'linux-gicv2', weight: 1 },
          { name: 'freebsd', weight: 1 }, { name: 'edk2', weight: 1 }, { name: 'zephyr-secure', weight: 1 }],
        vms: 6, vcpus: 2, durationSec: 0.2, format: 'ftrace', seed: 7,
      }, out);
      await new Promise((r) => out.end(r));
      const expected: Record<string, string> = {
        'linux-gicv3': 'Linux (GICv3, irq-gic-v3)', 'linux-gicv3-5.19+': 'Linux (GICv3, irq-gic-v3)', 'linux-gicv2': 'Linux (GICv2, irq-gic)',
        freebsd: 'FreeBSD (gic_v3)', edk2: 'EDK2 (ArmGicV3Dxe)', 'zephyr-secure': 'Zephyr (intc_gicv3)',
      };
      const fx = await ImportedFixture.create([path], { readOnly: true });
      try {
        const { columns, rows } = await run(fx.db, 'guest-fingerprint');
        const guess = columns.indexOf('guess');
        const list = columns.indexOf('vm_list');
        const byVm = new Map<string, string>();
        for (const r of rows) for (const v of String(r[list]).split(', ')) byVm.set(v.replace(/ \(import \d+\)$/, ''), String(r[guess]));
        expect(new Set(gen.vms.map((v) => v.profiles[0]))).toEqual(new Set(Object.keys(expected)));
        for (const vm of gen.vms) expect([vm.profiles.join('→'), byVm.get(String(vm.tgid))]).toEqual([vm.profiles.join('→'), expected[vm.profiles[0]!]]);
      } finally {
        fx.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
