/**
 * SMCCC function IDs a guest puts in x0 (`kvm_hvc_arm64` r0): Arm architecture calls, PSCI, TRNG,
 * PV time and the KVM vendor services, with the facts abi-changes.md §4–5 gives about each: the
 * PSCI version that introduced it and the firmware bitmap bit that hides it.
 */
export type SmcccService = 'arch' | 'psci' | 'trng' | 'pv-time' | 'kvm-vendor' | 'psci-0.1';

/** `KVM_REG_ARM_*_BMAP` bit that gates a call (abi-changes.md §5), when one does. */
export interface BitmapGate {
  register: 'KVM_REG_ARM_STD_BMAP' | 'KVM_REG_ARM_STD_HYP_BMAP' | 'KVM_REG_ARM_VENDOR_HYP_BMAP' | 'KVM_REG_ARM_VENDOR_HYP_BMAP_2';
  bit: number;
  bitName: string;
}

export interface SmcccFunction {
  id: number;
  name: string;
  service: SmcccService;
  /** 'fast32' | 'fast64' calling convention (bit 30 of the ID). */
  convention: 'fast32' | 'fast64';
  /** PSCI: first PSCI version (major << 16 | minor) defining the call. */
  psciMin?: number;
  gate?: BitmapGate;
  note: string;
}

const PSCI_0_2 = 0x00002;
const PSCI_1_0 = 0x10000;
const PSCI_1_1 = 0x10001;
const PSCI_1_3 = 0x10003;

const fns: SmcccFunction[] = [];
function f(id: number, name: string, service: SmcccService, note: string, extra: Partial<SmcccFunction> = {}): void {
  fns.push({ id: id >>> 0, name, service, convention: id & 0x40000000 ? 'fast64' : 'fast32', note, ...extra });
}

// Arm architecture service (owner 0).
f(0x80000000, 'SMCCC_VERSION', 'arch', 'KVM answers 1.1 (0x10001); never gated');
f(0x80000001, 'SMCCC_ARCH_FEATURES', 'arch', 'answer depends on the argument (not traced); WORKAROUND_1 answer changed -2 → +1 about 2022');
f(0x80000002, 'SMCCC_ARCH_SOC_ID', 'arch', 'reaches the handler, unimplemented: -1');
f(0x80008000, 'SMCCC_ARCH_WORKAROUND_1', 'arch', 'Spectre-v2 mitigation call');
f(0x80007fff, 'SMCCC_ARCH_WORKAROUND_2', 'arch', 'Spectre-v4 (SSB) mitigation call');
f(0x80003fff, 'SMCCC_ARCH_WORKAROUND_3', 'arch', 'Spectre-BHB mitigation call');

// PSCI (standard service owner 4, function numbers 0x00–0x1F; never gated by a bitmap).
const psci: Array<[num: number, name: string, has64: boolean, min: number, note: string]> = [
  [0x00, 'PSCI_VERSION', false, PSCI_0_2, 'returns 0x2 / 0x10000 / 0x10001 / 0x10003 by host and VMM pin'],
  [0x01, 'PSCI_CPU_SUSPEND', true, PSCI_0_2, 'handled as WFI'],
  [0x02, 'PSCI_CPU_OFF', false, PSCI_0_2, ''],
  [0x03, 'PSCI_CPU_ON', true, PSCI_0_2, 'ALREADY_ON if running'],
  [0x04, 'PSCI_AFFINITY_INFO', true, PSCI_0_2, ''],
  [0x05, 'PSCI_MIGRATE', true, PSCI_0_2, 'NOT_SUPPORTED'],
  [0x06, 'PSCI_MIGRATE_INFO_TYPE', false, PSCI_0_2, 'returns 2 (TOS_MP)'],
  [0x07, 'PSCI_MIGRATE_INFO_UP_CPU', true, PSCI_0_2, 'NOT_SUPPORTED'],
  [0x08, 'PSCI_SYSTEM_OFF', false, PSCI_0_2, 'exits to the VMM (KVM_EXIT_SYSTEM_EVENT)'],
  [0x09, 'PSCI_SYSTEM_RESET', false, PSCI_0_2, 'exits to the VMM (KVM_EXIT_SYSTEM_EVENT)'],
  [0x0a, 'PSCI_FEATURES', false, PSCI_1_0, 'argument (x1) not traced'],
  [0x0b, 'PSCI_CPU_FREEZE', false, PSCI_1_0, 'NOT_SUPPORTED by KVM'],
  [0x0c, 'PSCI_CPU_DEFAULT_SUSPEND', true, PSCI_1_0, 'NOT_SUPPORTED by KVM'],
  [0x0d, 'PSCI_NODE_HW_STATE', true, PSCI_1_0, 'NOT_SUPPORTED by KVM'],
  [0x0e, 'PSCI_SYSTEM_SUSPEND', true, PSCI_1_0, 'only if the VMM enabled KVM_CAP_ARM_SYSTEM_SUSPEND'],
  [0x0f, 'PSCI_SET_SUSPEND_MODE', false, PSCI_1_0, 'NOT_SUPPORTED by KVM'],
  [0x10, 'PSCI_STAT_RESIDENCY', true, PSCI_1_0, 'NOT_SUPPORTED by KVM'],
  [0x11, 'PSCI_STAT_COUNT', true, PSCI_1_0, 'NOT_SUPPORTED by KVM'],
  [0x12, 'PSCI_SYSTEM_RESET2', true, PSCI_1_1, 'supported from PSCI 1.1 (5.18 default)'],
  [0x13, 'PSCI_MEM_PROTECT', false, PSCI_1_1, 'NOT_SUPPORTED by KVM'],
  [0x14, 'PSCI_MEM_PROTECT_CHECK_RANGE', true, PSCI_1_1, 'NOT_SUPPORTED by KVM'],
  [0x15, 'PSCI_SYSTEM_OFF2', true, PSCI_1_3, 'HIBERNATE_OFF from PSCI 1.3 (6.13 default)'],
];
for (const [num, name, has64, min, note] of psci) {
  f(0x84000000 + num, name, 'psci', note, { psciMin: min });
  if (has64) f(0xc4000000 + num, /\d$/.test(name) ? `${name}_64` : `${name}64`, 'psci', note, { psciMin: min });
}

// TRNG (standard service, gated by STD bit 0).
const trng: BitmapGate = { register: 'KVM_REG_ARM_STD_BMAP', bit: 0, bitName: 'TRNG_V1_0' };
f(0x84000050, 'TRNG_VERSION', 'trng', 'hidden ⇒ -1', { gate: trng });
f(0x84000051, 'TRNG_FEATURES', 'trng', 'hidden ⇒ -1', { gate: trng });
f(0x84000052, 'TRNG_GET_UUID', 'trng', 'hidden ⇒ -1', { gate: trng });
f(0x84000053, 'TRNG_RND32', 'trng', 'hidden ⇒ -1', { gate: trng });
f(0xc4000053, 'TRNG_RND64', 'trng', 'hidden ⇒ -1', { gate: trng });

// Standard hypervisor service: PV stolen time (STD_HYP bit 0).
const pvTime: BitmapGate = { register: 'KVM_REG_ARM_STD_HYP_BMAP', bit: 0, bitName: 'PV_TIME' };
f(0xc5000020, 'HV_PV_TIME_FEATURES', 'pv-time', 'hidden ⇒ -1', { gate: pvTime });
f(0xc5000021, 'HV_PV_TIME_ST', 'pv-time', 'answers only when the VMM set the PV-time IPA', { gate: pvTime });

// KVM vendor hypervisor service (owner 6).
const funcFeat: BitmapGate = { register: 'KVM_REG_ARM_VENDOR_HYP_BMAP', bit: 0, bitName: 'FUNC_FEAT' };
const ptp: BitmapGate = { register: 'KVM_REG_ARM_VENDOR_HYP_BMAP', bit: 1, bitName: 'PTP' };
f(0x8600ff01, 'VENDOR_HYP_CALL_UID', 'kvm-vendor', 'hidden ⇒ guest no longer recognises KVM', { gate: funcFeat });
f(0x86000000, 'VENDOR_HYP_KVM_FEATURES', 'kvm-vendor', 'res.a2 from VENDOR_HYP_BMAP_2 on 6.15+', { gate: funcFeat });
f(0x86000001, 'VENDOR_HYP_KVM_PTP', 'kvm-vendor', 'ptp_kvm; hidden ⇒ -1', { gate: ptp });
f(0xc6000002, 'VENDOR_HYP_KVM_HYP_MEMINFO', 'kvm-vendor', 'pKVM guests only');
f(0xc6000003, 'VENDOR_HYP_KVM_MEM_SHARE', 'kvm-vendor', 'pKVM guests only');
f(0xc6000004, 'VENDOR_HYP_KVM_MEM_UNSHARE', 'kvm-vendor', 'pKVM guests only');
f(0xc6000040, 'KVM_DISCOVER_IMPL_VER', 'kvm-vendor', 'denied (-1) unless the VMM forwards it with the SMCCC filter',
  { gate: { register: 'KVM_REG_ARM_VENDOR_HYP_BMAP_2', bit: 0, bitName: 'DISCOVER_IMPL_VER' } });
f(0xc6000041, 'KVM_DISCOVER_IMPL_CPUS', 'kvm-vendor', 'denied (-1) unless the VMM forwards it with the SMCCC filter',
  { gate: { register: 'KVM_REG_ARM_VENDOR_HYP_BMAP_2', bit: 1, bitName: 'DISCOVER_IMPL_CPUS' } });

// KVM's pre-standard PSCI 0.1 IDs (KVM_PSCI_FN_BASE; exact numbers unverified, abi-changes.md §4).
f(0x95c1ba5e, 'KVM_PSCI_0_1_CPU_SUSPEND', 'psci-0.1', 'vCPUs without KVM_ARM_VCPU_PSCI_0_2 (unverified ID)');
f(0x95c1ba5f, 'KVM_PSCI_0_1_CPU_OFF', 'psci-0.1', 'vCPUs without KVM_ARM_VCPU_PSCI_0_2 (unverified ID)');
f(0x95c1ba60, 'KVM_PSCI_0_1_CPU_ON', 'psci-0.1', 'vCPUs without KVM_ARM_VCPU_PSCI_0_2 (unverified ID)');
f(0x95c1ba61, 'KVM_PSCI_0_1_MIGRATE', 'psci-0.1', 'vCPUs without KVM_ARM_VCPU_PSCI_0_2 (unverified ID)');

export const SMCCC_FUNCTIONS: readonly SmcccFunction[] = fns;

const byId = new Map<number, SmcccFunction>(fns.map((x) => [x.id, x]));

export function smcccById(id: number): SmcccFunction | undefined {
  return byId.get(id >>> 0);
}

export function smcccByName(name: string): SmcccFunction | undefined {
  const u = name.trim().toUpperCase();
  return fns.find((x) => x.name === u);
}

/** Name for any function ID: the table's, else `SMCCC_<owner>_<num>` from the SMCCC fields. */
export function smcccName(id: number): string {
  const known = byId.get(id >>> 0);
  if (known) return known.name;
  const owner = (id >>> 24) & 0x3f;
  const num = id & 0xffff;
  return `SMCCC_${id & 0x40000000 ? '64' : '32'}_OWNER${owner}_0x${num.toString(16)}`;
}

/** Is the call defined at a PSCI version (e.g. PSCI_SYSTEM_RESET2 needs 1.1)? */
export function psciCallDefinedAt(fn: SmcccFunction, psciVersion: number): boolean {
  return fn.psciMin === undefined || psciVersion >= fn.psciMin;
}

/** PSCI_VERSION answer per KVM default (abi-changes.md §4): 5.18 → 1.1, 6.13 → 1.3. */
export const PSCI_DEFAULTS: ReadonlyArray<{ since: string; version: number; commits: string }> = [
  { since: '4.16', version: PSCI_1_0, commits: '85bd0ba1 (unverified release)' },
  { since: '5.18', version: PSCI_1_1, commits: '512865d83fd9' },
  { since: '6.13', version: PSCI_1_3, commits: '8be82d536a9f, 97413cea1c48' },
];
