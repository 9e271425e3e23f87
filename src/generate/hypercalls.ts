/**
 * SMCCC function IDs (r0 of `kvm_hvc_arm64`) by name, from abi-changes.md §4–5 and guests.md §5.
 * Profiles name calls; the trace carries only the ID (x1..x7 are not traced, so
 * PSCI_FEATURES(x) is the same line whatever x is).
 */
export const HYPERCALLS: Readonly<Record<string, number>> = {
  PSCI_VERSION: 0x84000000,
  CPU_SUSPEND64: 0xc4000001,
  CPU_OFF: 0x84000002,
  CPU_ON64: 0xc4000003,
  AFFINITY_INFO64: 0xc4000004,
  MIGRATE_INFO_TYPE: 0x84000006,
  SYSTEM_OFF: 0x84000008,
  SYSTEM_RESET: 0x84000009,
  PSCI_FEATURES: 0x8400000a,
  SYSTEM_SUSPEND64: 0xc400000e,
  SYSTEM_RESET2_64: 0xc4000012,
  SYSTEM_OFF2_64: 0xc4000015,
  SMCCC_VERSION: 0x80000000,
  SMCCC_ARCH_FEATURES: 0x80000001,
  SMCCC_ARCH_SOC_ID: 0x80000002,
  SMCCC_ARCH_WORKAROUND_1: 0x80008000,
  TRNG_VERSION: 0x84000050,
  TRNG_FEATURES: 0x84000051,
  TRNG_GET_UUID: 0x84000052,
  TRNG_RND64: 0xc4000053,
  HV_PV_TIME_FEATURES: 0xc5000020,
  HV_PV_TIME_ST: 0xc5000021,
  VENDOR_HYP_CALL_UID: 0x8600ff01,
  VENDOR_HYP_KVM_FEATURES: 0x86000000,
  VENDOR_HYP_KVM_PTP: 0x86000001,
  KVM_DISCOVER_IMPL_VER: 0xc6000040,
  KVM_DISCOVER_IMPL_CPUS: 0xc6000041,
};

export function hypercallId(nameOrId: string | number, where: string): number {
  if (typeof nameOrId === 'number') return nameOrId >>> 0;
  const id = HYPERCALLS[nameOrId];
  if (id === undefined) throw new Error(`${where}: unknown hypercall '${nameOrId}'`);
  return id;
}
