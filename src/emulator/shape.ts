/** The guest-visible shape of one VM's vGIC: what KVM computes TYPER, GICR_TYPER and routing from. */
export interface VgicShape {
  gicVersion: 2 | 3;
  /** nr_irqs: SPIs + 32, a multiple of 32 in 64..992 (vgic.md §1.3). */
  nrIrqs: number;
  nrVcpus: number;
  /** An ITS exists (GICv3): TYPER.LPIS/IDbits, GICR_TYPER.PLPIS, GICR_CTLR writable. */
  hasIts: boolean;
  /** Aff2:Aff1:Aff0 of each vCPU's MPIDR (24 bits). */
  mpidr: Int32Array;
}

/** KVM's `reset_mpidr`: Aff0 = id & 0xF, Aff1 = (id >> 4) & 0xFF, Aff2 = (id >> 12) & 0xFF. */
export function defaultMpidr(vcpu: number): number {
  return (vcpu & 0xf) | (((vcpu >>> 4) & 0xff) << 8) | (((vcpu >>> 12) & 0xff) << 16);
}

export function makeShape(gicVersion: 2 | 3, nrIrqs: number, nrVcpus: number, hasIts: boolean, mpidr?: ArrayLike<number>): VgicShape {
  if (nrIrqs % 32 !== 0 || nrIrqs < 64 || nrIrqs > 992) throw new RangeError(`nr_irqs ${nrIrqs} is not a multiple of 32 in 64..992`);
  if (nrVcpus < 1 || nrVcpus > 512 || (gicVersion === 2 && nrVcpus > 8)) throw new RangeError(`${nrVcpus} vCPUs for a GICv${gicVersion}`);
  const m = new Int32Array(nrVcpus);
  for (let i = 0; i < nrVcpus; i++) m[i] = mpidr?.[i] ?? defaultMpidr(i);
  return { gicVersion, nrIrqs, nrVcpus, hasIts: gicVersion === 3 && hasIts, mpidr: m };
}

/** GICD_TYPER as KVM computes it (vgic.md §5, §7.1). */
export function gicdTyper(s: VgicShape): number {
  const lines = (s.nrIrqs >>> 5) - 1;
  if (s.gicVersion === 2) return (lines | ((s.nrVcpus - 1) << 5)) >>> 0;
  return (lines | (s.hasIts ? (15 << 19) | (1 << 17) : 9 << 19)) >>> 0;
}
