/**
 * EDK2 ArmVirtQemu firmware before the OS (ArmGicV3Dxe, ArmLib; guests.md §3, §4): a set/way
 * clean+invalidate walk (CLIDR, CSSELR, CCSIDR, DC CISW), per-INTID disable and priority, the
 * DS-gated IGROUPR = 0xFFFFFFFF writes, IROUTER to the boot CPU, distributor enable, firmware timer
 * ticks and console output, then ExitBootServices (every source disabled, GICD_CTLR = 0, caches
 * cleaned) and the chained OS profile boots on the same VM.
 */
import type { GuestProfile, Step } from '../profile-types.ts';

/** ArmCleanInvalidateDataCache: set/way walk up to the Level of Coherency. */
const SET_WAY_WALK: Step[] = [
  { sys: 'CLIDR_EL1', op: 'R', save: 'clidr' },
  {
    loop: 'lvl', from: 0, to: '((clidr >> 24) & 7) - 1',
    body: [
      { let: { ctype: '(clidr >> (3 * lvl)) & 7' } },
      {
        when: 'ctype >= 2',
        then: [
          { sys: 'CSSELR_EL1', op: 'W', value: 'lvl << 1' },
          { sys: 'CCSIDR_EL1', op: 'R', save: 'ccsidr' },
          {
            loop: 'sw', from: 0, to: '(((ccsidr >> 13) & 0x7fff) + 1) * (((ccsidr >> 3) & 0x3ff) + 1) - 1',
            body: [{ sys: 'DC_CISW', op: 'W' }],
          },
        ],
      },
    ],
  },
  { sys: 'CSSELR_EL1', op: 'W', value: 0 },
];

/** GicV3DisableInterruptSource for one INTID: private ones through the boot CPU's redistributor (found via GICR_TYPER). */
const DISABLE_SOURCE: Step[] = [
  {
    when: 'intid < 32',
    then: [
      { mmio: 'R', frame: 'GICR', rd: 0, off: 0x8, len: 8 },
      { mmio: 'W', frame: 'GICR_SGI', rd: 0, off: 0x180, value: 'bit(intid)' },
    ],
    else: [{ mmio: 'W', frame: 'GICD', off: '0x180 + 4 * (intid / 32)', value: 'bit(intid % 32)' }],
  },
];

/** ArmGicSetInterruptPriority: read-modify-write of the INTID's priority byte (0x80). */
const SET_PRIORITY: Step[] = [
  { let: { shift: '8 * (intid % 4)' } },
  {
    when: 'intid < 32',
    then: [
      { mmio: 'R', frame: 'GICR', rd: 0, off: 0x8, len: 8 },
      { mmio: 'R', frame: 'GICR_SGI', rd: 0, off: '0x400 + intid - intid % 4', save: 'prio' },
      { mmio: 'W', frame: 'GICR_SGI', rd: 0, off: '0x400 + intid - intid % 4', value: '(prio & ~(0xff << shift)) | (0x80 << shift)' },
    ],
    else: [
      { mmio: 'R', frame: 'GICD', off: '0x400 + intid - intid % 4', save: 'prio' },
      { mmio: 'W', frame: 'GICD', off: '0x400 + intid - intid % 4', value: '(prio & ~(0xff << shift)) | (0x80 << shift)' },
    ],
  },
];

export const profile: GuestProfile = {
  name: 'edk2',
  summary: 'EDK2 ArmVirtQemu UEFI: set/way walk, DS-gated IGROUPR writes, ExitBootServices disable, then Linux',
  gic: { version: 3, its: true },
  enabledGroups: [1],
  code: { text: '0x000000013f600000', mmioVa: 'identity' },
  boot: [
    // SEC/PEI: caches and MMU on.
    ...SET_WAY_WALK,
    { wait: 'rand(20000, 60000)' },
    // ArmGicV3Dxe: architecture revision from ID_AA64PFR0_EL1.GIC, interrupt count from GICD_TYPER.
    { sys: 'ID_AA64PFR0_EL1', op: 'R' },
    { mmio: 'R', frame: 'GICD', off: 0x4, save: 'typer' },
    { set: { fwIrqs: 'min(((typer & 0x1f) + 1) * 32, 1020)' } },
    { mmio: 'R', frame: 'GICD', off: 0x0, save: 'ctlr' },
    { mmio: 'W', frame: 'GICD', off: 0x0, value: 'ctlr | 0x10' }, // ARE
    { loop: 'intid', from: 0, to: 'fwIrqs - 1', body: [...DISABLE_SOURCE, ...SET_PRIORITY] },
    { mmio: 'R', frame: 'GICD', off: 0x0, save: 'ctlr' },
    {
      when: 'ctlr & 0x40', // GICD_CTLR.DS: always set under KVM
      then: [
        { mmio: 'W', frame: 'GICR_SGI', rd: 0, off: 0x80, value: 0xffffffff },
        { loop: 'n', from: 1, to: 'fwIrqs / 32 - 1', body: [{ mmio: 'W', frame: 'GICD', off: '0x80 + 4 * n', value: 0xffffffff }] },
      ],
    },
    { loop: 'i', from: 32, to: 'fwIrqs - 1', body: [{ mmio: 'W', frame: 'GICD', off: '0x6000 + 8 * i', len: 8, value: 'aff(0)' }] },
    // ArmGicEnableDistributor: ARE set, so enable Group 1 (bit 1).
    { mmio: 'R', frame: 'GICD', off: 0x0, save: 'ctlr' },
    { mmio: 'R', frame: 'GICD', off: 0x0, save: 'ctlr' },
    { mmio: 'W', frame: 'GICD', off: 0x0, value: 'ctlr | 0x2' },
    // TimerDxe: virtual timer PPI 27 enabled through the boot CPU's redistributor.
    { mmio: 'R', frame: 'GICR', rd: 0, off: 0x8, len: 8 },
    { mmio: 'W', frame: 'GICR_SGI', rd: 0, off: 0x100, value: 'bit(27)' },
    // DXE/BDS: 10 ms timer ticks while drivers load and the boot entry runs; console output.
    {
      repeat: 'rand(20, 40)',
      body: [
        { exit: 'IRQ', inject: [{ inject: 27, level: 1 }] },
        { repeat: 'rand(0, 6)', body: [{ dev: 'uart.status', op: 'R' }, { dev: 'uart.data', op: 'W', value: 'rand(32, 126)' }] },
        { exit: 'WFx', inject: [{ inject: 27, level: 0 }] },
        { wait: 'rand(2000, 9000)' },
      ],
    },
    // ExitBootServices: every source disabled, the distributor off, caches cleaned.
    { loop: 'intid', from: 0, to: 'fwIrqs - 1', body: DISABLE_SOURCE },
    { mmio: 'W', frame: 'GICD', off: 0x0, value: 0 },
    ...SET_WAY_WALK,
    { wait: 'rand(5000, 20000)' },
  ],
  chain: 'linux-gicv3-5.19+',
  vmms: ['qemu', 'cloud-hypervisor'], // UEFI guests: QEMU (ArmVirtQemu) and Cloud Hypervisor (CLOUDHV)
};
