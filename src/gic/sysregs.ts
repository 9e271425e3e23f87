/**
 * arm64 system-register names by encoding (`sysregEncoding` in src/model/codes.ts), for naming
 * `kvm_sys_access` rows. Covers every register the spec documents (ID block, cache geometry,
 * ICC_*, set/way DC ops, PMU, debug, timers, TCR2/PIR/PIRE0, …). Unnamed encodings print in the
 * assembler's generic form `S<op0>_<op1>_C<n>_C<m>_<op2>`.
 */
import { sysregEncoding, sysregFields } from '../model/codes.ts';

export interface SysregDef {
  name: string;
  op0: number;
  op1: number;
  crn: number;
  crm: number;
  op2: number;
  /** Short grouping used by rules and the `registers` command. */
  group: 'id' | 'cache' | 'gic' | 'pmu' | 'debug' | 'timer' | 'mm' | 'ctrl' | 'ras' | 'pauth' | 'mte' | 'sme' | 'mpam' | 'misc' | 'cmo' | 'tlbi';
}

const defs: SysregDef[] = [];
function r(name: string, op0: number, op1: number, crn: number, crm: number, op2: number, group: SysregDef['group']): void {
  defs.push({ name, op0, op1, crn, crm, op2, group });
}

// --- ID space (3,0,0,0..7,0..7): every allocated slot; free slots are named ID_RESERVED_<crm>_<op2>.
const idSpace: Record<string, string> = {
  '0,0': 'MIDR_EL1', '0,5': 'MPIDR_EL1', '0,6': 'REVIDR_EL1',
  '1,0': 'ID_PFR0_EL1', '1,1': 'ID_PFR1_EL1', '1,2': 'ID_DFR0_EL1', '1,3': 'ID_AFR0_EL1',
  '1,4': 'ID_MMFR0_EL1', '1,5': 'ID_MMFR1_EL1', '1,6': 'ID_MMFR2_EL1', '1,7': 'ID_MMFR3_EL1',
  '2,0': 'ID_ISAR0_EL1', '2,1': 'ID_ISAR1_EL1', '2,2': 'ID_ISAR2_EL1', '2,3': 'ID_ISAR3_EL1',
  '2,4': 'ID_ISAR4_EL1', '2,5': 'ID_ISAR5_EL1', '2,6': 'ID_MMFR4_EL1', '2,7': 'ID_ISAR6_EL1',
  '3,0': 'MVFR0_EL1', '3,1': 'MVFR1_EL1', '3,2': 'MVFR2_EL1', '3,4': 'ID_PFR2_EL1', '3,5': 'ID_DFR1_EL1', '3,6': 'ID_MMFR5_EL1',
  '4,0': 'ID_AA64PFR0_EL1', '4,1': 'ID_AA64PFR1_EL1', '4,2': 'ID_AA64PFR2_EL1', '4,4': 'ID_AA64ZFR0_EL1',
  '4,5': 'ID_AA64SMFR0_EL1', '4,7': 'ID_AA64FPFR0_EL1',
  '5,0': 'ID_AA64DFR0_EL1', '5,1': 'ID_AA64DFR1_EL1', '5,2': 'ID_AA64DFR2_EL1', '5,4': 'ID_AA64AFR0_EL1', '5,5': 'ID_AA64AFR1_EL1',
  '6,0': 'ID_AA64ISAR0_EL1', '6,1': 'ID_AA64ISAR1_EL1', '6,2': 'ID_AA64ISAR2_EL1', '6,3': 'ID_AA64ISAR3_EL1',
  '7,0': 'ID_AA64MMFR0_EL1', '7,1': 'ID_AA64MMFR1_EL1', '7,2': 'ID_AA64MMFR2_EL1', '7,3': 'ID_AA64MMFR3_EL1', '7,4': 'ID_AA64MMFR4_EL1',
};
for (let crm = 0; crm < 8; crm++)
  for (let op2 = 0; op2 < 8; op2++) r(idSpace[`${crm},${op2}`] ?? `ID_RESERVED_${crm}_${op2}`, 3, 0, 0, crm, op2, 'id');

// --- Cache geometry and implementation ID registers outside (3,0,0,*,*).
r('CCSIDR_EL1', 3, 1, 0, 0, 0, 'cache');
r('CLIDR_EL1', 3, 1, 0, 0, 1, 'cache');
r('CCSIDR2_EL1', 3, 1, 0, 0, 2, 'cache');
r('GMID_EL1', 3, 1, 0, 0, 4, 'mte');
r('SMIDR_EL1', 3, 1, 0, 0, 6, 'sme');
r('AIDR_EL1', 3, 1, 0, 0, 7, 'id');
r('CSSELR_EL1', 3, 2, 0, 0, 0, 'cache');
r('CTR_EL0', 3, 3, 0, 0, 1, 'cache');
r('DCZID_EL0', 3, 3, 0, 0, 7, 'cache');

// --- EL1 control and memory management.
r('SCTLR_EL1', 3, 0, 1, 0, 0, 'ctrl');
r('ACTLR_EL1', 3, 0, 1, 0, 1, 'ctrl');
r('CPACR_EL1', 3, 0, 1, 0, 2, 'ctrl');
r('SCTLR2_EL1', 3, 0, 1, 0, 3, 'ctrl');
r('RGSR_EL1', 3, 0, 1, 0, 5, 'mte');
r('GCR_EL1', 3, 0, 1, 0, 6, 'mte');
r('ZCR_EL1', 3, 0, 1, 2, 0, 'sme');
r('TRFCR_EL1', 3, 0, 1, 2, 1, 'debug');
r('SMPRI_EL1', 3, 0, 1, 2, 4, 'sme');
r('SMCR_EL1', 3, 0, 1, 2, 6, 'sme');
r('TTBR0_EL1', 3, 0, 2, 0, 0, 'mm');
r('TTBR1_EL1', 3, 0, 2, 0, 1, 'mm');
r('TCR_EL1', 3, 0, 2, 0, 2, 'mm');
r('TCR2_EL1', 3, 0, 2, 0, 3, 'mm');
r('APIAKEYLO_EL1', 3, 0, 2, 1, 0, 'pauth');
r('APIAKEYHI_EL1', 3, 0, 2, 1, 1, 'pauth');
r('APIBKEYLO_EL1', 3, 0, 2, 1, 2, 'pauth');
r('APIBKEYHI_EL1', 3, 0, 2, 1, 3, 'pauth');
r('APDAKEYLO_EL1', 3, 0, 2, 2, 0, 'pauth');
r('APDAKEYHI_EL1', 3, 0, 2, 2, 1, 'pauth');
r('APDBKEYLO_EL1', 3, 0, 2, 2, 2, 'pauth');
r('APDBKEYHI_EL1', 3, 0, 2, 2, 3, 'pauth');
r('APGAKEYLO_EL1', 3, 0, 2, 3, 0, 'pauth');
r('APGAKEYHI_EL1', 3, 0, 2, 3, 1, 'pauth');
r('GCSCR_EL1', 3, 0, 2, 5, 0, 'ctrl');
r('GCSPR_EL1', 3, 0, 2, 5, 1, 'ctrl');
r('GCSCRE0_EL1', 3, 0, 2, 5, 2, 'ctrl');
r('SPSR_EL1', 3, 0, 4, 0, 0, 'ctrl');
r('ELR_EL1', 3, 0, 4, 0, 1, 'ctrl');
r('SP_EL0', 3, 0, 4, 1, 0, 'ctrl');
r('CURRENTEL', 3, 0, 4, 2, 2, 'ctrl');
r('ICC_PMR_EL1', 3, 0, 4, 6, 0, 'gic');
r('AFSR0_EL1', 3, 0, 5, 1, 0, 'ctrl');
r('AFSR1_EL1', 3, 0, 5, 1, 1, 'ctrl');
r('ESR_EL1', 3, 0, 5, 2, 0, 'ctrl');
r('ERRIDR_EL1', 3, 0, 5, 3, 0, 'ras');
r('ERRSELR_EL1', 3, 0, 5, 3, 1, 'ras');
r('ERXFR_EL1', 3, 0, 5, 4, 0, 'ras');
r('ERXCTLR_EL1', 3, 0, 5, 4, 1, 'ras');
r('ERXSTATUS_EL1', 3, 0, 5, 4, 2, 'ras');
r('ERXADDR_EL1', 3, 0, 5, 4, 3, 'ras');
r('ERXMISC0_EL1', 3, 0, 5, 5, 0, 'ras');
r('ERXMISC1_EL1', 3, 0, 5, 5, 1, 'ras');
r('TFSR_EL1', 3, 0, 5, 6, 0, 'mte');
r('TFSRE0_EL1', 3, 0, 5, 6, 1, 'mte');
r('FAR_EL1', 3, 0, 6, 0, 0, 'ctrl');
r('PAR_EL1', 3, 0, 7, 4, 0, 'mm');
r('PMSCR_EL1', 3, 0, 9, 9, 0, 'pmu');
r('PMSIDR_EL1', 3, 0, 9, 9, 7, 'pmu');
r('PMBIDR_EL1', 3, 0, 9, 10, 7, 'pmu');
r('PMINTENSET_EL1', 3, 0, 9, 14, 1, 'pmu');
r('PMINTENCLR_EL1', 3, 0, 9, 14, 2, 'pmu');
r('PMMIR_EL1', 3, 0, 9, 14, 6, 'pmu');
r('MAIR_EL1', 3, 0, 10, 2, 0, 'mm');
r('PIRE0_EL1', 3, 0, 10, 2, 2, 'mm');
r('PIR_EL1', 3, 0, 10, 2, 3, 'mm');
r('POR_EL1', 3, 0, 10, 2, 4, 'mm');
r('AMAIR_EL1', 3, 0, 10, 3, 0, 'mm');
r('LORSA_EL1', 3, 0, 10, 4, 0, 'mm');
r('LOREA_EL1', 3, 0, 10, 4, 1, 'mm');
r('LORN_EL1', 3, 0, 10, 4, 2, 'mm');
r('LORC_EL1', 3, 0, 10, 4, 3, 'mm');
r('MPAMIDR_EL1', 3, 0, 10, 4, 4, 'mpam');
r('LORID_EL1', 3, 0, 10, 4, 7, 'mm');
r('MPAM1_EL1', 3, 0, 10, 5, 0, 'mpam');
r('MPAM0_EL1', 3, 0, 10, 5, 1, 'mpam');
r('MPAMSM_EL1', 3, 0, 10, 5, 3, 'mpam');
r('VBAR_EL1', 3, 0, 12, 0, 0, 'ctrl');
r('RVBAR_EL1', 3, 0, 12, 0, 1, 'ctrl');
r('ISR_EL1', 3, 0, 12, 1, 0, 'ctrl');
r('DISR_EL1', 3, 0, 12, 1, 1, 'ras');
r('CONTEXTIDR_EL1', 3, 0, 13, 0, 1, 'ctrl');
r('TPIDR_EL1', 3, 0, 13, 0, 4, 'ctrl');
r('ACCDATA_EL1', 3, 0, 13, 0, 5, 'ctrl');
r('SCXTNUM_EL1', 3, 0, 13, 0, 7, 'ctrl');
r('CNTKCTL_EL1', 3, 0, 14, 1, 0, 'timer');

// --- GICv3 CPU interface (ICC_*): only SGI generation traps by default (vgic.md §6.3).
r('ICC_IAR0_EL1', 3, 0, 12, 8, 0, 'gic');
r('ICC_EOIR0_EL1', 3, 0, 12, 8, 1, 'gic');
r('ICC_HPPIR0_EL1', 3, 0, 12, 8, 2, 'gic');
r('ICC_BPR0_EL1', 3, 0, 12, 8, 3, 'gic');
for (let n = 0; n < 4; n++) r(`ICC_AP0R${n}_EL1`, 3, 0, 12, 8, 4 + n, 'gic');
for (let n = 0; n < 4; n++) r(`ICC_AP1R${n}_EL1`, 3, 0, 12, 9, n, 'gic');
r('ICC_NMIAR1_EL1', 3, 0, 12, 9, 5, 'gic');
r('ICC_DIR_EL1', 3, 0, 12, 11, 1, 'gic');
r('ICC_RPR_EL1', 3, 0, 12, 11, 3, 'gic');
r('ICC_SGI1R_EL1', 3, 0, 12, 11, 5, 'gic');
r('ICC_ASGI1R_EL1', 3, 0, 12, 11, 6, 'gic');
r('ICC_SGI0R_EL1', 3, 0, 12, 11, 7, 'gic');
r('ICC_IAR1_EL1', 3, 0, 12, 12, 0, 'gic');
r('ICC_EOIR1_EL1', 3, 0, 12, 12, 1, 'gic');
r('ICC_HPPIR1_EL1', 3, 0, 12, 12, 2, 'gic');
r('ICC_BPR1_EL1', 3, 0, 12, 12, 3, 'gic');
r('ICC_CTLR_EL1', 3, 0, 12, 12, 4, 'gic');
r('ICC_SRE_EL1', 3, 0, 12, 12, 5, 'gic');
r('ICC_IGRPEN0_EL1', 3, 0, 12, 12, 6, 'gic');
r('ICC_IGRPEN1_EL1', 3, 0, 12, 12, 7, 'gic');

// --- EL0-accessible registers.
r('RNDR', 3, 3, 2, 4, 0, 'misc');
r('RNDRRS', 3, 3, 2, 4, 1, 'misc');
r('GCSPR_EL0', 3, 3, 2, 5, 1, 'ctrl');
r('NZCV', 3, 3, 4, 2, 0, 'ctrl');
r('DAIF', 3, 3, 4, 2, 1, 'ctrl');
r('SVCR', 3, 3, 4, 2, 2, 'sme');
r('FPCR', 3, 3, 4, 4, 0, 'ctrl');
r('FPSR', 3, 3, 4, 4, 1, 'ctrl');
r('TPIDR_EL0', 3, 3, 13, 0, 2, 'ctrl');
r('TPIDRRO_EL0', 3, 3, 13, 0, 3, 'ctrl');
r('TPIDR2_EL0', 3, 3, 13, 0, 5, 'sme');
r('SCXTNUM_EL0', 3, 3, 13, 0, 7, 'ctrl');

// --- PMU (PMUv3).
r('PMCR_EL0', 3, 3, 9, 12, 0, 'pmu');
r('PMCNTENSET_EL0', 3, 3, 9, 12, 1, 'pmu');
r('PMCNTENCLR_EL0', 3, 3, 9, 12, 2, 'pmu');
r('PMOVSCLR_EL0', 3, 3, 9, 12, 3, 'pmu');
r('PMSWINC_EL0', 3, 3, 9, 12, 4, 'pmu');
r('PMSELR_EL0', 3, 3, 9, 12, 5, 'pmu');
r('PMCEID0_EL0', 3, 3, 9, 12, 6, 'pmu');
r('PMCEID1_EL0', 3, 3, 9, 12, 7, 'pmu');
r('PMCCNTR_EL0', 3, 3, 9, 13, 0, 'pmu');
r('PMXEVTYPER_EL0', 3, 3, 9, 13, 1, 'pmu');
r('PMXEVCNTR_EL0', 3, 3, 9, 13, 2, 'pmu');
r('PMUSERENR_EL0', 3, 3, 9, 14, 0, 'pmu');
r('PMOVSSET_EL0', 3, 3, 9, 14, 3, 'pmu');
for (let n = 0; n < 31; n++) r(`PMEVCNTR${n}_EL0`, 3, 3, 14, 8 + (n >> 3), n & 7, 'pmu');
for (let n = 0; n < 31; n++) r(`PMEVTYPER${n}_EL0`, 3, 3, 14, 12 + (n >> 3), n & 7, 'pmu');
r('PMCCFILTR_EL0', 3, 3, 14, 15, 7, 'pmu');

// --- Generic timer.
r('CNTFRQ_EL0', 3, 3, 14, 0, 0, 'timer');
r('CNTPCT_EL0', 3, 3, 14, 0, 1, 'timer');
r('CNTVCT_EL0', 3, 3, 14, 0, 2, 'timer');
r('CNTPCTSS_EL0', 3, 3, 14, 0, 5, 'timer');
r('CNTVCTSS_EL0', 3, 3, 14, 0, 6, 'timer');
r('CNTP_TVAL_EL0', 3, 3, 14, 2, 0, 'timer');
r('CNTP_CTL_EL0', 3, 3, 14, 2, 1, 'timer');
r('CNTP_CVAL_EL0', 3, 3, 14, 2, 2, 'timer');
r('CNTV_TVAL_EL0', 3, 3, 14, 3, 0, 'timer');
r('CNTV_CTL_EL0', 3, 3, 14, 3, 1, 'timer');
r('CNTV_CVAL_EL0', 3, 3, 14, 3, 2, 'timer');

// --- Debug (Op0 = 2).
r('OSDTRRX_EL1', 2, 0, 0, 0, 2, 'debug');
r('MDCCINT_EL1', 2, 0, 0, 2, 0, 'debug');
r('MDSCR_EL1', 2, 0, 0, 2, 2, 'debug');
r('OSDTRTX_EL1', 2, 0, 0, 3, 2, 'debug');
r('OSECCR_EL1', 2, 0, 0, 6, 2, 'debug');
for (let n = 0; n < 16; n++) {
  r(`DBGBVR${n}_EL1`, 2, 0, 0, n, 4, 'debug');
  r(`DBGBCR${n}_EL1`, 2, 0, 0, n, 5, 'debug');
  r(`DBGWVR${n}_EL1`, 2, 0, 0, n, 6, 'debug');
  r(`DBGWCR${n}_EL1`, 2, 0, 0, n, 7, 'debug');
}
r('MDRAR_EL1', 2, 0, 1, 0, 0, 'debug');
r('OSLAR_EL1', 2, 0, 1, 0, 4, 'debug');
r('OSLSR_EL1', 2, 0, 1, 1, 4, 'debug');
r('OSDLR_EL1', 2, 0, 1, 3, 4, 'debug');
r('DBGPRCR_EL1', 2, 0, 1, 4, 4, 'debug');
r('DBGCLAIMSET_EL1', 2, 0, 7, 8, 6, 'debug');
r('DBGCLAIMCLR_EL1', 2, 0, 7, 9, 6, 'debug');
r('DBGAUTHSTATUS_EL1', 2, 0, 7, 14, 6, 'debug');
r('MDCCSR_EL0', 2, 3, 0, 1, 0, 'debug');
r('DBGDTR_EL0', 2, 3, 0, 4, 0, 'debug');
r('DBGDTRRX_EL0', 2, 3, 0, 5, 0, 'debug');
r('DBGVCR32_EL2', 2, 4, 0, 7, 0, 'debug');

// --- Cache maintenance and TLB instructions (Op0 = 1); set/way ops trap under HCR_EL2.TSW.
r('IC_IALLUIS', 1, 0, 7, 1, 0, 'cmo');
r('IC_IALLU', 1, 0, 7, 5, 0, 'cmo');
r('DC_IVAC', 1, 0, 7, 6, 1, 'cmo');
r('DC_ISW', 1, 0, 7, 6, 2, 'cmo');
r('DC_IGVAC', 1, 0, 7, 6, 3, 'cmo');
r('DC_IGSW', 1, 0, 7, 6, 4, 'cmo');
r('DC_IGDVAC', 1, 0, 7, 6, 5, 'cmo');
r('DC_IGDSW', 1, 0, 7, 6, 6, 'cmo');
r('DC_CSW', 1, 0, 7, 10, 2, 'cmo');
r('DC_CGSW', 1, 0, 7, 10, 4, 'cmo');
r('DC_CGDSW', 1, 0, 7, 10, 6, 'cmo');
r('DC_CISW', 1, 0, 7, 14, 2, 'cmo');
r('DC_CIGSW', 1, 0, 7, 14, 4, 'cmo');
r('DC_CIGDSW', 1, 0, 7, 14, 6, 'cmo');
r('DC_ZVA', 1, 3, 7, 4, 1, 'cmo');
r('IC_IVAU', 1, 3, 7, 5, 1, 'cmo');
r('DC_CVAC', 1, 3, 7, 10, 1, 'cmo');
r('DC_CVAU', 1, 3, 7, 11, 1, 'cmo');
r('DC_CVAP', 1, 3, 7, 12, 1, 'cmo');
r('DC_CVADP', 1, 3, 7, 13, 1, 'cmo');
r('DC_CIVAC', 1, 3, 7, 14, 1, 'cmo');
r('TLBI_VMALLE1IS', 1, 0, 8, 3, 0, 'tlbi');
r('TLBI_VAE1IS', 1, 0, 8, 3, 1, 'tlbi');
r('TLBI_ASIDE1IS', 1, 0, 8, 3, 2, 'tlbi');
r('TLBI_VMALLE1', 1, 0, 8, 7, 0, 'tlbi');
r('TLBI_VAE1', 1, 0, 8, 7, 1, 'tlbi');
r('TLBI_ASIDE1', 1, 0, 8, 7, 2, 'tlbi');

export const SYSREGS: readonly SysregDef[] = defs;

const byEncoding = new Map<number, SysregDef>();
for (const d of defs) {
  const enc = sysregEncoding(d.op0, d.op1, d.crn, d.crm, d.op2);
  if (byEncoding.has(enc)) throw new Error(`duplicate sysreg encoding for ${d.name}`);
  byEncoding.set(enc, d);
}

export function sysregByEncoding(enc: number): SysregDef | undefined {
  return byEncoding.get(enc);
}

/** Generic assembler name for any encoding: S3_0_C0_C4_0. */
export function genericSysregName(enc: number): string {
  const [op0, op1, crn, crm, op2] = sysregFields(enc);
  return `S${op0}_${op1}_C${crn}_C${crm}_${op2}`;
}

export function sysregName(enc: number): string {
  return byEncoding.get(enc)?.name ?? genericSysregName(enc);
}

export function sysregByName(name: string): SysregDef | undefined {
  const upper = name.trim().toUpperCase().replace(/\s+/g, '_');
  return defs.find((d) => d.name === upper);
}

export function encodingOf(d: SysregDef): number {
  return sysregEncoding(d.op0, d.op1, d.crn, d.crm, d.op2);
}
