/**
 * Read values: the generator answers reads with the project's emulator; an independent reference
 * model (./reference-model, written separately from vgic.md and used only here, as a differential
 * oracle) must agree on every generated trace (byte-identical output), and both return vgic.md's
 * values for the registers the profiles read.
 */
import { describe, expect, it } from 'vitest';
import { EmulatorGicModel } from '../../src/generate/values/emulator-model.ts';
import type { GicConfig, GicValueModel } from '../../src/generate/values/gic-value-model.ts';
import { ItsModel } from '../../src/generate/values/its.ts';
import { U64 } from '../../src/generate/values/u64.ts';
import { VgicV2Model } from './helpers/reference-model/vgic-v2.ts';
import { VgicV3Model } from './helpers/reference-model/vgic-v3.ts';
import { generateText } from './helpers/generate.ts';

const D = 0x08000000;
const RD = 0x080a0000;
const config = (version: 2 | 3, rev: number, vcpus = 4, its = true): GicConfig => ({
  version, rev, host: 6006, vcpus, nrIrqs: 288, its: version === 3 && its, gicd: D, gicr: RD, gits: 0x08080000, gicc: 0x08010000,
});
const models = (version: 2 | 3, rev: number, vcpus = 4, its = true): Array<[string, GicValueModel]> => [
  ['emulator', new EmulatorGicModel(config(version, rev, vcpus, its))],
  ['reference', version === 3 ? new VgicV3Model(config(version, rev, vcpus, its)) : new VgicV2Model(config(version, rev, vcpus, its))],
];
const read = (m: GicValueModel, gpa: number, len = 4, vcpu = 0): bigint => {
  const o = new U64();
  m.read(vcpu, gpa, len, o);
  return (BigInt(o.hi) << 32n) | BigInt(o.lo);
};

describe('vGICv3 values per revision (both models)', () => {
  for (const rev of [1, 2, 3]) {
    for (const [name, m] of models(3, rev)) {
      it(`rev ${rev}, ${name}`, () => {
        expect(read(m, D + 0x8)).toBe(BigInt(0x4b00043b | (rev << 12)));
        expect(read(m, D + 0x4)).toBe(0x7a0008n); // 288 IRQs, ITS
        expect(read(m, D + 0xffe8)).toBe(0x3bn);
        expect(read(m, D)).toBe(0x50n);
        m.write(0, D, 4, 0x13, 0);
        expect(read(m, D)).toBe(0x52n);
        expect(read(m, RD)).toBe(rev >= 3 ? 0x6n : 0n);
        expect(read(m, RD + 0x8, 8)).toBe(0x1n); // vCPU 0: PLPIS
        expect(read(m, RD + 3 * 0x20000 + 0x8, 8)).toBe((3n << 32n) | 0x311n); // last vCPU: aff 3, processor 3, Last, PLPIS
        expect(read(m, D + 0x84)).toBe(0xffffffffn);
        m.write(0, D + 0x84, 4, 0, 0);
        expect(read(m, D + 0x84)).toBe(rev >= 2 ? 0n : 0xffffffffn); // rev 1 ignores IGROUPR writes
        m.write(1, RD + 0x20000 + 0x10080, 4, 0, 0);
        expect(read(m, RD + 0x20000 + 0x10080)).toBe(rev >= 2 ? 0n : 0xffffffffn);
        expect(m.deliverable(1, 27, 0b10)).toBe(false); // PPI 27 still disabled
        m.write(1, RD + 0x20000 + 0x10100, 4, 1 << 27, 0);
        expect(m.deliverable(1, 27, 0b10)).toBe(rev < 2); // Group 0 after the write on rev >= 2
        expect(m.deliverable(1, 27, 0b01)).toBe(rev >= 2);
        m.write(0, D + 0x420, 4, 0xffa0a0a0, 0);
        expect(read(m, D + 0x420)).toBe(0xf8a0a0a0n); // priority & 0xF8
        m.write(0, D + 0x6000 + 8 * 40, 8, 0x2, 0xffffffff);
        expect(read(m, D + 0x6000 + 8 * 40, 8)).toBe(0x2n); // affinity only
        expect(read(m, D + 0x4, 2)).toBe(0n); // 2-byte accesses are RAZ
        expect(read(m, RD + 0x10c00)).toBe(0xaaaaaaaan); // SGIs edge
      });
    }
  }
});

describe('vGICv2 values', () => {
  for (const rev of [1, 2, 3]) {
    for (const [name, m] of models(2, rev, 3)) {
      it(`rev ${rev}, ${name}`, () => {
        expect(read(m, D + 0x4)).toBe(0x48n);
        expect(read(m, D + 0x8)).toBe(BigInt(0x4b00043b | (rev << 12)));
        expect(read(m, D + 0x80)).toBe(0n); // Group 0 at reset (rev >= 1)
        m.write(0, D + 0x84, 4, 0xffffffff, 0);
        expect(read(m, D + 0x84)).toBe(rev >= 2 ? 0xffffffffn : 0n);
        expect(read(m, D + 0x800, 4, 2)).toBe(0x04040404n); // private targets: 1 << vcpu
        m.write(0, D, 4, 1, 0);
        m.write(0, D + 0x100, 4, 1 << 27, 0);
        expect(m.deliverable(0, 27, 0b01)).toBe(true);
      });
    }
  }
});

describe('ITS registers (vgic-its.c)', () => {
  it('TYPER, IIDR, PIDR2, BASER sanitising, command queue', () => {
    const its = new ItsModel(0x08080000);
    const r = (off: number, len = 8): bigint => {
      const o = new U64();
      its.read(0x08080000 + off, len, o);
      return (BigInt(o.hi) << 32n) | BigInt(o.lo);
    };
    expect(r(0x8)).toBe(0x1ef71n);
    expect(r(0x4, 4)).toBe(0x4b00043bn);
    expect(r(0xffe8, 4)).toBe(0x3bn);
    expect(r(0x100)).toBe(0x1907000000000600n); // device table: RaWb, type 1, 8-byte entries, 64K pages
    its.write(0x08080100, 8, 0x400, 0x78000000); // Indirect probe, 4K-page request
    expect(r(0x100)).toBe(0x7907000000000600n); // Indirect kept, 64K forced
    its.write(0x08080108, 8, 0x400, 0x78000000);
    expect(r(0x108)).toBe(0x3c07000000000600n); // collection table: Indirect cleared
    expect(r(0x110)).toBe(0n);
    expect(r(0x0, 4)).toBe(0x80000000n); // quiescent, disabled
    its.write(0x08080000, 4, 1, 0); // enable refused: tables not valid
    expect(r(0x0, 4)).toBe(0x80000000n);
    its.write(0x08080100, 8, 0x42590600, 0xb9070000);
    its.write(0x08080108, 8, 0x425a0600, 0xbc070000);
    its.write(0x08080080, 8, 0x4258040f, 0xb8000000);
    its.write(0x08080000, 4, 0x80000001, 0);
    expect(r(0x0, 4)).toBe(0x80000001n);
    its.write(0x08080088, 8, 0x40, 0);
    expect(r(0x90)).toBe(0x40n); // processed synchronously
  });
});

describe('the emulator and the reference model agree on every generated read', () => {
  const cases: Array<[string, 1 | 2 | 3]> = [];
  for (const p of ['linux-gicv3', 'linux-gicv3-5.19+', 'linux-gicv2', 'freebsd', 'edk2', 'zephyr-secure']) for (const rev of [1, 2, 3] as const) cases.push([p, rev]);
  it.each(cases)('%s under rev %i', async (profile, rev) => {
    const o = { profiles: [{ name: profile, weight: 1 }], vms: 1, vcpus: 3, durationSec: 0.5, revision: rev, hostKernel: '6.6', seed: rev };
    const a = await generateText(o); // the default: the project's emulator
    const b = await generateText({ ...o, valueModel: (c) => (c.version === 3 ? new VgicV3Model(c) : new VgicV2Model(c)) });
    const la = a.text.split('\n');
    const lb = b.text.split('\n');
    const first = la.findIndex((l, i) => l !== lb[i]);
    expect(first === -1 ? null : `${la[first]}\n${lb[first]}`).toBeNull();
    expect(la.length).toBe(lb.length);
  });
});
