/**
 * Linux 6.x guest on a vGICv2 (irq-gic.c, guests.md §2): no IGROUPR accesses at all (interrupts stay
 * in KVM's reset Group 0, which the guest enables through GICC_CTLR), ITARGETSR for routing,
 * GICD_SGIR for IPIs. The GICC CPU interface is the hardware GICV page: never in the trace.
 */
import type { GuestProfile, Step } from '../profile-types.ts';
import {
  BRING_UP_SECONDARIES, CLIDR_READS, CONSOLE_OUTPUT, GICD_DIST_CONFIG, ID_REGS_6X, KVM_PTP, PSCI_SMCCC_PROBE_6X,
  PV_TIME_INIT, SPECTRE_PROBES, TIMER_TICK, VIRTIO_IRQ,
} from './linux-common.ts';

/** gic_cpu_init: own CPU mask, banked private interrupts deactivated, disabled, priority 0xA0. */
const GICV2_CPU_INIT: Step[] = [
  { loop: 'i', from: 0, to: 28, step: 4, until: 'cpumask != 0', body: [{ mmio: 'R', frame: 'GICD', off: '0x800 + i', save: 'cpumask' }] },
  { mmio: 'W', frame: 'GICD', off: 0x380, value: 0xffffffff },
  { mmio: 'W', frame: 'GICD', off: 0x180, value: 0xffffffff },
  { loop: 'i', from: 0, to: 28, step: 4, body: [{ mmio: 'W', frame: 'GICD', off: '0x400 + i', value: 0xa0a0a0a0 }] },
];

const GICV2_PPI_SGI_ENABLES: Step[] = [
  { loop: 's', from: 0, to: 6, body: [{ mmio: 'W', frame: 'GICD', off: 0x100, value: 'bit(s)' }] },
  { mmio: 'R', frame: 'GICD', off: 0xc04 },
  { mmio: 'W', frame: 'GICD', off: 0x100, value: 'bit(27)' },
];

export const profile: GuestProfile = {
  name: 'linux-gicv2',
  summary: 'Linux 6.x guest on GICv2: no IGROUPR, ITARGETSR routing, GICD_SGIR IPIs',
  gic: { version: 2, its: false },
  enabledGroups: [0],
  code: { text: '0xffff800080010000', mmioVa: '0xffff800082000000' },
  boot: [
    ...PSCI_SMCCC_PROBE_6X,
    { wait: 'rand(2000, 6000)' },
    ...ID_REGS_6X,
    ...SPECTRE_PROBES,
    { wait: 'rand(5000, 20000)' },
    // gic_init_bases: interrupt count, then gic_dist_init.
    { mmio: 'R', frame: 'GICD', off: 0x4, save: 'typer' },
    { set: { nrIrqs: 'min(((typer & 0x1f) + 1) * 32, 1020)' } },
    { mmio: 'W', frame: 'GICD', off: 0x0, value: 0 },
    { loop: 'i', from: 0, to: 28, step: 4, until: 'cpumask != 0', body: [{ mmio: 'R', frame: 'GICD', off: '0x800 + i', save: 'cpumask' }] },
    { let: { m: '(cpumask | (cpumask >> 16) | (cpumask >> 8)) & 0xff' } },
    { loop: 'i', from: 32, to: 'nrIrqs - 1', step: 4, body: [{ mmio: 'W', frame: 'GICD', off: '0x800 + i', value: 'm * 0x01010101' }] },
    ...GICD_DIST_CONFIG,
    { mmio: 'W', frame: 'GICD', off: 0x0, value: 1 },
    ...GICV2_CPU_INIT,
    ...GICV2_PPI_SGI_ENABLES,
    ...PV_TIME_INIT,
    { wait: 'rand(20000, 60000)' },
    ...CLIDR_READS,
    ...BRING_UP_SECONDARIES,
    { wait: 'rand(20000, 80000)' },
    { mmio: 'R', frame: 'GICD', off: 0xc04 },
    { mmio: 'W', frame: 'GICD', off: 0x100, value: 'bit(23)' },
    // request_irq of the device SPIs: set type, unmask, affinity (one ITARGETSR byte).
    {
      loop: 'k', from: 0, to: 'count(bootSpis) - 1',
      body: [
        { let: { spi: 'at(bootSpis, k)', target: 'k % vcpus' } },
        { mmio: 'R', frame: 'GICD', off: '0xc00 + 4 * (spi / 16)' },
        { mmio: 'W', frame: 'GICD', off: '0x100 + 4 * (spi / 32)', value: 'bit(spi % 32)' },
        { mmio: 'W', frame: 'GICD', off: '0x800 + spi', len: 1, value: 'bit(target)' },
      ],
    },
    { hvc: 'VENDOR_HYP_KVM_PTP' },
  ],
  secondary: [
    ...ID_REGS_6X,
    ...SPECTRE_PROBES,
    ...GICV2_CPU_INIT,
    ...GICV2_PPI_SGI_ENABLES,
    { hvc: 'HV_PV_TIME_ST' },
    ...CLIDR_READS,
    { wait: 'rand(20000, 80000)' },
    { mmio: 'R', frame: 'GICD', off: 0xc04 },
    { mmio: 'W', frame: 'GICD', off: 0x100, value: 'bit(23)' },
  ],
  runtime: {
    driver: { irq: 27, stuck: [{ halt: 'WFx' }] },
    activities: [
      TIMER_TICK,
      // IPIs: GICD_SGIR = target list << 16 | SGI (trapped MMIO write, value traced).
      { name: 'ipi', perSec: 20, gate: 1, steps: [{ mmio: 'W', frame: 'GICD', off: 0xf00, value: '(bit((vcpu + rand(1, max(1, vcpus - 1))) % vcpus) << 16) | rand(0, 6)' }] },
      VIRTIO_IRQ,
      {
        name: 'set-affinity', perSec: 0.2, let: { spi: 'pick(virtioSpis)', target: 'rand(0, vcpus - 1)' },
        steps: [{ mmio: 'W', frame: 'GICD', off: '0x800 + spi', len: 1, value: 'bit(target)' }],
      },
      {
        name: 'mask-unmask', perSec: 0.5, let: { spi: 'pick(virtioSpis)' },
        steps: [
          { mmio: 'W', frame: 'GICD', off: '0x180 + 4 * (spi / 32)', value: 'bit(spi % 32)' },
          { wait: 'rand(20, 400)' },
          { mmio: 'W', frame: 'GICD', off: '0x100 + 4 * (spi / 32)', value: 'bit(spi % 32)' },
        ],
      },
      CONSOLE_OUTPUT,
      KVM_PTP,
    ],
    noise: { irqExitsPerSec: 200, wfxPerSec: 100 },
  },
};
