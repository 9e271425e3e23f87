/**
 * The vm dictionary (code → label) at 4 bytes per VM: a host trace can hold millions of VMs, and
 * their labels are tgids, so they are kept as int32 numbers and made strings only when read.
 * Other labels (--vm, a file name, a number past int32) are few and kept as strings.
 */

import { grownArray, grownLength } from './page-arrays.ts';

/** What consumers of the dictionary read: a string[] is one too. */
export interface VmLabelList {
  readonly length: number;
  at(code: number): string | undefined;
}

/** Entries from one code on, as they cross to another thread (`tgids` transferable). */
export interface VmLabelsDelta {
  from: number;
  /** -1 where the label is in `named`. */
  tgids: Int32Array;
  named: Array<[number, string]>;
  /**
   * Instead of `tgids` (then empty), when the sender's table is in shared memory: all of it, codes
   * 0 up to the delta's end. The receiver reads the sender's array (entries before the end never
   * change) rather than keeping a copy of millions of labels.
   */
  all?: Int32Array<ArrayBufferLike>;
}

/** The canonical decimal tgid a label spells, or NaN (leading zeros, signs: not one). */
export function tgidOfLabel(label: string): number {
  if (!/^(0|[1-9]\d{0,15})$/.test(label)) return NaN;
  const n = Number(label);
  return Number.isSafeInteger(n) ? n : NaN;
}

/** Where a label is not a tgid kept as a number (it is in `named`). */
const NAMED = -1;
const isInt32Tgid = (t: number): boolean => Number.isInteger(t) && t >= 0 && t <= 0x7fffffff;

export class VmLabels implements VmLabelList {
  private tgids: Int32Array<ArrayBufferLike> = new Int32Array(64);
  private readonly named = new Map<number, string>();
  private n = 0;

  get length(): number {
    return this.n;
  }

  /** Appends a label; returns its code. */
  add(label: string): number {
    const t = tgidOfLabel(label);
    return isInt32Tgid(t) ? this.push(t) : this.pushNamed(label);
  }

  /** Appends the label String(tgid); returns its code. */
  addTgid(tgid: number): number {
    return isInt32Tgid(tgid) ? this.push(tgid) : this.pushNamed(String(tgid));
  }

  private pushNamed(label: string): number {
    const code = this.push(NAMED);
    this.named.set(code, label);
    return code;
  }

  private push(t: number): number {
    // (a table another thread's array was applied to is full: its first push copies it)
    if (this.n === this.tgids.length) {
      // shared when big: a delta then crosses threads without a copy (`all`)
      this.tgids = grownArray(this.tgids, grownLength(this.tgids.length, 4), true);
    }
    this.tgids[this.n] = t;
    return this.n++;
  }

  at(code: number): string | undefined {
    if (code < 0 || code >= this.n || !Number.isInteger(code)) return undefined;
    const t = this.tgids[code]!;
    return t === NAMED ? this.named.get(code) : String(t);
  }

  /** Labels from `from` on, as strings (tests, small dictionaries). */
  slice(from = 0): string[] {
    const out: string[] = [];
    for (let c = from; c < this.n; c++) out.push(this.at(c)!);
    return out;
  }

  /** Entries from `from` on, for another thread (a copy, or the shared array: this table keeps growing). */
  delta(from: number): VmLabelsDelta {
    const named: Array<[number, string]> = [];
    for (const [code, label] of this.named) if (code >= from) named.push([code, label]);
    if (this.tgids.buffer instanceof SharedArrayBuffer) {
      return { from, tgids: new Int32Array(0), named, all: this.tgids.subarray(0, this.n) };
    }
    return { from, tgids: this.tgids.slice(from, this.n), named };
  }

  /** Appends a delta taken at this table's length. */
  apply(d: VmLabelsDelta): void {
    if (d.from !== this.n) throw new Error(`VM labels delta from ${d.from} applied at ${this.n}`);
    if (d.all !== undefined) {
      this.tgids = d.all; // exactly its entries long: never written here
      this.n = d.all.length;
    } else {
      for (let i = 0; i < d.tgids.length; i++) this.push(d.tgids[i]!);
    }
    for (const [code, label] of d.named) this.named.set(code, label);
  }

  copy(): VmLabels {
    const c = new VmLabels();
    c.apply(this.delta(0));
    return c;
  }

  static of(labels: Iterable<string>): VmLabels {
    const l = new VmLabels();
    for (const s of labels) l.add(s);
    return l;
  }
}

/** Every label as a string, in code order (tests, small dictionaries). */
export function labelArray(l: VmLabelList): string[] {
  return Array.from({ length: l.length }, (_, code) => l.at(code)!);
}

/** Entries of any label list from `from` on (a VmLabels' own delta, else built label by label). */
export function deltaOf(l: VmLabelList, from: number): VmLabelsDelta {
  if (l instanceof VmLabels) return l.delta(from);
  const part = new VmLabels();
  for (let code = from; code < l.length; code++) part.add(l.at(code)!);
  const d = part.delta(0);
  return { from, tgids: d.tgids, named: d.named.map(([c, label]): [number, string] => [c + from, label]) };
}
