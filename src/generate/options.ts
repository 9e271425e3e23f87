/**
 * Options of `abitrace generate` / generateTrace(), their defaults and validation. Errors are
 * AbitraceErrors with stable codes, naming the option and what was expected.
 */
import { AbitraceError, E } from '../errors.ts';
import type { VmmKind } from '../ingest/types.ts';
import { platformFor, VMM_KINDS } from './platforms.ts';
import { PROFILES } from './profiles/index.ts';
import { formatHostVersion, parseHostVersion, type HostVersion } from './sysreg-traps.ts';
import { EmulatorGicModel } from './values/emulator-model.ts';
import type { GicModelFactory } from './values/gic-value-model.ts';
import type { Weighted } from './weighted-mix.ts';

export const GENERATE_FORMATS = ['ftrace', 'trace-cmd', 'perf', 'qemu'] as const;
export type GenerateFormat = (typeof GENERATE_FORMATS)[number];


export interface GenerateOptions {
  /** Guest profiles with relative weights; VMs are assigned by weight, deterministically. */
  profiles: readonly Weighted[];
  vms: number;
  vcpus: number;
  /** Trace length in seconds of trace clock. */
  durationSec: number;
  format: GenerateFormat;
  seed?: number;
  /** Mean number of events dropped per written line (ring-buffer overruns); 0 = none. */
  lostEvents?: number;
  /** GICD_IIDR revision the host's vGIC reports. */
  revision?: 1 | 2 | 3;
  /** Host kernel 'X.Y' (which registers trap); default follows the revision. */
  hostKernel?: string;
  /** Host CPUs the vCPU threads run on. */
  hostCpus?: number;
  /** VMMs with weights (default qemu only). */
  vmm?: readonly Weighted[];
  /**
   * Which vGIC model answers reads: the project's emulator unless a test injects another one
   * (the independent reference model in test/generate/reference-model cross-checks it).
   */
  valueModel?: GicModelFactory;
}

export interface ResolvedOptions {
  profiles: readonly Weighted[];
  vms: number;
  vcpus: number;
  durationSec: number;
  format: GenerateFormat;
  seed: number;
  lostEvents: number;
  revision: 1 | 2 | 3;
  host: HostVersion;
  hostKernel: string;
  hostCpus: number;
  vmm: readonly Weighted[];
  valueModel: GicModelFactory;
}

/** Host kernel assumed for a revision when --host-kernel is not given. */
export const DEFAULT_HOST_KERNEL: Record<1 | 2 | 3, string> = {
  3: '6.6', // mainline default since 5.19
  2: '5.15', // the only revision of 4.19–5.18 hosts
  1: '6.1', // downstream kernels that revert d53c2c29ae0d (EC2-style)
};

function usage(message: string): AbitraceError {
  return new AbitraceError(E.USAGE, message);
}

function positiveInt(v: number, name: string, max: number): number {
  if (!Number.isInteger(v) || v < 1 || v > max) throw usage(`${name} must be an integer from 1 to ${max}, got ${v}`);
  return v;
}

/** VMMs a profile can run under: its own list, limited to platforms that offer its GIC version. */
export function allowedVmms(profile: string): VmmKind[] {
  const p = PROFILES[profile]!;
  return (p.vmms ?? VMM_KINDS).filter((v) => platformFor(v).gic.gicVersions.includes(p.gic.version));
}

export function resolveOptions(o: GenerateOptions): ResolvedOptions {
  if (o.profiles.length === 0) throw usage('--profile needs at least one profile name');
  for (const p of o.profiles) {
    if (!PROFILES[p.name]) {
      throw new AbitraceError(E.PROFILE_UNKNOWN, `unknown profile '${p.name}'; known profiles: ${Object.keys(PROFILES).join(', ')}`);
    }
    if (!(p.weight > 0)) throw usage(`profile weight of '${p.name}' must be positive`);
  }
  const vms = positiveInt(o.vms, '--vms', 4096);
  const vcpus = positiveInt(o.vcpus, '--vcpus', 512);
  for (const p of o.profiles) {
    if (PROFILES[p.name]!.gic.version === 2 && vcpus > 8) throw usage(`--vcpus ${vcpus}: profile '${p.name}' uses a GICv2, which supports at most 8 vCPUs`);
  }
  if (!(o.durationSec > 0) || !Number.isFinite(o.durationSec) || o.durationSec > 1e6) throw usage(`--duration must be a number of seconds above 0, got ${o.durationSec}`);
  if (!GENERATE_FORMATS.includes(o.format)) throw new AbitraceError(E.FORMAT_UNKNOWN, `--format must be one of ${GENERATE_FORMATS.join(', ')}, got '${o.format}'`);
  const seed = o.seed ?? 1;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw usage(`--seed must be an integer from 0 to 4294967295, got ${seed}`);
  const lostEvents = o.lostEvents ?? 0;
  if (!(lostEvents >= 0 && lostEvents <= 1)) throw usage(`--lost-events must be from 0 to 1 (events dropped per written line), got ${lostEvents}`);
  if (lostEvents > 0 && o.format === 'qemu') throw usage('--lost-events does not apply to --format qemu: QEMU trace logs have no ring buffer to overrun');
  const revision = o.revision ?? 3;
  if (revision !== 1 && revision !== 2 && revision !== 3) {
    throw new AbitraceError(E.REVISION_UNKNOWN, `--revision must be 1, 2 or 3, got ${String(revision)}`);
  }
  const hostKernel = o.hostKernel ?? DEFAULT_HOST_KERNEL[revision];
  const host = parseHostVersion(hostKernel);
  if (host === null) throw usage(`--host-kernel must look like 6.6, got '${hostKernel}'`);
  if (host < 4019) throw usage(`--host-kernel ${hostKernel}: hosts before 4.19 report IIDR revision 0, which --revision cannot select`);
  if (revision === 3 && host < 5019) throw usage(`--revision 3 needs a 5.19+ host, but --host-kernel is ${formatHostVersion(host)}`);
  const hostCpus = positiveInt(o.hostCpus ?? 16, '--host-cpus', 1024);
  const vmm = o.vmm ?? [{ name: 'qemu', weight: 1 }];
  for (const v of vmm) {
    if (!VMM_KINDS.includes(v.name as VmmKind)) throw usage(`unknown VMM '${v.name}'; known: ${VMM_KINDS.join(', ')}`);
    if (!(v.weight > 0)) throw usage(`VMM weight of '${v.name}' must be positive`);
  }
  for (const p of o.profiles) {
    if (!vmm.some((v) => allowedVmms(p.name).includes(v.name as VmmKind))) {
      throw usage(`profile '${p.name}' runs on ${allowedVmms(p.name).join(', ')} (GICv${PROFILES[p.name]!.gic.version}), none of which --vmm lists (${vmm.map((v) => v.name).join(', ')})`);
    }
  }
  if (o.format === 'qemu' && vmm.some((v) => v.name !== 'qemu')) throw usage('--format qemu writes QEMU trace logs: every VM must use --vmm qemu');
  return { profiles: o.profiles, vms, vcpus, durationSec: o.durationSec, format: o.format, seed, lostEvents, revision, host, hostKernel: formatHostVersion(host), hostCpus, vmm, valueModel: o.valueModel ?? ((c) => new EmulatorGicModel(c)) };
}
