/**
 * The first read of each identification-offset address and size, of every VM, in typed columns
 * (~40 bytes a read): every guest of a host trace reads its GICD_TYPER, IIDR and PIDR2 at boot,
 * and an object per read with an array and a Set per VM cost ~0.5 KiB per VM.
 */
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

function grown<T extends Int32Array | Float64Array | Uint8Array>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}

export class IdReadTable {
  private vm = new Int32Array(256);
  private gpa = new Float64Array(256);
  private len = new Uint8Array(256);
  private value = new Float64Array(256);
  /** Next record with the same hash key (-1: none). */
  private chain = new Int32Array(256);
  private n = 0;
  /** hash of (VM, address, size) → the latest record with that hash; the chain tells them apart. */
  private readonly byKey = new NumberTable(true);
  /** VM code → reads kept for it. */
  private readonly perVm = new NumberTable(true);

  constructor(private readonly maxPerVm: number) {}

  get size(): number {
    return this.n;
  }

  /** Keeps the read unless the VM read that address with that size before, or has maxPerVm reads. */
  add(vm: number, gpa: number, len: number, value: number): void {
    const key = Math.imul((gpa % 4294967296) ^ Math.imul(Math.floor(gpa / 4294967296) + len * 0x10001, 0x85ebca6b) ^ vm, 0x9e3779b1);
    const head = this.byKey.get(key);
    for (let i = head; i >= 0; i = this.chain[i]!) {
      if (this.vm[i] === vm && this.gpa[i] === gpa && this.len[i] === len) return;
    }
    const had = this.perVm.get(vm);
    if (had >= this.maxPerVm) return;
    this.perVm.set(vm, had < 0 ? 1 : had + 1);
    if (this.n === this.vm.length) {
      const size = this.n * 2;
      [this.vm, this.gpa, this.len, this.value, this.chain] =
        [grown(this.vm, size), grown(this.gpa, size), grown(this.len, size), grown(this.value, size), grown(this.chain, size)];
    }
    const i = this.n++;
    this.vm[i] = vm;
    this.gpa[i] = gpa;
    this.len[i] = len;
    this.value[i] = value;
    this.chain[i] = head;
    this.byKey.set(key, i);
  }

  /** The reads as columns sorted by VM (a counting sort: file order within each VM). */
  columns(): IdReadColumns {
    const n = this.n;
    if (n === 0) return NO_ID_READ_COLUMNS;
    const counts = this.perVm.sortedPairs();
    const start = new NumberTable(true);
    for (let k = 0, at = 0; k < counts.length; k += 2) {
      start.set(counts[k]!, at);
      at += counts[k + 1]!;
    }
    const out: IdReadColumns = { vm: new Int32Array(n), gpa: new Float64Array(n), len: new Uint8Array(n), value: new Float64Array(n) };
    for (let i = 0; i < n; i++) {
      const vm = this.vm[i]!;
      const j = start.get(vm);
      start.set(vm, j + 1);
      out.vm[j] = vm;
      out.gpa[j] = this.gpa[i]!;
      out.len[j] = this.len[i]!;
      out.value[j] = this.value[i]!;
    }
    return out;
  }
}
