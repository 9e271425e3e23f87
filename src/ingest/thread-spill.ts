/**
 * Where ThreadTable packs the threads it no longer keeps as objects: one int32 record per thread
 * in fixed-size chunks (growing never copies), keyed by tid in a NumberTable. A thread with only
 * attribution and an exit's PC (nearly all of them) takes a short record of 7 words; one with a
 * pending read as well one of 14; one with a trap or a twin's row a long one of 24 (in 28). With
 * the table (a direct array past a million tids: 4 bytes each) a short one is ~32 bytes per
 * thread, and tids are at most pid_max (4,194,304): 0.13 GB whatever the trace, 0.25 GB if every
 * thread is mid-read at once. Everything that carries meaning from line to line is kept; the
 * column caches are not (they are re-read from the next line).
 */
import { newArray } from './page-arrays.ts';
import { IntStack } from './int-stack.ts';
import { NumberTable } from './number-table.ts';
import { TidCpuTable } from './tid-cpu-table.ts';
import { SpillFile } from './spill-file.ts';
import type { ThreadState } from './thread-state.ts';
import { vmmCode, vmmOfCode } from './vm-evidence.ts';

const TWO32 = 4294967296;
// both kinds; W_VCPU_CPU: (vcpu + 1) << 16 | (lastCpu + 1) (both -1..32767); W_VMM_FLAGS: (vmm + 1) << 8 | flags
const W_COMM = 0, W_TGID = 1, W_VM = 2, W_VCPU_CPU = 3, W_VMM_FLAGS = 4, W_PC_LO = 5, W_PC_HI = 6;
// short records: words 0–6 (7 words)
// read and long records (a read record is the first 14 words of a long one)
const W_PEND_LINE_LO = 7, W_PEND_LINE_HI = 8, W_PEND_LEN = 9, W_PEND_GPA_LO = 10, W_PEND_GPA_HI = 11, W_PEND_PC_LO = 12,
  W_PEND_PC_HI = 13;
// read records: words 0–13 (14 words)
// long records only
const W_HSR_LINE_LO = 14, W_HSR_LINE_HI = 15, W_HSR_ENC = 16, W_HSR_TS_LO = 17, W_HSR_TS_HI = 18,
  W_HSR_CPU = 19, W_SMC_ROW = 20, W_SMC_GEN = 21, W_SYS_ROW = 22, W_SYS_GEN = 23;
// long records: words 0–23 (24 words, in 28)
const F_PC = 1, F_PEND_PC = 2, F_HSR_WRITE = 4, F_HSR_TS = 8, F_OPEN = 16;
export const UNIT_WORDS = 7;
/** Units per record kind (SHORT, READ, LONG: 7, 14 and 24 words). */
const UNITS = [1, 2, 4] as const;
const CHUNK_SHIFT = 14;
const CHUNK_MASK = (1 << CHUNK_SHIFT) - 1;

/**
 * Records of 1, 2 or 4 units of UNIT_WORDS int32 words in chunks of 2^14 units (growing never
 * copies), one free list per size. A block is aligned to its size, so none straddles a chunk, and a
 * free bigger block is split when its size's list is empty: a thread that goes from mid-read
 * (2 units) back to a short record (1) reuses half its old block, instead of pools per kind each
 * keeping their peak (a million threads mid-read, then done: 56 + 28 bytes each held, now 56).
 */
export class UnitPool {
  readonly chunks: Int32Array[] = [];
  /** Free blocks of 1, 2 and 4 units (index units >> 1). */
  private readonly free = [new IntStack(), new IntStack(), new IntStack()];
  private used = 0;

  /** A block of `units`, or -1 if there is no free one and a new one would take the pool past `limit` units. */
  alloc(units: 1 | 2 | 4, limit = Infinity): number {
    const own = this.free[units >> 1]!;
    if (own.length > 0) return own.pop();
    for (let bigger = units * 2; bigger <= 4; bigger *= 2) {
      const list = this.free[bigger >> 1]!;
      if (list.length === 0) continue;
      const block = list.pop();
      // keep the first `units`, give back the rest as blocks of units, 2 units... (aligned)
      for (let size = units; size < bigger; size *= 2) this.release(block + size, size);
      return block;
    }
    if (this.used + 2 * units > limit) return -1; // (2×: room for the alignment below)
    // a new block at the next multiple of its size; the units skipped to get there are freed
    while (this.used % units !== 0) {
      const size = this.used % 2 !== 0 ? 1 : 2; // odd: a 1-unit block; 2 mod 4 (units 4): a 2-unit one
      this.release(this.used, size);
      this.used += size;
    }
    const block = this.used;
    this.used += units;
    while ((this.used - 1) >>> CHUNK_SHIFT >= this.chunks.length) this.chunks.push(newArray(Int32Array, (CHUNK_MASK + 1) * UNIT_WORDS));
    return block;
  }

  release(block: number, units: number): void {
    this.free[units >> 1]!.push(block);
  }

  chunk(block: number): Int32Array {
    return this.chunks[block >>> CHUNK_SHIFT]!;
  }

  offset(block: number): number {
    return (block & CHUNK_MASK) * UNIT_WORDS;
  }
}

/** Record kinds: attribution and the exit's PC; + a pending read; + a trap and twins' rows. */
const SHORT = 0, READ = 1, LONG = 2;

function kindOf(t: ThreadState): number {
  if (t.hsrLine !== 0 || t.smcRow >= 0 || t.sysRow >= 0) return LONG;
  return t.pendLine > 0 ? READ : SHORT;
}

/** Memory for packed records before they go to disk: 256k units, 7 MiB (a quarter million threads mid-read: a realistic trace never gets there). */
export const SPILL_MEMORY_UNITS = 1 << 18;
/** `where` kind of a record on disk; its value is (word offset / DISK_ALIGN) × 4 + ON_DISK. */
const ON_DISK = 3;
/** Disk records: a header word (the kind) and the record, padded to a multiple of 8 words. */
const DISK_ALIGN = 8;
const DISK_WORDS = [8, 16, 32] as const;
/** Compact the disk file when it passes this many words and holds 4× its live records. */
const COMPACT_WORDS = 1 << 28;
const MAX_DISK_INDEX = (1 << 29) - 1;

export class ThreadSpill {
  /** tid → slot × 4 + kind, or disk index × 4 + ON_DISK. */
  private readonly where = new NumberTable(true);
  // records sized by kind (UNITS): a thread mid-read (a million of them in a host trace's worst case) takes 56 bytes, not 112
  private readonly pool = new UnitPool();
  /**
   * Past `memoryUnits` of records they go to a file (pid_max threads mid-read were 0.25 GB):
   * appended (a thread comes back from disk at most once per line of the trace).
   */
  private disk: SpillFile | null = null;
  private diskLiveWords = 0;
  /** tid → last host CPU + 2 of the records on disk with open state (loss markers reset those). */
  private readonly openOnDisk = new TidCpuTable();
  private readonly rec = new Int32Array(32);

  constructor(private readonly memoryUnits = SPILL_MEMORY_UNITS, private readonly spillDir?: string,
    private readonly compactWords = COMPACT_WORDS) {}

  get size(): number {
    return this.where.size;
  }

  /** Words of live records on disk (tests). */
  get diskWords(): number {
    return this.diskLiveWords;
  }

  /** Words in the disk file, live or not (tests). */
  get fileWords(): number {
    return this.disk?.words ?? 0;
  }

  /** Packs `t` away (its object is then free for another thread). */
  put(t: ThreadState): void {
    const kind = kindOf(t);
    const pool = this.pool;
    const slot = pool.alloc(UNITS[kind]!, this.memoryUnits);
    if (slot >= 0) {
      store(t, pool.chunk(slot), pool.offset(slot), kind);
      this.where.set(t.tid, slot * 4 + kind);
      return;
    }
    this.where.set(t.tid, this.toDisk(t, kind) * 4 + ON_DISK);
    if (t.open) this.openOnDisk.set(t.tid, t.lastCpu + 2);
  }

  /** Into `t` (reset to the tid): the thread's packed state, if it has one. */
  take(t: ThreadState): void {
    const v = this.where.delete(t.tid);
    if (v < 0) return;
    if ((v & 3) === ON_DISK) {
      this.fromDisk(t, v >>> 2);
      return;
    }
    const pool = this.pool;
    const slot = v >>> 2;
    load(t, pool.chunk(slot), pool.offset(slot), v & 3);
    pool.release(slot, UNITS[v & 3]!);
  }

  /** Drops the disk file (the parse is over). */
  close(): void {
    this.disk?.close();
    this.disk = null;
  }

  private toDisk(t: ThreadState, kind: number): number {
    const n = DISK_WORDS[kind]!;
    let disk = this.disk;
    if (disk === null) this.disk = disk = new SpillFile(this.spillDir);
    else if (disk.words + n > MAX_DISK_INDEX * DISK_ALIGN || (disk.words > this.compactWords && disk.words > 4 * this.diskLiveWords)) {
      disk = this.compact(); // (before `rec` is filled: compact() reads records through it)
    }
    const rec = this.rec;
    rec[0] = kind;
    store(t, rec, 1, kind);
    this.diskLiveWords += n;
    return disk.append(rec, 0, n) / DISK_ALIGN;
  }

  private readRecord(disk: SpillFile, index: number): number {
    const at = index * DISK_ALIGN;
    disk.read(at, DISK_ALIGN, this.rec, 0);
    const kind = this.rec[0]!;
    const n = DISK_WORDS[kind]!;
    if (n > DISK_ALIGN) disk.read(at + DISK_ALIGN, n - DISK_ALIGN, this.rec, DISK_ALIGN);
    return kind;
  }

  private fromDisk(t: ThreadState, index: number): void {
    const kind = this.readRecord(this.disk!, index);
    this.diskLiveWords -= DISK_WORDS[kind]!;
    if ((this.rec[1 + W_VMM_FLAGS]! & F_OPEN) !== 0) this.openOnDisk.delete(t.tid);
    load(t, this.rec, 1, kind);
  }

  /** Copies the live disk records into a new file (the old one is mostly records taken back since). */
  private compact(): SpillFile {
    const old = this.disk!;
    const next = new SpillFile(this.spillDir);
    const tids = new IntStack();
    this.where.forEach((tid, v) => {
      if ((v & 3) === ON_DISK) tids.push(tid);
    });
    for (let i = 0; i < tids.length; i++) {
      const tid = tids.at(i);
      const kind = this.readRecord(old, this.where.get(tid) >>> 2);
      this.where.set(tid, (next.append(this.rec, 0, DISK_WORDS[kind]!) / DISK_ALIGN) * 4 + ON_DISK);
    }
    old.close();
    return (this.disk = next);
  }

  /**
   * Calls `fn` with `scratch` holding each packed thread with open state whose last line was on
   * host CPU `cpu` (any when cpu < 0), and packs what `fn` left back (`keep` false: drops it, the
   * parse is over).
   */
  forEachOpen(cpu: number, scratch: ThreadState, fn: (t: ThreadState) => void, keep = true): void {
    // the tids first (the table must not change while it is walked): pid_max threads mid-read
    const redo = new IntStack(cpu < 0 ? this.where.size : 1024);
    const pool = this.pool;
    this.where.forEach((tid, v) => {
      if ((v & 3) === ON_DISK) return; // in openOnDisk below
      const w = pool.chunk(v >>> 2);
      const o = pool.offset(v >>> 2);
      if ((w[o + W_VMM_FLAGS]! & F_OPEN) === 0 || (cpu >= 0 && (w[o + W_VCPU_CPU]! & 0xffff) - 1 !== cpu)) return;
      redo.push(tid);
    });
    this.openOnDisk.forEach((tid, cpu2) => {
      if (cpu < 0 || cpu2 - 2 === cpu) redo.push(tid);
    });
    for (let i = 0; i < redo.length; i++) {
      scratch.reset(redo.at(i));
      this.take(scratch);
      fn(scratch);
      if (keep) this.put(scratch);
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
