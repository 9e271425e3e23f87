/**
 * Every VM's layout of one import at 4 bytes per VM: the VMs of a host trace share a handful of
 * shapes (VMM, platform, GIC version, blocks, how it was decided), so a table of shapes and a
 * shape index per VM code replace an object per VM (~80 bytes each, a million VMs in a trace).
 */
import { grownArray, newArray } from '../ingest/page-arrays.ts';
import { vmLayoutsOf, type BlockRange, type LayoutOverrides, type VmLayout } from './layout.ts';
import type { LayoutEvidence, ParseSummary, VmInfoTable } from '../ingest/types.ts';
import { evidenceByVm } from '../ingest/vm-evidence.ts';

export type VmShape = Omit<VmLayout, 'vm'>;

function single<T>(values: Iterable<T | null>): T | 'mixed' | null {
  let first: T | null = null;
  for (const v of values) {
    if (v === null) continue;
    if (first === null) first = v;
    else if (v !== first) return 'mixed';
  }
  return first;
}

function sameShape(a: VmShape, b: VmShape): boolean {
  return a.blocks === b.blocks && a.vmm === b.vmm && a.platform === b.platform && a.gicVersion === b.gicVersion && a.source === b.source;
}

/** A VmLayoutTable as plain data (ParseSummary.layouts). */
export interface VmLayoutTableParts {
  shapes: VmShape[];
  shapeOf: ShapeIndexArray;
}

/**
 * Shape index per VM code, in the narrowest type the shapes' count allows: VMs share a handful of
 * maps, so pid_max VMs take 4 MiB, not 16; widened as shapes come.
 */
type ShapeIndexArray = Uint8Array<ArrayBufferLike> | Uint16Array<ArrayBufferLike> | Int32Array<ArrayBufferLike>;

/** `a`, or its first `count` entries in a wider array when `a` cannot hold `shape`. */
function widened(a: ShapeIndexArray, count: number, shape: number): ShapeIndexArray {
  if (shape <= (a instanceof Uint8Array ? 0xff : a instanceof Uint16Array ? 0xffff : 0x7fffffff)) return a;
  const w: ShapeIndexArray = shape <= 0xffff ? newArray(Uint16Array, a.length, true) : newArray(Int32Array, a.length, true);
  w.set(a.subarray(0, count));
  return w;
}

export class VmLayoutTable {
  /** Distinct shapes, in order of first use; every one is some VM's. */
  readonly shapes: VmShape[] = [];
  private shapeOf: ShapeIndexArray = new Uint8Array(64);
  private count = 0;
  private readonly byKey = new Map<string, number>();
  /** Ids of blocks arrays shared between VMs (frozen, from the platform cache), by identity. */
  private readonly blockIds = new Map<readonly BlockRange[], number>();

  /** Resolves every VM of a parse from its summary's evidence arrays into a table; labels are not kept. */
  static resolve(summary: Pick<ParseSummary, 'layout' | 'layoutPages' | 'layoutIdReads' | 'layoutIcc' | 'layoutV2' | 'vmInfo'>, count: number,
    label: (code: number) => string, overrides: LayoutOverrides): VmLayoutTable {
    return VmLayoutTable.resolveStream(evidenceByVm(summary), summary.vmInfo, count, label, overrides);
  }

  /** Resolves VMs 0..count-1 from a stream of their evidence in code order (the end of a parse). */
  static resolveStream(evidence: Iterator<LayoutEvidence>, info: VmInfoTable, count: number,
    label: (code: number) => string, overrides: LayoutOverrides): VmLayoutTable {
    const t = new VmLayoutTable();
    // sized once, not doubled up to pid_max VMs
    t.shapeOf = newArray(Uint8Array, Math.max(count, 64), true);
    for (const l of vmLayoutsOf(evidence, info, count, label, overrides)) t.push(l);
    return t;
  }

  /** The table as plain data, for another thread (shapeOf's buffer transferable). */
  toParts(): VmLayoutTableParts {
    // a copy unless shared: a transfer of the parts must not detach this table's array
    const shapeOf = this.shapeOf.subarray(0, this.count);
    return { shapes: this.shapes, shapeOf: shapeOf.buffer instanceof SharedArrayBuffer ? shapeOf : shapeOf.slice() };
  }

  /** A table from toParts() (its shapes are not merged with any other table's). */
  static fromParts(parts: VmLayoutTableParts): VmLayoutTable {
    const t = new VmLayoutTable();
    t.shapes.push(...parts.shapes);
    t.shapeOf = parts.shapeOf;
    t.count = parts.shapeOf.length;
    return t;
  }

  static of(layouts: readonly VmShape[]): VmLayoutTable {
    const t = new VmLayoutTable();
    for (const l of layouts) t.push(l);
    return t;
  }

  get length(): number {
    return this.count;
  }

  /** Appends the next VM code's layout. */
  push(l: VmShape): void {
    // (big arrays shared: toParts() crosses to the main thread)
    if (this.count === this.shapeOf.length) this.shapeOf = grownArray(this.shapeOf, this.shapeOf.length * 2, true);
    const prev = this.count > 0 ? this.shapeOf[this.count - 1]! : -1;
    // consecutive VMs mostly share a shape: compared field by field, no key built
    const shape = prev >= 0 && sameShape(this.shapes[prev]!, l) ? prev : this.shapeIndex(l);
    this.shapeOf = widened(this.shapeOf, this.count, shape);
    this.shapeOf[this.count++] = shape;
  }

  private shapeIndex(l: VmShape): number {
    let blocks: string;
    if (Object.isFrozen(l.blocks)) {
      let id = this.blockIds.get(l.blocks);
      if (id === undefined) this.blockIds.set(l.blocks, (id = this.blockIds.size));
      blocks = `#${id}`;
    } else {
      // a VM's own map (QEMU region bases, base flags): by content
      blocks = l.blocks.map((b) => `${b.block}@${b.base}+${b.size}/${b.stride ?? ''}`).join(',');
    }
    const key = `${l.vmm}|${l.platform}|${l.gicVersion}|${l.source}|${blocks}`;
    let s = this.byKey.get(key);
    if (s === undefined) {
      s = this.shapes.length;
      this.shapes.push({ vmm: l.vmm, platform: l.platform, gicVersion: l.gicVersion, blocks: l.blocks, source: l.source });
      this.byKey.set(key, s);
    }
    return s;
  }

  /** Index into `shapes` of VM `code`. */
  shapeIndexOf(code: number): number {
    if (code < 0 || code >= this.count) throw new RangeError(`VM code ${code} out of range (${this.count} VMs)`);
    return this.shapeOf[code]!;
  }

  shapeOfVm(code: number): VmShape {
    return this.shapes[this.shapeIndexOf(code)]!;
  }

  /** The one platform of every VM, 'mixed', or null (no VMs). */
  platform(): string | 'mixed' | null {
    return single(this.shapes.map((s) => s.platform));
  }

  /** The one VMM named by every VM that names one, 'mixed', or null. */
  vmm(): string | 'mixed' | null {
    return single(this.shapes.map((s) => s.vmm));
  }
}
