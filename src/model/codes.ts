/**
 * Small integer codes used on the hot path instead of strings. The DuckDB views and the Arrow
 * dictionaries expose the names; the numbers never leave the process except inside `access_rows`.
 */
export const SPACE_MMIO = 0;
export const SPACE_SYSREG = 1;
export const SPACE_HVC = 2;
export const SPACE_SMC = 3;
export const SPACE_NAMES = ['mmio', 'sysreg', 'hvc', 'smc'] as const;
export type SpaceName = (typeof SPACE_NAMES)[number];

export const OP_READ = 0;
export const OP_WRITE = 1;
export const OP_NAMES = ['R', 'W'] as const;
export type OpName = (typeof OP_NAMES)[number];

/**
 * System-register encoding as Linux's `sys_reg(op0, op1, crn, crm, op2)`:
 * op0 << 19 | op1 << 16 | crn << 12 | crm << 8 | op2 << 5. This is the `addr` of a sysreg row.
 */
export function sysregEncoding(op0: number, op1: number, crn: number, crm: number, op2: number): number {
  return ((op0 & 3) << 19) | ((op1 & 7) << 16) | ((crn & 15) << 12) | ((crm & 15) << 8) | ((op2 & 7) << 5);
}

export function sysregFields(enc: number): [op0: number, op1: number, crn: number, crm: number, op2: number] {
  return [(enc >>> 19) & 3, (enc >>> 16) & 7, (enc >>> 12) & 15, (enc >>> 8) & 15, (enc >>> 5) & 7];
}

const SGI_REGS = [sysregEncoding(3, 0, 12, 11, 5), sysregEncoding(3, 0, 12, 11, 6), sysregEncoding(3, 0, 12, 11, 7)];

/**
 * ICC_SGI1R_EL1 (3,0,12,11,5), ICC_ASGI1R_EL1 (3,0,12,11,6), ICC_SGI0R_EL1 (3,0,12,11,7): the
 * GICv3 SGI-generation registers, whose writes trap (vgic.md §6.3). op1 is not compared, so the
 * AArch32 views (opc1 0, 1, 2 of the 64-bit ICC_SGI1R/ASGI1R/SGI0R) match too.
 */
export function isSgiSysreg(enc: number): boolean {
  const e = enc & ~(7 << 16);
  return e === SGI_REGS[0] || e === SGI_REGS[1] || e === SGI_REGS[2];
}

/** A GICv3 CPU-interface register (ICC_*: Op0 3, CRn 12, CRm 8–12), the SGI registers among them. */
export function isIccSysreg(enc: number): boolean {
  const crm = (enc >>> 8) & 15;
  return ((enc >>> 19) & 3) === 3 && ((enc >>> 12) & 15) === 12 && crm >= 8 && crm <= 12;
}

/** The tid of a row whose trace names no thread (QEMU logs without the `<tid>@` prefix): NULL in `accesses`. */
export const NO_TID = -1;
