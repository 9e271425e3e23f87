/**
 * Per-VM parse results kept compact (a host trace can hold a million VMs): the VmInfo columns and
 * the page counts travel as typed arrays, and LayoutEvidence objects are built one VM at a time
 * when layouts are resolved.
 */
import { newArray } from './page-arrays.ts';
import { NO_ID_READ_COLUMNS, type IdReadColumns } from './id-read-table.ts';
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
  return { vmm: newArray(Uint8Array, n), threads: newArray(Uint32Array, n), vcpus: newArray(Uint16Array, n) };
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

/** Layout evidence of all VMs as streams sorted by VM (LayoutCollector.finishStreams(), or a summary's arrays). */
export interface EvidenceStreams {
  /** The rarer evidence (ParseSummary.layout). */
  layout: readonly LayoutEvidence[];
  /** ParseSummary.layoutPages, layoutIdReads and layoutV2 in chunks, in order. */
  pages: Iterator<Float64Array>;
  idReads: Iterator<IdReadColumns>;
  icc: Float64Array;
  v2: Iterator<Float64Array>;
}

/** A summary's evidence arrays as streams of one chunk each. */
export function evidenceStreamsOf(summary: Pick<ParseSummary, 'layout' | 'layoutPages' | 'layoutIdReads' | 'layoutIcc' | 'layoutV2'>): EvidenceStreams {
  return {
    layout: summary.layout,
    pages: [summary.layoutPages][Symbol.iterator](),
    idReads: [summary.layoutIdReads ?? NO_ID_READ_COLUMNS][Symbol.iterator](),
    icc: summary.layoutIcc ?? NO_PAIRS,
    v2: [summary.layoutV2 ?? NO_PAIRS][Symbol.iterator](),
  };
}

/** Records from a stream of chunks, one at a time: next() loads the following one, or end() past the last. */
abstract class ChunkCursor<C> {
  private chunk: C | null = null;
  private i = 0;
  private n = 0;

  /** step: array entries per record. */
  constructor(private readonly chunks: Iterator<C>, private readonly step: number) {}

  protected abstract entries(chunk: C): number;
  protected abstract load(chunk: C, i: number): void;
  protected abstract end(): void;

  next(): void {
    while (this.i >= this.n) {
      const r = this.chunks.next();
      if (r.done === true) {
        this.end();
        return;
      }
      this.chunk = r.value;
      this.n = this.entries(r.value);
      this.i = 0;
    }
    this.load(this.chunk!, this.i);
    this.i += this.step;
  }
}

/** Sorted [key, value] pairs from a stream of chunks, one pair at a time: `key` is Infinity past the end. */
class PairCursor extends ChunkCursor<Float64Array> {
  key = Infinity;
  value = 0;

  constructor(chunks: Iterator<Float64Array>) {
    super(chunks, 2);
    this.next();
  }

  protected entries(chunk: Float64Array): number {
    return chunk.length;
  }

  protected load(chunk: Float64Array, i: number): void {
    this.key = chunk[i]!;
    this.value = chunk[i + 1]!;
  }

  protected end(): void {
    this.key = Infinity;
  }

  /** The VM code of the current key (pageKey), Infinity past the end. */
  get vm(): number {
    return vmOfKey(this.key);
  }
}

/** Identification reads from a stream of column chunks, one at a time: `vm` is Infinity past the end. */
class IdReadCursor extends ChunkCursor<IdReadColumns> {
  vm = Infinity;
  gpa = 0;
  len = 0;
  value = 0;

  constructor(chunks: Iterator<IdReadColumns>) {
    super(chunks, 1);
    this.next();
  }

  protected entries(chunk: IdReadColumns): number {
    return chunk.vm.length;
  }

  protected load(c: IdReadColumns, i: number): void {
    this.vm = c.vm[i]!;
    this.gpa = c.gpa[i]!;
    this.len = c.len[i]!;
    this.value = c.value[i]!;
  }

  protected end(): void {
    this.vm = Infinity;
  }
}

/**
 * LayoutEvidence of every VM that has some, in code order: the `layout` entries with their VM's
 * pages, identification reads, ICC count and GICv2-shaped frames from the typed tables filled in, and an entry of
 * those alone for VMs with nothing else. Each object is new (the caller may keep or drop it).
 */
export function evidenceByVm(summary: Pick<ParseSummary, 'layout' | 'layoutPages' | 'layoutIdReads' | 'layoutIcc' | 'layoutV2'>): Generator<LayoutEvidence> {
  return evidenceOfStreams(evidenceStreamsOf(summary));
}

/** evidenceByVm() from streams: a VM's evidence is put together as its chunks go by. */
export function* evidenceOfStreams(streams: EvidenceStreams): Generator<LayoutEvidence> {
  const rich = [...streams.layout].sort((a, b) => a.vm - b.vm);
  const pages = new PairCursor(streams.pages);
  const ids = new IdReadCursor(streams.idReads);
  const icc = streams.icc;
  const v2 = new PairCursor(streams.v2);
  let r = 0;
  let c = 0;
  for (;;) {
    const vm = Math.min(pages.vm, r < rich.length ? rich[r]!.vm : Infinity, ids.vm, c < icc.length ? icc[c]! : Infinity, v2.vm);
    if (vm === Infinity) return;
    const map = new Map<number, number>();
    for (; pages.vm === vm; pages.next()) map.set(pages.key - vm * TWO32, pages.value);
    let idReads = NO_ID_READS;
    if (ids.vm === vm) {
      idReads = [];
      for (; ids.vm === vm; ids.next()) idReads.push({ gpa: ids.gpa, len: ids.len, value: ids.value });
    }
    let iccSysregs = 0;
    if (c < icc.length && icc[c] === vm) {
      iccSysregs = icc[c + 1]!;
      c += 2;
    }
    const base = r < rich.length && rich[r]!.vm === vm ? rich[r++]! : null;
    let frames = base?.v2Frames ?? NO_V2_FRAMES;
    if (v2.vm === vm) {
      frames = new Map(frames);
      for (; v2.vm === vm; v2.next()) frames.set((v2.key - vm * TWO32) * 4096, v2Hits(v2.value));
    }
    const iccTotal = (base?.iccSysregs ?? 0) + iccSysregs;
    yield evidenceOf(vm, map, base?.regions ?? NO_REGIONS, base === null ? idReads : idReads.length > 0 ? [...base.idReads, ...idReads] : base.idReads,
      frames, iccTotal > 0 ? iccTotal : undefined, base?.namedVcpus);
  }
}

const NO_PAIRS = new Float64Array(0);

/** The VM code of a pageKey (Infinity for Infinity). */
const vmOfKey = (key: number): number => Math.floor(key / TWO32);

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
