/**
 * The synchronous trace parser: bytes in (`feed`), AccessBatch rows, irq events and one
 * ParseSummary out. Per line: tokenizer for the format family (common columns) → event decoder
 * (by event name) → thread state (attribution, PC context, read pairing) → row writer.
 *
 * Invariant: every line is counted exactly once as an access row, an other event (incl. irq events
 * and the unsatisfied-read half of a pair) or a skipped line, so accesses + otherEvents + skipped
 * == lines.
 */
import { AbitraceError, E } from '../errors.ts';
import { DEFAULT_BATCH_ROWS } from '../model/access-batch.ts';
import type { AccessBatch } from '../model/access-batch.ts';
import { OP_READ, OP_WRITE, SPACE_HVC, SPACE_MMIO, SPACE_SMC, SPACE_SYSREG, sysregEncoding } from '../model/codes.ts';
import { Dictionary } from '../model/dictionary.ts';
import type { IrqBatch } from '../model/irq-batch.ts';
import { vcpuFromComm, VmRegistry, type VcpuThreadName } from './attribution.ts';
import { hex64, sampleText } from './bytes.ts';
import {
  EventTable, K_ENTRY, K_EXIT, K_GUEST_FAULT, K_HANDLE_SYS_REG, K_HVC, K_IRQ_PENDING, K_MMIO, K_QEMU_MR_READ, K_QEMU_MR_WRITE,
  K_SMC, K_SYS_ACCESS, K_TRAP_REG, MAX_EVENT_NAMES, OVERFLOW_EVENT_NAME,
} from './event-kinds.ts';
import { decodeKvmHandleSysReg, HandleSysRegFields } from './event-decoders/handle-sys-reg.ts';
import { decodeTrapReg, FN_OTHER, TrapRegFields } from './event-decoders/trap-reg.ts';
import { decodeKvmExit, decodeKvmGuestFault, EC_SMC64, ExitFields } from './event-decoders/exit.ts';
import { decodeHypercall, HypercallFields } from './event-decoders/hypercall.ts';
import { decodeVgicUpdateIrqPending, IrqPendingFields } from './event-decoders/irq-pending.ts';
import { decodeKvmMmioView, MMIO_READ, MMIO_UNSATISFIED_READ, MmioFields } from './event-decoders/mmio.ts';
import { decodeMemoryRegionOps, MemoryRegionFields } from './event-decoders/qemu-memory-region.ts';
import { decodeKvmSysAccess, SysAccessFields } from './event-decoders/sys-access.ts';
import { findPid, FLAG_CHAR, tokenizeFtrace, tokenizeFtraceColumns, tokenizeFtraceEvent, tokenizeFtraceTimestamp } from './ftrace-tokenizer.ts';
import { IssueLog, LayoutCollector, LostEventTracker, type EvidenceMemory } from './import-stats.ts';
import { ByteInterner } from './interner.ts';
import {
  L_FLAGS4, L_FLAGS5, L_PADDED, L_PID_TID, L_QEMU_AT, L_QEMU_ISO, L_TGID, LineHeader, R_BODY, R_LOST_MARKER, REASON_TEXT,
  L_LATENCY, L_SYSTEM, MAX_CPU, MAX_TID,
} from './line-header.ts';
import { LineScanner, MAX_LINE_BYTES, type LineHandler } from './line-scanner.ts';
import { holdUnsatisfiedRead, matchRead, READ_MISMATCH, READ_PAIRED } from './mmio-pairing.ts';
import { tokenizePerf } from './perf-tokenizer.ts';
import { tokenizeQemu } from './qemu-tokenizer.ts';
import { nsFromSeconds, TimeScratch } from './timestamp.ts';
import { IrqWriter } from './irq-writer.ts';
import { RowWriter } from './row-writer.ts';
import type { VmLabelList } from './vm-labels.ts';
import { evidenceOfStreams } from './vm-evidence.ts';
import { VmLayoutTable } from '../gic/vm-layout-table.ts';
import { isLostMarkerLine, isPreambleLine, LostMarker, parseLostMarker } from './special-lines.ts';
import { ThreadTable, type ThreadState } from './thread-state.ts';
import type { ParseOptions, ParseSink, ParseSummary, TraceFormat, VmInfoTable } from './types.ts';

export interface TraceParserOptions extends ParseOptions {
  /** Layout name from sniffing; derived from the lines themselves when omitted. */
  variant?: string;
  /**
   * false: ftrace and perf lines always take the generic tokenizer instead of the cached
   * comm-column paths (same output, slower; tests compare the two).
   */
  columnPath?: boolean;
  /** ThreadState objects kept before the least recently used are packed away (tests shrink it). */
  liveThreads?: number;
  /** Packed threads' memory budget in 28-byte units before they go to a file (tests shrink it; ThreadSpill). */
  spillMemoryUnits?: number;
  /** Layout evidence entries kept in memory before a table goes to a file (tests shrink them; EVIDENCE_MEMORY). */
  evidenceMemory?: EvidenceMemory;
}

const F_FTRACE = 0;
const F_PERF = 1;
const F_QEMU = 2;
/** Slots of the event-name cache: 2^(32 - EVENT_SHIFT). */
const EVENT_SHIFT = 27;
const EVENT_SLOTS = 1 << (32 - EVENT_SHIFT);

/** What each format's lines look like, for malformed-line messages. */
export const EXPECTED_LINE: Readonly<Record<TraceFormat, string>> = {
  ftrace: "an ftrace/trace-cmd event line '<comm>-<pid> [(<tgid>)] [<cpu>] [<flags>] <secs>.<usecs>: <event>: <fields>'",
  perf: "a perf script line '<comm> [<pid>/]<tid> [<cpu>] <secs>.<usecs>: <system>:<event>: <fields>'",
  qemu: "a QEMU trace line '[<tid>@<secs>.<usecs>:|<ISO-8601 time> ]<event> <fields>'",
};

const EXPECTED_BODY: Readonly<Record<number, string>> = {
  [K_MMIO]: "kvm_mmio fields 'mmio <unsatisfied-read|read|write> len <1|2|4|8> gpa 0x<hex> val 0x<hex>'",
  [K_SYS_ACCESS]: "kvm_sys_access fields 'PC: <hex> <name> (<op0>,<op1>,<CRn>,<CRm>,<op2>) [<hex>] read|write'",
  [K_HVC]: "kvm_hvc_arm64 fields 'HVC at 0x<hex> (r0: 0x<hex>, imm: 0x<hex>)'",
  [K_SMC]: "kvm_smc_arm64 fields 'SMC at 0x<hex> (r0: 0x<hex>, imm: 0x<hex>)'",
  [K_IRQ_PENDING]: "vgic_update_irq_pending fields 'VCPU: <n>, IRQ <n>, level: <0|1>' (VCPU within ±32767, IRQ below 2^31)",
  [K_QEMU_MR_READ]: "memory_region_ops_read fields 'cpu <n> mr 0x<hex> addr 0x<hex> value 0x<hex> size <n> name '<region>''",
  [K_QEMU_MR_WRITE]: "memory_region_ops_write fields 'cpu <n> mr 0x<hex> addr 0x<hex> value 0x<hex> size <n> name '<region>''",
};

/** vgic_update_irq_pending fields the irq_rows columns can hold (vcpu SMALLINT, irq INTEGER). */
const MIN_IRQ_VCPU = -32768;
const MAX_IRQ_VCPU = 32767;
const MAX_IRQ = 0x7fffffff;
/** Loss records kept before the closed ones go to a sink that takes them. */
const LOST_CHUNK = 4096;

export class TraceParser implements LineHandler {
  private readonly opts: TraceParserOptions;
  private readonly sink: ParseSink;
  private readonly fmt: number;
  private readonly columnPath: boolean;
  private readonly scanner = new LineScanner();
  private readonly hdr = new LineHeader();
  private readonly events: EventTable;
  private readonly comms = new ByteInterner();
  /** comm id → vCPU thread name decoded once per comm. */
  private readonly commVcpu: Array<VcpuThreadName | null> = [];
  private readonly regionNames = new ByteInterner();
  private threads: ThreadTable;
  /** Threads packed away when the parse ended (the table is dropped then), -1 before. */
  private spilledAtEnd = -1;
  private diskWordsAtEnd = -1;
  private readonly vmRegistry: VmRegistry;
  private readonly sources = new Dictionary();
  private readonly writer: RowWriter;
  private readonly issues = new IssueLog();
  private readonly layoutEvidence: LayoutCollector;
  private readonly lostTracker = new LostEventTracker();
  private readonly lostMarker = new LostMarker();
  private readonly irqWriter: IrqWriter;
  private readonly pending: Array<Promise<void>> = [];
  private pendingError: unknown = null;

  private readonly mmio = new MmioFields();
  private readonly sys = new SysAccessFields();
  private readonly hyp = new HypercallFields();
  private readonly exit = new ExitFields();
  private readonly irq = new IrqPendingFields();
  private readonly mr = new MemoryRegionFields();
  private readonly hsr = new HandleSysRegFields();
  /** Threads holding lines until their tgid shows (ThreadState.held), and how many lines they hold. */
  private readonly holding: ThreadState[] = [];
  private heldLines = 0;
  private heldBytes = 0;
  /** Threads in `holding` whose held is not null. */
  private holdingLive = 0;
  private readonly trap = new TrapRegFields();
  private handleSysRegSource = -1;

  private lines = 0;
  private accesses = 0;
  private otherEvents = 0;
  private skipped = 0;
  private irqEvents = 0;
  private layoutSeen = 0;
  private preambleSeen = false;
  private finished = false;
  private exitSourceCode = -1;
  /** eventId's cache: slot → event id (-1 empty), name length, first and last 4 bytes. */
  private readonly evSlotId = new Int32Array(EVENT_SLOTS).fill(-1);
  private readonly evSlotLen = new Int32Array(EVENT_SLOTS);
  private readonly evSlotHead = new Int32Array(EVENT_SLOTS);
  private readonly evSlotTail = new Int32Array(EVENT_SLOTS);
  /** Event id of `kvm_mmio` once a line of it went through event(), else -1 (fusedEvent's precondition). */
  private mmioEv = -1;
  /** Event ids of `kvm_exit` and `kvm_entry` once seen by event(), else -1. */
  private exitEv = -1;
  private entryEv = -1;
  /** Event id of `vgic_update_irq_pending` once seen by event(), else -1. */
  private irqEv = -1;
  /** Event ids of QEMU's `memory_region_ops_read`/`_write` once seen by event(), else -1. */
  private mrReadEv = -1;
  private mrWriteEv = -1;
  /** Lines fusedEvent took (tests check the fused path is exercised). */
  fusedLines = 0;
  /** A DataView of the buffer lines currently come from, for 32-bit compares. */
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(8));
  private viewOf: Buffer | null = null;

  constructor(opts: TraceParserOptions, sink: ParseSink) {
    this.opts = opts;
    this.sink = sink;
    this.fmt = opts.format === 'ftrace' ? F_FTRACE : opts.format === 'perf' ? F_PERF : F_QEMU;
    this.columnPath = opts.columnPath ?? true;
    this.events = new EventTable(opts.format);
    this.vmRegistry = new VmRegistry(opts.fallbackVm, opts.tgidMap);
    this.threads = new ThreadTable(opts.liveThreads, opts.spillMemoryUnits, opts.spillDir);
    this.layoutEvidence = new LayoutCollector(opts.spillDir, opts.evidenceMemory);
    this.writer = new RowWriter(opts.batchRows ?? DEFAULT_BATCH_ROWS, (b) => this.emitBatch(b));
    this.irqWriter = new IrqWriter(opts.batchRows ?? DEFAULT_BATCH_ROWS, (b) => this.emitIrqs(b));
  }

  /** The vm dictionary so far (code → label); grows append-only. */
  get vmNames(): VmLabelList {
    return this.vmRegistry.labels;
  }

  /** The source (event name) dictionary so far; grows append-only. */
  get sourceNames(): readonly string[] {
    return this.sources.entries;
  }

  /** Threads packed away beyond the live limit so far (tests). */
  get spilledThreads(): number {
    return this.spilledAtEnd >= 0 ? this.spilledAtEnd : this.threads.spilledCount;
  }

  /** Words of packed threads on disk (tests). */
  get spilledDiskWords(): number {
    return this.diskWordsAtEnd >= 0 ? this.diskWordsAtEnd : this.threads.diskWords;
  }

  /** Lines seen so far (for progress). */
  get lineCount(): number {
    return this.lines;
  }

  /** Parses every complete line in `chunk`; a partial last line waits for the next chunk. */
  feed(chunk: Uint8Array): void {
    if (this.finished) throw new Error('TraceParser.feed after finish');
    this.scanner.feed(chunk, this);
  }

  /** Gives a batch the consumer is done with back for reuse (saves allocating and faulting in a new one). */
  reuseBatch(b: AccessBatch): void {
    this.writer.reuse(b);
  }

  /** The same for an irq-event batch. */
  reuseIrqBatch(b: IrqBatch): void {
    this.irqWriter.reuse(b);
  }

  /** Resolves when every promise the sink returned so far has settled; rethrows a sink failure. */
  async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const all = this.pending.splice(0);
      await Promise.all(all);
    }
    if (this.pendingError !== null) throw this.pendingError;
  }

  /** Number of sink promises not yet settled/collected (for backpressure decisions). */
  get pendingSinkCalls(): number {
    return this.pending.length;
  }

  /** Parses the final unterminated line, closes open state, flushes rows and returns the summary. */
  finish(): ParseSummary {
    if (this.finished) throw new Error('TraceParser.finish called twice');
    this.scanner.finish(this);
    this.finished = true;
    this.releaseAllHeld('before the end of the trace');
    this.spilledAtEnd = this.threads.spilledCount;
    this.diskWordsAtEnd = this.threads.diskWords;
    // packed threads are not packed again: no line comes after
    this.threads.forEachOpen(-1, (th) => {
      if (th.pendLine > 0) this.unpaired(th, 'end of trace');
      if (th.hsrLine !== 0) this.undefSysreg(th);
    }, false);
    // the threads' state (~30–60 bytes each of millions) goes before the summary's arrays are built
    this.threads.close();
    this.threads = new ThreadTable(1);
    this.writer.flush();
    this.irqWriter.flush();
    const vmInfo = this.vmRegistry.info();
    return {
      format: this.opts.format,
      variant: this.opts.variant ?? this.derivedVariant(),
      bytes: this.scanner.bytes,
      lines: this.lines,
      accesses: this.accesses,
      irqEvents: this.irqEvents,
      otherEvents: this.otherEvents,
      skipped: this.skipped,
      eventCounts: this.events.countsByName(),
      issues: this.issues.list(),
      lost: this.lostTracker.records.slice(),
      lostMarkers: this.lostTracker.markers,
      lostEvents: this.lostTracker.events,
      vms: this.vmRegistry.labels, // not copied: a million labels, and the parse is over
      sources: this.sources.entries.slice(),
      ...this.finishLayouts(vmInfo),
    };
  }

  /**
   * The evidence arrays, or (opts.resolveLayouts) every VM's layout resolved from the evidence as
   * it streams; then the vCPU counts, which only the resolver reads, are not kept either.
   */
  private finishLayouts(vmInfo: VmInfoTable): Pick<ParseSummary, 'vmInfo' | 'layout' | 'layoutPages' | 'layouts'> {
    const overrides = this.opts.resolveLayouts;
    if (overrides === undefined) return { vmInfo, ...this.layoutEvidence.finish() };
    const labels = this.vmRegistry.labels;
    const table = VmLayoutTable.resolveStream(evidenceOfStreams(this.layoutEvidence.finishStreams()), vmInfo,
      labels.length, (code) => labels.at(code)!, overrides);
    return { vmInfo: { ...vmInfo, vcpus: new Uint16Array(0) }, layout: [], layoutPages: new Float64Array(0), layouts: table.toParts() };
  }

  private derivedVariant(): string {
    const seen = this.layoutSeen;
    if (this.fmt === F_FTRACE) {
      if (seen & L_TGID) return 'ftrace-tgid';
      return this.preambleSeen || seen & (L_PADDED | L_LATENCY) ? 'trace-cmd' : 'ftrace';
    }
    if (this.fmt === F_PERF) return seen & L_PID_TID ? 'perf-pid' : 'perf';
    if (seen & L_QEMU_AT) return 'qemu';
    return seen & L_QEMU_ISO ? 'qemu-iso' : 'qemu-plain';
  }

  // ---- sink hand-off ----

  private track(r: void | Promise<void>): void {
    if (r !== undefined && typeof (r as Promise<void>).then === 'function') {
      this.pending.push(
        (r as Promise<void>).then(undefined, (err: unknown) => {
          if (this.pendingError === null) this.pendingError = err;
        }),
      );
    }
  }

  // A sink that releases its batches and returned at once is done with the batch: it is filled
  // again (here or by the next parse on this thread) instead of a new one being allocated.
  private emitBatch(b: AccessBatch): void {
    const r = this.sink.accesses(b, this.vmRegistry.labels, this.sources.entries);
    if (r === undefined && this.sink.releasesBatches === true) this.writer.reuse(b);
    else this.track(r);
  }

  /** Hands the closed loss records to the sink (bounded memory for a trace of many markers). */
  private emitLost(): void {
    const closed = this.lostTracker.takeClosed();
    if (closed.length > 0) this.track(this.sink.lost!(closed));
  }

  private emitIrqs(b: IrqBatch): void {
    const r = this.sink.irqs(b, this.vmRegistry.labels, this.sources.entries);
    if (r === undefined && this.sink.releasesBatches === true) this.irqWriter.reuse(b);
    else this.track(r);
  }

  // ---- LineHandler ----

  overlong(bytes: number, head: Buffer): void {
    const line = ++this.lines;
    if (this.opts.strict) {
      throw new AbitraceError(
        E.LINE_TOO_LONG,
        `${this.opts.path}:${line}: line is ${bytes} bytes; expected at most ${MAX_LINE_BYTES} bytes per line`,
      );
    }
    this.skipped++;
    this.issues.add('line_too_long', 'warn', line, this.issues.wantsSample('line_too_long', line) ? sampleText(head, 0, head.length) : null);
  }

  line(buf: Buffer, s: number, e: number): void {
    const lineNo = ++this.lines;
    if (e > s && buf[e - 1]! === 13 /* CR */) e--;
    if (s === e) {
      this.skipped++;
      return;
    }
    const c0 = buf[s]!;
    if (c0 === 35 /* # */) {
      this.skipped++;
      return;
    }
    // cheap prefilters before the exact checks: comms like "CPU 0/KVM" also start with 'C'
    if (
      (c0 === 67 /* C */ && (buf[s + 3]! === 58 /* CPU: */ || buf[e - 1]! === 121 /* CPU n is empty */)) ||
      (c0 === 99 /* c */ && buf[s + 4]! === 61 /* cpus= */) ||
      (c0 === 118 /* v */ && buf[s + 8]! === 61 /* version = */)
    ) {
      if (isLostMarkerLine(buf, s, e)) {
        this.lostLine(buf, s, e, lineNo);
        return;
      }
      if (isPreambleLine(buf, s, e)) {
        this.preambleSeen = true;
        this.skipped++;
        return;
      }
    }
    const fmt = this.fmt;
    if (fmt === F_FTRACE && this.columnPath) {
      this.ftraceLine(buf, s, e, lineNo);
      return;
    }
    if (fmt === F_PERF && this.columnPath) {
      this.perfLine(buf, s, e, lineNo);
      return;
    }
    if (fmt === F_QEMU && this.columnPath && this.qemuLine(buf, s, e, lineNo)) {
      return;
    }
    // tokenizers skip the leading blanks themselves
    this.genericLine(buf, s, e, lineNo);
  }

  private badLine(buf: Buffer, s: number, e: number, lineNo: number, r: number): void {
    if (isBlankOrComment(buf, s, e)) this.skipped++;
    else this.malformed(lineNo, buf, s, e, EXPECTED_LINE[this.opts.format], r);
  }

  private dataView(buf: Buffer): DataView<ArrayBufferLike> {
    if (buf !== this.viewOf) {
      this.viewOf = buf;
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    return this.view;
  }

  /**
   * An ftrace/trace-cmd line. In the kernel's column layout the comm is right-aligned in 16
   * columns, so `-<pid>` starts at s + 16: the thread is looked up right after the pid, and when
   * the 16-byte comm column equals the one of that thread's previous line (four 32-bit compares)
   * the comm is known unchanged without scanning or comparing it. Lines with the comm elsewhere
   * search the pid (unalignedFtraceLine); lines the column path cannot read take the generic
   * tokenizer; all produce the same LineHeader.
   */
  private ftraceLine(buf: Buffer, s: number, e: number, lineNo: number): void {
    const h = this.hdr;
    const d = s + 16;
    let p = -1;
    let tid = 0;
    if (d + 2 < e && buf[d]! === 45) {
      let r = d + 1;
      for (; r < e; r++) {
        const ch = buf[r]!;
        if (ch < 48 || ch > 57) break;
        tid = tid * 10 + (ch - 48);
      }
      if (r > d + 1 && r < e && buf[r]! === 32 && tid <= MAX_TID) {
        r++;
        while (r < e && buf[r]! === 32) r++;
        if (r < e && (buf[r]! === 91 || buf[r]! === 40)) p = r;
      }
    }
    if (p < 0) {
      this.unalignedFtraceLine(buf, s, e, lineNo);
      return;
    }
    const th = this.threads.get(tid);
    const dv = this.dataView(buf);
    let col = s; // >= 0: the comm column may be cached after this line
    if (th.colKnown >= 0 && dv.getInt32(s, true) === th.col0 && dv.getInt32(s + 4, true) === th.col1
      && dv.getInt32(s + 8, true) === th.col2 && dv.getInt32(s + 12, true) === th.col3) {
      h.commStart = s + th.colStart;
      h.commKnown = th.colKnown === 1;
      col = -2; // same column as the thread's last line: comm unchanged
    } else {
      let c = s;
      while (buf[c]! === 32) c++; // stops at the '-' at d at the latest
      if (c === d) {
        // no comm before the dash: the generic tokenizer searches for another one
        this.genericLine(buf, s, e, lineNo);
        return;
      }
      h.commStart = c;
      h.commKnown = !(d - c === 5 && buf[c]! === 60 /* < */ && buf[c + 1]! === 46);
    }
    h.tid = tid;
    h.commEnd = d;
    this.ftraceColumns(buf, dv, s, e, lineNo, p, th, col);
  }

  /**
   * An ftrace line whose comm is not right-aligned in 16 columns (generators, readers that strip
   * the padding): the pid is searched for as the tokenizer does, and the comm compared with the
   * thread's, so that the rest of the line still takes the column caches and the fused paths.
   */
  private unalignedFtraceLine(buf: Buffer, s: number, e: number, lineNo: number): void {
    const h = this.hdr;
    let c = s;
    while (c < e && buf[c]! === 32) c++;
    const p = findPid(buf, c, e, h); // sets h.tid, h.commEnd
    if (p < 0) {
      this.genericLine(buf, s, e, lineNo);
      return;
    }
    h.commStart = c;
    const q = h.commEnd;
    h.commKnown = !(q - c === 5 && buf[c]! === 60 /* < */ && buf[c + 1]! === 46);
    const th = this.threads.get(h.tid);
    // -2: the comm is unchanged (or unknown, which changes nothing); -1: thread() compares it
    const col = !h.commKnown || (th.commId >= 0 && this.comms.equals(th.commId, buf, c, q)) ? -2 : -1;
    this.ftraceColumns(buf, this.dataView(buf), s, e, lineNo, p, th, col);
  }

  /**
   * The rest of an ftrace line from its `(tgid)`/`[cpu]` column at p, the comm and tid already
   * in this.hdr; `col` as thread() takes it (-2: comm unchanged).
   */
  private ftraceColumns(buf: Buffer, dv: DataView<ArrayBufferLike>, s: number, e: number, lineNo: number, p: number,
    th: ThreadState, col: number): void {
    const h = this.hdr;
    let r: number;
    // the tgid and CPU columns as on the thread's last line (then a flags token of the same
    // shape, or none as then); else the tgid column alone and the CPU column read as it comes
    // (vCPU threads move between host CPUs)
    const pl = th.pfxLen;
    const flags = (th.pfxLayout & (L_FLAGS4 | L_FLAGS5)) !== 0;
    let ts = -1;
    if (pl > 0) {
      if (samePrefix(dv, p, pl, th.pfx, th.pfx[8]!)) ts = flags ? flagsThenTimestamp(buf, p + pl, e, th.pfxLayout) : p + pl;
      if (ts < 0) ts = movedCpu(buf, dv, p, e, th, flags);
    }
    if (ts >= 0) {
      // parse from the timestamp on
      h.tgid = th.pfxTgid;
      h.cpu = th.pfxCpu;
      h.tsStart = ts;
      const colon = simpleTimestamp(buf, ts, e, h);
      if (flags) {
        if (colon < 0) r = tokenizeFtraceTimestamp(buf, ts, e, h, th.pfxLayout);
        else if (col === -2 && buf[colon + 1]! === 32 && this.fusedEvent(buf, dv, colon + 2, e, lineNo, th, th.pfxLayout, L_PADDED)) return;
        else r = tokenizeFtraceEvent(buf, colon, e, h, th.pfxLayout);
      } else if (colon >= 0 && buf[colon + 1]! === 32) {
        // no flags token: a simple timestamp with ': ' after it is what the tokenizer would take too
        if (col === -2 && this.fusedEvent(buf, dv, colon + 2, e, lineNo, th, th.pfxLayout, L_PADDED)) return;
        r = tokenizeFtraceEvent(buf, colon, e, h, th.pfxLayout);
      } else {
        // cached without a flags token, and this line has one (or an unusual timestamp)
        r = this.columnsAndCache(buf, dv, p, e, th);
      }
    } else {
      r = this.columnsAndCache(buf, dv, p, e, th);
    }
    if (r < 0) {
      this.badLine(buf, s, e, lineNo, r);
      return;
    }
    this.layoutSeen |= h.layout;
    this.event(buf, s, e, lineNo, h, th, col);
  }

  /**
   * A QEMU `<tid>@<secs>.<usecs>:memory_region_ops_read|write ` line of a thread whose VM is
   * settled: what tokenizeQemu → event() → memoryRegionOps() would do, without the name scan and
   * the dispatch. False, with nothing changed, for any other line (the general path takes it).
   */
  private qemuLine(buf: Buffer, s: number, e: number, lineNo: number): boolean {
    const h = this.hdr;
    let q = s;
    let tid = 0;
    for (; q < e; q++) {
      const ch = buf[q]!;
      if (ch < 48 || ch > 57) break;
      tid = tid * 10 + (ch - 48);
    }
    if (q === s || q + 40 > e || buf[q]! !== 64 /* @ */ || tid > MAX_TID) return false;
    const colon = simpleTimestamp(buf, q + 1, e, h);
    if (colon < 0) return false;
    const n = colon + 1; // the event name follows the ':' at once
    const dv = this.dataView(buf);
    if (dv.getInt32(n, true) !== W_MEMO || dv.getInt32(n + 4, true) !== W_RY_R || dv.getInt32(n + 8, true) !== W_EGIO
      || dv.getInt32(n + 12, true) !== W_N_OP) return false;
    const w = dv.getInt32(n + 16, true);
    let ev: number;
    let body: number;
    if (w === W_S_RE && buf[n + 20]! === 97 /* a */ && buf[n + 21]! === 100 /* d */ && buf[n + 22]! === 32) {
      ev = this.mrReadEv;
      body = n + 23;
    } else if (w === W_S_WR && dv.getInt32(n + 20, true) === W_ITE_SP) {
      ev = this.mrWriteEv;
      body = n + 24;
    } else {
      return false;
    }
    if (ev < 0) return false;
    const th = this.threads.get(tid);
    if (th.vm < 0) return false; // the thread's VM would be assigned
    const f = this.mr;
    if (!decodeMemoryRegionOps(buf, body, e, f) || f.size < 1 || f.size > 8) return false;
    // committed
    h.tsValid = true;
    h.tid = tid;
    h.cpu = -1;
    h.tgid = -1;
    this.events.counts[ev]!++;
    this.layoutSeen |= L_QEMU_AT;
    th.colKnown = -1; // what thread() does for a line without a comm column
    this.memoryRegionOps(ev, ev === this.mrReadEv, lineNo, h, th, buf);
    this.fusedLines++;
    return true;
  }

  /**
   * tokenizeFtraceColumns from the `(`/`[` column at p, remembering the columns for the thread's
   * next line (cachePrefix).
   */
  private columnsAndCache(buf: Buffer, dv: DataView<ArrayBufferLike>, p: number, e: number, th: ThreadState): number {
    const h = this.hdr;
    const r = tokenizeFtraceColumns(buf, p, e, h);
    if (r === 0) cachePrefix(th, dv, p, h);
    else th.pfxLen = 0;
    return r;
  }

  /**
   * A perf script line in its column layout: `%16s` comm, then `%7d` tid or `%7d/%-7d` pid/tid
   * (any width), ` [<cpu>]`, the timestamp, `<system>:<event>: `. The tid finds the thread; when
   * the 16-byte comm column equals the one of that thread's previous line the comm is known
   * unchanged, and the lines fusedEvent knows take it. Anything else, or any doubt, takes the
   * generic tokenizer (tokenizePerf), which gives the same result.
   */
  private perfLine(buf: Buffer, s: number, e: number, lineNo: number): void {
    const h = this.hdr;
    const d = s + 16;
    if (d + 8 >= e || buf[d]! !== 32 || buf[d - 1]! === 32) {
      this.genericLine(buf, s, e, lineNo);
      return;
    }
    let r = d + 1;
    while (r < e && buf[r]! === 32) r++;
    let tid = 0;
    let tgid = -1;
    const t0 = r;
    for (; r < e; r++) {
      const ch = buf[r]!;
      if (ch < 48 || ch > 57) break;
      tid = tid * 10 + (ch - 48);
    }
    if (r === t0 || r - t0 > 10 || tid > MAX_TID) {
      this.genericLine(buf, s, e, lineNo);
      return;
    }
    if (buf[r]! === 47 /* / */) {
      tgid = tid;
      tid = 0;
      const t1 = ++r;
      for (; r < e; r++) {
        const ch = buf[r]!;
        if (ch < 48 || ch > 57) break;
        tid = tid * 10 + (ch - 48);
      }
      if (r === t1 || r - t1 > 10 || tid > MAX_TID) {
        this.genericLine(buf, s, e, lineNo);
        return;
      }
    }
    if (buf[r]! !== 32) {
      this.genericLine(buf, s, e, lineNo);
      return;
    }
    while (r < e && buf[r]! === 32) r++;
    // [<cpu>]
    let cpu = 0;
    const c0 = ++r;
    if (buf[c0 - 1]! !== 91) {
      this.genericLine(buf, s, e, lineNo);
      return;
    }
    for (; r < e; r++) {
      const ch = buf[r]!;
      if (ch < 48 || ch > 57) break;
      cpu = cpu * 10 + (ch - 48);
    }
    if (r === c0 || cpu > MAX_CPU || buf[r]! !== 93 || buf[r + 1]! !== 32) {
      this.genericLine(buf, s, e, lineNo);
      return;
    }
    r += 2;
    while (r < e && buf[r]! === 32) r++;
    const colon = simpleTimestamp(buf, r, e, h);
    if (colon < 0 || buf[colon + 1]! !== 32) {
      this.genericLine(buf, s, e, lineNo);
      return;
    }
    const th = this.threads.get(tid);
    const dv = this.dataView(buf);
    if (th.colKnown < 0 || dv.getInt32(s, true) !== th.col0 || dv.getInt32(s + 4, true) !== th.col1
      || dv.getInt32(s + 8, true) !== th.col2 || dv.getInt32(s + 12, true) !== th.col3) {
      // a new comm column: the generic tokenizer reads it (and caches it for the next lines)
      this.genericLine(buf, s, e, lineNo);
      return;
    }
    let n = colon + 2;
    while (n < e && buf[n]! === 32) n++;
    // `kvm:` then the fused events' names
    h.tgid = tgid;
    h.cpu = cpu;
    h.tid = tid;
    if (n + 4 < e && dv.getInt32(n, true) === W_KVM_COLON && this.fusedEvent(buf, dv, n + 4, e, lineNo, th,
      tgid >= 0 ? L_SYSTEM | L_PID_TID : L_SYSTEM, 0)) return;
    this.genericLine(buf, s, e, lineNo);
  }

  /**
   * A line of any format through its generic tokenizer, no column caches, except that a perf
   * line in the column layout caches its comm column (perfLine compares it).
   */
  private genericLine(buf: Buffer, s: number, e: number, lineNo: number): void {
    const h = this.hdr;
    const fmt = this.fmt;
    const r = fmt === F_FTRACE ? tokenizeFtrace(buf, s, e, h) : fmt === F_PERF ? tokenizePerf(buf, s, e, h) : tokenizeQemu(buf, s, e, h);
    if (r < 0) {
      this.badLine(buf, s, e, lineNo, r);
      return;
    }
    this.layoutSeen |= h.layout;
    // perf's comm column is s..s+16 when the comm is right-aligned in it (perfLine's check)
    const col = fmt === F_PERF && this.columnPath && s + 16 < e && buf[s + 16]! === 32 && h.commStart >= s && h.commEnd <= s + 16
      && buf[s + 15]! !== 32 && !hasByte(buf, s, s + 16, 91 /* [ */) ? s : -1;
    this.event(buf, s, e, lineNo, h, this.threads.get(h.tid), col);
  }

  /**
   * The hottest lines, fused: `kvm_mmio:`, `kvm_exit:`, `kvm_entry:` or `vgic_update_irq_pending:`
   * at `n` (the event name, its system prefix and the timestamp before it already read into
   * this.hdr) on a thread whose comm column (and, for ftrace, tgid/cpu columns) equals its
   * previous line's and whose attribution is settled: what event() would do, without the name scan and the dispatch. `layout`: the line's
   * layout bits; `padBit`: what 2+ spaces after the event's colon add to them (L_PADDED for
   * ftrace, whose tokenizer tells trace-cmd's padding apart; 0 for perf). Everything is checked before any state changes; on any doubt it returns false
   * and the line takes the general path, which gives the same result (fast-paths.test.ts
   * compares the two).
   */
  private fusedEvent(buf: Buffer, dv: DataView<ArrayBufferLike>, n: number, e: number, lineNo: number, th: ThreadState, layout: number,
    padBit: number): boolean {
    const h = this.hdr;
    if (h.tgid >= 0 ? h.tgid !== th.tgid : th.vm < 0) return false; // the thread's VM would be (re)assigned
    if (th.hsrLine !== 0) return false; // a kvm_handle_sys_reg trap to settle first
    th.lastCpu = h.cpu; // also when the line falls back: thread() sets the same
    if (n + 11 > e) return false;
    const w0 = dv.getInt32(n, true);
    if (w0 === W_VGIC) return this.irqEv >= 0 && this.fusedIrqPending(buf, dv, n, e, lineNo, th, layout, padBit);
    if (w0 !== W_KVM_) return false;
    const w = dv.getInt32(n + 4, true);
    if (w === W_MMIO_) return this.mmioEv >= 0 && this.fusedMmio(buf, dv, n, e, lineNo, th, layout, padBit);
    let ev: number;
    let colon: number; // the ':' after the event name
    if (w === W_EXIT_) {
      ev = this.exitEv;
      colon = n + 8;
    } else if (w === W_ENTR_ && buf[n + 8]! === 121 /* y */) {
      ev = this.entryEv;
      colon = n + 9;
    } else {
      return false;
    }
    if (ev < 0 || buf[colon]! !== 58 || buf[colon + 1]! !== 32) return false;
    let body = colon + 2;
    while (body < e && buf[body]! === 32) body++;
    // committed
    h.tsValid = true;
    this.events.counts[ev]!++;
    this.layoutSeen |= body - colon >= 3 ? layout | padBit : layout; // 2+ spaces after the colon
    if (h.cpu >= 0) this.lostTracker.noteTs(h.cpu, h.tsLo, h.tsHi);
    if (ev === this.entryEv) {
      th.endExit();
      this.otherEvents++;
    } else {
      this.kvmExit(lineNo, h, th, buf, body, e);
    }
    this.fusedLines++;
    return true;
  }

  /**
   * fusedEvent's vgic_update_irq_pending line (`n`: the event name; host traces carry one per
   * injected interrupt, as many as MMIO accesses): what event() → irqPending() would do.
   */
  private fusedIrqPending(buf: Buffer, dv: DataView<ArrayBufferLike>, n: number, e: number, lineNo: number, th: ThreadState,
    layout: number, padBit: number): boolean {
    const h = this.hdr;
    // "vgic_update_irq_pending: "
    if (n + 30 > e || dv.getInt32(n + 4, true) !== W__UPD || dv.getInt32(n + 8, true) !== W_ATE_ || dv.getInt32(n + 12, true) !== W_IRQ_
      || dv.getInt32(n + 16, true) !== W_PEND || dv.getInt32(n + 20, true) !== W_ING_COLON || buf[n + 24]! !== 32) return false;
    let body = n + 25;
    while (body < e && buf[body]! === 32) body++;
    const f = this.irq;
    if (!decodeVgicUpdateIrqPending(buf, body, e, f) || !storableIrq(f)) return false;
    // committed
    h.tsValid = true;
    const ev = this.irqEv;
    this.events.counts[ev]!++;
    this.layoutSeen |= body - n >= 26 ? layout | padBit : layout; // 2+ spaces after the colon
    if (h.cpu >= 0) this.lostTracker.noteTs(h.cpu, h.tsLo, h.tsHi);
    this.irqPending(ev, lineNo, h, th);
    this.fusedLines++;
    return true;
  }

  /**
   * fusedEvent's kvm_mmio line (`n`: the event name), with a canonical body: what event() →
   * kvmMmio() would do.
   */
  private fusedMmio(buf: Buffer, dv: DataView<ArrayBufferLike>, n: number, e: number, lineNo: number, th: ThreadState, layout: number,
    padBit: number): boolean {
    const h = this.hdr;
    // "kvm_mmio:" and the spaces before the body (trace-cmd pads the event name)
    if (n + 40 > e || buf[n + 8]! !== 58 || buf[n + 9]! !== 32) return false;
    let body = n + 10;
    while (body < e && buf[body]! === 32) body++;
    const f = this.mmio;
    if (!decodeKvmMmioView(buf, dv, body, e, f) || !validMmioLen(f.len)) return false;
    // committed
    h.tsValid = true;
    const ev = this.mmioEv;
    this.events.counts[ev]!++;
    this.layoutSeen |= body - n >= 11 ? layout | padBit : layout; // 2+ spaces after the colon
    if (h.cpu >= 0) this.lostTracker.noteTs(h.cpu, h.tsLo, h.tsHi);
    this.kvmMmio(ev, lineNo, h, th);
    this.fusedLines++;
    return true;
  }

  // ---- special lines ----

  private lostLine(buf: Buffer, s: number, e: number, lineNo: number): void {
    const m = this.lostMarker;
    if (!parseLostMarker(buf, s, e, m)) {
      this.malformed(lineNo, buf, s, e, "a loss marker 'CPU:<n> [LOST <m> EVENTS]' or 'CPU:<n> [<m> EVENTS DROPPED]'", R_LOST_MARKER);
      return;
    }
    this.skipped++;
    this.issues.add('lost_events', 'warn', lineNo, this.issues.wantsSample('lost_events', lineNo) ? sampleText(buf, s, e) : null);
    this.lostTracker.marker(lineNo, m.cpu, m.count < 0 ? null : m.count);
    // by closed records: a trace with thousands of CPUs' windows open would otherwise scan on every marker
    if (this.lostTracker.closedPending >= LOST_CHUNK && this.sink.lost !== undefined) this.emitLost();
    // Per-thread context does not survive the gap (tracepoints.md §8): the exit that set a PC, the
    // completion of a pending read, an SMC's or a sysreg's twin may be among the lost events.
    this.threads.forEachOpen(m.cpu, (th) => this.lossReset(th, m.cpu, lineNo));
    // threads still holding lines (no tgid yet) meet the gap where it falls among them, when parsed
    for (const th of this.holding) {
      if (th.held === null) continue;
      th.held.push({ lineNo, bytes: null, cpu: m.cpu });
      this.heldLines++;
    }
  }

  /** A thread's state at a loss marker for `cpu` (< 0: every CPU) at `lineNo`. */
  private lossReset(th: ThreadState, cpu: number, lineNo: number): void {
    if (cpu >= 0 && th.lastCpu !== cpu) return;
    // a trap seen before the gap keeps the PC of its exit, also seen before the gap
    if (th.hsrLine !== 0) this.undefSysreg(th);
    th.endExit();
    if (th.pendLine > 0) this.unpaired(th, `events lost on CPU ${cpu} (line ${lineNo})`);
  }

  private tooManyNames(lineNo: number, buf: Buffer, s: number, e: number): void {
    this.issues.add('event_names_capped', 'warn', lineNo, this.issues.wantsSample('event_names_capped', lineNo)
      ? `${sampleText(buf, s, e)} (more than ${MAX_EVENT_NAMES} distinct event names: counted as '${OVERFLOW_EVENT_NAME}')` : null);
  }

  private malformed(lineNo: number, buf: Buffer, s: number, e: number, expected: string, reason: number): void {
    if (this.opts.strict) {
      throw new AbitraceError(
        E.MALFORMED_LINE,
        `${this.opts.path}:${lineNo}: expected ${expected} (${REASON_TEXT[reason] ?? 'unrecognised'}), got ${JSON.stringify(sampleText(buf, s, e))}`,
      );
    }
    this.skipped++;
    this.issues.add('malformed_line', 'warn', lineNo, this.issues.wantsSample('malformed_line', lineNo) ? sampleText(buf, s, e) : null);
  }

  /** A recognised event whose fields do not decode: malformed, and not counted as that event. */
  private badBody(ev: number, kind: number, lineNo: number, buf: Buffer, s: number, e: number): void {
    this.events.counts[ev]!--;
    this.malformed(lineNo, buf, s, e, EXPECTED_BODY[kind] ?? 'the event fields', R_BODY);
  }

  // ---- events ----

  /**
   * Brings the thread's attribution up to date with the line. `col`: -2 when the line's comm
   * column equals the thread's cached one (comm unchanged), else the column start to cache
   * (-1: the line has no fixed comm column).
   */
  private thread(th: ThreadState, buf: Buffer, h: LineHeader, col: number): void {
    th.lastCpu = h.cpu;
    if (col !== -2) {
      if (h.commKnown && (th.commId < 0 || !this.comms.equals(th.commId, buf, h.commStart, h.commEnd))) {
        this.commChanged(th, buf, h.commStart, h.commEnd);
      }
      if (col >= 0) {
        const dv = this.view;
        th.col0 = dv.getInt32(col, true);
        th.col1 = dv.getInt32(col + 4, true);
        th.col2 = dv.getInt32(col + 8, true);
        th.col3 = dv.getInt32(col + 12, true);
        th.colStart = h.commStart - col;
        th.colEnd = h.commEnd - col;
        th.colKnown = h.commKnown ? 1 : 0;
      } else {
        th.colKnown = -1;
      }
    }
    if (h.tgid >= 0) {
      if (h.tgid !== th.tgid) {
        th.tgid = h.tgid;
        this.setVm(th, this.vmRegistry.codeForTgid(h.tgid));
      }
    } else if (th.vm < 0) {
      this.setVm(th, this.vmRegistry.codeForTid(th.tid));
    }
  }

  /**
   * The thread's comm is buf[s, e) now. Comms are interned with their vCPU name decoded once, up to
   * MAX_COMMS of them (a trace could name a new thread on every line); a comm beyond that is
   * decoded each time it is met (commId -2: no id).
   */
  private commChanged(th: ThreadState, buf: Buffer, s: number, e: number): void {
    let commId = this.comms.size < MAX_COMMS ? this.comms.intern(buf, s, e) : this.comms.find(buf, s, e);
    let v: VcpuThreadName | null;
    if (commId >= 0) {
      while (this.commVcpu.length <= commId) this.commVcpu.push(vcpuFromComm(this.comms.names[this.commVcpu.length]!));
      v = this.commVcpu[commId] ?? null;
    } else {
      commId = -2;
      v = vcpuFromComm(buf.toString('utf8', s, e));
    }
    th.commId = commId;
    th.vcpu = v === null ? -1 : v.vcpu;
    th.vmm = v === null ? null : v.vmm;
    if (th.vmm !== null && th.vm >= 0) this.vmRegistry.noteVmm(th.vm, th.vmm);
    if (th.vcpu >= 0 && th.vm >= 0) this.noteVcpu(th);
  }

  /**
   * A line of a thread with no VM yet, in a layout with a tgid column. `(-------)` (no saved tgid
   * yet): the line is held and true returned. A tgid after held lines: the thread becomes that
   * tgid's VM and its held lines, then this one, are parsed (true). Otherwise false: parse on.
   */
  private holdOrRelease(ev: number, buf: Buffer, s: number, e: number, lineNo: number, h: LineHeader, th: ThreadState): boolean {
    if (h.tgid < 0 && (th.tid === 0 || this.opts.tgidMap?.has(th.tid) === true)) return false; // idle, or mapped
    if (h.tgid >= 0 && th.held === null) return false;
    if (h.cpu >= 0 && h.tsValid) this.lostTracker.noteTs(h.cpu, h.tsLo, h.tsHi); // in file order, once
    this.events.counts[ev]!--; // counted when parsed
    if (th.held === null) {
      th.held = [];
      if (this.holding.length >= 2 * this.holdingLive + 64) this.compactHolding();
      this.holding.push(th);
      this.holdingLive++;
    }
    th.held.push({ lineNo, bytes: Buffer.from(buf.subarray(s, e)), cpu: -1 });
    this.heldLines++;
    this.heldBytes += e - s;
    if (h.tgid >= 0) {
      th.tgid = h.tgid;
      this.setVm(th, this.vmRegistry.codeForTgid(h.tgid));
      this.parseHeld(th);
    } else if (this.heldLines > MAX_HELD_LINES || this.heldBytes > MAX_HELD_BYTES) {
      this.releaseAllHeld(`before the limit of ${MAX_HELD_LINES} held lines or ${MAX_HELD_BYTES >> 20} MiB was reached`);
    }
    return true;
  }

  /** Drops the threads whose lines were parsed from `holding` (it would grow with every thread that ever held). */
  private compactHolding(): void {
    let n = 0;
    for (const th of this.holding) if (th.held !== null) this.holding[n++] = th;
    this.holding.length = n;
  }

  /**
   * Every held thread takes the VM lines without a tgid get (--tgid-map, --vm, the file name) and
   * its lines are parsed; an issue says so (`why`: what came first, the end of the trace or the limit).
   */
  private releaseAllHeld(why: string): void {
    for (const th of this.holding) {
      if (th.held === null) continue;
      const vm = this.vmRegistry.codeForTid(th.tid);
      const first = th.held[0]!.lineNo;
      const n = th.held.reduce((a, l) => a + (l.bytes === null ? 0 : 1), 0);
      this.issues.add('tgid_never_shown', 'warn', first, this.issues.wantsSample('tgid_never_shown', first)
        ? `tid ${th.tid}: ${n} line(s) from line ${first} read (-------) as their tgid and no line of the thread showed one ${why}; `
          + `they are in VM '${this.vmRegistry.labels.at(vm)}' (pass --tgid-map to place them)` : null);
      this.setVm(th, vm);
      this.parseHeld(th);
    }
    this.holding.length = 0;
    this.holdingLive = 0;
  }

  /** Parses a thread's held lines (its VM now set) with their own line numbers, and the loss markers met among them. */
  private parseHeld(th: ThreadState): void {
    const held = th.held!;
    th.held = null;
    this.holdingLive--;
    this.heldLines -= held.length;
    const lines = this.lines;
    const last = this.lostTracker.saveLast(); // their timestamps were noted when they were held
    for (const l of held) {
      if (l.bytes === null) {
        this.lossReset(th, l.cpu, l.lineNo);
        continue;
      }
      this.heldBytes -= l.bytes.length;
      this.lines = l.lineNo - 1;
      this.line(l.bytes, 0, l.bytes.length);
    }
    this.lines = lines;
    this.lostTracker.restoreLast(last);
  }

  private setVm(th: ThreadState, vm: number): void {
    const prev = th.vm;
    th.vm = vm;
    this.vmRegistry.noteThread(vm, th.tid, prev);
    if (th.vmm !== null) this.vmRegistry.noteVmm(vm, th.vmm);
    if (th.vcpu >= 0) this.noteVcpu(th);
  }

  /** Records the thread's vCPU name; a second thread with it in the VM of lines without a tgid is an issue. */
  private noteVcpu(th: ThreadState): void {
    const other = this.vmRegistry.noteVcpu(th.vm, th.vcpu, th.tid);
    if (other < 0) return;
    const line = this.lines;
    this.issues.add('vcpu_name_reused', 'warn', line, this.issues.wantsSample('vcpu_name_reused', line)
      ? `vCPU ${th.vcpu} is named by tid ${other} and tid ${th.tid} in '${this.vmRegistry.labels.at(th.vm)}': `
        + 'several VMs (or VM restarts) without a tgid column are merged; pass --tgid-map (a saved_tgids or `ps -eLo pid,tid,comm` file) to tell them apart'
      : null);
  }

  private sourceCode(ev: number): number {
    let c = this.events.sourceCodes[ev]!;
    if (c < 0) {
      c = this.sources.intern(this.events.names[ev]!);
      this.events.sourceCodes[ev] = c;
    }
    return c;
  }

  /**
   * Event id of buf[start, end), through a small direct-mapped cache keyed by the name's length and
   * first and last 4 bytes (the events of a trace are few, and lines alternate between them:
   * kvm_exit, kvm_mmio, kvm_entry). A hit is verified: the words cover names of up to 8 bytes,
   * longer ones are compared byte by byte.
   */
  private eventId(buf: Buffer, start: number, end: number): number {
    const n = end - start;
    if (n >= 4) {
      const dv = this.dataView(buf);
      const head = dv.getInt32(start, true);
      const tail = dv.getInt32(end - 4, true);
      const k = Math.imul(head ^ Math.imul(tail, 31) ^ n, 0x9e3779b1) >>> EVENT_SHIFT; // the product's top bits
      const id = this.evSlotId[k]!;
      if (id >= 0 && this.evSlotLen[k] === n && this.evSlotHead[k] === head && this.evSlotTail[k] === tail
        && (n <= 8 || this.events.equals(id, buf, start, end))) return id;
      const ev = this.events.intern(buf, start, end);
      this.evSlotId[k] = ev;
      this.evSlotLen[k] = n;
      this.evSlotHead[k] = head;
      this.evSlotTail[k] = tail;
      return ev;
    }
    return this.events.intern(buf, start, end);
  }

  private event(buf: Buffer, s: number, e: number, lineNo: number, h: LineHeader, th: ThreadState, col: number): void {
    const ev = this.eventId(buf, h.eventStart, h.eventEnd);
    this.events.counts[ev]!++;
    if (ev === this.events.overflowId) this.tooManyNames(lineNo, buf, s, e);
    if (th.vm < 0 && (h.layout & L_TGID) !== 0 && this.holdOrRelease(ev, buf, s, e, lineNo, h, th)) return;
    const kind = this.events.kinds[ev]!;
    this.thread(th, buf, h, col);
    if (h.cpu >= 0 && h.tsValid) this.lostTracker.noteTs(h.cpu, h.tsLo, h.tsHi);
    const body = h.bodyStart;
    if (th.hsrLine !== 0 && kind !== K_SYS_ACCESS && kind !== K_HANDLE_SYS_REG) this.undefSysreg(th);
    if (kind === K_MMIO) {
      this.mmioEv = ev;
      // the hot case, ahead of the switch
      if (!decodeKvmMmioView(buf, this.dataView(buf), body, e, this.mmio) || !validMmioLen(this.mmio.len)) {
        this.badBody(ev, kind, lineNo, buf, s, e);
        return;
      }
      this.kvmMmio(ev, lineNo, h, th);
      return;
    }
    // remember the ids fusedEvent may take (the names it compares are exactly these)
    if (kind === K_EXIT && h.eventEnd - h.eventStart === 8) this.exitEv = ev;
    else if (kind === K_ENTRY && h.eventEnd - h.eventStart === 9) this.entryEv = ev;
    else if (kind === K_IRQ_PENDING && h.eventEnd - h.eventStart === 23) this.irqEv = ev;
    else if (kind === K_QEMU_MR_READ && h.eventEnd - h.eventStart === 22) this.mrReadEv = ev;
    else if (kind === K_QEMU_MR_WRITE && h.eventEnd - h.eventStart === 23) this.mrWriteEv = ev;
    switch (kind) {
      case K_EXIT:
        this.kvmExit(lineNo, h, th, buf, body, e);
        return;
      case K_ENTRY:
        th.endExit();
        this.otherEvents++;
        return;
      case K_GUEST_FAULT:
        if (decodeKvmGuestFault(buf, body, e, this.exit)) {
          th.pcValid = true;
          th.pcLo = this.exit.pcLo;
          th.pcHi = this.exit.pcHi;
        }
        this.otherEvents++;
        return;
      case K_SYS_ACCESS:
        if (!decodeKvmSysAccess(buf, body, e, this.sys)) {
          this.badBody(ev, kind, lineNo, buf, s, e);
          return;
        }
        // the trap this kvm_sys_access describes (the same ESR; a differing encoding is trusted to
        // kvm_sys_access, which names the register, rather than read as a second access)
        th.hsrLine = 0;
        this.kvmSysAccess(ev, lineNo, h, th);
        return;
      case K_HANDLE_SYS_REG:
        if (th.hsrLine !== 0) this.undefSysreg(th);
        if (decodeKvmHandleSysReg(buf, body, e, this.hsr)) {
          th.hsrLine = lineNo;
          th.hsrEnc = this.hsr.encoding;
          th.hsrWrite = this.hsr.isWrite;
          th.hsrTsValid = h.tsValid;
          th.hsrTsLo = h.tsLo;
          th.hsrTsHi = h.tsHi;
          th.hsrCpu = h.cpu;
        }
        this.otherEvents++; // until it turns out to be the only record of its access (undefSysreg)
        return;
      case K_TRAP_REG:
        if (decodeTrapReg(buf, body, e, this.trap)) this.trapReg(th);
        this.otherEvents++;
        return;
      case K_HVC:
      case K_SMC:
        if (!decodeHypercall(buf, body, e, this.hyp)) {
          this.badBody(ev, kind, lineNo, buf, s, e);
          return;
        }
        this.hypercall(ev, kind, lineNo, h, th);
        return;
      case K_IRQ_PENDING:
        if (!decodeVgicUpdateIrqPending(buf, body, e, this.irq) || !storableIrq(this.irq)) {
          this.badBody(ev, kind, lineNo, buf, s, e);
          return;
        }
        this.irqPending(ev, lineNo, h, th);
        return;
      case K_QEMU_MR_READ:
      case K_QEMU_MR_WRITE:
        if (!decodeMemoryRegionOps(buf, body, e, this.mr) || this.mr.size < 1 || this.mr.size > 8) {
          this.badBody(ev, kind, lineNo, buf, s, e);
          return;
        }
        this.memoryRegionOps(ev, kind === K_QEMU_MR_READ, lineNo, h, th, buf);
        return;
      default:
        this.otherEvents++;
    }
  }

  private kvmMmio(ev: number, lineNo: number, h: LineHeader, th: ThreadState): void {
    const f = this.mmio;
    if (f.type === MMIO_UNSATISFIED_READ) {
      if (th.pendLine > 0) this.unpaired(th, 'another unsatisfied-read on the thread');
      holdUnsatisfiedRead(th, f, lineNo);
      this.otherEvents++; // its value arrives with the read
      return;
    }
    let pcValid = th.pcValid;
    let pcLo = th.pcLo;
    let pcHi = th.pcHi;
    const isRead = f.type === MMIO_READ;
    if (isRead) {
      const m = matchRead(th, f);
      if (m === READ_PAIRED) {
        pcValid = th.pendPcValid;
        pcLo = th.pendPcLo;
        pcHi = th.pendPcHi;
      } else if (m === READ_MISMATCH) {
        this.unpaired(th, `a read of ${hex64(f.gpaLo, f.gpaHi)} len ${f.len} on line ${lineNo}`);
      }
    }
    this.writer.mmio(lineNo, h.tsValid, h.tsLo, h.tsHi, h.cpu, th.tid, th.vm, th.vcpu, this.sourceCode(ev), isRead ? OP_READ : OP_WRITE,
      f.gpaLo, f.gpaHi, f.len, f.valLo, f.valHi, pcValid, pcLo, pcHi);
    this.accesses++;
    this.layoutEvidence.mmio(th.vm, f.gpaLo, f.gpaHi, isRead, f.len, f.valLo, f.valHi);
  }

  /** An unsatisfied-read that will never get its value: warn, with a sample naming its line. */
  private unpaired(th: ThreadState, reason: string): void {
    const line = th.pendLine;
    th.pendLine = 0;
    const text = this.issues.wantsSample('unpaired_read', line)
      ? `kvm_mmio unsatisfied-read len ${th.pendLen} gpa ${hex64(th.pendGpaLo, th.pendGpaHi)} on tid ${th.tid} never completed (next: ${reason})`
      : null;
    this.issues.add('unpaired_read', 'warn', line, text);
  }

  private kvmExit(lineNo: number, h: LineHeader, th: ThreadState, buf: Buffer, body: number, e: number): void {
    const f = this.exit;
    th.endTwins();
    if (!decodeKvmExit(buf, body, e, f)) {
      th.pcValid = false;
      this.otherEvents++;
      return;
    }
    th.pcValid = f.pcValid;
    th.pcLo = f.pcLo;
    th.pcHi = f.pcHi;
    if (!f.hasEc || f.ec !== EC_SMC64) {
      this.otherEvents++;
      return;
    }
    // an SMC: the function id is not traced; a following kvm_smc_arm64 fills it in
    if (this.exitSourceCode < 0) this.exitSourceCode = this.sources.intern('kvm_exit');
    const w = this.writer;
    const i = w.begin(lineNo, h.tsValid, h.tsLo, h.tsHi, h.cpu, th.tid, th.vm, th.vcpu, this.exitSourceCode, SPACE_SMC, OP_WRITE);
    if (f.pcValid) w.pc(i, f.pcLo, f.pcHi);
    w.end();
    th.smcRow = i;
    th.smcGen = w.gen;
    this.accesses++;
  }

  private kvmSysAccess(ev: number, lineNo: number, h: LineHeader, th: ThreadState): void {
    const f = this.sys;
    const w = this.writer;
    const i = w.begin(lineNo, h.tsValid, h.tsLo, h.tsHi, h.cpu, th.tid, th.vm, th.vcpu, this.sourceCode(ev), SPACE_SYSREG,
      f.isWrite ? OP_WRITE : OP_READ);
    w.addr(i, f.encoding, 0);
    if (f.hasValue) w.value(i, f.valLo, f.valHi);
    if (f.pcValid) w.pc(i, f.pcLo, f.pcHi);
    w.end();
    th.sysRow = i;
    th.sysGen = w.gen;
    this.accesses++;
    this.layoutEvidence.sysreg(th.vm, f.encoding);
  }

  /**
   * trap_reg after the kvm_sys_access of the same debug-register access: its value (the register's
   * after the access) completes that row when the two agree on direction and register (fn names
   * DBGBVR/BCR/WVR/WCR<reg>; trap_debug_regs any op0 = 2 register).
   */
  private trapReg(th: ThreadState): void {
    const f = this.trap;
    const w = this.writer;
    const i = th.sysRow;
    th.sysRow = -1;
    if (i < 0 || th.sysGen !== w.gen || (w.batch.op[i] === OP_WRITE) !== f.isWrite) return;
    const enc = w.batch.addr32[2 * i]!; // the row's sysreg encoding
    const same = f.fn === FN_OTHER ? ((enc >>> 19) & 3) === 2 : enc === sysregEncoding(2, 0, 0, f.reg & 15, f.fn);
    if (same && !w.hasValue(i)) w.value(i, f.valLo, f.valHi);
  }

  /**
   * A kvm_handle_sys_reg trap that no kvm_sys_access described: KVM did not know the encoding
   * (the guest got an UNDEF, tracepoints.md §2.2), or that event was not captured. The trap is the
   * row: its encoding and direction from the ESR, the PC of the exit, no value. Written when the
   * thread's next event shows no kvm_sys_access came, so its seq (its line) may be below that of
   * rows other threads wrote meanwhile.
   */
  private undefSysreg(th: ThreadState): void {
    const line = th.hsrLine;
    th.hsrLine = 0;
    if (this.handleSysRegSource < 0) this.handleSysRegSource = this.sources.intern('kvm_handle_sys_reg');
    const w = this.writer;
    const i = w.begin(line, th.hsrTsValid, th.hsrTsLo, th.hsrTsHi, th.hsrCpu, th.tid, th.vm, th.vcpu, this.handleSysRegSource,
      SPACE_SYSREG, th.hsrWrite ? OP_WRITE : OP_READ);
    w.addr(i, th.hsrEnc, 0);
    if (th.pcValid) w.pc(i, th.pcLo, th.pcHi);
    w.end();
    this.otherEvents--;
    this.accesses++;
    this.layoutEvidence.sysreg(th.vm, th.hsrEnc);
  }

  private hypercall(ev: number, kind: number, lineNo: number, h: LineHeader, th: ThreadState): void {
    const f = this.hyp;
    const w = this.writer;
    if (kind === K_SMC && th.smcRow >= 0) {
      // complete the row of the SMC64 exit instead of adding a second one (unless that row's batch
      // was handed off already: then it stays without its function id, still one row per SMC)
      const i = th.smcRow;
      th.smcRow = -1;
      if (th.smcGen === w.gen) {
        w.addr(i, f.r0Lo, f.r0Hi);
        w.imm(i, f.imm);
        w.pc(i, f.pcLo, f.pcHi);
        w.setSource(i, this.sourceCode(ev));
        // the twin line produced the row, as kvm_hvc_arm64's does (unless rows of other threads
        // came in between: rows stay in line order, so it keeps the exit's line)
        if (w.isLast(i)) w.restamp(i, lineNo, h.tsValid, h.tsLo, h.tsHi, h.cpu);
      }
      this.otherEvents++;
      return;
    }
    const i = w.begin(lineNo, h.tsValid, h.tsLo, h.tsHi, h.cpu, th.tid, th.vm, th.vcpu, this.sourceCode(ev),
      kind === K_SMC ? SPACE_SMC : SPACE_HVC, OP_WRITE);
    w.addr(i, f.r0Lo, f.r0Hi);
    w.imm(i, f.imm);
    w.pc(i, f.pcLo, f.pcHi);
    w.end();
    this.accesses++;
  }

  private irqPending(ev: number, lineNo: number, h: LineHeader, th: ThreadState): void {
    const f = this.irq;
    this.irqWriter.add(lineNo, h.tsValid, h.tsLo, h.tsHi, h.cpu, th.tid, th.vm, f.vcpu, f.irq, f.level, this.sourceCode(ev));
    this.irqEvents++;
    this.otherEvents++;
  }

  private memoryRegionOps(ev: number, isRead: boolean, lineNo: number, h: LineHeader, th: ThreadState, buf: Buffer): void {
    const f = this.mr;
    const w = this.writer;
    const i = w.begin(lineNo, h.tsValid, h.tsLo, h.tsHi, -1, th.tid, th.vm, f.cpu, this.sourceCode(ev), SPACE_MMIO,
      isRead ? OP_READ : OP_WRITE);
    w.addr(i, f.addrLo, f.addrHi);
    w.len(i, f.size);
    w.value(i, f.valLo, f.valHi);
    w.end();
    this.accesses++;
    this.layoutEvidence.mmio(th.vm, f.addrLo, f.addrHi, isRead, f.size, f.valLo, f.valHi);
    // only QEMU's GIC regions (gicv3_*, gic_dist, gic_cpu, gicv2m) say anything about the layout;
    // other names (a device per PCI function…) would only cost memory, without bound
    const n = f.nameStart;
    if (f.nameEnd - n >= 3 && buf[n]! === 103 && buf[n + 1]! === 105 && buf[n + 2]! === 99 /* gic */) {
      const id = this.regionNames.size < MAX_REGION_NAMES ? this.regionNames.intern(buf, n, f.nameEnd) : this.regionNames.find(buf, n, f.nameEnd);
      if (id >= 0) this.layoutEvidence.region(th.vm, this.regionNames.names[id]!, f.addrHi * 4294967296 + f.addrLo);
    }
  }
}

// little-endian words of "kvm_", "mmio", "exit" and "entr", for fusedEvent's event-name checks
const W_KVM_ = 0x5f6d766b;
const W_MMIO_ = 0x6f696d6d;
const W_EXIT_ = 0x74697865;
const W_ENTR_ = 0x72746e65;
// "vgic", "_upd", "ate_", "irq_", "pend", "ing:": vgic_update_irq_pending
const W_VGIC = 0x63696776;
const W__UPD = 0x6470755f;
const W_ATE_ = 0x5f657461;
const W_IRQ_ = 0x5f717269;
const W_PEND = 0x646e6570;
const W_ING_COLON = 0x3a676e69;
// "memo", "ry_r", "egio", "n_op", "s_re", "s_wr", "ite ": QEMU's memory_region_ops_read/_write
const W_MEMO = 0x6f6d656d;
const W_RY_R = 0x725f7972;
const W_EGIO = 0x6f696765;
const W_N_OP = 0x706f5f6e;
const W_S_RE = 0x65725f73;
const W_S_WR = 0x72775f73;
const W_ITE_SP = 0x20657469;
// "kvm:", the system prefix of perf's event column
const W_KVM_COLON = 0x3a6d766b;

function hasByte(buf: Buffer, from: number, to: number, byte: number): boolean {
  for (let i = from; i < to; i++) if (buf[i]! === byte) return true;
  return false;
}

/**
 * The common timestamp form `<secs>.<6 or 9 digits>` followed by ':', secs of up to 10 digits
 * (uptime clocks, and wall clocks beyond 2^53 ns): sets h.tsLo/h.tsHi and returns the position
 * of the ':'; -1 for anything else (tokenizeFtraceTimestamp handles every form).
 */
function simpleTimestamp(buf: Buffer, p: number, e: number, h: LineHeader): number {
  let q = p;
  let secs = 0;
  for (; q < e; q++) {
    const c = buf[q]!;
    if (c < 48 || c > 57) break;
    secs = secs * 10 + (c - 48);
  }
  if (q === p || q - p > 10 || q >= e || buf[q]! !== 46) return -1;
  const fs = ++q;
  let frac = 0;
  for (; q < e; q++) {
    const c = buf[q]!;
    if (c < 48 || c > 57) break;
    frac = frac * 10 + (c - 48);
  }
  const nf = q - fs;
  if (nf === 6) frac *= 1000;
  else if (nf !== 9) return -1;
  if (q >= e || buf[q]! !== 58) return -1;
  if (secs <= 9007198) {
    const ns = secs * 1e9 + frac; // exact below 2^53
    h.tsLo = ns >>> 0;
    h.tsHi = (ns / 4294967296) >>> 0;
  } else {
    const w = WIDE_TS;
    nsFromSeconds(secs, frac, w); // 10 digits of seconds always fit 64 bits of ns
    h.tsLo = w.lo;
    h.tsHi = w.hi;
  }
  return q;
}

const WIDE_TS = new TimeScratch();

/** Lines held for threads awaiting their tgid (ThreadState.held) before the parser gives up on all of them. */
const MAX_HELD_LINES = 65536;
/** Distinct comms kept with their decoded vCPU names. */
const MAX_COMMS = 65536;
/** Distinct GIC region names of QEMU logs kept (QEMU has a handful: one per redistributor region). */
const MAX_REGION_NAMES = 1024;
/** ... and their bytes (lines may be up to 1 MiB each). */
const MAX_HELD_BYTES = 32 * 1024 * 1024;

/**
 * ftraceColumns when the cached columns did not match: the tgid column compared alone and the
 * CPU column read (vCPU threads move between host CPUs). Where the timestamp starts, with the new
 * CPU cached for the thread's next lines (th.pfxCpu), or -1. Out of the hot function on purpose:
 * inlined there, it kept V8 from inlining the steady path's callees.
 */
function movedCpu(buf: Buffer, dv: DataView<ArrayBufferLike>, p: number, e: number, th: ThreadState, flags: boolean): number {
  const tl = th.pfxTgidLen;
  const b = tl === 0 ? p : tl > 0 && samePrefix(dv, p, tl, th.pfx, th.pfxTgidTail) ? p + tl : -1; // the CPU column's '['
  if (b < 0 || buf[b]! !== 91) return -1;
  let q = b + 1;
  let cpu = 0;
  for (; q < e; q++) {
    const ch = buf[q]!;
    if (ch < 48 || ch > 57) break;
    cpu = cpu * 10 + (ch - 48);
  }
  if (q === b + 1 || q >= e || buf[q]! !== 93 || cpu > MAX_CPU) return -1;
  q++;
  while (q < e && buf[q]! === 32) q++;
  const ts = flags ? flagsThenTimestamp(buf, q, e, th.pfxLayout) : q < e ? q : -1;
  if (ts >= 0) recachePrefix(th, dv, p, q, cpu);
  return ts;
}

/** cachePrefix's words again for a line that differs from the cached one only in its CPU column. */
function recachePrefix(th: ThreadState, dv: DataView<ArrayBufferLike>, p: number, end: number, cpu: number): void {
  const pl = end - p;
  if (pl < 4 || pl > 32) return;
  const w = th.pfx;
  const nw = pl >>> 2;
  for (let k = 0; k < nw; k++) w[k] = dv.getInt32(p + 4 * k, true);
  w[8] = dv.getInt32(p + pl - 4, true);
  th.pfxLen = pl;
  th.pfxCpu = cpu;
}

/**
 * True when the pl bytes at p equal the first pl bytes of the cached prefix words, whose last four
 * are `tail` (pl in 4..32).
 */
function samePrefix(dv: DataView<ArrayBufferLike>, p: number, pl: number, w: Int32Array, tail: number): boolean {
  const nw = pl >>> 2;
  for (let k = 0; k < nw; k++) if (dv.getInt32(p + 4 * k, true) !== w[k]!) return false;
  return dv.getInt32(p + pl - 4, true) === tail;
}

/**
 * Where the timestamp starts when buf[t, e) holds an irq-flags token of the cached shape (4 or 5
 * flag characters, by `layout`) followed by spaces, else -1: exactly when tokenizeFtraceColumns
 * would read that token as the flags.
 */
function flagsThenTimestamp(buf: Buffer, t: number, e: number, layout: number): number {
  const n = (layout & L_FLAGS4) !== 0 ? 4 : 5;
  if (t + n >= e || buf[t + n]! !== 32) return -1;
  const fc = FLAG_CHAR;
  for (let k = 0; k < n; k++) if (fc[buf[t + k]!]! !== 1) return -1;
  t += n + 1;
  while (t < e && buf[t]! === 32) t++;
  return t < e ? t : -1;
}

/**
 * Caches the column bytes of a tokenized line from p up to its irq-flags token (or up to its
 * timestamp when it has none), what they parsed to, and how many of them are the tgid column
 * (up to the CPU column's `[`).
 */
function cachePrefix(th: ThreadState, dv: DataView<ArrayBufferLike>, p: number, h: LineHeader): void {
  const end = (h.layout & (L_FLAGS4 | L_FLAGS5)) !== 0 ? h.flagsStart : h.tsStart;
  const pl = end - p;
  if (pl < 4 || pl > 32 || (h.layout & L_LATENCY) !== 0) {
    th.pfxLen = 0;
    return;
  }
  const w = th.pfx;
  const nw = pl >>> 2;
  for (let k = 0; k < nw; k++) w[k] = dv.getInt32(p + 4 * k, true);
  w[8] = dv.getInt32(p + pl - 4, true);
  th.pfxLen = pl;
  th.pfxTgid = h.tgid;
  th.pfxCpu = h.cpu;
  th.pfxLayout = h.layout & (L_TGID | L_FLAGS4 | L_FLAGS5);
  const tl = h.cpuStart - p; // 0: no tgid column
  th.pfxTgidLen = tl === 0 || tl >= 4 ? tl : -1;
  th.pfxTgidTail = tl >= 4 ? dv.getInt32(p + tl - 4, true) : 0;
}

/** Blank (spaces/tabs only) or an indented `#` comment: skipped without an issue. */
function isBlankOrComment(buf: Buffer, s: number, e: number): boolean {
  let p = s;
  while (p < e && (buf[p]! === 32 || buf[p]! === 9)) p++;
  return p === e || buf[p]! === 35;
}

/** A vCPU id and INTID the irq_rows columns hold; anything else is a malformed line, not a wrapped value. */
function storableIrq(f: IrqPendingFields): boolean {
  return f.vcpu >= MIN_IRQ_VCPU && f.vcpu <= MAX_IRQ_VCPU && f.irq <= MAX_IRQ;
}

function validMmioLen(len: number): boolean {
  return len === 4 || len === 8 || len === 1 || len === 2;
}
