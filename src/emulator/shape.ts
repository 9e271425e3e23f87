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
  /** 1 where the vCPU's GICR_TYPER has Last set: the last redistributor of each region (vgic.md §5). */
  rdistLast: Uint8Array;
}

/** KVM's `reset_mpidr`: Aff0 = id & 0xF, Aff1 = (id >> 4) & 0xFF, Aff2 = (id >> 12) & 0xFF. */
export function defaultMpidr(vcpu: number): number {
  return (vcpu & 0xf) | (((vcpu >>> 4) & 0xff) << 8) | (((vcpu >>> 12) & 0xff) << 16);
}

/**
 * `regions`: redistributors per redistributor region, in KVM's order (one region of all vCPUs by
 * default). Last is set on the last used redistributor of each region (`vgic_mmio_vcpu_rdist_is_last`;
 * the regions of the VMMs abitrace knows are never contiguous, so a full region's last slot
 * keeps it: QEMU virt with more than 123 vCPUs sets it on vCPU 122 and on the last vCPU).
 */
export function makeShape(gicVersion: 2 | 3, nrIrqs: number, nrVcpus: number, hasIts: boolean, mpidr?: ArrayLike<number>,
  regions?: readonly number[]): VgicShape {
  if (nrIrqs % 32 !== 0 || nrIrqs < 64 || nrIrqs > 992) throw new RangeError(`nr_irqs ${nrIrqs} is not a multiple of 32 in 64..992`);
  if (nrVcpus < 1 || nrVcpus > 512 || (gicVersion === 2 && nrVcpus > 8)) throw new RangeError(`${nrVcpus} vCPUs for a GICv${gicVersion}`);
  const m = new Int32Array(nrVcpus);
  for (let i = 0; i < nrVcpus; i++) m[i] = mpidr?.[i] ?? defaultMpidr(i);
  const last = new Uint8Array(nrVcpus);
  last[nrVcpus - 1] = 1;
  let start = 0;
  for (const count of regions ?? []) {
    const end = Math.min(start + count, nrVcpus);
    if (end > start) last[end - 1] = 1;
    start += count;
  }
  return { gicVersion, nrIrqs, nrVcpus, hasIts: gicVersion === 3 && hasIts, mpidr: m, rdistLast: last };
}

/** GICD_TYPER as KVM computes it (vgic.md §5, §7.1). */
export function gicdTyper(s: VgicShape): number {
  const lines = (s.nrIrqs >>> 5) - 1;
  if (s.gicVersion === 2) return (lines | ((s.nrVcpus - 1) << 5)) >>> 0;
  return (lines | (s.hasIts ? (15 << 19) | (1 << 17) : 9 << 19)) >>> 0;
}
