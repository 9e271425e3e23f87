/**
 * Import statistics instead of aborts (as in Perfetto's trace processor): issue tallies with the
 * first samples, ring-buffer loss records, and per-VM layout evidence for platform detection.
 */
import { isIccSysreg } from '../model/codes.ts';
import type { IssueSample, IssueTally, LayoutEvidence, LostEventsRecord } from './types.ts';
import type { IdReadColumns } from './id-read-table.ts';
import { NumberTable } from './number-table.ts';
import { SpilledIdReads } from './spilled-id-reads.ts';
import { SpilledPairs } from './spilled-pairs.ts';
import { toBigInt } from './timestamp.ts';
import { NO_ID_READS, NO_PAGES, NO_V2_FRAMES, pageKey, type EvidenceStreams, TWO32, V2_ITARGETS_MAX, V2_SGIR_MAX, V2_SGIR_UNIT } from './vm-evidence.ts';

export const MAX_SAMPLES = 5;
/** Distinct (address, size) identification reads kept per VM. */
export const MAX_ID_READS = 4096; // a 512-vCPU boot reads every redistributor's TYPER and PIDR2

export type Severity = IssueTally['severity'];

export class IssueLog {
  private readonly tallies = new Map<string, IssueTally>();

  /** True when a sample for `line` would be kept (so callers build its text only then). */
  wantsSample(kind: string, line: number): boolean {
    const t = this.tallies.get(kind);
    if (t === undefined || t.samples.length < MAX_SAMPLES) return true;
    return line < t.samples[t.samples.length - 1]!.line;
  }

  /** Counts one issue; keeps the samples with the lowest line numbers. */
  add(kind: string, severity: Severity, line: number, text: string | null): void {
    let t = this.tallies.get(kind);
    if (t === undefined) {
      t = { kind, severity, count: 0, samples: [] };
      this.tallies.set(kind, t);
    }
    t.count++;
    if (text === null) return;
    const samples = t.samples;
    if (samples.length === MAX_SAMPLES && line >= samples[MAX_SAMPLES - 1]!.line) return;
    const s: IssueSample = { line, text: text.length > 200 ? text.slice(0, 200) : text };
    let k = samples.length;
    while (k > 0 && samples[k - 1]!.line > line) k--;
    samples.splice(k, 0, s);
    if (samples.length > MAX_SAMPLES) samples.pop();
  }

  count(kind: string): number {
    return this.tallies.get(kind)?.count ?? 0;
  }

  list(): IssueTally[] {
    return [...this.tallies.values()].map((t) => ({ ...t, samples: t.samples.slice() }));
  }
}

/**
 * Slots of the page-counter cache, shared by all VMs: a fixed size whatever the VM count (a host
 * trace can hold tens of thousands of short-lived VMs; per-VM slots took 6 KiB each).
 */
const PAGE_SLOTS = 16384;
const SLOT_MASK = PAGE_SLOTS - 1;
/** Page counts saturate here (NumberTable values are int32). */
const MAX_PAGE_COUNT = 0x7ffffffe;
/**
 * Evidence entries kept in memory before a table goes to a spill file (SpilledPairs,
 * SpilledIdReads): ~10 MiB for pages (table and sorted run), ~5 for frames, ~6 for
 * identification reads, whatever the VM count (pid_max VMs, one page each, were 0.1 GB of page
 * table). A fleet trace of 10k VMs × 20 pages stays in memory.
 */
export const EVIDENCE_MEMORY = { pages: 1 << 18, v2: 1 << 17, idReads: 1 << 18 };
export type EvidenceMemory = typeof EVIDENCE_MEMORY;

const addPageCounts = (a: number, b: number): number => Math.min(MAX_PAGE_COUNT, a + b);
/** Two packed v2Hits values added, each field saturating as v2Frame() counts it. */
function addV2Hits(a: number, b: number): number {
  const s = Math.min(V2_SGIR_MAX, Math.floor(a / V2_SGIR_UNIT) + Math.floor(b / V2_SGIR_UNIT));
  const t = Math.min(V2_ITARGETS_MAX, (a % V2_SGIR_UNIT) + (b % V2_SGIR_UNIT));
  return s * V2_SGIR_UNIT + t;
}

/**
 * Per-VM evidence of the rarest kind: QEMU region extents (QEMU logs: one VM). Allocated on first
 * use; the kinds the guests of a host trace have (pages, GICv2-shaped frames, identification
 * reads, ICC sysregs) are in tables for all VMs.
 */
class VmLayout {
  regions: Map<string, { min: number; max: number; count: number }> | null = null;
}

export class LayoutCollector {
  /** VM code → index in `layouts`, for the VMs that have a VmLayout. */
  private readonly layoutOf = new NumberTable(true);
  private readonly layouts: VmLayout[] = [];
  /** Identification reads of every VM (id-read-table.ts). */
  private readonly idReads: SpilledIdReads;
  /** VM code → trapped ICC_* sysreg accesses (LayoutEvidence.iccSysregs). */
  private icc = new NumberTable(true);
  /** (VM, page) → accesses, one table for all VMs (pageKey): a Map per VM cost ~0.3 KiB each. */
  private readonly pages: SpilledPairs;
  /**
   * (VM, 4 KiB frame) → GICv2-shaped hits (packed, v2Hits()): one table for all VMs. Every VM with
   * virtio-mmio devices (0x200 apart: half of them at frame offsets 0x800 up) has some, and a
   * Map and objects per VM held ~0.3 KiB each.
   */
  private readonly v2: SpilledPairs;
  /**
   * Direct-mapped (VM, page) counters in front of the table: one compare pair and one increment
   * per access. A VM's pages XOR a per-VM constant, so one VM's 64 MiB never collide.
   */
  private readonly slotVm = new Int32Array(PAGE_SLOTS).fill(-1);
  private readonly slotPage = new Float64Array(PAGE_SLOTS);
  private readonly slotCount = new Float64Array(PAGE_SLOTS);

  /** spillDir: where tables past `memory` entries go (beside the database). */
  constructor(spillDir?: string, memory: EvidenceMemory = EVIDENCE_MEMORY) {
    this.pages = new SpilledPairs(addPageCounts, memory.pages, spillDir);
    this.v2 = new SpilledPairs(addV2Hits, memory.v2, spillDir);
    this.idReads = new SpilledIdReads(MAX_ID_READS, memory.idReads, spillDir);
  }

  private vmLayout(vm: number): VmLayout {
    const i = this.layoutOf.get(vm);
    if (i >= 0) return this.layouts[i]!;
    const l = new VmLayout();
    this.layoutOf.set(vm, this.layouts.length);
    this.layouts.push(l);
    return l;
  }

  private evict(k: number): void {
    const vm = this.slotVm[k]!;
    if (vm < 0) return;
    const page = this.slotPage[k]!;
    if (page >= TWO32) return; // gpa ≥ 16 TiB: no GIC frame there
    const key = pageKey(vm, page);
    const had = this.pages.get(key);
    this.pages.set(key, Math.min(MAX_PAGE_COUNT, (had < 0 ? 0 : had) + this.slotCount[k]!));
  }

  /** A sysreg row (its encoding, as sysregEncoding()): counts the GICv3 CPU-interface registers. */
  sysreg(vm: number, enc: number): void {
    if (!isIccSysreg(enc)) return;
    const had = this.icc.get(vm);
    this.icc.set(vm, had < 0 ? 1 : Math.min(MAX_PAGE_COUNT, had + 1));
  }

  mmio(vm: number, gpaLo: number, gpaHi: number, isRead: boolean, len: number, valLo: number, valHi: number): void {
    const page = gpaHi * 1048576 + (gpaLo >>> 12);
    const k = ((gpaLo >>> 12) ^ Math.imul(vm, 0x9e3779b1)) & SLOT_MASK;
    if (this.slotPage[k] === page && this.slotVm[k] === vm) {
      this.slotCount[k]!++;
    } else {
      this.evict(k);
      this.slotVm[k] = vm;
      this.slotPage[k] = page;
      this.slotCount[k] = 1;
    }
    // Offsets within a 4 KiB frame: a GICv2 distributor is one (vgic.md §7.1), so its TYPER,
    // IIDR, ITARGETSR and SGIR sit at 4 KiB-frame offsets wherever the VMM maps it (Firecracker:
    // 1 GiB − 4 KiB); a GICv3 frame's are the same offsets of its 64 KiB frame (PIDR2 at 0xFFE8).
    const o = gpaLo & 0xfff;
    if (o >= 0x800) {
      if (o < 0xc00) this.v2Frame(vm, gpaHi * TWO32 + (gpaLo - o), false);
      else if (o === 0xf00) {
        if (!isRead && len === 4) this.v2Frame(vm, gpaHi * TWO32 + (gpaLo - o), true);
      } else if (o === 0xfe8 && isRead) this.idRead(vm, gpaLo, gpaHi, len, valLo, valHi);
    } else if ((o === 0x4 || o === 0x8) && isRead) this.idRead(vm, gpaLo, gpaHi, len, valLo, valHi);
  }

  /** A read of a candidate identification offset ((gpa & 0xfff) in 0x004, 0x008, 0xFE8): the first of each address and size. */
  private idRead(vm: number, gpaLo: number, gpaHi: number, len: number, valLo: number, valHi: number): void {
    this.idReads.add(vm, gpaHi * TWO32 + gpaLo, len, valHi * TWO32 + valLo);
  }

  /** A GICD_ITARGETSR-shaped access (frame + 0x800–0xBFF) or a 32-bit GICD_SGIR-shaped write (frame + 0xF00). */
  private v2Frame(vm: number, frame: number, sgir: boolean): void {
    if (frame >= TWO32 * 4096) return; // gpa ≥ 16 TiB: no GIC frame there (and no exact key)
    const key = pageKey(vm, frame / 4096);
    const had = this.v2.get(key);
    const h = had < 0 ? 0 : had;
    const s = Math.floor(h / V2_SGIR_UNIT);
    const t = h % V2_SGIR_UNIT;
    if (sgir ? s === V2_SGIR_MAX : t === V2_ITARGETS_MAX) return;
    this.v2.set(key, h + (sgir ? V2_SGIR_UNIT : 1));
  }

  region(vm: number, name: string, addr: number): void {
    const regions = (this.vmLayout(vm).regions ??= new Map());
    const r = regions.get(name);
    if (r === undefined) regions.set(name, { min: addr, max: addr, count: 1 });
    else {
      if (addr < r.min) r.min = addr;
      if (addr > r.max) r.max = addr;
      r.count++;
    }
  }

  /**
   * The rarer evidence by VM (ParseSummary.layout), and the page counts, identification reads and
   * ICC counts and GICv2-shaped frames of all VMs as typed arrays (layoutPages, layoutIdReads, layoutIcc, layoutV2).
   */
  finish(): { layout: LayoutEvidence[]; layoutPages: Float64Array; layoutIdReads: IdReadColumns; layoutIcc: Float64Array; layoutV2: Float64Array } {
    const layout = this.finishLayout();
    // each table is dropped once its array is built: a host trace's million VMs are tens of MiB each
    const layoutPages = this.pages.sortedPairs();
    const layoutIdReads = this.idReads.columns();
    const layoutIcc = this.takeIcc();
    const layoutV2 = this.v2.sortedPairs();
    return { layout, layoutPages, layoutIdReads, layoutIcc, layoutV2 };
  }

  /**
   * What finish() gives, with the page counts, identification reads and frames as streams of
   * chunks (evidenceOfStreams()): read from the spill files as they are consumed, so a trace of
   * millions of VMs never has them all in memory. Consumed once.
   */
  finishStreams(): EvidenceStreams {
    const layout = this.finishLayout();
    return { layout, pages: this.pages.stream(), idReads: this.idReads.stream(), icc: this.takeIcc(), v2: this.v2.stream() };
  }

  /** Empties the page cache into the table; the VMs' rarer evidence. */
  private finishLayout(): LayoutEvidence[] {
    for (let k = 0; k < PAGE_SLOTS; k++) {
      this.evict(k);
      this.slotVm[k] = -1;
    }
    const layout: LayoutEvidence[] = [];
    this.layoutOf.forEach((vm, i) => {
      const l = this.layouts[i]!;
      if (l.regions === null) return;
      layout.push({ vm, pages: NO_PAGES, regions: l.regions, idReads: NO_ID_READS, v2Frames: NO_V2_FRAMES });
    });
    layout.sort((a, b) => a.vm - b.vm);
    return layout;
  }

  private takeIcc(): Float64Array {
    const pairs = this.icc.sortedPairs();
    this.icc = new NumberTable(true);
    return pairs;
  }
}

/**
 * Ring-buffer loss markers: remembers the last timestamp per host CPU so each marker records the
 * window it covers; the first event after it on that CPU closes the window.
 */
export class LostEventTracker {
  /** Records not yet taken by takeClosed(). */
  records: LostEventsRecord[] = [];
  /** Every marker so far, and the sum of their counts. */
  markers = 0;
  events = 0;
  private last = new Float64Array(2 * 256).fill(NaN);
  /**
   * Per CPU, the markers since its last event (back-to-back markers share the closing event). A
   * record is open exactly while its tsAfterNs is null: close() is what sets it.
   */
  private readonly open = new Map<number, LostEventsRecord[]>();
  /** Records in `open` (all still in `records`: takeClosed() keeps them). */
  private openRecords = 0;
  /** Non-zero while some CPU has an open window; checked on every event line. */
  openCount = 0;

  /** Records with a closed window not yet taken (takeClosed() would return this many). */
  get closedPending(): number {
    return this.records.length - this.openRecords;
  }

  /** The last timestamp of every CPU, for restoreLast() after lines are parsed out of order. */
  saveLast(): Float64Array {
    return this.last.slice();
  }

  restoreLast(saved: Float64Array): void {
    this.last.set(saved.subarray(0, Math.min(saved.length, this.last.length)));
  }

  noteTs(cpu: number, lo: number, hi: number): void {
    if (2 * cpu + 1 >= this.last.length) this.grow(cpu);
    this.last[2 * cpu] = lo;
    this.last[2 * cpu + 1] = hi;
    if (this.openCount !== 0) this.close(cpu, lo, hi);
  }

  private close(cpu: number, lo: number, hi: number): void {
    const list = this.open.get(cpu);
    if (list === undefined) return;
    const after = toBigInt(lo, hi);
    for (const r of list) r.tsAfterNs = after;
    this.openRecords -= list.length;
    this.open.delete(cpu);
    this.openCount--;
  }

  marker(line: number, cpu: number, count: number | null): void {
    if (2 * cpu + 1 >= this.last.length) this.grow(cpu);
    const lo = this.last[2 * cpu]!;
    const r: LostEventsRecord = {
      line,
      hostCpu: cpu,
      count,
      tsBeforeNs: Number.isNaN(lo) ? null : toBigInt(lo, this.last[2 * cpu + 1]!),
      tsAfterNs: null,
    };
    this.records.push(r);
    this.markers++;
    if (count !== null) this.events += count;
    let list = this.open.get(cpu);
    if (list === undefined) {
      this.open.set(cpu, (list = []));
      this.openCount++;
    }
    list.push(r);
    this.openRecords++;
  }

  /**
   * Removes and returns the records whose window is closed; the open ones stay until the next
   * event on their CPU closes them.
   */
  takeClosed(): LostEventsRecord[] {
    if (this.openCount === 0) {
      const all = this.records;
      this.records = [];
      return all;
    }
    const closed: LostEventsRecord[] = [];
    const open: LostEventsRecord[] = [];
    for (const r of this.records) (r.tsAfterNs === null ? open : closed).push(r);
    this.records = open;
    return closed;
  }

  private grow(cpu: number): void {
    const next = new Float64Array(Math.max(this.last.length * 2, 2 * cpu + 2)).fill(NaN);
    next.set(this.last);
    this.last = next;
  }
}
