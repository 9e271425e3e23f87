import { describe, expect, it } from 'vitest';
import { FRAMES, findByName, lookupOffset, REGISTER_NAMES, GICD_V3, GICR_V3, GICD_V2 } from '../../src/gic/catalogue.ts';
import { findRegister, firstIntid, validateTable } from '../../src/gic/descriptor.ts';
import { decodeAddress } from '../../src/gic/decode.ts';
import { platformById } from '../../src/gic/platforms.ts';
import { smcccById, smcccByName, smcccName, psciCallDefinedAt } from '../../src/gic/smccc.ts';
import { encodingOf, SYSREGS, sysregByEncoding, sysregName } from '../../src/gic/sysregs.ts';
import { sysregEncoding } from '../../src/model/codes.ts';

describe('register tables', () => {
  it('every frame is sorted, non-overlapping and word-aligned', () => {
    for (const f of FRAMES) expect(() => validateTable(f)).not.toThrow();
  });

  it('the offset table and the binary search agree on every word of every frame', () => {
    for (const f of FRAMES) for (let off = 0; off < f.size; off += 4) expect(lookupOffset(f, off)?.name).toBe(findRegister(f, off)?.name);
  });

  it('names registers as the spec does, with the INTID an access starts at', () => {
    const at = (f: typeof GICD_V3, off: number) => { const r = lookupOffset(f, off)!; return [r.name, firstIntid(r, off)]; };
    expect(at(GICD_V3, 0x84)).toEqual(['GICD_IGROUPR', 32]);
    expect(at(GICD_V3, 0x6100)).toEqual(['GICD_IROUTER', 32]);
    expect(at(GICD_V3, 0x6104)).toEqual(['GICD_IROUTER', 32]);
    expect(at(GICD_V3, 0x423)).toEqual(['GICD_IPRIORITYR', 35]);
    expect(at(GICD_V3, 0xc08)).toEqual(['GICD_ICFGR', 32]);
    expect(at(GICD_V3, 0xd04)).toEqual(['GICD_IGRPMODR', 32]);
    expect(at(GICD_V3, 0x804)).toEqual(['GICD_ITARGETSR', 4]);
    expect(at(GICR_V3, 0x10080)).toEqual(['GICR_IGROUPR0', 0]);
    expect(at(GICR_V3, 0x10c04)).toEqual(['GICR_ICFGR1', 16]);
    expect(at(GICR_V3, 0x1041c)).toEqual(['GICR_IPRIORITYR', 28]);
    expect(at(GICD_V2, 0xf00)).toEqual(['GICD_SGIR', -1]);
    expect(lookupOffset(GICD_V3, 0xffe8)!.name).toBe('GICD_PIDR2');
    expect(lookupOffset(GICR_V3, 0xa0)!.name).toBe('GICR_INVLPIR');
    expect(lookupOffset(GICD_V3, 0x14)).toBeUndefined();
  });

  it('per-IRQ arrays are bpi × 1024 / 8 bytes long', () => {
    for (const name of ['GICD_IGROUPR', 'GICD_IPRIORITYR', 'GICD_ICFGR', 'GICD_IROUTER']) {
      const r = GICD_V3.registers.find((x) => x.name === name)!;
      expect(r.length).toBe((r.bitsPerIrq * 1024) / 8);
    }
  });

  it('register names are unique ids; 16-bit access is never allowed', () => {
    expect(new Set(REGISTER_NAMES).size).toBe(REGISTER_NAMES.length);
    for (const f of FRAMES) for (const r of f.registers) expect(r.widths).not.toContain(16);
  });

  it('finds registers by name, plain or indexed', () => {
    expect(findByName('GICD_IROUTER').map((m) => m.frame.id)).toEqual(['gicd-v3']);
    expect(findByName('gicd_ctlr').map((m) => m.frame.id)).toEqual(['gicd-v3', 'gicd-v2']);
    const idx = findByName('GICD_IGROUPR3');
    expect(idx[0]).toMatchObject({ index: 3 });
    expect(findByName('GICR_IGROUPR0')[0]!.index).toBeNull();
    expect(findByName('NOPE')).toEqual([]);
  });

  it('marks the ITS registers KVM has no region for as not implemented (its_registers[])', () => {
    const gits = FRAMES.find((f) => f.id === 'gits-v3')!.registers;
    const absent = gits.filter((r) => r.implemented === false).map((r) => r.name);
    expect(absent).toEqual(['GITS_MPAMIDR', 'GITS_PARTIDR', 'GITS_MPIDR', 'GITS_STATUSR', 'GITS_UMSIR', 'GITS_TRANSLATER']);
    expect(gits.filter((r) => r.implemented !== false).map((r) => r.name).slice(0, 7))
      .toEqual(['GITS_CTLR', 'GITS_IIDR', 'GITS_TYPER', 'GITS_CBASER', 'GITS_CWRITER', 'GITS_CREADR', 'GITS_BASER']);
  });

  it('indexes fixed word arrays too, and no index beyond an array', () => {
    expect(findByName('GICD_CPENDSGIR1').map((m) => [m.frame.id, m.index])).toEqual([['gicd-v3', 1], ['gicd-v2', 1]]);
    expect(findByName('GICC_APR3').map((m) => m.index)).toEqual([3]);
    expect(findByName('GICD_ITARGETSR255').map((m) => m.index)).toEqual([255, 255]); // both distributors
    expect(findByName('GICD_ITARGETSR256')).toEqual([]);
    expect(findByName('GICD_SPENDSGIR4')).toEqual([]);
    expect(findByName('GICD_IGROUPR32')).toEqual([]);
    expect(findByName('GICD_IROUTER1019').map((m) => m.index)).toEqual([1019]);
    expect(findByName('GICR_TYPER1')).toEqual([]); // one 64-bit register, not an array
    expect(findByName('GITS_BASER1').map((m) => m.index)).toEqual([1]); // 64-bit array: 8 bytes a step
    expect(findByName('GITS_BASER8')).toEqual([]);
  });
});

describe('decodeAddress', () => {
  it('GICR addresses name the redistributor and offset from its RD_base', () => {
    const blocks = platformById('qemu-virt')!.blocks({ gicVersion: 3, nrVcpus: 4, its: true });
    expect(decodeAddress(blocks, 0x80b0080)).toMatchObject({ block: 'GICR', redist: 0, reg: 'GICR_IGROUPR0', offset: 0x10080, irq: 0 });
    expect(decodeAddress(blocks, 0x80c0008)).toMatchObject({ block: 'GICR', redist: 1, reg: 'GICR_TYPER', offset: 8 });
    // RAZ/WI per-IRQ registers name their INTIDs like the distributor's (IGRPMODR 1 bit, NSACR 2 bits per IRQ)
    expect(decodeAddress(blocks, 0x80b0d00)).toMatchObject({ reg: 'GICR_IGRPMODR0', irq: 0 });
    expect(decodeAddress(blocks, 0x80b0e00)).toMatchObject({ reg: 'GICR_NSACR', irq: 0 });
    expect(decodeAddress(blocks, 0x8006108)).toMatchObject({ block: 'GICD', reg: 'GICD_IROUTER', irq: 33 });
    expect(decodeAddress(blocks, 0x8080008)).toMatchObject({ block: 'GITS', reg: 'GITS_TYPER' });
    expect(decodeAddress(blocks, 0x9000000)).toMatchObject({ block: 'OTHER', reg: null });
  });

  it('a 4 KiB GICD decodes as GICv2', () => {
    const blocks = platformById('qemu-virt')!.blocks({ gicVersion: 2, nrVcpus: 2, its: true });
    expect(decodeAddress(blocks, 0x8000f00)).toMatchObject({ reg: 'GICD_SGIR' });
    expect(decodeAddress(blocks, 0x8000820)).toMatchObject({ reg: 'GICD_ITARGETSR', irq: 32 });
    expect(decodeAddress(blocks, 0x8011000)).toMatchObject({ block: 'GICC', reg: 'GICC_DIR' });
    expect(decodeAddress(blocks, 0x8020040)).toMatchObject({ block: 'GICV2M', reg: 'MSI_SETSPI_NS' });
    // one byte per SGI (vgic.md §7.1): byte i of the word at 0xF10 + 4k is SGI 4k + i
    expect(decodeAddress(blocks, 0x8000f13)).toMatchObject({ reg: 'GICD_CPENDSGIR', irq: 3 });
    expect(decodeAddress(blocks, 0x8000f24)).toMatchObject({ reg: 'GICD_SPENDSGIR', irq: 4 });
    expect(decodeAddress(blocks, 0x8000f2f)).toMatchObject({ reg: 'GICD_SPENDSGIR', irq: 15 });
    expect(decodeAddress(blocks, 0x8000e08)).toMatchObject({ reg: 'GICD_NSACR', irq: 32 }); // 2 bits per IRQ, as on GICv3
  });
});

describe('system registers', () => {
  it('names the whole ID space (3,0,0,0..7,0..7) and the spec\'s registers', () => {
    for (let crm = 0; crm < 8; crm++) for (let op2 = 0; op2 < 8; op2++) expect(sysregByEncoding(sysregEncoding(3, 0, 0, crm, op2))).toBeDefined();
    expect(sysregName(sysregEncoding(3, 0, 0, 4, 0))).toBe('ID_AA64PFR0_EL1');
    expect(sysregName(sysregEncoding(3, 0, 0, 7, 2))).toBe('ID_AA64MMFR2_EL1');
    expect(sysregName(sysregEncoding(3, 1, 0, 0, 1))).toBe('CLIDR_EL1');
    expect(sysregName(sysregEncoding(3, 1, 0, 0, 0))).toBe('CCSIDR_EL1');
    expect(sysregName(sysregEncoding(3, 1, 0, 0, 2))).toBe('CCSIDR2_EL1');
    expect(sysregName(sysregEncoding(3, 2, 0, 0, 0))).toBe('CSSELR_EL1');
    expect(sysregName(sysregEncoding(3, 3, 0, 0, 1))).toBe('CTR_EL0');
    expect(sysregName(sysregEncoding(3, 0, 0, 0, 6))).toBe('REVIDR_EL1');
    expect(sysregName(sysregEncoding(3, 1, 0, 0, 7))).toBe('AIDR_EL1');
    expect(sysregName(sysregEncoding(3, 0, 12, 11, 5))).toBe('ICC_SGI1R_EL1');
    expect(sysregName(sysregEncoding(3, 0, 12, 11, 6))).toBe('ICC_ASGI1R_EL1');
    expect(sysregName(sysregEncoding(3, 0, 12, 11, 7))).toBe('ICC_SGI0R_EL1');
    expect(sysregName(sysregEncoding(1, 0, 7, 6, 2))).toBe('DC_ISW');
    expect(sysregName(sysregEncoding(1, 0, 7, 10, 2))).toBe('DC_CSW');
    expect(sysregName(sysregEncoding(1, 0, 7, 14, 2))).toBe('DC_CISW');
    expect(sysregName(sysregEncoding(3, 0, 2, 0, 3))).toBe('TCR2_EL1');
    expect(sysregName(sysregEncoding(3, 0, 10, 2, 2))).toBe('PIRE0_EL1');
    expect(sysregName(sysregEncoding(3, 0, 10, 2, 3))).toBe('PIR_EL1');
    expect(sysregName(sysregEncoding(2, 0, 0, 15, 7))).toBe('DBGWCR15_EL1');
    expect(sysregName(sysregEncoding(3, 3, 14, 15, 6))).toBe('PMEVTYPER30_EL0');
    expect(sysregName(sysregEncoding(3, 3, 14, 11, 6))).toBe('PMEVCNTR30_EL0');
    expect(sysregName(sysregEncoding(3, 5, 15, 2, 3))).toBe('S3_5_C15_C2_3');
  });

  it('encodings are unique and round-trip', () => {
    const encs = SYSREGS.map(encodingOf);
    expect(new Set(encs).size).toBe(encs.length);
  });
});

describe('SMCCC functions', () => {
  it('names and gates', () => {
    expect(smcccById(0x84000000)!.name).toBe('PSCI_VERSION');
    expect(smcccById(0xc4000003)!.name).toBe('PSCI_CPU_ON64');
    expect(smcccById(0xc4000012)!.name).toBe('PSCI_SYSTEM_RESET2_64');
    expect(smcccByName('TRNG_RND64')).toMatchObject({ id: 0xc4000053, gate: { register: 'KVM_REG_ARM_STD_BMAP', bit: 0 } });
    expect(smcccById(0x86000001)!.gate).toMatchObject({ register: 'KVM_REG_ARM_VENDOR_HYP_BMAP', bit: 1 });
    expect(smcccById(0xc6000041)!.gate).toMatchObject({ register: 'KVM_REG_ARM_VENDOR_HYP_BMAP_2', bit: 1 });
    expect(smcccById(0x80000000)!.gate).toBeUndefined();
    expect(smcccName(0xc7000005)).toBe('SMCCC_64_OWNER7_0x5');
  });

  it('knows the PSCI version each call needs', () => {
    const off2 = smcccById(0xc4000015)!;
    expect(psciCallDefinedAt(off2, 0x10001)).toBe(false);
    expect(psciCallDefinedAt(off2, 0x10003)).toBe(true);
    expect(psciCallDefinedAt(smcccById(0x84000012)!, 0x10000)).toBe(false);
    expect(psciCallDefinedAt(smcccById(0x8400000a)!, 0x10000)).toBe(true);
  });
});
