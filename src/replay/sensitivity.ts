/**
 * Which registers behave differently under two revision profiles, derived from the profile data
 * (not hard-coded names): those are reported even when the guest never touched them.
 */
import { FRAMES } from '../gic/catalogue.ts';
import { H } from '../gic/descriptor.ts';
import { REGISTER_NAMES } from '../gic/catalogue.ts';
import type { RevisionProfile } from '../emulator/profiles.ts';

export function sensitiveRegisters(a: RevisionProfile, b: RevisionProfile, gicVersion: 2 | 3): Set<string> {
  const out = new Set<string>();
  const frames = FRAMES.filter((f) => f.gicVersion === gicVersion && (f.block === 'GICD' || f.block === 'GICR' || f.block === 'GICC'));
  for (const f of frames) {
    for (const r of f.registers) {
      let differs = false;
      switch (r.handler) {
        case H.GROUP: differs = a.groupRead !== b.groupRead || a.groupWrite !== b.groupWrite; break;
        case H.D_IIDR: differs = a.iidr !== b.iidr; break;
        case H.R_CTLR: differs = a.rdCtlrAdvertise !== b.rdCtlrAdvertise; break;
        case H.PROPBASER: differs = a.host.outerSameAsInner !== b.host.outerSameAsInner || a.host.pa52 !== b.host.pa52; break;
        case H.PENDBASER:
          differs = a.host.outerSameAsInner !== b.host.outerSameAsInner || a.host.pa52 !== b.host.pa52 || a.host.ptzReadsZero !== b.host.ptzReadsZero;
          break;
        case H.D_TYPER2: case H.D_CTLR: differs = a.host.vsgi !== b.host.vsgi; break;
        default: break;
      }
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
