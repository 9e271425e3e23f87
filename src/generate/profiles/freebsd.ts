/**
 * FreeBSD arm64 guest (sys/arm64/arm64/gic_v3.c, gicv3_its.c; guests.md §3): distributor disabled,
 * SPIs to Group 1 (0xFFFFFFFF), level, highest priority (GIC_PRIORITY_MAX = 0), disabled, enabled
 * with ARE_NS | G1A | G1, every SPI routed to CPU 0; per CPU the redistributor walk, wake,
 * GICR_IGROUPR0 = 0xFFFFFFFF, PPIs disabled, SGIs enabled; IPIs through ICC_SGI1R_EL1.
 */
import type { GuestProfile, Step } from '../profile-types.ts';
import { CONSOLE_OUTPUT, ITS_COMMAND, ITS_CPU_INIT, ITS_PROBE, TIMER_TICK, VIRTIO_IRQ } from './linux-common.ts';

const ID_REGS: Step[] = [
  { sys: 'CTR_EL0', op: 'R' },
  { sys: 'ID_AA64DFR0_EL1', op: 'R' },
  { sys: 'ID_AA64DFR1_EL1', op: 'R' },
  { sys: 'ID_AA64ISAR0_EL1', op: 'R' },
  { sys: 'ID_AA64ISAR1_EL1', op: 'R' },
  { sys: 'ID_AA64ISAR2_EL1', op: 'R' },
  { sys: 'ID_AA64MMFR0_EL1', op: 'R' },
  { sys: 'ID_AA64MMFR1_EL1', op: 'R' },
  { sys: 'ID_AA64MMFR2_EL1', op: 'R' },
  { sys: 'ID_AA64PFR0_EL1', op: 'R' },
  { sys: 'ID_AA64PFR1_EL1', op: 'R' },
  { sys: 'ID_AA64ZFR0_EL1', op: 'R' },
];

/** gic_v3_redist_find / gic_v3_redist_wake / gic_v3_cpu_init on the executing CPU. */
const REDIST_INIT: Step[] = [
  { mmio: 'R', frame: 'GICR', rd: 0, off: 0xffe8 },
  { loop: 'r', from: 0, to: 'vcpus - 1', until: 'ftyperHi == aff(vcpu)', body: [{ mmio: 'R', frame: 'GICR', rd: 'r', off: 0x8, len: 8, saveHi: 'ftyperHi' }] },
  { mmio: 'R', frame: 'GICR', off: 0x14, save: 'waker' },
  { mmio: 'W', frame: 'GICR', off: 0x14, value: 'waker & ~2' },
  { mmio: 'R', frame: 'GICR', off: 0x14, save: 'waker', until: '(waker & 4) == 0' },
  { mmio: 'W', frame: 'GICR_SGI', off: 0x80, value: 0xffffffff },
  { mmio: 'W', frame: 'GICR_SGI', off: 0x180, value: 0xffff0000 },
  { mmio: 'W', frame: 'GICR_SGI', off: 0x100, value: 0x0000ffff },
  { loop: 'i', from: 0, to: 28, step: 4, body: [{ mmio: 'W', frame: 'GICR_SGI', off: '0x400 + i', value: 0 }] },
  { mmio: 'R', frame: 'GICR', off: 0x0, save: 'rctlr', until: '(rctlr & 8) == 0' },
];

const TIMER_ENABLE: Step[] = [{ mmio: 'W', frame: 'GICR_SGI', off: 0x100, value: 'bit(27)' }];

export const profile: GuestProfile = {
  name: 'freebsd',
  summary: 'FreeBSD 14-era arm64 guest, GICv3 + ITS: IGROUPR 0xFFFFFFFF, IROUTER to CPU 0, ICC_SGI1R IPIs',
  gic: { version: 3, its: true },
  enabledGroups: [1],
  code: { text: '0xffff000000400000', mmioVa: '0xffff000040000000' },
  lists: { lpis: [8192, 8193, 8194, 8195] },
  boot: [
    { hvc: 'PSCI_VERSION' },
    { hvc: 'PSCI_FEATURES' },
    { hvc: 'SMCCC_VERSION' },
    ...ID_REGS,
    { hvc: 'SMCCC_ARCH_FEATURES' }, // WORKAROUND_1 (bp hardening)
    { wait: 'rand(10000, 30000)' },
    { mmio: 'R', frame: 'GICD', off: 0x4, save: 'typer' },
    { set: { nrIrqs: 'min(((typer & 0x1f) + 1) * 32, 1020)', lpis: '(typer >> 17) & 1', directLpi: 0 } },
    { mmio: 'R', frame: 'GICD', off: 0xffe8 },
    { mmio: 'W', frame: 'GICD', off: 0x0, value: 0 },
    { mmio: 'R', frame: 'GICD', off: 0x0, save: 'ctlr', until: '(ctlr & 0x80000000) == 0' },
    { loop: 'i', from: 32, to: 'nrIrqs - 1', step: 32, body: [{ mmio: 'W', frame: 'GICD', off: '0x80 + i / 8', value: 0xffffffff }] },
    { loop: 'i', from: 32, to: 'nrIrqs - 1', step: 16, body: [{ mmio: 'W', frame: 'GICD', off: '0xc00 + i / 4', value: 0 }] },
    { loop: 'i', from: 32, to: 'nrIrqs - 1', step: 4, body: [{ mmio: 'W', frame: 'GICD', off: '0x400 + i', value: 0 }] },
    { loop: 'i', from: 32, to: 'nrIrqs - 1', step: 32, body: [{ mmio: 'W', frame: 'GICD', off: '0x180 + i / 8', value: 0xffffffff }] },
    { mmio: 'R', frame: 'GICD', off: 0x0, save: 'ctlr', until: '(ctlr & 0x80000000) == 0' },
    { mmio: 'W', frame: 'GICD', off: 0x0, value: 0x13 },
    { mmio: 'R', frame: 'GICD', off: 0x0, save: 'ctlr', until: '(ctlr & 0x80000000) == 0' },
    { loop: 'i', from: 32, to: 'nrIrqs - 1', body: [{ mmio: 'W', frame: 'GICD', off: '0x6000 + 8 * i', len: 8, value: 'aff(0)' }] },
    ...REDIST_INIT,
    { when: 'lpis', then: [...ITS_PROBE, ...ITS_CPU_INIT] },
    ...TIMER_ENABLE,
    { wait: 'rand(20000, 60000)' },
    { loop: 'v', from: 1, to: 'vcpus - 1', body: [{ hvc: 'CPU_ON64' }, { spawn: 'v' }, { wait: 'rand(300, 900)' }] },
    { wait: 'rand(20000, 80000)' },
    // Device interrupts: gic_v3_setup_intr (ICFGR), gic_v3_enable_intr (IROUTER, then ISENABLER).
    {
      loop: 'k', from: 0, to: 'count(bootSpis) - 1',
      body: [
        { let: { spi: 'at(bootSpis, k)' } },
        { mmio: 'R', frame: 'GICD', off: '0xc00 + 4 * (spi / 16)', save: 'cfg' },
        { mmio: 'W', frame: 'GICD', off: '0xc00 + 4 * (spi / 16)', value: 'cfg' },
        { mmio: 'W', frame: 'GICD', off: '0x6000 + 8 * spi', len: 8, value: 'aff(0)' },
        { mmio: 'W', frame: 'GICD', off: '0x100 + 4 * (spi / 32)', value: 'bit(spi % 32)' },
      ],
    },
  ],
  secondary: [
    ...ID_REGS,
    { hvc: 'SMCCC_ARCH_FEATURES' },
    ...REDIST_INIT,
    { when: 'lpis', then: ITS_CPU_INIT },
    ...TIMER_ENABLE,
  ],
  runtime: {
    driver: { irq: 27, stuck: [{ halt: 'WFx' }] },
    activities: [
      TIMER_TICK,
      { name: 'ipi', perSec: 15, gate: 1, steps: [{ sys: 'ICC_SGI1R_EL1', op: 'W' }] },
      VIRTIO_IRQ,
      {
        name: 'bind-intr', perSec: 0.2, let: { spi: 'pick(virtioSpis)', target: 'rand(0, vcpus - 1)' },
        steps: [{ mmio: 'W', frame: 'GICD', off: '0x6000 + 8 * spi', len: 8, value: 'aff(target)' }],
      },
      { name: 'lpi-invalidate', perSec: 5, when: 'lpis', steps: ITS_COMMAND },
      CONSOLE_OUTPUT,
    ],
    noise: { irqExitsPerSec: 150, wfxPerSec: 80 },
  },
};
