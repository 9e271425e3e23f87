/**
 * Linux 5.10-era guest (4.19–5.18 class irq-gic-v3.c) on a vGICv3 with ITS: no GICR_CTLR read in
 * the boot-time redistributor walk, an RWP poll after gic_dist_config, LPIs invalidated with ITS
 * INV commands (never GICR_INVLPIR), and no TRNG / KVM vendor-service / PTP hypercalls (5.12+).
 */
import type { GuestProfile } from '../profile-types.ts';
import {
  BRING_UP_SECONDARIES, CLIDR_READS, CONSOLE_OUTPUT, DEVICE_SPIS_REQUEST, GICD_DISABLE_AND_GROUP, GICD_DIST_CONFIG,
  GICD_ENABLE_AND_ROUTE, GICD_PROBE, GICR_CPU_INIT, GICR_PROPERTIES_5_10, GICV3_IPI, GICV3_MASK_UNMASK,
  GICV3_SET_AFFINITY, ID_REGS_5_10, ITS_CPU_INIT, ITS_PROBE, LINUX_LPIS, LPI_INVALIDATE, PMU_PPI_ENABLE,
  PSCI_SMCCC_PROBE_5_10, PV_TIME_INIT, SGI_ENABLES, SPECTRE_PROBES, TIMER_PPI_ENABLE, TIMER_TICK, VIRTIO_IRQ,
} from './linux-common.ts';

export const profile: GuestProfile = {
  name: 'linux-gicv3',
  summary: 'Linux 5.10-era guest, GICv3 + ITS: IGROUPR 0xFFFFFFFF, IROUTER per SPI, ITS INV for LPIs',
  gic: { version: 3, its: true },
  enabledGroups: [1],
  code: { text: '0xffff800010010000', mmioVa: '0xffff800011000000' },
  lists: { lpis: LINUX_LPIS },
  boot: [
    ...PSCI_SMCCC_PROBE_5_10,
    { wait: 'rand(2000, 6000)' },
    ...ID_REGS_5_10,
    ...SPECTRE_PROBES,
    { wait: 'rand(5000, 20000)' },
    ...GICD_PROBE,
    ...GICR_PROPERTIES_5_10,
    ...GICD_DISABLE_AND_GROUP,
    ...GICD_DIST_CONFIG,
    { mmio: 'R', frame: 'GICD', off: 0x0, save: 'ctlr', until: '(ctlr & 0x80000000) == 0' }, // RWP after gic_dist_config (pre-5.19)
    ...GICD_ENABLE_AND_ROUTE,
    ...GICR_CPU_INIT,
    ...SGI_ENABLES,
    { mmio: 'R', frame: 'GICD', off: 0x4 },
    { when: 'lpis', then: [...ITS_PROBE, ...ITS_CPU_INIT] },
    ...TIMER_PPI_ENABLE,
    ...PV_TIME_INIT,
    { wait: 'rand(20000, 60000)' },
    ...CLIDR_READS,
    ...BRING_UP_SECONDARIES,
    { wait: 'rand(20000, 80000)' },
    ...PMU_PPI_ENABLE,
    ...DEVICE_SPIS_REQUEST,
  ],
  secondary: [
    ...ID_REGS_5_10,
    ...SPECTRE_PROBES,
    ...GICR_CPU_INIT,
    { mmio: 'R', frame: 'GICD', off: 0x4 },
    { when: 'lpis', then: ITS_CPU_INIT },
    ...TIMER_PPI_ENABLE,
    ...SGI_ENABLES,
    { hvc: 'HV_PV_TIME_ST' },
    ...CLIDR_READS,
    { wait: 'rand(20000, 80000)' },
    ...PMU_PPI_ENABLE,
  ],
  runtime: {
    driver: { irq: 27, stuck: [{ halt: 'WFx' }] },
    activities: [TIMER_TICK, GICV3_IPI, VIRTIO_IRQ, LPI_INVALIDATE, GICV3_SET_AFFINITY, GICV3_MASK_UNMASK, CONSOLE_OUTPUT],
    noise: { irqExitsPerSec: 200, wfxPerSec: 100 },
  },
};
