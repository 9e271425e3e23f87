/**
 * Per-VM parse results kept compact (a host trace can hold a million VMs): the VmInfo columns and
 * the page counts travel as typed arrays, and LayoutEvidence objects are built one VM at a time
 * when layouts are resolved.
 */
import { NO_ID_READ_COLUMNS } from './id-read-table.ts';
import { VMM_KINDS, type LayoutEvidence, type ParseSummary, type V2FrameHits, type VmInfo, type VmInfoTable, type VmmKind } from './types.ts';

export const TWO32 = 4294967296;

// Shared by every VM without such evidence (nothing downstream mutates evidence).
export const NO_REGIONS: LayoutEvidence['regions'] = new Map();
export const NO_ID_READS: LayoutEvidence['idReads'] = [];
export const NO_V2_FRAMES: LayoutEvidence['v2Frames'] = new Map();
export const NO_PAGES: LayoutEvidence['pages'] = new Map();

/** The page-count key of a VM's page (page < 2^32, code < 2^21: exact in a double). */
export function pageKey(vm: number, page: number): number {
  return vm * TWO32 + page;
}

/** GICv2-frame hits packed in one number (layoutV2): SGIR writes × 2^16 + ITARGETSR accesses, each saturating. */
export const V2_SGIR_UNIT = 65536;
export const V2_SGIR_MAX = 32766;
export const V2_ITARGETS_MAX = 65535;

export function v2Hits(packed: number): V2FrameHits {
  return { sgir: Math.floor(packed / V2_SGIR_UNIT), itargets: packed % V2_SGIR_UNIT };
}

/** A VMM as a small integer (0: none) for typed columns and packed records; vmmOfCode() inverts it. */
export function vmmCode(vmm: VmmKind | null): number {
  return vmm === null ? 0 : VMM_KINDS.indexOf(vmm) + 1;
}

export function vmmOfCode(code: number): VmmKind | null {
  return code === 0 ? null : VMM_KINDS[code - 1] ?? null;
}

export function emptyVmInfoTable(n = 0): VmInfoTable {
  return { vmm: new Uint8Array(n), threads: new Uint32Array(n), vcpus: new Int32Array(n) };
}

/** VM `code`'s info (vmm null, 0 threads, 0 vCPUs past the table's end). */
export function vmInfoAt(t: VmInfoTable, code: number): VmInfo {
  return { vm: code, vmm: vmmOfCode(t.vmm[code] ?? 0), threads: t.threads[code] ?? 0, vcpus: t.vcpus[code] ?? 0 };
}

/** A VmInfoTable from objects (tests, fixtures). */
export function vmInfoTable(list: readonly VmInfo[]): VmInfoTable {
  const n = list.reduce((a, v) => Math.max(a, v.vm + 1), 0);
  const t = emptyVmInfoTable(n);
  for (const v of list) {
    t.vmm[v.vm] = vmmCode(v.vmm);
    t.threads[v.vm] = v.threads;
    t.vcpus[v.vm] = v.vcpus;
  }
  return t;
}

/** The table as objects, one per VM code (tests). */
export function vmInfoList(t: VmInfoTable): VmInfo[] {
  return Array.from(t.vmm, (_, code) => vmInfoAt(t, code));
}

/** [key, count] pairs (pageKey) from per-VM page maps (tests, fixtures). */
export function layoutPagesOf(evidence: readonly LayoutEvidence[]): Float64Array {
  const pairs: Array<[number, number]> = [];
  for (const e of evidence) for (const [p, c] of e.pages) pairs.push([pageKey(e.vm, p), c]);
  pairs.sort((a, b) => a[0] - b[0]);
  return Float64Array.from(pairs.flat());
}

/**
 * LayoutEvidence of every VM that has some, in code order: the `layout` entries with their VM's
 * pages, identification reads, ICC count and GICv2-shaped frames from the typed tables filled in, and an entry of
 * those alone for VMs with nothing else. Each object is new (the caller may keep or drop it).
 */
export function* evidenceByVm(summary: Pick<ParseSummary, 'layout' | 'layoutPages' | 'layoutIdReads' | 'layoutIcc' | 'layoutV2'>): Generator<LayoutEvidence> {
  const rich = [...summary.layout].sort((a, b) => a.vm - b.vm);
  const pages = summary.layoutPages;
  const ids = summary.layoutIdReads ?? NO_ID_READ_COLUMNS;
  const icc = summary.layoutIcc ?? NO_PAIRS;
  const v2 = summary.layoutV2 ?? NO_PAIRS;
  let r = 0;
  let p = 0;
  let d = 0;
  let c = 0;
  let f = 0;
  for (;;) {
    const vm = Math.min(
      p < pages.length ? vmOfKey(pages[p]!) : Infinity,
      r < rich.length ? rich[r]!.vm : Infinity,
      d < ids.vm.length ? ids.vm[d]! : Infinity,
      c < icc.length ? icc[c]! : Infinity,
      f < v2.length ? vmOfKey(v2[f]!) : Infinity);
    if (vm === Infinity) return;
    const map = new Map<number, number>();
    for (const end = keysEnd(pages, p, vm); p < end; p += 2) map.set(pages[p]! - vm * TWO32, pages[p + 1]!);
    let idReads = NO_ID_READS;
    if (d < ids.vm.length && ids.vm[d] === vm) {
      idReads = [];
      for (; d < ids.vm.length && ids.vm[d] === vm; d++) idReads.push({ gpa: ids.gpa[d]!, len: ids.len[d]!, value: ids.value[d]! });
    }
    let iccSysregs = 0;
    if (c < icc.length && icc[c] === vm) {
      iccSysregs = icc[c + 1]!;
      c += 2;
    }
    const base = r < rich.length && rich[r]!.vm === vm ? rich[r++]! : null;
    let frames = base?.v2Frames ?? NO_V2_FRAMES;
    const framesEnd = keysEnd(v2, f, vm);
    if (framesEnd > f) {
      frames = new Map(frames);
      for (; f < framesEnd; f += 2) frames.set((v2[f]! - vm * TWO32) * 4096, v2Hits(v2[f + 1]!));
    }
    const iccTotal = (base?.iccSysregs ?? 0) + iccSysregs;
    yield evidenceOf(vm, map, base?.regions ?? NO_REGIONS, base === null ? idReads : idReads.length > 0 ? [...base.idReads, ...idReads] : base.idReads,
      frames, iccTotal > 0 ? iccTotal : undefined, base?.namedVcpus);
  }
}

const NO_PAIRS = new Float64Array(0);

/** The VM code of a pageKey. */
const vmOfKey = (key: number): number => Math.floor(key / TWO32);

/** Where VM `vm`'s [pageKey, value] pairs starting at `at` end. */
function keysEnd(pairs: Float64Array, at: number, vm: number): number {
  while (at < pairs.length && vmOfKey(pairs[at]!) === vm) at += 2;
  return at;
}

/**
 * A LayoutEvidence with every field present, always in this order: objects of one shape keep the
 * layout resolver's property reads monomorphic (it runs once per VM of a host trace; mixed shapes
 * from spreads and added fields made it ~3× slower).
 */
export function evidenceOf(vm: number, pages: LayoutEvidence['pages'], regions: LayoutEvidence['regions'],
  idReads: LayoutEvidence['idReads'], v2Frames: LayoutEvidence['v2Frames'], iccSysregs: number | undefined,
  namedVcpus: number | undefined): LayoutEvidence {
  return { vm, pages, regions, idReads, v2Frames, iccSysregs, namedVcpus };
}
