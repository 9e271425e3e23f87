/**
 * Zephyr built without CONFIG_ARMV8_A_NS / CONFIG_GIC_SINGLE_SECURITY_STATE (intc_gicv3.c; guests.md
 * §3, §3.1): IGROUPR_VAL = 0, so it writes 0 to every SPI IGROUPR and to GICR_IGROUPR0, ~0 to the
 * IGRPMODRs, and enables only Group 1. Under rev 1 the writes are ignored (interrupts stay Group 1)
 * and it runs; under rev 2/3 they stick, its timer lands in Group 0, and it hangs in WFI.
 *
 * Distributor enable: the spec (guests.md §3.1) says this build works under rev 0/1, which needs
 * GICD_CTLR.EnableGrp1 (bit 1, the only enable bit KVM implements). The driver's secure path sets
 * bit 2 (GICD_CTLR_ENABLE_G1S); written as-is KVM would leave the distributor disabled under every
 * revision. The profile follows the spec and sets bit 1 (read-modify-write, as the driver does).
 */
import type { GuestProfile, Step } from '../profile-types.ts';

/** Find this CPU's redistributor (GICR_TYPER affinity), wake it, set up SGIs/PPIs as Group 0 secure-style. */
const CPU_INIT: Step[] = [
  { loop: 'r', from: 0, to: 'vcpus - 1', until: 'ftyperHi == aff(vcpu)', body: [{ mmio: 'R', frame: 'GICR', rd: 'r', off: 0x8, len: 8, saveHi: 'ftyperHi' }] },
  { mmio: 'R', frame: 'GICR', off: 0x14, save: 'waker' },
  { when: 'waker & 4', then: [{ mmio: 'R', frame: 'GICR', off: 0x4 }] }, // GICR_IIDR / PWRR path: never under KVM
  { mmio: 'W', frame: 'GICR_SGI', off: 0x180, value: 0xffffffff },
  { mmio: 'R', frame: 'GICR', off: 0x0, save: 'rctlr', until: '(rctlr & 8) == 0' },
  { mmio: 'W', frame: 'GICR_SGI', off: 0x280, value: 0xffffffff },
  { mmio: 'W', frame: 'GICR_SGI', off: 0x80, value: 0 }, // IGROUPR_VAL (secure build)
  { mmio: 'W', frame: 'GICR_SGI', off: 0xd00, value: 0xffffffff }, // GICR_IGRPMODR0
  { loop: 'i', from: 0, to: 28, step: 4, body: [{ mmio: 'W', frame: 'GICR_SGI', off: '0x400 + i', value: 0xa0a0a0a0 }] },
  { mmio: 'W', frame: 'GICR_SGI', off: 0xc04, value: 0 },
  // SMP: the scheduler / MMU-config / FPU IPIs (SGIs 0–2) are enabled on every CPU.
  { when: 'vcpus > 1', then: [{ loop: 's', from: 0, to: 2, body: [{ mmio: 'W', frame: 'GICR_SGI', off: 0x100, value: 'bit(s)' }] }] },
  // Arch timer: enable the virtual timer PPI.
  { mmio: 'W', frame: 'GICR_SGI', off: 0x100, value: 'bit(27)' },
];

export const profile: GuestProfile = {
  name: 'zephyr-secure',
  summary: 'Zephyr secure-mode GICv3 build: IGROUPR = 0, IGRPMODR = ~0, only Group 1 enabled (hangs under rev >= 2)',
  gic: { version: 3, its: false },
  enabledGroups: [1],
  code: { text: '0x0000000040001000', mmioVa: 'identity' },
  boot: [
    { hvc: 'PSCI_VERSION' },
    { mmio: 'R', frame: 'GICD', off: 0x4, save: 'typer' },
    { set: { nrIrqs: 'min(((typer & 0x1f) + 1) * 32, 1020)' } },
    { mmio: 'W', frame: 'GICD', off: 0x0, value: 0 },
    { mmio: 'R', frame: 'GICD', off: 0x0, save: 'ctlr', until: '(ctlr & 0x80000000) == 0' },
    {
      loop: 'i', from: 32, to: 'nrIrqs - 1', step: 32,
      body: [
        { mmio: 'W', frame: 'GICD', off: '0x180 + i / 8', value: 0xffffffff },
        { mmio: 'W', frame: 'GICD', off: '0x280 + i / 8', value: 0xffffffff },
        { mmio: 'W', frame: 'GICD', off: '0x80 + i / 8', value: 0 }, // IGROUPR_VAL (secure build)
        { mmio: 'W', frame: 'GICD', off: '0xd00 + i / 8', value: 0xffffffff }, // IGRPMODR
      ],
    },
    { loop: 'i', from: 32, to: 'nrIrqs - 1', step: 4, body: [{ mmio: 'W', frame: 'GICD', off: '0x400 + i', value: 0xa0a0a0a0 }] },
    { loop: 'i', from: 32, to: 'nrIrqs - 1', step: 16, body: [{ mmio: 'W', frame: 'GICD', off: '0xc00 + i / 4', value: 0 }] },
    { mmio: 'R', frame: 'GICD', off: 0x0, save: 'ctlr' },
    { mmio: 'W', frame: 'GICD', off: 0x0, value: 'ctlr | 0x2' },
    ...CPU_INIT,
    { repeat: 'rand(20, 60)', body: [{ dev: 'uart.status', op: 'R' }, { dev: 'uart.data', op: 'W', value: 'rand(32, 126)' }] },
    { loop: 'v', from: 1, to: 'vcpus - 1', body: [{ hvc: 'CPU_ON64' }, { spawn: 'v' }, { wait: 'rand(200, 600)' }] },
  ],
  secondary: CPU_INIT,
  runtime: {
    // No timer interrupt, no progress: one WFI exit, the timer line raised while it sleeps, then silence.
    driver: { irq: 27, stuck: [{ halt: 'WFx', inject: [{ inject: 27, level: 1 }] }] },
    activities: [
      {
        name: 'timer-tick', perSec: 100, gate: 27,
        steps: [{ exit: 'IRQ', inject: [{ inject: 27, level: 1 }] }, { wait: 'rand(5, 30)' }, { exit: 'WFx', inject: [{ inject: 27, level: 0 }] }],
      },
      { name: 'sched-ipi', perSec: 10, gate: 0, steps: [{ sys: 'ICC_SGI1R_EL1', op: 'W' }] },
      { name: 'console', perSec: 1, on: 'boot', steps: [{ repeat: 'rand(4, 20)', body: [{ dev: 'uart.status', op: 'R' }, { dev: 'uart.data', op: 'W', value: 'rand(32, 126)' }] }] },
    ],
    noise: { irqExitsPerSec: 100, wfxPerSec: 50 },
  },
  vmms: ['qemu'], // Zephyr's KVM board is QEMU virt
};
