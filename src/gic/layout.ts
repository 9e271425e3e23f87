/**
 * Where each VM's GIC frames live in guest-physical space, and how that was decided.
 * CONTRACT between the importer (stores `vm_blocks` rows), the decode view and the replayer.
 *
 * Decision order per VM (a host trace can mix VMMs, so every VM is decided on its own evidence):
 * 1. `--gicd-base`/`--gicr-base`/`--its-base`/`--gicc-base` (source 'flags', on top of 2–5);
 * 2. `--platform` (source 'platform-flag');
 * 3. QEMU region names (`gicv3_dist`, `gicv3_redist_region[0]`, `gic_dist`, …) give exact bases
 *    (source 'qemu-regions');
 * 4. the VMM recognised from vCPU thread names (source 'vmm-default');
 * 5. the platform whose map covers most of the VM's MMIO pages (source 'detected');
 * 6. otherwise qemu-virt (source 'default').
 * The GIC version comes from `--gic-version`, else from evidence (vgic.md §10, guests.md §2), else 3:
 * region names; a KVM distributor's TYPER shape next to its IIDR; then, at the distributor bases
 * of the platform (or of every platform, when detecting it): TYPER shape (GICv2: CPUNumber [7:5],
 * nothing above bit 15; GICv3: IDbits [23:19] non-zero), PIDR2.ArchRev at D+0xFFE8 (0 on KVM
 * GICv2), GICD_SGIR writes at D+0xF00 and GICD_ITARGETSR accesses at D+0x800.. (GICv2 only —
 * a 4 KiB frame, so these are recorded per 4 KiB frame); last, redistributor traffic (GICv3) or
 * distributor traffic without it (GICv2). Redistributor placement that depends on the vCPU count
 * is computed from the evidence: GICR_TYPER reads with Last set, and SGI_base page traffic.
 */
import { AbitraceError, E } from '../errors.ts';
import type { LayoutEvidence, ParseSummary, VmInfoTable, VmmKind } from '../ingest/types.ts';
import { evidenceByVm, evidenceOf, NO_ID_READS, NO_PAGES, NO_REGIONS, NO_V2_FRAMES, vmmOfCode } from '../ingest/vm-evidence.ts';
import { PLATFORMS, platformById, platformForVmm, type PlatformDef } from './platforms.ts';

export const GIC_BLOCKS = ['GICD', 'GICR', 'GITS', 'GICC', 'GICV2M'] as const;
export type GicBlock = (typeof GIC_BLOCKS)[number];

export interface BlockRange {
  block: GicBlock;
  base: number;
  /** Bytes covered by the block (for GICR: the whole redistributor region). */
  size: number;
  /** GICR only: distance between redistributors (0x20000 for GICv3). */
  stride?: number;
}

/** A redistributor region: its base, the index of its first redistributor, how many it holds. */
export interface RedistRegion {
  base: number;
  first: number;
  count: number;
}

/**
 * The GICR blocks as redistributor regions, in KVM's order: the redistributors of regions at
 * lower addresses come first. KVM numbers regions in the order the VMM registers them, and every
 * VMM abitrace knows registers them from low to high (QEMU virt: 0x080A0000, then the high region
 * at 256 GiB for vCPUs 123 and above).
 */
export function redistRegions(blocks: readonly BlockRange[]): RedistRegion[] {
  const out: RedistRegion[] = [];
  let first = 0;
  for (const b of blocks.filter((x) => x.block === 'GICR').sort((x, y) => x.base - y.base)) {
    const count = Math.floor(b.size / (b.stride ?? 0x20000));
    out.push({ base: b.base, first, count });
    first += count;
  }
  return out;
}

/** Index of the first redistributor of GICR block `b` (redistRegions). */
export function firstRedistIndex(blocks: readonly BlockRange[], b: BlockRange): number {
  return redistRegions(blocks).find((r) => r.base === b.base)?.first ?? 0;
}

export interface VmLayout {
  vm: string;
  vmm: VmmKind | null;
  /** 'qemu-virt' | 'firecracker' | 'cloud-hypervisor' | 'kvmtool' | 'custom' */
  platform: string;
  gicVersion: 2 | 3 | null;
  blocks: BlockRange[];
  /** How the layout was chosen: 'flags', 'platform-flag', 'qemu-regions', 'detected', 'vmm-default', 'default'. */
  source: string;
}

export interface LayoutOverrides {
  platform?: string;
  gicdBase?: number;
  gicrBase?: number;
  itsBase?: number;
  giccBase?: number;
  gicVersion?: 2 | 3;
}

const EMPTY_EVIDENCE = (vm: number): LayoutEvidence => evidenceOf(vm, NO_PAGES, NO_REGIONS, NO_ID_READS, NO_V2_FRAMES, undefined, undefined);

/** Throws E_PLATFORM_UNKNOWN for a --platform that names no platform. */
export function checkOverrides(overrides: LayoutOverrides): void {
  if (overrides.platform !== undefined && !platformById(overrides.platform))
    throw new AbitraceError(E.PLATFORM_UNKNOWN,
      `unknown platform '${overrides.platform}' (expected one of ${PLATFORMS.map((p) => p.id).join(', ')})`);
}

/**
 * Each VM's layout in code order, one at a time: a host trace can hold a million short-lived VMs,
 * so each VM's evidence is put together (evidenceByVm), used and dropped (a find per VM was
 * quadratic; keeping every VM's evidence objects cost ~0.7 KiB per VM). `label(code)` names the VM.
 */
export function vmLayouts(summary: Pick<ParseSummary, 'layout' | 'layoutPages' | 'layoutIdReads' | 'layoutIcc' | 'layoutV2' | 'vmInfo'>, count: number,
  label: (code: number) => string, overrides: LayoutOverrides): Generator<VmLayout> {
  return vmLayoutsOf(evidenceByVm(summary), summary.vmInfo, count, label, overrides);
}

/** vmLayouts() from any stream of evidence in code order (evidenceOfStreams() at the end of a parse). */
export function* vmLayoutsOf(evidence: Iterator<LayoutEvidence>, info: VmInfoTable, count: number,
  label: (code: number) => string, overrides: LayoutOverrides): Generator<VmLayout> {
  checkOverrides(overrides);
  let next = evidence.next();
  for (let code = 0; code < count; code++) {
    while (next.done !== true && next.value.vm < code) next = evidence.next();
    // a new object either way (evidenceByVm's are), so namedVcpus is set on it in place
    const ev = next.done !== true && next.value.vm === code ? next.value : EMPTY_EVIDENCE(code);
    const vcpus = info.vcpus[code] ?? 0;
    if (vcpus > 0) ev.namedVcpus = vcpus;
    yield resolveVmLayout(label(code), ev, vmmOfCode(info.vmm[code] ?? 0), info.threads[code] ?? 0, overrides);
  }
}

/** Every VM's layout as objects (tests, small traces; the importer keeps a VmLayoutTable). */
export function resolveLayouts(summary: ParseSummary, overrides: LayoutOverrides): VmLayout[] {
  checkOverrides(overrides);
  return [...vmLayouts(summary, summary.vms.length, (code) => summary.vms.at(code)!, overrides)];
}

/**
 * A platform's map for a shape, one array per shape: a host trace of many VMs on one VMM shares
 * it (a copy per VM held ~0.5 KiB per VM until the import ends). Callers never mutate blocks.
 */
const blocksCache = new Map<PlatformDef, Map<number, readonly BlockRange[]>>();
function sharedBlocks(platform: PlatformDef, gicVersion: 2 | 3, nrVcpus: number, its = true): BlockRange[] {
  // a number key (no string built per VM: this runs twice for every VM of a host trace)
  const key = (gicVersion * 2 + (its ? 1 : 0)) * 65536 + nrVcpus;
  let byKey = blocksCache.get(platform);
  if (byKey === undefined) blocksCache.set(platform, (byKey = new Map()));
  let b = byKey.get(key);
  if (b === undefined) {
    b = Object.freeze(platform.blocks({ gicVersion, nrVcpus, its }).map((x) => Object.freeze(x)));
    if (byKey.size < 4096) byKey.set(key, b);
  }
  return b as BlockRange[];
}

/** One VM's layout from its evidence. Exported for tests and for `registers --platform`. */
export function resolveVmLayout(vm: string, ev: LayoutEvidence, vmm: VmmKind | null, threads: number,
  overrides: LayoutOverrides): VmLayout {
  let platform: PlatformDef;
  let source: string;
  let evidenced = overrides.gicVersion ?? versionFromEvidence(ev);
  let version: 2 | 3 = evidenced ?? 3;
  const qemuRegions = [...ev.regions.keys()].some(isGicRegionName);
  if (overrides.platform !== undefined) {
    platform = platformById(overrides.platform)!;
    source = 'platform-flag';
  } else if (qemuRegions) {
    platform = platformById('qemu-virt')!;
    source = 'qemu-regions';
  } else if (vmm) {
    platform = platformForVmm(vmm);
    source = 'vmm-default';
  } else {
    const best = detectPlatform(ev, overrides.gicVersion);
    if (best) {
      platform = best.platform;
      version = best.version;
      evidenced ??= version;
      source = 'detected';
    } else {
      platform = platformById('qemu-virt')!;
      source = 'default';
    }
  }
  if (evidenced === null && overrides.gicdBase !== undefined) {
    // --gicd-base: what the distributor at that address says, whatever the platform
    evidenced = versionAtBase(ev, overrides.gicdBase);
    if (evidenced !== null) version = evidenced;
  }
  if (evidenced === null) version = versionOnPlatform(ev, platform) ?? 3;
  if (!platform.gicVersions.includes(version) && overrides.gicVersion === undefined) version = platform.gicVersions[0]!;
  const nrVcpus = Math.max(1, vcpuEvidence(ev, platform, version), platform.redistDependsOnVcpus ? 0 : threads);
  let blocks = sharedBlocks(platform, version, nrVcpus);
  if (source === 'qemu-regions') blocks = applyQemuRegions(blocks, ev);
  const flagged = applyBaseFlags(blocks, overrides, version);
  if (flagged) {
    blocks = flagged;
    source = 'flags';
  }
  return { vm, vmm: vmm ?? (source === 'qemu-regions' ? 'qemu' : null), platform: flagged ? 'custom' : platform.id, gicVersion: version, blocks, source };
}

function isGicRegionName(name: string): boolean {
  return /^gicv3_|^gic_dist$|^gic_cpu$|^gicv2m$/.test(name);
}

/** GIC version from evidence that does not need a layout. null = no evidence. */
export function versionFromEvidence(ev: LayoutEvidence): 2 | 3 | null {
  // most VMs of a host trace have neither (no iterator made for them)
  if (ev.regions.size === 0 && ev.idReads.length === 0) return (ev.iccSysregs ?? 0) > 0 ? 3 : null;
  for (const name of ev.regions.keys()) {
    if (name.startsWith('gicv3')) return 3;
    if (name === 'gic_dist' || name === 'gic_cpu' || name === 'gicv2m') return 2;
  }
  if ((ev.iccSysregs ?? 0) > 0) return 3; // trapped ICC_* accesses (ICC_SGI1R_EL1 IPIs): a GICv3 CPU interface
  for (const r of ev.idReads) {
    const off = r.gpa & 0xffff;
    // PIDR2.ArchRev 3 or 4 at +0xFFE8 only exists on GICv3 frames (a GICv2 frame is 4 KiB).
    if (off === 0xffe8 && ((r.value >>> 4) & 0xf) >= 3) return 3;
    // KVM's GICD_IIDR (0x4B00r43B) at +0x8 marks a distributor without telling its version; its
    // GICD_TYPER at +0x4 does. Only a GICv2 distributor (4 KiB) sits off a 64 KiB boundary.
    if ((r.gpa & 0xfff) === 0x4 && r.len === 4 && isIidrAt(ev, r.gpa + 4)) {
      if (isV3Typer(r.value)) return 3;
      if (isV2Typer(r.value)) return 2;
    }
    if ((r.gpa & 0xfff) === 0x8 && off !== 0x8 && r.len === 4 && isKvmIidr(r.value)) return 2;
  }
  return null;
}

/** KVM's GICD_IIDR: ProductID 0x4B ('K'), implementer ARM (0x43B), any revision (vgic.md §2.1). */
function isKvmIidr(value: number): boolean {
  return (value & 0xffff0fff) >>> 0 === 0x4b00043b;
}

/** A GICv3 GICD_TYPER: IDbits [23:19] is at least 13 (LPIs) or 9 (SPIs only) under KVM, never 0. */
function isV3Typer(value: number): boolean {
  return ((value >>> 19) & 0x1f) !== 0;
}

/** A GICv2 GICD_TYPER: ITLinesNumber [4:0], CPUNumber [7:5], SecurityExtn, LSPI [15:11]; nothing above. */
function isV2Typer(value: number): boolean {
  return value >= 0 && value < 0x10000;
}

/**
 * Evidence that a GIC distributor of `version` sits at `base`: the number of confirming accesses,
 * or -1 when some access there contradicts it. Confirming: a TYPER read of the version's shape,
 * a KVM IIDR read, PIDR2.ArchRev 3/4 (GICv3) or 0 (GICv2: KVM has no ID registers there), GICD_SGIR
 * writes and GICD_ITARGETSR accesses (GICv2; GICv3 guests use ICC_SGI1R_EL1 and GICD_IROUTER).
 * Contradicting: a TYPER or PIDR2 of the other shape.
 */
export function distributorEvidence(ev: LayoutEvidence, base: number, version: 2 | 3): number {
  let hits = 0;
  for (const r of ev.idReads) {
    const off = r.gpa - base;
    if (off === 0x4 && r.len === 4) {
      if (version === 3 ? isV3Typer(r.value) : isV2Typer(r.value)) hits++;
      else return -1;
    } else if (off === 0x8 && r.len === 4 && isKvmIidr(r.value)) {
      hits++;
    } else if (off === 0xffe8 && r.len === 4) {
      const archRev = (r.value >>> 4) & 0xf;
      if (version === 3 ? archRev >= 3 : archRev === 0) hits++;
      else return -1;
    }
  }
  if (version === 2) {
    const h = ev.v2Frames.get(base);
    if (h !== undefined) hits += h.sgir + h.itargets;
  }
  return hits;
}

/** The version whose distributor evidence at `base` wins (one confirmed, the other not), or null. */
function versionAtBase(ev: LayoutEvidence, base: number): 2 | 3 | null {
  return pickVersion(distributorEvidence(ev, base, 2), distributorEvidence(ev, base, 3));
}

function pickVersion(e2: number, e3: number): 2 | 3 | null {
  if (e2 > 0 && e2 > e3) return 2;
  if (e3 > 0 && e3 > e2) return 3;
  return null;
}

/**
 * GIC version from evidence at a known platform's addresses: the distributor evidence at its
 * GICv2 and GICv3 distributor bases (distributorEvidence: TYPER shape, IIDR, PIDR2, SGIR,
 * ITARGETSR); when that does not decide, redistributor traffic (GICv3), or distributor traffic
 * with none at the redistributors (GICv2: every GICv3 guest uses its redistributor). null when
 * nothing tells.
 */
function versionOnPlatform(ev: LayoutEvidence, platform: PlatformDef): 2 | 3 | null {
  // the platform's maps come from the shared cache: this runs once per VM of a host trace
  const v3 = platform.gicVersions.includes(3) ? sharedBlocks(platform, 3, Math.max(1, vcpuEvidence(ev, platform, 3)), false) : [];
  const v2 = platform.gicVersions.includes(2) ? sharedBlocks(platform, 2, 1, false) : [];
  const d3 = v3.find((b) => b.block === 'GICD');
  const d2 = v2.find((b) => b.block === 'GICD');
  const byRegisters = pickVersion(d2 ? distributorEvidence(ev, d2.base, 2) : -1, d3 ? distributorEvidence(ev, d3.base, 3) : -1);
  if (byRegisters !== null) return byRegisters;
  if (!d3) return d2 ? 2 : null;
  const redist = v3.filter((b) => b.block === 'GICR').reduce((n, b) => n + pageCount(ev, b.base, b.size), 0);
  if (redist > 0) return 3;
  if (d2 && pageCount(ev, d2.base, d2.size) > 0) return 2;
  return null;
}

function isIidrAt(ev: LayoutEvidence, gpa: number): boolean {
  return ev.idReads.some((r) => r.gpa === gpa && (r.value & 0xfff) === 0x43b);
}

/** Accesses in [base, base + size) (ev.pages counts per 4 KiB page). */
function pageCount(ev: LayoutEvidence, base: number, size: number): number {
  let n = 0;
  const first = Math.floor(base / 0x1000);
  const last = Math.floor((base + size - 1) / 0x1000);
  if (last - first < ev.pages.size) {
    for (let p = first; p <= last; p++) n += ev.pages.get(p) ?? 0;
  } else {
    for (const [p, c] of ev.pages) if (p >= first && p <= last) n += c;
  }
  return n;
}

/** What vcpuEvidence needs of a platform's maps, computed once per platform (not once per VM). */
interface RedistProbe {
  /** The GICv3 distributor base. */
  dist: number;
  /** Fixed maps: the GICR blocks of the largest map (a TYPER at a redistributor frame, not GITS_TYPER at ITS + 8). */
  fixed: BlockRange[];
}
const redistProbes = new Map<PlatformDef, RedistProbe>();
function redistProbe(platform: PlatformDef): RedistProbe {
  let p = redistProbes.get(platform);
  if (p === undefined) {
    const dist = sharedBlocks(platform, 3, 1, false).find((b) => b.block === 'GICD')!.base;
    const fixed = platform.redistDependsOnVcpus ? [] : sharedBlocks(platform, 3, 512, false).filter((b) => b.block === 'GICR');
    redistProbes.set(platform, (p = { dist, fixed }));
  }
  return p;
}

/**
 * vCPUs implied by redistributor evidence for maps whose GICR region ends at the distributor:
 * the highest frame with SGI_base traffic, or a GICR_TYPER read with Last set (its processor
 * number + 1). vCPU i's frame is at region base + i × 128 KiB and the region ends at the
 * distributor, so the Last vCPU's frame is the one right below it (dist − 128 KiB).
 */
function vcpuEvidence(ev: LayoutEvidence, platform: PlatformDef, version: 2 | 3): number {
  if (version !== 3) return 0;
  const { dist, fixed } = redistProbe(platform);
  let n = ev.namedVcpus ?? 0; // vCPU thread names: at least the highest index + 1
  for (const r of ev.idReads) {
    if ((r.gpa & 0xffff) !== 0x8 || (r.len !== 8 && r.len !== 4)) continue;
    if ((r.value & 0x10) === 0) continue; // GICR_TYPER.Last
    const proc = (r.value >>> 8) & 0xffff;
    const inRedist = platform.redistDependsOnVcpus
      ? r.gpa - 8 === dist - 0x20000
      : fixed.some((b) => r.gpa >= b.base && r.gpa < b.base + b.size && (r.gpa - b.base) % 0x20000 === 8);
    if (inRedist) n = Math.max(n, proc + 1);
  }
  if (platform.redistDependsOnVcpus) {
    // SGI_base of the redistributor f frames below the distributor (f = 1..512): a page there means
    // at least f vCPUs. By the VM's pages (a handful), not by 512 frames × their 16 pages each.
    for (const [p, c] of ev.pages) {
      if (c <= 0) continue;
      const below = dist - p * 0x1000; // bytes from the page's start up to the distributor
      if (below <= 0) continue;
      const f = Math.ceil(below / 0x20000);
      // the page lies in frame f's upper 64 KiB (its SGI_base) when it starts at least 64 KiB into the frame
      if (f <= 512 && below <= f * 0x20000 - 0x10000) n = Math.max(n, f);
    }
  }
  const high = platform.highRedist;
  if (high) {
    // traffic in the high region's frame k: vCPU firstVcpu + k exists
    for (const p of ev.pages.keys()) {
      const k = Math.floor((p * 0x1000 - high.base) / 0x20000);
      if (k >= 0 && k < high.maxVcpus) n = Math.max(n, high.firstVcpu + k + 1);
    }
  }
  return n;
}

/**
 * Score every platform map against the evidence; null when nothing lands in any map. A map whose
 * distributor registers contradict it (a TYPER or PIDR2 of the other version at its distributor
 * base) ranks last, then more register-level evidence at its exact distributor base wins
 * (distributorEvidence: what tells kvmtool's GICv2 distributor at 1 GiB − 64 KiB from
 * Firecracker's at 1 GiB − 4 KiB, both in one 64 KiB page), then a map whose distributor page saw
 * accesses (every guest touches its distributor), then more covered accesses, then
 * redistributor traffic (GICv3 over GICv2), then the more specific (smaller) map — qemu-virt's
 * 15 MiB redistributor region would otherwise swallow the Cloud Hypervisor map inside it.
 */
function detectPlatform(ev: LayoutEvidence, forced: 2 | 3 | undefined): { platform: PlatformDef; version: 2 | 3 } | null {
  type Cand = { platform: PlatformDef; version: 2 | 3; exact: number; dist: number; score: number; redist: number; span: number };
  let best: Cand | null = null;
  const better = (a: Cand, b: Cand | null): boolean => {
    if (!b) return true;
    if ((a.exact < 0) !== (b.exact < 0)) return b.exact < 0;
    if (a.exact !== b.exact) return a.exact > b.exact;
    if (a.dist !== b.dist) return a.dist > b.dist;
    if (a.score !== b.score) return a.score > b.score;
    if (a.redist !== b.redist) return a.redist > b.redist;
    return a.span < b.span;
  };
  for (const platform of PLATFORMS) {
    for (const version of platform.gicVersions) {
      if (forced !== undefined && version !== forced) continue;
      const n = Math.max(1, vcpuEvidence(ev, platform, version));
      const blocks = platform.blocks({ gicVersion: version, nrVcpus: n, its: true });
      const c: Cand = { platform, version, exact: 0, dist: 0, score: 0, redist: 0, span: 0 };
      for (const b of blocks) {
        const hits = pageCount(ev, b.base, b.size);
        c.score += hits;
        c.span += b.size;
        if (b.block === 'GICR') c.redist += hits;
        if (b.block === 'GICD') {
          if (hits > 0) c.dist = 1;
          c.exact = distributorEvidence(ev, b.base, version);
        }
      }
      if (c.score > 0 && better(c, best)) best = c;
    }
  }
  return best && { platform: best.platform, version: best.version };
}

/** Moves qemu-virt blocks to where QEMU's region names put them (exact for non-default machines). */
function applyQemuRegions(blocks: BlockRange[], ev: LayoutEvidence): BlockRange[] {
  const regionBlock: Record<string, BlockRange['block']> = {
    gicv3_dist: 'GICD', gic_dist: 'GICD', gic_cpu: 'GICC', gicv2m: 'GICV2M',
  };
  let gicr = 0;
  return blocks.map((b) => {
    // the n-th GICR block is QEMU's gicv3_redist_region[n]
    const own = b.block === 'GICR' ? `gicv3_redist_region[${gicr++}]` : null;
    for (const [name, r] of ev.regions) {
      if (own !== null ? name !== own : regionBlock[name] !== b.block) continue;
      if (r.min >= b.base && r.max < b.base + b.size) return b;
      const align = b.block === 'GICR' ? 0x20000 : b.block === 'GICD' && b.size > 0x1000 ? 0x10000 : 0x1000;
      return { ...b, base: Math.floor(r.min / align) * align };
    }
    return b;
  });
}

function applyBaseFlags(blocks: BlockRange[], o: LayoutOverrides, version: 2 | 3): BlockRange[] | null {
  if (o.gicdBase === undefined && o.gicrBase === undefined && o.itsBase === undefined && o.giccBase === undefined) return null;
  const bases: Partial<Record<GicBlock, number>> = { GICD: o.gicdBase, GICR: o.gicrBase, GITS: o.itsBase, GICC: o.giccBase };
  const out = blocks.map((b) => (bases[b.block] === undefined ? b : { ...b, base: bases[b.block]! }));
  for (const blk of ['GICD', 'GICR', 'GITS', 'GICC'] as const) {
    if (bases[blk] === undefined || out.some((b) => b.block === blk)) continue;
    if ((blk === 'GICR' || blk === 'GITS') && version === 2) continue;
    if (blk === 'GICC' && version === 3) continue;
    out.push(blk === 'GICR'
      ? { block: blk, base: bases[blk]!, size: 0xf60000, stride: 0x20000 }
      : { block: blk, base: bases[blk]!, size: blk === 'GITS' ? 0x20000 : blk === 'GICC' ? 0x2000 : version === 2 ? 0x1000 : 0x10000 });
  }
  return out;
}
