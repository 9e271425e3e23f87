/**
 * Where ThreadTable packs the threads it no longer keeps as objects: one int32 record per thread
 * in fixed-size chunks (growing never copies), keyed by tid in a NumberTable. A thread with only
 * attribution and an exit's PC (nearly all of them) takes a short record of 7 words; one with a
 * pending read as well one of 14; one with a trap or a twin's row a long one of 24. With the
 * table that is ~44 bytes per thread, and tids are at most pid_max (4,194,304): ~0.2 GB whatever
 * the trace. Everything that carries meaning from line to line is kept; the column caches are
 * not (they are re-read from the next line).
 */
import { NumberTable } from './number-table.ts';
import type { ThreadState } from './thread-state.ts';
import { vmmCode, vmmOfCode } from './vm-evidence.ts';

const TWO32 = 4294967296;
// both kinds; W_VCPU_CPU: (vcpu + 1) << 16 | (lastCpu + 1) (both -1..32767); W_VMM_FLAGS: (vmm + 1) << 8 | flags
const W_COMM = 0, W_TGID = 1, W_VM = 2, W_VCPU_CPU = 3, W_VMM_FLAGS = 4, W_PC_LO = 5, W_PC_HI = 6;
const SHORT_WORDS = 7;
// read and long records (a read record is the first READ_WORDS of a long one)
const W_PEND_LINE_LO = 7, W_PEND_LINE_HI = 8, W_PEND_LEN = 9, W_PEND_GPA_LO = 10, W_PEND_GPA_HI = 11, W_PEND_PC_LO = 12,
  W_PEND_PC_HI = 13;
const READ_WORDS = 14;
// long records only
const W_HSR_LINE_LO = 14, W_HSR_LINE_HI = 15, W_HSR_ENC = 16, W_HSR_TS_LO = 17, W_HSR_TS_HI = 18,
  W_HSR_CPU = 19, W_SMC_ROW = 20, W_SMC_GEN = 21, W_SYS_ROW = 22, W_SYS_GEN = 23;
const LONG_WORDS = 24;
const F_PC = 1, F_PEND_PC = 2, F_HSR_WRITE = 4, F_HSR_TS = 8, F_OPEN = 16;
const CHUNK_SHIFT = 14;
const CHUNK_MASK = (1 << CHUNK_SHIFT) - 1;

/** Fixed-size int32 records in chunks of 2^14, with a free list. */
class RecordPool {
  readonly chunks: Int32Array[] = [];
  /** Freed slots, a stack in a typed array (a JS array of a million numbers left its growth as garbage). */
  private free = new Int32Array(1024);
  private freeCount = 0;
  private used = 0;

  constructor(readonly words: number) {}

  alloc(): number {
    if (this.freeCount > 0) return this.free[--this.freeCount]!;
    const s = this.used++;
    if ((s & CHUNK_MASK) === 0) this.chunks.push(new Int32Array((CHUNK_MASK + 1) * this.words));
    return s;
  }

  release(slot: number): void {
    if (this.freeCount === this.free.length) {
      const grown = new Int32Array(this.free.length * 2);
      grown.set(this.free);
      this.free = grown;
    }
    this.free[this.freeCount++] = slot;
  }

  chunk(slot: number): Int32Array {
    return this.chunks[slot >>> CHUNK_SHIFT]!;
  }

  offset(slot: number): number {
    return (slot & CHUNK_MASK) * this.words;
  }
}

/** Record kinds: attribution and the exit's PC; + a pending read; + a trap and twins' rows. */
const SHORT = 0, READ = 1, LONG = 2;

function kindOf(t: ThreadState): number {
  if (t.hsrLine !== 0 || t.smcRow >= 0 || t.sysRow >= 0) return LONG;
  return t.pendLine > 0 ? READ : SHORT;
}

export class ThreadSpill {
  /** tid → slot × 4 + kind. */
  private readonly where = new NumberTable(true);
  // by kind: a thread mid-read (a million of them in a host trace's worst case) takes 56 bytes, not 96
  private readonly pools = [new RecordPool(SHORT_WORDS), new RecordPool(READ_WORDS), new RecordPool(LONG_WORDS)] as const;

  get size(): number {
    return this.where.size;
  }

  /** Packs `t` away (its object is then free for another thread). */
  put(t: ThreadState): void {
    const kind = kindOf(t);
    const pool = this.pools[kind]!;
    const slot = pool.alloc();
    store(t, pool.chunk(slot), pool.offset(slot), kind);
    this.where.set(t.tid, slot * 4 + kind);
  }

  /** Into `t` (reset to the tid): the thread's packed state, if it has one. */
  take(t: ThreadState): void {
    const v = this.where.delete(t.tid);
    if (v < 0) return;
    const pool = this.pools[v & 3]!;
    const slot = v >>> 2;
    load(t, pool.chunk(slot), pool.offset(slot), v & 3);
    pool.release(slot);
  }

  /**
   * Calls `fn` with `scratch` holding each packed thread with open state whose last line was on
   * host CPU `cpu` (any when cpu < 0), and packs what `fn` left back.
   */
  forEachOpen(cpu: number, scratch: ThreadState, fn: (t: ThreadState) => void): void {
    const redo: number[] = [];
    this.where.forEach((tid, v) => {
      const pool = this.pools[v & 3]!;
      const w = pool.chunk(v >>> 2);
      const o = pool.offset(v >>> 2);
      if ((w[o + W_VMM_FLAGS]! & F_OPEN) === 0 || (cpu >= 0 && (w[o + W_VCPU_CPU]! & 0xffff) - 1 !== cpu)) return;
      redo.push(tid); // the table must not change while it is walked
    });
    for (const tid of redo) {
      scratch.reset(tid);
      this.take(scratch);
      fn(scratch);
      this.put(scratch);
    }
  }
}

function store(t: ThreadState, w: Int32Array, o: number, kind: number): void {
  w[o + W_COMM] = t.commId;
  w[o + W_TGID] = t.tgid;
  w[o + W_VM] = t.vm;
  w[o + W_VCPU_CPU] = ((t.vcpu + 1) << 16) | (t.lastCpu + 1);
  w[o + W_VMM_FLAGS] = (vmmCode(t.vmm) << 8) | (t.pcValid ? F_PC : 0)
    | (t.pendPcValid ? F_PEND_PC : 0) | (t.hsrWrite ? F_HSR_WRITE : 0) | (t.hsrTsValid ? F_HSR_TS : 0) | (t.open ? F_OPEN : 0);
  w[o + W_PC_LO] = t.pcLo | 0;
  w[o + W_PC_HI] = t.pcHi | 0;
  if (kind === SHORT) return;
  w[o + W_PEND_LINE_LO] = t.pendLine % TWO32 | 0;
  w[o + W_PEND_LINE_HI] = Math.floor(t.pendLine / TWO32);
  w[o + W_PEND_LEN] = t.pendLen;
  w[o + W_PEND_GPA_LO] = t.pendGpaLo | 0;
  w[o + W_PEND_GPA_HI] = t.pendGpaHi | 0;
  w[o + W_PEND_PC_LO] = t.pendPcLo | 0;
  w[o + W_PEND_PC_HI] = t.pendPcHi | 0;
  if (kind === READ) return;
  w[o + W_HSR_LINE_LO] = t.hsrLine % TWO32 | 0;
  w[o + W_HSR_LINE_HI] = Math.floor(t.hsrLine / TWO32);
  w[o + W_HSR_ENC] = t.hsrEnc;
  w[o + W_HSR_TS_LO] = t.hsrTsLo | 0;
  w[o + W_HSR_TS_HI] = t.hsrTsHi | 0;
  w[o + W_HSR_CPU] = t.hsrCpu;
  w[o + W_SMC_ROW] = t.smcRow;
  w[o + W_SMC_GEN] = t.smcGen;
  w[o + W_SYS_ROW] = t.sysRow;
  w[o + W_SYS_GEN] = t.sysGen;
}

/** Into a reset object (a short or read record leaves the fields it lacks as reset() set them). */
function load(t: ThreadState, w: Int32Array, o: number, kind: number): void {
  const f = w[o + W_VMM_FLAGS]!;
  t.commId = w[o + W_COMM]!;
  t.tgid = w[o + W_TGID]!;
  t.vm = w[o + W_VM]!;
  const vc = w[o + W_VCPU_CPU]!;
  t.vcpu = (vc >>> 16) - 1;
  t.lastCpu = (vc & 0xffff) - 1;
  t.vmm = vmmOfCode(f >>> 8);
  t.pcValid = (f & F_PC) !== 0;
  t.pcLo = w[o + W_PC_LO]! >>> 0;
  t.pcHi = w[o + W_PC_HI]! >>> 0;
  if (kind === SHORT) return;
  t.pendLine = (w[o + W_PEND_LINE_LO]! >>> 0) + w[o + W_PEND_LINE_HI]! * TWO32;
  t.pendLen = w[o + W_PEND_LEN]!;
  t.pendGpaLo = w[o + W_PEND_GPA_LO]! >>> 0;
  t.pendGpaHi = w[o + W_PEND_GPA_HI]! >>> 0;
  t.pendPcValid = (f & F_PEND_PC) !== 0;
  t.pendPcLo = w[o + W_PEND_PC_LO]! >>> 0;
  t.pendPcHi = w[o + W_PEND_PC_HI]! >>> 0;
  if (kind === READ) return;
  t.hsrLine = (w[o + W_HSR_LINE_LO]! >>> 0) + w[o + W_HSR_LINE_HI]! * TWO32;
  t.hsrEnc = w[o + W_HSR_ENC]!;
  t.hsrWrite = (f & F_HSR_WRITE) !== 0;
  t.hsrTsValid = (f & F_HSR_TS) !== 0;
  t.hsrTsLo = w[o + W_HSR_TS_LO]! >>> 0;
  t.hsrTsHi = w[o + W_HSR_TS_HI]! >>> 0;
  t.hsrCpu = w[o + W_HSR_CPU]!;
  t.smcRow = w[o + W_SMC_ROW]!;
  t.smcGen = w[o + W_SMC_GEN]!;
  t.sysRow = w[o + W_SYS_ROW]!;
  t.sysGen = w[o + W_SYS_GEN]!;
}
