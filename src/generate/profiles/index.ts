/**
 * The guest profile registry: name → profile data, and compiled programs (compiled once, on first
 * use). Add a profile by adding its file and one line here.
 */
import { AbitraceError, E } from '../../errors.ts';
import type { GuestProfile } from '../profile-types.ts';
import { compileProfile, type CompiledProfile } from '../program.ts';
import { profile as edk2 } from './edk2.ts';
import { profile as freebsd } from './freebsd.ts';
import { profile as linuxGicv2 } from './linux-gicv2.ts';
import { profile as linuxGicv3 } from './linux-gicv3.ts';
import { profile as linuxGicv3_519 } from './linux-gicv3-5.19.ts';
import { profile as zephyrSecure } from './zephyr-secure.ts';

export const PROFILES: Readonly<Record<string, GuestProfile>> = Object.fromEntries(
  [linuxGicv3, linuxGicv3_519, linuxGicv2, freebsd, edk2, zephyrSecure].map((p) => [p.name, p]),
);

const compiled = new Map<string, CompiledProfile>();

export function compiledProfile(name: string): CompiledProfile {
  let c = compiled.get(name);
  if (!c) {
    const p = PROFILES[name];
    if (!p) throw new AbitraceError(E.PROFILE_UNKNOWN, `unknown profile '${name}'; known profiles: ${Object.keys(PROFILES).join(', ')}`);
    if (p.chain !== undefined) {
      const next = PROFILES[p.chain];
      if (!next) throw new AbitraceError(E.PROFILE_UNKNOWN, `profile ${name} chains into unknown profile '${p.chain}'`);
      if (next.gic.version !== p.gic.version) throw new Error(`profile ${name} (GICv${p.gic.version}) chains into ${p.chain} (GICv${next.gic.version})`);
    }
    c = compileProfile(p);
    compiled.set(name, c);
  }
  return c;
}
