/**
 * Which guest system-register accesses reach `kvm_sys_access` on a given host kernel, and what
 * the trapped reads return where a guest's control flow depends on them (cache geometry). From
 * abi-changes.md §3/§6 and guests.md §1.2/§4/§6. An access that does not trap produces no event
 * at all (the guest read the hardware or its VPIDR copy).
 */
import { sysregByName, type SysregDef } from '../gic/sysregs.ts';

/** Host kernel version as major * 1000 + minor (6.3 → 6003). */
export type HostVersion = number;

export function parseHostVersion(s: string): HostVersion | null {
  const m = /^(\d+)\.(\d+)$/.exec(s.trim());
  if (!m) return null;
  return Number(m[1]) * 1000 + Number(m[2]);
}

export function formatHostVersion(v: HostVersion): string {
  return `${Math.floor(v / 1000)}.${v % 1000}`;
}

interface TrapRule {
  /** Traps from this host version on (inclusive). */
  from?: HostVersion;
  /** Traps before this host version (exclusive). */
  until?: HostVersion;
  /** Never traps (value from VPIDR/VMPIDR or untrapped). */
  never?: true;
}

const V = (major: number, minor: number): HostVersion => major * 1000 + minor;

/** Exceptions to "ID space (3,0,0,*,*) traps under TID3". Unlisted non-ID registers trap always. */
const RULES: Readonly<Record<string, TrapRule>> = {
  MIDR_EL1: { never: true },
  MPIDR_EL1: { never: true },
  REVIDR_EL1: { from: V(6, 15) },
  AIDR_EL1: { from: V(6, 15) },
  CLIDR_EL1: { from: V(6, 3) },
  CCSIDR_EL1: { from: V(6, 3) },
  CSSELR_EL1: { from: V(6, 3) },
  // TID2 on every 6.3/6.4 host; from about 6.5 TID4 instead when FEAT_EVT is present.
  CTR_EL0: { from: V(6, 3), until: V(6, 5) },
  DCZID_EL0: { never: true },
};

export interface TrappedSysreg {
  def: SysregDef;
  /** The name KVM's table entry prints (`SYS_DESC(SYS_<name>)`). */
  kvmName: string;
}

export function lookupSysreg(name: string, where: string): SysregDef {
  const def = sysregByName(name);
  if (!def) throw new Error(`${where}: unknown system register '${name}'`);
  return def;
}

export function trapsOn(def: SysregDef, host: HostVersion): boolean {
  const rule = RULES[def.name];
  if (!rule) return true;
  if (rule.never) return false;
  if (rule.from !== undefined && host < rule.from) return false;
  if (rule.until !== undefined && host >= rule.until) return false;
  return true;
}

export function kvmTableName(def: SysregDef): string {
  return `SYS_${def.name}`;
}

/**
 * Values of the cache-ID registers as the guest sees them. 6.3+: fabricated by reset_clidr() from
 * a host CTR_EL0 with IDC = DIC = 0 (L1 separate, LoC 1) and CCSIDR with one set and one way
 * (64-byte lines). Before 6.3 the guest reads the physical CPU: a Cortex-A72-class two-level
 * hierarchy (32 KiB 2-way L1D, 1 MiB 16-way L2), so set/way loops run sets × ways times.
 */
export class SysregModel {
  private csselr = 0;

  constructor(private readonly host: HostVersion) {}

  read(def: SysregDef): number {
    const fabricated = this.host >= V(6, 3);
    switch (def.name) {
      case 'CLIDR_EL1':
        return fabricated ? 0x09200003 : 0x0a200023;
      case 'CCSIDR_EL1': {
        if (fabricated) return 0x00000002;
        const level = this.csselr >>> 1;
        const instr = this.csselr & 1;
        if (level === 0) return instr ? 0x201fe012 : 0x001fe00a;
        if (level === 1 && !instr) return 0x007fe07a;
        return 0;
      }
      case 'CSSELR_EL1':
        return this.csselr;
      case 'CTR_EL0':
        return 0x8444c004;
      default:
        return 0;
    }
  }

  write(def: SysregDef, value: number): void {
    if (def.name === 'CSSELR_EL1') this.csselr = value & 0xf;
  }
}
