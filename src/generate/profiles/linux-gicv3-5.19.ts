/**
 * Linux 6.x guest (irq-gic-v3.c from 5.19 on) on a vGICv3 with ITS: guests.md §1 in the access
 * order of the real 6.1 capture, plus GICR_CTLR reads in the boot-time redistributor walk and,
 * when GICR_CTLR.IR was seen (rev 3), LPI invalidation by GICR_INVLPIR + GICR_SYNCR polls.
 */
import type { GuestProfile } from '../profile-types.ts';
import {
  BRING_UP_SECONDARIES, CLIDR_READS, CONSOLE_OUTPUT, DEVICE_SPIS_REQUEST, GICD_DISABLE_AND_GROUP, GICD_DIST_CONFIG,
  GICD_ENABLE_AND_ROUTE, GICD_PROBE, GICR_CPU_INIT, GICR_PROPERTIES_5_19, GICV3_IPI, GICV3_MASK_UNMASK,
  GICV3_SET_AFFINITY, ID_REGS_6X, ITS_CPU_INIT, ITS_PROBE, KVM_PTP, LINUX_LPIS, LPI_INVALIDATE, PMU_PPI_ENABLE,
  PSCI_SMCCC_PROBE_6X, PV_TIME_INIT, SGI_ENABLES, SPECTRE_PROBES, TIMER_PPI_ENABLE, TIMER_TICK, VIRTIO_IRQ,
} from './linux-common.ts';

export const profile: GuestProfile = {
  name: 'linux-gicv3-5.19+',
  summary: 'Linux 6.6-era guest, GICv3 + ITS: reads GICR_CTLR at boot; with IR (rev 3) uses GICR_INVLPIR/GICR_SYNCR',
  gic: { version: 3, its: true },
  enabledGroups: [1],
  code: { text: '0xffff800080010000', mmioVa: '0xffff800082000000' },
  lists: { lpis: LINUX_LPIS },
  boot: [
    // setup_arch: PSCI and SMCCC discovery, then the boot CPU's ID registers and Spectre probes.
    ...PSCI_SMCCC_PROBE_6X,
    { wait: 'rand(2000, 6000)' },
    ...ID_REGS_6X,
    ...SPECTRE_PROBES,
    { wait: 'rand(5000, 20000)' },
    // init_IRQ → gic_of_init → gic_init_bases
    ...GICD_PROBE,
    ...GICR_PROPERTIES_5_19,
    ...GICD_DISABLE_AND_GROUP,
    ...GICD_DIST_CONFIG,
    ...GICD_ENABLE_AND_ROUTE,
    ...GICR_CPU_INIT,
    ...SGI_ENABLES,
    { mmio: 'R', frame: 'GICD', off: 0x4 }, // gic_dist_supports_lpis
    { when: 'lpis', then: [...ITS_PROBE, ...ITS_CPU_INIT] },
    // time_init: arch timer PPI, PV stolen time
    ...TIMER_PPI_ENABLE,
    ...PV_TIME_INIT,
    { wait: 'rand(20000, 60000)' },
    ...CLIDR_READS,
    ...BRING_UP_SECONDARIES,
    { wait: 'rand(20000, 80000)' },
    ...PMU_PPI_ENABLE,
    ...DEVICE_SPIS_REQUEST,
    { hvc: 'VENDOR_HYP_KVM_PTP' }, // ptp_kvm module init
  ],
  secondary: [
    ...ID_REGS_6X,
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
    activities: [TIMER_TICK, GICV3_IPI, VIRTIO_IRQ, LPI_INVALIDATE, GICV3_SET_AFFINITY, GICV3_MASK_UNMASK, CONSOLE_OUTPUT, KVM_PTP],
    noise: { irqExitsPerSec: 200, wfxPerSec: 100 },
  },
};
