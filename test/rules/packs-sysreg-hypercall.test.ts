/**
 * Cache-geometry, PSCI, hypercall-bitmap and new-trap rule packs on real trace text imported
 * through the importer: exact findings, coverage, and what absence proves per host kernel.
 */
import { describe, expect, it } from 'vitest';
import { changeCounts, findingTuples, ImportedFixture } from './helpers/import-fixture.ts';

async function checkFixture(file: string, change: string, hostKernel?: string) {
  const f = await ImportedFixture.create([`${change}/${file}`]);
  try {
    const report = await f.check([change], hostKernel ? { hostKernel } : {});
    return { report, findings: findingTuples(report), counts: changeCounts(report, change) };
  } finally {
    f.close();
  }
}

const GEOMETRY = ': the geometry these return changed in 6.3 (fabricated by KVM) unless the VMM restores it';

describe('cache-geometry', () => {
  it('finds U-Boot set/way walks and Linux CLIDR reads; absence counts only on a 6.3+ host', async () => {
    const expected = [
      ['cache-id-access', '4242', 0, 3, 24, `CLIDR_EL1 read ×3${GEOMETRY}`],
      ['cache-id-access', '4242', 1, 3, 36, `CLIDR_EL1 read ×3${GEOMETRY}`],
      ['cache-id-access', '7000', 0, 4, 6, `CCSIDR_EL1 read ×1, CLIDR_EL1 read ×1, CSSELR_EL1 write ×2${GEOMETRY}`],
      ['set-way-maintenance', '7000', 0, 1, 15, 'DC CISW ×1: set/way walk; its length follows the cache geometry KVM reports (1 set x 1 way per level from 6.3)'],
    ];
    const f = await ImportedFixture.create(['cache-geometry/uboot-linux-6.6-host.trace']);
    try {
      const newHost = await f.check(['cache-geometry'], { hostKernel: '6.6' });
      expect(findingTuples(newHost)).toEqual(expected);
      expect(changeCounts(newHost, 'cache-geometry')).toEqual([3, 2, 0, 0, 1, 0, 0]); // VM 4400 traps ID registers but never read CLIDR
      expect(newHost.changes[0]!.notes).toEqual(['host kernel 6.6 ≥ 6.3 traps these accesses']);

      const oldHost = await f.check(['cache-geometry'], { hostKernel: '6.1' });
      expect(findingTuples(oldHost)).toEqual(expected);
      expect(changeCounts(oldHost, 'cache-geometry')).toEqual([3, 2, 0, 0, 0, 0, 1]);
      expect(oldHost.changes[0]!.notes).toEqual(['host kernel 6.1 < 6.3 does not trap these accesses: absence proves nothing']);

      const unknownHost = await f.check(['cache-geometry']);
      expect(changeCounts(unknownHost, 'cache-geometry')).toEqual([3, 2, 0, 0, 0, 0, 1]);
      expect(unknownHost.changes[0]!.notes[0]).toMatch(/^absence proves nothing unless the host kernel is ≥ 6\.3/);
    } finally {
      f.close();
    }
  });
});

describe('psci-version', () => {
  it('separates probes, late functions, unimplemented optional functions and the SMC conduit', async () => {
    const { findings, counts, report } = await checkFixture('linux-6.13-smc-minimal.trace', 'psci-version');
    expect(findings).toEqual([
      ['psci-late-functions', '4242', 0, 1, 69, 'SYSTEM_OFF2_64 ×1 (PSCI 1.3, host >= 6.13): NOT_SUPPORTED (-1) when the VM\'s PSCI version is pinned lower or the host is older'],
      ['psci-late-functions', '4900', 0, 1, 87, 'SYSTEM_RESET2_64 ×1 (PSCI 1.1, host >= 5.18): NOT_SUPPORTED (-1) when the VM\'s PSCI version is pinned lower or the host is older'],
      ['psci-optional-functions', '4900', 0, 1, 84, 'MEM_PROTECT_CHECK_RANGE ×1: NOT_SUPPORTED under every PSCI version KVM offers; no outcome change'],
      ['psci-smc-conduit', '4500', 0, 2, 71, '2 SMC call(s) without a traced function id: PSCI use over the SMC conduit is not evaluable'],
      ['psci-smc-conduit', '4500', 1, 1, 75, '1 SMC call(s) without a traced function id: PSCI use over the SMC conduit is not evaluable'],
      ['psci-version-probe', '4242', 0, 6, 6, 'PSCI_FEATURES ×5, PSCI_VERSION ×1: the answer is 1.0 / 1.1 / 1.3 by host kernel (< 5.18 / 5.18-6.12 / >= 6.13) or the VMM\'s pin; arguments and answers are not traced'],
    ]);
    // 4242 and 4900 differ, 4500 (SMC) is unknown, 4600 (CPU_ON + SYSTEM_OFF only) is unseen with full coverage
    expect(counts).toEqual([4, 2, 2, 1, 1, 0, 0]);
    expect(report.changes[0]!.vm_status.find((v) => v.vm === '4600')!.status).toBe('unseen-full-coverage');
  });
});

describe('hypercall-bitmaps', () => {
  it('names the bitmap register and bit of each gated call, masks r0 to 32 bits, and leaves PSCI-only guests unseen', async () => {
    const { findings, counts } = await checkFixture('kvm-services-smc-psci-only.trace', 'hypercall-bitmaps');
    const tail = ': NOT_SUPPORTED (-1) if that bit is cleared or the host predates the service';
    expect(findings).toEqual([
      ['bitmap-gated-calls', '4242', 0, 4, 6, 'VENDOR_HYP_KVM_FEATURES ×1 [KVM_REG_ARM_VENDOR_HYP_BMAP bit 0 (FUNC_FEAT)], '
        + 'VENDOR_HYP_CALL_UID ×1 [KVM_REG_ARM_VENDOR_HYP_BMAP bit 0 (FUNC_FEAT)], '
        + 'KVM_DISCOVER_IMPL_VER ×1 [KVM_REG_ARM_VENDOR_HYP_BMAP_2 bit 0 (DISCOVER_IMPL_VER; denied unless forwarded to the VMM)], '
        + `KVM_DISCOVER_IMPL_CPUS ×1 [KVM_REG_ARM_VENDOR_HYP_BMAP_2 bit 1 (DISCOVER_IMPL_CPUS; denied unless forwarded to the VMM)]${tail}`],
      ['bitmap-gated-calls', '4242', 1, 3, 18, `TRNG_VERSION ×1 [KVM_REG_ARM_STD_BMAP bit 0 (TRNG_V1_0)], TRNG_RND64 ×2 [KVM_REG_ARM_STD_BMAP bit 0 (TRNG_V1_0)]${tail}`],
      ['hypercall-smc-conduit', '4500', 0, 1, 35, '1 SMC call(s) without a traced function id: use of bitmap-gated services over the SMC conduit is not evaluable'],
    ]);
    expect(counts).toEqual([3, 1, 1, 1, 1, 0, 0]);
  });
});

describe('new-traps-unchanged-values', () => {
  it('lists REVIDR/AIDR reads as info only, never as an outcome', async () => {
    const { findings, counts, report } = await checkFixture('host-6.15.trace', 'new-traps-unchanged-values', '6.15');
    const tail = ': trapped only on 6.15+ hosts; the value is unchanged (the physical CPU\'s) - not a behaviour change';
    expect(findings).toEqual([
      ['imp-id-reg-reads', '4242', 0, 2, 6, `AIDR_EL1 read ×1, REVIDR_EL1 read ×1${tail}`],
      ['imp-id-reg-reads', '4242', 1, 1, 9, `REVIDR_EL1 read ×1${tail}`],
    ]);
    expect(report.findings.every((f) => f.level === 'touch' && f.severity === 'info')).toBe(true);
    expect(counts).toEqual([2, 1, 0, 0, 1, 0, 0]);
  });
});

describe('smccc-workaround-1', () => {
  it('finds SMCCC_ARCH_FEATURES calls per vCPU and counts the VM as unknown (argument and answer not traced)', async () => {
    const { findings, counts, report } = await checkFixture('linux-boot.trace', 'smccc-workaround-1');
    expect(findings.map((f) => f.slice(0, 5))).toEqual([
      ['arch-features-probe', '4242', 0, 2, 4],
      ['arch-features-probe', '4242', 1, 1, 8],
    ]);
    expect(String(findings[0]![5])).toMatch(/^SMCCC_ARCH_FEATURES ×2 \(HVC; argument not traced\)/);
    expect(report.findings.every((f) => f.level === 'unknown')).toBe(true);
    expect(counts).toEqual([2, 0, 0, 1, 1, 0, 0]); // 4242 unknown (a VM's status is one of touched, differs, unknown); 5300 (PSCI_VERSION only) unseen
  });
});

describe('id-registers', () => {
  it('lists reads of the ID registers whose defaults changed, with the other ID-space reads counted', async () => {
    const { findings, counts, report } = await checkFixture('linux-boot.trace', 'id-registers');
    expect(findings).toEqual([
      ['id-register-reads', '4242', 0, 3, 3, 'ID_AA64MMFR2_EL1 (CCIDX masked, 6.3), ID_AA64PFR0_EL1 (MPAM hidden, 6.13) read ×3, '
        + 'and 2 other ID-register read(s): values are not traced; whether the answer changed needs register snapshots of both hosts'],
    ]);
    expect(report.findings.every((f) => f.level === 'touch' && f.severity === 'info')).toBe(true);
    expect(counts[0]).toBe(2);
    expect(counts[1]).toBe(1); // VM 5300 read only ID_AA64ISAR0_EL1, whose default did not change
  });
});
