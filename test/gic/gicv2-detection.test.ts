/**
 * GICv2 guests get GICv2 layouts (vgic.md §7, §10; guests.md §2) from what the parser records:
 * identification reads at 4 KiB-frame offsets (a GICv2 distributor is a 4 KiB frame, e.g.
 * Firecracker's at 1 GiB − 4 KiB), GICD_SGIR writes and GICD_ITARGETSR accesses per frame — on
 * every VMM with a GICv2 map, with and without the VMM's vCPU thread names, and the replay of
 * what was detected matches every recorded read.
 */
import { evidenceByVm } from '../../src/ingest/vm-evidence.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { vmInfoList } from '../../src/ingest/vm-evidence.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveLayouts } from '../../src/gic/layout.ts';
import { decodeAddress } from '../../src/gic/decode.ts';
import { parseFile } from '../../src/ingest/parse-file.ts';
import type { VmmKind } from '../../src/ingest/types.ts';
import { importFiles } from '../../src/importer/import-files.ts';
import { replay } from '../../src/replay/engine.ts';
import { runReplay } from '../../src/replay/run-replay.ts';
import { Database } from '../../src/store/database.ts';
import { generateText, writeTemp } from '../generate/helpers/generate.ts';
import { CollectingSink, parseBytes } from '../ingest/helpers/render.ts';

const dir = mkdtempSync(join(tmpdir(), 'abitrace-gicv2-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The VMM-specific vCPU thread names replaced by `<...>` (trace-cmd's unknown comm): no VMM hint left. */
function anonymise(text: string): string {
  return text.replace(/^ *(?:CPU \d+\/KVM|fc_vcpu \d+|kvm-vcpu-\d+|vcpu\d+)-/gm, (m) => `${'<...>'.padStart(m.length - 1)}-`);
}

const PLATFORM: Record<string, string> = { qemu: 'qemu-virt', firecracker: 'firecracker', kvmtool: 'kvmtool' };

describe('LayoutCollector records GICv2 distributor evidence per 4 KiB frame', () => {
  it('TYPER at a 4 KiB frame (Firecracker), SGIR writes and ITARGETSR accesses', () => {
    const line = (n: number, body: string) => `${'fc_vcpu 0'.padStart(16)}-2205    (   2203) [011] ..... 1.${String(n).padStart(6, '0')}: kvm_mmio: ${body}\n`;
    const text = line(1, 'mmio unsatisfied-read len 4 gpa 0x3ffff004 val 0x0') + line(2, 'mmio read len 4 gpa 0x3ffff004 val 0x27')
      + line(3, 'mmio read len 4 gpa 0x3ffff800 val 0x1010101') + line(4, 'mmio write len 1 gpa 0x3ffff820 val 0x1')
      + line(5, 'mmio write len 4 gpa 0x3fffff00 val 0x20001') + line(6, 'mmio write len 4 gpa 0x3ffff004 val 0x0')
      + line(7, 'mmio read len 4 gpa 0x3ffff004 val 0x27');
    const p = parseBytes(Buffer.from(text), { format: 'ftrace' });
    const ev = [...evidenceByVm(p.summary)][0]!;
    expect(ev.idReads).toEqual([{ gpa: 0x3ffff004, len: 4, value: 0x27 }]); // the first read of each address only
    expect([...ev.v2Frames]).toEqual([[0x3ffff000, { sgir: 1, itargets: 2 }]]);
    expect(resolveLayouts(p.summary, {})[0]).toMatchObject({ platform: 'firecracker', gicVersion: 2, source: 'vmm-default' });
  });
});

describe('generated GICv2 guests on every VMM with a GICv2 map', () => {
  for (const vmm of ['qemu', 'firecracker', 'kvmtool'] as const) {
    it.each([['named', false], ['anonymous', true]] as const)(`${vmm}, %s vCPU threads: GICv2 layout at the generator's addresses, no fidelity mismatch`, async (_n, anon) => {
      const { text, result } = await generateText({
        profiles: [{ name: 'linux-gicv2', weight: 1 }], vmm: [{ name: vmm as VmmKind, weight: 1 }], vms: 2, vcpus: 2, durationSec: 0.3, seed: 5,
      });
      const path = writeTemp(dir, `${vmm}-${anon}.trace`, anon ? anonymise(text) : text);
      const sink = new CollectingSink();
      const summary = await parseFile(path, { path, fallbackVm: 'x', strict: true }, sink, { worker: false });
      if (anon) expect(vmInfoList(summary.vmInfo).every((v) => v.vmm === null)).toBe(true);
      const layouts = resolveLayouts(summary, {});
      expect(layouts).toHaveLength(2);
      for (const l of layouts) {
        const truth = result.vms.find((v) => String(v.tgid) === l.vm)!;
        expect(truth.gic.version).toBe(2);
        expect(l, l.vm).toMatchObject({ platform: PLATFORM[vmm], gicVersion: 2, source: anon ? 'detected' : 'vmm-default' });
        expect(l.blocks.find((b) => b.block === 'GICD')).toMatchObject({ base: truth.gic.gicd, size: 0x1000 });
      }
      const out = replay(layouts.map((layout, code) => ({ code, name: layout.vm, layout })), sink.batches, sink.irqBatches, { hostRevision: '3' });
      expect(out.fidelity).toHaveLength(2);
      for (const f of out.fidelity) {
        expect(f.compared, f.vm).toBeGreaterThan(0);
        expect(f.mismatches, `${f.vm}: ${JSON.stringify(f.examples)}`).toBe(0);
      }
    });
  }
});

describe('the bundled fleet', () => {
  it('imports its GICv2 VMs (qemu-virt, kvmtool) as GICv2 and replays every VM without a fidelity mismatch', async () => {
    const fleet = new URL('../../traces/generated/fleet-12vm.ftrace.txt.gz', import.meta.url).pathname;
    const dbPath = join(dir, 'fleet.duckdb');
    await importFiles([fleet], { db: dbPath, progress: false, strict: true });
    const db = await Database.open(dbPath, { readOnly: true, create: false });
    try {
      const v2 = await db.readObjects<{ vm: string; platform: string }>('SELECT vm, platform FROM vms WHERE gic_version = 2 ORDER BY vm');
      expect(v2).toEqual([{ vm: '23717', platform: 'qemu-virt' }, { vm: '7415', platform: 'kvmtool' }]);
      const run = await runReplay(db, { revisions: ['1', '2', '3'], store: false });
      const fidelity = run.imports[0]!.result.fidelity;
      expect(fidelity).toHaveLength(12);
      for (const f of fidelity) expect(f.mismatches, `${f.vm}: ${JSON.stringify(f.examples)}`).toBe(0);
      expect(fidelity.filter((f) => f.vm === '23717' || f.vm === '7415').every((f) => f.compared > 0)).toBe(true);
    } finally {
      db.close();
    }
  });
});

describe('distributor traffic is counted per 4 KiB page', () => {
  // kvmtool's distributor (GICv2 and GICv3) is at 1 GiB − 64 KiB, Firecracker's GICv2 one at
  // 1 GiB − 4 KiB: one 64 KiB page holds both, and a 64 KiB count made a map that covers none of
  // the accesses (Firecracker GICv2) win by being the smallest.
  const line = (comm: string, n: number, body: string) =>
    `${comm.padStart(16)}-5009    (   5000) [000] ..... 1234.${String(n).padStart(6, '0')}: kvm_mmio: ${body}\n`;
  const decodeAll = (comm: string, bodies: string[]) => {
    const p = parseBytes(Buffer.from(bodies.map((b, i) => line(comm, i, b)).join('')), { format: 'ftrace' });
    const [layout] = resolveLayouts(p.summary, {});
    const gpas = bodies.map((b) => Number(/gpa (0x[0-9a-f]+)/.exec(b)![1]));
    return { layout: layout!, blocks: gpas.map((g) => decodeAddress(layout!.blocks, g).block) };
  };

  it('an unnamed VM writing at 1 GiB − 64 KiB gets a map whose distributor covers the writes', () => {
    const { layout, blocks } = decodeAll('vm-thread0', ['mmio write len 4 gpa 0x3fff0000 val 0x0', 'mmio write len 4 gpa 0x3fff0100 val 0xffff',
      'mmio write len 4 gpa 0x3fff0180 val 0xffff0000', 'mmio write len 4 gpa 0x3fff0400 val 0xa0a0a0a0', 'mmio write len 4 gpa 0x3fff0000 val 0x1']);
    expect(blocks.every((b) => b === 'GICD'), `${layout.platform} GICv${layout.gicVersion}`).toBe(true);
  });

  it('a Firecracker VM enabling interrupts at 1 GiB − 64 KiB + 0x104 is a GICv3 one', () => {
    const { layout, blocks } = decodeAll('fc_vcpu 0', ['mmio write len 4 gpa 0x3fff0104 val 0x1', 'mmio write len 4 gpa 0x3fff0184 val 0x1']);
    expect(layout.gicVersion).toBe(3);
    expect(blocks).toEqual(['GICD', 'GICD']);
  });
});
