/**
 * Per host-thread state: attribution (comm, vm, vcpu) cached so a line only compares integers,
 * the guest PC of the current exit, a pending `unsatisfied-read`, and a pending SMC row.
 */
import { NumberTable } from './number-table.ts';
import type { VmmKind } from './types.ts';
import { U32_FIELD } from './bytes.ts';
import { ThreadSpill } from './thread-spill.ts';

/** A line held until its thread's tgid shows; `bytes` null: a loss marker for CPU `cpu` came here. */
export interface HeldLine {
  lineNo: number;
  bytes: Buffer | null;
  cpu: number;
}

export class ThreadState {
  tid: number;
  /** Clock bit for ThreadTable's eviction: set on lookups past the cache, cleared as the hand passes. */
  ref = 1;
  commId = -1;
  /** tgid last seen on a line of this thread, -1 if none yet. */
  tgid = -1;
  vm = -1;
  vcpu = -1;
  vmm: VmmKind | null = null;

  /** Guest PC from the last kvm_exit / kvm_guest_fault, until kvm_entry. */
  pcValid = false;
  pcLo = U32_FIELD;
  pcHi = U32_FIELD;

  /** Line of an unsatisfied-read waiting for its `read`, 0 when none. */
  pendLine = 0;
  pendLen = 0;
  pendGpaLo = U32_FIELD;
  pendGpaHi = U32_FIELD;
  pendPcValid = false;
  pendPcLo = U32_FIELD;
  pendPcHi = U32_FIELD;

  /**
   * The 16-byte comm column (as four little-endian words) of the thread's last line in the
   * kernel's column layout, with where the comm starts in it and whether it was `<...>`:
   * a line with the same column has the same comm, so the comm need not be compared again.
   * colKnown -1: no valid column (any comm change clears it). colStart/colEnd: where the comm
   * starts and ends, as offsets from the column's start.
   */
  colKnown = -1;
  colStart = 0;
  colEnd = 0;
  col0 = 0;
  col1 = 0;
  col2 = 0;
  col3 = 0;

  /**
   * The bytes of the thread's last line from the `(tgid)`/`[cpu]` column up to its irq-flags
   * token (or up to its timestamp in layouts without one), as little-endian words (pfx[0..7];
   * pfx[8] = the last four bytes), with what they parsed to: a line with the same bytes there has
   * the same tgid and cpu. pfxTgidLen of them are the tgid column (0: none; -1: too short to
   * compare), ending in pfxTgidTail: when only the CPU differs (vCPU threads move between host
   * CPUs) the tgid column is compared alone and the CPU column read. The flags token changes from
   * event to event (kvm_exit `...1.`, kvm_mmio `.....`), so it is only checked to have the same
   * length (pfxLayout's L_FLAGS4/L_FLAGS5) and flag characters. pfxLen 0: nothing cached.
   */
  pfxLen = 0;
  /** Allocated with the state (not on first use): a field that changes type deoptimizes the parser. */
  readonly pfx = new Int32Array(9);
  pfxTgid = -1;
  pfxCpu = -1;
  pfxLayout = 0;
  pfxTgidLen = -1;
  pfxTgidTail = 0;

  /** Row of an SMC64 exit in the writer's batch generation `smcGen`, -1 when none. */
  smcRow = -1;
  smcGen = -1;
  /** Row of the thread's last kvm_sys_access in generation `sysGen` (a trap_reg may give its value), -1 when none. */
  sysRow = -1;
  sysGen = -1;
  /**
   * A kvm_handle_sys_reg trap waiting for its kvm_sys_access (line number, 0 when none): without
   * one, KVM did not know the encoding (an UNDEF) and the trap becomes the row.
   */
  hsrLine = 0;
  hsrEnc = 0;
  hsrWrite = false;
  hsrTsValid = false;
  hsrTsLo = 0;
  hsrTsHi = 0;
  hsrCpu = -1;
  /** Host CPU of the thread's last line (-1 unknown): a loss marker for that CPU resets the state above. */
  lastCpu = -1;
  /**
   * Lines of a thread whose tgid column read `(-------)` while its VM was still unknown, kept
   * until a line shows the tgid (then parsed as that VM's) or the parser gives up (the
   * fallback VM): a vCPU thread has no saved tgid until it is first scheduled under record-tgid.
   */
  held: HeldLine[] | null = null;

  constructor(tid: number) {
    this.tid = tid;
  }

  /** The state of a thread never seen (the object is reused for another thread). */
  reset(tid: number): void {
    this.tid = tid;
    this.ref = 1;
    this.commId = -1;
    this.tgid = -1;
    this.vm = -1;
    this.vcpu = -1;
    this.vmm = null;
    this.pcValid = false;
    this.pcLo = U32_FIELD;
    this.pcHi = U32_FIELD;
    this.pendLine = 0;
    this.pendLen = 0;
    this.pendGpaLo = U32_FIELD;
    this.pendGpaHi = U32_FIELD;
    this.pendPcValid = false;
    this.pendPcLo = U32_FIELD;
    this.pendPcHi = U32_FIELD;
    this.colKnown = -1;
    this.pfxLen = 0;
    this.smcRow = -1;
    this.smcGen = -1;
    this.sysRow = -1;
    this.sysGen = -1;
    this.hsrLine = 0;
    this.hsrEnc = 0;
    this.hsrWrite = false;
    this.hsrTsValid = false;
    this.hsrTsLo = 0;
    this.hsrTsHi = 0;
    this.hsrCpu = -1;
    this.lastCpu = -1;
    this.held = null;
  }

  /** True when the thread has state a loss marker or the end of the trace must close. */
  get open(): boolean {
    return this.pcValid || this.pendLine > 0 || this.hsrLine !== 0 || this.smcRow >= 0 || this.sysRow >= 0;
  }

  /** A new exit starts: the previous one's rows (SMC, sysreg) no longer take a twin event's fields. */
  endTwins(): void {
    this.smcRow = -1;
    this.sysRow = -1;
  }

  /** kvm_entry (or a gap in the trace): the exit is over, its PC and its twins with it. */
  endExit(): void {
    this.pcValid = false;
    this.endTwins();
  }
}

const SLOTS = 4096;
/**
 * ThreadState objects kept at once (~0.8 KiB each with their boxed fields). A host trace can name
 * millions of threads over its life; beyond this, the least recently used are packed into int32
 * records (ThreadSpill: 28, 56 or 112 bytes) and come back when the thread shows again.
 */
export const LIVE_THREADS = 32768;

/**
 * tid → ThreadState, with a direct-mapped cache in front of the index (interleaved vCPU threads).
 * At most LIVE_THREADS objects: a clock (second chance) picks the one to pack away when another is needed.
 */
export class ThreadTable {
  /** tid → position in `ring` (a Map churned by a million threads rehashed ~0.2 GB of garbage). */
  private readonly index = new NumberTable(true);
  // the empty slots' placeholder has a tid no line has (NO_TID, -1, is a real key)
  private readonly slots: ThreadState[] = new Array<ThreadState>(SLOTS).fill(new ThreadState(-2));
  /** The live objects, in the clock's order. */
  private readonly ring: ThreadState[] = [];
  private hand = 0;
  private readonly spill: ThreadSpill;
  private readonly scratch = new ThreadState(-2);

  /** spillMemoryUnits, spillDir: ThreadSpill's memory budget and where its file goes. */
  constructor(private readonly liveMax = LIVE_THREADS, spillMemoryUnits?: number, spillDir?: string) {
    this.spill = new ThreadSpill(spillMemoryUnits, spillDir);
  }

  /** Drops the packed threads' file, if any (the parse is over). */
  close(): void {
    this.spill.close();
  }

  get(tid: number): ThreadState {
    const k = tid & (SLOTS - 1);
    const c = this.slots[k]!;
    if (c.tid === tid) return c; // no ref bit here: the hot path; victim() spares cached objects
    const i = this.index.get(tid);
    const t = i < 0 ? this.create(tid) : this.ring[i]!;
    t.ref = 1;
    this.slots[k] = t;
    return t;
  }

  /** Threads packed away now (tests). */
  get spilledCount(): number {
    return this.spill.size;
  }

  /** Words of packed threads on disk now (tests). */
  get diskWords(): number {
    return this.spill.diskWords;
  }

  private create(tid: number): ThreadState {
    let t: ThreadState;
    let i: number;
    if (this.ring.length < this.liveMax) {
      i = this.ring.length;
      t = new ThreadState(tid);
      this.ring.push(t);
    } else {
      i = this.victim();
      t = this.ring[i]!;
      if (t.tid !== -2) {
        this.index.delete(t.tid);
        this.spill.put(t);
      }
      t.reset(tid);
    }
    this.spill.take(t);
    this.index.set(tid, i);
    return t;
  }

  /** Position of the clock's next object not recently used and holding no lines (held lines keep their object). */
  private victim(): number {
    const ring = this.ring;
    for (let n = 0; n < 2 * ring.length + 1; n++) {
      const i = this.hand;
      const t = ring[i]!;
      this.hand = this.hand + 1 === ring.length ? 0 : this.hand + 1;
      if (t.held !== null) continue;
      // first pass: objects in the lookup cache count as recently used too
      if (t.ref === 0 && (n >= ring.length || this.slots[t.tid & (SLOTS - 1)] !== t)) return i;
      t.ref = 0;
    }
    // every object holds lines (bounded by the parser's held-line limit): one more object
    ring.push(new ThreadState(-2));
    return ring.length - 1;
  }

  /**
   * Calls `fn` for every thread with open state (an exit's PC, a pending read, a trap, a twin's row)
   * whose last line was on host CPU `cpu` (any CPU when cpu < 0): live ones in place, packed ones
   * through a scratch object packed again afterwards (`keep` false: not packed again, the parse is over).
   */
  forEachOpen(cpu: number, fn: (t: ThreadState) => void, keep = true): void {
    for (const t of this.ring) {
      if (t.tid !== -2 && (cpu < 0 || t.lastCpu === cpu) && t.open) fn(t);
    }
    if (this.spill.size > 0) this.spill.forEachOpen(cpu, this.scratch, fn, keep);
  }
}
