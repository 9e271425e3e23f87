/**
 * Revision profiles: everything that differs between the GICD_IIDR revisions (and the host
 * kernels they run on) is data here. The handlers in vgic-model.ts consult these fields; adding a
 * revision or a non-GIC knob is a new profile plus, at most, one handler check on a new field.
 * Semantics from vgic.md §2–3 (mainline today + the May 2026 proposal for rev 1).
 */
import { AbitraceError, E } from '../errors.ts';
import type { HostFeature } from '../gic/descriptor.ts';

/** What the host kernel provides regardless of the revision (vgic.md §2.2 "not gated"). */
export interface HostCaps {
  /** Label for reports, e.g. '5.19+'. */
  label: string;
  /** GICR_INVLPIR/INVALLR/SYNCR exist (5.19+, 4645d11f4a55). */
  lpiInvalidation: boolean;
  /** GICC_DIR page trapped to the kernel (6.19+, 255de897e7fb). */
  gicvDirTrap: boolean;
  /** GICv4.1 with vSGIs: GICD_TYPER2.nASSGIcap, GICD_CTLR.nASSGIreq writable. */
  vsgi: boolean;
  /** PROPBASER/PENDBASER outer cacheability sanitised to SameAsInner (newer) instead of nC (older). */
  outerSameAsInner: boolean;
  /** The sanitisers keep PA bits 51:48 of PROPBASER/PENDBASER (older kernels clear them, vgic.md §6.1). */
  pa52: boolean;
  /** GICR_PENDBASER.PTZ (bit 62) reads as 0 (added after 4.18, vgic.md §2.2); older kernels return it as stored. */
  ptzReadsZero: boolean;
}

export interface RevisionProfile {
  /** Id used on the command line and in reports: '0', '1', '2', '3'. */
  id: string;
  revision: number;
  /** GICD_IIDR value: 0x4B00r43B. */
  iidr: number;
  /** IGROUPR reads: the stored group bits, or all ones (rev 0 RAO). */
  groupRead: 'stored' | 'all-ones';
  /** IGROUPR guest writes: stored (rev ≥ 2) or ignored (rev 0, rev 1 proposed). */
  groupWrite: 'store' | 'ignore';
  /** Bits ORed into every GICR_CTLR read: CES|IR (0x6) from rev 3. */
  rdCtlrAdvertise: number;
  host: HostCaps;
  description: string;
}

const MODERN_HOST: HostCaps = {
  label: '7.x', lpiInvalidation: true, gicvDirTrap: true, vsgi: false, outerSameAsInner: true, pa52: true, ptzReadsZero: true,
};
const HOST_4_18: HostCaps = {
  label: '4.7-4.18', lpiInvalidation: false, gicvDirTrap: false, vsgi: false, outerSameAsInner: false, pa52: false, ptzReadsZero: false,
};

export const iidrFor = (rev: number): number => (0x4b << 24) | ((rev & 0xf) << 12) | 0x43b;

const profiles: RevisionProfile[] = [
  {
    id: '0', revision: 0, iidr: iidrFor(0), groupRead: 'all-ones', groupWrite: 'ignore', rdCtlrAdvertise: 0, host: HOST_4_18,
    description: 'Linux 4.7–4.18: IGROUPR RAO/WI, no revision field, no LPI invalidation registers',
  },
  {
    id: '1', revision: 1, iidr: iidrFor(1), groupRead: 'stored', groupWrite: 'ignore', rdCtlrAdvertise: 0, host: MODERN_HOST,
    description: 'proposed 2026 (EC2-style): IGROUPR reads the reset group, guest writes ignored',
  },
  {
    id: '2', revision: 2, iidr: iidrFor(2), groupRead: 'stored', groupWrite: 'store', rdCtlrAdvertise: 0, host: MODERN_HOST,
    description: '4.19+: IGROUPR guest-writable; GICR_CTLR without IR/CES',
  },
  {
    id: '3', revision: 3, iidr: iidrFor(3), groupRead: 'stored', groupWrite: 'store', rdCtlrAdvertise: 0x6, host: MODERN_HOST,
    description: '5.19+ default: as rev 2, and GICR_CTLR reads CES|IR',
  },
];

/** The built-in profiles plus any defined with defineProfile(). */
export const PROFILES: readonly RevisionProfile[] = profiles;

/**
 * Adds a profile (a future revision, or a host variant such as "rev 3 on a pre-5.19 host"). The
 * engine needs no change: handlers read the profile's fields, sharing.ts derives what differs.
 */
export function defineProfile(p: RevisionProfile): RevisionProfile {
  if (profiles.some((x) => x.id === p.id)) throw new AbitraceError(E.PROFILE_UNKNOWN, `a revision profile with id '${p.id}' already exists`);
  profiles.push(p);
  return p;
}

export function profileById(id: string): RevisionProfile {
  const p = profiles.find((x) => x.id === id.trim());
  if (!p) throw new AbitraceError(E.REVISION_UNKNOWN, `unknown revision '${id}' (expected one of ${PROFILES.map((x) => x.id).join(', ')})`);
  return p;
}

/** Bit per HostFeature, for the per-descriptor availability check in the hot loop. */
export const FEATURE_BIT: Record<HostFeature, number> = { 'lpi-invalidation': 1, 'gicv-dir-trap': 2 };

export function hostFeatureMask(h: HostCaps): number {
  return (h.lpiInvalidation ? FEATURE_BIT['lpi-invalidation'] : 0) | (h.gicvDirTrap ? FEATURE_BIT['gicv-dir-trap'] : 0);
}

/** Revision from a recorded GICD_IIDR value: KVM's 0x4B00r43B, else null (QEMU's 0x43B, …). */
export function revisionFromIidr(value: number): number | null {
  return (value >>> 24) === 0x4b && (value & 0xfff) === 0x43b && ((value >>> 16) & 0xf) === 0 ? (value >>> 12) & 0xf : null;
}
