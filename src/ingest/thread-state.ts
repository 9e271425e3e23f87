/**
 * Per host-thread state: attribution (comm, vm, vcpu) cached so a line only compares integers,
 * the guest PC of the current exit, a pending `unsatisfied-read`, and a pending SMC row.
 */
import type { VmmKind } from './types.ts';
import { U32_FIELD } from './bytes.ts';
import { NumberTable } from './number-table.ts';

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
  held: Array<{ lineNo: number; bytes: Buffer }> | null = null;

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
 * millions of threads over its life; beyond this, the least recently used go to a packed record of
 * SPILL_WORDS int32s (~0.15 KiB with its map entry) and come back when the thread shows again.
 */
export const LIVE_THREADS = 32768;
const VMMS: ReadonlyArray<VmmKind> = ['qemu', 'firecracker', 'cloud-hypervisor', 'kvmtool'];
const TWO32 = 4294967296;
// spill record: the fields that carry meaning from line to line (the column caches are re-read)
const W_TID = 0, W_COMM = 1, W_TGID = 2, W_VM = 3, W_VCPU = 4, W_VMM = 5, W_FLAGS = 6, W_PC_LO = 7, W_PC_HI = 8,
  W_PEND_LINE_LO = 9, W_PEND_LINE_HI = 10, W_PEND_LEN = 11, W_PEND_GPA_LO = 12, W_PEND_GPA_HI = 13, W_PEND_PC_LO = 14,
  W_PEND_PC_HI = 15, W_HSR_LINE_LO = 16, W_HSR_LINE_HI = 17, W_HSR_ENC = 18, W_HSR_TS_LO = 19, W_HSR_TS_HI = 20,
  W_HSR_CPU = 21, W_LAST_CPU = 22, W_SMC_ROW = 23, W_SMC_GEN = 24, W_SYS_ROW = 25, W_SYS_GEN = 26;
const SPILL_WORDS = 27;
const CHUNK_SHIFT = 14;
const CHUNK_RECORDS = 1 << CHUNK_SHIFT;
const CHUNK_MASK = CHUNK_RECORDS - 1;
const F_PC = 1, F_PEND_PC = 2, F_HSR_WRITE = 4, F_HSR_TS = 8, F_OPEN = 16;

/**
 * tid → ThreadState, with a direct-mapped cache in front of the Map (interleaved vCPU threads).
 * At most LIVE_THREADS objects: a clock (second chance) picks the one to spill when another is needed.
 */
export class ThreadTable {
  private readonly map = new Map<number, ThreadState>();
  // the empty slots' placeholder has a tid no line has (NO_TID, -1, is a real key)
  private readonly slots: ThreadState[] = new Array<ThreadState>(SLOTS).fill(new ThreadState(-2));
  /** The live objects, in the clock's order. */
  private readonly ring: ThreadState[] = [];
  private hand = 0;
  /** Spilled threads: tid → record index in `pool`. */
  private readonly spilled = new NumberTable();
  /** Spill records in fixed chunks: growing never copies (nor holds old and new at once). */
  private readonly pool: Int32Array[] = [];
  private readonly free: number[] = [];
  private poolUsed = 0;
  private readonly scratch = new ThreadState(-2);

  constructor(private readonly liveMax = LIVE_THREADS) {}

  get(tid: number): ThreadState {
    const k = tid & (SLOTS - 1);
    const c = this.slots[k]!;
    if (c.tid === tid) return c; // no ref bit here: the hot path; victim() spares cached objects

    let t = this.map.get(tid);
    if (t === undefined) t = this.create(tid);
    t.ref = 1;
    this.slots[k] = t;
    return t;
  }

  /** Threads spilled so far (tests). */
  get spilledCount(): number {
    return this.spilled.size;
  }

  private create(tid: number): ThreadState {
    let t: ThreadState;
    if (this.ring.length < this.liveMax) {
      t = new ThreadState(tid);
      this.ring.push(t);
    } else {
      t = this.victim();
      this.map.delete(t.tid);
      this.spill(t);
      t.reset(tid);
    }
    const slot = this.spilled.delete(tid);
    if (slot >= 0) {
      this.load(t, slot);
      this.free.push(slot);
    }
    this.map.set(tid, t);
    return t;
  }

  /** The clock's next object not recently used and holding no lines (held lines keep their object). */
  private victim(): ThreadState {
    const ring = this.ring;
    for (let n = 0; n < 2 * ring.length + 1; n++) {
      const t = ring[this.hand]!;
      this.hand = this.hand + 1 === ring.length ? 0 : this.hand + 1;
      if (t.held !== null) continue;
      // first pass: objects in the lookup cache count as recently used too
      if (t.ref === 0 && (n >= ring.length || this.slots[t.tid & (SLOTS - 1)] !== t)) return t;
      t.ref = 0;
    }
    // every object holds lines (bounded by the parser's held-line limit): one more object
    const t = new ThreadState(-2);
    ring.push(t);
    return t;
  }

  private spill(t: ThreadState): void {
    if (t.tid === -2) return; // a fresh object from victim()
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.poolUsed++;
      if ((slot & CHUNK_MASK) === 0) this.pool.push(new Int32Array(CHUNK_RECORDS * SPILL_WORDS));
    }
    this.store(t, slot);
    this.spilled.set(t.tid, slot);
  }

  private store(t: ThreadState, slot: number): void {
    const w = this.pool[slot >>> CHUNK_SHIFT]!;
    const o = (slot & CHUNK_MASK) * SPILL_WORDS;
    w[o + W_TID] = t.tid;
    w[o + W_COMM] = t.commId;
    w[o + W_TGID] = t.tgid;
    w[o + W_VM] = t.vm;
    w[o + W_VCPU] = t.vcpu;
    w[o + W_VMM] = t.vmm === null ? -1 : VMMS.indexOf(t.vmm);
    w[o + W_FLAGS] = (t.pcValid ? F_PC : 0) | (t.pendPcValid ? F_PEND_PC : 0) | (t.hsrWrite ? F_HSR_WRITE : 0)
      | (t.hsrTsValid ? F_HSR_TS : 0) | (t.open ? F_OPEN : 0);
    w[o + W_PC_LO] = t.pcLo | 0;
    w[o + W_PC_HI] = t.pcHi | 0;
    w[o + W_PEND_LINE_LO] = t.pendLine % TWO32 | 0;
    w[o + W_PEND_LINE_HI] = Math.floor(t.pendLine / TWO32);
    w[o + W_PEND_LEN] = t.pendLen;
    w[o + W_PEND_GPA_LO] = t.pendGpaLo | 0;
    w[o + W_PEND_GPA_HI] = t.pendGpaHi | 0;
    w[o + W_PEND_PC_LO] = t.pendPcLo | 0;
    w[o + W_PEND_PC_HI] = t.pendPcHi | 0;
    w[o + W_HSR_LINE_LO] = t.hsrLine % TWO32 | 0;
    w[o + W_HSR_LINE_HI] = Math.floor(t.hsrLine / TWO32);
    w[o + W_HSR_ENC] = t.hsrEnc;
    w[o + W_HSR_TS_LO] = t.hsrTsLo | 0;
    w[o + W_HSR_TS_HI] = t.hsrTsHi | 0;
    w[o + W_HSR_CPU] = t.hsrCpu;
    w[o + W_LAST_CPU] = t.lastCpu;
    w[o + W_SMC_ROW] = t.smcRow;
    w[o + W_SMC_GEN] = t.smcGen;
    w[o + W_SYS_ROW] = t.sysRow;
    w[o + W_SYS_GEN] = t.sysGen;
  }

  /** Into a reset object: the record's fields (the column caches start empty and are re-read). */
  private load(t: ThreadState, slot: number): void {
    const w = this.pool[slot >>> CHUNK_SHIFT]!;
    const o = (slot & CHUNK_MASK) * SPILL_WORDS;
    const f = w[o + W_FLAGS]!;
    t.commId = w[o + W_COMM]!;
    t.tgid = w[o + W_TGID]!;
    t.vm = w[o + W_VM]!;
    t.vcpu = w[o + W_VCPU]!;
    const vmm = w[o + W_VMM]!;
    t.vmm = vmm < 0 ? null : VMMS[vmm]!;
    t.pcValid = (f & F_PC) !== 0;
    t.pcLo = w[o + W_PC_LO]! >>> 0;
    t.pcHi = w[o + W_PC_HI]! >>> 0;
    t.pendLine = (w[o + W_PEND_LINE_LO]! >>> 0) + w[o + W_PEND_LINE_HI]! * TWO32;
    t.pendLen = w[o + W_PEND_LEN]!;
    t.pendGpaLo = w[o + W_PEND_GPA_LO]! >>> 0;
    t.pendGpaHi = w[o + W_PEND_GPA_HI]! >>> 0;
    t.pendPcValid = (f & F_PEND_PC) !== 0;
    t.pendPcLo = w[o + W_PEND_PC_LO]! >>> 0;
    t.pendPcHi = w[o + W_PEND_PC_HI]! >>> 0;
    t.hsrLine = (w[o + W_HSR_LINE_LO]! >>> 0) + w[o + W_HSR_LINE_HI]! * TWO32;
    t.hsrEnc = w[o + W_HSR_ENC]!;
    t.hsrWrite = (f & F_HSR_WRITE) !== 0;
    t.hsrTsValid = (f & F_HSR_TS) !== 0;
    t.hsrTsLo = w[o + W_HSR_TS_LO]! >>> 0;
    t.hsrTsHi = w[o + W_HSR_TS_HI]! >>> 0;
    t.hsrCpu = w[o + W_HSR_CPU]!;
    t.lastCpu = w[o + W_LAST_CPU]!;
    t.smcRow = w[o + W_SMC_ROW]!;
    t.smcGen = w[o + W_SMC_GEN]!;
    t.sysRow = w[o + W_SYS_ROW]!;
    t.sysGen = w[o + W_SYS_GEN]!;
  }

  /**
   * Calls `fn` for every thread with open state (an exit's PC, a pending read, a trap, a twin's row)
   * whose last line was on host CPU `cpu` (any CPU when cpu < 0): live ones in place, spilled ones
   * through a scratch object written back afterwards.
   */
  forEachOpen(cpu: number, fn: (t: ThreadState) => void): void {
    for (const t of this.map.values()) {
      if ((cpu < 0 || t.lastCpu === cpu) && t.open) fn(t);
    }
    if (this.spilled.size === 0) return;
    const s = this.scratch;
    this.spilled.forEach((_tid, slot) => {
      const w = this.pool[slot >>> CHUNK_SHIFT]!;
      const o = (slot & CHUNK_MASK) * SPILL_WORDS;
      if ((w[o + W_FLAGS]! & F_OPEN) === 0 || (cpu >= 0 && w[o + W_LAST_CPU] !== cpu)) return;
      s.reset(w[o + W_TID]!);
      this.load(s, slot);
      fn(s);
      this.store(s, slot);
    });
  }
}
