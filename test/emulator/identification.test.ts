import { describe, expect, it } from 'vitest';
import { VgicHarness } from '../../src/emulator/harness.ts';

const h = (revision: string, extra: Partial<ConstructorParameters<typeof VgicHarness>[0]> = {}) => new VgicHarness({ revision, ...extra });

describe('identification registers', () => {
  it.each([['0', 0x4b00043b], ['1', 0x4b00143b], ['2', 0x4b00243b], ['3', 0x4b00343b]])('GICD_IIDR under rev %s reads %s', (rev, iidr) => {
    expect(h(rev).read('GICD', 0x8).value).toBe(iidr);
    expect(h(rev, { gicVersion: 2 }).read('GICD', 0x8).value).toBe(iidr);
  });

  it('guest writes to GICD_IIDR are ignored', () => {
    const g = h('2');
    g.write('GICD', 0x8, 0x4b00143b);
    expect(g.read('GICD', 0x8).value).toBe(0x4b00243b);
  });

  it('GICR_IIDR is 0x4B00043B whatever the revision', () => {
    for (const rev of ['0', '1', '2', '3']) expect(h(rev).read('GICR', 0x4, 4, 1).value).toBe(0x4b00043b);
  });

  it('GICD_PIDR2 and GICR_PIDR2 read 0x3B, the other ID registers 0', () => {
    const g = h('3');
    expect(g.read('GICD', 0xffe8).value).toBe(0x3b);
    expect(g.read('GICR', 0xffe8).value).toBe(0x3b);
    for (const off of [0xffd0, 0xffe0, 0xffe4, 0xffec, 0xfff0, 0xfffc]) expect(g.read('GICD', off).value).toBe(0);
  });

  it('the GICv2 distributor has no ID registers', () => {
    expect(h('3', { gicVersion: 2 }).read('GICD', 0xfe8).value).toBe(0);
  });

  it.each([
    [256, false, 0x00480007], [256, true, 0x007a0007], [288, false, 0x00480008], [288, true, 0x007a0008],
  ])('GICv3 GICD_TYPER with %i IRQs, ITS %s = %s', (nrIrqs, its, typer) => {
    expect(h('3', { nrIrqs, its }).read('GICD', 0x4).value).toBe(typer);
  });

  it('GICv2 GICD_TYPER: 4 vCPUs and 256 IRQs read 0x67', () => {
    expect(h('2', { gicVersion: 2, nrVcpus: 4, nrIrqs: 256 }).read('GICD', 0x4).value).toBe(0x67);
    expect(h('2', { gicVersion: 2, nrVcpus: 1, nrIrqs: 64 }).read('GICD', 0x4).value).toBe(0x1);
  });

  it('GICD_TYPER2 reads 0 without GICv4.1 vSGIs; GICD_STATUSR reads all ones', () => {
    const g = h('3');
    expect(g.read('GICD', 0xc).value).toBe(0);
    expect(g.read('GICD', 0x10).value).toBe(0xffffffff);
    g.write('GICD', 0x10, 0);
    expect(g.read('GICD', 0x10).value).toBe(0xffffffff);
  });

  it('GICR_TYPER: affinity in [63:32], processor number, Last on the last vCPU, PLPIS with an ITS', () => {
    const g = h('3', { nrVcpus: 18, its: true });
    const t17 = g.read('GICR', 0x8, 8, 17);
    expect(t17.high).toBe(0x00000101);
    expect(t17.value).toBe((17 << 8) | 0x10 | 1);
    const t3 = g.read('GICR', 0x8, 8, 3);
    expect(t3.high).toBe(0x3);
    expect(t3.value).toBe((3 << 8) | 1);
    // 32-bit halves return the bytes at addr & 7.
    expect(g.read('GICR', 0xc, 4, 17).value).toBe(0x101);
    expect(g.read('GICR', 0x8, 4, 17).value).toBe((17 << 8) | 0x11);
    const noIts = h('3', { nrVcpus: 2, its: false });
    expect(noIts.read('GICR', 0x8, 8, 0).value & 1).toBe(0);
    // GICR_TYPER ignores writes.
    g.write('GICR', 0x8, 0, 8, 17);
    expect(g.read('GICR', 0xc, 4, 17).value).toBe(0x101);
  });
});
