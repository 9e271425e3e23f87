/**
 * Which state the models of a lockstep replay can share, and which accesses need every model.
 * Derived from the profiles: a field group is private to each model only when a handler that
 * writes it consults a profile fact that differs between the compared profiles; an access needs
 * every model only when its handler consults such a fact or touches private state. Everything
 * else runs once on shared typed arrays — the replay's fast path. Keep the tables in step with
 * the handlers in vgic-model.ts: a new profile fact adds one entry here.
 */
import { H, type HandlerKind } from '../gic/descriptor.ts';
import type { RevisionProfile } from './profiles.ts';

export type FieldGroup = 'group' | 'dist' | 'lpi' | 'common';
const N_HANDLERS = 32;

/** Profile facts each handler's read consults. */
const READ_FACTS: Partial<Record<HandlerKind, (p: RevisionProfile) => unknown>> = {
  [H.GROUP]: (p) => p.groupRead,
  [H.D_IIDR]: (p) => p.iidr,
  [H.R_CTLR]: (p) => p.rdCtlrAdvertise,
  [H.D_TYPER2]: (p) => p.host.vsgi,
  [H.PENDBASER]: (p) => p.host.ptzReadsZero,
};

/** Profile facts each handler's write consults (including whether its register exists). */
const WRITE_FACTS: Partial<Record<HandlerKind, (p: RevisionProfile) => unknown>> = {
  [H.GROUP]: (p) => p.groupWrite,
  [H.D_CTLR]: (p) => p.host.vsgi,
  [H.PROPBASER]: (p) => `${p.host.outerSameAsInner} ${p.host.pa52}`,
  [H.PENDBASER]: (p) => `${p.host.outerSameAsInner} ${p.host.pa52}`,
  [H.INVLPIR]: (p) => p.host.lpiInvalidation,
  [H.INVALLR]: (p) => p.host.lpiInvalidation,
  [H.GICC_DIR]: (p) => p.host.gicvDirTrap,
};

/** The state each handler reads and writes. */
export function fieldOf(h: number): FieldGroup {
  switch (h) {
    case H.GROUP: return 'group';
    case H.D_CTLR: return 'dist';
    case H.PROPBASER: case H.PENDBASER: return 'lpi';
    default: return 'common';
  }
}

const differs = (profiles: readonly RevisionProfile[], f: ((p: RevisionProfile) => unknown) | undefined): boolean =>
  f !== undefined && profiles.some((p) => f(p) !== f(profiles[0]!));

/** Whether handler `h` reads or writes differently under the two profiles (a profile fact it consults differs). */
export function handlerDiffers(h: HandlerKind, a: RevisionProfile, b: RevisionProfile): boolean {
  return differs([a, b], READ_FACTS[h]) || differs([a, b], WRITE_FACTS[h]);
}

export interface SharingPlan {
  /** Field groups each model keeps to itself. */
  own: Set<FieldGroup>;
  /** Per handler kind: 1 = the access must run on every model (and be compared). */
  readAll: Uint8Array;
  writeAll: Uint8Array;
  /** Interrupt delivery may differ between models (group, distributor state private). */
  deliveryMayDiffer: boolean;
}

export function sharingPlan(profiles: readonly RevisionProfile[]): SharingPlan {
  const own = new Set<FieldGroup>();
  for (let h = 0; h < N_HANDLERS; h++) if (differs(profiles, WRITE_FACTS[h as HandlerKind]) && fieldOf(h) !== 'common') own.add(fieldOf(h));
  const readAll = new Uint8Array(N_HANDLERS);
  const writeAll = new Uint8Array(N_HANDLERS);
  for (let h = 0; h < N_HANDLERS; h++) {
    const priv = own.has(fieldOf(h));
    readAll[h] = priv || differs(profiles, READ_FACTS[h as HandlerKind]) ? 1 : 0;
    writeAll[h] = priv || differs(profiles, WRITE_FACTS[h as HandlerKind]) ? 1 : 0;
  }
  // Rev 0 signals by a fixed group whatever IGROUPR holds, so groupRead matters for delivery too.
  const deliveryMayDiffer = own.has('group') || own.has('dist') || differs(profiles, (p) => p.groupRead);
  return { own, readAll, writeAll, deliveryMayDiffer };
}

/** No sharing: every model keeps all its state and runs every access (the replay's reference mode). */
export function unsharedPlan(): SharingPlan {
  return {
    own: new Set<FieldGroup>(['group', 'dist', 'lpi', 'common']),
    readAll: new Uint8Array(N_HANDLERS).fill(1),
    writeAll: new Uint8Array(N_HANDLERS).fill(1),
    deliveryMayDiffer: true,
  };
}
