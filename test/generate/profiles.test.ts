/**
 * Per-profile register signatures from guests.md, checked on the generated text (QEMU `virt`
 * map: GICD 0x08000000, redistributor i at 0x080A0000 + i × 0x20000, SGI_base + 0x10000,
 * ITS 0x08080000) and the values KVM returns under each revision (vgic.md).
 */
import { describe, expect, it } from 'vitest';
import { platformForVmm } from '../../src/gic/platforms.ts';
import { accesses, generateText, hex, parseFtrace, type Access, type Opts } from './helpers/generate.ts';

const D = 0x08000000;
const R = (i: number): number => 0x080a0000 + i * 0x20000;
const S = (i: number): number => R(i) + 0x10000;
const N = 288; // QEMU virt nr_irqs

async function run(o: Opts): Promise<{ acc: Access[]; text: string; tids: number[] }> {
  const { text, result } = await generateText(o);
  const lines = parseFtrace(text);
  return { acc: accesses(lines), text, tids: result.threads.filter((t) => t.role === 'vcpu').map((t) => t.tid) };
}

const mmio = (a: Access[], op: 'R' | 'W', gpa: number): Access[] => a.filter((x) => x.kind === 'mmio' && x.op === op && x.gpa === gpa);
const mmioIn = (a: Access[], op: 'R' | 'W', lo: number, hi: number): Access[] => a.filter((x) => x.kind === 'mmio' && x.op === op && x.gpa >= lo && x.gpa < hi);
const sys = (a: Access[], enc: string, op?: 'R' | 'W'): Access[] => a.filter((x) => x.kind === 'sys' && x.sys === enc && (op === undefined || x.op === op));
const hvc = (a: Access[], id: number): Access[] => a.filter((x) => x.kind === 'hvc' && x.r0 === id);
const vals = (a: Access[]): string[] => a.map((x) => hex(x.val));

const IGROUPR_SPI_WORDS = Array.from({ length: N / 32 - 1 }, (_, k) => D + 0x84 + 4 * k);

describe('linux-gicv3 (5.10-era)', () => {
  const linux = (rev: 1 | 2 | 3) => run({ profiles: [{ name: 'linux-gicv3', weight: 1 }], vcpus: 3, durationSec: 0.6, revision: rev });

  it('distributor boot: PIDR2/TYPER/IIDR/TYPER2 reads, CTLR 0 → RWP → IGROUPR ~0 → config → 0x13 → IROUTER per SPI', async () => {
    const { acc } = await linux(3);
    expect(vals(mmio(acc, 'R', D + 0xffe8))).toEqual(['0x3b']);
    expect(vals(mmio(acc, 'R', D + 0x8))).toEqual(['0x4b00343b']);
    expect(vals(mmio(acc, 'R', D + 0xc))).toEqual(['0x0']);
    expect(mmio(acc, 'R', D + 0x4).map((x) => hex(x.val)).every((v) => v === '0x7a0008')).toBe(true);
    const ctlrWrites = mmio(acc, 'W', D);
    expect(vals(ctlrWrites)).toEqual(['0x0', '0x13']);
    const readsAfterEnable = mmio(acc, 'R', D).filter((x) => x.index > ctlrWrites[1]!.index);
    expect(readsAfterEnable.length).toBeGreaterThan(0);
    expect(new Set(vals(readsAfterEnable))).toEqual(new Set(['0x52']));
    const groups = mmioIn(acc, 'W', D + 0x80, D + 0x100);
    expect(groups.map((x) => x.gpa)).toEqual(IGROUPR_SPI_WORDS);
    expect(new Set(vals(groups))).toEqual(new Set(['0xffffffff']));
    expect(groups.every((x) => x.index > ctlrWrites[0]!.index && x.index < ctlrWrites[1]!.index)).toBe(true);
    expect(new Set(vals(mmioIn(acc, 'W', D + 0x420, D + 0x420 + N - 32)))).toEqual(new Set(['0xa0a0a0a0']));
    const routed = mmioIn(acc, 'W', D + 0x6100, D + 0x6000 + 8 * N).slice(0, N - 32);
    expect(routed.every((x) => x.len === 8 && x.val === 0n && x.index > ctlrWrites[1]!.index)).toBe(true);
    expect(routed.map((x) => (x.gpa - D - 0x6000) / 8)).toEqual(Array.from({ length: N - 32 }, (_, k) => 32 + k));
  });

  it('one GICR_IGROUPR0 = 0xFFFFFFFF per vCPU, each from its own thread; GICR_TYPER per vCPU with Last on the last', async () => {
    const { acc, tids } = await linux(3);
    for (let i = 0; i < 3; i++) {
      const w = mmio(acc, 'W', S(i) + 0x80);
      expect(vals(w)).toEqual(['0xffffffff']);
      expect(w[0]!.tid).toBe(tids[i]);
      const typer = new Set(vals(mmio(acc, 'R', R(i) + 0x8)));
      expect(typer).toEqual(new Set([hex((BigInt(i) << 32n) | BigInt(i << 8) | (i === 2 ? 0x10n : 0n) | 1n)]));
      // KVM's WAKER is RAZ/WI: read 0, write 0, read 0
      expect(vals(mmio(acc, 'R', R(i) + 0x14))).toEqual(['0x0', '0x0']);
      expect(vals(mmio(acc, 'W', R(i) + 0x14))).toEqual(['0x0']);
    }
  });

  it('no GICR_CTLR read before the distributor is set up, and no GICR_INVLPIR: LPIs go through ITS INV', async () => {
    const { acc } = await linux(3);
    const firstDistWrite = mmio(acc, 'W', D)[0]!.index;
    for (let i = 0; i < 3; i++) expect(mmio(acc, 'R', R(i)).every((x) => x.index > firstDistWrite)).toBe(true);
    expect(mmioIn(acc, 'W', R(0) + 0xa0, R(0) + 0xa8)).toEqual([]);
    expect(mmio(acc, 'W', 0x08080088).length).toBeGreaterThan(2); // CWRITER
  });

  it('revision shows in GICD_IIDR and GICR_CTLR; IGROUPR outcome identical under rev 1', async () => {
    for (const [rev, iidr, rctlr] of [[1, '0x4b00143b', '0x0'], [2, '0x4b00243b', '0x0'], [3, '0x4b00343b', '0x6']] as const) {
      const { acc } = await linux(rev);
      expect(vals(mmio(acc, 'R', D + 0x8))).toEqual([iidr]);
      // EnableLPIs RMW: read CTLR, write CTLR | 1
      const enable = mmio(acc, 'W', R(1));
      expect(vals(enable)).toEqual([hex(BigInt(rctlr) | 1n)]);
    }
  });
});

describe('linux-gicv3-5.19+', () => {
  const linux = (rev: 2 | 3) => run({ profiles: [{ name: 'linux-gicv3-5.19+', weight: 1 }], vcpus: 3, durationSec: 1.2, revision: rev });

  it('reads GICR_CTLR of every redistributor during the boot walk', async () => {
    for (const [rev, value] of [[3, '0x6'], [2, '0x0']] as const) {
      const { acc } = await linux(rev);
      const firstDistWrite = mmio(acc, 'W', D)[0]!.index;
      for (let i = 0; i < 3; i++) {
        const early = mmio(acc, 'R', R(i)).filter((x) => x.index < firstDistWrite);
        expect(vals(early)).toEqual([value]);
      }
    }
  });

  it('rev 3: LPI invalidation by GICR_INVLPIR writes and GICR_SYNCR polls; rev 2: ITS INV commands instead', async () => {
    const r3 = await linux(3);
    const inv3 = [0, 1, 2].flatMap((i) => mmio(r3.acc, 'W', R(i) + 0xa0));
    expect(inv3.length).toBeGreaterThan(0);
    expect(inv3.every((x) => x.len === 8 && x.val >= 8192n)).toBe(true);
    expect([0, 1, 2].flatMap((i) => mmio(r3.acc, 'R', R(i) + 0xc0)).length).toBe(inv3.length);
    const r2 = await linux(2);
    expect([0, 1, 2].flatMap((i) => [...mmio(r2.acc, 'W', R(i) + 0xa0), ...mmio(r2.acc, 'R', R(i) + 0xc0)])).toEqual([]);
    expect(mmio(r2.acc, 'W', 0x08080088).length).toBeGreaterThan(mmio(r3.acc, 'W', 0x08080088).length);
  });

  it('boot-time PSCI/SMCCC probes in guests.md §5 order, CPU_ON per secondary, CLIDR_EL1 three times per CPU on a 6.3+ host', async () => {
    const { acc } = await linux(3);
    const ids = acc.filter((x) => x.kind === 'hvc').map((x) => x.r0);
    expect(ids.slice(0, 11)).toEqual([0x84000000, 0x84000006, 0x8400000a, 0x80000000, 0x8400000a, 0x8400000a, 0x8400000a, 0x84000050, 0x84000051, 0x8600ff01, 0x86000000]);
    expect(acc[0]!.kind === 'hvc' && acc[0]!.r0).toBe(0x84000000);
    expect(hvc(acc, 0x84000000)).toHaveLength(1);
    expect(hvc(acc, 0xc4000003)).toHaveLength(2);
    expect(hvc(acc, 0x80000001).length).toBeGreaterThanOrEqual(3 * 3);
    const clidr = sys(acc, '3,1,0,0,1', 'R');
    expect(clidr).toHaveLength(9);
    expect(clidr[0]!.name).toBe('SYS_CLIDR_EL1');
    expect(sys(acc, '3,0,0,4,0', 'R')).toHaveLength(3); // ID_AA64PFR0_EL1 per CPU
    expect(sys(acc, '3,0,0,0,0')).toEqual([]); // MIDR_EL1 never traps
  });

  it('no cache-ID traps on a pre-6.3 host', async () => {
    const { acc } = await run({ profiles: [{ name: 'linux-gicv3-5.19+', weight: 1 }], vcpus: 2, durationSec: 0.4, revision: 3, hostKernel: '6.1' });
    expect(sys(acc, '3,1,0,0,1')).toEqual([]);
    expect(sys(acc, '3,0,0,4,0').length).toBe(2);
  });

  it('runtime: IPIs as ICC_SGI1R_EL1 writes, device interrupts injected by the VMM thread, set-affinity IROUTER writes', async () => {
    const { acc, text } = await run({ profiles: [{ name: 'linux-gicv3-5.19+', weight: 1 }], vcpus: 2, durationSec: 3, seed: 3 });
    expect(sys(acc, '3,0,12,11,5', 'W').length).toBeGreaterThan(10);
    expect(text).toMatch(/qemu-system-aar-\d+ +\( *\d+\) \[\d{3}\] \.\.\.\.\. +\d+\.\d{6}: vgic_update_irq_pending: VCPU: 0, IRQ (4[89]|5[01]), level: 1/);
    expect(text).toMatch(/CPU \d\/KVM-\d+ +\( *\d+\) \[\d{3}\] d\.\.1\. +\d+\.\d{6}: vgic_update_irq_pending: VCPU: \d, IRQ 27, level: 1/);
  });
});

describe('linux-gicv2', () => {
  it('no IGROUPR accesses; GICD_SGIR IPIs; ITARGETSR routing; GICv2 TYPER', async () => {
    const { acc } = await run({ profiles: [{ name: 'linux-gicv2', weight: 1 }], vcpus: 3, durationSec: 1.5 });
    expect([...mmioIn(acc, 'W', D + 0x80, D + 0x100), ...mmioIn(acc, 'R', D + 0x80, D + 0x100)]).toEqual([]);
    expect(vals(mmio(acc, 'R', D + 0x4))).toEqual(['0x48']); // ITLinesNumber 8, CPUNumber 2
    const sgir = mmio(acc, 'W', D + 0xf00);
    expect(sgir.length).toBeGreaterThan(5);
    for (const s of sgir) {
      expect(Number(s.val & 0xfn)).toBeLessThanOrEqual(6);
      expect(Number((s.val >> 16n) & 0xffn) & ~0x7).toBe(0);
    }
    expect(new Set(vals(mmioIn(acc, 'W', D + 0x820, D + 0x800 + N)).filter((x) => x.length > 4))).toEqual(new Set(['0x1010101']));
    expect(mmioIn(acc, 'W', 0x080a0000, 0x09000000)).toEqual([]); // no redistributor
    expect(vals(mmio(acc, 'W', D))).toEqual(['0x0', '0x1']);
  });
});

describe('freebsd', () => {
  it('IGROUPR 0xFFFFFFFF for SPIs, ARE_NS|G1A|G1, IROUTER to CPU 0, SGIs enabled per CPU, ICC_SGI1R IPIs', async () => {
    const { acc } = await run({ profiles: [{ name: 'freebsd', weight: 1 }], vcpus: 2, durationSec: 2 });
    const groups = mmioIn(acc, 'W', D + 0x80, D + 0x100);
    expect(groups.map((x) => x.gpa)).toEqual(IGROUPR_SPI_WORDS);
    expect(new Set(vals(groups))).toEqual(new Set(['0xffffffff']));
    expect(vals(mmio(acc, 'W', D))).toEqual(['0x0', '0x13']);
    expect(mmioIn(acc, 'W', D + 0x6100, D + 0x6000 + 8 * N).length).toBeGreaterThanOrEqual(N - 32);
    for (let i = 0; i < 2; i++) {
      expect(vals(mmio(acc, 'W', S(i) + 0x80))).toEqual(['0xffffffff']);
      expect(vals(mmio(acc, 'W', S(i) + 0x100))[0]).toBe('0xffff');
    }
    expect(sys(acc, '3,0,12,11,5', 'W').length).toBeGreaterThan(0);
  });
});

describe('zephyr-secure', () => {
  const zephyr = (rev: 1 | 2 | 3) => run({ profiles: [{ name: 'zephyr-secure', weight: 1 }], vcpus: 2, durationSec: 0.8, revision: rev });

  it('writes 0 to every SPI IGROUPR and to GICR_IGROUPR0, ~0 to IGRPMODR', async () => {
    const { acc } = await zephyr(3);
    const groups = mmioIn(acc, 'W', D + 0x80, D + 0x100);
    expect(groups.map((x) => x.gpa)).toEqual(IGROUPR_SPI_WORDS);
    expect(new Set(vals(groups))).toEqual(new Set(['0x0']));
    expect(new Set(vals(mmioIn(acc, 'W', D + 0xd04, D + 0xd00 + N / 8)))).toEqual(new Set(['0xffffffff']));
    for (let i = 0; i < 2; i++) {
      expect(vals(mmio(acc, 'W', S(i) + 0x80))).toEqual(['0x0']);
      expect(vals(mmio(acc, 'W', S(i) + 0xd00))).toEqual(['0xffffffff']);
    }
  });

  it('rev 2/3: its timer lands in Group 0 and the guest stops; rev 1: it runs on timer interrupts', async () => {
    for (const rev of [2, 3] as const) {
      const { text } = await zephyr(rev);
      expect(text).not.toContain('kvm_exit: IRQ');
      expect(text.match(/IRQ 27, level: 1/g)).toHaveLength(2); // one raised line per sleeping vCPU
      expect(text.match(/kvm_wfx_arm64/g)).toHaveLength(2);
    }
    const { text, acc } = await zephyr(1);
    expect((text.match(/IRQ 27, level: 1/g) ?? []).length).toBeGreaterThan(20);
    expect((text.match(/kvm_exit: IRQ/g) ?? []).length).toBeGreaterThan(20);
    expect(sys(acc, '3,0,12,11,5', 'W').length).toBeGreaterThan(0);
  });
});

describe('edk2 before Linux', () => {
  it('set/way walk with CLIDR/CSSELR/CCSIDR and DC CISW, DS-gated IGROUPR writes, ExitBootServices disable, then Linux', async () => {
    const { acc } = await run({ profiles: [{ name: 'edk2', weight: 1 }], vcpus: 2, durationSec: 1.5, seed: 2 });
    const psci = hvc(acc, 0x84000000);
    expect(psci).toHaveLength(1);
    const fw = acc.filter((x) => x.index < psci[0]!.index);
    expect(sys(fw, '3,1,0,0,1', 'R')).toHaveLength(2); // CLIDR, one walk at start, one at ExitBootServices
    expect(sys(fw, '3,2,0,0,0', 'W')).toHaveLength(4); // CSSELR = level << 1, then 0
    expect(sys(fw, '3,1,0,0,0', 'R')).toHaveLength(2); // CCSIDR: L1 only (fabricated CLIDR)
    const dcisw = sys(fw, '1,0,7,14,2', 'W');
    expect(dcisw).toHaveLength(2); // 1 set x 1 way
    expect(dcisw[0]!.name).toBe('SYS_DC_CISW');
    expect(new Set(vals(mmioIn(fw, 'W', D + 0x80, D + 0x100)))).toEqual(new Set(['0xffffffff']));
    expect(vals(mmio(fw, 'W', S(0) + 0x80))).toEqual(['0xffffffff']);
    expect(vals(mmio(fw, 'W', D)).at(-1)).toBe('0x0'); // ExitBootServices
    expect(mmio(fw, 'R', D + 0x400 + 40).length).toBeGreaterThan(0); // per-INTID priority RMW
    const os = acc.filter((x) => x.index > psci[0]!.index);
    expect(vals(mmio(os, 'W', D))).toEqual(['0x0', '0x13']);
  });

  it('on a pre-6.3 host the cache-ID reads do not trap and the walk runs sets × ways DC CISW traps', async () => {
    const { acc } = await run({ profiles: [{ name: 'edk2', weight: 1 }], vcpus: 1, durationSec: 0.12, revision: 2, hostKernel: '5.15' });
    expect(sys(acc, '3,1,0,0,1')).toEqual([]);
    expect(sys(acc, '3,1,0,0,0')).toEqual([]);
    expect(sys(acc, '1,0,7,14,2', 'W')).toHaveLength(256 * 2 + 1024 * 16);
  });
});

describe('every VM makes one PSCI_VERSION call, early', () => {
  it('in a mixed fleet', async () => {
    const { acc } = await run({ profiles: [{ name: 'linux-gicv3', weight: 1 }, { name: 'linux-gicv3-5.19+', weight: 1 }, { name: 'linux-gicv2', weight: 1 }, { name: 'freebsd', weight: 1 }, { name: 'zephyr-secure', weight: 1 }], vms: 5, vcpus: 2, durationSec: 0.4 });
    const byVm = new Map<number, Access[]>();
    for (const a of acc) byVm.set(a.tgid, [...(byVm.get(a.tgid) ?? []), a]);
    expect(byVm.size).toBe(5);
    for (const [, list] of byVm) {
      expect(hvc(list, 0x84000000)).toHaveLength(1);
      expect(list[0]!.kind === 'hvc' && list[0]!.r0).toBe(0x84000000);
    }
  });
});

describe('VMM platforms', () => {
  it("each VM's GIC accesses use its VMM's map (src/gic/platforms.ts); QEMU-only guests fall back to qemu", async () => {
    const { text, result } = await generateText({
      profiles: [{ name: 'linux-gicv3-5.19+', weight: 1 }, { name: 'zephyr-secure', weight: 1 }],
      vmm: [{ name: 'firecracker', weight: 2 }, { name: 'cloud-hypervisor', weight: 2 }, { name: 'qemu', weight: 1 }],
      vms: 4, vcpus: 3, durationSec: 0.3,
    });
    const acc = accesses(parseFtrace(text));
    for (const vm of result.vms) {
      if (vm.profiles[0] === 'zephyr-secure') expect(vm.vmm).toBe('qemu');
      const blocks = platformForVmm(vm.vmm).blocks({ gicVersion: 3, nrVcpus: 3, its: vm.gic.its });
      const gicd = blocks.find((b) => b.block === 'GICD')!.base;
      const gicr = blocks.find((b) => b.block === 'GICR')!.base;
      const mine = acc.filter((a) => a.tgid === vm.tgid);
      expect(mmio(mine, 'R', gicd + 0x4).length).toBeGreaterThan(0);
      for (let i = 0; i < 3; i++) expect(mmio(mine, 'R', gicr + i * 0x20000 + 0x8).length).toBeGreaterThan(0);
      const nr = platformForVmm(vm.vmm).nrIrqs;
      expect(new Set(vals(mmio(mine, 'R', gicd + 0x4)))).toEqual(new Set([hex(((nr >>> 5) - 1) | (vm.gic.its ? 0x7a0000 : 0x480000))]));
    }
    expect(new Set(result.vms.map((v) => v.vmm))).toEqual(new Set(['firecracker', 'cloud-hypervisor', 'qemu']));
  });
});
