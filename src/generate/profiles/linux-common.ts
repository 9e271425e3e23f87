/**
 * Step fragments shared by the Linux profiles (data only: arrays of steps the profile files splice
 * together). Sources: guests.md §1 (irq-gic-v3.c, irq-gic-v3-its.c), §5 (PSCI/SMCCC probe order),
 * §6 (cacheinfo CLIDR reads), and the access order of the real Linux 6.1 capture in
 * /work/shared/traces/qemu-virt-gicv3-linux6.1-smp2 (GICR walk with two TYPER reads per frame,
 * ITS probe, its_cpu_init, the enable + set-affinity sequence of request_irq).
 */
import type { Activity, Step } from '../profile-types.ts';

// --- PSCI / SMCCC (guests.md §5) ---------------------------------------------------------------

/** psci_probe() and the SMCCC probes of a 5.12+ guest, steps 1–7, 11, 12 (SoC-ID needs SMCCC ≥ 1.2: KVM says 1.1). */
export const PSCI_SMCCC_PROBE_6X: Step[] = [
  { hvc: 'PSCI_VERSION' },
  { hvc: 'MIGRATE_INFO_TYPE' },
  { hvc: 'PSCI_FEATURES' }, // (SMCCC_VERSION)
  { hvc: 'SMCCC_VERSION' },
  { hvc: 'PSCI_FEATURES' }, // (CPU_SUSPEND64)
  { hvc: 'PSCI_FEATURES' }, // (SYSTEM_SUSPEND64)
  { hvc: 'PSCI_FEATURES' }, // (SYSTEM_RESET2_64)
  { hvc: 'TRNG_VERSION' },
  { hvc: 'TRNG_FEATURES' },
  { hvc: 'VENDOR_HYP_CALL_UID' },
  { hvc: 'VENDOR_HYP_KVM_FEATURES' },
];

/** A 5.10 guest: no TRNG (5.12) and no KVM vendor services probe (5.12). */
export const PSCI_SMCCC_PROBE_5_10: Step[] = [
  { hvc: 'PSCI_VERSION' },
  { hvc: 'MIGRATE_INFO_TYPE' },
  { hvc: 'PSCI_FEATURES' },
  { hvc: 'SMCCC_VERSION' },
  { hvc: 'PSCI_FEATURES' },
  { hvc: 'PSCI_FEATURES' },
  { hvc: 'PSCI_FEATURES' },
];

/** Spectre capability probes, on every CPU (step 13): WORKAROUND_1, _2, _3 through SMCCC_ARCH_FEATURES. */
export const SPECTRE_PROBES: Step[] = [{ hvc: 'SMCCC_ARCH_FEATURES' }, { hvc: 'SMCCC_ARCH_FEATURES' }, { hvc: 'SMCCC_ARCH_FEATURES' }];

/** pv_time_init on the boot CPU (step 14). */
export const PV_TIME_INIT: Step[] = [{ hvc: 'SMCCC_ARCH_FEATURES' }, { hvc: 'HV_PV_TIME_FEATURES' }, { hvc: 'HV_PV_TIME_ST' }];

/** SMP bring-up (step 15): CPU_ON64 per secondary; the secondary's program starts when it runs. */
export const BRING_UP_SECONDARIES: Step[] = [
  { loop: 'v', from: 1, to: 'vcpus - 1', body: [{ hvc: 'CPU_ON64' }, { spawn: 'v' }, { wait: 'rand(300, 900)' }] },
];

// --- System registers (guests.md §1.2, §6) ------------------------------------------------------

/** __cpuinfo_store_cpu of a 6.6-era guest (CTR_EL0 traps only on 6.3/6.4 hosts; MIDR never). */
export const ID_REGS_6X: Step[] = [
  { sys: 'CTR_EL0', op: 'R' },
  { sys: 'DCZID_EL0', op: 'R' },
  { sys: 'MIDR_EL1', op: 'R' },
  { sys: 'REVIDR_EL1', op: 'R' },
  { sys: 'ID_AA64DFR0_EL1', op: 'R' },
  { sys: 'ID_AA64DFR1_EL1', op: 'R' },
  { sys: 'ID_AA64ISAR0_EL1', op: 'R' },
  { sys: 'ID_AA64ISAR1_EL1', op: 'R' },
  { sys: 'ID_AA64ISAR2_EL1', op: 'R' },
  { sys: 'ID_AA64MMFR0_EL1', op: 'R' },
  { sys: 'ID_AA64MMFR1_EL1', op: 'R' },
  { sys: 'ID_AA64MMFR2_EL1', op: 'R' },
  { sys: 'ID_AA64MMFR3_EL1', op: 'R' },
  { sys: 'ID_AA64PFR0_EL1', op: 'R' },
  { sys: 'ID_AA64PFR1_EL1', op: 'R' },
  { sys: 'ID_AA64ZFR0_EL1', op: 'R' },
  { sys: 'ID_AA64SMFR0_EL1', op: 'R' },
];

/** The same for a 5.10 guest. */
export const ID_REGS_5_10: Step[] = [
  { sys: 'CTR_EL0', op: 'R' },
  { sys: 'DCZID_EL0', op: 'R' },
  { sys: 'MIDR_EL1', op: 'R' },
  { sys: 'REVIDR_EL1', op: 'R' },
  { sys: 'ID_AA64DFR0_EL1', op: 'R' },
  { sys: 'ID_AA64DFR1_EL1', op: 'R' },
  { sys: 'ID_AA64ISAR0_EL1', op: 'R' },
  { sys: 'ID_AA64ISAR1_EL1', op: 'R' },
  { sys: 'ID_AA64MMFR0_EL1', op: 'R' },
  { sys: 'ID_AA64MMFR1_EL1', op: 'R' },
  { sys: 'ID_AA64MMFR2_EL1', op: 'R' },
  { sys: 'ID_AA64PFR0_EL1', op: 'R' },
  { sys: 'ID_AA64PFR1_EL1', op: 'R' },
  { sys: 'ID_AA64ZFR0_EL1', op: 'R' },
];

/** cacheinfo: CLIDR_EL1 levels + 1 times in init_cache_level, once per level in populate (L1 only: 3). */
export const CLIDR_READS: Step[] = [{ sys: 'CLIDR_EL1', op: 'R' }, { sys: 'CLIDR_EL1', op: 'R' }, { sys: 'CLIDR_EL1', op: 'R' }];

// --- GICv3 distributor (guests.md §1.1) ---------------------------------------------------------

/** Steps 1–4: PIDR2, TYPER (→ nrIrqs, LPIs), IIDR, TYPER2. */
export const GICD_PROBE: Step[] = [
  { mmio: 'R', frame: 'GICD', off: 0xffe8, save: 'pidr2' },
  { mmio: 'R', frame: 'GICD', off: 0x4, save: 'typer' },
  { set: { nrIrqs: 'min(((typer & 0x1f) + 1) * 32, 1020)', lpis: '(typer >> 17) & 1' } },
  { mmio: 'R', frame: 'GICD', off: 0x8, save: 'iidr' },
  { mmio: 'R', frame: 'GICD', off: 0xc, save: 'typer2' },
];

/** gic_dist_init up to the IGROUPR writes: disable, RWP poll, SPIs to non-secure Group 1. */
export const GICD_DISABLE_AND_GROUP: Step[] = [
  { mmio: 'W', frame: 'GICD', off: 0x0, value: 0 },
  { mmio: 'R', frame: 'GICD', off: 0x0, save: 'ctlr', until: '(ctlr & 0x80000000) == 0' },
  { loop: 'n', from: 1, to: 'nrIrqs / 32 - 1', body: [{ mmio: 'W', frame: 'GICD', off: '0x80 + 4 * n', value: 0xffffffff }] },
];

/** gic_dist_config for SPIs: level, priority 0xA0, deactivate and disable. */
export const GICD_DIST_CONFIG: Step[] = [
  { loop: 'i', from: 32, to: 'nrIrqs - 1', step: 16, body: [{ mmio: 'W', frame: 'GICD', off: '0xc00 + i / 4', value: 0 }] },
  { loop: 'i', from: 32, to: 'nrIrqs - 1', step: 4, body: [{ mmio: 'W', frame: 'GICD', off: '0x400 + i', value: 0xa0a0a0a0 }] },
  {
    loop: 'i', from: 32, to: 'nrIrqs - 1', step: 32,
    body: [
      { mmio: 'W', frame: 'GICD', off: '0x380 + i / 8', value: 0xffffffff },
      { mmio: 'W', frame: 'GICD', off: '0x180 + i / 8', value: 0xffffffff },
    ],
  },
];

/** Step 9–10: enable (0x113 with nASSGIcap), RWP poll, route every SPI to the boot CPU. */
export const GICD_ENABLE_AND_ROUTE: Step[] = [
  { mmio: 'W', frame: 'GICD', off: 0x0, value: '(typer2 & 0x100) ? 0x113 : 0x13' },
  { mmio: 'R', frame: 'GICD', off: 0x0, save: 'ctlr', until: '(ctlr & 0x80000000) == 0' },
  { loop: 'i', from: 32, to: 'nrIrqs - 1', body: [{ mmio: 'W', frame: 'GICD', off: '0x6000 + 8 * i', len: 8, value: 'aff(0)' }] },
];

/** Step 5 on a 5.19+ guest: every frame's TYPER twice and GICR_CTLR (IR → direct LPI invalidation). */
export const GICR_PROPERTIES_5_19: Step[] = [
  { mmio: 'R', frame: 'GICR', rd: 0, off: 0xffe8 },
  { set: { directLpi: 1 } },
  {
    loop: 'r', from: 0, to: 'vcpus - 1', until: '(rtyper >> 4) & 1',
    body: [
      { mmio: 'R', frame: 'GICR', rd: 'r', off: 0x8, len: 8, save: 'rtyper' },
      { mmio: 'R', frame: 'GICR', rd: 'r', off: 0x8, len: 8 },
      { mmio: 'R', frame: 'GICR', rd: 'r', off: 0x0, save: 'rctlr' },
      { set: { directLpi: 'directLpi & (((rtyper >> 3) & 1) | ((rctlr >> 2) & 1))' } },
    ],
  },
];

/** Step 5 before 5.19: no GICR_CTLR read, so never direct LPI invalidation under KVM. */
export const GICR_PROPERTIES_5_10: Step[] = [
  { mmio: 'R', frame: 'GICR', rd: 0, off: 0xffe8 },
  { set: { directLpi: 0 } },
  {
    loop: 'r', from: 0, to: 'vcpus - 1', until: '(rtyper >> 4) & 1',
    body: [
      { mmio: 'R', frame: 'GICR', rd: 'r', off: 0x8, len: 8, save: 'rtyper' },
      { mmio: 'R', frame: 'GICR', rd: 'r', off: 0x8, len: 8 },
    ],
  },
];

// --- GICv3 per CPU (guests.md §1.2) -------------------------------------------------------------

/** gic_cpu_init a–d: find own frame, wake it, SGIs/PPIs to Group 1, deactivate/disable, priorities, RWP. */
export const GICR_CPU_INIT: Step[] = [
  { mmio: 'R', frame: 'GICR', rd: 0, off: 0xffe8 },
  {
    loop: 'r', from: 0, to: 'vcpus - 1', until: 'ftyperHi == aff(vcpu)',
    body: [
      { mmio: 'R', frame: 'GICR', rd: 'r', off: 0x8, len: 8, saveHi: 'ftyperHi' },
      { mmio: 'R', frame: 'GICR', rd: 'r', off: 0x8, len: 8 },
    ],
  },
  { mmio: 'R', frame: 'GICR', off: 0x14, save: 'waker' },
  { mmio: 'W', frame: 'GICR', off: 0x14, value: 'waker & ~2' },
  { mmio: 'R', frame: 'GICR', off: 0x14, save: 'waker', until: '(waker & 4) == 0' },
  { mmio: 'W', frame: 'GICR_SGI', off: 0x80, value: 0xffffffff },
  { mmio: 'W', frame: 'GICR_SGI', off: 0x380, value: 0xffffffff },
  { mmio: 'W', frame: 'GICR_SGI', off: 0x180, value: 0xffffffff },
  { loop: 'i', from: 0, to: 28, step: 4, body: [{ mmio: 'W', frame: 'GICR_SGI', off: '0x400 + i', value: 0xa0a0a0a0 }] },
  { mmio: 'R', frame: 'GICR', off: 0x0, save: 'rctlr', until: '(rctlr & 8) == 0' },
];

/** IPIs are requested as normal interrupts (5.10+): SGIs 0–6 unmasked one bit at a time. */
export const SGI_ENABLES: Step[] = [{ loop: 's', from: 0, to: 6, body: [{ mmio: 'W', frame: 'GICR_SGI', off: 0x100, value: 'bit(s)' }] }];

/** A PPI's gic_set_type (ICFGR1 read-back; KVM ignores the write) and unmask. */
export const TIMER_PPI_ENABLE: Step[] = [
  { mmio: 'R', frame: 'GICR_SGI', off: 0xc04 },
  { mmio: 'R', frame: 'GICR_SGI', off: 0xc04 },
  { mmio: 'W', frame: 'GICR_SGI', off: 0x100, value: 'bit(27)' },
];

export const PMU_PPI_ENABLE: Step[] = [
  { mmio: 'R', frame: 'GICR_SGI', off: 0xc04 },
  { mmio: 'W', frame: 'GICR_SGI', off: 0x100, value: 'bit(23)' },
];

// --- ITS (guests.md §1.1 step 12, §1.2 f; order as in the 6.1 capture) ---------------------------

/** One ITS command (plus SYNC) through the queue: queue-space reads, CWRITER, completion poll. `cmdq` is VM-wide. */
export const ITS_COMMAND: Step[] = [
  { mmio: 'R', frame: 'GITS', off: 0x90, len: 8 },
  { mmio: 'R', frame: 'GITS', off: 0x90, len: 8 },
  { set: { cmdq: '(cmdq + 0x40) % 0x10000' } },
  { mmio: 'W', frame: 'GITS', off: 0x88, len: 8, value: 'cmdq' },
  // KVM processes commands synchronously: the first completion poll already sees CREADR caught up.
  { mmio: 'R', frame: 'GITS', off: 0x90, len: 8 },
];

/** its_probe_one + its_alloc_tables + command queue + enable (boot CPU, when GICD_TYPER.LPIS). */
export const ITS_PROBE: Step[] = [
  { mmio: 'R', frame: 'GITS', off: 0xffe8 },
  { mmio: 'R', frame: 'GITS', off: 0x0 },
  { loop: 'b', from: 0, to: 7, body: [{ mmio: 'W', frame: 'GITS', off: '0x100 + 8 * b', len: 8, value: 0 }] },
  { mmio: 'R', frame: 'GITS', off: 0xffe8 },
  { mmio: 'R', frame: 'GITS', off: 0x0 },
  { mmio: 'R', frame: 'GITS', off: 0x8, len: 8, save: 'gtyper' },
  { mmio: 'R', frame: 'GITS', off: 0x4 },
  { set: { itsPa: '0x42580000 + 0x100000 * rand(0, 63)' } },
  // BASER0: read type, 64K page-size probe, Indirect probe, final table (its_setup_baser).
  { mmio: 'R', frame: 'GITS', off: 0x100, len: 8, save: 'bLo', saveHi: 'bHi' },
  { mmio: 'R', frame: 'GITS', off: 0x100, len: 8, save: 'bLo', saveHi: 'bHi' },
  { mmio: 'W', frame: 'GITS', off: 0x100, len: 8, value: '(bLo & ~0x300) | 0x200', valueHi: 'bHi' },
  { mmio: 'R', frame: 'GITS', off: 0x100, len: 8 },
  { mmio: 'R', frame: 'GITS', off: 0x100, len: 8 },
  { mmio: 'W', frame: 'GITS', off: 0x100, len: 8, value: 0x400, valueHi: 0x78000000 },
  { mmio: 'R', frame: 'GITS', off: 0x100, len: 8, saveHi: 'ind' },
  { mmio: 'R', frame: 'GITS', off: 0x100, len: 8 },
  { mmio: 'W', frame: 'GITS', off: 0x100, len: 8, value: '(itsPa + 0x10000) | 0x600', valueHi: '0xb8070000 | (ind & 0x40000000) | 0x1000000' },
  { mmio: 'R', frame: 'GITS', off: 0x100, len: 8 },
  // BASER1: read type, 64K page-size probe, Indirect probe, final table (its_setup_baser).
  { mmio: 'R', frame: 'GITS', off: 0x108, len: 8, save: 'bLo', saveHi: 'bHi' },
  { mmio: 'R', frame: 'GITS', off: 0x108, len: 8, save: 'bLo', saveHi: 'bHi' },
  { mmio: 'W', frame: 'GITS', off: 0x108, len: 8, value: '(bLo & ~0x300) | 0x200', valueHi: 'bHi' },
  { mmio: 'R', frame: 'GITS', off: 0x108, len: 8 },
  { mmio: 'R', frame: 'GITS', off: 0x108, len: 8 },
  { mmio: 'W', frame: 'GITS', off: 0x108, len: 8, value: 0x400, valueHi: 0x78000000 },
  { mmio: 'R', frame: 'GITS', off: 0x108, len: 8, saveHi: 'ind' },
  { mmio: 'R', frame: 'GITS', off: 0x108, len: 8 },
  { mmio: 'W', frame: 'GITS', off: 0x108, len: 8, value: '(itsPa + 0x20000) | 0x600', valueHi: '0xb8070000 | (ind & 0x40000000) | 0x4000000' },
  { mmio: 'R', frame: 'GITS', off: 0x108, len: 8 },
  { loop: 'b', from: 2, to: 7, body: [{ mmio: 'R', frame: 'GITS', off: '0x100 + 8 * b', len: 8 }] },
  { mmio: 'W', frame: 'GITS', off: 0x80, len: 8, value: 'itsPa | 0x40f', valueHi: 0xb8000000 },
  { mmio: 'R', frame: 'GITS', off: 0x80, len: 8 },
  { set: { cmdq: 0 } },
  { mmio: 'W', frame: 'GITS', off: 0x88, len: 8, value: 0 },
  { mmio: 'R', frame: 'GITS', off: 0x0, save: 'gctlr' },
  { mmio: 'W', frame: 'GITS', off: 0x0, value: 'gctlr | 1' },
];

/** its_cpu_init_lpis + its_cpu_init_collection on the executing CPU. */
export const ITS_CPU_INIT: Step[] = [
  { mmio: 'R', frame: 'GICR', off: 0x0 },
  { mmio: 'R', frame: 'GICR', off: 0x8, len: 8 },
  { mmio: 'R', frame: 'GICR', off: 0x0 },
  { mmio: 'R', frame: 'GICR', off: 0x0 },
  { mmio: 'W', frame: 'GICR', off: 0x70, len: 8, value: '(itsPa + 0x30000) | 0x78f' },
  { mmio: 'R', frame: 'GICR', off: 0x70, len: 8 },
  { mmio: 'W', frame: 'GICR', off: 0x78, len: 8, value: '(itsPa + 0x40000 + 0x10000 * vcpu) | 0x780' },
  { mmio: 'R', frame: 'GICR', off: 0x78, len: 8 },
  { mmio: 'R', frame: 'GICR', off: 0x0, save: 'rctlr' },
  { mmio: 'W', frame: 'GICR', off: 0x0, value: 'rctlr | 1' },
  { mmio: 'R', frame: 'GITS', off: 0x8, len: 8 },
  { mmio: 'R', frame: 'GICR', off: 0x8, len: 8 },
  ...ITS_COMMAND, // MAPC
  ...ITS_COMMAND, // INVALL
];

// --- request_irq of the platform's device SPIs (order as in the 6.1 capture) --------------------

/**
 * Linux gic_set_affinity() of SPI `spi` to vCPU `target`: peek ISENABLER, mask + RWP poll, write
 * IROUTER, unmask if it was enabled. Used at request time and by irqbalance.
 */
const GICV3_SET_AFFINITY_STEPS: Step[] = [
  { mmio: 'R', frame: 'GICD', off: '0x100 + 4 * (spi / 32)', save: 'en' },
  { mmio: 'W', frame: 'GICD', off: '0x180 + 4 * (spi / 32)', value: 'bit(spi % 32)' },
  { mmio: 'R', frame: 'GICD', off: 0x0, save: 'ctlr', until: '(ctlr & 0x80000000) == 0' },
  { mmio: 'W', frame: 'GICD', off: '0x6000 + 8 * spi', len: 8, value: 'aff(target)' },
  { when: 'en & bit(spi % 32)', then: [{ mmio: 'W', frame: 'GICD', off: '0x100 + 4 * (spi / 32)', value: 'bit(spi % 32)' }] },
];

/** set type (ICFGR read-back), unmask, then irq_set_affinity: peek, mask, RWP, IROUTER, unmask. */
export const DEVICE_SPIS_REQUEST: Step[] = [
  {
    loop: 'k', from: 0, to: 'count(bootSpis) - 1',
    body: [
      { let: { spi: 'at(bootSpis, k)', target: 'k % vcpus' } },
      { mmio: 'R', frame: 'GICD', off: '0xc00 + 4 * (spi / 16)' },
      { mmio: 'W', frame: 'GICD', off: '0x100 + 4 * (spi / 32)', value: 'bit(spi % 32)' },
      ...GICV3_SET_AFFINITY_STEPS,
    ],
  },
];

// --- Runtime (guests.md §1.3) -------------------------------------------------------------------

/** Arch timer tick: the vtimer fires (IRQ exit, PPI 27 raised), later lowered at the next idle exit. */
export const TIMER_TICK: Activity = {
  name: 'timer-tick',
  perSec: 100,
  gate: 27,
  steps: [
    { exit: 'IRQ', inject: [{ inject: 27, level: 1 }] },
    { wait: 'rand(8, 60)' },
    { exit: 'WFx', inject: [{ inject: 27, level: 0 }] },
  ],
};

/** A virtio-mmio device interrupt: the VMM raises the SPI, the guest reads/acks the device, the line drops. */
export const VIRTIO_IRQ: Activity = {
  name: 'virtio-irq',
  perSec: 20,
  let: { spi: 'pick(virtioSpis)' },
  gate: 'spi',
  steps: [
    { inject: 'spi', level: 1, from: 'vmm' },
    { exit: 'IRQ' },
    { dev: 'virtio.status', op: 'R' },
    { dev: 'virtio.ack', op: 'W', value: 1 },
    { inject: 'spi', level: 0, from: 'vmm' },
    { wait: 'rand(5, 40)' },
    { dev: 'virtio.notify', op: 'W', value: 0 },
  ],
};

export const CONSOLE_OUTPUT: Activity = {
  name: 'console',
  perSec: 0.5,
  on: 'boot',
  steps: [{ repeat: 'rand(8, 40)', body: [{ dev: 'uart.status', op: 'R' }, { dev: 'uart.data', op: 'W', value: 'rand(32, 126)' }] }],
};

/** irqbalance moving a device SPI: peek, mask + RWP, IROUTER, unmask if it was enabled. */
export const GICV3_SET_AFFINITY: Activity = {
  name: 'set-affinity',
  perSec: 0.2,
  let: { spi: 'pick(virtioSpis)', target: 'rand(0, vcpus - 1)' },
  steps: [
    ...GICV3_SET_AFFINITY_STEPS,
  ],
};

/** disable_irq / enable_irq of a device SPI: ICENABLER + RWP poll, later ISENABLER. */
export const GICV3_MASK_UNMASK: Activity = {
  name: 'mask-unmask',
  perSec: 0.5,
  let: { spi: 'pick(virtioSpis)' },
  steps: [
    { mmio: 'W', frame: 'GICD', off: '0x180 + 4 * (spi / 32)', value: 'bit(spi % 32)' },
    { mmio: 'R', frame: 'GICD', off: 0x0, save: 'ctlr', until: '(ctlr & 0x80000000) == 0' },
    { wait: 'rand(20, 400)' },
    { mmio: 'W', frame: 'GICD', off: '0x100 + 4 * (spi / 32)', value: 'bit(spi % 32)' },
  ],
};

/** IPIs through ICC_SGI1R_EL1 (trapped; the value is not traced). */
export const GICV3_IPI: Activity = { name: 'ipi', perSec: 20, gate: 1, steps: [{ sys: 'ICC_SGI1R_EL1', op: 'W' }] };

/**
 * LPI mask/unmask for MSI devices (virtio-pci through the ITS): with has_direct_lpi (GICR_CTLR.IR
 * seen at boot, rev 3) GICR_INVLPIR + GICR_SYNCR polls on the target CPU's redistributor,
 * otherwise an ITS INV command through the queue.
 */
export const LPI_INVALIDATE: Activity = {
  name: 'lpi-invalidate',
  perSec: 10,
  when: 'lpis',
  let: { lpi: 'pick(lpis)' },
  steps: [
    {
      when: 'directLpi',
      then: [
        { mmio: 'W', frame: 'GICR', rd: 'lpi % vcpus', off: 0xa0, len: 8, value: 'lpi' },
        { mmio: 'R', frame: 'GICR', rd: 'lpi % vcpus', off: 0xc0, save: 'syncr', until: '(syncr & 1) == 0' },
      ],
      else: [{ mmio: 'R', frame: 'GITS', off: 0x90, len: 8 }, { set: { cmdq: '(cmdq + 0x40) % 0x10000' } }, { mmio: 'W', frame: 'GITS', off: 0x88, len: 8, value: 'cmdq' }, { mmio: 'R', frame: 'GITS', off: 0x90, len: 8 }],
    },
  ],
};

/** ptp_kvm PHC reads (chrony), on the boot CPU. */
export const KVM_PTP: Activity = { name: 'ptp', perSec: 1, on: 'boot', steps: [{ hvc: 'VENDOR_HYP_KVM_PTP' }] };

/** LPIs of the guest's MSI devices (virtio-pci queues). */
export const LINUX_LPIS: readonly number[] = [8192, 8193, 8194, 8195, 8196, 8197, 8198, 8199];
