/**
 * Which registers behave differently under two revision profiles, derived from the profile data
 * (not hard-coded names): those are reported even when the guest never touched them.
 */
import { FRAMES } from '../gic/catalogue.ts';
import { REGISTER_NAMES } from '../gic/catalogue.ts';
import type { RevisionProfile } from '../emulator/profiles.ts';
import { handlerDiffers } from '../emulator/sharing.ts';

export function sensitiveRegisters(a: RevisionProfile, b: RevisionProfile, gicVersion: 2 | 3): Set<string> {
  const out = new Set<string>();
  const frames = FRAMES.filter((f) => f.gicVersion === gicVersion && (f.block === 'GICD' || f.block === 'GICR' || f.block === 'GICC'));
  for (const f of frames) {
    for (const r of f.registers) {
      // the facts each handler consults, as sharing.ts lists them for the replay's shared state
      let differs = handlerDiffers(r.handler, a, b);
      if (r.hostFeature === 'lpi-invalidation' && a.host.lpiInvalidation !== b.host.lpiInvalidation) differs = true;
      if (r.hostFeature === 'gicv-dir-trap' && a.host.gicvDirTrap !== b.host.gicvDirTrap) differs = true;
      if (differs) out.add(r.name);
    }
  }
  return out;
}

export function registerId(name: string): number {
  return REGISTER_NAMES.indexOf(name);
}
