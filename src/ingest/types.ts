/**
 * The contract between the trace parsers (src/ingest) and their consumers (the importer, `convert`,
 * platform detection). Parsers produce AccessBatch rows, irq events and one ParseSummary.
 */
import type { AccessBatch } from '../model/access-batch.ts';
import type { IrqBatch } from '../model/irq-batch.ts';
import type { VmLabelList } from './vm-labels.ts';
import type { IdReadColumns } from './id-read-table.ts';
import type { LayoutOverrides } from '../gic/layout.ts';
import type { VmLayoutTableParts } from '../gic/vm-layout-table.ts';

/** Format families `--format` accepts. trace-cmd report output belongs to the ftrace family. */
export const TRACE_FORMATS = ['ftrace', 'perf', 'qemu'] as const;
export type TraceFormat = (typeof TRACE_FORMATS)[number];

export type VmmKind = 'qemu' | 'firecracker' | 'cloud-hypervisor' | 'kvmtool';

export interface ParseOptions {
  format: TraceFormat;
  /** Path as given by the user; used in error messages ("file:line: ..."). */
  path: string;
  /** `vm` for rows whose trace carries no tgid: `--vm` if given, else the file's base name. */
  fallbackVm: string;
  /** tid → tgid from a side map (`--tgid-map`), consulted when a line has no tgid column. */
  tgidMap?: ReadonlyMap<number, number>;
  /** `--strict`: the first malformed line throws an AbitraceError naming file:line. */
  strict: boolean;
  /** Rows per AccessBatch (default DEFAULT_BATCH_ROWS). */
  batchRows?: number;
  /** Where state past its memory budget is spilled (beside the database); default the OS's temp dir. */
  spillDir?: string;
  /**
   * Resolve every VM's layout at the end of the parse, in the parse's thread, with these
   * overrides: the summary then carries `layouts` and no evidence arrays (the evidence streams
   * from the spill files into the resolver, never all in memory: a trace of millions of VMs).
   */
  resolveLayouts?: LayoutOverrides;
}

export interface IssueSample {
  line: number;
  text: string; // truncated to 200 characters
}

export interface IssueTally {
  kind: string; // e.g. 'malformed_line', 'unpaired_read', 'unknown_line', 'line_too_long', 'lost_events'
  severity: 'info' | 'warn' | 'error';
  count: number;
  samples: IssueSample[]; // first 5, in line order
}

export interface LostEventsRecord {
  line: number;
  hostCpu: number;
  /** null when the trace says only `[LOST EVENTS]` / `[EVENTS DROPPED]`. */
  count: number | null;
  /** Last timestamp seen on that CPU before the marker, and the first one after (ns). */
  tsBeforeNs: bigint | null;
  tsAfterNs: bigint | null;
}

/** GICv2-distributor-shaped accesses in one 4 KiB frame (vgic.md §7.1). */
export interface V2FrameHits {
  /** 32-bit writes at frame + 0xF00 (GICD_SGIR: GICv2 IPIs). */
  sgir: number;
  /** Accesses at frame + 0x800–0xBFF (GICD_ITARGETSR: GICv2 routing; RAZ/WI on GICv3, which Linux never touches). */
  itargets: number;
}

/** Evidence for platform / GIC layout detection, per VM (dictionary code). */
export interface LayoutEvidence {
  vm: number;
  /** mmio accesses per 4 KiB page (gpa / 4096): a GICv2 distributor is one 4 KiB frame. */
  pages: Map<number, number>;
  /** QEMU region names with the lowest and highest address seen in each. */
  regions: Map<string, { min: number; max: number; count: number }>;
  /**
   * Reads of candidate identification offsets, (gpa & 0xfff) in 0x004, 0x008, 0xFE8 — TYPER, IIDR
   * of a 4 KiB GICv2 distributor; TYPER, IIDR, PIDR2 (0xFFE8), GICR_TYPER of 64 KiB GICv3 frames —
   * the first read of each address and size, at most 256.
   */
  idReads: Array<{ gpa: number; len: number; value: number }>;
  /** 4 KiB frame base → GICv2-distributor-shaped traffic there, at most 64 frames. */
  v2Frames: Map<number, V2FrameHits>;
  /**
   * Trapped GICv3 CPU-interface system-register accesses (ICC_*: Op0 3, CRn 12, CRm 8–12; every
   * multi-vCPU GICv3 guest writes ICC_SGI1R_EL1 for its IPIs): only a GICv3 guest makes them.
   */
  iccSysregs?: number;
  /** VmInfo.vcpus, added when layouts are resolved: a lower bound on the vCPU count. */
  namedVcpus?: number;
}

/**
 * VmInfo of every VM, by dictionary code, as columns: a host trace can hold a million VMs, and an
 * object per VM (twice: in the parse worker and after the message) cost ~0.1 KiB each.
 */
export interface VmInfoTable {
  /** Index + 1 into VMM_KINDS (0: no vCPU thread name seen). */
  vmm: Uint8Array;
  threads: Uint32Array;
  /** VmInfo.vcpus (at most 32768: vcpuFromComm). */
  vcpus: Uint16Array;
}

export const VMM_KINDS: readonly VmmKind[] = ['qemu', 'firecracker', 'cloud-hypervisor', 'kvmtool'];

export interface VmInfo {
  vm: number; // dictionary code
  vmm: VmmKind | null; // from vCPU thread names
  threads: number; // distinct tids
  /** Highest vCPU index named by a thread of the VM (`CPU 3/KVM`, `fc_vcpu 3`, …) + 1; 0 when none. */
  vcpus: number;
}

export interface ParseSummary {
  format: TraceFormat;
  /** Finer layout name: 'ftrace', 'ftrace-tgid', 'trace-cmd', 'perf', 'perf-pid', 'qemu', 'qemu-iso', 'qemu-plain'. */
  variant: string;
  bytes: number; // decompressed bytes parsed
  lines: number;
  accesses: number; // rows produced
  irqEvents: number;
  /** Recognised event lines not stored as an access (incl. the unsatisfied-read half of a pair). */
  otherEvents: number;
  /** Lines that produced nothing: headers, blank lines, LOST markers, malformed lines. */
  skipped: number;
  /** Every event name seen → lines. */
  eventCounts: Map<string, number>;
  issues: IssueTally[];
  /**
   * Loss markers not yet handed to `ParseSink.lost` (all of them for a sink without it): a sink
   * that takes them gets them in chunks as the parse goes, so their memory stays bounded.
   */
  lost: LostEventsRecord[];
  /** Every loss marker of the trace, and the events they say were lost (markers with a count). */
  lostMarkers: number;
  lostEvents: number;
  /** vm dictionary (code → label); compact (vm-labels.ts): read with at(). */
  vms: VmLabelList;
  sources: string[]; // event-name dictionary used by AccessBatch.source
  /** (vcpus empty when `layouts` is set: the resolver has used them.) */
  vmInfo: VmInfoTable;
  /**
   * Layout evidence other than page counts (identification reads, QEMU regions, GICv2 frames,
   * ICC sysregs), for the VMs that have some, by code; their `pages` are empty here.
   */
  layout: LayoutEvidence[];
  /**
   * Every VM's mmio accesses per 4 KiB page as [key, count] pairs sorted by key, key = VM code ×
   * 2^32 + page (pages from 2^32 up, gpa ≥ 16 TiB, hold no GIC frame and are not counted).
   * `evidenceByVm()` puts the two together.
   */
  layoutPages: Float64Array;
  /** Every VM's identification reads (LayoutEvidence.idReads), sorted by VM; absent: none. */
  layoutIdReads?: IdReadColumns;
  /** [VM code, ICC sysreg accesses] pairs sorted by code (LayoutEvidence.iccSysregs); absent: none. */
  layoutIcc?: Float64Array;
  /**
   * [key, hits] pairs sorted by key (LayoutEvidence.v2Frames): key = VM code × 2^32 + 4 KiB frame
   * number, hits = SGIR writes × 2^16 + ITARGETSR accesses (v2Hits()); absent: none.
   */
  layoutV2?: Float64Array;
  /** Every VM's layout, when ParseOptions.resolveLayouts asked for them (the evidence arrays are empty then). */
  layouts?: VmLayoutTableParts;
}

/**
 * What a parser hands its consumer as it goes: access batches and irq-event batches, each full
 * (or the last, partial one) as soon as it is written. Batches are owned by the consumer
 * afterwards; `vms`/`sources` are the dictionaries so far (the batch's codes index them).
 */
export interface ParseSink {
  // properties, not methods: their parameters are then checked strictly (a sink that indexed the
  // labels as a string[] compiled, and read undefined)
  accesses: (batch: AccessBatch, vms: VmLabelList, sources: readonly string[]) => void | Promise<void>;
  /**
   * true: the sink no longer uses a batch (of either kind) once `accesses`/`irqs` has returned
   * (or its promise settled), e.g. it copied the rows into DuckDB; the parser may then reuse the
   * batch's memory.
   */
  readonly releasesBatches?: boolean;
  irqs: (batch: IrqBatch, vms: VmLabelList, sources: readonly string[]) => void | Promise<void>;
  /**
   * Loss-marker records whose window is closed, in chunks while the parse runs (a trace from an
   * overrun buffer can hold millions). Without it the parser keeps them all for the summary.
   */
  lost?(records: LostEventsRecord[]): void | Promise<void>;
}
