/**
 * A frame's descriptor table flattened into typed arrays for the hot loop: one offset table
 * (word → descriptor) and per-descriptor columns, so dispatch is two array reads and a switch.
 */
import { frameById } from '../gic/catalogue.ts';
import { accessMask, buildOffsetTable, type FrameDef, type FrameId } from '../gic/descriptor.ts';
import { REGISTER_NAMES } from '../gic/catalogue.ts';
import { FEATURE_BIT } from './profiles.ts';

export const FLAG_PER_IRQ = 1;
export const FLAG_PRIVATE_RAZ = 2;

// CompiledFrame.words[2w]: descriptor index + 1 | handler | allowed lengths | flags | host feature | register id + 1.
export const W_D_MASK = 0xff;
export const W_H_SHIFT = 8; // 5 bits
export const W_LEN1 = 1 << 13;
export const W_LEN4 = 1 << 14;
export const W_LEN8 = 1 << 15;
export const W_PER_IRQ = 1 << 16;
export const W_PRIVATE_RAZ = 1 << 17;
export const W_FEATURE_SHIFT = 18; // 2 bits: FEATURE_BIT
export const W_REG_SHIFT = 20; // 11 bits

export class CompiledFrame {
  readonly frame: FrameDef;
  /** (offset >> 2) → descriptor index, -1 for holes. */
  readonly table: Int16Array;
  readonly handler: Uint8Array;
  readonly offset: Int32Array;
  /** log2(bits per IRQ), -1 for fixed registers. */
  readonly bpiShift: Int8Array;
  readonly irqBase: Int16Array;
  readonly flags: Uint8Array;
  /** Allowed access lengths: bit n set = n-byte access allowed. */
  readonly access: Uint16Array;
  /** FEATURE_BIT the host must have, 0 = always present. */
  readonly feature: Uint8Array;
  readonly constValue: Uint32Array;
  /** Index into REGISTER_NAMES (the replay's register ids). */
  readonly regId: Int16Array;
  /** Bytes the frame spans (`frame.size`, here so the hot loop needs no second object). */
  readonly size: number;
  /**
   * Everything the replay's hot loop needs about an access at word `w` (offset >> 2), in two
   * int32s, so resolving an access is one array: `words[2w]` packs the descriptor (W_* below;
   * 0 = hole), `words[2w + 1]` is the INTID of the word's first byte (`VGIC_ADDR_TO_INTID`) for
   * per-IRQ registers, -1 otherwise.
   */
  readonly words: Int32Array;

  constructor(id: FrameId) {
    const f = frameById(id);
    this.frame = f;
    this.table = buildOffsetTable(f);
    const n = f.registers.length;
    this.handler = new Uint8Array(n);
    this.offset = new Int32Array(n);
    this.bpiShift = new Int8Array(n);
    this.irqBase = new Int16Array(n);
    this.flags = new Uint8Array(n);
    this.access = new Uint16Array(n);
    this.feature = new Uint8Array(n);
    this.constValue = new Uint32Array(n);
    this.regId = new Int16Array(n);
    f.registers.forEach((r, i) => {
      this.handler[i] = r.handler;
      this.offset[i] = r.offset;
      this.bpiShift[i] = r.bitsPerIrq > 0 ? Math.log2(r.bitsPerIrq) : -1;
      this.irqBase[i] = r.irqBase ?? 0;
      this.flags[i] = (r.bitsPerIrq > 0 ? FLAG_PER_IRQ : 0) | (r.privateRaz ? FLAG_PRIVATE_RAZ : 0);
      this.access[i] = accessMask(r.widths);
      this.feature[i] = r.hostFeature ? FEATURE_BIT[r.hostFeature] : 0;
      this.constValue[i] = (r.constValue ?? 0) >>> 0;
      this.regId[i] = REGISTER_NAMES.indexOf(r.name);
    });
    this.size = f.size;
    if (n > W_D_MASK - 1 || REGISTER_NAMES.length >= 1 << 11 || f.registers.some((r) => r.handler > 31)) throw new Error(`${id}: too many registers for the packed word table`);
    this.words = new Int32Array(2 * this.table.length);
    for (let w = 0; w < this.table.length; w++) {
      const d = this.table[w]!;
      if (d < 0) { this.words[2 * w + 1] = -1; continue; }
      const acc = this.access[d]!;
      this.words[2 * w] = (d + 1) | (this.handler[d]! << W_H_SHIFT) | ((acc >>> 1) & 1 ? W_LEN1 : 0) | ((acc >>> 4) & 1 ? W_LEN4 : 0)
        | ((acc >>> 8) & 1 ? W_LEN8 : 0) | (this.flags[d]! & FLAG_PER_IRQ ? W_PER_IRQ : 0) | (this.flags[d]! & FLAG_PRIVATE_RAZ ? W_PRIVATE_RAZ : 0)
        | (this.feature[d]! << W_FEATURE_SHIFT) | ((this.regId[d]! + 1) << W_REG_SHIFT);
      this.words[2 * w + 1] = this.flags[d]! & FLAG_PER_IRQ ? this.irqBase[d]! + (((4 * w - this.offset[d]!) * 8) >>> this.bpiShift[d]!) : -1;
    }
  }
}

let cache: Map<FrameId, CompiledFrame> | null = null;
export function compiledFrame(id: FrameId): CompiledFrame {
  cache ??= new Map();
  let c = cache.get(id);
  if (!c) {
    c = new CompiledFrame(id);
    cache.set(id, c);
  }
  return c;
}
