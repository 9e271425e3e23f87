/**
 * Appends access rows to the current AccessBatch column by column, through the u32 lo/hi views,
 * and hands each full batch to `onFull` when the next row begins (or at flush()), so the last row
 * of a batch can still be completed by its twin event (an SMC's kvm_smc_arm64, a debug register's
 * trap_reg) on the next line. A fresh batch follows every hand-off (the consumer owns
 * the old one): newly allocated, or one the consumer gave back (`reuse`) and that is zeroed
 * first — either way every column starts at zero, so validity bits and the high words of
 * small 64-bit values are only written when set.
 */
import { AccessBatch } from '../model/access-batch.ts';
import { SPACE_MMIO } from '../model/codes.ts';
import { BatchPool } from './batch-pool.ts';

/** Batches given back on this thread (batch-pool.ts). */
const SPARE = new BatchPool<AccessBatch>(3);

const TWO32 = 4294967296;

export class RowWriter {
  batch!: AccessBatch;
  /** Incremented per hand-off: a row index is only meaningful within its generation. */
  gen = 0;
  private seq32!: Uint32Array;
  private ts32!: Uint32Array;
  private addr32!: Uint32Array;
  private value32!: Uint32Array;
  private pc32!: Uint32Array;
  private hostCpu!: Int16Array;
  private tid!: Int32Array;
  private vm!: Int32Array;
  private vcpu!: Int16Array;
  private source!: Uint8Array;
  private space!: Uint8Array;
  private op!: Uint8Array;
  private lenCol!: Uint8Array;
  private immCol!: Uint32Array;
  private vTs!: Uint8Array;
  private vHostCpu!: Uint8Array;
  private vVcpu!: Uint8Array;
  private vAddr!: Uint8Array;
  private vLen!: Uint8Array;
  private vValue!: Uint8Array;
  private vPc!: Uint8Array;
  private vImm!: Uint8Array;
  private n = 0;

  constructor(
    private readonly capacity: number,
    private readonly onFull: (batch: AccessBatch) => void,
  ) {}

  /**
   * Whether `batch` and the column fields are there to write into. A batch is taken at the first
   * row after a hand-off, not at the hand-off: the last one of a parse would never be used (a
   * 3.5 MB allocation per file that made the garbage collector busy on directories of small traces).
   */
  private ready = false;

  /** A batch the consumer is done with; used for a later hand-off, by this writer or the next one on this thread. */
  reuse(b: AccessBatch): void {
    SPARE.give(b);
  }

  private fresh(): void {
    this.ready = true;
    const b = SPARE.next(this.capacity, (c) => new AccessBatch(c));
    this.batch = b;
    this.seq32 = b.seq32;
    this.ts32 = b.ts32;
    this.addr32 = b.addr32;
    this.value32 = b.value32;
    this.pc32 = b.pc32;
    this.hostCpu = b.host_cpu;
    this.tid = b.tid;
    this.vm = b.vm;
    this.vcpu = b.vcpu;
    this.source = b.source;
    this.space = b.space;
    this.op = b.op;
    this.lenCol = b.len;
    this.immCol = b.imm;
    const v = b.validity;
    this.vTs = v.ts_ns;
    this.vHostCpu = v.host_cpu;
    this.vVcpu = v.vcpu;
    this.vAddr = v.addr;
    this.vLen = v.len;
    this.vValue = v.value;
    this.vPc = v.pc;
    this.vImm = v.imm;
    this.n = 0;
  }

  get rows(): number {
    return this.n;
  }

  /**
   * Starts a row with the columns every row has. `tsValid` false, `hostCpu` < 0 and `vcpu` < 0
   * leave those columns NULL. Returns the row index; call `end()` after the optional columns.
   */
  begin(seq: number, tsValid: boolean, tsLo: number, tsHi: number, hostCpu: number, tid: number, vm: number,
    vcpu: number, source: number, space: number, op: number): number {
    if (this.n === this.capacity) this.flush();
    if (!this.ready) this.fresh();
    const i = this.n;
    const byte = i >>> 3;
    const bit = 1 << (i & 7);
    this.seq32[2 * i] = seq >>> 0;
    if (seq >= TWO32) this.seq32[2 * i + 1] = (seq / TWO32) >>> 0; // a fresh batch is zeroed
    if (tsValid) {
      this.ts32[2 * i] = tsLo;
      this.ts32[2 * i + 1] = tsHi;
      this.vTs[byte]! |= bit;
    }
    if (hostCpu >= 0) {
      this.hostCpu[i] = hostCpu;
      this.vHostCpu[byte]! |= bit;
    }
    this.tid[i] = tid;
    this.vm[i] = vm;
    if (vcpu >= 0) {
      this.vcpu[i] = vcpu;
      this.vVcpu[byte]! |= bit;
    }
    this.source[i] = source;
    this.space[i] = space;
    this.op[i] = op;
    return i;
  }

  /**
   * A whole kvm_mmio-shaped row in one call (the hot path: most rows of a guest trace): space mmio,
   * addr/len/value present, pc when `pcValid`, no imm. Same result as begin/addr/len/value/pc/end.
   */
  mmio(seq: number, tsValid: boolean, tsLo: number, tsHi: number, hostCpu: number, tid: number, vm: number,
    vcpu: number, source: number, op: number, gpaLo: number, gpaHi: number, len: number, valLo: number, valHi: number,
    pcValid: boolean, pcLo: number, pcHi: number): void {
    if (this.n === this.capacity) this.flush();
    if (!this.ready) this.fresh();
    const i = this.n;
    const byte = i >>> 3;
    const bit = 1 << (i & 7);
    const i2 = 2 * i;
    this.seq32[i2] = seq >>> 0;
    if (seq >= TWO32) this.seq32[i2 + 1] = (seq / TWO32) >>> 0;
    if (tsValid) {
      this.ts32[i2] = tsLo;
      this.ts32[i2 + 1] = tsHi;
      this.vTs[byte]! |= bit;
    }
    if (hostCpu >= 0) {
      this.hostCpu[i] = hostCpu;
      this.vHostCpu[byte]! |= bit;
    }
    this.tid[i] = tid;
    this.vm[i] = vm;
    if (vcpu >= 0) {
      this.vcpu[i] = vcpu;
      this.vVcpu[byte]! |= bit;
    }
    this.source[i] = source;
    this.space[i] = SPACE_MMIO;
    this.op[i] = op;
    this.addr32[i2] = gpaLo;
    this.addr32[i2 + 1] = gpaHi;
    this.vAddr[byte]! |= bit;
    this.lenCol[i] = len;
    this.vLen[byte]! |= bit;
    this.value32[i2] = valLo;
    this.value32[i2 + 1] = valHi;
    this.vValue[byte]! |= bit;
    if (pcValid) {
      this.pc32[i2] = pcLo;
      this.pc32[i2 + 1] = pcHi;
      this.vPc[byte]! |= bit;
    }
    this.n = i + 1;
  }

  addr(i: number, lo: number, hi: number): void {
    this.addr32[2 * i] = lo;
    this.addr32[2 * i + 1] = hi;
    this.vAddr[i >>> 3]! |= 1 << (i & 7);
  }

  value(i: number, lo: number, hi: number): void {
    this.value32[2 * i] = lo;
    this.value32[2 * i + 1] = hi;
    this.vValue[i >>> 3]! |= 1 << (i & 7);
  }

  pc(i: number, lo: number, hi: number): void {
    this.pc32[2 * i] = lo;
    this.pc32[2 * i + 1] = hi;
    this.vPc[i >>> 3]! |= 1 << (i & 7);
  }

  len(i: number, n: number): void {
    this.lenCol[i] = n;
    this.vLen[i >>> 3]! |= 1 << (i & 7);
  }

  imm(i: number, n: number): void {
    this.immCol[i] = n;
    this.vImm[i >>> 3]! |= 1 << (i & 7);
  }

  setSource(i: number, source: number): void {
    this.source[i] = source;
  }

  /** True when row i is the last row written to the current batch. */
  isLast(i: number): boolean {
    return i === this.n - 1;
  }

  /** Gives row i another line's seq, timestamp and host CPU (valid only for the batch's last row: seq stays ordered). */
  restamp(i: number, seq: number, tsValid: boolean, tsLo: number, tsHi: number, hostCpu: number): void {
    const byte = i >>> 3;
    const bit = 1 << (i & 7);
    this.seq32[2 * i] = seq >>> 0;
    this.seq32[2 * i + 1] = seq >= TWO32 ? (seq / TWO32) >>> 0 : 0;
    if (tsValid) {
      this.ts32[2 * i] = tsLo;
      this.ts32[2 * i + 1] = tsHi;
      this.vTs[byte]! |= bit;
    } else {
      this.ts32[2 * i] = 0;
      this.ts32[2 * i + 1] = 0;
      this.vTs[byte]! &= ~bit;
    }
    if (hostCpu >= 0) {
      this.hostCpu[i] = hostCpu;
      this.vHostCpu[byte]! |= bit;
    } else {
      this.hostCpu[i] = 0;
      this.vHostCpu[byte]! &= ~bit;
    }
  }

  /** Whether row i of the current batch has a value. */
  hasValue(i: number): boolean {
    return (this.vValue[i >>> 3]! & (1 << (i & 7))) !== 0;
  }

  /** Completes the row started by `begin` (a full batch is handed off when the next row begins). */
  end(): void {
    this.n++;
  }

  /** Hands off the current batch if it has rows. */
  flush(): void {
    if (this.n === 0) return;
    const b = this.batch;
    b.length = this.n;
    this.gen++;
    this.ready = false;
    this.n = 0;
    this.onFull(b);
  }
}
