/**
 * The first read of each identification-offset address and size, of every VM, in typed columns
 * (~21 bytes a read): every guest of a host trace reads its GICD_TYPER, IIDR and PIDR2 at boot,
 * and an object per read with an array and a Set per VM cost ~0.5 KiB per VM. A VM's reads are
 * chained newest first from its head (a direct array by VM code past a million VMs); whether a
 * read is new is told by walking its VM's chain (a few reads; at most maxPerVm), with a
 * direct-mapped cache of recent hits in front so polling one address does not walk it again.
 */
import { grownArray, newArray } from './page-arrays.ts';
import { NumberTable } from './number-table.ts';

/** The reads sorted by VM code, in file order within a VM. */
export interface IdReadColumns {
  vm: Int32Array;
  gpa: Float64Array;
  len: Uint8Array;
  value: Float64Array;
}

export const NO_ID_READ_COLUMNS: IdReadColumns = {
  vm: new Int32Array(0), gpa: new Float64Array(0), len: new Uint8Array(0), value: new Float64Array(0),
};

const HIT_SLOTS = 4096;

export class IdReadTable {
  private gpa = new Float64Array(256);
  private len = new Uint8Array(256);
  private value = new Float64Array(256);
  /** The VM's previous read (-1: none). */
  private chain = new Int32Array(256);
  private n = 0;
  /** VM code → its latest read. */
  private readonly heads = new NumberTable(true);
  /** VM codes whose reads reached maxPerVm (nothing more is kept for them). */
  private readonly full = new NumberTable(true);
  /** Recent hits: slot → VM code and read (-1: empty); a hit is checked exactly. */
  private readonly hitVm = new Int32Array(HIT_SLOTS).fill(-1);
  private readonly hitRead = new Int32Array(HIT_SLOTS);

  constructor(private readonly maxPerVm: number) {}

  get size(): number {
    return this.n;
  }

  /** Keeps the read unless the VM read that address with that size before, or has maxPerVm reads. */
  add(vm: number, gpa: number, len: number, value: number): void {
    const k = (Math.imul((gpa % 4294967296) ^ Math.imul(vm, 0x85ebca6b) ^ len, 0x9e3779b1) >>> 20) & (HIT_SLOTS - 1);
    if (this.hitVm[k] === vm) {
      const r = this.hitRead[k]!;
      if (this.gpa[r] === gpa && this.len[r] === len) return;
    }
    if (this.full.size > 0 && this.full.get(vm) >= 0) return;
    const head = this.heads.get(vm);
    let count = 0;
    for (let i = head; i >= 0; i = this.chain[i]!, count++) {
      if (this.gpa[i] === gpa && this.len[i] === len) {
        this.hitVm[k] = vm;
        this.hitRead[k] = i;
        return;
      }
    }
    if (count >= this.maxPerVm) {
      this.full.set(vm, 1);
      return;
    }
    if (this.n === this.gpa.length) {
      const size = this.n * 2;
      [this.gpa, this.len, this.value, this.chain] = [grownArray(this.gpa, size), grownArray(this.len, size), grownArray(this.value, size), grownArray(this.chain, size)];
    }
    const i = this.n++;
    this.gpa[i] = gpa;
    this.len[i] = len;
    this.value[i] = value;
    this.chain[i] = head;
    this.heads.set(vm, i);
  }

  /** Removes every read, keeping the arrays (SpilledIdReads fills it again after each run). */
  clear(): void {
    this.n = 0;
    this.heads.clear();
    this.full.clear();
    this.hitVm.fill(-1);
  }

  /** The reads as columns sorted by VM, in file order within each VM (each chain reversed). */
  columns(): IdReadColumns {
    const n = this.n;
    if (n === 0) return NO_ID_READ_COLUMNS;
    const heads = this.heads.sortedPairs();
    const out: IdReadColumns = { vm: newArray(Int32Array, n), gpa: newArray(Float64Array, n), len: newArray(Uint8Array, n), value: newArray(Float64Array, n) };
    let at = 0;
    for (let h = 0; h < heads.length; h += 2) {
      const vm = heads[h]!;
      let count = 0;
      for (let i = heads[h + 1]!; i >= 0; i = this.chain[i]!) count++;
      let j = at + count;
      for (let i = heads[h + 1]!; i >= 0; i = this.chain[i]!) {
        j--;
        out.vm[j] = vm;
        out.gpa[j] = this.gpa[i]!;
        out.len[j] = this.len[i]!;
        out.value[j] = this.value[i]!;
      }
      at += count;
    }
    return out;
  }
}
