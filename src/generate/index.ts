/**
 * Public API of the trace generator (used by `abitrace generate`, the demo and the benchmark):
 *
 *   const result = await generateTrace({ profiles: [{ name: 'linux-gicv3', weight: 8 }], vms: 12,
 *     vcpus: 2, durationSec: 1, format: 'ftrace', seed: 1 }, writable);
 *
 * generateTrace writes to any Writable (one per VM for `format: 'qemu'`) with backpressure and
 * constant memory, and returns the VMs, their threads (for a tgid side map: formatTgidMap) and
 * per-event counts. PROFILES is the registry of guest behaviour profiles (data; see
 * profile-types.ts for the format).
 */
export { formatTgidMap, generateTrace, type GenerateResult, type ThreadInfo, type VmSummary } from './generate.ts';
export { allowedVmms, DEFAULT_HOST_KERNEL, GENERATE_FORMATS, resolveOptions, type GenerateFormat, type GenerateOptions, type ResolvedOptions } from './options.ts';
export { perVmPath, TraceFile } from './output/trace-file.ts';
export type { Activity, GuestProfile, RuntimeSpec, Step } from './profile-types.ts';
export { compiledProfile, PROFILES } from './profiles/index.ts';
export { assignWeighted, parseWeighted, type Weighted } from './weighted-mix.ts';
