/** Every frame's register table, and look-ups by frame, block and name. */
import { buildOffsetTable, indexStep, isRegisterArray, type FrameDef, type FrameId, type RegisterDescriptor } from './descriptor.ts';
import { GICC_V2 } from './frames/gicc-v2.ts';
import { GICD_V2 } from './frames/gicd-v2.ts';
import { GICD_V3 } from './frames/gicd-v3.ts';
import { GICR_V3 } from './frames/gicr-v3.ts';
import { GICV2M } from './frames/gicv2m.ts';
import { GITS_V3 } from './frames/gits.ts';

export const FRAMES: readonly FrameDef[] = [GICD_V3, GICR_V3, GITS_V3, GICD_V2, GICC_V2, GICV2M];
export { GICC_V2, GICD_V2, GICD_V3, GICR_V3, GICV2M, GITS_V3 };

const byId = new Map<FrameId, FrameDef>(FRAMES.map((f) => [f.id, f]));
const tables = new Map<FrameId, Int16Array>();

export function frameById(id: FrameId): FrameDef {
  const f = byId.get(id);
  if (!f) throw new Error(`unknown frame ${id}`);
  return f;
}

/** The frame a block of a GIC version decodes with (GICC and GICv2m exist only beside a GICv2). */
export function frameFor(block: FrameDef['block'], gicVersion: 2 | 3): FrameDef {
  switch (block) {
    case 'GICD': return gicVersion === 2 ? GICD_V2 : GICD_V3;
    case 'GICR': return GICR_V3;
    case 'GITS': return GITS_V3;
    case 'GICC': return GICC_V2;
    case 'GICV2M': return GICV2M;
  }
}

/** Cached (offset >> 2) → descriptor index table for a frame. */
export function offsetTable(frame: FrameDef): Int16Array {
  let t = tables.get(frame.id);
  if (!t) {
    t = buildOffsetTable(frame);
    tables.set(frame.id, t);
  }
  return t;
}

export function lookupOffset(frame: FrameDef, offset: number): RegisterDescriptor | undefined {
  if (offset < 0 || offset >= frame.size) return undefined;
  const i = offsetTable(frame)[offset >>> 2]!;
  return i < 0 ? undefined : frame.registers[i];
}

/**
 * Every descriptor with a given name (GICD_CTLR exists in both distributor frames). Accepts an
 * indexed form too: GICD_IGROUPR3, GICD_CPENDSGIR1 or GICD_IROUTER<n> resolve to the array, with
 * its index; an index beyond the array matches nothing.
 */
export function findByName(name: string): Array<{ frame: FrameDef; reg: RegisterDescriptor; index: number | null }> {
  const upper = name.trim().toUpperCase();
  const exact = FRAMES.flatMap((frame) => frame.registers.filter((r) => r.name === upper).map((reg) => ({ frame, reg, index: null })));
  if (exact.length > 0) return exact;
  const m = /^(.*?)(?:<N>|(\d+))$/.exec(upper);
  if (!m) return [];
  const index = m[2] === undefined ? null : Number(m[2]);
  return FRAMES.flatMap((frame) => frame.registers
    .filter((r) => r.name === m[1] && isRegisterArray(r) && (index === null || index * indexStep(r) < r.length))
    .map((reg) => ({ frame, reg, index })));
}

/** Distinct register names across all frames, in table order: the replay's register ids. */
export const REGISTER_NAMES: readonly string[] = [...new Set(FRAMES.flatMap((f) => f.registers.map((r) => r.name)))];
